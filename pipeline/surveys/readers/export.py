"""Survey exports from any tool, as one shape: a description of every column and a table of responses.

Each tool's reader (`pipeline/surveys/readers/qualtrics.py`, ...) returns a `SurveyExport`.
`load_responses` then turns any export into the same relation inside DuckDB: one row per response with its
answers as one list, personal-data columns never selected, the respondent's identifier replaced by a keyed
pseudonym and free text redacted (`load_answers`: the same, one row per answer). `read_survey` picks the
reader by sniffing the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import InputFileError
from pipeline.privacy import hmac_sql, redact_sql, register_redaction
from pipeline.warehouse import load_sql, quote_identifier

COLUMN_KINDS = ("answer", "metadata", "started_at", "personal", "respondent_id")
LOADED_KINDS = ("answer", "metadata", "started_at")
# The connection's temporary table `load_responses` keeps an export's responses in (`drop_processed_responses`).
PROCESSED_RESPONSES = "_processed_responses"
# How tools write the time a response started (DuckDB strptime formats), tried in order.
STARTED_AT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%Y/%m/%d %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p",  # SurveyMonkey CSV: 02/13/2020 10:43:33 AM
    # Google Forms ends the timestamp with the form's time-zone abbreviation (2018/04/09 2:30:02 PM MDT),
    # which DuckDB's %Z does not read: the usual ones are spelt out, keeping the local time as for other tools.
    *(
        f"%Y/%m/%d %I:%M:%S %p {zone}"
        for zone in ("GMT", "BST", "UTC", "CET", "CEST", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT")
    ),
]


@dataclass(frozen=True)
class SurveyColumn:
    """One column of an export.

    `name` is unique within the export and names the column in `SurveyExport.responses`; `source_id` is
    what the instrument map (`reference/survey_instrument.csv`, per tool) keys on: the Qualtrics ImportId,
    the SPSS variable name, or the question text (and option) where a tool has no ids. `kind` says how
    ingest treats it: `answer` and `metadata` are loaded, `started_at` is the metadata column holding
    when the response started (it orders the waves), `personal` is never read, and `respondent_id` is
    read only to derive the pseudonym (and never stored).
    """

    position: int
    name: str
    question_text: str
    source_id: str
    kind: str = "answer"


@dataclass(frozen=True)
class CsvResponses:
    """The responses of a CSV export, streamed by DuckDB rather than read into memory: the file, its
    column names (one per column, in order) and how many header records come before the responses."""

    path: Path
    names: list[str]
    header_rows: int
    encoding: str = "utf-8"  # or "utf-16", for a file that starts with its byte-order mark

    def relation(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
        """One row per response, one VARCHAR column per name; nothing is sniffed."""
        columns = dict.fromkeys(self.names, "VARCHAR")
        return con.sql(
            load_sql(__file__, "read_csv"),
            params={"path": str(self.path), "skip": self.header_rows, "columns": columns, "encoding": self.encoding},
        )


@dataclass(frozen=True)
class SurveyExport:
    """A survey export as the tool wrote it: which tool, its columns, and its responses.

    `responses` is either a CSV to stream with DuckDB (`CsvResponses`, for exports large enough to need
    it) or a DataFrame; either way one row per response, columns named by `SurveyColumn.name`,
    values as text exactly as exported (value labels where the tool stores codes with labels).
    `respondent_ids` names the identifier columns, most stable first (an e-mail or external reference
    outlives a per-wave response id), so one person keeps one pseudonym across waves.
    """

    path: Path
    tool: str
    columns: list[SurveyColumn]
    responses: CsvResponses | pd.DataFrame
    respondent_ids: list[str]

    def column(self, name: str) -> SurveyColumn:
        return next(c for c in self.columns if c.name == name)


def is_loaded(column: SurveyColumn) -> bool:
    """Whether ingest keeps the column's values (personal data and identifiers it never reads)."""
    return column.kind in LOADED_KINDS


def loaded_columns(export: SurveyExport) -> list[SurveyColumn]:
    """The columns ingest keeps, in the export's order: their answers are `load_responses`' `answers`."""
    return [c for c in export.columns if is_loaded(c)]


