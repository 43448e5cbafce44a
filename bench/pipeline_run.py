"""The pipeline contestant: the survey path end to end through Dagster, on a drop zone from pipeline.generators.national.

    python bench/pipeline_run.py full DATA_DIR OUT_DIR
        A full refresh from an empty warehouse, as `python -m pipeline.cli refresh` runs it
        (`materialise_all`): reference data, each wave's partition (ingest, validation, staging) and the
        survey marts with their asset checks, published to OUT_DIR/marts. EVAL_WAVE_PROCESSES=2 runs two
        waves side by side. The instance is ephemeral, unless BENCH_INSTANCE=persistent or waves run side
        by side.

    python bench/pipeline_run.py setup DATA_DIR OUT_DIR
        The state before a wave lands: every wave but the last loaded into OUT_DIR's warehouse, in a
        Dagster instance kept in OUT_DIR/dagster_home, and the survey sensor's cursor saved.

    python bench/pipeline_run.py new-wave DATA_DIR OUT_DIR
        The last wave lands: the sensor's tick registers it, then the run it requests (`wave_landed_job`:
        the wave's partition and every mart downstream), timed apart from the tick.

    python bench/pipeline_run.py counts DATA_DIR OUT_DIR
        After a run, not timed: the staged row counts, and the construct means for comparing contestants.

Each prints one JSON line: what ran, whether every run and check passed and the seconds of each step, or
the counts.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.cli import failed_checks, materialise_all
from pipeline.definitions import build_survey_definitions, definitions_for
from pipeline.resources import default_resources, warehouse_config
from pipeline.settings import PROJECT_ROOT, Settings, load_settings
from pipeline.surveys.ingest import survey_wave_files


def settings_for(drop_zone: Path, out_dir: Path) -> Settings:
    return replace(
        load_settings(), data_dir=drop_zone, warehouse=out_dir / "warehouse.duckdb", marts_dir=out_dir / "marts"
    )


def staged_counts(data_dir: Path, out_dir: Path) -> dict[str, int]:
    """Rows in the survey path's tables (the item scores are a view, counted by joining): bookkeeping for
    the report, kept out of the timed runs."""
    settings = settings_for(data_dir, out_dir)
    with duckdb.connect(str(settings.warehouse), read_only=True, config=warehouse_config(settings)) as con:
        counts = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            for table in (
                "raw.survey_rows",
                "raw.survey_answers",
                "staging.survey_responses",
                "staging.survey_item_scores",
                "quarantine.survey_responses",
                "quarantine.survey_item_scores",
                "marts.construct_scores",
            )
        }
        con.execute(
            "COPY (SELECT wave, partnership_id, construct, respondents, mean, sd FROM marts.construct_scores ORDER BY ALL)"
            f" TO '{settings.marts_dir.parent / 'construct_means.parquet'}'"
        )
    return counts


def step_seconds(results: list) -> dict[str, dict[str, float]]:
    """Where the runs' time went: each Dagster step (an asset, or the checks of one) with how many runs
    executed it and its seconds summed over them, from the steps' own success events; largest first."""
    steps: dict[str, dict[str, float]] = {}
    for result in results:
        for event in result.all_events:
            if event.event_type == dg.DagsterEventType.STEP_SUCCESS:
                step = steps.setdefault(event.step_key, {"runs": 0, "seconds": 0.0})
                step["runs"] += 1
                step["seconds"] += event.event_specific_data.duration_ms / 1000
    ranked = sorted(steps.items(), key=lambda item: -item[1]["seconds"])
    return {key: {"runs": step["runs"], "seconds": round(step["seconds"], 2)} for key, step in ranked}


def outcome(results: list) -> dict[str, object]:
    return {
        "runs": len(results),
        "success": bool(results) and all(result.success for result in results),
        "failed_checks": [name for result in results for name in failed_checks(result)],
        "steps": step_seconds(results),
    }


