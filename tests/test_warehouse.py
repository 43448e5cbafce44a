"""Raw loads are idempotent: the same bytes twice change nothing; a corrected file replaces its rows."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipeline.ingest import load_folder
from pipeline.outcomes.readers import read_tidy_outcome_csv
from pipeline.warehouse import ensure_schemas, quote_identifier
from tests.conftest import DATA_DIR

SERIES = DATA_DIR / "outcomes" / "tidy" / "smoking_adults.csv"


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        ensure_schemas(connection)
        yield connection


def _snapshot(con):
    return con.execute("SELECT * EXCLUDE (loaded_at) FROM raw.series ORDER BY source_file, source_row").fetchall()


def test_loading_the_same_file_twice_changes_nothing(con, tmp_path):
    drop = tmp_path / "raw"
    drop.mkdir()
    shutil.copy(SERIES, drop / SERIES.name)
    first = load_folder(con, "raw.series", [drop / SERIES.name], drop, read_tidy_outcome_csv)
    before = _snapshot(con)
    loaded_at = con.execute("SELECT DISTINCT loaded_at FROM raw.series").fetchall()
    second = load_folder(con, "raw.series", [drop / SERIES.name], drop, read_tidy_outcome_csv)
    assert first.rows_loaded == len(before) > 2000
    assert second.rows_loaded == 0 and second.files[0].skipped_unchanged
    assert _snapshot(con) == before
    assert con.execute("SELECT DISTINCT loaded_at FROM raw.series").fetchall() == loaded_at


def test_a_corrected_file_replaces_exactly_its_own_rows(con, tmp_path):
    drop = tmp_path / "raw"
    drop.mkdir()
    lines = SERIES.read_text().splitlines(keepends=True)
    (drop / "a.csv").write_text("".join(lines[:11]))
    (drop / "b.csv").write_text("".join(lines[:1] + lines[11:21]))
    load_folder(con, "raw.series", [drop / "a.csv", drop / "b.csv"], drop, read_tidy_outcome_csv)
    (drop / "a.csv").write_text("".join(lines[:6]))  # the corrected export has five rows
    report = load_folder(con, "raw.series", [drop / "a.csv", drop / "b.csv"], drop, read_tidy_outcome_csv)
    counts = dict(con.execute("SELECT source_file, count(*) FROM raw.series GROUP BY ALL").fetchall())
    assert counts == {"a.csv": 5, "b.csv": 10}
    assert [f.skipped_unchanged for f in report.files] == [False, True]


def test_rows_of_a_file_removed_from_the_drop_zone_are_removed(con, tmp_path):
    drop = tmp_path / "raw"
    drop.mkdir()
    shutil.copy(SERIES, drop / "a.csv")
    shutil.copy(SERIES, drop / "b.csv")
    load_folder(con, "raw.series", [drop / "a.csv", drop / "b.csv"], drop, read_tidy_outcome_csv)
    report = load_folder(con, "raw.series", [drop / "b.csv"], drop, read_tidy_outcome_csv)
    assert report.rows_removed > 2000
    assert con.execute("SELECT DISTINCT source_file FROM raw.series").fetchall() == [("b.csv",)]
    assert con.execute("SELECT source_file FROM raw._load_ledger").fetchall() == [("b.csv",)]


def test_identifiers_from_files_are_quoted_never_executed():
    assert quote_identifier('x"; DROP TABLE raw.series; --') == '"x""; DROP TABLE raw.series; --"'
