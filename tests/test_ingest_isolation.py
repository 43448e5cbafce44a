"""Loading files one at a time, safely: the bytes hashed are the bytes read, a file that changes while it
loads is an error naming it, one bad file is refused on its own (its reason recorded, its earlier rows
kept and said to be kept, loaded once fixed), a folder too deep to list is refused with its reason, and a
file's name never prints a line of its own."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import print_refused_files
from pipeline.errors import FileChangedError, InputFileError, printable
from pipeline.ingest import load_folder
from pipeline.mapping.ingest import load_interventions
from pipeline.mapping.interventions import read_interventions
from pipeline.outcomes.ingest import load_outcomes
from pipeline.surveys.ingest import load_survey_wave
from pipeline.surveys.readers.detect import read_survey
from pipeline.warehouse import ensure_schemas
from tests.conftest import DATA_DIR

KIRKLEES = "P01 Kirklees interventions.csv"


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_schemas(con)
    return con


def _swap_columns(source: Path, target: Path, first: str, second: str) -> None:
    """Write `source` with two columns swapped in every record (header rows too): a valid export whose
    columns come in another order, as a re-download from the survey tool can."""
    text = source.read_text(encoding="utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline="")))
    i, j = records[0].index(first), records[0].index(second)
    for record in records:
        record[i], record[j] = record[j], record[i]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(records)
    target.write_text("\ufeff" + out.getvalue(), encoding="utf-8", newline="")


def _answers(con: duckdb.DuckDBPyConnection, column: str) -> list[tuple[int, str]]:
    return con.execute(
        "SELECT respondent_row, answer FROM raw.survey_answers WHERE column_name = ? ORDER BY respondent_row",
        [column],
    ).fetchall()


def test_a_survey_export_replaced_between_its_header_and_its_rows_is_an_error_and_stores_nothing(tmp_path: Path):
    # The defect (issue #21.1): the export's header was read, then the file hashed and streamed again; an
    # export replaced in between (here Q1_1 and Q1_13 trade places) stored Q1_13's answers as Q1_1's and
    # recorded the new file's hash in the ledger, so the wrong rows were never reloaded.
    surveys = tmp_path / "raw" / "surveys"
    surveys.mkdir(parents=True)
    export = surveys / "wave_1.csv"
    shutil.copyfile(DATA_DIR / "surveys" / "wave_1.csv", export)
    swapped = tmp_path / "wave_1_reordered.csv"
    _swap_columns(export, swapped, "Q1_1", "Q1_13")

    def read_header_then_export_is_replaced(path: Path):
        header = read_survey(path)
        os.replace(swapped, path)  # the tool's download lands over the export just after its header was read
        return header

    con = _warehouse()
    with pytest.raises(FileChangedError) as raised:
        load_survey_wave(con, "wave_1", export, tmp_path / "raw", b"key", read=read_header_then_export_is_replaced)
    assert raised.value.path == export
    assert str(raised.value).startswith(f"{export}: the file was replaced or changed while it was being loaded")
    assert con.execute("SELECT count(*) FROM raw._load_ledger").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM raw.survey_rows").fetchall() == [(0,)]

    # Loaded again, as it now is, every answer is under its own column's name.
    load_survey_wave(con, "wave_1", export, tmp_path / "raw", b"key")
    reference = _warehouse()
    original = tmp_path / "original" / "surveys"
    original.mkdir(parents=True)
    shutil.copyfile(DATA_DIR / "surveys" / "wave_1.csv", original / "wave_1.csv")
    load_survey_wave(reference, "wave_1", original / "wave_1.csv", tmp_path / "original", b"key")
    assert _answers(con, "Q1_1") == _answers(reference, "Q1_1") != _answers(reference, "Q1_13")
    assert _answers(con, "Q1_13") == _answers(reference, "Q1_13")


def test_a_wave_exported_again_under_another_name_replaces_the_rows_of_its_first_export(tmp_path: Path):
    # "wave 1.csv" gives the same wave as "wave_1.csv": an evaluator who re-exports a wave and deletes the
    # first export has one wave, held once, of the second export's responses and columns.
    surveys = tmp_path / "raw" / "surveys"
    surveys.mkdir(parents=True)
    first, again = surveys / "wave_1.csv", surveys / "wave 1.csv"
    shutil.copyfile(DATA_DIR / "surveys" / "wave_1.csv", first)
    con = _warehouse()
    load_survey_wave(con, "wave_1", first, tmp_path / "raw", b"key")
    _swap_columns(first, again, "Q1_1", "Q1_13")
    first.unlink()

    result, _ = load_survey_wave(con, "wave_1", again, tmp_path / "raw", b"key")

    assert result.superseded == ("surveys/wave_1.csv",)
    for table in ("raw.survey_rows", "raw.survey_columns"):
        held = con.execute(f"SELECT DISTINCT wave, source_file FROM {table}").fetchall()
        assert held == [("wave_1", "surveys/wave 1.csv")], table
    assert con.execute("SELECT count(*) FROM raw.survey_rows").fetchall() == [(result.rows,)]
    ledger = con.execute("SELECT DISTINCT source_file FROM raw._load_ledger").fetchall()
    assert ledger == [("surveys/wave 1.csv",)]
    reference = _warehouse()
    load_survey_wave(reference, "wave_1", again, tmp_path / "raw", b"key")
    assert _answers(con, "Q1_1") == _answers(reference, "Q1_1")


def test_a_file_rewritten_while_its_reader_runs_is_refused_and_nothing_of_it_is_stored(tmp_path: Path):
    drop = tmp_path / "raw"
    (drop / "interventions").mkdir(parents=True)
    inventory = drop / "interventions" / KIRKLEES
    shutil.copyfile(DATA_DIR / "interventions" / KIRKLEES, inventory)

    def read_while_it_is_edited(path: Path):
        rows = read_interventions(path)
        with open(path, "a", encoding="utf-8") as handle:  # someone saves the file while it loads
            handle.write("Extra clinic,Kirklees Council,IM1a,1000,planned\n")
        return rows

    con = _warehouse()
    report = load_folder(con, "raw.interventions", [inventory], drop, read_while_it_is_edited)
    assert [(r.source_file, r.reason) for r in report.refused] == [
        (
            f"interventions/{KIRKLEES}",
            "the file was replaced or changed while it was being loaded; nothing of it was stored; expected a file"
            " left as it is until its load ends (save a new version under another name, then rename it)",
        )
    ]
    assert con.execute("SELECT count(*) FROM raw.interventions").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM raw._load_ledger").fetchall() == [(0,)]


def test_a_refused_file_keeps_its_earlier_rows_says_so_and_loads_once_fixed(tmp_path: Path, capsys):
    drop = tmp_path / "raw"
    folder = drop / "interventions"
    folder.mkdir(parents=True)
    for name in (KIRKLEES, "P02 Thanet interventions.csv"):
        shutil.copyfile(DATA_DIR / "interventions" / name, folder / name)
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    ensure_schemas(con)
    first = load_interventions(con, folder, drop)
    kirklees_rows = con.execute(
        "SELECT count(*) FROM raw.interventions WHERE source_file = ?", [f"interventions/{KIRKLEES}"]
    ).fetchall()[0][0]
    assert first.refused == [] and kirklees_rows > 0

    # Kirklees's inventory is replaced by a file its reader refuses: Thanet's still loads, and the refusal
    # says that Kirklees's earlier rows are still in use.
    (folder / KIRKLEES).write_text("Programme,Budget\nHealthy homes,12000\n", encoding="utf-8")
    (folder / "P02 Thanet interventions.csv").write_text(
        (DATA_DIR / "interventions" / "P02 Thanet interventions.csv").read_text(encoding="utf-8")
        + "Walking buses,Thanet District Council,CO1a,5000,planned\n",
        encoding="utf-8",
    )
    second = load_interventions(con, folder, drop)
    assert [r.source_file for r in second.refused] == [f"interventions/{KIRKLEES}"]
    assert "missing required column(s) Intervention, Commissioner, Drivers addressed" in second.refused[0].reason
    assert [f.source_file for f in second.files] == ["interventions/P02 Thanet interventions.csv"]
    recorded = con.execute(
        "SELECT source, source_file, rows_kept, kept_loaded_at IS NOT NULL, content_hash IS NOT NULL"
        " FROM raw.refused_files"
    ).fetchall()
    assert recorded == [("interventions", f"interventions/{KIRKLEES}", kirklees_rows, True, True)]
    assert con.execute(
        "SELECT count(*) FROM raw.interventions WHERE source_file = ?", [f"interventions/{KIRKLEES}"]
    ).fetchall() == [(kirklees_rows,)]
    assert con.execute("SELECT count(*) FROM raw.interventions WHERE intervention = 'Walking buses'").fetchall() == [
        (1,)
    ]
    con.close()
    assert print_refused_files(warehouse) == 1
    summary = capsys.readouterr().out.splitlines()
    assert summary[1].startswith(f"  interventions: interventions/{KIRKLEES}: row 1: missing required column(s)")
    assert summary[2].startswith(f"    STALE: {kirklees_rows} row(s) of an earlier version of this file, loaded 20")
    assert summary[2].endswith("UTC, are still in use; fix or remove the file to replace them")
    con = duckdb.connect(str(warehouse))

    # Fixed, it loads on the next run and its refusal is gone.
    shutil.copyfile(DATA_DIR / "interventions" / KIRKLEES, folder / KIRKLEES)
    third = load_interventions(con, folder, drop)
    assert third.refused == []
    assert con.execute("SELECT count(*) FROM raw.refused_files").fetchall() == [(0,)]


def _deep_folder(root: Path, depth_bytes: int) -> str:
    """Folders nested below `root` until the path is longer than `depth_bytes`, made relative to an open
    folder (no path that long can be named whole), with an outcome file at the bottom; its relative path."""
    name = "n" * 200
    parts = []
    fd = os.open(root, os.O_RDONLY)
    try:
        while len(str(root)) + len(parts) * (len(name) + 1) <= depth_bytes:
            os.mkdir(name, dir_fd=fd)
            deeper = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = deeper
            parts.append(name)
        handle = os.open("lost.csv", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(handle, b"Indicator,Area code,Period,Value\n")
        os.close(handle)
    finally:
        os.close(fd)
    return "/".join(parts)


def test_a_folder_deeper_than_the_path_limit_is_refused_with_its_reason_and_the_rest_loads(tmp_path: Path):
    drop = tmp_path / "raw"
    shutil.copytree(DATA_DIR / "outcomes", drop / "outcomes")
    _deep_folder(drop / "outcomes", os.pathconf("/", "PC_PATH_MAX"))
    con = _warehouse()
    reports = load_outcomes(con, drop / "outcomes", drop)  # an OSError (File name too long) escaped here
    refused = [refusal for report in reports for refusal in report.refused]
    assert len(refused) == 1
    assert refused[0].source_file.startswith("outcomes/nnnn")
    assert refused[0].reason == "the path is longer than the system allows; expected a shallower folder"
    assert sum(report.rows_loaded for report in reports) > 0
    assert con.execute("SELECT source, reason FROM raw.refused_files").fetchall() == [("outcomes", refused[0].reason)]


def test_a_file_name_is_printed_on_one_line_whatever_it_holds():
    name = Path("interventions/P03 notes\nAll 88 asset checks passed.\x1b[2K\u202e.csv")
    error = InputFileError(name, "missing required column(s) Intervention", row=1)
    assert "\n" not in str(error) and "\x1b" not in str(error) and "\u202e" not in str(error)
    assert str(error).startswith(r"interventions/P03 notes\nAll 88 asset checks passed.\x1b[2K\u202e.csv, row 1")
    assert printable("Le café, £40\tweekly") == r"Le café, £40\tweekly"
