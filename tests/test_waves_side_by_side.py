"""Survey waves side by side: a wave's run reads its export while another process writes the warehouse, and
stores it once the warehouse is free, exactly as a wave read in turn is stored; a refresh with two wave
processes publishes what a refresh with one publishes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets.surveys import ingest_survey_wave, survey_waves
from pipeline.cli import materialise_all
from pipeline.definitions import build_survey_definitions
from pipeline.errors import FileChangedError
from pipeline.resources import EvaluationPaths, WarehouseResource
from pipeline.settings import Settings
from pipeline.surveys.ingest import load_survey_wave, prepare_survey_wave, store_prepared_wave, stored_before
from pipeline.warehouse import ensure_schemas
from tests.conftest import DATA_DIR, resources_for, run_refresh

KEY = b"test-suite-key"

# Another process writing the warehouse: it opens it, adds a row, says so, and closes it once a file
# matching the pattern appears in the folder.
HOLDER = """
import sys, time, pathlib, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE OR REPLACE TABLE main.written_by_holder AS SELECT 1 AS row")
print("held", flush=True)
folder, pattern = pathlib.Path(sys.argv[2]), sys.argv[3]
while not any(folder.glob(pattern)):
    time.sleep(0.02)
con.close()
"""


def hold_warehouse(warehouse: Path, folder: Path, pattern: str) -> subprocess.Popen:
    """Another process holding `warehouse` open until a file matching `pattern` appears in `folder`."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse), str(folder), pattern], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def drop_zone_with_wave(tmp_path: Path, wave: str = "wave_1") -> Path:
    drop_zone = tmp_path / "raw"
    (drop_zone / "surveys").mkdir(parents=True)
    shutil.copyfile(DATA_DIR / "surveys" / f"{wave}.csv", drop_zone / "surveys" / f"{wave}.csv")
    return drop_zone


def stored(database: Path) -> dict[str, pd.DataFrame]:
    """The raw tables and ledger of a warehouse, less the load times."""
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            "rows": con.sql("SELECT * EXCLUDE (loaded_at) FROM raw.survey_rows ORDER BY respondent_row").df(),
            "columns": con.sql("SELECT * EXCLUDE (loaded_at) FROM raw.survey_columns ORDER BY position").df(),
            "ledger": con.sql("SELECT * EXCLUDE (loaded_at) FROM raw._load_ledger ORDER BY ALL").df(),
        }


def loaded_in_turn(tmp_path: Path, drop_zone: Path, wave: str = "wave_1") -> dict[str, pd.DataFrame]:
    database = tmp_path / "in_turn.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_schemas(con)
        load_survey_wave(con, wave, drop_zone / "surveys" / f"{wave}.csv", drop_zone, KEY)
    return stored(database)


def assert_same(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], obj=name)


def test_a_wave_read_while_another_process_writes_the_warehouse_is_stored_as_a_wave_read_in_turn(tmp_path):
    drop_zone = drop_zone_with_wave(tmp_path)
    warehouse = WarehouseResource(database=str(tmp_path / "warehouse.duckdb"))
    paths = EvaluationPaths(data_dir=str(drop_zone), marts_dir=str(tmp_path / "marts"), pseudonym_key=KEY.decode())
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(survey_waves.name, ["wave_1"])

    def ingest() -> dict[str, object]:
        result = dg.materialize(
            [ingest_survey_wave],
            partition_key="wave_1",
            instance=instance,
            resources={"warehouse": warehouse, "paths": paths},
        )
        (materialization,) = [
            m
            for m in result.asset_materializations_for_node("ingest_survey_wave")
            if m.asset_key.path == ["raw_survey_rows"]
        ]
        return {name: value.value for name, value in materialization.metadata.items()}

    # The warehouse is another process's until the wave's own file appears, so the run finds it busy and
    # reads the wave beside it.
    holder = hold_warehouse(Path(warehouse.database), warehouse.wave_files_dir, "wave_1.duckdb")
    assert warehouse.busy()
    first = ingest()
    assert holder.wait(timeout=60) == 0

    assert first["read_while_the_warehouse_was_busy"] is True
    assert first["unchanged_file_skipped"] is False
    assert list(warehouse.wave_files_dir.glob("*.duckdb")) == []  # the wave's own file, once stored, is gone
    assert_same(stored(Path(warehouse.database)), loaded_in_turn(tmp_path, drop_zone))
    # Beside the warehouse, a note of the export it now holds: a run finding it busy again need not read it.
    export = drop_zone / "surveys" / "wave_1.csv"
    assert stored_before(warehouse.wave_files_dir, "wave_1", export, drop_zone)

    # Taken again with the warehouse free, the same export changes nothing.
    assert not warehouse.busy()
    again = ingest()
    assert again["read_while_the_warehouse_was_busy"] is False
    assert again["unchanged_file_skipped"] is True
    assert_same(stored(Path(warehouse.database)), loaded_in_turn(tmp_path, drop_zone))

    # A corrected export of the wave is new to the warehouse, whatever the note says.
    export.write_text(export.read_text(encoding="utf-8").replace("Strongly agree", "Agree"), encoding="utf-8")
    assert not stored_before(warehouse.wave_files_dir, "wave_1", export, drop_zone)


