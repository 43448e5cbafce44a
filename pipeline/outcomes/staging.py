"""Outcome values from every format conformed to one table; deprivation summaries validated."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.methods.dsr import ESP2013, ESP2013_AGE_BANDS, dsr
from pipeline.outcomes import schemas
from pipeline.outcomes.periods import parse_periods
from pipeline.staging import StageReport, read_frame, write_validated
from pipeline.validation import Validated, reject_where, revalidate, validate_frame
from pipeline.warehouse import load_sql, replace_table, table_exists

# "NA", "-", ".." and friends are how publishers write "no value"; anything else must be a number.
MISSING_MARKERS = ["", "na", "n/a", "-", "..", ":", "*", "x"]


def stage_outcomes(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """Conform every outcome format to one long table of indicator values per area and period."""
    raw_tables = ("raw.fingertips_values", "raw.tidy_outcome_values", "raw.fingertipsnext_values", AGE_BANDED)
    for table in raw_tables:
        if not table_exists(con, table):
            raise RuntimeError(f"{table} is missing: materialise the raw outcome asset first")
    values = read_frame(con, load_sql(__file__, "outcome_values"), {"missing_markers": MISSING_MARKERS})
    bands, standardised, problems = age_banded_rates(con)
    replace_table(con, "staging.outcome_age_bands", schemas.OutcomeAgeBand.validate(bands))
    if len(standardised):
        values = pd.concat([values, standardised.astype(object)], ignore_index=True)
    period_types = dict(
        con.execute("SELECT DISTINCT indicator_id::VARCHAR, period_type FROM staging.outcome_indicators").fetchall()
    )
    year_type = (
        values["indicator_id"].astype(str).map(period_types).fillna("financial").replace("calendar", "financial")
    )
    parts = [parse_periods(values.loc[year_type == kind, "period"], year_type=kind) for kind in year_type.unique()]
    parsed = (pd.concat(parts) if parts else parse_periods(values["period"])).reindex(values.index)
    values = values.assign(
        period_start=parsed["start"],
        period_end=parsed["end"],
        period_sort_key=parsed["sort_key"],
        period_kind=parsed["kind"],
    )
    unparsed = parsed["period_error"].notna()
    result = reject_where(Validated.passing(values), unparsed, list(parsed.loc[unparsed, "period_error"]))
    failed = result.valid["source_format"].eq("age_banded") & result.valid["value_note"].isin(list(problems))
    result = reject_where(result, failed, [problems[note] for note in result.valid.loc[failed, "value_note"]])
    report = write_validated(con, "outcome_values", revalidate(result, schemas.OutcomeValue))
    unmapped = read_frame(con, load_sql(__file__, "unmapped_outcome_series"))
    replace_table(con, "staging.unmapped_outcome_series", unmapped)
    report.gaps["unmapped_series"] = sorted(set(unmapped["indicator_name"]))
    return [report]


def stage_deprivation(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """Validate the deprivation summaries; report partnership areas the indices do not know."""
    frame = read_frame(con, "SELECT * EXCLUDE (loaded_at) FROM raw.deprivation")
    columns = list(schemas.Deprivation.to_schema().columns)
    report = write_validated(con, "deprivation", validate_frame(frame[columns], schemas.Deprivation))
    unknown = read_frame(
        con,
        "SELECT partnership_id, area_code FROM staging.partnership_areas "
        "WHERE area_code NOT IN (SELECT lad_code FROM staging.deprivation) ORDER BY ALL",
    )
    report.gaps["partnership_areas_without_deprivation_data"] = [
        f"{r.partnership_id}: {r.area_code}" for r in unknown.itertuples()
    ]
    return [report]


# --- Directly standardised rates from counts by age band -------------------------------------------------

AGE_BANDED = "raw.age_banded_counts"
_GROUP = ["indicator_id", "area_code", "period", "sex"]
_BAND_COLUMNS = ["indicator_id", "area_code", "period", "sex", "age_band", "count", "population", "standard_population"]


def _number(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return pd.to_numeric(text.mask(text.str.lower().isin(MISSING_MARKERS)), errors="coerce")


def age_banded_rates(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Each indicator x area x period (x sex) of `raw.age_banded_counts` as one directly standardised rate.

    PHE's method (`pipeline.methods.dsr.dsr`: Dobson limits, no value from fewer than 10 events, a blank count
    is 0 events) per the indicator's multiplier (`outcome_indicators.csv`, default 100,000), by the file's
    standard population where every band gives one, else the 2013 European Standard Population, whose 19 bands
    (0-4 ... 85-89, 90+) the group must then have exactly. Returns the bands (for pooling a partnership's areas
    by age band), the rates as rows of `outcome_values` (source_format "age_banded"; `value_note` says why a
    value is missing), and for a group that cannot be standardised, a key in `value_note` mapped to the reason
    (those rows are quarantined with it).
    """
    raw = read_frame(con, f"SELECT * EXCLUDE (loaded_at) FROM {AGE_BANDED}")
    multipliers = dict(
        con.execute(
            "SELECT DISTINCT indicator_id::VARCHAR, multiplier FROM staging.outcome_indicators WHERE statistic = 'dsr'"
        ).fetchall()
    )
    bands_out, rows, problems = [], [], {}
    if raw.empty:
        return _typed_bands(pd.DataFrame(columns=_BAND_COLUMNS)), pd.DataFrame(), problems
    raw = raw.assign(
        indicator_id=raw["indicator_id"].astype("string").str.strip(),
        sex=raw["sex"].where(raw["sex"].notna(), None),
        age_band=raw["age_band"].astype("string").str.strip().str.replace(r"\s+", "", regex=True),
        count=_number(raw["count"]).fillna(0.0),
        population=_number(raw["population"]),
        standard_population=_number(raw["standard_population"]),
    )
    for key, group in raw.groupby(_GROUP, dropna=False, sort=True):
        first = group.iloc[0]
        record = dict(zip(_GROUP, key, strict=True)) | {
            "source_format": "age_banded",
            "source_file": first["source_file"],
            "source_row": first["source_row"],
            "age": None,
            "category_type": None,
            "category": None,
            "sex": None if pd.isna(key[3]) else key[3],
        }
        if not str(key[0]).isdigit():
            problems[f"problem {len(problems)}"] = (
                f"indicator_id {key[0]!r} is not a Fingertips indicator id (a number)"
            )
            rows.append(record | {"value_note": f"problem {len(problems) - 1}"})
            continue
        standard = group["standard_population"]
        if standard.isna().any():
            esp = dict(zip(ESP2013_AGE_BANDS, ESP2013, strict=True))
            standard = group["age_band"].map(esp)
            if standard.isna().any() or len(group) != len(ESP2013) or group["age_band"].duplicated().any():
                problem = (
                    f"age bands {', '.join(group['age_band'])} are not the 19 bands of the 2013 European Standard "
                    f"Population ({', '.join(ESP2013_AGE_BANDS)}) and no standard_population is given"
                )
                problems[f"problem {len(problems)}"] = problem
                rows.append(record | {"value_note": f"problem {len(problems) - 1}"})
                continue
        try:
            multiplier = float(multipliers.get(str(key[0]), 100_000))
            result = dsr(group["count"], group["population"], standard, multiplier=multiplier, levels=0.95)
        except ValueError as error:
            problems[f"problem {len(problems)}"] = f"no DSR: {error}"
            rows.append(record | {"value_note": f"problem {len(problems) - 1}"})
            continue
        bands_out.append(group.assign(standard_population=standard.to_numpy(float))[_BAND_COLUMNS])
        missing = bool(np.isnan(result["value"]))
        rows.append(
            record
            | {
                "value": result["value"],
                "lower_ci95": result["lower_ci95"],
                "upper_ci95": result["upper_ci95"],
                "count": result["total_count"],
                "denominator": result["total_pop"],
                "value_note": result["statistic"] if missing else None,
            }
        )
    bands = pd.concat(bands_out, ignore_index=True) if bands_out else pd.DataFrame(columns=_BAND_COLUMNS)
    return _typed_bands(bands).reset_index(drop=True), pd.DataFrame(rows), problems


def _typed_bands(bands: pd.DataFrame) -> pd.DataFrame:
    numbers = {"indicator_id": "int64", "count": float, "population": float, "standard_population": float}
    return bands.astype({**{c: object for c in _BAND_COLUMNS}, **numbers})
