"""Outcome statistics: Fingertips downloads, tidy series and FingertipsNext extracts, with deprivation
context; each partnership's coverage, trends, change around its support period and inequality gradient."""

import dagster as dg

from assets.tables import (
    checks_for,
    mart_asset,
    publish_and_describe,
    quarantine_of,
    quarantine_share_check,
    refused_files_check,
    step_results,
    table_specs,
)
from pipeline.outcomes import benefits as benefit_marts
from pipeline.outcomes import ingest, marts, staging
from pipeline.resources import EvaluationPaths, WarehouseResource

GROUP = dict(group_name="outcomes")
RAW_TABLES = [
    "raw.fingertips_values",
    "raw.tidy_outcome_values",
    "raw.fingertipsnext_values",
    "raw.age_banded_counts",
]
VALUE_TABLES = [
    "staging.outcome_values",
    "staging.outcome_age_bands",
    "staging.unmapped_outcome_series",
    *quarantine_of(["staging.outcome_values"]),
]
DEPRIVATION_TABLES = ["staging.deprivation", *quarantine_of(["staging.deprivation"])]
AREAS = ["stg_partnerships", "stg_partnership_areas", "stg_outcome_indicators"]


@dg.multi_asset(name="ingest_outcome_values", specs=table_specs(RAW_TABLES, kinds={"csv"}, **GROUP), pool="warehouse")
def ingest_outcome_values(warehouse: WarehouseResource, paths: EvaluationPaths):
    """Outcome statistics as published: Fingertips downloads (`raw.fingertips_values`), tidy series
    (`raw.tidy_outcome_values`) and FingertipsNext extracts (`raw.fingertipsnext_values`), one row per
    published value, and counts and populations by age band (`raw.age_banded_counts`), every cell as text."""
    with warehouse.get_connection() as con:
        reports = ingest.load_outcomes(con, paths.drop_zone.outcomes_dir, paths.drop_zone.data_dir, paths.read_limits)
        yield from step_results(con, RAW_TABLES, reports)


@dg.multi_asset(
    name="ingest_deprivation", specs=table_specs(["raw.deprivation"], kinds={"excel"}, **GROUP), pool="warehouse"
)
def ingest_deprivation(warehouse: WarehouseResource, paths: EvaluationPaths):
    """English Indices of Deprivation district summaries in `raw.deprivation`: one row per district x domain."""
    with warehouse.get_connection() as con:
        report = ingest.load_deprivation(
            con, paths.drop_zone.deprivation_dir, paths.drop_zone.data_dir, paths.read_limits
        )
        yield from step_results(con, ["raw.deprivation"], [report])


@dg.multi_asset(
    name="stage_outcome_values",
    specs=table_specs(
        VALUE_TABLES,
        deps=[
            "raw_fingertips_values",
            "raw_tidy_outcome_values",
            "raw_fingertipsnext_values",
            "raw_age_banded_counts",
            "stg_outcome_indicators",
        ],
        kinds={"pandera"},
        **GROUP,
    ),
    pool="warehouse",
)
def stage_outcome_values(warehouse: WarehouseResource):
    """Every outcome format conformed to `staging.outcome_values`: one row per indicator x area x period x
    breakdown, values typed, publishers' missing markers as empty; tidy series whose name no indicator
    maps are listed in `staging.unmapped_outcome_series`."""
    with warehouse.get_connection() as con:
        reports = staging.stage_outcomes(con)
        yield from step_results(con, VALUE_TABLES, reports)


@dg.multi_asset(
    name="stage_deprivation",
    specs=table_specs(
        DEPRIVATION_TABLES, deps=["raw_deprivation", "stg_partnership_areas"], kinds={"pandera"}, **GROUP
    ),
    pool="warehouse",
)
def stage_deprivation(warehouse: WarehouseResource):
    """Validated deprivation summaries (`staging.deprivation`: one row per district x domain x edition);
    partnership areas the indices do not know are reported."""
    with warehouse.get_connection() as con:
        reports = staging.stage_deprivation(con)
        yield from step_results(con, DEPRIVATION_TABLES, reports)


