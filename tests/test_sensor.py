"""A new survey wave dropped into the folder is picked up by the sensor, and only its partition and the
marts downstream of it run; dropping the same file again changes nothing."""

from __future__ import annotations

import json
import os
import shutil

import dagster as dg
import pytest

from pipeline.cli import materialise_all
from pipeline.definitions import build_definitions
from pipeline.settings import Settings
from tests.conftest import DATA_DIR, resources_for


@pytest.fixture
def drop_zone(tmp_path):
    data = tmp_path / "raw"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("wave_3.csv"))
    return data


@pytest.fixture
def settings(tmp_path, drop_zone):
    return Settings(data_dir=drop_zone, warehouse=tmp_path / "warehouse.duckdb", marts_dir=tmp_path / "marts")


def _tick(defs, instance, cursor, settings):
    sensor = defs.resolve_sensor_def("survey_drop_sensor")
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources=resources_for(settings), definitions=defs
    )
    result = sensor(context)
    for request in result.dynamic_partitions_requests or []:
        if isinstance(request, dg.DeleteDynamicPartitionsRequest):
            for key in request.partition_keys:
                instance.delete_dynamic_partition(request.partitions_def_name, key)
        else:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def test_the_sensor_registers_and_runs_each_new_or_changed_wave_once(settings, drop_zone):
    defs = build_definitions(resources_for(settings))
    instance = dg.DagsterInstance.ephemeral()

    first = _tick(defs, instance, None, settings)
    assert sorted(r.partition_key for r in first.run_requests) == ["wave_1", "wave_2"]
    assert sorted(instance.get_dynamic_partitions("survey_waves")) == ["wave_1", "wave_2"]

    again = _tick(defs, instance, first.cursor, settings)
    assert again.run_requests == [] and again.cursor == first.cursor

    shutil.copy(DATA_DIR / "surveys" / "wave_3.csv", drop_zone / "surveys" / "wave_3.csv")
    landed = _tick(defs, instance, again.cursor, settings)
    assert [r.partition_key for r in landed.run_requests] == ["wave_3"]
    assert "wave_3" in instance.get_dynamic_partitions("survey_waves")

    corrected = drop_zone / "surveys" / "wave_3.csv"
    corrected.write_bytes(corrected.read_bytes().replace(b"Strongly agree", b"Agree", 1))
    rerun = _tick(defs, instance, landed.cursor, settings)
    assert [r.partition_key for r in rerun.run_requests] == ["wave_3"]
    assert rerun.run_requests[0].run_key != landed.run_requests[0].run_key


def test_an_export_touched_but_unchanged_runs_nothing_and_one_renamed_runs_its_wave_again(settings, drop_zone):
    defs = build_definitions(resources_for(settings))
    instance = dg.DagsterInstance.ephemeral()
    first = _tick(defs, instance, None, settings)
    export = drop_zone / "surveys" / "wave_2.csv"

    later = export.stat().st_mtime_ns + 10**9
    os.utime(export, ns=(later, later))  # copied again, or touched: the same bytes
    touched = _tick(defs, instance, first.cursor, settings)
    assert touched.run_requests == []
    assert json.loads(touched.cursor)["wave_2"] == {**json.loads(first.cursor)["wave_2"], "mtime_ns": later}

    # A tick reads only the exports whose size or modification time changed: bytes rewritten under the same
    # size and time go unseen until the next refresh, which hashes every file it loads.
    rewritten = bytearray(export.read_bytes())
    rewritten[-2] = ord("7") if rewritten[-2] != ord("7") else ord("8")
    export.write_bytes(bytes(rewritten))
    os.utime(export, ns=(later, later))
    assert _tick(defs, instance, touched.cursor, settings).run_requests == []

    export.rename(export.with_name("wave 2.csv"))  # a name giving the same wave, so the rows must name it
    renamed = _tick(defs, instance, touched.cursor, settings)
    assert [(r.partition_key, r.tags["source_file"]) for r in renamed.run_requests] == [("wave_2", "wave 2.csv")]
    assert sorted(instance.get_dynamic_partitions("survey_waves")) == ["wave_1", "wave_2"]


