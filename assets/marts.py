"""Marts: the analytic tables, one stated grain each, published to `$EVAL_MARTS_DIR` for researchers."""

import dagster as dg

from assets.checks import disclosure_check, table_checks
from assets.metadata import table_metadata
from assets.staging import (
    stg_coded_segments,
    stg_deprivation,
    stg_interventions,
    stg_outcome_values,
    stg_reference_data,
    stg_survey_responses,
)
from pipeline import coding_marts, mapping_marts, marts, outcome_marts, schemas, survey_marts
from pipeline.publish import publish_mart
from pipeline.resources import EvaluationPaths, WarehouseResource

MARTS = dict(group_name="marts", pool="warehouse", kinds={"duckdb", "parquet"})


def publish_and_describe(con, name: str, paths: EvaluationPaths) -> dg.MaterializeResult:
    path = publish_mart(con, name, paths.marts_path)
    return dg.MaterializeResult(
        metadata={**table_metadata(con, f"marts.{name}"), "published_to": dg.MetadataValue.path(str(path))}
    )


@dg.asset(deps=[stg_outcome_values, stg_reference_data], **MARTS)
def outcome_coverage(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Which outcome data each partnership has. Grain: one row per partnership x outcome indicator of its
    wicked problem, with the areas and periods covered; a problem with no bundled indicator data (infant
    mortality, for one) shows as a coverage gap, never as invented numbers."""
    with warehouse.get_connection() as con:
        marts.build_outcome_coverage(con)
        return publish_and_describe(con, "outcome_coverage", paths)


@dg.asset(deps=[outcome_coverage, stg_survey_responses, stg_coded_segments, stg_deprivation], **MARTS)
def partnership_profile(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Who each partnership is and how much evidence there is about it. Grain: one row per partnership:
    areas and their deprivation, wicked problem and support period, survey waves and respondents
    (disclosure-controlled), coded site-visit passages, and the headline outcome indicator's coverage."""
    with warehouse.get_connection() as con:
        marts.build_partnership_profile(con, paths.disclosure_threshold)
        return publish_and_describe(con, "partnership_profile", paths)


@dg.asset(deps=[stg_survey_responses, stg_coded_segments, stg_reference_data], **MARTS)
def success_factor_matrix(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Survey and site-visit evidence on each success factor side by side. Grain: one row per partnership x
    success factor: the latest wave's mean survey score with its 95% confidence interval (suppressed
    below the disclosure threshold) beside the coded enabler and barrier passages, sources and coders."""
    with warehouse.get_connection() as con:
        marts.build_success_factor_matrix(con, paths.disclosure_threshold)
        return publish_and_describe(con, "success_factor_matrix", paths)


@dg.asset(deps=[stg_interventions, stg_reference_data], **MARTS)
def driver_coverage(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Interventions laid over each partnership's driver diagram. Grain: one row per partnership x secondary
    driver: planned or active interventions, commissioners and spend, and whether the driver is a gap (no
    intervention), covered, or duplicated (two or more commissioners)."""
    with warehouse.get_connection() as con:
        mapping_marts.build_driver_coverage(con)
        return publish_and_describe(con, "driver_coverage", paths)


@dg.asset(deps=[driver_coverage], **MARTS)
def marmot_coverage(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """How far each partnership's interventions reach Marmot's six policy objectives. Grain: one row per
    partnership x objective: drivers serving it, drivers covered, interventions."""
    with warehouse.get_connection() as con:
        mapping_marts.build_marmot_coverage(con)
        return publish_and_describe(con, "marmot_coverage", paths)


@dg.asset(deps=[stg_coded_segments], **MARTS)
def coder_agreement(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """How far the site-visit coders agree. Grain: one row per code plus a pooled row: percentage
    agreement, Cohen's kappa (two coders) and Krippendorff's alpha with 95% bootstrap intervals, at the
    unit source document x code presence."""
    with warehouse.get_connection() as con:
        coding_marts.build_coder_agreement(con)
        return publish_and_describe(con, "coder_agreement", paths)


SURVEY_MART_DEPS = [stg_survey_responses, stg_reference_data]


@dg.asset(deps=SURVEY_MART_DEPS, **MARTS)
def response_rates(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Who answered each wave. Grain: one row per wave x partnership x stakeholder group: invited (where
    known), respondents and completed responses, response rate; counts under the disclosure threshold
    suppressed, with secondary suppression across partnerships' and groups' totals."""
    with warehouse.get_connection() as con:
        survey_marts.build_response_rates(con, paths.disclosure_threshold)
        return publish_and_describe(con, "response_rates", paths)


@dg.asset(deps=SURVEY_MART_DEPS, **MARTS)
def construct_scores(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Likert construct scores. Grain: one row per wave x partnership x construct: respondents, mean
    (reverse-coded items reversed, don't know left out), SD and 95% interval, beside the construct's
    Cronbach's alpha in that wave with Feldt's 95% interval."""
    with warehouse.get_connection() as con:
        survey_marts.build_construct_scores(con, paths.disclosure_threshold)
        return publish_and_describe(con, "construct_scores", paths)


@dg.asset(deps=SURVEY_MART_DEPS, **MARTS)
def support_usefulness(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """How useful stakeholders found each part of the support offer (expert support, webinars, learning
    events, peer exchange, web forum, resources). Grain: one row per wave x support type x stakeholder
    group: ratings, non-use, share rating it useful, mean usefulness with 95% interval."""
    with warehouse.get_connection() as con:
        survey_marts.build_support_usefulness(con, paths.disclosure_threshold)
        return publish_and_describe(con, "support_usefulness", paths)


@dg.asset(deps=SURVEY_MART_DEPS, **MARTS)
def wave_change(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Change in each construct between consecutive waves. Grain: one row per partnership x construct x
    wave pair: a paired t-test where five or more respondents (by pseudonym) answered both waves, Welch's
    two-sample t-test otherwise, naming the test used; withheld below the disclosure threshold."""
    with warehouse.get_connection() as con:
        survey_marts.build_wave_change(con, paths.disclosure_threshold)
        return publish_and_describe(con, "wave_change", paths)


@dg.asset(deps=[stg_outcome_values, stg_reference_data], **MARTS)
def outcome_trends(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Each partnership's outcome indicators over time, as the national tool presents them. Grain: one row
    per partnership x indicator x period: value with 95% and 99.8% limits (published, or computed from
    count and denominator), England beside it, the benchmark comparison with the indicator's polarity, and
    the recent-trend test on the latest period."""
    with warehouse.get_connection() as con:
        outcome_marts.build_outcome_trends(con, paths.disclosure_threshold)
        return publish_and_describe(con, "outcome_trends", paths)


@dg.asset(deps=[outcome_trends], **MARTS)
def outcome_change(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Change in each outcome around the partnership's support period, relative to England. Grain: one row
    per partnership x indicator of its wicked problem: baseline and follow-up values, the
    difference-in-differences with its 95% interval, and the outcome-based success classification."""
    with warehouse.get_connection() as con:
        outcome_marts.build_outcome_change(con)
        return publish_and_describe(con, "outcome_change", paths)


@dg.asset(deps=[stg_outcome_values, stg_reference_data], **MARTS)
def outcome_inequality(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """The deprivation gradient of each outcome, where the files break it down by decile or quintile.
    Grain: one row per area x indicator x period x deprivation breakdown: Slope and Relative Index of
    Inequality with simulated 95% limits (PHEindicatormethods' phe_sii method)."""
    with warehouse.get_connection() as con:
        outcome_marts.build_outcome_inequality(con)
        return publish_and_describe(con, "outcome_inequality", paths)


mart_assets = [
    outcome_trends,
    outcome_change,
    outcome_inequality,
    response_rates,
    construct_scores,
    support_usefulness,
    wave_change,
    coder_agreement,
    driver_coverage,
    marmot_coverage,
    outcome_coverage,
    partnership_profile,
    success_factor_matrix,
]

mart_checks = [
    *table_checks(
        outcome_inequality,
        "marts.outcome_inequality",
        unique=["area_code", "indicator_id", "period", "sex", "age", "category_type"],
        accepted={"quantiles": [5, 10]},
    ),
    *table_checks(
        outcome_trends,
        "marts.outcome_trends",
        unique=["partnership_id", "indicator_id", "period"],
        not_null=["value", "aggregation"],
        references={"partnership_id": "staging.partnerships.partnership_id"},
    ),
    disclosure_check(outcome_trends, "marts.outcome_trends", ["count"]),
    *table_checks(
        outcome_change,
        "marts.outcome_change",
        unique=["partnership_id", "indicator_id"],
        not_null=["classification"],
        accepted={"classification": schemas.OUTCOME_CLASSES},
    ),
    *table_checks(
        response_rates,
        "marts.response_rates",
        unique=["wave", "partnership_id", "stakeholder_group"],
        accepted={"stakeholder_group": schemas.GROUPS_OR_NOT_STATED},
        references={"partnership_id": "staging.partnerships.partnership_id"},
    ),
    disclosure_check(
        response_rates,
        "marts.response_rates",
        ["respondents", "completed"],
        margins=[["wave", "partnership_id"], ["wave", "stakeholder_group"]],
    ),
    *table_checks(construct_scores, "marts.construct_scores", unique=["wave", "partnership_id", "construct"]),
    disclosure_check(construct_scores, "marts.construct_scores", ["respondents"]),
    disclosure_check(
        support_usefulness,
        "marts.support_usefulness",
        ["rated", "did_not_use", "rated_useful"],
        margins=[["wave", "support_type"]],
    ),
    disclosure_check(wave_change, "marts.wave_change", ["n_before", "n_after", "n_paired"]),
    disclosure_check(partnership_profile, "marts.partnership_profile", ["latest_wave_respondents"]),
    *table_checks(support_usefulness, "marts.support_usefulness", unique=["wave", "support_type", "stakeholder_group"]),
    *table_checks(
        wave_change,
        "marts.wave_change",
        unique=["partnership_id", "construct", "wave_before", "wave_after"],
        not_null=["test"],
    ),
    *table_checks(coder_agreement, "marts.coder_agreement", unique=["code"], not_null=["code", "unit"]),
    *table_checks(
        driver_coverage,
        "marts.driver_coverage",
        unique=["partnership_id", "secondary_driver_id"],
        accepted={"coverage": ["gap", "covered", "duplication"]},
        references={
            "partnership_id": "staging.partnerships.partnership_id",
            "secondary_driver_id": "staging.driver_diagrams.secondary_driver_id",
        },
    ),
    *table_checks(
        marmot_coverage,
        "marts.marmot_coverage",
        unique=["partnership_id", "objective_id"],
        references={"objective_id": "staging.marmot_objectives.objective_id"},
    ),
    *table_checks(
        outcome_coverage,
        "marts.outcome_coverage",
        unique=["partnership_id", "indicator_id"],
        not_null=["status"],
        accepted={"status": ["covered", "partial", "no data bundled"]},
        references={"partnership_id": "staging.partnerships.partnership_id"},
    ),
    *table_checks(
        partnership_profile,
        "marts.partnership_profile",
        unique=["partnership_id"],
        not_null=["partnership_name", "wicked_problem", "area_codes"],
        accepted={"wicked_problem": schemas.WICKED_PROBLEMS},
        references={"partnership_id": "staging.partnerships.partnership_id"},
    ),
    *table_checks(
        success_factor_matrix,
        "marts.success_factor_matrix",
        unique=["partnership_id", "factor_id"],
        not_null=["partnership_id", "factor_id"],
        references={
            "partnership_id": "staging.partnerships.partnership_id",
            "factor_id": "staging.success_factors.factor_id",
        },
    ),
]
