"""The code location loads, and every asset materialises end to end with its checks passing."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import duckdb

from assets.tables import asset_key
from pipeline.cli import failed_checks
from pipeline.definitions import defs
from pipeline.settings import PROJECT_ROOT


def test_definitions_group_by_source_and_tag_every_asset_with_its_layer():
    dg.Definitions.validate_loadable(defs)
    specs = defs.resolve_all_asset_specs()
    assert {spec.group_name for spec in specs} == {
        "reference",
        "surveys",
        "codings",
        "comments",
        "outcomes",
        "mapping",
        "monitoring",
        "comparison",
        "drop_zone",
        "reports",
    }
    assert {spec.tags.get("layer") for spec in specs} == {"raw", "staging", "quarantine", "mart", "report"}
    for spec in specs:
        assert spec.description, f"{spec.key.to_user_string()} has no docstring"


def test_every_validated_table_shows_its_columns_with_descriptions_in_the_ui():
    from pipeline.catalog import TABLES

    specs = {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}
    for table, model in TABLES.items():
        schema = specs[asset_key(table)].metadata["dagster/column_schema"]
        assert [column.name for column in schema.columns] == list(model.to_schema().columns)
        assert all(column.description for column in schema.columns), f"{table} has a column without description"


def test_every_table_the_pipeline_writes_is_an_asset(demo_run):
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
            " WHERE table_schema IN ('raw', 'staging', 'quarantine', 'marts') AND NOT table_name LIKE '\\_%' ESCAPE '\\'"
            " AND table_name <> 'survey_answers'"  # raw.survey_answers: a view of raw.survey_rows, written by no step
        ).fetchall()
    keys = {spec.key.to_user_string() for spec in defs.resolve_all_asset_specs()}
    assert sorted(asset_key(table) for (table,) in tables if asset_key(table) not in keys) == []


def test_dagster_cli_validates_the_code_location():
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipeline.definitions"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_loading_the_code_location_leaves_the_heavy_libraries_to_the_steps_that_use_them():
    # Every run's process and the UI's code server load the definitions: matplotlib, great-tables and
    # scikit-learn (about 1.4 s together) load only when a report is built or partnerships are modelled.
    heavy = ["matplotlib", "great_tables", "sklearn"]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, pipeline.definitions; print([m for m in {heavy!r} if m in sys.modules])",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_loading_the_code_location_leaves_what_it_loaded_out_of_garbage_collection():
    # What loading the definitions creates lives as long as the process; frozen, the collector never walks it
    # again, during a run or as the process exits.
    result = subprocess.run(
        [sys.executable, "-c", "import gc, pipeline.definitions; print(gc.get_freeze_count())"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout) > 100_000  # objects, of about 250,000


def test_every_asset_materialises_and_every_check_passes(demo_run):
    assert demo_run.results and all(result.success for result in demo_run.results)
    assert [name for result in demo_run.results for name in failed_checks(result)] == []
    materialised = {
        key.to_user_string()
        for key in demo_run.instance.get_asset_keys()
        if demo_run.instance.get_latest_materialization_event(key)
    }
    assert materialised == {spec.key.to_user_string() for spec in defs.resolve_all_asset_specs()}


def test_demo_run_publishes_the_marts_with_a_catalog_of_views(demo_run):
    marts_dir = demo_run.settings.marts_dir
    for name in ("partnership_profile", "success_factor_matrix", "outcome_coverage"):
        assert (marts_dir / f"{name}.parquet").exists()
    with duckdb.connect(str(marts_dir / "marts.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM partnership_profile").fetchall() == [(30,)]
        assert con.execute("SELECT count(*) FROM success_factor_matrix").fetchall() == [(30 * 7,)]
        # Infant mortality has no bundled indicator data: a reported gap, never an invented number.
        gaps = con.execute(
            "SELECT DISTINCT partnership_id FROM outcome_coverage WHERE headline AND status = 'no data bundled' AND wicked_problem = 'infant_mortality'"
        ).fetchall()
    assert ("P01",) in gaps  # Kirklees


def test_every_published_column_has_a_type_even_when_it_holds_no_value(demo_run):
    # A column with no value on the demo (say, weighted kappa's weights when no code is ordinal) must still be
    # typed, or a notebook reading it gets DuckDB's NULL type and another programme's values cannot be unioned.
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        untyped = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = '\"NULL\"'"
        ).fetchall()
    assert untyped == []


def test_unknown_partnership_goes_to_quarantine_with_its_reason(demo_run):
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        rows = con.execute("SELECT wave, source_file, source_row, reason FROM quarantine.survey_responses").fetchall()
    assert len(rows) == 1
    wave, source_file, source_row, reason = rows[0]
    assert (wave, source_file) == ("wave_3", "surveys/wave_3.csv") and source_row > 1
    assert reason == "column 'partnership_id': partnership 'P31' is not in reference/partnerships.csv"