def test_a_cursor_holding_hashes_alone_reruns_no_unchanged_wave(settings):
    # Cursors written before the sensor kept each export's name, size and time map each wave to its hash.
    defs = build_definitions(resources_for(settings))
    instance = dg.DagsterInstance.ephemeral()
    first = _tick(defs, instance, None, settings)
    hashes_alone = json.dumps({wave: state["sha256"] for wave, state in json.loads(first.cursor).items()})
    upgraded = _tick(defs, instance, hashes_alone, settings)
    assert upgraded.run_requests == [] and upgraded.cursor == first.cursor


def test_a_landed_wave_reruns_only_its_partition_and_the_marts_downstream(settings, drop_zone):
    defs = build_definitions(resources_for(settings))
    instance = dg.DagsterInstance.ephemeral()
    assert all(r.success for r in materialise_all(defs, instance, settings.drop_zone, progress=lambda _: None))

    shutil.copy(DATA_DIR / "surveys" / "wave_3.csv", drop_zone / "surveys" / "wave_3.csv")
    [request] = [r for r in _tick(defs, instance, None, settings).run_requests if r.partition_key == "wave_3"]
    result = defs.resolve_job_def("wave_landed_job").execute_in_process(
        instance=instance, partition_key=request.partition_key, tags=request.tags
    )
    assert result.success
    materialised = {
        (event.asset_key.to_user_string(), event.partition) for event in result.get_asset_materialization_events()
    }
    wave_assets = {("raw_survey_rows", "wave_3"), ("stg_survey_responses", "wave_3")}
    assert wave_assets <= materialised
    others = {asset for asset, partition in materialised if partition is None}
    assert {"partnership_profile", "success_factor_matrix"} <= others
    assert not others & {
        "raw_reference_partnerships",
        "raw_fingertips_values",
        "raw_qda_segments",
        "stg_outcome_values",
    }


WAVE_MARTS = {
    "response_rates": "wave",
    "construct_scores": "wave",
    "support_usefulness": "wave",
    "wave_change": "wave_after",
}


