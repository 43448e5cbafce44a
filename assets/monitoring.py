"""Local performance monitoring: each partnership's own process and output indicators (the optional
`reference/indicator_register.csv`), its monitoring returns (`monitoring/`), and their progress and SPC."""

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
from pipeline.monitoring import ingest, marts, staging
from pipeline.resources import EvaluationPaths, WarehouseResource

GROUP = dict(group_name="monitoring")
RAW_TABLES = [ingest.REGISTER_TABLE, ingest.RETURNS_TABLE]
REGISTER_TABLES = ["staging.indicator_register", *quarantine_of(["staging.indicator_register"])]
RETURN_TABLES = [
    "staging.monitoring_returns",
    "staging.monitoring_gaps",
    *quarantine_of(["staging.monitoring_returns"]),
]


@dg.multi_asset(
    name="ingest_monitoring", specs=table_specs(RAW_TABLES, kinds={"csv", "excel"}, **GROUP), pool="warehouse"
)
def ingest_monitoring(warehouse: WarehouseResource, paths: EvaluationPaths):
    """The indicator register (`raw.reference_indicator_register`, one row per CSV row; empty without the
    file) and the monitoring returns (`raw.monitoring_returns`, one row per value returned, any layout)."""
    drop_zone = paths.drop_zone
    with warehouse.get_connection() as con:
        reports = [
            ingest.load_indicator_register(con, drop_zone.reference_dir, drop_zone.data_dir, paths.read_limits),
            ingest.load_returns(con, drop_zone.monitoring_dir, drop_zone.data_dir, paths.read_limits),
        ]
        yield from step_results(con, RAW_TABLES, reports)


@dg.multi_asset(
    name="stage_indicator_register",
    specs=table_specs(
        REGISTER_TABLES,
        deps=["raw_reference_indicator_register", "stg_partnerships", "stg_driver_diagrams", "stg_marmot_objectives"],
        kinds={"pandera"},
        **GROUP,
    ),
    pool="warehouse",
)
def stage_indicator_register(warehouse: WarehouseResource):
    """Each partnership's indicators (`staging.indicator_register`: one row per partnership x indicator). A row
    naming an unknown partnership, a driver outside its driver diagram or an unknown Marmot objective is
    quarantined with the reason."""
    with warehouse.get_connection() as con:
        yield from step_results(con, REGISTER_TABLES, staging.stage_indicator_register(con))


@dg.multi_asset(
    name="stage_monitoring_returns",
    specs=table_specs(
        RETURN_TABLES, deps=["raw_monitoring_returns", "stg_indicator_register"], kinds={"pandera"}, **GROUP
    ),
    pool="warehouse",
)
def stage_monitoring_returns(warehouse: WarehouseResource):
    """Returned values (`staging.monitoring_returns`: one row per partnership x indicator x period) and the
    returns due but not received (`staging.monitoring_gaps`: late or missing). Unknown indicators, bad
    periods, duplicate periods and values that are not numbers in the indicator's unit are quarantined."""
    with warehouse.get_connection() as con:
        yield from step_results(con, RETURN_TABLES, staging.stage_returns(con))


@mart_asset(deps=["stg_monitoring_returns", "stg_indicator_register"], group="monitoring")
def indicator_progress(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Progress on each partnership's own indicators. Grain: one row per partnership x indicator x period:
    value, change from baseline, progress to target and on/off-track status, and XmR limits with Making Data
    Count special-cause flags where the indicator has 12 or more points."""
    with warehouse.get_connection() as con:
        marts.build_indicator_progress(con, paths.disclosure_threshold)
        return publish_and_describe(con, "indicator_progress", paths)


@mart_asset(deps=[indicator_progress, "stg_monitoring_gaps"], group="monitoring")
def monitoring_summary(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Local performance at a glance. Grain: one row per partnership with a register: indicators, on and off
    track at their latest return, with a special cause, late and missing returns."""
    with warehouse.get_connection() as con:
        marts.build_monitoring_summary(con)
        return publish_and_describe(con, "monitoring_summary", paths)


monitoring_assets = [
    ingest_monitoring,
    stage_indicator_register,
    stage_monitoring_returns,
    indicator_progress,
    monitoring_summary,
]
monitoring_checks = [
    refused_files_check("monitoring", RAW_TABLES),
    quarantine_share_check("monitoring"),
    *checks_for(["staging.indicator_register", "staging.monitoring_returns", "staging.monitoring_gaps"], blocking=True),
    *checks_for(["marts.indicator_progress", "marts.monitoring_summary"]),
]
