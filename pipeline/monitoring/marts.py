"""Local performance monitoring marts: progress and SPC per indicator, and a summary per partnership."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.methods.disclosure import is_disclosive
from pipeline.methods.spc import assurance, special_causes, xmr_limits
from pipeline.monitoring import schemas
from pipeline.warehouse import load_sql, replace_table

MIN_SPC_POINTS = 12
"""An XmR chart needs enough points for its limits to mean something: Making Data Count advises at least 12
(NHSRplotthedots warns below it; Wheeler allows useful limits from 5 or 6, Provost and Murray's Health Care
Data Guide asks for 20). Below 12 points the SPC columns are empty."""
SPC_COLUMNS = ["spc_mean", "spc_lower", "spc_upper", "beyond_limit", "shift", "trend", "two_of_three", "variation"]


def _spc(series: pd.DataFrame) -> pd.DataFrame:
    """The SPC columns of one indicator's rows (in period order), empty below `MIN_SPC_POINTS` points."""
    polarity = series["polarity"].iloc[0]
    out = pd.DataFrame(index=series.index, columns=[*SPC_COLUMNS, "assurance"], dtype=object)
    if len(series) < MIN_SPC_POINTS:
        return out
    limits = xmr_limits(series["value"].to_numpy())
    flags = special_causes(series["value"].to_numpy(), polarity, limits=limits)
    flags.index = series.index
    out["spc_mean"], out["spc_lower"], out["spc_upper"] = limits.mean, limits.lower, limits.upper
    for column in ["beyond_limit", "shift", "trend", "two_of_three", "variation"]:
        out[column] = flags[column]
    target = series["target_value"].iloc[0]
    out["assurance"] = assurance(limits, None if pd.isna(target) else float(target), polarity)
    return out


def build_indicator_progress(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.indicator_progress`: one row per partnership x indicator x period returned.

    Status: with a baseline and a target (values and dates, target differing from baseline), a period is
    on_track when its progress towards the target is at least the share of the baseline-to-target time
    elapsed by the period's end (a straight-line trajectory), off_track otherwise; no_target without them.
    SPC (XmR limits, MDC rules, assurance) is computed on the indicator's whole series from 12 points on.
    Disclosure: a value whose unit counts people (`schemas.PEOPLE_UNITS`) from 1 to `threshold` - 1 is
    suppressed, with the change and progress that would reveal it; its status, SPC flags and the limits
    (computed on the true values first) stay, as they do not give the value back."""
    frame = con.execute(load_sql(__file__, "indicator_progress")).df()
    frame["status"] = np.where(
        ~frame["has_target"].astype(bool),
        "no_target",
        np.where(frame["progress_to_target"] >= frame["expected_progress"], "on_track", "off_track"),
    )
    frame["points"] = frame.groupby(["partnership_id", "indicator_id"])["value"].transform("size").astype("int64")
    columns = [*SPC_COLUMNS, "assurance"]
    # Only series long enough to chart: concatenating the all-empty frames of short ones is deprecated in pandas.
    spc = [
        _spc(group)
        for _, group in frame.groupby(["partnership_id", "indicator_id"], sort=False)
        if len(group) >= MIN_SPC_POINTS
    ]
    frame[columns] = pd.concat(spc).reindex(frame.index)[columns] if spc else None
    for column in ["spc_mean", "spc_lower", "spc_upper"]:
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    for column in ["beyond_limit", "shift", "trend", "two_of_three"]:
        frame[column] = frame[column].astype("boolean")
    counts_people = frame["unit"].str.strip().str.lower().isin(schemas.PEOPLE_UNITS)
    suppressed = counts_people & is_disclosive(frame["value"], threshold)
    for column in ["value", "change_from_baseline", "progress_to_target"]:
        frame[column] = frame[column].mask(suppressed)
    frame["people"] = frame["value"].where(counts_people)
    frame["value_suppressed"] = suppressed.astype(bool)
    for name, column in schemas.IndicatorProgressMart.to_schema().columns.items():
        if str(column.dtype) == "float64":  # an empty frame's columns come back as integers or objects
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
    frame = schemas.IndicatorProgressMart.validate(frame[list(schemas.IndicatorProgressMart.to_schema().columns)])
    return replace_table(con, "marts.indicator_progress", frame)


def build_monitoring_summary(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.monitoring_summary`: one row per partnership with a register. Needs `marts.indicator_progress`."""
    frame = schemas.MonitoringSummaryMart.validate(con.execute(load_sql(__file__, "monitoring_summary")).df())
    return replace_table(con, "marts.monitoring_summary", frame)


def _status(con: duckdb.DuckDBPyConnection, query: str) -> dict[str, int]:
    cursor = con.execute(load_sql(__file__, query))
    row = cursor.fetchone()
    return {column[0]: int(value or 0) for column, value in zip(cursor.description, row, strict=True)}


def progress_status(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """`marts.indicator_progress` at a glance: indicators on track, off track and without a target at their
    latest return, those with a special cause, and the points flagged by each Making Data Count rule."""
    return _status(con, "progress_status")


def summary_status(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """`marts.monitoring_summary` at a glance: partnerships, and their indicators on and off track, with a
    special cause, and their late and missing returns, added up."""
    return _status(con, "summary_status")
