"""Local performance monitoring: each partnership's register of its own process and output indicators, its
monitoring returns, the returns that are late or missing, and the progress and SPC marts."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.methods.spc import ASSURANCES, VARIATIONS
from pipeline.validation import Lineage

POLARITIES = ["higher_is_better", "lower_is_better"]
FREQUENCIES = ["monthly", "quarterly"]
STATUSES = ["on_track", "off_track", "no_target"]
PEOPLE_UNITS = ["people", "number of people", "count of people"]
"""Units that say a value counts people: such values are suppressed below the disclosure threshold."""


class IndicatorRegister(Lineage):
    """One row per partnership x local indicator it monitors (reference/indicator_register.csv, optional)."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership that defined it"
    )
    indicator_id: Series[str] = pa.Field(
        str_matches=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="The partnership's own id for the indicator"
    )
    indicator_name: Series[str] = pa.Field(description="What the indicator measures")
    indicator_type: Series[str] = pa.Field(
        isin=["process", "output"], description="process: what the partnership does; output: what it produces"
    )
    driver: Series[str] = pa.Field(
        description="Primary or secondary driver of the partnership's driver diagram the indicator tracks"
    )
    marmot_objective: Series[str] = pa.Field(
        nullable=True,
        metadata={"references": "staging.marmot_objectives.objective_id"},
        description="Marmot policy objective it serves, where one applies",
    )
    unit: Series[str] = pa.Field(
        description="Unit of the values, e.g. 'people', 'percentage', 'sessions'; 'people' (or 'number of people') "
        "marks a count of people, suppressed below the disclosure threshold"
    )
    polarity: Series[str] = pa.Field(isin=POLARITIES, description="Whether a higher or a lower value is better")
    baseline_value: Series[float] = pa.Field(nullable=True, coerce=True, description="Value before the work began")
    baseline_date: Series[pa.DateTime] = pa.Field(nullable=True, coerce=True, description="When the baseline held")
    target_value: Series[float] = pa.Field(nullable=True, coerce=True, description="Value the partnership aims for")
    target_date: Series[pa.DateTime] = pa.Field(nullable=True, coerce=True, description="When it aims to reach it")
    frequency: Series[str] = pa.Field(isin=FREQUENCIES, description="How often a return is due")
    data_owner: Series[str] = pa.Field(nullable=True, description="Organisation or role that supplies the values")

    @pa.dataframe_check(description="A target date, where given, is after the baseline date")
    def target_after_baseline(cls, frame):  # noqa: N805 - pandera passes the class
        return (
            frame["target_date"].isna()
            | frame["baseline_date"].isna()
            | (frame["target_date"] > frame["baseline_date"])
        )

    class Config:
        unique = ["partnership_id", "indicator_id"]


class MonitoringReturn(Lineage):
    """One row per partnership x indicator x period returned."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership returning"
    )
    indicator_id: Series[str] = pa.Field(description="Indicator of the partnership's register")
    period: Series[pa.DateTime] = pa.Field(
        coerce=True, description="First day of the month (or calendar quarter, for a quarterly indicator) returned"
    )
    value: Series[float] = pa.Field(coerce=True, description="Value returned, in the register's unit")
    layout: Series[str] = pa.Field(
        isin=["long", "wide", "header block"], description="Layout of the file it came in (long, wide, header block)"
    )

    class Config:
        unique = ["partnership_id", "indicator_id", "period"]


class ReturnGap(pa.DataFrameModel):
    """One row per partnership x indicator x period due by the latest period returned but not (validly) returned."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    indicator_id: Series[str] = pa.Field(description="Indicator of its register")
    frequency: Series[str] = pa.Field(isin=FREQUENCIES, description="How often a return is due")
    period: Series[pa.DateTime] = pa.Field(description="First day of the month or quarter due")
    status: Series[str] = pa.Field(
        isin=["late", "missing"],
        description="late: due after the indicator's last return (nothing since); missing: a gap before a later return",
    )

    class Config:
        unique = ["partnership_id", "indicator_id", "period"]


