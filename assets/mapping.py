"""Information mapping: each partnership's interventions laid over its driver diagram, and how far they
reach Marmot's six policy objectives."""

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
from pipeline.mapping import ingest, marts, staging
from pipeline.resources import EvaluationPaths, WarehouseResource

GROUP = dict(group_name="mapping")
STAGED_TABLES = ["staging.interventions", *quarantine_of(["staging.interventions"])]


@dg.multi_asset(
    name="ingest_interventions", specs=table_specs(["raw.interventions"], kinds={"excel"}, **GROUP), pool="warehouse"
)
def ingest_interventions(warehouse: WarehouseResource, paths: EvaluationPaths):
    """Each partnership's inventory of commissioned interventions (CSV or Excel, one file per partnership),
    in `raw.interventions`: one row per inventory row."""
    with warehouse.get_connection() as con:
        report = ingest.load_interventions(
            con, paths.drop_zone.interventions_dir, paths.drop_zone.data_dir, paths.read_limits
        )
        yield from step_results(con, ["raw.interventions"], [report])


@dg.multi_asset(
    name="stage_interventions",
    specs=table_specs(
        STAGED_TABLES, deps=["raw_interventions", "stg_partnerships", "stg_driver_diagrams"], kinds={"pandera"}, **GROUP
    ),
    pool="warehouse",
)
def stage_interventions(warehouse: WarehouseResource):
    """Interventions tied to the secondary drivers they address (`staging.interventions`: one row per
    intervention x driver). Drivers outside the partnership's driver diagram and unknown partnerships are
    quarantined with the reason."""
    with warehouse.get_connection() as con:
        reports = staging.stage_interventions(con)
        yield from step_results(con, STAGED_TABLES, reports)


@mart_asset(deps=["stg_interventions", "stg_driver_diagrams", "stg_partnerships"], group="mapping")
def driver_coverage(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Interventions laid over each partnership's driver diagram. Grain: one row per partnership x secondary
    driver: planned or active interventions, commissioners and spend, and whether the driver is a gap (no
    intervention), covered, or duplicated (two or more commissioners)."""
    with warehouse.get_connection() as con:
        marts.build_driver_coverage(con)
        return publish_and_describe(con, "driver_coverage", paths)


@mart_asset(deps=[driver_coverage, "stg_marmot_objectives"], group="mapping")
def marmot_coverage(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """How far each partnership's interventions reach Marmot's six policy objectives. Grain: one row per
    partnership x objective: drivers serving it, drivers covered, interventions."""
    with warehouse.get_connection() as con:
        marts.build_marmot_coverage(con)
        return publish_and_describe(con, "marmot_coverage", paths)


mapping_assets = [ingest_interventions, stage_interventions, driver_coverage, marmot_coverage]
mapping_checks = [
    refused_files_check("interventions", ["raw.interventions"]),
    quarantine_share_check("interventions"),
    *checks_for(["staging.interventions"], blocking=True),
    *checks_for(["marts.driver_coverage", "marts.marmot_coverage"]),
]
