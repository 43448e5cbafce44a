"""Outcome statistics and deprivation: staged values and the outcome marts."""

from __future__ import annotations

import pandas as pd  # noqa: F401 - pandera resolves annotations by name
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.reference.schemas import POLARITIES
from pipeline.validation import Lineage


class OutcomeValue(Lineage):
    """One row per published outcome value: indicator x area x period x sex x age x breakdown."""

    source_format: Series[str] = pa.Field(
        isin=["fingertips", "tidy", "fingertipsnext", "age_banded"],
        description="Format of the file the value came from (age_banded: a DSR computed from counts by age band)",
    )
    indicator_id: Series[int] = pa.Field(gt=0, coerce=True, description="Fingertips indicator id")
    area_code: Series[str] = pa.Field(
        str_matches=r"^([EWSNK]\d{8}|[A-Z0-9]{3,6})$",
        description="ONS code of the area, or the NHS (ODS) code of a practice or organisation for practice-level indicators",
    )
    period: Series[str] = pa.Field(description="Time period as published (e.g. 2015, 2015/16, 2013 - 15)")
    period_start: Series[pa.DateTime] = pa.Field(coerce=True, description="First day of the period")
    period_end: Series[pa.DateTime] = pa.Field(coerce=True, description="Last day of the period")
    period_sort_key: Series[int] = pa.Field(
        coerce=True, description="Sortable key: start date as YYYYMMDD x 1000 plus the length in months"
    )
    period_kind: Series[str] = pa.Field(
        description="calendar year, financial year, academic year, multi-year, quarter or month"
    )
    sex: Series[str] = pa.Field(nullable=True, description="Sex the value refers to (Persons, Male, Female)")
    age: Series[str] = pa.Field(nullable=True, description="Age band the value refers to")
    category_type: Series[str] = pa.Field(
        nullable=True, description="Breakdown type, e.g. a deprivation decile classification"
    )
    category: Series[str] = pa.Field(
        nullable=True, description="Breakdown category, e.g. most deprived decile; empty for the whole area"
    )
    value: Series[float] = pa.Field(
        nullable=True, coerce=True, description="Indicator value; empty where the publisher gives none"
    )
    lower_ci95: Series[float] = pa.Field(
        nullable=True, coerce=True, description="Lower 95% confidence limit as published"
    )
    upper_ci95: Series[float] = pa.Field(
        nullable=True, coerce=True, description="Upper 95% confidence limit as published"
    )
    count: Series[float] = pa.Field(nullable=True, coerce=True, ge=0, description="Numerator (events) as published")
    denominator: Series[float] = pa.Field(
        nullable=True, coerce=True, ge=0, description="Denominator (population) as published"
    )
    value_note: Series[str] = pa.Field(
        nullable=True, description="Why a computed value is missing, e.g. 'dsr NA for total count < 10' (PHE's rule)"
    )


class OutcomeAgeBand(pa.DataFrameModel):
    """One row per indicator x area x period x sex x age band: events and population from an age-banded file."""

    indicator_id: Series[int] = pa.Field(gt=0, description="Fingertips indicator id")
    area_code: Series[str] = pa.Field(description="ONS code of the area")
    period: Series[str] = pa.Field(description="Time period as given")
    sex: Series[str] = pa.Field(nullable=True, description="Sex, where given")
    age_band: Series[str] = pa.Field(description="Age band (standardisation category), e.g. 0-4")
    count: Series[float] = pa.Field(ge=0, description="Events in the band (a blank count is 0 events, as PHE)")
    population: Series[float] = pa.Field(gt=0, description="Population of the band")
    standard_population: Series[float] = pa.Field(
        ge=0, description="Standard population of the band (given, else the 2013 European Standard Population)"
    )

    class Config:
        unique = ["indicator_id", "area_code", "period", "sex", "age_band"]


class Deprivation(Lineage):
    """One row per district x deprivation domain x edition of the indices."""

    lad_code: Series[str] = pa.Field(str_matches=r"^[ENSW]\d{8}$", description="GSS code of the local authority")
    lad_name: Series[str] = pa.Field(description="District name")
    index_domain: Series[str] = pa.Field(description="Index of Multiple Deprivation or one of its domains")
    average_score: Series[float] = pa.Field(
        coerce=True, description="Population-weighted average score of the district's small areas"
    )
    rank_average_score: Series[int] = pa.Field(
        coerce=True, ge=1, description="Rank of the average score (1 = most deprived)"
    )
    year: Series[int] = pa.Field(coerce=True, ge=2000, le=2100, description="Edition of the indices")

    class Config:
        unique = ["lad_code", "index_domain", "year"]


