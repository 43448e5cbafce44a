"""Staging layer: raw rows conformed to the reference data and validated; failures go to quarantine.

Each function reads `raw.*`, writes one `staging.*` table (or one partition of it) and its
`quarantine.*` twin, and returns a `StageReport` for asset metadata. Mapping gaps (an unmapped survey
column, code or indicator; an unknown partnership or area) are written to their own staging tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pandas as pd

from pipeline import schemas, survey_staging
from pipeline.periods import parse_periods
from pipeline.privacy import redact_sql
from pipeline.validation import Validated, reject_unknown, reject_where, revalidate, validate_frame
from pipeline.warehouse import replace_rows, replace_table, table_exists


@dataclass
class StageReport:
    """Rows written, rows quarantined, and any mapping gaps found, for one staging table."""

    table: str
    rows: int
    quarantined: int
    gaps: dict[str, list[str]] = field(default_factory=dict)

    def as_metadata(self) -> dict[str, object]:
        metadata: dict[str, object] = {"rows": self.rows, "quarantined_rows": self.quarantined}
        for name, values in self.gaps.items():
            metadata[name] = ", ".join(values) if values else "none"
        return metadata


def _write(
    con: duckdb.DuckDBPyConnection, name: str, result: Validated, partition: tuple[str, str] | None = None
) -> StageReport:
    """Write validated rows to staging.<name> and rejects to quarantine.<name>, replacing one partition or all."""
    where, params = (f"{partition[0]} = ?", [partition[1]]) if partition else ("true", [])
    rows = len(result.quarantined)
    quarantined = result.quarantined.assign(
        table_name=pd.Series([name] * rows, dtype="string"),
        quarantined_at=pd.Series([datetime.now(UTC)] * rows, dtype="datetime64[us, UTC]"),
    )
    if partition:
        quarantined[partition[0]] = pd.Series([partition[1]] * rows, dtype="string")
    replace_rows(con, f"staging.{name}", result.valid, where, params)
    replace_rows(con, f"quarantine.{name}", quarantined, where, params)
    return StageReport(f"staging.{name}", len(result.valid), len(result.quarantined))


def _raw(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(query, params or []).df()


# --- Reference data --------------------------------------------------------------------------------------


def stage_reference(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """Validate every reference table, then check that the tables agree with each other."""
    validated: dict[str, Validated] = {}
    for name, model in schemas.REFERENCE_MODELS.items():
        frame = _raw(con, f"SELECT * EXCLUDE (loaded_at) FROM raw.reference_{name}")
        validated[name] = validate_frame(frame, model)

    factors = set(validated["success_factors"].valid["factor_id"])
    scales = set(validated["likert_scales"].valid["scale_id"])
    validated["codebook_factor_map"] = reject_unknown(
        validated["codebook_factor_map"], "factor_id", factors, "factor {value!r} is not in success_factors.csv"
    )
    instrument = validated["survey_instrument"]
    instrument = reject_unknown(
        instrument,
        "construct",
        factors | {"support_usefulness"},
        "construct {value!r} is neither a success factor nor support_usefulness",
        applies=instrument.valid["role"] == "item",
    )
    validated["survey_instrument"] = reject_unknown(
        instrument,
        "scale_id",
        scales,
        "scale {value!r} is not in likert_scales.csv",
        applies=instrument.valid["role"] == "item",
    )

    objectives = set(validated["marmot_objectives"].valid["objective_id"])
    diagrams = validated["driver_diagrams"]
    unknown = diagrams.valid["marmot_objectives"].map(lambda listed: sorted(set(listed.split(";")) - objectives))
    validated["driver_diagrams"] = reject_where(
        diagrams,
        unknown.map(bool),
        [f"Marmot objective(s) {', '.join(u)} not in marmot_objectives.csv" for u in unknown if u],
    )
    validated["survey_invitations"] = reject_unknown(
        validated["survey_invitations"],
        "partnership_id",
        set(validated["partnerships"].valid["partnership_id"]),
        "partnership {value!r} is not in partnerships.csv",
    )

    reports = [_write(con, name, result) for name, result in validated.items()]
    areas = (
        validated["partnerships"]
        .valid[["partnership_id", "area_codes"]]
        .assign(area_code=lambda f: f["area_codes"].str.split(";"))
    )
    areas = areas.explode("area_code")[["partnership_id", "area_code"]].reset_index(drop=True)
    rows = replace_table(con, "staging.partnership_areas", schemas.PartnershipArea.validate(areas))
    reports.append(StageReport("staging.partnership_areas", rows, 0))
    return reports


# --- Survey waves ----------------------------------------------------------------------------------------


def stage_survey_wave(con: duckdb.DuckDBPyConnection, wave: str) -> list[StageReport]:
    """Conform one wave: respondents tied to a partnership and group, item answers scored on their scale.

    A wave can hold millions of answers, so it is conformed and validated inside DuckDB: see
    `pipeline.survey_staging` (the same tables, reasons and quarantine records as validating in pandas).
    """
    (responses, rejected), (scores, off_scale), unmapped = survey_staging.stage_wave(con, wave)
    respondent_report = StageReport("staging.survey_responses", responses, rejected)
    score_report = StageReport("staging.survey_item_scores", scores, off_scale)
    score_report.gaps["unmapped_columns"] = [f"{row.column_name} ({row.source_id})" for row in unmapped.itertuples()]
    return [respondent_report, score_report]


# --- Site-visit codings ----------------------------------------------------------------------------------

# A coding's partnership, first found wins: the case's partnership variable; the case's name being a
# partnership's id or name; the source's name matching the source-naming rule (its first group an id).
SEGMENTS_SQL = f"""
WITH case_partnership AS (
    SELECT DISTINCT source_file, case_name, value AS partnership_id
    FROM raw.qda_case_variables WHERE lower(variable_name) = lower($case_variable)
)
SELECT s.source_file, s.source_name, s.case_name, s.code_path, s.coder,
       s.start_position, s.end_position, {redact_sql("s.excerpt")} AS excerpt,
       coalesce(cp.partnership_id, p.partnership_id, nullif(regexp_extract(s.source_name, $source_rule, 1), ''))
           AS partnership_id,
       m.factor_id, m.direction
