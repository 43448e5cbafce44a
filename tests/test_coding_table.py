"""Plain coding tables (CSV and XLSX) read into the same columns as REFI-QDA coded segments."""

from __future__ import annotations

import codecs
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.codings.coding_table import read_coding_table
from pipeline.codings.refi_qda import SEGMENT_COLUMNS, coded_segments, read_refi_qda
from pipeline.errors import InputFileError
from pipeline.methods.agreement import coding_units
from pipeline.settings import PROJECT_ROOT

DEMO_QDPX = PROJECT_ROOT / "data" / "raw" / "codings" / "site_visits.qdpx"

# Header spellings as teams write them: synonyms, capitals and spaces, in an unusual order, plus a column
# the reader does not use.
HEADER = ["Coded by", "Partnership Name", "Document", "Code Path", "Quote", "Start position", "End position", "Notes"]
ROWS = [
    ["Coder 1", "Kirklees", "P01 visit notes", "Success factors / Governance", "Reports to the board.", 0, 21, ""],
    ["Coder 2", "Kirklees", "P01 visit notes", "Success factors/Governance", "Reports to the board.", 0, 21, "ok"],
    ["Coder 2", " Salford ", "P02 interview", "Context", "", "", "", ""],
]


def write_csv(path: Path, header: list[str], rows: list[list[object]], *, bom: bool = False) -> Path:
    frame = pd.DataFrame(rows, columns=header)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + frame.to_csv(index=False).encode("utf-8"))
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]], *, leading_blank: bool = False) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if leading_blank:
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append([None if value == "" else value for value in row])
    workbook.save(path)
    return path


def test_csv_table_gives_coded_segment_columns(tmp_path):
    table = read_coding_table(write_csv(tmp_path / "codings.csv", HEADER, ROWS, bom=True))

    assert list(table.columns) == list(SEGMENT_COLUMNS)
    assert table.dtypes.astype(str).to_dict() == SEGMENT_COLUMNS
    assert table["project_file"].unique().tolist() == ["codings.csv"]
    assert table["case_name"].tolist() == ["Kirklees", "Kirklees", "Salford"]
    assert table["source_name"].tolist() == ["P01 visit notes", "P01 visit notes", "P02 interview"]
    assert table["code_path"].tolist() == ["Success factors/Governance"] * 2 + ["Context"]
    assert table["code_name"].tolist() == ["Governance", "Governance", "Context"]
    assert table["coder"].tolist() == ["Coder 1", "Coder 2", "Coder 2"]
    assert table["start_position"].tolist()[:2] == [0, 0] and pd.isna(table["start_position"][2])
    assert table["end_position"].tolist()[:2] == [21, 21] and pd.isna(table["end_position"][2])
    assert table["excerpt"].tolist()[:2] == ["Reports to the board."] * 2 and pd.isna(table["excerpt"][2])
    assert table["coded_at"].isna().all()
    # GUIDs follow the names: the same source or code gets the same GUID, different ones differ.
    assert table["source_guid"][0] == table["source_guid"][1] != table["source_guid"][2]
    assert table["code_guid"][0] == table["code_guid"][1] != table["code_guid"][2]


def test_xlsx_table_reads_like_the_same_csv(tmp_path):
    from_csv = read_coding_table(write_csv(tmp_path / "codings.csv", HEADER, ROWS), project_file="team table")
    workbook = write_xlsx(tmp_path / "codings.xlsx", HEADER, [*ROWS[:1], [""] * 8, *ROWS[1:]], leading_blank=True)
    from_xlsx = read_coding_table(workbook, project_file="team table")
    pd.testing.assert_frame_equal(from_xlsx, from_csv)


def test_guids_are_deterministic_across_files(tmp_path):
    first = read_coding_table(write_csv(tmp_path / "a.csv", HEADER, ROWS))
    second = read_coding_table(write_csv(tmp_path / "b.csv", HEADER, ROWS[::-1]))
    assert set(first["source_guid"]) == set(second["source_guid"])
    assert set(first["code_guid"]) == set(second["code_guid"])


def test_demo_codings_as_a_table_give_the_same_reliability_data(tmp_path):
    # Both formats feed the agreement methods alike: the demo .qdpx, written out as a coding table and read
    # back, gives exactly the same units x coders matrices.
    segments = coded_segments(read_refi_qda(DEMO_QDPX), DEMO_QDPX.name)
    table = segments.rename(
        columns={
            "case_name": "partnership",
            "source_name": "source",
            "code_path": "code",
            "start_position": "start",
            "end_position": "end",
        }
    )[["partnership", "source", "code", "coder", "excerpt", "start", "end"]]
    path = tmp_path / "site_visits.csv"
    table.to_csv(path, index=False)
    read_back = read_coding_table(path)
    assert len(read_back) == len(segments)
    for unit in ("source_code", "segment"):
        pd.testing.assert_frame_equal(coding_units(read_back, unit), coding_units(segments, unit))


# --- Bad input -------------------------------------------------------------------------------------------


def error_for(path: Path) -> InputFileError:
    with pytest.raises(InputFileError) as caught:
        read_coding_table(path)
    assert caught.value.path == path
    return caught.value


def test_missing_required_column_is_named(tmp_path):
    error = error_for(
        write_csv(tmp_path / "t.csv", ["partnership", "source", "coder", "excerpt"], [["K", "s", "c", "x"]])
    )
    assert (error.row, error.column) == (1, "code")
    assert "missing required column(s) code" in str(error)


def test_start_without_end_is_a_missing_column(tmp_path):
    header = ["partnership", "source", "code", "coder", "excerpt", "start"]
    error = error_for(write_csv(tmp_path / "t.csv", header, [["K", "s", "A", "c", "x", 1]]))
    assert (error.row, error.column) == (1, "end")


@pytest.mark.parametrize(
    ("column", "index"), [("Code Path", 3), ("Coded by", 0), ("Partnership Name", 1), ("Document", 2)]
)
def test_empty_required_cell_names_row_and_column_csv(tmp_path, column, index):
    rows = [list(row) for row in ROWS]
    rows[1][index] = "  "
    error = error_for(write_csv(tmp_path / "t.csv", HEADER, rows))
    assert (error.row, error.column) == (3, column)  # the header is line 1, so the second coding is line 3


def test_empty_code_in_xlsx_names_the_excel_row(tmp_path):
    rows = [list(row) for row in ROWS]
    rows[2][3] = None
    error = error_for(write_xlsx(tmp_path / "t.xlsx", HEADER, rows, leading_blank=True))
    assert (error.row, error.column) == (5, "Code Path")  # blank row 1, header row 2, third coding row 5
    assert "empty code cell" in str(error)


def test_undecodable_text_names_row_and_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("partnership,source,code,coder,excerpt\nK,s,A,c1,fine\nK,s,A,c2,caf\u00e9\n".encode("cp1252"))
    error = error_for(path)
    assert (error.row, error.column) == (3, "excerpt")
    assert "0xe9 is not valid UTF-8" in str(error) and "CSV UTF-8" in str(error)


@pytest.mark.parametrize("content", [b"", b"\n\n", codecs.BOM_UTF8])
def test_empty_csv_file(tmp_path, content):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    assert "the file is empty" in str(error_for(path))


def test_empty_xlsx_and_header_only_files(tmp_path):
    assert "the file is empty" in str(error_for(write_xlsx(tmp_path / "t.xlsx", [], [])))
    error = error_for(write_csv(tmp_path / "t.csv", HEADER, []))
    assert "no codings below the header" in str(error) and error.row == 2


def test_malformed_positions(tmp_path):
    rows = [list(row) for row in ROWS]
    rows[0][5] = "ten"
    error = error_for(write_csv(tmp_path / "a.csv", HEADER, rows))
    assert (error.row, error.column) == (2, "Start position")
    rows[0][5], rows[0][6] = 30, 21
    error = error_for(write_csv(tmp_path / "b.csv", HEADER, rows))
    assert (error.row, error.column) == (2, "End position") and "before start" in str(error)
    rows[0][5], rows[0][6] = 0, ""
    error = error_for(write_csv(tmp_path / "c.csv", HEADER, rows))
    assert (error.row, error.column) == (2, "End position")


def test_two_columns_for_one_field(tmp_path):
    header = ["partnership", "source", "document", "code", "coder", "excerpt"]
    error = error_for(write_csv(tmp_path / "t.csv", header, [["K", "s", "s", "A", "c", "x"]]))
    assert (error.row, error.column) == (1, "document")


def test_code_path_with_an_empty_part(tmp_path):
    rows = [list(row) for row in ROWS]
    rows[0][3] = "Success factors//Governance"
    error = error_for(write_csv(tmp_path / "t.csv", HEADER, rows))
    assert (error.row, error.column) == (2, "Code Path")


def test_files_that_are_not_tables(tmp_path):
    fake = tmp_path / "t.xlsx"
    fake.write_text("partnership,source\n")
    assert "not a readable Excel workbook" in str(error_for(fake))
    other = tmp_path / "t.docx"
    other.write_bytes(b"PK")
    assert "unsupported file type" in str(error_for(other))
