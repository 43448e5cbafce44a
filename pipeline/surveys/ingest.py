"""Survey waves into the raw layer: one export per wave, kept as received (one row per response, its
answers as one list) in `raw.survey_rows`, its columns in `raw.survey_columns`, and the long view of both,
`raw.survey_answers` (one row per answer), for whoever wants answers one by one."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.ingest import FileSnapshot, Reader, load_file
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits
from pipeline.surveys.readers.detect import read_survey
from pipeline.surveys.readers.export import SurveyExport, drop_processed_responses, is_loaded, load_responses
from pipeline.surveys.readers.files import SURVEY_SUFFIXES
from pipeline.warehouse import (
    STAR,
    LoadResult,
    constant_columns,
    load_sql,
    relative_source,
    sql_literal,
    table_exists,
    table_type,
    text_as_text,
)


def wave_key(path: Path) -> str:
    """The wave (partition key) of an export: its file name without suffix, in safe characters."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem).strip("_")


def survey_wave_files(surveys_dir: Path) -> dict[str, Path]:
    """Every survey export in the drop zone, by wave key; two files giving one key is an error."""
    waves: dict[str, Path] = {}
    if not surveys_dir.exists():
        return waves
    for path in sorted(surveys_dir.iterdir()):
        if path.suffix.lower() not in SURVEY_SUFFIXES or path.name.startswith(".") or not path.is_file():
            continue  # a pipe or device named like an export is never a wave (nor hashed by the sensor)
        key = wave_key(path)
        if key in waves:
            raise ValueError(f"{path} and {waves[key]} both give survey wave {key!r}; rename one of them")
        waves[key] = path
    return waves


def load_survey_wave(
    con: duckdb.DuckDBPyConnection,
    wave: str,
    path: Path,
    data_dir: Path,
    key: bytes,
    read: Callable[[Path], SurveyExport] | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> tuple[LoadResult, SurveyExport]:
    """Load one wave's export into `raw.survey_rows` (one row per response, its loaded answers as one list,
    no personal data) and describe its columns in `raw.survey_columns` (one row per column, with what ingest
    did with it and, for a loaded column, its place in the rows' `answers`).

    The export is read twice (its header by `read`, then its rows streamed by DuckDB), so it is hashed
    first and checked before each table commits: an export replaced or rewritten during the load is a
    `FileChangedError` naming it, and neither table nor the ledger takes anything from it. `read` (default
    `read_survey`) is given the file once it is checked against `limits` inside `data_dir`. The rows of an
    earlier export of the wave under another name go with the new rows' commit (`other_exports`)."""
    snapshot, export = _read_export(path, data_dir, read, limits)
    result = _store_wave(
        con,
        wave,
        snapshot,
        data_dir,
        rows=lambda _: _wave_rows(con, wave, export, key),
        columns=lambda _: _wave_columns(wave, export),
    )
    return result, export


@dataclass(frozen=True)
class PreparedWave:
    """A wave's export read, keyed and redacted into a DuckDB file of its own (`file`), not yet stored in
    the warehouse; `snapshot` is the export as hashed before it was read."""

    wave: str
    file: Path
    snapshot: FileSnapshot
    export: SurveyExport


def prepare_survey_wave(
    wave: str,
    path: Path,
    data_dir: Path,
    key: bytes,
    folder: Path,
    config: dict[str, str] | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> PreparedWave:
    """The heavy part of `load_survey_wave`, without the warehouse: the export hashed, read, keyed and
    redacted, its rows and columns written to `folder/<wave>.duckdb` (tables `wave_rows` and `wave_columns`,
    no lineage yet), so waves can be read side by side while another process writes the warehouse. Store it
    with `store_prepared_wave`. `config`: DuckDB settings of that file's connection (its memory limit)."""
    snapshot, export = _read_export(path, data_dir, None, limits)
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / f"{wave}.duckdb"
    file.unlink(missing_ok=True)
    with duckdb.connect(str(file), config=config or {}) as con:
        # The columns as `replace_source_rows` types a frame's, so both ways store the same types.
        con.from_df(text_as_text(_wave_columns(wave, export))).create("wave_columns")
        _wave_rows(con, wave, export, key).create("wave_rows")
    return PreparedWave(wave, file, snapshot, export)


def store_prepared_wave(con: duckdb.DuckDBPyConnection, prepared: PreparedWave, data_dir: Path) -> LoadResult:
    """Store a wave `prepare_survey_wave` read in the warehouse, as `load_survey_wave` would have: unless
    these bytes are there already, its rows and columns with lineage, in the same transactions and checks
    (the export must still be the file that was hashed). Its file is deleted once read."""
    con.execute(f"ATTACH {sql_literal(str(prepared.file))} AS prepared_wave (READ_ONLY)")
    try:
        return _store_wave(
            con,
            prepared.wave,
            prepared.snapshot,
            data_dir,
            rows=lambda _: con.sql("FROM prepared_wave.wave_rows"),
            columns=lambda _: con.sql("FROM prepared_wave.wave_columns"),
        )
    finally:
        con.execute("DETACH prepared_wave")
        prepared.file.unlink(missing_ok=True)


def record_stored(con: duckdb.DuckDBPyConnection, folder: Path, wave: str, source_file: str) -> None:
    """Note beside the warehouse which export of `wave` it holds (`folder/<wave>.stored`: the file and its
    hash, from the ledger), so a later run that finds the warehouse busy knows, without it, whether the
    export is new (`stored_before`)."""
    held = con.execute(
        "SELECT content_hash FROM raw._load_ledger WHERE table_name = 'raw.survey_rows' AND source_file = ?",
        [source_file],
    ).fetchall()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{wave}.stored").write_text(f"{source_file}\n{held[0][0]}\n" if held else "", encoding="utf-8")


def stored_before(folder: Path, wave: str, path: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS) -> bool:
    """Whether the warehouse held these exact bytes of the wave's export when a run last stored it
    (`record_stored`): then a run that finds the warehouse busy waits for it rather than reading the export
    beside it for nothing. Only a hint: the ledger still decides whether the export loads."""
    record = folder / f"{wave}.stored"
    if not record.exists():
        return False
    snapshot = FileSnapshot.take(path, limits.within(data_dir))
    return record.read_text(encoding="utf-8") == f"{relative_source(path, data_dir)}\n{snapshot.content_hash}\n"


def _read_export(
    path: Path, data_dir: Path, read: Callable[[Path], SurveyExport] | None, limits: ReadLimits
) -> tuple[FileSnapshot, SurveyExport]:
    # A national export is hundreds of MB: hashed once, for both tables, before anything reads it.
    limits = limits.within(data_dir)
    snapshot = FileSnapshot.take(path, limits)
    return snapshot, read(path) if read is not None else read_survey(path, limits)


def _wave_rows(con: duckdb.DuckDBPyConnection, wave: str, export: SurveyExport, key: bytes) -> duckdb.DuckDBPyRelation:
    rows = load_responses(con, export, key)
    return rows.select(*constant_columns(wave=wave, tool=export.tool), *STAR)


def _wave_columns(wave: str, export: SurveyExport) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": wave,
            "tool": export.tool,
            "position": [c.position for c in export.columns],
            "column_name": [c.name for c in export.columns],
            "source_id": [c.source_id for c in export.columns],
            "question_text": [c.question_text for c in export.columns],
            "kind": [c.kind for c in export.columns],
            "answer_index": pd.array(answer_index(export), dtype="Int64"),
        }
    )