FROM raw.qda_segments AS s
LEFT JOIN case_partnership AS cp ON cp.source_file = s.source_file AND cp.case_name = s.case_name
LEFT JOIN staging.partnerships AS p
       ON lower(s.case_name) IN (lower(p.partnership_id), lower(p.partnership_name))
LEFT JOIN staging.codebook_factor_map AS m ON m.code_path = s.code_path
"""


@dataclass(frozen=True)
class CodingLinks:
    """How codings are tied to partnerships (configurable per evaluation; see SEGMENTS_SQL)."""

    case_variable: str = "partnership_id"  # the REFI-QDA case variable holding the partnership id
    source_rule: str = r"^(P\d{2,3})\b"  # a source-naming rule: the first group is the partnership id


def stage_codings(con: duckdb.DuckDBPyConnection, links: CodingLinks = CodingLinks()) -> list[StageReport]:
    """Tie each coded segment to a partnership and a success factor; report unmapped codes and cases."""
    segments = con.execute(SEGMENTS_SQL, {"case_variable": links.case_variable, "source_rule": links.source_rule}).df()
    unmapped_codes = segments[segments["factor_id"].isna()].groupby("code_path").size().rename("segments").reset_index()
    replace_table(con, "staging.unmapped_codes", unmapped_codes)
    mapped = segments[segments["factor_id"].notna()].reset_index(drop=True)

    known = set(_raw(con, "SELECT partnership_id FROM staging.partnerships")["partnership_id"])
    unlinked = mapped["partnership_id"].isna() | ~mapped["partnership_id"].isin(known)
    reasons = [
        f"case {case!r} of source {source!r} names no partnership in reference/partnerships.csv"
        for case, source in zip(mapped.loc[unlinked, "case_name"], mapped.loc[unlinked, "source_name"], strict=False)
    ]
    result = revalidate(reject_where(Validated.passing(mapped), unlinked, reasons), schemas.CodedSegment)
    report = _write(con, "coded_segments", result)
    report.gaps["unmapped_codes"] = list(unmapped_codes["code_path"])
    return [report]


# --- Outcome statistics ----------------------------------------------------------------------------------

# "NA", "-", ".." and friends are how publishers write "no value"; anything else must be a number.
MISSING_MARKERS = "('', 'na', 'n/a', '-', '..', ':', '*', 'x')"

OUTCOMES_SQL = f"""
WITH fingertips AS (
    SELECT 'fingertips' AS source_format, source_file, source_row, indicator_id, area_code, time_period AS period,
           sex, age, category_type, category, value, lower_ci95, upper_ci95, count, denominator
    FROM raw.fingertips_values
),
tidy AS (
    -- Tidy series carry an indicator name, not an id (mapped through outcome_indicators.csv);
    -- their `unit` column holds the sex.
    SELECT 'tidy', t.source_file, t.source_row, i.indicator_id::VARCHAR, t.area_code, t.period,
           t.unit, NULL, CASE WHEN t.category IS NOT NULL AND lower(t.category) <> 'na' THEN 'inequality' END,
           nullif(t.category, 'NA'), t.value, NULL, NULL, NULL, NULL
    FROM raw.tidy_outcome_values AS t
    JOIN (SELECT DISTINCT indicator_id, source_indicator_name FROM staging.outcome_indicators) AS i
      ON i.source_indicator_name = t.indicator_name
),
fingertipsnext AS (
    SELECT 'fingertipsnext', source_file, source_row, indicator_id, area_code, year, sex, age,
           nullif(category_type, ''), nullif(category, ''), value, lower_ci95, upper_ci95, count, denominator
    FROM raw.fingertipsnext_values
),
unioned AS (
    SELECT * FROM fingertips UNION ALL SELECT * FROM tidy UNION ALL SELECT * FROM fingertipsnext
)
SELECT * REPLACE (
    CASE WHEN lower(trim(value)) IN {MISSING_MARKERS} THEN NULL ELSE trim(value) END AS value,
    CASE WHEN lower(trim(lower_ci95)) IN {MISSING_MARKERS} THEN NULL ELSE trim(lower_ci95) END AS lower_ci95,
    CASE WHEN lower(trim(upper_ci95)) IN {MISSING_MARKERS} THEN NULL ELSE trim(upper_ci95) END AS upper_ci95,
    CASE WHEN lower(trim(count)) IN {MISSING_MARKERS} THEN NULL ELSE trim(count) END AS count,
    CASE WHEN lower(trim(denominator)) IN {MISSING_MARKERS} THEN NULL ELSE trim(denominator) END AS denominator
)
FROM unioned
"""

UNMAPPED_SERIES_SQL = """
SELECT source_file, indicator_name, count(*) AS rows
FROM raw.tidy_outcome_values
WHERE indicator_name NOT IN (SELECT source_indicator_name FROM staging.outcome_indicators WHERE source_indicator_name IS NOT NULL)
GROUP BY ALL ORDER BY ALL
"""


def stage_outcomes(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """Conform every outcome format to one long table of indicator values per area and period."""
    for table in ("raw.fingertips_values", "raw.tidy_outcome_values", "raw.fingertipsnext_values"):
        if not table_exists(con, table):
            raise RuntimeError(f"{table} is missing: materialise the raw outcome asset first")
    values = _raw(con, OUTCOMES_SQL)
    period_types = dict(
        con.execute("SELECT DISTINCT indicator_id::VARCHAR, period_type FROM staging.outcome_indicators").fetchall()
    )
    year_type = (
        values["indicator_id"].astype(str).map(period_types).fillna("financial").replace("calendar", "financial")
    )
    parsed = pd.concat(
        [parse_periods(values.loc[year_type == kind, "period"], year_type=kind) for kind in year_type.unique()]
    ).reindex(values.index)
    values = values.assign(
        period_start=parsed["start"],
        period_end=parsed["end"],
        period_sort_key=parsed["sort_key"],
        period_kind=parsed["kind"],
    )
    unparsed = parsed["period_error"].notna()
    result = reject_where(Validated.passing(values), unparsed, list(parsed.loc[unparsed, "period_error"]))
    report = _write(con, "outcome_values", revalidate(result, schemas.OutcomeValue))
    unmapped = _raw(con, UNMAPPED_SERIES_SQL)
    replace_table(con, "staging.unmapped_outcome_series", unmapped)
    report.gaps["unmapped_series"] = sorted(set(unmapped["indicator_name"]))
    return [report]


def stage_deprivation(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """Validate the deprivation summaries; report partnership areas the indices do not know."""
    frame = _raw(con, "SELECT * EXCLUDE (loaded_at) FROM raw.deprivation")
    columns = list(schemas.Deprivation.to_schema().columns)
    report = _write(con, "deprivation", validate_frame(frame[columns], schemas.Deprivation))
    unknown = _raw(
        con,
        "SELECT partnership_id, area_code FROM staging.partnership_areas "
        "WHERE area_code NOT IN (SELECT lad_code FROM staging.deprivation) ORDER BY ALL",
    )
    report.gaps["partnership_areas_without_deprivation_data"] = [
        f"{r.partnership_id}: {r.area_code}" for r in unknown.itertuples()
    ]
    return [report]


# --- Information mapping ---------------------------------------------------------------------------------

INTERVENTIONS_SQL = """
SELECT i.source_file, i.source_row, i.partnership_id, trim(i.intervention) AS intervention,
       trim(i.commissioner) AS commissioner, trim(driver.unnest) AS secondary_driver_id,
       replace(replace(trim(i.spend), ',', ''), '£', '') AS spend, lower(trim(i.status)) AS status,
       p.partnership_id IS NOT NULL AS known_partnership,
       d.secondary_driver_id IS NOT NULL AS driver_in_diagram, p.wicked_problem
