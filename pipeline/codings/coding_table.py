"""Plain coding tables: site-visit codings kept in a spreadsheet by teams without qualitative software.

One row per coding, in a CSV (UTF-8, comma-separated) or an Excel workbook (.xlsx, first sheet unless named),
with a header row naming at least these columns (any case, spacing, punctuation or order; common synonyms
such as "Case", "Document", "Node", "Coded by" or "Quote" are accepted):

| column      | content                                                                  |
|-------------|--------------------------------------------------------------------------|
| partnership | the partnership (case) the source belongs to; required in every row       |
| source      | the document coded, e.g. "P01 site visit notes"; required in every row    |
| code        | the code, nested codes as "Parent/Child"; required in every row           |
| coder       | who applied the code; required in every row                               |
| excerpt     | the coded text; may be blank                                              |
| start, end  | optional: character positions of the excerpt in the source (both or none) |

`read_coding_table` returns the columns of `refi_qda.coded_segments`, so the pipeline treats both alike:
case_name is the partnership, code_name the last part of the code path, and source_guid / code_guid are
derived from the source name / code path (uuid5), so the same name always gets the same GUID. Other
columns are ignored. Blank rows are skipped. Rows are numbered as a spreadsheet shows them (the header is
row 1 when it is the first line); anything that cannot be read raises `InputFileError` naming the file, row
and column.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import uuid
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from pipeline.codings.refi_qda import SEGMENT_COLUMNS
from pipeline.csv_layout import Column, column, header_key, quoted_header, read_records
from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits, check_readable

# Fixed namespace for derived GUIDs: the same source name or code path always gives the same GUID.
GUID_NAMESPACE = uuid.UUID("0b6f3c52-8d1e-4a7f-b2c9-6e41d5a09f38")

COLUMNS: tuple[Column, ...] = (
    column(
        "partnership", "partnership", "partnership name", "partnership id", "case", "case name", "site", required=True
    ),
    column("source", "source", "source name", "document", "document name", "source document", "file", required=True),
    column("code", "code", "code path", "code name", "node", "theme", "category", required=True),
    column("coder", "coder", "coder name", "coded by", "rater", "annotator", "user", required=True),
    column("excerpt", "excerpt", "coded text", "text", "quote", "quotation", "extract", "passage", required=True),
    column("start", "start", "start position", "start char", "begin"),
    column("end", "end", "end position", "end char", "stop"),
)
_REQUIRED_CELLS = ("partnership", "source", "code", "coder")
_EXPECTED_HEADER = (
    "a header row naming partnership, source, code, coder and excerpt (optionally start and end),"
    " then one row per coding"
)
_ENCODING_EXPECTED = "UTF-8 text, with or without a byte-order mark (in Excel: save as 'CSV UTF-8')"
_POSITION = "a whole number of characters from 0, start and end both given or both blank"
_SENTINEL = "\ue000"  # a private-use character marking where undecodable bytes begin

Cell = str | None
Record = tuple[int, list[Cell]]  # (row number as a spreadsheet shows it, the cells)


def read_coding_table(
    path: str | Path,
    *,
    project_file: str | None = None,
    sheet: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> pd.DataFrame:
    """Read a coding table (.csv or .xlsx) into the columns of `refi_qda.coded_segments`.

    `project_file` fills the project_file column (default: the file's name); `sheet` picks a worksheet of a
    workbook (default: the first). The file is checked against `limits` first (`pipeline.safe_files`). Raises `InputFileError` for a missing required column, an empty
    partnership, source, code or coder cell, a malformed position, text that is not UTF-8, or an empty file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    check_readable(path, limits)
    if suffix in (".csv", ".txt"):
        records = _csv_records(path, limits)
    elif suffix in (".xlsx", ".xlsm"):
        records = _xlsx_records(path, sheet)
    else:
        raise InputFileError(
            path, f"unsupported file type {suffix or '(none)'!r}", expected="a .csv or .xlsx coding table"
        )
    if not records:
        raise InputFileError(path, "the file is empty", expected=_EXPECTED_HEADER)

    header_row, header = records[0]
    names = [cell or "" for cell in header]
    positions = _match_header(path, header_row, names)
    rows = [_segment(path, number, cells, names, positions) for number, cells in records[1:] if any(cells)]
    if not rows:
        raise InputFileError(path, "no codings below the header", row=header_row + 1, expected=_EXPECTED_HEADER)
    frame = pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS))
    frame["project_file"] = project_file or path.name
    return frame.astype(SEGMENT_COLUMNS)


# ---------------------------------------------------------------------------------------------------------
# File formats
# ---------------------------------------------------------------------------------------------------------


def _csv_records(path: Path, limits: ReadLimits) -> list[Record]:
    """Non-blank CSV records, numbered by the line each starts on, empty cells as None."""
    _check_utf8(path)
    return [(line, [_text(field) for field in fields]) for line, fields in read_records(path, limits)]


