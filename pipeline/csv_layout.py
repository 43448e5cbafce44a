"""Read a CSV file as a known layout: tolerant header matching, exact line numbers, values as received.

A layout names its output columns and the header spellings each is read from, matched ignoring case,
spacing and punctuation, in any order. Every value stays the cell text (`None` for an empty cell), and
`source_row` gives the line where each record starts, counted through quoted newlines, so errors and
quarantine can point at the line an evaluator will find in the file.

Every reader here checks the file first (`pipeline.safe_files.check_readable` with the `ReadLimits` it is
given): a regular file inside the drop zone, its header within the column limit. Errors quote a file's
header only once it has passed that check, and never more than `QUOTED_NAMES` of its names.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits, check_readable

_ENCODING_EXPECTED = (
    "UTF-8 text, with or without a byte-order mark (in Excel: save as 'CSV UTF-8'), or UTF-16 with its byte-order mark"
)
QUOTED_NAMES = 30  # header names an error quotes before it says how many more there are

Record = tuple[int, list[str]]  # (line where the record starts, its fields)


@dataclass(frozen=True)
class Column:
    """One output column of a layout and the header spellings it is read from."""

    name: str
    aliases: tuple[str, ...]  # header spellings; the first is the one named in error messages
    required: bool = False
    pattern: str | None = None  # regular expression over the header key, for families like lad19cd/lad24cd

    def matches(self, key: str) -> bool:
        if key in {header_key(alias) for alias in self.aliases}:
            return True
        return self.pattern is not None and re.fullmatch(self.pattern, key) is not None


@dataclass(frozen=True)
class Layout:
    """A file format: its name (for messages) and its columns in output order."""

    label: str
    columns: tuple[Column, ...]

    @property
    def required(self) -> list[Column]:
        return [column for column in self.columns if column.required]

    def describe_required(self) -> str:
        return ", ".join(column.aliases[0] for column in self.required)


def column(name: str, *aliases: str, required: bool = False, pattern: str | None = None) -> Column:
    return Column(name, aliases or (name,), required, pattern)


def header_key(name: str) -> str:
    """Compare header names ignoring case, spacing and punctuation: "Lower CI 95.0 limit" == "LowerCI95.0limit"."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def snake_case(name: str) -> str:
    """ "CategoryTypeId" -> "category_type_id", "Time period range" -> "time_period_range"."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def quoted_header(names: Sequence[str]) -> str:
    """A header's names for an error message: the first `QUOTED_NAMES`, then how many more."""
    shown = ", ".join(names[:QUOTED_NAMES])
    return shown + (f", ... ({len(names) - QUOTED_NAMES:,} more)" if len(names) > QUOTED_NAMES else "")


def _decode(path: Path) -> str:
    """The file's text: UTF-8 with an optional BOM, or UTF-16 with its BOM (Excel's "Unicode text"); else
    InputFileError naming the line of the first bad byte, or of a NUL character."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(path, f"cannot be read ({exc.strerror or exc})", expected="a readable CSV file") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")  # the byte-order mark says which way round; it is not kept
        except UnicodeDecodeError as exc:
            raise InputFileError(path, f"not UTF-16 text ({exc.reason})", expected=_ENCODING_EXPECTED) from exc
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise InputFileError(path, "a NUL character", row=line, expected="text saved as CSV")
        return text
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFileError(
            path, f"byte 0x{data[exc.start]:02x} is not valid UTF-8", row=line, expected=_ENCODING_EXPECTED
        ) from exc


def read_records(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[Record]:
    """All CSV records with the line each starts on, header included; blank lines are not records. The file
    is checked against `limits` first."""
    check_readable(path, limits)
    reader = csv.reader(io.StringIO(_decode(path), newline=""), strict=True)
    records: list[Record] = []
    next_line = 1
    try:
        for fields in reader:
            start, next_line = next_line, reader.line_num + 1
            if fields:
                records.append((start, fields))
    except csv.Error as exc:
        # strict=True turns stray quotes and an unclosed quote into errors instead of silently merged lines.
        raise InputFileError(
            path,
            f"malformed CSV in the record starting here ({exc})",
            row=next_line,
            expected='comma-separated fields, quoted fields closed by " and inner quotes doubled ("")',
        ) from exc
    if not records:
        raise InputFileError(path, "the file is empty", expected="a header line followed by data lines")
    return records


def read_header(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[str]:
    """The first record of the file, without reading the rest, once it is checked against `limits`."""
    check_readable(path, limits)
    try:
        with path.open("rb") as handle:
            utf16 = handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        with path.open(encoding="utf-16" if utf16 else "utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        # The text layer decodes ahead of the header, so the bad byte may be further down: name its line.
        _decode(path)
        raise InputFileError(path, "the header is not valid UTF-8", row=1, expected=_ENCODING_EXPECTED) from exc
    except csv.Error as exc:  # e.g. a header line longer than the csv module's field limit
        raise InputFileError(
            path, f"malformed CSV in the header ({exc})", row=1, expected="a header line of comma-separated names"
        ) from exc
    except OSError as exc:
        raise InputFileError(path, f"cannot be read ({exc.strerror or exc})", expected="a readable CSV file") from exc
    if not header:
        raise InputFileError(path, "the file is empty or starts with a blank line", row=1, expected="a header line")
    return header


def missing_required(header: Sequence[str], layout: Layout) -> list[Column]:
    keys = [header_key(name) for name in header]
    return [column for column in layout.required if not any(column.matches(key) for key in keys)]


def _output_names(path: Path, header: Sequence[str], layout: Layout) -> list[str]:
    """The output column name for each header position: the layout's name, else the snake_cased header."""
    names: list[str] = []
    for position, raw in enumerate(header, start=1):
        key = header_key(raw)
        known = next((column.name for column in layout.columns if key and column.matches(key)), None)
        names.append(known or snake_case(raw) or f"unnamed_{position}")
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in seen or name == "source_row":
            other = header[seen[name]] if name in seen else None
            problem = (
                f"columns {other!r} and {header[position]!r} both give {name!r}"
                if other is not None
                else f"column {header[position]!r} clashes with the lineage column source_row"
            )
            raise InputFileError(path, problem, row=1, column=header[position], expected="one column per field")
        seen[name] = position
    return names


