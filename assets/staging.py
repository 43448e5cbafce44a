"""Staging: raw rows conformed to the reference data and validated with pandera; rejects to `quarantine.*`."""

import dagster as dg

from assets.checks import table_checks
from assets.ingest import (
    raw_deprivation,
    raw_interventions,
    raw_outcome_values,
    raw_reference_data,
    raw_site_visit_codings,
    raw_success_assessments,
    raw_survey_answers,
)
from assets.metadata import table_metadata
from assets.partitions import survey_waves
from pipeline import schemas, staging
from pipeline.resources import WarehouseResource

STAGING = dict(group_name="staging", pool="warehouse", kinds={"duckdb", "pandera"})


def _result(
    con, reports: list[staging.StageReport], table: str, where: str = "true", params: list | None = None
) -> dg.MaterializeResult:
    metadata: dict[str, object] = table_metadata(con, table, where, params)
    for report in reports:
        metadata[report.table] = dg.MetadataValue.json(report.as_metadata())
    metadata["quarantined_rows"] = sum(report.quarantined for report in reports)
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(deps=[raw_reference_data], **STAGING)
def stg_reference_data(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Validated reference tables (`staging.partnerships`, `staging.success_factors`, ...) and
    `staging.partnership_areas` (one row per partnership x area). Rows that fail their schema, or name a
    factor, construct or scale the other tables do not know, go to `quarantine.<table>`."""
    with warehouse.get_connection() as con:
        reports = staging.stage_reference(con)
        return _result(con, reports, "staging.partnerships")


@dg.asset(deps=[raw_survey_answers, stg_reference_data], partitions_def=survey_waves, **STAGING)
def stg_survey_responses(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One wave's respondents (`staging.survey_responses`: one row per wave x respondent, tied to a known
    partnership and stakeholder group) and scored answers (`staging.survey_item_scores`: one row per
    wave x respondent x item, reverse-coded items reversed, don't-know as empty). Unknown partnerships and
    off-scale answers are quarantined; unmapped columns are listed in `staging.survey_unmapped_columns`."""
    wave = context.partition_key
    with warehouse.get_connection() as con:
        reports = staging.stage_survey_wave(con, wave)
        return _result(con, reports, "staging.survey_responses", "wave = ?", [wave])


@dg.asset(deps=[raw_site_visit_codings, stg_reference_data], **STAGING)
def stg_coded_segments(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Coded site-visit passages tied to a partnership and a success factor (`staging.coded_segments`: one
    row per coding x case). Unmapped codes are listed in `staging.unmapped_codes`; codings whose case
    names no known partnership are quarantined."""
    with warehouse.get_connection() as con:
        reports = staging.stage_codings(con)
        return _result(con, reports, "staging.coded_segments")


@dg.asset(deps=[raw_outcome_values, stg_reference_data], **STAGING)
def stg_outcome_values(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every outcome format conformed to `staging.outcome_values`: one row per indicator x area x period x
    breakdown, values typed, publishers' missing markers as empty; tidy series whose name no indicator
    maps are listed in `staging.unmapped_outcome_series`."""
    with warehouse.get_connection() as con:
        reports = staging.stage_outcomes(con)
        return _result(con, reports, "staging.outcome_values")


@dg.asset(deps=[raw_deprivation, stg_reference_data], **STAGING)
def stg_deprivation(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Validated deprivation summaries (`staging.deprivation`: one row per district x domain x edition);
    partnership areas the indices do not know are reported."""
    with warehouse.get_connection() as con:
        reports = staging.stage_deprivation(con)
        return _result(con, reports, "staging.deprivation")


@dg.asset(deps=[raw_interventions, stg_reference_data], **STAGING)
def stg_interventions(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Interventions tied to the secondary drivers they address (`staging.interventions`: one row per
    intervention x driver). Drivers outside the partnership's driver diagram and unknown partnerships are
    quarantined with the reason."""
    with warehouse.get_connection() as con:
        reports = staging.stage_interventions(con)
        return _result(con, reports, "staging.interventions")


@dg.asset(deps=[raw_success_assessments, stg_reference_data], **STAGING)
def stg_success_assessments(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Validated success judgements (`staging.success_assessments`: one row per partnership); unknown
    partnerships are quarantined."""
    with warehouse.get_connection() as con:
        reports = staging.stage_assessments(con)
        return _result(con, reports, "staging.success_assessments")


staging_assets = [
    stg_success_assessments,
    stg_interventions,
    stg_reference_data,
    stg_survey_responses,
    stg_coded_segments,
    stg_outcome_values,
    stg_deprivation,
]

staging_checks = [
    *table_checks(
        stg_reference_data,
        "staging.partnerships",
        unique=["partnership_id"],
        not_null=["partnership_id", "wicked_problem"],
        accepted={"wicked_problem": schemas.WICKED_PROBLEMS},
        blocking=True,
    ),
    *table_checks(
        stg_reference_data,
        "staging.partnership_areas",
        unique=["partnership_id", "area_code"],
        references={"partnership_id": "staging.partnerships.partnership_id"},
        blocking=True,
    ),
    *table_checks(
        stg_survey_responses,
        "staging.survey_responses",
        unique=["wave", "respondent_key"],
        references={"partnership_id": "staging.partnerships.partnership_id"},
        accepted={"stakeholder_group": schemas.STAKEHOLDER_GROUPS},
        blocking=True,
    ),
    *table_checks(
        stg_coded_segments,
        "staging.coded_segments",
        not_null=["partnership_id", "factor_id"],
        accepted={"direction": schemas.DIRECTIONS},
        references={"factor_id": "staging.success_factors.factor_id"},
        blocking=True,
    ),
    *table_checks(
        stg_outcome_values, "staging.outcome_values", not_null=["indicator_id", "area_code", "period"], blocking=True
    ),
]