class OutcomeCoverageMart(pa.DataFrameModel):
    """One row per partnership x outcome indicator of its wicked problem: is the data there?"""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    wicked_problem: Series[str] = pa.Field(description="Its wicked problem")
    indicator_id: Series[int] = pa.Field(description="Fingertips indicator id measuring the problem")
    indicator_name: Series[str] = pa.Field(description="Indicator name")
    headline: Series[bool] = pa.Field(description="True for the problem's headline indicator")
    areas: Series[int] = pa.Field(ge=1, description="Areas the partnership covers")
    areas_with_data: Series[int] = pa.Field(ge=0, description="Of those, areas with at least one published value")
    periods_with_data: Series[int] = pa.Field(ge=0, description="Distinct periods with a value for any of its areas")
    first_period: Series[str] = pa.Field(nullable=True, description="Earliest period with a value, as published")
    last_period: Series[str] = pa.Field(nullable=True, description="Latest period with a value, as published")
    status: Series[str] = pa.Field(
        isin=["covered", "partial", "no data bundled"],
        description="covered: every area has data; partial: some areas lack it; no data bundled: none (a coverage gap, never filled with invented numbers)",
    )

    class Config:
        unique = ["partnership_id", "indicator_id"]


OUTCOME_CLASSES = [
    "improved",
    "worsened",
    "no clear change",
    "improved (point estimate)",
    "worsened (point estimate)",
    "no clear change (point estimate)",
    "insufficient data",
]


class OutcomeTrendsMart(pa.DataFrameModel):
    """One row per partnership x outcome indicator x period, with England beside it."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    indicator_id: Series[int] = pa.Field(description="Fingertips indicator id")
    period: Series[str] = pa.Field(description="Period as published")
    period_start: Series[pa.DateTime] = pa.Field(description="First day of the period")
    period_end: Series[pa.DateTime] = pa.Field(description="Last day of the period")
    period_sort_key: Series[int] = pa.Field(description="Sortable period key")
    areas_with_data: Series[int] = pa.Field(
        ge=1, description="Of the partnership's areas, those with a value this period"
    )
    aggregation: Series[str] = pa.Field(
        description="single area; pooled over n areas (summed counts over summed denominators); pooled over n areas by age band (a DSR of the summed counts and populations); or unweighted mean of n areas (no limits)"
    )
    value: Series[float] = pa.Field(
        nullable=True,
        description="Indicator value for the partnership's area(s); empty only where the method publishes none (see note)",
    )
    lower_ci95: Series[float] = pa.Field(
        nullable=True, description="Lower 95% confidence limit (published, or computed from count and denominator)"
    )
    upper_ci95: Series[float] = pa.Field(nullable=True, description="Upper 95% confidence limit")
    lower_ci998: Series[float] = pa.Field(nullable=True, description="Lower 99.8% confidence limit")
    upper_ci998: Series[float] = pa.Field(nullable=True, description="Upper 99.8% confidence limit")
    count: Series[float] = pa.Field(
        nullable=True, ge=0, description="Events (numerator); empty where unknown or under the disclosure threshold"
    )
    count_suppressed: Series[bool] = pa.Field(description="True where the count was suppressed for disclosure control")
    denominator: Series[float] = pa.Field(nullable=True, ge=0, description="Population (denominator), where published")
    england_value: Series[float] = pa.Field(
        nullable=True, description="England's value for the same indicator and period"
    )
    england_lower_ci95: Series[float] = pa.Field(
        nullable=True, description="England's lower 95% limit, where published"
    )
    england_upper_ci95: Series[float] = pa.Field(
        nullable=True, description="England's upper 95% limit, where published"
    )
    compared_to_england_95: Series[str] = pa.Field(
        isin=["Better", "Similar", "Worse", "Lower", "Higher", "Not compared"],
        description="Fingertips' benchmark comparison at 95% (by confidence interval, with the indicator's polarity)",
    )
    compared_to_england_998: Series[str] = pa.Field(
        isin=["Better", "Similar", "Worse", "Lower", "Higher", "Not compared"], description="The same at 99.8%"
    )
    recent_trend: Series[str] = pa.Field(
        nullable=True,
        description="Fingertips' recent-trend test over the most recent points (setting trend_points, default 5), on the latest period's row",
    )
    note: Series[str] = pa.Field(
        nullable=True, description="Why a value is missing, e.g. 'dsr NA for total count < 10' (PHE's DSR rule)"
    )

    class Config:
        metadata = {"disclosure": {"counts": ["count"]}}
        unique = ["partnership_id", "indicator_id", "period"]


class OutcomeChangeMart(pa.DataFrameModel):
    """One row per partnership x outcome indicator of its wicked problem: change around the support period."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    indicator_id: Series[int] = pa.Field(description="Fingertips indicator id")
    indicator_name: Series[str] = pa.Field(description="Indicator name")
    headline: Series[bool] = pa.Field(description="True for the problem's headline indicator")
    polarity: Series[str] = pa.Field(isin=POLARITIES, description="Whether low or high is good")
    support_start: Series[pa.DateTime] = pa.Field(description="Support began")
    support_end: Series[pa.DateTime] = pa.Field(description="Support ended")
    baseline_period: Series[str] = pa.Field(
        nullable=True,
        description="Latest period ending on or before support began, or within outcome_baseline_years after it"
        " (settings.toml, default 0)",
    )
    baseline_before_support: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="True when the baseline period ended on or before support began"
    )
    followup_period: Series[str] = pa.Field(
        nullable=True,
        description="Latest period starting after support began and after the baseline (and ending within"
        " outcome_followup_years after support ended, where that setting is given)",
    )
    followup_after_support: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="True when the follow-up period starts after support ended"
    )
    baseline_value: Series[float] = pa.Field(nullable=True, description="Partnership's value at baseline")
    followup_value: Series[float] = pa.Field(nullable=True, description="Partnership's value at follow-up")
    baseline_england: Series[float] = pa.Field(nullable=True, description="England at baseline")
    followup_england: Series[float] = pa.Field(nullable=True, description="England at follow-up")
    change_vs_england: Series[float] = pa.Field(
        nullable=True, description="Difference-in-differences: (follow-up - England) - (baseline - England)"
    )
    change_ci_low: Series[float] = pa.Field(
        nullable=True,
        description="Lower 95% limit of the change, by the MOVER (Zou and Donner 2008; Newcombe 1998 method 10)"
        " from the four values' own 95% limits, taken as independent; England without limits taken as fixed."
        " Empty where the partnership's values have no limits",
    )
    change_ci_high: Series[float] = pa.Field(nullable=True, description="Upper 95% limit of the change")
    classification: Series[str] = pa.Field(
        isin=OUTCOME_CLASSES,
        description="Outcome-based success classification: by the change's 95% interval where there is one, else by the point estimate beyond min_relative_change (settings.toml, default 0.05) of the baseline (SuccessRule in pipeline/outcomes/marts.py)",
    )
    reason: Series[pd.StringDtype] = pa.Field(
        nullable=True,
        description="What an 'insufficient data' row lacks (e.g. 'no value before support began in 2017', no value"
        " after support began, no England value); empty otherwise",
    )

    class Config:
        unique = ["partnership_id", "indicator_id"]


