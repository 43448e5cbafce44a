"""The DuckDB warehouse: schemas, the load ledger, idempotent raw loads and quarantine.

Every raw row carries `source_file` (path relative to the drop zone), `loaded_at` and, where the
reader knows it, `source_row`. The ledger `raw._load_ledger` holds the content hash of each file
loaded into each table, so loading the same bytes again changes nothing and a corrected file replaces
exactly the rows that came from it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.privacy import redact_sql, register_redaction

SCHEMAS = ("raw", "staging", "quarantine", "marts")

# The shape of the raw tables the readers produce. Bump it whenever a reader's output columns change:
# raw tables loaded under another version are dropped and every file is loaded again. Also bump it when
# what ingest keeps out changes (3: excerpts redacted at ingest, personal columns found by header and
# values), so rows stored under the older rules do not outlive them.
RAW_LAYOUT_VERSION = 3

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS raw._load_ledger (
    table_name     VARCHAR NOT NULL,
    source_file    VARCHAR NOT NULL,
    content_hash   VARCHAR NOT NULL,
    rows_loaded    BIGINT  NOT NULL,
    loaded_at      TIMESTAMPTZ NOT NULL,
    layout_version INTEGER NOT NULL,
    PRIMARY KEY (table_name, source_file)
)
"""

# Files of the drop zone that could not be read safely, each refused on its own with its reason (see
# `pipeline.ingest.load_folder`); a load of a raw table replaces that table's rows here.
REFUSED_FILES_DDL = """
CREATE TABLE IF NOT EXISTS raw.refused_files (
    source         VARCHAR NOT NULL,
    table_name     VARCHAR NOT NULL,
    source_file    VARCHAR NOT NULL,
    content_hash   VARCHAR,
    reason         VARCHAR NOT NULL,
    refused_at     TIMESTAMPTZ NOT NULL,
    rows_kept      BIGINT NOT NULL,
    kept_loaded_at TIMESTAMPTZ,
    PRIMARY KEY (table_name, source_file)
)
"""


def quote_identifier(name: str) -> str:
    """Quote a column or table name for SQL, so names taken from files never act as SQL."""
    return '"' + name.replace('"', '""') + '"'


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Create the warehouse layers and the load ledger if they are missing, and this connection's macros
    (`redact(text)`: free text with personal data replaced, see `pipeline.privacy`; `exact_variance(x)`)."""
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    con.execute(LEDGER_DDL)
    con.execute(REFUSED_FILES_DDL)
    con.execute("ALTER TABLE raw._load_ledger ADD COLUMN IF NOT EXISTS layout_version INTEGER DEFAULT 1")
    ensure_macros(con)


def ensure_macros(con: duckdb.DuckDBPyConnection) -> None:
    """This connection's macros, which the SQL files use: `redact(text)` and `exact_variance(x)`."""
    register_redaction(con)
    con.execute(f"CREATE OR REPLACE TEMP MACRO redact(text) AS {redact_sql('text')}")
    con.execute(f"CREATE OR REPLACE TEMP MACRO exact_variance(x) AS {EXACT_VARIANCE}")


# The sample variance of x from exact sums: (n * sum(x^2) - sum(x)^2) / (n * (n - 1)), NULL below two values.
# Two refreshes must publish bit-identical marts, but DuckDB adds floats up in whatever order its threads
# finish; for whole-number scores these sums are exact in any order, so the variance is too.
EXACT_VARIANCE = (
    "CASE WHEN count(x) > 1 THEN (count(x) * sum(x * x) - sum(x) * sum(x)) / (count(x) * (count(x) - 1)) END"
)


@functools.cache
def _sql_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load_sql(module_file: str, name: str) -> str:
    """The SQL in `sql/<name>.sql` beside the module `module_file` (pass `__file__`): every statement the
    pipeline runs lives in such a file, with values bound as `$name` parameters."""
    return _sql_text(Path(module_file).parent / "sql" / f"{name}.sql")


