"""Raw layer: every file in the drop zone loaded as received, with lineage, once per distinct content.

The ledger, the per-file load and the per-folder load every source's ingest uses; each source's own
`ingest.py` says which files it reads and with which reader.

Two rules hold for every file:
- **The bytes hashed are the bytes read.** A file is hashed, with its identity (device, inode, size,
  modification and change times), before its reader opens it; the identity is checked again once every
  row is in, before the load commits. A file replaced or rewritten in between is a `FileChangedError`
  naming it, and nothing of it is stored: never a header of one version over the rows of another, never
  the hash of the new version in the ledger for rows of the old.
- **One bad file never stops a source.** `load_folder` refuses a file that cannot be read safely (any
  `InputFileError`, any error of its reader, a file that changed while it loaded) on its own, records it
  with its reason in `raw.refused_files`, and loads every other file. A refused file that had loaded
  before keeps its last good rows (published marts stay until a refresh succeeds), and its refusal says
  how many rows of that earlier version are still in use, so they are never stale in silence. A refused
  file is read again on the next load: once fixed, it loads.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import FileChangedError, InputFileError, printable
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits, check_readable, file_identity
from pipeline.warehouse import (
    LoadResult,
    already_loaded,
    drop_outdated_layout,
    drop_sources_not_in,
    quote_identifier,
    relative_source,
    replace_source_rows,
    table_exists,
)

Reader = Callable[[Path], "pd.DataFrame | duckdb.DuckDBPyRelation"]

# DuckDB errors that come from the content of a file (a lazily read relation that turns out malformed, a
# value its table's column cannot hold), not from the warehouse; any other error stops the step.
_CONTENT_ERRORS = (duckdb.ConversionException, duckdb.InvalidInputException)


@dataclass(frozen=True)
class Refusal:
    """A file left out of a raw table, and why; rows an earlier version of it loaded stay in the table."""

    source_file: str
    reason: str
    content_hash: str | None
    rows_kept: int = 0
    kept_loaded_at: datetime | None = None


@dataclass(frozen=True)
class IngestReport:
    """What one raw table received: per-file results, files refused with their reasons, and rows removed
    for files gone from the drop zone."""

    table: str
    files: list[LoadResult]
    rows_removed: int = 0
    refused: list[Refusal] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(result.rows for result in self.files if not result.skipped_unchanged)

    def as_metadata(self) -> dict[str, object]:
        return {
            "files": len(self.files),
            "files_unchanged": sum(result.skipped_unchanged for result in self.files),
            "rows_loaded": self.rows_loaded,
            "rows_removed_for_missing_files": self.rows_removed,
            "files_refused": len(self.refused),
            "refused": {printable(r.source_file): printable(r.reason) for r in self.refused} or "none",
        }


def _unreadable(path: Path, error: OSError) -> InputFileError:
    if error.errno == errno.ENAMETOOLONG:
        return InputFileError(path, "the path is longer than the system allows", expected="a shallower folder")
    return InputFileError(path, f"cannot be opened ({error.strerror or error})")


@dataclass(frozen=True)
class FileSnapshot:
    """A file's content hash and identity, taken before it is read, to check that nothing changed after."""

    path: Path
    content_hash: str
    identity: tuple[int, ...]

    @classmethod
    def take(cls, path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> FileSnapshot:
        """Hash the file through one open handle; an error naming it if it is not a regular file inside the
        drop zone within the read limits (`pipeline.safe_files`), cannot be opened, or changes while it is
        hashed."""
        check_readable(path, limits)
        try:
            with open(path, "rb") as handle:
                before = file_identity(os.fstat(handle.fileno()))
                digest = hashlib.sha256()
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
                after = file_identity(os.fstat(handle.fileno()))
            named = file_identity(os.stat(path))
        except OSError as error:
            raise _unreadable(path, error) from error
        if not before == after == named:
            raise FileChangedError(path, "the file changed while it was being hashed", expected=_UNCHANGED)
        return cls(path, digest.hexdigest(), before)

    def verify(self) -> None:
        """Raise `FileChangedError` naming the file if it is not, by its identity, the file hashed."""
        try:
            now = file_identity(os.stat(self.path))
        except OSError:
            now = None
        if now != self.identity:
            raise FileChangedError(
                self.path,
                "the file was replaced or changed while it was being loaded; nothing of it was stored",
                expected=_UNCHANGED,
            )


_UNCHANGED = "a file left as it is until its load ends (save a new version under another name, then rename it)"


def load_file(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    data_dir: Path,
    read: Reader,
    snapshot: FileSnapshot | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    supersedes: Sequence[str] = (),
) -> LoadResult:
    """Load one file into a raw table unless these exact bytes are there already and nothing it
    `supersedes` (files whose rows it replaces: see `replace_source_rows`) is left.

    `snapshot` (taken before anything read the file; taken here if not given, after checking the file against
    `limits` inside `data_dir`) gives the hash; the file is checked against it before the rows commit. Any failure of the reader, and a content error while the
    rows are stored, is an `InputFileError` naming the file; the table is then as it was.
    """
    drop_outdated_layout(con, table)
    source_file = relative_source(path, data_dir)
    snapshot = snapshot or FileSnapshot.take(path, limits.within(data_dir))
    if not supersedes and already_loaded(con, table, source_file, snapshot.content_hash):
        count = con.execute(f"SELECT count(*) FROM {table} WHERE source_file = ?", [source_file]).fetchall()[0][0]
        return LoadResult(source_file, count, skipped_unchanged=True)
    try:
        rows = read(path)
    except (InputFileError, MemoryError, RecursionError):
        raise
    except Exception as error:  # whatever a reader raises on a file is about that file
        raise InputFileError(path, f"the reader failed: {type(error).__name__}: {error}") from error
    try:
        return replace_source_rows(
            con,
            table,
            rows,
            source_file=source_file,
            content_hash=snapshot.content_hash,
            before_commit=snapshot.verify,
            supersedes=supersedes,
        )
    except _CONTENT_ERRORS as error:
        raise InputFileError(path, f"its rows could not be stored: {error}") from error


def load_folder(
    con: duckdb.DuckDBPyConnection,
    table: str,
    paths: Iterable[Path],
    data_dir: Path,
    read: Reader,
    unreadable: Sequence[InputFileError] = (),
    limits: ReadLimits = DEFAULT_LIMITS,
) -> IngestReport:
    """Load every file of one kind, each on its own: a file that cannot be read safely is refused with its
    reason (in the report and `raw.refused_files`) and every other file loads. Rows of files no longer in
    the drop zone are removed; rows a refused file loaded before are kept, and its refusal counts them.
    `unreadable`: errors met while finding the files (a folder that cannot be listed), refused alike.
    `limits`: what each file may be and declare (`pipeline.safe_files`; always inside `data_dir`)."""
    paths = sorted(paths)
    results, refused = [], []
    for path in paths:
        try:
            results.append(load_file(con, table, path, data_dir, read, limits=limits))
        except InputFileError as error:
            refused.append(_refusal(con, table, path, data_dir, error, limits))
    refused += [_refusal(con, table, error.path, data_dir, error, limits) for error in unreadable]
    removed = drop_sources_not_in(con, table, [relative_source(path, data_dir) for path in paths])
    record_refusals(con, table, refused)
    return IngestReport(table, results, removed, refused)


def _refusal(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    data_dir: Path,
    error: InputFileError,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Refusal:
    source_file = relative_source(path, data_dir)
    # An error about another file (a FileNotFoundError's lookup table, say) keeps that file's name.
    reason = error.reason if error.path == path else str(error)
    try:
        content_hash = FileSnapshot.take(path, limits.within(data_dir)).content_hash if path.is_file() else None
    except (InputFileError, OSError):
        content_hash = None
    kept, kept_at = 0, None
    if table_exists(con, table):
        kept = con.execute(f"SELECT count(*) FROM {table} WHERE source_file = ?", [source_file]).fetchall()[0][0]
        ledger = con.execute(
            "SELECT loaded_at FROM raw._load_ledger WHERE table_name = ? AND source_file = ?", [table, source_file]
        ).fetchall()
        kept_at = ledger[0][0] if ledger else None
    return Refusal(source_file, reason, content_hash, kept, kept_at)


def source_of(source_file: str) -> str:
    """The source a file belongs to: the drop-zone folder it is in (`codings`, `outcomes`, ...)."""
    return source_file.split("/", 1)[0] if "/" in source_file and not source_file.startswith("/") else "outside"


def record_refusals(con: duckdb.DuckDBPyConnection, table: str, refused: Sequence[Refusal]) -> None:
    """Replace the refusals recorded for `table` with those of this load (none when every file loaded)."""
    refused_at = datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM raw.refused_files WHERE table_name = ?", [table])
        for refusal in refused:
            con.execute(
                "INSERT OR REPLACE INTO raw.refused_files BY NAME SELECT ? AS source, ? AS table_name,"
                " ? AS source_file, ? AS content_hash, ? AS reason, ? AS refused_at, ? AS rows_kept,"
                " ?::TIMESTAMPTZ AS kept_loaded_at",
                [
                    source_of(refusal.source_file),
                    table,
                    refusal.source_file,
                    refusal.content_hash,
                    refusal.reason,
                    refused_at,
                    refusal.rows_kept,
                    refusal.kept_loaded_at,
                ],
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


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


def files_under(folder: Path, suffixes: tuple[str, ...]) -> tuple[list[Path], list[InputFileError]]:
    """The files with one of `suffixes` anywhere under `folder`, sorted (hidden ones left out), and an error
    naming each folder that could not be listed (too deep for the system's path limit, no permission):
    those are refused with their reason, never a crash of the whole source."""
    found: list[Path] = []
    problems: list[InputFileError] = []
    if not folder.exists():
        return found, problems

    def refuse(error: OSError) -> None:
        problems.append(_unreadable(Path(error.filename or folder), error))

    for parent, folders, names in os.walk(folder, onerror=refuse):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        found += [
            Path(parent) / name
            for name in names
            if Path(name).suffix.lower() in suffixes and not name.startswith((".", "~$"))
        ]
    return sorted(found), problems
