"""The Qualtrics CSV reader on a real export and on the demo waves."""

from __future__ import annotations

import csv

import duckdb
import pytest

from pipeline.errors import InputFileError
from pipeline.surveys.readers.export import load_answers
from pipeline.surveys.readers.qualtrics import PERSONAL_IMPORT_IDS, read_header, read_qualtrics_csv
from tests.conftest import DATA_DIR, FIXTURES

SAMPLE = FIXTURES / "surveys" / "qualtrics" / "sample.csv"


def test_header_rows_give_export_tag_question_text_and_import_id():
    columns = read_header(SAMPLE)
    assert len(columns) == 20
    assert columns[17] == ("Q1", "This is a multiple choice question.", "QID1")
    assert {import_id for _, _, import_id in columns} >= PERSONAL_IMPORT_IDS


def test_real_export_loads_without_its_personal_data():
    with duckdb.connect() as con:
        rows = load_answers(con, read_qualtrics_csv(SAMPLE), b"key").fetchall()
    columns = {row[2] for row in rows}
    assert "Q2" in columns and ("Q1", "QID1", "2") in {(r[2], r[3], r[4]) for r in rows}
    assert not columns & {"IPAddress", "LocationLatitude", "LocationLongitude", "RecipientEmail", "ResponseId"}
    flat = repr(rows)
    assert "130.92.34.66" not in flat and "47.115097045898" not in flat and "R_2YPOQ602ER1jkf1" not in flat


def test_respondents_keep_one_pseudonym_across_waves():
    """The demo panel answers every wave under the same external reference, hence the same pseudonym."""
    with duckdb.connect() as con:
        keys = [
            {
                row[0]
                for row in load_answers(con, read_qualtrics_csv(DATA_DIR / "surveys" / f"wave_{n}.csv"), b"key")
                .select("respondent_key")
                .fetchall()
            }
            for n in (1, 2)
        ]
    assert len(keys[0] & keys[1]) > 100


def test_each_answered_cell_becomes_one_row():
    path = DATA_DIR / "surveys" / "wave_1.csv"
    with open(path, newline="", encoding="utf-8-sig") as handle:
        records = list(csv.reader(handle))
    header, responses = records[0], records[3:]
    export = read_qualtrics_csv(path)
    personal = {c.position - 1 for c in export.columns if c.kind in ("personal", "respondent_id")}
    expected = sum(1 for row in responses for i, cell in enumerate(row) if i not in personal and cell.strip())
    with duckdb.connect() as con:
        assert len(load_answers(con, export, b"key").fetchall()) == expected
    assert len(header) == 40


def test_a_file_without_the_import_id_row_is_refused_with_its_name(tmp_path):
    legacy = tmp_path / "legacy.csv"
    legacy.write_text("V1,V2,Q1\nResponseID,ResponseSet,Question\nR_1,Default,3\n", encoding="utf-8")
    with pytest.raises(
        InputFileError, match=r"legacy\.csv, row 3, column 'V1': header cell 'R_1' is not a Qualtrics ImportId"
    ):
        read_header(legacy)
