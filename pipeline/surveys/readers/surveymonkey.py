"""SurveyMonkey exports (CSV or XLSX, the expanded "all responses" layout): two header rows, then responses.

Row 1 holds each question over its first column and is blank over the continuation columns of a
multiple-choice, matrix or "other" question. Row 2 says what a column holds: "Response" or "Open-Ended
Response" under a single-column question, the option (or matrix row) label otherwise, and nothing under
the respondent metadata (Respondent ID, Collector ID, Start Date, End Date, IP Address, Email Address,
First Name, Last Name, Custom Data 1, ...). SurveyMonkey exports no question ids, so a column's source_id
is its question text, or `question | option` where row 2 names an option (the question carried forward
from the left).

A file re-saved through pandas (`DataFrame.to_csv`) shows it: "Unnamed: N" where row 1 was blank, and a
leading index column (blank over "0", the original row 2 having become data row 0). The first is read
as blank, the second as metadata.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits
from pipeline.surveys.readers.export import SurveyColumn, SurveyExport
from pipeline.surveys.readers.files import (
    csv_responses,
    distinct_names,
    headed_width,
    header_rows,
    read_csv_head,
    read_xlsx_rows,
    sheet_responses,
)

# The respondent metadata SurveyMonkey puts before the questions, and what ingest does with each.
METADATA_COLUMNS = {
    "Respondent ID": "respondent_id",
    "Collector ID": "metadata",
    "Start Date": "started_at",
    "End Date": "metadata",
    "IP Address": "personal",
    "Email Address": "respondent_id",
    "First Name": "personal",
    "Last Name": "personal",
}
# "Custom Data 1", ...: values the sender attached to a contact (often an identifier): never read.
_CUSTOM_DATA = re.compile(r"Custom Data \d+")
# Identifiers for the pseudonym, most stable first: a contact's e-mail outlives the per-survey respondent id.
RESPONDENT_ID_COLUMNS = ("Email Address", "Respondent ID")
ANSWER_MARKERS = frozenset({"Response", "Open-Ended Response"})
OPTION_SEPARATOR = " | "
INDEX_COLUMN = "index"
_UNNAMED = re.compile(r"Unnamed: \d+")  # pandas' name for a blank header cell

LOOKS_FOR = (
    'two header rows, "Response" or "Open-Ended Response" in row 2 (or "Respondent ID" first in row 1 over a blank)'
)
EXPECTED = f"a SurveyMonkey export: {LOOKS_FOR}"


def looks_like(rows: list[list[str]]) -> bool:
    """Whether the first rows of a file are a SurveyMonkey header."""
    if len(rows) < 2 or not rows[0]:
        return False
    markers = ANSWER_MARKERS & {cell.strip() for cell in rows[1]}
    return bool(markers) or (rows[0][0].strip() == "Respondent ID" and not rows[1][0].strip())


def read_surveymonkey_csv(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> SurveyExport:
    """A SurveyMonkey CSV export as a `SurveyExport` streamed by DuckDB's CSV reader."""
    head = read_csv_head(path, 2, EXPECTED, limits)
    columns, names, headerless = _parse_header(path, head.rows)
    return _export(path, columns, csv_responses(path, names, head, 2, EXPECTED, headerless))


def read_surveymonkey_xlsx(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> SurveyExport:
    """A SurveyMonkey XLSX export: the same two header rows, in the first worksheet."""
    rows = read_xlsx_rows(path, EXPECTED, limits=limits)
    columns, names, _ = _parse_header(path, [[cell or "" for cell in row] for row in rows[:2]])
    return _export(path, columns, sheet_responses(path, names[: len(columns)], rows[2:], first_row=3))


def _export(path: Path, columns: list[SurveyColumn], responses: str | pd.DataFrame) -> SurveyExport:
    by_header = {c.question_text: c.name for c in columns if c.kind == "respondent_id"}
    ids = [by_header[header] for header in RESPONDENT_ID_COLUMNS if header in by_header]
    return SurveyExport(path=path, tool="surveymonkey", columns=columns, responses=responses, respondent_ids=ids)


def _parse_header(path: Path, rows: list[list[str]]) -> tuple[list[SurveyColumn], list[str], list[str]]:
    """The columns (question carried forward over continuation columns), every column's name, and the
    names of the trailing columns that have no header."""
    questions, labels = header_rows(path, rows, 2, "question texts over Response or option labels")
    if not looks_like([questions, labels]):
        raise InputFileError(path, "not a SurveyMonkey export", row=2, expected=LOOKS_FOR)
    questions = [_cell(cell) for cell in questions]
    labels = [_cell(cell) for cell in labels]
    width = headed_width([questions, labels])
    entries: list[tuple[str, str, str]] = []  # (source_id, question_text, kind)
    question = None
    for position, (cell, label) in enumerate(zip(questions[:width], labels[:width], strict=True), start=1):
        if position == 1 and not cell and label == "0":
            entries.append((INDEX_COLUMN, "", "metadata"))
            continue
        kind = _metadata_kind(cell) if not label else None
        if kind is not None:
            entries.append((cell, cell, kind))
            continue
        if cell:
            question = cell
        elif question is None:
            raise InputFileError(
                path, "an option column before any question", row=1, column=label, expected="a question in row 1"
            )
        single = cell and (not label or label in ANSWER_MARKERS)
        entries.append((question if single else f"{question}{OPTION_SEPARATOR}{label}", question, "answer"))
    source_ids = distinct_names(source_id for source_id, _, _ in entries)
    names = distinct_names(source_ids + [f"_unheaded_{i}" for i in range(width + 1, len(questions) + 1)])
    columns = [
        SurveyColumn(position, name, text, source_id, kind)
        for position, (name, source_id, (_, text, kind)) in enumerate(
            zip(names[:width], source_ids, entries, strict=True), start=1
        )
    ]
    return columns, names, names[width:]


def _cell(text: str) -> str:
    text = text.strip()
    return "" if _UNNAMED.fullmatch(text) else text


def _metadata_kind(header: str) -> str | None:
    if header in METADATA_COLUMNS:
        return METADATA_COLUMNS[header]
    return "personal" if _CUSTOM_DATA.fullmatch(header) else None