FROM raw.interventions AS i
CROSS JOIN unnest(string_split(i.drivers_addressed, ';')) AS driver
LEFT JOIN staging.partnerships AS p USING (partnership_id)
LEFT JOIN staging.driver_diagrams AS d
       ON d.secondary_driver_id = trim(driver.unnest) AND d.wicked_problem = p.wicked_problem
WHERE trim(driver.unnest) <> ''
"""


def stage_interventions(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """One row per intervention x secondary driver it addresses, checked against the partnership's diagram."""
    rows = _raw(con, INTERVENTIONS_SQL)
    result = reject_where(
        Validated.passing(rows),
        ~rows["known_partnership"],
        [
            f"partnership {p!r} is not in reference/partnerships.csv"
            for p in rows.loc[~rows["known_partnership"], "partnership_id"]
        ],
    )
    outside = ~result.valid["driver_in_diagram"]
    result = reject_where(
        result,
        outside,
        [
            f"driver {d!r} is not in the {w} driver diagram (reference/driver_diagrams.csv)"
            for d, w in zip(
                result.valid.loc[outside, "secondary_driver_id"],
                result.valid.loc[outside, "wicked_problem"],
                strict=True,
            )
        ],
    )
    return [_write(con, "interventions", revalidate(result, schemas.Intervention))]


# --- Success assessments ---------------------------------------------------------------------------------


def stage_assessments(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """Validate the evaluation team's success judgements; unknown partnerships are quarantined."""
    frame = _raw(con, "SELECT * EXCLUDE (loaded_at) FROM raw.success_assessments")
    known = set(_raw(con, "SELECT partnership_id FROM staging.partnerships")["partnership_id"])
    result = validate_frame(frame, schemas.SuccessAssessment)
    result = reject_unknown(
        result, "partnership_id", known, "partnership {value!r} is not in reference/partnerships.csv"
    )
    return [_write(con, "success_assessments", result)]