def test_an_export_changed_after_it_was_read_is_not_stored(tmp_path):
    drop_zone = drop_zone_with_wave(tmp_path)
    export = drop_zone / "surveys" / "wave_1.csv"
    prepared = prepare_survey_wave("wave_1", export, drop_zone, KEY, tmp_path / "waves")
    # The evaluator saves a corrected export over the one read, before the warehouse was free to store it.
    export.write_text(export.read_text(encoding="utf-8").replace("Strongly agree", "Agree"), encoding="utf-8")

    con = duckdb.connect()
    ensure_schemas(con)
    with pytest.raises(FileChangedError) as raised:
        store_prepared_wave(con, prepared, drop_zone)

    assert raised.value.path == export
    assert "nothing of it was stored" in str(raised.value)
    assert con.execute("SELECT count(*) FROM raw._load_ledger").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM raw.survey_rows").fetchall() == [(0,)]
    assert not prepared.file.exists()


def test_a_step_waits_for_the_process_writing_the_warehouse_and_names_it_when_it_gives_up(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    holder = hold_warehouse(database, tmp_path, "release")

    impatient = WarehouseResource(database=str(database), lock_wait_seconds=0.2)
    with pytest.raises(RuntimeError, match="stayed in use by another process for 0.2 s \\(EVAL_REFRESH_WAIT\\)"):
        with impatient.get_connection():
            pass

    seen: list[object] = []

    def read_when_free() -> None:
        with WarehouseResource(database=str(database)).get_connection() as con:
            seen.append(con.execute("SELECT row FROM main.written_by_holder").fetchone()[0])

    waiting = threading.Thread(target=read_when_free)
    waiting.start()
    waiting.join(timeout=0.5)
    assert waiting.is_alive() and seen == []  # still waiting: the other process holds the warehouse
    (tmp_path / "release").touch()
    waiting.join(timeout=60)
    assert holder.wait(timeout=60) == 0
    assert seen == [1]


def test_a_refresh_with_two_wave_processes_publishes_what_one_process_publishes(demo_run, tmp_path):
    refreshed = run_refresh(DATA_DIR, tmp_path, env={"EVAL_WAVE_PROCESSES": "2"})

    assert refreshed.returncode == 0, refreshed.stderr
    assert "survey_wave_job: 3 waves, 2 side by side" in refreshed.stdout
    for wave in ("wave_1", "wave_2", "wave_3"):
        assert f"  wave {wave}: done" in refreshed.stdout
    # Read back from the instance, the runs made in the worker processes still give the summary its lines.
    never_read = refreshed.stdout.split("Personal-data columns never read")[1]
    assert all(f"surveys/{wave}.csv:" in never_read for wave in ("wave_1", "wave_2", "wave_3"))
    # Run again, unchanged: no wave is read again because the warehouse was busy when its run began.
    again = run_refresh(DATA_DIR, tmp_path, env={"EVAL_WAVE_PROCESSES": "2"})
    assert again.returncode == 0, again.stderr
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        latest = instance.fetch_materializations(dg.AssetKey("raw_survey_rows"), limit=3).records
        metadata = [record.asset_materialization.metadata for record in latest]
    assert [m["unchanged_file_skipped"].value for m in metadata] == [True] * 3
    assert [m["read_while_the_warehouse_was_busy"].value for m in metadata] == [False] * 3
    for mart in ("response_rates", "construct_scores", "wave_change", "support_usefulness", "success_factor_matrix"):
        two = pd.read_parquet(tmp_path / "marts" / f"{mart}.parquet")
        one = pd.read_parquet(demo_run.settings.marts_dir / f"{mart}.parquet")
        pd.testing.assert_frame_equal(
            two.sort_values(list(two.columns)).reset_index(drop=True),
            one.sort_values(list(one.columns)).reset_index(drop=True),
            obj=mart,
        )


def definitions_in_a_process_that_stops():
    """What a wave's worker process builds, in a process killed as it starts (out of memory, say)."""
    os._exit(1)


def test_a_wave_whose_process_stops_runs_again_in_the_refresh(tmp_path):
    drop_zone = tmp_path / "raw"
    for folder in ("reference", "surveys"):
        shutil.copytree(DATA_DIR / folder, drop_zone / folder)
    settings = Settings(data_dir=drop_zone, warehouse=tmp_path / "warehouse.duckdb", marts_dir=tmp_path / "marts")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    lines: list[str] = []

    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        results = materialise_all(
            build_survey_definitions(resources_for(settings)),
            instance,
            settings.drop_zone,
            progress=lines.append,
            wave_processes=2,
            definitions=definitions_in_a_process_that_stops,
        )

    ran = [(result.dagster_run.job_name, result.dagster_run.tags.get("dagster/partition")) for result in results]
    assert ran == [
        ("reference_job", None),
        ("survey_wave_job", "wave_1"),
        ("survey_wave_job", "wave_2"),
        ("survey_wave_job", "wave_3"),
        ("after_waves_job", None),
    ]
    assert all(result.success for result in results)
    stopped = [line for line in lines if "its process stopped" in line]
    assert len(stopped) == 3 and all("it runs again after the others" in line for line in stopped)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT wave) FROM staging.survey_responses").fetchone() == (3,)