def _check_utf8(path: Path) -> None:
    """Refuse an empty file, or text that is not UTF-8, naming the line and column of the first bad byte."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(path, f"cannot be read ({exc.strerror or exc})", expected="a readable CSV file") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # UTF-16 with its byte-order mark: `read_records` decodes it
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8")
        # Parse up to the bad byte plus a marker: the record holding the marker is the bad one, its last field the column.
        parsed = list(csv.reader(io.StringIO(prefix + _SENTINEL, newline="")))
        header = parsed[0] if len(parsed) > 1 else []
        index = len(parsed[-1]) - 1
        raise InputFileError(
            path,
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
            row=data.count(b"\n", 0, exc.start) + 1,
            column=header[index].strip() if index < len(header) else None,
            expected=_ENCODING_EXPECTED,
        ) from exc
    if not text.strip():
        raise InputFileError(path, "the file is empty", expected=_EXPECTED_HEADER)


def _xlsx_records(path: Path, sheet: str | None) -> list[Record]:
    """Rows of a worksheet, numbered as Excel numbers them, from the first non-blank row (the header)."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise InputFileError(path, f"cannot be read ({exc.strerror or exc})", expected="a readable .xlsx file") from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputFileError(
            path, f"not a readable Excel workbook ({exc})", expected="an .xlsx workbook (Excel 2007 or later)"
        ) from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise InputFileError(path, f"no worksheet named {sheet!r}", expected=f"one of {workbook.sheetnames}")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        records: list[Record] = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_text(value) for value in values]
            if records or any(cells):  # leading blank rows are not the header
                records.append((number, cells))
        return records
    finally:
        workbook.close()


def _text(value: object) -> Cell:
    """A cell as text, None when blank; whole numbers stored as floats lose their ".0"."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime | date | time):
        value = value.isoformat()
    text = str(value)
    return text if text.strip() else None


# ---------------------------------------------------------------------------------------------------------
# Header and rows
# ---------------------------------------------------------------------------------------------------------


def _match_header(path: Path, header_row: int, header: list[str]) -> dict[str, int]:
    """Position of each known column in the header; every required one must be there, and start with end."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = header_key(name)
        match = next((known for known in COLUMNS if key and known.matches(key)), None)
        if match is None:
            continue
        if match.name in found:
            raise InputFileError(
                path,
                f"columns {header[found[match.name]]!r} and {name!r} both give {match.name}",
                row=header_row,
                column=name,
                expected="one column per field",
            )
        found[match.name] = index
    missing = [known.name for known in COLUMNS if known.required and known.name not in found]
    if ("start" in found) != ("end" in found):
        missing.append("end" if "start" in found else "start")
    if missing:
        raise InputFileError(
            path,
            f"missing required column(s) {', '.join(missing)}; header found: {quoted_header([h for h in header if h])}",
            row=header_row,
            column=missing[0],
            expected=_EXPECTED_HEADER + " (any case, spacing or order)",
        )
    return found


def _segment(
    path: Path, number: int, cells: list[Cell], header: list[str], positions: dict[str, int]
) -> dict[str, object]:
    """One coding row as a coded segment; InputFileError naming the row and column of the first bad cell."""
    if len(cells) > len(header) and any(cells[len(header) :]):
        raise InputFileError(
            path,
            f"{len(cells)} cells but the header names {len(header)} columns",
            row=number,
            expected="no cells to the right of the header's last column",
        )

    def cell(field: str) -> Cell:
        index = positions.get(field)
        return cells[index] if index is not None and index < len(cells) else None

    def fail(field: str, problem: str, expected: str) -> InputFileError:
        return InputFileError(path, problem, row=number, column=header[positions[field]], expected=expected)

    values = {field: cell(field) for field in _REQUIRED_CELLS}
    for field, value in values.items():
        if value is None:
            raise fail(field, f"empty {field} cell", f"the {field} of every coding")
    values = {field: value.strip() for field, value in values.items() if value is not None}
    parts = [part.strip() for part in values["code"].split("/")]
    if any(part == "" for part in parts):
        raise fail("code", f"code {values['code']!r} has an empty part", "a code name, nested codes as 'Parent/Child'")
    code_path = "/".join(parts)

    start = end = None
    if "start" in positions:
        given = {field: cell(field) for field in ("start", "end")}
        for field, value in given.items():
            if value is not None and not re.fullmatch(r"[0-9]+", value.strip()):
                raise fail(field, f"{field} position {value!r} is not a whole number", _POSITION)
        if (given["start"] is None) != (given["end"] is None):
            blank = "start" if given["start"] is None else "end"
            raise fail(blank, f"{blank} is blank but the other position is given", _POSITION)
        if given["start"] is not None and given["end"] is not None:
            start, end = int(given["start"]), int(given["end"])
            if end < start:
                raise fail("end", f"end {end} is before start {start}", "end at or after start")

    return {
        "source_guid": _guid("source", values["source"]),
        "source_name": values["source"],
        "case_name": values["partnership"],
        "code_guid": _guid("code", code_path),
        "code_name": parts[-1],
        "code_path": code_path,
        "coder": values["coder"],
        "start_position": start,
        "end_position": end,
        "excerpt": cell("excerpt"),
        "coded_at": None,
    }


def _guid(kind: str, name: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}\x1f{name}")).upper()