@mart_asset(deps=["stg_outcome_values", *AREAS], group="outcomes")
def outcome_coverage(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Which outcome data each partnership has. Grain: one row per partnership x outcome indicator of its
    wicked problem, with the areas and periods covered; a problem with no bundled indicator data shows as a
    coverage gap, never as invented numbers."""
    with warehouse.get_connection() as con:
        marts.build_outcome_coverage(con)
        return publish_and_describe(con, "outcome_coverage", paths)


@mart_asset(deps=["stg_outcome_values", *AREAS], group="outcomes")
def outcome_trends(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Each partnership's outcome indicators over time, as the national tool presents them. Grain: one row
    per partnership x indicator x period: value with 95% and 99.8% limits (published, or computed from
    count and denominator), England beside it, the benchmark comparison with the indicator's polarity, and
    the recent-trend test on the latest period (settings `trend_points`, `trend_z`)."""
    with warehouse.get_connection() as con:
        marts.build_outcome_trends(
            con, paths.disclosure_threshold, trend_points=paths.trend_points, trend_z=paths.trend_z
        )
        return publish_and_describe(con, "outcome_trends", paths)


@mart_asset(deps=[outcome_trends], group="outcomes")
def outcome_change(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Change in each outcome around the partnership's support period, relative to England. Grain: one row
    per partnership x indicator of its wicked problem: baseline and follow-up values, the
    difference-in-differences with its 95% interval, and the outcome-based success classification."""
    with warehouse.get_connection() as con:
        rule = marts.SuccessRule(
            min_relative_change=paths.min_relative_change,
            baseline_years=paths.outcome_baseline_years,
            followup_years=paths.outcome_followup_years,
        )
        marts.build_outcome_change(con, rule)
        return publish_and_describe(con, "outcome_change", paths)


@mart_asset(deps=["stg_outcome_values", "stg_outcome_indicators", "stg_deprivation"], group="outcomes")
def outcome_inequality(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """The deprivation gradient of each outcome, where the files break it down by decile or quintile.
    Grain: one row per area x indicator x period x deprivation breakdown: Slope and Relative Index of
    Inequality with simulated 95% limits (PHEindicatormethods' phe_sii method)."""
    with warehouse.get_connection() as con:
        marts.build_outcome_inequality(con)
        return publish_and_describe(con, "outcome_inequality", paths)


@mart_asset(
    deps=[outcome_change, "stg_outcome_indicators", "stg_unit_costs", "stg_deflators", "stg_area_populations"],
    group="outcomes",
)
def benefits(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Social and economic benefits of each partnership's outcome changes. Grain: one row per partnership x
    outcome indicator of its wicked problem: the change against England as events avoided per year (low, central,
    high from the change's 95% interval), valued at the indicator's documented unit cost brought to one price
    year, with attribution and deadweight (settings `benefits_attribution`, `benefits_deadweight`,
    `benefits_price_year`); a rate per head published without a denominator takes the partnership's population
    (`reference/area_populations.csv`); an indicator without a unit cost is reported, not left out."""
    with warehouse.get_connection() as con:
        rule = benefit_marts.BenefitRule(
            attribution=paths.benefits_attribution,
            deadweight=paths.benefits_deadweight,
            price_year=paths.benefits_price_year,
        )
        benefit_marts.build_benefits(con, rule)
        return publish_and_describe(con, "benefits", paths)


outcome_assets = [
    ingest_outcome_values,
    ingest_deprivation,
    stage_outcome_values,
    stage_deprivation,
    outcome_coverage,
    outcome_trends,
    outcome_change,
    outcome_inequality,
    benefits,
]
outcome_checks = [
    refused_files_check("outcomes", RAW_TABLES),
    refused_files_check("deprivation", ["raw.deprivation"]),
    quarantine_share_check("outcomes"),
    quarantine_share_check("deprivation"),
    *checks_for(["staging.outcome_values"], blocking=True),
    *checks_for(["staging.deprivation", *(f"marts.{a.key.path[-1]}" for a in outcome_assets[4:])]),
]