def waves_in_marts(settings) -> dict[str, set[str]]:
    import duckdb

    with duckdb.connect(str(settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        return {
            mart: {row[0] for row in con.execute(f"SELECT DISTINCT {column} FROM {mart}").fetchall()}
            for mart, column in WAVE_MARTS.items()
        }


def test_a_deleted_export_takes_its_wave_out_of_every_mart_at_the_next_refresh(settings, drop_zone):
    shutil.copy(DATA_DIR / "surveys" / "wave_3.csv", drop_zone / "surveys" / "wave_3.csv")
    defs = build_definitions(resources_for(settings))
    instance = dg.DagsterInstance.ephemeral()
    assert all(r.success for r in materialise_all(defs, instance, settings.drop_zone, progress=lambda _: None))
    assert all("wave_3" in waves for waves in waves_in_marts(settings).values())

    (drop_zone / "surveys" / "wave_3.csv").unlink()
    assert all(r.success for r in materialise_all(defs, instance, settings.drop_zone, progress=lambda _: None))
    assert sorted(instance.get_dynamic_partitions("survey_waves")) == ["wave_1", "wave_2"]
    assert {mart: "wave_3" in waves for mart, waves in waves_in_marts(settings).items()} == dict.fromkeys(
        WAVE_MARTS, False
    )
    import duckdb

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        left = {
            t: con.execute(f"SELECT count(*) FROM {t} WHERE wave = 'wave_3'").fetchall()[0][0]
            for t in ("raw.survey_answers", "staging.survey_responses", "staging.survey_construct_summaries")
        }
    assert left == dict.fromkeys(left, 0)


def test_the_sensor_deletes_the_partition_of_a_deleted_export_and_runs_the_marts_again(settings, drop_zone):
    defs = build_definitions(resources_for(settings))
    instance = dg.DagsterInstance.ephemeral()
    first = _tick(defs, instance, None, settings)
    (drop_zone / "surveys" / "wave_2.csv").unlink()
    after = _tick(defs, instance, first.cursor, settings)
    assert [(r.job_name, r.partition_key) for r in after.run_requests] == [("waves_removed_job", None)]
    assert instance.get_dynamic_partitions("survey_waves") == ["wave_1"]
    assert _tick(defs, instance, after.cursor, settings).run_requests == []


def _monitoring_tick(defs, instance, cursor, settings) -> dg.SensorResult:
    sensor = defs.resolve_sensor_def("monitoring_drop_sensor")
    return sensor(
        dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources_for(settings), definitions=defs)
    )


def test_the_monitoring_sensor_runs_again_only_when_a_return_lands_changes_or_leaves(settings, drop_zone):
    defs = build_definitions(resources_for(settings))
    instance = dg.DagsterInstance.ephemeral()
    assert defs.resolve_sensor_def("monitoring_drop_sensor").default_status == dg.DefaultSensorStatus.RUNNING

    first = _monitoring_tick(defs, instance, None, settings)
    assert [r.job_name for r in first.run_requests] == ["monitoring_job"]
    assert _monitoring_tick(defs, instance, first.cursor, settings).run_requests == []

    landed = drop_zone / "monitoring" / "P21 March 2018 return.csv"
    landed.write_text("partnership_id,indicator_id,period,value\nP21,P21-OUT1,2018-03,96.5\n")
    after_landing = _monitoring_tick(defs, instance, first.cursor, settings)
    [request] = after_landing.run_requests
    assert request.tags["changed_files"] == "monitoring/P21 March 2018 return.csv"

    landed.write_text("partnership_id,indicator_id,period,value\nP21,P21-OUT1,2018-03,97\n")
    corrected = _monitoring_tick(defs, instance, after_landing.cursor, settings)
    assert [r.run_key for r in corrected.run_requests] != [request.run_key]

    landed.unlink()
    removed = _monitoring_tick(defs, instance, corrected.cursor, settings)
    # Back to the first tick's files: the same run key as the first run.
    assert [r.run_key for r in removed.run_requests] == [r.run_key for r in first.run_requests]


def test_the_monitoring_sensor_requests_nothing_while_the_folder_is_empty(settings, drop_zone):
    shutil.rmtree(drop_zone / "monitoring")
    (drop_zone / "monitoring").mkdir()  # the indicator register stays: it is reference data, not a return
    defs = build_definitions(resources_for(settings))
    assert _monitoring_tick(defs, dg.DagsterInstance.ephemeral(), None, settings).run_requests == []


def test_a_return_dropped_in_the_drop_zone_appears_on_its_partnerships_page_after_the_sensors_run(settings, drop_zone):
    defs = build_definitions(resources_for(settings))
    instance = dg.DagsterInstance.ephemeral()
    assert all(r.success for r in materialise_all(defs, instance, settings.drop_zone, progress=lambda _: None))
    cursor = _monitoring_tick(defs, instance, None, settings).cursor
    page = settings.marts_dir / "reports" / "partnerships" / "P21.html"
    # The demo's one late return: Great Yarmouth's four-week quits for March 2018 (`generators.monitoring.LATE`).
    assert "Mar 2018: 96.5" not in page.read_text(encoding="utf-8")

    (drop_zone / "monitoring" / "P21 March 2018 return.csv").write_text(
        "partnership_id,indicator_id,period,value\nP21,P21-OUT1,2018-03,96.5\n"
    )
    [request] = _monitoring_tick(defs, instance, cursor, settings).run_requests
    result = defs.resolve_job_def(request.job_name).execute_in_process(instance=instance, tags=request.tags)
    assert result.success
    materialised = {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    assert {"raw_monitoring_returns", "indicator_progress", "monitoring_summary", "evaluation_report"} <= materialised
    assert not materialised & {"raw_reference_partnerships", "raw_survey_rows", "success_factor_matrix"}

    import duckdb

    with duckdb.connect(str(settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        march = con.execute(
            "SELECT value, status FROM indicator_progress WHERE indicator_id = 'P21-OUT1' AND period = '2018-03-01'"
        ).fetchall()
        late = con.execute("SELECT late_returns FROM monitoring_summary WHERE partnership_id = 'P21'").fetchall()
    assert march == [(96.5, "on_track")] and late == [(0,)]
    assert "Mar 2018: 96.5" in page.read_text(encoding="utf-8")
