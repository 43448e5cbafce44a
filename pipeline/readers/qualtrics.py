"""Qualtrics CSV exports: three header rows (export tag, question text, `{"ImportId": ...}`), then responses.

The header rows are read with Python's csv module (question text may hold newlines); the responses are
streamed by DuckDB's CSV reader and unpivoted to one row per respondent and answered column, so a wave
of any size stays inside DuckDB. Personal-data columns are never selected: the respondent's identifier
(external reference, else e-mail, else response id) becomes a keyed pseudonym, and free text is redacted.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.errors import InputFileError
from pipeline.privacy import hmac_sql, redact_sql
from pipeline.warehouse import quote_identifier, sql_literal

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


@dataclass(frozen=True)
class QualtricsColumn:
    """One column of an export as its three header rows describe it."""

    position: int
    name: str
    question_text: str
    import_id: str


def read_header(path: Path) -> list[QualtricsColumn]:
    """Read and check the three header rows of a Qualtrics CSV export."""
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
    for position, (name, text, cell) in enumerate(zip(names, texts, ids, strict=False), start=1):
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
        columns.append(QualtricsColumn(position, name, text, str(import_id)))
    return columns


def _unique_names(columns: list[QualtricsColumn]) -> list[str]:
    """Column names for DuckDB: Qualtrics can repeat an export tag, so later repeats get a suffix."""
    seen: dict[str, int] = {}
    names = []
    for column in columns:
        count = seen.get(column.name, 0)
        seen[column.name] = count + 1
        names.append(column.name if count == 0 else f"{column.name}__{count + 1}")
    return names


def load_answers(
    con: duckdb.DuckDBPyConnection, path: Path, key: bytes
) -> tuple[duckdb.DuckDBPyRelation, list[QualtricsColumn]]:
    """Stream an export into a long relation of non-empty answers, without personal-data columns.

    Returns the relation (respondent_row, respondent_key, column_name, import_id, answer) on `con`
    and the header description of every column, kept or not. `respondent_row` is the response's
    position after the three header rows.
    """
    columns = read_header(path)
    names = _unique_names(columns)
    by_import_id = {column.import_id: name for column, name in zip(columns, names, strict=False)}
    id_sources = [by_import_id[i] for i in RESPONDENT_ID_IMPORT_IDS if i in by_import_id]
    if not id_sources:
        raise InputFileError(path, "no respondent identifier column", expected="ResponseId (ImportId _recordId)")
    identifier = "coalesce(" + ", ".join(f"nullif(trim({quote_identifier(n)}), '')" for n in id_sources) + ")"
    kept = [
        (c, n)
        for c, n in zip(columns, names, strict=False)
        if c.import_id not in PERSONAL_IMPORT_IDS and c.import_id != "_recordId"
    ]

    read_responses = (
        f"read_csv({sql_literal(str(path))}, header = false, skip = 3, all_varchar = true, delim = ',',"
        f" quote = '\"', escape = '\"', null_padding = true, names = [{', '.join(sql_literal(n) for n in names)}])"
    )
    import_ids = ", ".join(f"({sql_literal(n)}, {sql_literal(c.import_id)})" for c, n in kept)
    answers = con.sql(
        f"""
        WITH source AS (
            SELECT row_number() OVER () AS respondent_row, * FROM {read_responses}
        ),
        responses AS (
            SELECT respondent_row, {hmac_sql(identifier, key)} AS respondent_key,
                   {", ".join(quote_identifier(n) for _, n in kept)}
            FROM source
        ),
        long AS (
            UNPIVOT responses ON {", ".join(quote_identifier(n) for _, n in kept)}
            INTO NAME column_name VALUE answer
        )
        SELECT respondent_row, respondent_key, column_name, import_id, {redact_sql("answer")} AS answer
        FROM long JOIN (VALUES {import_ids}) AS header(column_name, import_id) USING (column_name)
        WHERE trim(answer) <> ''
        """
    )
    return answers, columns