def drop_outdated_layout(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Drop a raw table loaded by readers of another layout version (and its ledger), so it is rebuilt."""
    outdated = con.execute(
        "SELECT count(*) FROM raw._load_ledger WHERE table_name = ? AND layout_version <> ?",
        [table, RAW_LAYOUT_VERSION],
    ).fetchall()[0][0]
    if outdated:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute("DELETE FROM raw._load_ledger WHERE table_name = ?", [table])
    return bool(outdated)


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks so large exports never sit whole in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_state(path: Path, known: Mapping[str, object] | None = None) -> dict[str, object]:
    """A file's name, size, modification time and content hash (`sha256`), as JSON values. The hash of
    `known`, an earlier state of the file, is kept without reading the file while its name, size and
    modification time are unchanged: a sensor ticking every minute would otherwise read every export of a
    national survey, gigabytes, each time. (A refresh still hashes each file it loads.)"""
    status = path.stat()
    state: dict[str, object] = {"name": path.name, "size": status.st_size, "mtime_ns": status.st_mtime_ns}
    if known and "sha256" in known and all(known.get(field) == value for field, value in state.items()):
        return {**state, "sha256": known["sha256"]}
    return {**state, "sha256": file_hash(path)}


def relative_source(path: Path, data_dir: Path) -> str:
    """The lineage name of a file: its path inside the drop zone, or its absolute path if outside it. A
    symbolic link is named as itself, never by what it points to (a link out of the drop zone is refused,
    and its target's path is not recorded)."""
    named = path.absolute().parent.resolve() / path.name
    try:
        return named.relative_to(data_dir.resolve()).as_posix()
    except ValueError:
        return named.as_posix()


@dataclass(frozen=True)
class LoadResult:
    """What one file did to one raw table."""

    source_file: str
    rows: int
    skipped_unchanged: bool
    superseded: tuple[str, ...] = ()  # files whose rows it replaced (an earlier export of its survey wave)


def already_loaded(con: duckdb.DuckDBPyConnection, table: str, source_file: str, content_hash: str) -> bool:
    """Whether these exact bytes of this file are already in `table`."""
    rows = con.execute(
        "SELECT 1 FROM raw._load_ledger WHERE table_name = ? AND source_file = ? AND content_hash = ?",
        [table, source_file, content_hash],
    ).fetchall()
    return bool(rows) and table_exists(con, table)


def table_type(con: duckdb.DuckDBPyConnection, qualified_name: str) -> str | None:
    """Whether `schema.name` is a "BASE TABLE" or a "VIEW" in the warehouse; None if it is neither."""
    schema, _, name = qualified_name.partition(".")
    rows = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]
    ).fetchall()
    return rows[0][0] if rows else None


def table_exists(con: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    return table_type(con, qualified_name) is not None


def _add_missing_columns(con: duckdb.DuckDBPyConnection, table: str, relation: duckdb.DuckDBPyRelation) -> None:
    existing = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            table.split(".", 1),
        ).fetchall()
    }
    for column, dtype in zip(relation.columns, relation.dtypes, strict=False):
        if column not in existing:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {quote_identifier(column)} {dtype}")


# _CREATE_OUTSIDE: an empty table is created before the transaction that fills it. DuckDB 2.0.0 loses
# rows inserted (in parallel, by a large INSERT ... SELECT) in the same transaction as a
# `CREATE TABLE ... AS ... LIMIT 0`: count(*) sees them, but later scans on that connection return none
# (reproduced with plain SQL: BEGIN; CREATE TABLE t AS <query> LIMIT 0; INSERT INTO t <query>; COMMIT;
# SELECT * FROM t LIMIT 5 -> no rows, for a query of a few million rows with a join). An empty table left
# by a failed load is harmless: the ledger still says nothing was loaded.


def replace_source_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: pd.DataFrame | duckdb.DuckDBPyRelation,
    *,
    source_file: str,
    content_hash: str,
    before_commit: Callable[[], None] | None = None,
    supersedes: Sequence[str] = (),
) -> LoadResult:
    """Put the rows read from one file into a raw table, replacing whatever that file loaded before, and
    whatever the files it `supersedes` loaded (their rows and ledger entries: an earlier export of the same
    survey wave under another name).

    `rows` may be a DataFrame or a relation on `con` (large files stay inside DuckDB). Lineage columns
    are added here. All in one transaction: a crash leaves the old rows in place, and so does an error
    raised by `before_commit`, called once the rows are in (a relation has then been read to the end).
    """
    if isinstance(rows, pd.DataFrame):
        rows = text_as_text(rows)
    relation = con.from_df(rows) if isinstance(rows, pd.DataFrame) else rows
    loaded_at = datetime.now(UTC)
    with_lineage = relation.select(*STAR, *constant_columns(source_file=source_file, loaded_at=loaded_at))
    if not table_exists(con, table):
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM with_lineage LIMIT 0")  # see _CREATE_OUTSIDE
    con.execute("BEGIN TRANSACTION")
    try:
        _add_missing_columns(con, table, with_lineage)
        con.execute(f"DELETE FROM {table} WHERE source_file = ?", [source_file])
        if supersedes:
            drop_sources(con, table, supersedes)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM with_lineage")
        count = con.execute(f"SELECT count(*) FROM {table} WHERE source_file = ?", [source_file]).fetchall()[0][0]
        con.execute(
            "INSERT OR REPLACE INTO raw._load_ledger BY NAME SELECT ? AS table_name, ? AS source_file,"
            " ? AS content_hash, ? AS rows_loaded, ? AS loaded_at, ? AS layout_version",
            [table, source_file, content_hash, count, loaded_at, RAW_LAYOUT_VERSION],
        )
        if before_commit is not None:
            before_commit()
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return LoadResult(source_file=source_file, rows=count, skipped_unchanged=False, superseded=tuple(supersedes))


