"""File-level reading every tabular survey export shares, so each tool's reader only describes its header.

The first records of a CSV (Python's csv module, as question texts may hold newlines), the
responses streamed by DuckDB's `read_csv` and checked once end to end, the rows of an XLSX sheet, and
the text of a typed cell (XLSX and SPSS hold numbers and dates, the warehouse holds text as exported).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import math
import numbers
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, UTF16_BOMS, ReadLimits, check_readable
from pipeline.surveys.readers.export import CsvResponses
from pipeline.warehouse import quote_identifier

SURVEY_SUFFIXES = (".csv", ".xlsx", ".sav", ".zsav", ".por")
TEXT_ENCODING = "UTF-8 text (with or without a byte-order mark), or UTF-16 with its byte-order mark"
# DuckDB's CSV errors, turned into a sentence that quotes no cell (cells may hold personal data).
_CSV_ERROR_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_ERROR_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_CSV_ERROR_LINE_SIZE = re.compile(r"Maximum line size of (\d+) bytes exceeded")


# --- CSV ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvHead:
    """The first records of a CSV file, and whether any non-blank record follows them."""

    rows: list[list[str]]
    more: bool
    encoding: str = "utf-8"  # as DuckDB names it: "utf-8" or "utf-16" (Excel's "Unicode text" CSV)

    def has_records_after(self, header_rows: int) -> bool:
        """Whether the file holds any response below its `header_rows` header rows."""
        return self.more or any(self.rows[header_rows:])


def read_csv_head(path: Path, count: int, expected: str, limits: ReadLimits = DEFAULT_LIMITS) -> CsvHead:
    """Read the first `count` records of a CSV export (blank lines read as empty records), once the file is
    checked against `limits` (`pipeline.safe_files`). UTF-16 text with a byte-order mark is read as such.

    Raises `InputFileError` for an empty file, text that is not UTF-8 (or UTF-16 with its byte-order mark)
    and a malformed record.
    """
    check_readable(path, limits)
    raw = _first_bytes(path, expected)
    utf16 = raw.startswith(UTF16_BOMS)
    if raw.startswith(codecs.BOM_UTF16_BE):
        # DuckDB, which streams the responses, reads big-endian UTF-16 as no rows at all: refused, never lost.
        raise InputFileError(
            path, "UTF-16 big-endian text", expected=TEXT_ENCODING + " (little-endian, as Excel writes it)"
        )
    rows: list[list[str]] = []
    more = False
    record = 0  # records read so far: the row an error is in is the next one
    try:
        with open(path, newline="", encoding="utf-16" if utf16 else "utf-8-sig") as handle:
            for cells in csv.reader(handle, strict=True):
                record += 1
                if len(rows) < count:
                    rows.append(cells)
                elif cells:
                    more = True
                    break
    except UnicodeDecodeError as error:
        if utf16:
            raise InputFileError(path, f"not UTF-16 text ({error.reason})", expected=TEXT_ENCODING) from error
        problem = f"not UTF-8 text ({error.reason})"
        raise InputFileError(path, problem, row=_first_bad_line(path), expected=TEXT_ENCODING) from error
    except csv.Error as error:
        raise InputFileError(path, f"malformed CSV: {error}", row=record + 1, expected=expected) from error
    if not any(rows):
        raise InputFileError(path, "no header row (the file holds only blank lines)", expected=expected)
    return CsvHead(rows, more, "utf-16" if utf16 else "utf-8")


def csv_responses(
    path: Path, names: list[str], head: CsvHead, header_rows: int, expected: str, headerless: Iterable[str] = ()
) -> CsvResponses | pd.DataFrame:
    """The responses of a CSV export, checked, to stream with DuckDB; or an empty frame if there are none.

    The file is scanned once here (about a second per 100 MB), so a truncated or malformed file
    fails on reading with its row, not halfway through a load. `headerless` names columns that have no
    header (a tool's trailing delimiter): they must be empty, as nothing could say what a value there was.
    """
    if not head.has_records_after(header_rows):
        return pd.DataFrame({name: pd.Series(dtype="string") for name in names})
    csv = CsvResponses(path, names, header_rows, head.encoding)
    unheaded = " OR ".join(f"trim(coalesce({quote_identifier(name)}, '')) <> ''" for name in headerless) or "false"
    try:
        with duckdb.connect() as con:
            csv.relation(con).to_view("responses")
            # Counting every column makes DuckDB decode every cell, so bad UTF-8 is found as well.
            counts = con.execute(
                f"SELECT count(*) FILTER (WHERE {unheaded}), count(COLUMNS(*)) FROM responses"
            ).fetchall()[0]
    except duckdb.Error as error:
        raise _csv_error(path, str(error), len(names), expected) from error
    if counts[0]:
        positions = ", ".join(str(names.index(name) + 1) for name in headerless)
        raise InputFileError(
            path,
            f"a value in column {positions}, which has no header ({counts[0]} rows)",
            expected="a header cell above every value",
        )
    return csv


def _csv_error(path: Path, message: str, width: int, expected: str) -> InputFileError:
    line = _CSV_ERROR_LINE.search(message)
    row = int(line.group(1)) if line else None
    columns = _CSV_ERROR_COLUMNS.search(message)
    if "Invalid unicode" in message:
        return InputFileError(path, "not UTF-8 text", row=row, expected=TEXT_ENCODING)
    if columns:
        problem = f"malformed CSV: a row of {columns.group(2)} cells under a header of {columns.group(1)}"
        return InputFileError(path, problem, row=row, expected=f"{width} cells in every row")
    line_size = _CSV_ERROR_LINE_SIZE.search(message)
    if line_size:
        problem = f"malformed CSV: a line longer than {line_size.group(1)} bytes (the most one response may take)"
        return InputFileError(path, problem, row=row, expected=expected)
    if "unterminated quote" in message:
        problem = "malformed CSV: a quoted value is never closed (is the file cut short?)"
        return InputFileError(path, problem, row=row, expected=expected)
    return InputFileError(path, "malformed CSV (DuckDB could not parse it)", row=row, expected=expected)


def _first_bad_line(path: Path) -> int | None:
    """The line holding the first byte that is not UTF-8 (the text layer decodes ahead, so its error has none)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    line = 1
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:  # `object` is this block and any bytes held back from the last
                return line + error.object.count(b"\n", 0, error.start)
            line += block.count(b"\n")
    return None


def _first_bytes(path: Path, expected: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(4)
    except OSError as error:
        raise InputFileError(path, f"cannot be opened ({error.strerror})", expected=expected) from error
    if raw in (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        raise InputFileError(path, "empty file", expected=expected)
    return raw


# --- XLSX -----------------------------------------------------------------------------------------------


def read_xlsx_rows(
    path: Path, expected: str, limit: int | None = None, limits: ReadLimits = DEFAULT_LIMITS
) -> list[list[str | None]]:
    """The rows of the first worksheet of an XLSX workbook as text (`None` for an empty cell), once the file
    is checked against `limits` (`pipeline.safe_files`: its unpacked size, its shared strings, no DTD).

    List index + 1 is the sheet's row number; every row is padded to the widest, and trailing empty rows
    are dropped. `limit` stops early (sniffing needs only the header rows).
    """
    check_readable(path, limits)
    _first_bytes(path, expected)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as error:
        raise InputFileError(path, f"not an XLSX workbook ({error})", expected=expected) from error
    try:
        if not workbook.worksheets:
            raise InputFileError(path, "workbook has no worksheet", expected=expected)
        sheet = workbook.worksheets[0]
        # Some writers record wrong sheet dimensions; read every cell that is there instead.
        sheet.reset_dimensions()
        rows = []
        for values in sheet.iter_rows(min_row=1, min_col=1, values_only=True):
            rows.append([cell_text(value) for value in values])
            if limit is not None and len(rows) >= limit:
                break
    finally:
        workbook.close()
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise InputFileError(path, "the first worksheet is empty", expected=expected)
    width = max(len(row) for row in rows)
    return [row + [None] * (width - len(row)) for row in rows]


def sheet_responses(path: Path, names: list[str], rows: list[list[str | None]], first_row: int) -> pd.DataFrame:
    """Sheet rows below the header as a frame of text, one column per name; empty rows are no response.

    `first_row` is the sheet row number of `rows[0]`, for the error naming a cell right of the header.
    """
    width = len(names)
    kept = []
    for number, row in enumerate(rows, start=first_row):
        if any(cell is not None and cell.strip() for cell in row[width:]):
            raise InputFileError(
                path, f"a value right of the last header column ({width})", row=number, expected="a header cell"
            )
        cells = (row + [None] * width)[:width]
        if any(cells):
            kept.append(cells)
    return pd.DataFrame(kept, columns=names, dtype="string")


def cell_text(value: object) -> str | None:
    """A typed cell (XLSX or SPSS) as the text a CSV export would hold; `None` for an empty or missing one.

    Whole numbers lose the `.0` that storing them as doubles adds; date-times are rounded to the second
    (spreadsheet serials carry float noise) in the `YYYY-MM-DD HH:MM:SS` form the start-time parser reads.
    """
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        rounded = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        return rounded.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return None
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)
    return str(value)


# --- Shared by every reader -----------------------------------------------------------------------------


def distinct_names(names: Iterable[str]) -> list[str]:
    """Names DuckDB can tell apart: a repeat (ignoring case, as DuckDB does) gets `__2`, `__3`, ...

    Tools repeat export tags and question texts; the columns, and the source ids the instrument map keys
    on, must still be one per column.
    """
    taken: set[str] = set()
    result = []
    for name in names:
        candidate, count = name, 1
        while candidate.casefold() in taken:
            count += 1
            candidate = f"{name}__{count}"
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def header_rows(path: Path, rows: list[list[str]], count: int, expected: str) -> list[list[str]]:
    """The first `count` rows of an export as its header, checked to be there and equally long."""
    if len(rows) < count:
        raise InputFileError(path, f"fewer than {count} header rows", expected=expected)
    header = rows[:count]
    for number, row in enumerate(header[1:], start=2):
        if len(row) != len(header[0]):
            lengths = ", ".join(str(len(r)) for r in header)
            raise InputFileError(
                path, f"header rows have {lengths} cells", row=number, expected=f"{count} header rows of equal length"
            )
    return header


def headed_width(header: list[list[str]]) -> int:
    """How many columns have a header: a trailing delimiter (legacy Qualtrics) adds one with none."""
    width = len(header[0])
    while width and not any(row[width - 1].strip() for row in header):
        width -= 1
    return width
