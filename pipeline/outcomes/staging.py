"""Outcome values from every format conformed to one table; deprivation summaries validated."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.outcomes import schemas
from pipeline.outcomes.periods import parse_periods
from pipeline.staging import StageReport, read_frame, write_validated
from pipeline.validation import Validated, reject_where, revalidate, validate_frame
from pipeline.warehouse import load_sql, replace_table, table_exists

# "NA", "-", ".." and friends are how publishers write "no value"; anything else must be a number.
MISSING_MARKERS = ["", "na", "n/a", "-", "..", ":", "*", "x"]


def stage_outcomes(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """Conform every outcome format to one long table of indicator values per area and period."""
    for table in ("raw.fingertips_values", "raw.tidy_outcome_values", "raw.fingertipsnext_values"):
        if not table_exists(con, table):
            raise RuntimeError(f"{table} is missing: materialise the raw outcome asset first")
    values = read_frame(con, load_sql(__file__, "outcome_values"), {"missing_markers": MISSING_MARKERS})
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
