"""Local performance monitoring: each partnership's own process and output indicators (the optional
`reference/indicator_register.csv`), its monitoring returns (`monitoring/`), and their progress and SPC; with
the sensor that runs them when a return lands."""

import hashlib
import json

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
from pipeline.ingest import files_in
from pipeline.monitoring import ingest, marts, staging
from pipeline.monitoring.returns import RETURN_SUFFIXES
from pipeline.resources import EvaluationPaths, WarehouseResource
from pipeline.settings import DropZone
from pipeline.warehouse import file_hash

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
    Count special-cause flags where the indicator has 12 or more points. Its metadata counts the indicators
    by status at their latest return and the points flagged by each rule."""
    with warehouse.get_connection() as con:
        marts.build_indicator_progress(con, paths.disclosure_threshold)
        return publish_and_describe(con, "indicator_progress", paths, marts.progress_status(con))


@mart_asset(deps=[indicator_progress, "stg_monitoring_gaps"], group="monitoring")
def monitoring_summary(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Local performance at a glance. Grain: one row per partnership with a register: indicators, on and off
    track at their latest return, with a special cause, late and missing returns. Its metadata adds them up
    over the partnerships."""
    with warehouse.get_connection() as con:
        marts.build_monitoring_summary(con)
        return publish_and_describe(con, "monitoring_summary", paths, marts.summary_status(con))


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


def monitoring_files(drop_zone: DropZone) -> dict[str, str]:
    """Every return in `monitoring/`, by its path in the drop zone, with its content hash."""
    return {
        path.relative_to(drop_zone.data_dir).as_posix(): file_hash(path)
        for path in files_in(drop_zone.monitoring_dir, RETURN_SUFFIXES)
    }


def build_monitoring_drop_sensor(job: dg.JobDefinition) -> dg.SensorDefinition:
    """A sensor on `$EVAL_DATA_DIR/monitoring/` that requests `job` when a return lands, changes or leaves
    (a changed indicator register is reference data, taken by the next refresh like the rest of it)."""

    @dg.sensor(jobs=[job], minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
    def monitoring_drop_sensor(context: dg.SensorEvaluationContext, paths: EvaluationPaths) -> dg.SensorResult:
        """Runs the monitoring assets and everything downstream of them (the monitoring marts and the report
        pages) once for all the returns that landed, changed or left since the last tick. The cursor maps
        every file seen to its content hash, so dropping the same file again changes nothing and a corrected
        return (same name, new content) runs again."""
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        files = monitoring_files(paths.drop_zone)
        if files == seen:
            return dg.SensorResult(run_requests=[], cursor=context.cursor)
        changed = sorted(name for name in files.keys() | seen.keys() if files.get(name) != seen.get(name))
        cursor = json.dumps(files, sort_keys=True)
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    job_name=job.name,
                    # The state of the whole folder: the same files come back to the same run key.
                    run_key=f"monitoring:{hashlib.sha256(cursor.encode()).hexdigest()[:16]}",
                    tags={"changed_files": ", ".join(changed)[:200]},
                )
            ],
            cursor=cursor,
        )

    return monitoring_drop_sensor