class IndicatorProgressMart(pa.DataFrameModel):
    """One row per partnership x indicator x period returned."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    indicator_id: Series[str] = pa.Field(description="Indicator of its register")
    indicator_name: Series[str] = pa.Field(description="What the indicator measures")
    indicator_type: Series[str] = pa.Field(isin=["process", "output"], description="process or output indicator")
    unit: Series[str] = pa.Field(description="Unit of the values")
    polarity: Series[str] = pa.Field(isin=POLARITIES, description="Whether a higher or a lower value is better")
    period: Series[pa.DateTime] = pa.Field(description="First day of the month or quarter")
    value: Series[float] = pa.Field(
        nullable=True, description="Value returned; empty where it counts fewer people than the disclosure threshold"
    )
    people: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        description="The value again where the unit counts people (disclosure-controlled), else empty",
    )
    value_suppressed: Series[bool] = pa.Field(description="True where the value was suppressed for disclosure control")
    baseline_value: Series[float] = pa.Field(nullable=True, description="Baseline from the register")
    change_from_baseline: Series[float] = pa.Field(
        nullable=True, description="value - baseline_value (empty where the value is suppressed)"
    )
    target_value: Series[float] = pa.Field(nullable=True, description="Target from the register")
    progress_to_target: Series[float] = pa.Field(
        nullable=True,
        description="(value - baseline) / (target - baseline): 0 at the baseline, 1 at the target, negative when "
        "moving away; empty without baseline and target or where the value is suppressed",
    )
    expected_progress: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        le=1,
        description="Share of the time from baseline date to target date elapsed by the period's end (0 to 1)",
    )
    status: Series[str] = pa.Field(
        isin=STATUSES,
        description="on_track when progress_to_target >= expected_progress (a straight-line trajectory from baseline "
        "to target), else off_track; no_target without baseline value and date and a target value and date that differ",
    )
    points: Series[int] = pa.Field(ge=1, description="Periods returned for this indicator")
    spc_mean: Series[float] = pa.Field(
        nullable=True, description="XmR centre line (mean); empty below 12 points (MIN_SPC_POINTS)"
    )
    spc_lower: Series[float] = pa.Field(nullable=True, description="Lower natural process limit")
    spc_upper: Series[float] = pa.Field(nullable=True, description="Upper natural process limit")
    beyond_limit: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="Rule 1: point beyond a process limit")
    shift: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="Rule 2: in a run of 7+ points on one side of the mean"
    )
    trend: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="Rule 3: in a run of 7+ points rising or falling"
    )
    two_of_three: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="Rule 4: two of three points near a limit"
    )
    variation: Series[str] = pa.Field(
        nullable=True, isin=list(VARIATIONS), description="Making Data Count variation of the point, given the polarity"
    )
    assurance: Series[str] = pa.Field(
        nullable=True,
        isin=list(ASSURANCES),
        description="Whether the process will meet the target: consistent_pass, consistent_fail or inconsistent",
    )

    class Config:
        unique = ["partnership_id", "indicator_id", "period"]
        metadata = {"disclosure": {"counts": ["people"]}}


class MonitoringSummaryMart(pa.DataFrameModel):
    """One row per partnership with an indicator register."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    indicators: Series[int] = pa.Field(ge=0, description="Indicators in its register")
    with_returns: Series[int] = pa.Field(ge=0, description="Indicators with at least one valid return")
    on_track: Series[int] = pa.Field(ge=0, description="Indicators on track at their latest return")
    off_track: Series[int] = pa.Field(ge=0, description="Indicators off track at their latest return")
    no_target: Series[int] = pa.Field(ge=0, description="Indicators without a usable baseline and target")
    with_special_cause: Series[int] = pa.Field(
        ge=0, description="Indicators with a special cause at any point (12 or more points)"
    )
    late_returns: Series[int] = pa.Field(ge=0, description="Returns due since an indicator's last return")
    missing_returns: Series[int] = pa.Field(ge=0, description="Gaps before an indicator's last return")

    class Config:
        unique = ["partnership_id"]


TABLES: dict[str, type[pa.DataFrameModel]] = {
    "staging.indicator_register": IndicatorRegister,
    "staging.monitoring_returns": MonitoringReturn,
    "staging.monitoring_gaps": ReturnGap,
    "marts.indicator_progress": IndicatorProgressMart,
    "marts.monitoring_summary": MonitoringSummaryMart,
}