def _store_wave(
    con: duckdb.DuckDBPyConnection,
    wave: str,
    snapshot: FileSnapshot,
    data_dir: Path,
    rows: Reader,
    columns: Reader,
) -> LoadResult:
    """A wave's rows and columns into the raw tables (each read only if these bytes are not there yet)."""
    drop_long_answers(con)
    path = snapshot.path
    source_file = relative_source(path, data_dir)
    loaded = [
        load_file(con, table, path, data_dir, read, snapshot, supersedes=other_exports(con, table, wave, source_file))
        for table, read in (("raw.survey_rows", rows), ("raw.survey_columns", columns))
    ]
    drop_processed_responses(con)
    con.execute(load_sql(__file__, "answers_view"))
    return loaded[0]


def other_exports(con: duckdb.DuckDBPyConnection, table: str, wave: str, source_file: str) -> list[str]:
    """The files other than `source_file` whose rows of `wave` `table` holds: an earlier export of the wave
    under a name giving the same wave ("wave 1.csv" after "wave_1.csv", or a .sav after a .csv), which the
    wave's export now in the drop zone replaces."""
    if not table_exists(con, table):
        return []
    rows = con.execute(
        f"SELECT DISTINCT source_file FROM {table} WHERE wave = ? AND source_file <> ? ORDER BY ALL",
        [wave, source_file],
    ).fetchall()
    return [row[0] for row in rows]


def answer_index(export: SurveyExport) -> list[int | None]:
    """Each column's place in `load_responses`' `answers` (1 = first), None for a column never loaded."""
    places = iter(range(1, len(export.columns) + 1))
    return [next(places) if is_loaded(c) else None for c in export.columns]


def drop_long_answers(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse loaded before waves were kept wide holds `raw.survey_answers` as a table of answers: it is
    dropped with `raw.survey_columns` and their ledger entries, so every wave loads again, wide."""
    if table_type(con, "raw.survey_answers") == "BASE TABLE":
        con.execute("DROP TABLE raw.survey_answers")
        con.execute("DROP TABLE IF EXISTS raw.survey_columns")
        con.execute("DELETE FROM raw._load_ledger WHERE table_name IN ('raw.survey_answers', 'raw.survey_columns')")
