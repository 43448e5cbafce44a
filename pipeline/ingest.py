"""Raw layer: every file in the drop zone loaded as received, with lineage, once per distinct content.

The ledger, the per-file load and the per-folder load every source's ingest uses; each source's own
`ingest.py` says which files it reads and with which reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.warehouse import (
    LoadResult,
    already_loaded,
    drop_outdated_layout,
    drop_sources_not_in,
    file_hash,
    quote_identifier,
    relative_source,
    replace_source_rows,
)

Reader = Callable[[Path], "pd.DataFrame | duckdb.DuckDBPyRelation"]


@dataclass(frozen=True)
class IngestReport:
    """What one raw table received: per-file results and rows removed for files gone from the drop zone."""

    table: str
    files: list[LoadResult]
    rows_removed: int = 0

    @property
    def rows_loaded(self) -> int:
        return sum(result.rows for result in self.files if not result.skipped_unchanged)

    def as_metadata(self) -> dict[str, object]:
        return {
            "files": len(self.files),
            "files_unchanged": sum(result.skipped_unchanged for result in self.files),
            "rows_loaded": self.rows_loaded,
            "rows_removed_for_missing_files": self.rows_removed,
        }


def load_file(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, data_dir: Path, read: Reader, content_hash: str = ""
) -> LoadResult:
    """Load one file into a raw table unless these exact bytes (`content_hash`, if already known) are there."""
    drop_outdated_layout(con, table)
    source_file = relative_source(path, data_dir)
    content_hash = content_hash or file_hash(path)
    if already_loaded(con, table, source_file, content_hash):
        count = con.execute(f"SELECT count(*) FROM {table} WHERE source_file = ?", [source_file]).fetchall()[0][0]
        return LoadResult(source_file, count, skipped_unchanged=True)
    return replace_source_rows(con, table, read(path), source_file=source_file, content_hash=content_hash)


def load_folder(
    con: duckdb.DuckDBPyConnection, table: str, paths: Iterable[Path], data_dir: Path, read: Reader
) -> IngestReport:
    """Load every file of one kind; rows of files no longer in the drop zone are removed."""
    paths = sorted(paths)
    results = [load_file(con, table, path, data_dir, read) for path in paths]
    removed = drop_sources_not_in(con, table, [relative_source(path, data_dir) for path in paths])
    return IngestReport(table, results, removed)


def files_in(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The files of a drop-zone folder with one of `suffixes`, sorted; hidden files and Office lock files
    (`~$...`) are left out, and a missing folder has none."""
    if not folder.exists():
        return []
    return [p for p in sorted(folder.glob("*")) if p.suffix.lower() in suffixes and not p.name.startswith((".", "~$"))]


def ensure_raw_table(
    con: duckdb.DuckDBPyConnection, table: str, columns: Iterable[str], types: dict[str, str] | None = None
) -> None:
    """Create `table` empty (text columns, the given `types` where not text, and the lineage columns) if no
    file has created it, so a source with no files yet stages as no rows instead of failing."""
    types = types or {}
    definitions = ", ".join(f"{quote_identifier(c)} {types.get(c, 'VARCHAR')}" for c in columns)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {table} ({definitions}, source_row BIGINT, source_file VARCHAR, loaded_at TIMESTAMPTZ)"
    )