STAR = (duckdb.StarExpression(),)


def constant_columns(**values: str | datetime) -> list[duckdb.Expression]:
    """Columns of one value each, to add to a relation as values rather than SQL text (a file's name may
    hold anything): text as VARCHAR, times as TIMESTAMPTZ."""
    return [
        duckdb.ConstantExpression(value)
        .cast(duckdb.sqltype("TIMESTAMPTZ" if isinstance(value, datetime) else "VARCHAR"))
        .alias(name)
        for name, value in values.items()
    ]


def sql_literal(value: str) -> str:
    """A SQL string literal, quotes doubled, for the few places DuckDB takes no bound parameter (a view's
    definition, a validation model's bounds); used only for text the pipeline makes itself or holds in its
    own models, never for text read from a file."""
    return "'" + value.replace("'", "''") + "'"


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **frames: pd.DataFrame) -> Iterator[None]:
    """Within the block, each DataFrame is a relation SQL on `con` can read under its keyword's name: a
    registered relation, so no query depends on a Python variable being found by name."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


def replace_table(con: duckdb.DuckDBPyConnection, table: str, rows: pd.DataFrame | str) -> int:
    """Create or replace a whole table from a DataFrame or a SELECT statement; returns its row count.

    A DataFrame's text column that holds no value is typed as text, not as DuckDB's NULL type."""
    if isinstance(rows, pd.DataFrame):
        empty_text = [c for c in rows.columns if rows[c].dtype == object and rows[c].isna().all()]
        with registered(con, _rows=rows.astype(dict.fromkeys(empty_text, "string"))):
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _rows")
    else:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {rows}")
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def drop_sources_not_in(con: duckdb.DuckDBPyConnection, table: str, source_files: list[str]) -> int:
    """Remove rows (and ledger entries) of files that have left the drop zone; returns rows removed."""
    if not table_exists(con, table):
        return 0
    removed = con.execute(
        f"SELECT count(*) FROM {table} WHERE NOT list_contains(?, source_file)", [source_files]
    ).fetchall()[0][0]
    drop_sources(con, table, source_files, all_but=True)
    return removed


def drop_sources(
    con: duckdb.DuckDBPyConnection, table: str, source_files: Sequence[str], *, all_but: bool = False
) -> None:
    """Delete the rows and ledger entries of `table` loaded from `source_files` (`all_but`: from every other
    file), so a file loaded again later is read again."""
    condition = f"{'NOT ' if all_but else ''}list_contains(?, source_file)"
    con.execute(f"DELETE FROM {table} WHERE {condition}", [list(source_files)])
    con.execute(f"DELETE FROM raw._load_ledger WHERE table_name = ? AND {condition}", [table, list(source_files)])


def text_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its text (object) columns typed as text, so an empty one, or one with no value,
    still makes a VARCHAR column (DuckDB would type it NULL and refuse the next rows with values)."""
    return frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object})


def replace_rows(
    con: duckdb.DuckDBPyConnection, table: str, rows: pd.DataFrame, where: str = "true", params: list | None = None
) -> int:
    """Replace the rows of `table` matching `where` (one partition, say) with `rows`, in one transaction."""
    with registered(con, _rows=text_as_text(rows)):
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM _rows LIMIT 0")  # see _CREATE_OUTSIDE
        con.execute("BEGIN TRANSACTION")
        try:
            _add_missing_columns(con, table, con.sql("SELECT * FROM _rows"))  # a column added since the last run
            con.execute(f"DELETE FROM {table} WHERE {where}", params or [])
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return len(rows)
