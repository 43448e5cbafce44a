"""Qualtrics exports, CSV or XLSX, in each of the header layouts Qualtrics has written.

- current: row 1 export tags, row 2 question texts, row 3 `{"ImportId": "QID1"}` JSON;
- "Insights" (2016-17): the same three rows, the third a Python literal `{'ImportId': 'QID1'}`;
- legacy: two rows and no ImportIds: row 1 `V1`...`V10` for the respondent metadata, then export tags;
  row 2 the metadata field names (ResponseID, ..., Finished), then question texts.

The header rows are read with Python's csv module (question text may hold newlines); the responses of a
CSV are left for DuckDB's CSV reader to stream, so a wave of any size stays inside DuckDB (an XLSX sheet
is read into a frame). Columns are keyed by ImportId where the export has one. A legacy export keys a
question by its export tag, and a metadata field by the ImportId the current export gives the same field
(`Finished` -> `finished`, `ResponseID` -> `_recordId`), so waves exported either way line up. Respondent
metadata is kept, personal data (IP address, location, recipient names and e-mail, external reference)
is marked never to be read, and the identifiers that make a stable pseudonym are named (external
reference, else e-mail, else response id).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
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

# Qualtrics' own ImportIds for respondent metadata that identifies a person or a place.
PERSONAL_IMPORT_IDS = frozenset(
    {
        "ipAddress",
        "locationLatitude",
        "locationLongitude",
        "recipientLastName",
        "recipientFirstName",
        "recipientEmail",
        "externalDataReference",
    }
)
# Identifiers a pseudonym can be derived from, most stable first: the same person keeps the same
# external reference (or e-mail address) across waves, while the response id is new each wave.
RESPONDENT_ID_IMPORT_IDS = ("externalDataReference", "recipientEmail", "_recordId")
# Response metadata Qualtrics adds to every export: loaded, never reported as an unmapped question.
METADATA_IMPORT_IDS = frozenset(
    {
        "startDate",
        "endDate",
        "status",
        "progress",
        "duration",
        "finished",
        "recordedDate",
        "distributionChannel",
        "userLanguage",
    }
)
# The "Insights" exports spelled some metadata ImportIds differently: each is treated as its current twin.
INSIGHTS_IMPORT_IDS = {
    "responseId": "_recordId",
    "panel-RecipientLastName": "recipientLastName",
    "panel-RecipientFirstName": "recipientFirstName",
    "panel-RecipientEmail": "recipientEmail",
    "panel-ExternalDataReference": "externalDataReference",
    "Location-LocationLatitude": "locationLatitude",
    "Location-LocationLongitude": "locationLongitude",
}
# Metadata only older exports have (the response set, the accuracy of the location): loaded.
OLDER_METADATA_IDS = frozenset({"responseSetId", "Location-LocationAccuracy", "ResponseSet", "LocationAccuracy"})
# The legacy export's metadata fields, by the ImportId the current export gives the same field; a field
# with no twin keeps its legacy name ("Name" is the panel recipient's name, hence personal).
LEGACY_FIELDS = {
    "ResponseID": "_recordId",
    "ResponseSet": "ResponseSet",
    "Name": "Name",
    "ExternalDataReference": "externalDataReference",
    "EmailAddress": "recipientEmail",
    "RecipientEmail": "recipientEmail",
    "RecipientLastName": "recipientLastName",
    "RecipientFirstName": "recipientFirstName",
    "IPAddress": "ipAddress",
    "Status": "status",
    "StartDate": "startDate",
    "EndDate": "endDate",
    "Finished": "finished",
    "LocationLatitude": "locationLatitude",
    "LocationLongitude": "locationLongitude",
    "LocationAccuracy": "LocationAccuracy",
}
_LEGACY_PERSONAL_IDS = frozenset({"Name"})
_LEGACY_TAG = re.compile(r"V\d+")

LOOKS_FOR = (
    "a third header row of ImportIds ({\"ImportId\": ...} or {'ImportId': ...}),"
    " or the legacy two header rows (V1, V2, ... over ResponseID, ResponseSet, ...)"
)
EXPECTED = f"a Qualtrics export: {LOOKS_FOR}"


@dataclass(frozen=True)
class _Header:
    """A parsed header: the columns that have one, the names to read every column by, and its height."""

    columns: list[SurveyColumn]
    names: list[str]
    headerless: list[str]
    rows: int


def looks_like(rows: list[list[str]]) -> bool:
    """Whether the first rows of a file are a Qualtrics header (ImportId row, or the legacy two rows)."""
    return _has_import_id_row(rows) or _is_legacy(rows)


def read_header(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[tuple[str, str, str]]:
    """Read and check the three header rows of a Qualtrics CSV export: (export tag, question text, ImportId)."""
    return _import_id_header(path, read_csv_head(path, 3, EXPECTED, limits).rows)


def read_qualtrics_csv(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> SurveyExport:
    """A Qualtrics CSV export (three header rows, or the legacy two) as a `SurveyExport` streamed by DuckDB."""
    head = read_csv_head(path, 3, EXPECTED, limits)
    header = _parse_header(path, head.rows)
    responses = csv_responses(path, header.names, head, header.rows, EXPECTED, header.headerless)
    return _export(path, header, responses)


def read_qualtrics_xlsx(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> SurveyExport:
    """A Qualtrics XLSX export: the same header rows as the CSV, in the first worksheet."""
    rows = read_xlsx_rows(path, EXPECTED, limits=limits)
    header = _parse_header(path, [[cell or "" for cell in row] for row in rows[:3]])
    width = len(header.columns)
    responses = sheet_responses(path, header.names[:width], rows[header.rows :], first_row=header.rows + 1)
    return _export(path, header, responses)


def _export(path: Path, header: _Header, responses: str | pd.DataFrame) -> SurveyExport:
    canonical = {_canonical(c.source_id): c.name for c in header.columns if c.kind == "respondent_id"}
    ids = [canonical[i] for i in RESPONDENT_ID_IMPORT_IDS if i in canonical]
    if not ids:
        raise InputFileError(path, "no respondent identifier column", expected="ResponseId (ImportId _recordId)")
    return SurveyExport(path=path, tool="qualtrics", columns=header.columns, responses=responses, respondent_ids=ids)


def _parse_header(path: Path, rows: list[list[str]]) -> _Header:
    if not _has_import_id_row(rows) and _is_legacy(rows):
        return _legacy_header(path, rows)
    header = _import_id_header(path, rows)
    names = distinct_names(tag or import_id for tag, _, import_id in header)
    source_ids = distinct_names(import_id for _, _, import_id in header)
    columns = [
        SurveyColumn(position, name, text, source_id, _kind(_canonical(import_id)))
        for position, (name, source_id, (_, text, import_id)) in enumerate(
            zip(names, source_ids, header, strict=True), start=1
        )
    ]
    return _Header(columns, names, [], 3)


def _import_id_header(path: Path, rows: list[list[str]]) -> list[tuple[str, str, str]]:
    names, texts, ids = header_rows(path, rows, 3, "export tags, question texts and ImportId rows")
    columns = []
    for name, text, cell in zip(names, texts, ids, strict=True):
        import_id = _import_id(cell)
        if import_id is None:
            raise InputFileError(
                path,
                f"header cell {cell!r} is not a Qualtrics ImportId",
                row=3,
                column=name,
                expected="{\"ImportId\": \"...\"} JSON (or the older {'ImportId': '...'}), or a legacy two-row header",
            )
        columns.append((name, text, import_id))
    return columns


def _legacy_header(path: Path, rows: list[list[str]]) -> _Header:
    """The legacy two rows: metadata under V1..V10 (or their own name), then export tag over question text."""
    tags, texts = header_rows(path, rows, 2, "export tags (V1, V2, ...) over field names and question texts")
    width = headed_width([tags, texts])
    entries = []
    for position, (tag, text) in enumerate(zip(tags[:width], texts[:width], strict=True), start=1):
        field = _legacy_field(tag, text)
        if field is not None:
            entries.append((field, LEGACY_FIELDS[field], text))
        else:
            label = tag.strip() or f"column_{position}"
            entries.append((label, label, text))
    names = distinct_names(
        [name for name, _, _ in entries] + [f"_unheaded_{i}" for i in range(width + 1, len(tags) + 1)]
    )
    source_ids = distinct_names(source_id for _, source_id, _ in entries)
    columns = [
        SurveyColumn(position, name, text, source_id, _kind(source_id))
        for position, (name, source_id, (_, _, text)) in enumerate(
            zip(names[:width], source_ids, entries, strict=True), start=1
        )
    ]
    return _Header(columns, names, names[width:], 2)


def _import_id(cell: str) -> str | None:
    """The ImportId in a third-row cell: JSON (current exports) or a Python dict literal (Insights)."""
    text = cell.strip()
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = ast.literal_eval(text)  # literals only: nothing in the file is executed
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    import_id = value.get("ImportId") if isinstance(value, dict) else None
    return str(import_id) if isinstance(import_id, str) and import_id else None


def _has_import_id_row(rows: list[list[str]]) -> bool:
    return len(rows) >= 3 and bool(rows[2]) and all(_import_id(cell) is not None for cell in rows[2])


def _is_legacy(rows: list[list[str]]) -> bool:
    return len(rows) >= 2 and any(
        _legacy_field(tag, text) == "ResponseID" for tag, text in zip(rows[0], rows[1], strict=False)
    )


def _legacy_field(tag: str, text: str) -> str | None:
    """The metadata field a legacy column holds: its name in row 2, under `V<n>` or under itself."""
    text = text.strip()
    if text in LEGACY_FIELDS and (_LEGACY_TAG.fullmatch(tag.strip()) or tag.strip() == text):
        return text
    return None


def _canonical(import_id: str) -> str:
    return INSIGHTS_IMPORT_IDS.get(import_id, import_id)


def _kind(import_id: str) -> str:
    if import_id in RESPONDENT_ID_IMPORT_IDS:
        return "respondent_id"
    if import_id in PERSONAL_IMPORT_IDS or import_id in _LEGACY_PERSONAL_IDS:
        return "personal"
    if import_id == "startDate":
        return "started_at"
    return "metadata" if import_id in METADATA_IMPORT_IDS or import_id in OLDER_METADATA_IDS else "answer"