class OutcomeInequalityMart(pa.DataFrameModel):
    """One row per area x indicator x period x deprivation breakdown: the inequality gradient."""

    area_code: Series[str] = pa.Field(description="Area (England, or an area with deprivation quantiles within it)")
    indicator_id: Series[int] = pa.Field(description="Fingertips indicator id")
    period: Series[str] = pa.Field(description="Period as published")
    sex: Series[str] = pa.Field(nullable=True, description="Sex")
    age: Series[str] = pa.Field(nullable=True, description="Age band")
    category_type: Series[str] = pa.Field(description="The deprivation breakdown, as published")
    quantiles: Series[int] = pa.Field(isin=[5, 10], description="Quintiles or deciles")
    population: Series[str] = pa.Field(
        isin=["published denominators", "equal shares assumed"],
        description="Population weights used for the relative ranks",
    )
    sii: Series[float] = pa.Field(
        description="Slope Index of Inequality: modelled gap from most to least deprived, in the indicator's units (PHEindicatormethods phe_sii)"
    )
    sii_ci_low: Series[float] = pa.Field(description="Lower 95% limit of the SII (simulation)")
    sii_ci_high: Series[float] = pa.Field(description="Upper 95% limit of the SII")
    rii: Series[float] = pa.Field(description="Relative Index of Inequality")
    rii_ci_low: Series[float] = pa.Field(description="Lower 95% limit of the RII")
    rii_ci_high: Series[float] = pa.Field(description="Upper 95% limit of the RII")

    class Config:
        unique = ["area_code", "indicator_id", "period", "sex", "age", "category_type"]


BENEFIT_STATUSES = ["valued", "no unit cost", "no denominator", "no change", "no direction"]


class BenefitsMart(pa.DataFrameModel):
    """One row per partnership x outcome indicator of its wicked problem: the change against England turned
    into events avoided per year and valued at the indicator's documented unit cost (pipeline/outcomes/benefits.py).
    Publishes no count of people: events avoided are modelled differences (a change in a rate times a
    population), and the follow-up count behind the rate is not carried."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    indicator_id: Series[int] = pa.Field(description="Fingertips indicator id")
    indicator_name: Series[str] = pa.Field(description="Indicator name")
    polarity: Series[str] = pa.Field(isin=POLARITIES, description="Whether low or high is good: sets the sign")
    comparator: Series[str] = pa.Field(
        isin=["England"], description="What the change is measured against (England: outcome_change's comparator)"
    )
    baseline_period: Series[str] = pa.Field(nullable=True, description="Baseline period of outcome_change")
    followup_period: Series[str] = pa.Field(nullable=True, description="Follow-up period of outcome_change")
    change_vs_comparator: Series[float] = pa.Field(
        nullable=True, description="Difference-in-differences against England in the indicator's units (outcome_change)"
    )
    change_ci_low: Series[float] = pa.Field(nullable=True, description="Lower 95% limit of the change (MOVER)")
    change_ci_high: Series[float] = pa.Field(nullable=True, description="Upper 95% limit of the change (MOVER)")
    denominator: Series[float] = pa.Field(
        nullable=True, ge=0, description="The partnership's denominator (population) in the follow-up period"
    )
    multiplier: Series[float] = pa.Field(
        nullable=True, gt=0, description="Scale of the rate: 100 for a percentage, 1,000 or 100,000 for rates"
    )
    followup_years: Series[float] = pa.Field(
        nullable=True, gt=0, description="Years the follow-up period spans (its denominator covers them all)"
    )
    events_avoided_low: Series[float] = pa.Field(
        nullable=True,
        description="Events avoided per year at the bad-side limit of the change's 95% interval; empty without one",
    )
    events_avoided: Series[float] = pa.Field(
        nullable=True,
        description="Events avoided per year (negative: events added): change x denominator / multiplier / years,"
        " signed by polarity",
    )
    events_avoided_high: Series[float] = pa.Field(
        nullable=True,
        description="Events avoided per year at the good-side limit of the change's 95% interval; empty without one",
    )
    unit_cost_gbp: Series[float] = pa.Field(
        nullable=True, description="Cost of one event as published (reference/unit_costs.csv); empty: no unit cost"
    )
    cost_year: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="Price base year of the published cost")
    cost_description: Series[str] = pa.Field(nullable=True, description="What the cost covers")
    cost_source: Series[str] = pa.Field(nullable=True, description="Published source of the cost")
    cost_url: Series[str] = pa.Field(nullable=True, description="Where the source is published")
    price_year: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="Year whose prices the values are in (setting benefits_price_year)"
    )
    unit_cost_real_gbp: Series[float] = pa.Field(
        nullable=True,
        description="The cost in price_year prices: cost x deflator(price year) / deflator(cost year)"
        " (reference/deflators.csv; Green Book real terms)",
    )
    attribution: Series[float] = pa.Field(
        ge=0, le=1, description="Share of the change credited to the programme (setting benefits_attribution)"
    )
    deadweight: Series[float] = pa.Field(
        ge=0, le=1, description="Share that would have happened anyway, taken off (setting benefits_deadweight)"
    )
    value_low_gbp: Series[float] = pa.Field(nullable=True, description="Value per year at events_avoided_low")
    value_gbp: Series[float] = pa.Field(
        nullable=True,
        description="Value per year in price_year pounds: events avoided x real unit cost x (1 - deadweight) x"
        " attribution (negative: a cost)",
    )
    value_high_gbp: Series[float] = pa.Field(nullable=True, description="Value per year at events_avoided_high")
    status: Series[str] = pa.Field(
        isin=BENEFIT_STATUSES,
        description="valued; no unit cost (events counted, no cost in unit_costs.csv); no denominator (a rate"
        " without a population cannot become events); no change (outcome_change has none); no direction"
        " (polarity no_judgement)",
    )
    note: Series[str] = pa.Field(nullable=True, description="Why a row is not valued, or what its range rests on")

    class Config:
        unique = ["partnership_id", "indicator_id"]


TABLES: dict[str, type[pa.DataFrameModel]] = {
    "staging.outcome_values": OutcomeValue,
    "staging.outcome_age_bands": OutcomeAgeBand,
    "staging.deprivation": Deprivation,
    "marts.outcome_coverage": OutcomeCoverageMart,
    "marts.outcome_trends": OutcomeTrendsMart,
    "marts.outcome_change": OutcomeChangeMart,
    "marts.outcome_inequality": OutcomeInequalityMart,
    "marts.benefits": BenefitsMart,
}