def read_layout(path: Path, layout: Layout, limits: ReadLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """Read `path` as `layout`: known columns first, in layout order, then unknown ones, then source_row.

    A CSV file, or the first sheet of an Excel workbook (`.xlsx`), whose rows are numbered as Excel shows them;
    either is checked against `limits` (`pipeline.safe_files`) before it is read.
    """
    records = read_xlsx_records(path, limits) if path.suffix.lower() == ".xlsx" else read_records(path, limits)
    return records_to_layout(path, records, layout)


def read_xlsx_records(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[Record]:
    """The non-empty rows of a workbook's first sheet as text, with their Excel row numbers, once the file is
    checked against `limits`."""
    from openpyxl import load_workbook

    check_readable(path, limits)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise InputFileError(path, f"not a readable Excel workbook ({exc})", expected="an .xlsx workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        records = [
            (number, ["" if cell is None else str(cell) for cell in row])
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
            if any(cell not in (None, "") for cell in row)
        ]
    finally:
        workbook.close()
    if not records:
        raise InputFileError(path, "the workbook's first sheet is empty", expected="a header row followed by data rows")
    return records


def records_to_layout(path: Path, records: list[Record], layout: Layout) -> pd.DataFrame:
    """Records (header first) as `layout`, checking required columns and row widths."""
    header_line, header = records[0]
    header = [name.strip() for name in header]  # FingertipsNext lookups pad names with spaces

    missing = missing_required(header, layout)
    if missing:
        names = ", ".join(column.aliases[0] for column in missing)
        raise InputFileError(
            path,
            f"missing required column(s) {names}; header found: {quoted_header(header)}",
            row=header_line,
            column=missing[0].aliases[0] if len(missing) == 1 else None,
            expected=f"a {layout.label} header with {layout.describe_required()} (any case, spacing or order)",
        )

    names = _output_names(path, header, layout)
    required_positions = {
        position: header[position]
        for position, name in enumerate(names)
        if any(column.required and column.name == name for column in layout.columns)
    }
    width = len(header)
    cells: list[list[str | None]] = [[] for _ in names]
    source_rows: list[int] = []
    for line, fields in records[1:]:
        if len(fields) > width and any(fields[width:]):
            raise InputFileError(
                path,
                f"{len(fields)} fields but the header names {width} columns",
                row=line,
                expected="no more fields than header columns (empty trailing fields are tolerated)",
            )
        if len(fields) < width:
            # Short rows are padded (Fingertips' download omits its last column), unless a required cell is cut off.
            cut = [name for position, name in required_positions.items() if position >= len(fields)]
            if cut:
                raise InputFileError(
                    path,
                    f"only {len(fields)} fields for {width} columns, so required column {cut[0]!r} has no cell",
                    row=line,
                    column=cut[0],
                    expected="a field for every required column",
                )
        for position in range(width):
            value = fields[position] if position < len(fields) else ""
            cells[position].append(value if value != "" else None)
        source_rows.append(line)

    by_name = dict(zip(names, cells, strict=True))
    empty: list[str | None] = [None] * len(source_rows)
    known = [column.name for column in layout.columns]
    ordered = {name: by_name.get(name, empty) for name in known}
    ordered.update({name: values for name, values in by_name.items() if name not in ordered})
    frame = pd.DataFrame(ordered, dtype=object)
    frame["source_row"] = pd.Series(source_rows, dtype="int64")
    return frame