def load_responses(con: duckdb.DuckDBPyConnection, export: SurveyExport, key: bytes) -> duckdb.DuckDBPyRelation:
    """The export as received, one row per response: (respondent_row, respondent_key, answers).

    `respondent_row` is the response's position in the export (1 = first response); `answers` holds the
    value of each of `loaded_columns(export)` in order, an empty or all-space answer as NULL (a response
    with no answer at all is left out). Only the loaded kinds of column are selected, so personal data
    never enters the warehouse. Without any identifier column, the pseudonym is derived from the file and
    row (stable for that file only).

    The export is read, keyed and redacted when this is called, into a temporary table of `con` that holds
    no identifier and lasts until `drop_processed_responses` or the connection's end; the relation returned
    numbers those responses and leaves out the empty ones.
    """
    kept = loaded_columns(export)
    if not kept:
        raise InputFileError(export.path, "no answer columns", expected="at least one question column")
    # Nothing read from the file becomes SQL text: the file name is a bound parameter, the columns quoted
    # identifiers; the responses are this connection's view `_responses`.
    responses = (
        con.from_df(export.responses.astype("string"))
        if isinstance(export.responses, pd.DataFrame)
        else export.responses.relation(con)
    )
    # A view of this connection only: a view stored in the warehouse would keep reading the whole export,
    # personal columns included, for anyone who opens it (older versions left one: it is dropped).
    con.execute("DROP VIEW IF EXISTS main._responses")
    con.register("_responses", responses)
    register_redaction(con)
    # Only answers are redacted: the tool's own metadata (dates, progress, duration, status) holds no free
    # text, and regular expressions over every timestamp cost a third of the load. trim(answer) = '' is
    # tested only where an answer starts with a space, the only way it can be all spaces.
    values = ", ".join(f"{loaded_value_sql(c)}::VARCHAR" for c in kept)
    identifier = respondent_identifier_sql(export)
    # In two statements, so the heavy one runs on every core: numbering the rows as they are read
    # (`row_number() OVER ()`) would hold the whole read, redaction and keying to one thread. The first
    # keeps each response in file order (DuckDB preserves insertion order), holding pseudonyms and no
    # identifier; the second numbers them by `rowid`, which follows that order, and keys a response
    # without an identifier by its file and position.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {PROCESSED_RESPONSES} AS
        SELECT {hmac_sql(identifier, key) if identifier else "NULL::VARCHAR"} AS respondent_key,
               list_transform(
                   [{values}],
                   lambda answer: CASE WHEN answer = '' OR (starts_with(answer, ' ') AND trim(answer) = '')
                                  THEN NULL ELSE answer END
               ) AS answers
        FROM _responses
        """
    )
    by_position = hmac_sql("$file_name || ':' || respondent_row::VARCHAR", key)
    return con.sql(
        f"""
        SELECT respondent_row, coalesce(respondent_key, {by_position}) AS respondent_key, answers
        FROM (SELECT rowid + 1 AS respondent_row, * FROM temp.{PROCESSED_RESPONSES})
        WHERE list_count(answers) > 0
        """,
        params={"file_name": export.path.name},
    )


def drop_processed_responses(con: duckdb.DuckDBPyConnection) -> None:
    """Free the memory `load_responses` holds until the connection closes (a national wave's answers)."""
    con.execute(f"DROP TABLE IF EXISTS temp.{PROCESSED_RESPONSES}")


def load_answers(con: duckdb.DuckDBPyConnection, export: SurveyExport, key: bytes) -> duckdb.DuckDBPyRelation:
    """The export as a long relation: (respondent_row, respondent_key, column_name, source_id, answer), one
    row per response and answered column: `load_responses` unnested, as `raw.survey_answers` shows a wave."""
    kept = loaded_columns(export)
    con.register("_wave_rows", load_responses(con, export, key))  # a view of this connection only
    return con.sql(
        """
        SELECT respondent_row, respondent_key, $column_names[i] AS column_name, $source_ids[i] AS source_id,
               answers[i] AS answer
        FROM (SELECT *, unnest(range(1, len(answers) + 1)) AS i FROM _wave_rows)
        WHERE answers[i] IS NOT NULL
        """,
        params={"column_names": [c.name for c in kept], "source_ids": [c.source_id for c in kept]},
    )


def respondent_identifier_sql(export: SurveyExport) -> str | None:
    """SQL for the identifier a response's pseudonym is derived from: its first non-empty identifier column
    (NULL when all are empty), or None for an export without identifier columns. A response without an
    identifier is keyed by the file name and its position instead (`load_responses`)."""
    if not export.respondent_ids:
        return None
    parts = ", ".join(f"nullif(trim({quote_identifier(n)}), '')" for n in export.respondent_ids)
    return f"coalesce({parts})"


def loaded_value_sql(column: SurveyColumn) -> str:
    """SQL for a loaded column's value as stored: answers redacted, the tool's own metadata as exported."""
    return redact_sql(quote_identifier(column.name)) if column.kind == "answer" else quote_identifier(column.name)


Reader = Callable[[Path], SurveyExport]
