"""Qualtrics CSV exports: three header rows (export tag, question text, `{"ImportId": ...}`), then responses.

The header rows are read with Python's csv module (question text may hold newlines); the responses are
left for DuckDB's CSV reader to stream, so a wave of any size stays inside DuckDB. Columns are keyed by
ImportId: respondent metadata is kept, personal data (IP address, location, recipient names and e-mail,
external reference) is marked never to be read, and the identifiers that make a stable pseudonym are named
(external reference, else e-mail, else response id).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.readers.surveys import SurveyColumn, SurveyExport, unique_names
from pipeline.warehouse import sql_literal

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


def read_header(path: Path) -> list[tuple[str, str, str]]:
    """Read and check the three header rows of a Qualtrics CSV export: (export tag, question text, ImportId)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            rows = [next(reader, None) for _ in range(3)]
    except UnicodeDecodeError as error:
        raise InputFileError(
            path, f"not UTF-8 text ({error.reason} at byte {error.start})", expected="a UTF-8 Qualtrics CSV export"
        ) from error
    except csv.Error as error:
        raise InputFileError(path, f"unreadable CSV: {error}", expected="a Qualtrics CSV export") from error
    if any(row is None for row in rows):
        raise InputFileError(
            path, "fewer than three header rows", expected="export tags, question texts and ImportId rows"
        )
    names, texts, ids = rows
    if not (len(names) == len(texts) == len(ids)):
        raise InputFileError(
            path,
            f"header rows have {len(names)}, {len(texts)} and {len(ids)} cells",
            row=3,
            expected="three header rows of equal length",
        )
    columns = []
    for name, text, cell in zip(names, texts, ids, strict=True):
        try:
            import_id = json.loads(cell)["ImportId"]
        except (ValueError, TypeError, KeyError) as error:
            raise InputFileError(
                path,
                f"header cell {cell!r} is not a Qualtrics ImportId",
                row=3,
                column=name,
                expected='{"ImportId": "..."} JSON',
            ) from error
        columns.append((name, text, str(import_id)))
    return columns


def read_qualtrics_csv(path: Path) -> SurveyExport:
    """A Qualtrics CSV export (three header rows) as a `SurveyExport` streamed by DuckDB's CSV reader."""
    header = read_header(path)
    names = unique_names([name for name, _, _ in header])
    columns = [
        SurveyColumn(position, name, text, import_id, _kind(import_id))
        for position, (name, (_, text, import_id)) in enumerate(zip(names, header, strict=True), start=1)
    ]
    by_import_id = {c.source_id: c.name for c in columns}
    responses = (
        f"read_csv({sql_literal(str(path))}, header = false, skip = 3, all_varchar = true, delim = ',',"
        f" quote = '\"', escape = '\"', null_padding = true, names = [{', '.join(sql_literal(n) for n in names)}])"
    )
    ids = [by_import_id[i] for i in RESPONDENT_ID_IMPORT_IDS if i in by_import_id]
    if not ids:
        raise InputFileError(path, "no respondent identifier column", expected="ResponseId (ImportId _recordId)")
    return SurveyExport(path=path, tool="qualtrics", columns=columns, responses=responses, respondent_ids=ids)


def _kind(import_id: str) -> str:
    if import_id in RESPONDENT_ID_IMPORT_IDS:
        return "respondent_id"
    if import_id in PERSONAL_IMPORT_IDS:
        return "personal"
    if import_id == "startDate":
        return "started_at"
    return "metadata" if import_id in METADATA_IMPORT_IDS else "answer"
