"""A new survey wave dropped into the folder is picked up by the sensor, and only its partition and the
marts downstream of it run; dropping the same file again changes nothing."""

from __future__ import annotations

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
    wave_assets = {("raw_survey_answers", "wave_3"), ("stg_survey_responses", "wave_3")}
    assert wave_assets <= materialised
    others = {asset for asset, partition in materialised if partition is None}
    assert {"partnership_profile", "success_factor_matrix"} <= others
    assert not others & {
        "raw_reference_partnerships",
        "raw_fingertips_values",
        "raw_qda_segments",
        "stg_outcome_values",
    }