def full(data_dir: Path, out_dir: Path) -> dict[str, object]:
    settings = settings_for(data_dir, out_dir)
    # An ephemeral instance, as in every figure before waves ran side by side; with BENCH_INSTANCE=persistent,
    # and always for waves side by side (their processes share it), a fresh one configured by the project's
    # `dagster.yaml`, as the command line's is.
    if settings.wave_processes > 1 or os.environ.get("BENCH_INSTANCE") == "persistent":
        home = out_dir / "dagster_home_full"
        shutil.rmtree(home, ignore_errors=True)
        instance = _instance(home, PROJECT_ROOT / "dagster.yaml")
    else:
        instance = dg.DagsterInstance.ephemeral()
    results = materialise_all(
        definitions_for(settings, surveys_only=True),
        instance,
        settings.drop_zone,
        wave_processes=settings.wave_processes,
        definitions=partial(definitions_for, settings, surveys_only=True),
    )
    read_beside = [
        event.partition
        for result in results
        for event in result.get_asset_materialization_events()
        if event.step_materialization_data.materialization.metadata.get("read_while_the_warehouse_was_busy")
        == dg.BoolMetadataValue(True)
    ]
    return {**outcome(results), "wave_processes": settings.wave_processes, "waves_read_beside": sorted(read_beside)}


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        target.write_bytes(source.read_bytes())


def _instance(home: Path, config: Path | None = None) -> dg.DagsterInstance:
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(config.read_text() if config else "telemetry:\n  enabled: false\n")
    return dg.DagsterInstance.from_config(str(home))


def _tick(defs: dg.Definitions, instance: dg.DagsterInstance, settings: Settings, cursor: str | None):
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources=default_resources(settings), definitions=defs
    )
    result = defs.resolve_sensor_def("survey_drop_sensor")(context)
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def setup(data_dir: Path, out_dir: Path) -> dict[str, object]:
    """Every wave but the last, loaded as the pipeline loads them; the sensor has seen those files."""
    waves = survey_wave_files(data_dir / "surveys")
    drop_zone = out_dir / "raw"
    for path in sorted((data_dir / "reference").glob("*.csv")):
        _link(path, drop_zone / "reference" / path.name)
    for path in list(waves.values())[:-1]:
        _link(path, drop_zone / "surveys" / path.name)
    settings = settings_for(drop_zone, out_dir)
    defs = build_survey_definitions(default_resources(settings))
    instance = _instance(out_dir / "dagster_home")
    results = materialise_all(defs, instance, settings.drop_zone)
    cursor = _tick(defs, instance, settings, None).cursor
    (out_dir / "sensor_cursor.json").write_text(cursor or "")
    return {**outcome(results), "waves_loaded": len(waves) - 1}


def new_wave(data_dir: Path, out_dir: Path) -> dict[str, object]:
    """The last wave lands in the drop zone: one sensor tick, then the run it requests."""
    path = list(survey_wave_files(data_dir / "surveys").values())[-1]
    drop_zone = out_dir / "raw"
    _link(path, drop_zone / "surveys" / path.name)
    settings = settings_for(drop_zone, out_dir)
    defs = build_survey_definitions(default_resources(settings))
    instance = _instance(out_dir / "dagster_home")
    started = time.perf_counter()
    tick = _tick(defs, instance, settings, (out_dir / "sensor_cursor.json").read_text() or None)
    ticked = time.perf_counter()
    results = [
        defs.resolve_job_def("wave_landed_job").execute_in_process(
            instance=instance, partition_key=request.partition_key, tags=request.tags, raise_on_error=False
        )
        for request in tick.run_requests
    ]
    finished = time.perf_counter()
    return {
        **outcome(results),
        "requested": [request.partition_key for request in tick.run_requests],
        "sensor_tick_seconds": round(ticked - started, 2),
        "run_seconds": round(finished - ticked, 2),
    }


if __name__ == "__main__":
    mode, data, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    run = {"full": full, "setup": setup, "new-wave": new_wave, "counts": staged_counts}[mode]
    print(json.dumps(run(data, out)))
