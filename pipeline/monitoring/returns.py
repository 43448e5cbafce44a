"""Partnerships' monitoring returns: the values of their own process and output indicators, period by period.

Three layouts, told apart by their content (CSV or the first sheet of an `.xlsx` workbook):
- **long**: one row per value, with columns partnership_id, indicator_id, period, value;
- **wide**: one row per indicator, partnership_id and indicator_id columns, then one column per period
  (`2024-04`, `Apr 2024`, `April 2024`, `2024 Q2`, or a date cell in Excel);
- **header block**: a few "Label: value" lines first ("Partnership: P03", "Indicator: P03-OUT1", "Owner: ...",
  one cell each or label and value in two cells), then a long or wide table whose missing id columns the
  block fills in.
Values and periods are kept as received (text); staging parses them and quarantines what does not parse.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from pipeline.csv_layout import header_key, read_records, read_xlsx_records
from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits

RETURN_SUFFIXES = (".csv", ".xlsx")
RAW_COLUMNS = ["partnership_id", "indicator_id", "period", "value", "layout"]
ID_COLUMNS = {"partnership_id": ("partnershipid", "partnership"), "indicator_id": ("indicatorid", "indicator")}
BLOCK_LABELS = {"partnership": "partnership_id", "partnershipid": "partnership_id", "indicator": "indicator_id",
                "indicatorid": "indicator_id"}  # fmt: skip
MAX_BLOCK_LINES = 10  # a header block is "a few lines"; more than this and the table header was not found

_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T]00:00(?::00)?)?$")
_NAMED_MONTH = re.compile(r"^([A-Za-z]{3,9})[\s\-]+(\d{4})$")
_QUARTER = re.compile(r"^(?:(\d{4})[\s\-]*Q([1-4])|Q([1-4])[\s\-]*(\d{4}))$", re.IGNORECASE)
EXPECTED_PERIOD = "a month as 2024-04, Apr 2024 or April 2024 (or a date on the 1st), or a calendar quarter as 2024 Q2"


def parse_period(text: object) -> date | None:
    """The first day of the month (or calendar quarter) `text` names, or None when it names none.

    Quarters are calendar quarters: 2024 Q1 is January to March 2024 (its first month stands for it)."""
    if isinstance(text, datetime | date):
        return date(text.year, text.month, 1) if text.day == 1 else None
    value = str(text).strip() if text is not None else ""
    if match := _ISO_MONTH.match(value):
        year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
        return date(year, month, 1) if 1 <= month <= 12 and day == 1 and 1900 < year < 2200 else None
    if match := _NAMED_MONTH.match(value):
        name = match[1].lower()
        month = next((n for m, n in _MONTHS.items() if name == m or (len(name) > 3 and _full(m) == name)), None)
        return date(int(match[2]), month, 1) if month else None
    if match := _QUARTER.match(value):
        year, quarter = (int(match[1]), int(match[2])) if match[1] else (int(match[4]), int(match[3]))
        return date(year, 3 * quarter - 2, 1)
    return None


def _full(abbreviation: str) -> str:
    return date(2000, _MONTHS[abbreviation], 1).strftime("%B").lower()


def _block_line(fields: list[str]) -> tuple[str, str] | None:
    """A header-block line's (label, value): "Label: value" in one cell, or "Label:" and the value in the next."""
    cells = [f.strip() for f in fields if f and f.strip()]
    if not cells or len(cells) > 2 or ":" not in cells[0]:
        return None
    label, _, rest = cells[0].partition(":")
    value = rest.strip() or (cells[1] if len(cells) == 2 else "")
    return (header_key(label), value) if label.strip() else None


def read_returns(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """One monitoring return as text rows (partnership_id, indicator_id, period, value, layout, source_row), in
    whichever of the three layouts it is; the file is checked against `limits` first."""
    records = read_xlsx_records(path, limits) if path.suffix.lower() == ".xlsx" else read_records(path, limits)
    block: dict[str, str] = {}
    position = 0
    while position < len(records) and (line := _block_line(records[position][1])) is not None:
        label, value = line
        if label in BLOCK_LABELS:
            block[BLOCK_LABELS[label]] = value
        position += 1
        if position > MAX_BLOCK_LINES:
            break
    if position >= len(records) or position > MAX_BLOCK_LINES:
        raise InputFileError(
            path,
            "no table header found after the header block",
            row=records[min(position, len(records) - 1)][0],
            expected=f"at most {MAX_BLOCK_LINES} 'Label: value' lines, then a header row",
        )
    header_line, header = records[position]
    keys = [header_key(name) for name in header]
    rows = records[position + 1 :]
    ids = {name: next((i for i, k in enumerate(keys) if k in aliases), None) for name, aliases in ID_COLUMNS.items()}
    layout = "header block" if block else None
    for name, index in ids.items():
        if index is None and name not in block:
            raise InputFileError(
                path,
                f"no {name} column and no header-block line giving it; header found: {header}",
                row=header_line,
                column=name,
                expected=f"a {name} column, or a line such as '{name.split('_')[0].title()}: ...' above the table",
            )
    out: list[dict[str, object]] = []

    def cell(fields: list[str], index: int | None) -> str | None:
        return fields[index].strip() or None if index is not None and index < len(fields) and fields[index] else None

    def ids_of(fields: list[str]) -> dict[str, object]:
        return {name: cell(fields, index) if index is not None else block[name] for name, index in ids.items()}

    if "period" in keys and "value" in keys:
        period, value = keys.index("period"), keys.index("value")
        for line, fields in rows:
            out.append({**ids_of(fields), "period": cell(fields, period), "value": cell(fields, value),
                        "layout": layout or "long", "source_row": line})  # fmt: skip
    else:
        periods = [i for i, name in enumerate(header) if parse_period(name) is not None]
        if not periods:
            raise InputFileError(
                path,
                f"neither period and value columns nor any period column; header found: {header}",
                row=header_line,
                expected=f"columns period and value (long layout), or one column per period ({EXPECTED_PERIOD})",
            )
        for line, fields in rows:
            for index in periods:
                value = cell(fields, index)
                if value is not None:  # an empty cell is a period not returned, which staging lists as such
                    out.append({**ids_of(fields), "period": str(header[index]).strip(), "value": value,
                                "layout": layout or "wide", "source_row": line})  # fmt: skip
    frame = pd.DataFrame(out, columns=[*RAW_COLUMNS, "source_row"], dtype=object)
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame
