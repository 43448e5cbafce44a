"""Publish marts for researchers: immutable Parquet versions, a stable name for each, and a small DuckDB
catalog of views.

A researcher's connection never touches the warehouse. Each mart is written once to
`versions/<name>.<content hash>.parquet` and never changed afterwards; `<name>.parquet` is a hard link to
the current version, swapped in one rename, for tools that read files. `marts.duckdb` holds one view per
mart over its current version, and is itself rebuilt beside the old one and renamed into place. A query
on `marts.duckdb` therefore reads a file that cannot change under it (DuckDB opens a Parquet file more
than once in a query, so replacing a file under a fixed name would not do): it sees the old mart or the
new one whole. A connection kept open through a refresh keeps the marts as they were when it connected;
a new connection sees the refresh. Publishing the same content twice writes nothing new.

A version no catalog has pointed at for `SUPERSEDED_KEPT` is deleted, as is a temporary left by a writer
that was killed before its rename.

Nothing is published that was not written whole: the new catalog is reopened read-only and its views
counted against the marts before it is renamed into place (DuckDB may let a checkpoint fail on a full disk
without a word, leaving an empty database). A marts folder that cannot be written (read-only, full) is a
`PublishError` naming it, and the marts and catalog published before stay as they were, readable.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import time
from pathlib import Path

import duckdb

from pipeline.warehouse import load_sql, quote_identifier, sql_literal

CATALOG_NAME = "marts.duckdb"
VERSIONS_DIR = "versions"
# How long a superseded version stays for connections opened before it was superseded.
SUPERSEDED_KEPT = 24 * 3600.0
# Temporaries are named `.<final name>.<pid>.tmp` (a DuckDB one may have a `.wal` beside it).
TEMPORARY = re.compile(r"\..+\.(?P<pid>\d+)\.tmp(\.wal)?")
VERSION = re.compile(r"(?P<mart>.+)\.(?P<digest>[0-9a-f]{16})\.parquet")


class PublishError(RuntimeError):
    """Marts could not be published; the marts and catalog published before are unchanged."""


def _folder_problem(marts_dir: Path, error: BaseException) -> str:
    """Why the marts folder could not be written: read-only, full, or the error itself."""
    causes = {errno.EROFS: "is on a read-only file system", errno.ENOSPC: "is on a full disk", errno.EACCES: ""}
    code = getattr(error, "errno", None)
    if code is None:  # a DuckDB IOException carries no errno: try a write of our own to learn why
        probe = marts_dir / f".write-check.{os.getpid()}.tmp"
        try:
            probe.write_bytes(b"probe")
        except OSError as probe_error:
            code = probe_error.errno
        finally:
            with contextlib.suppress(OSError):  # on a read-only folder it was never made
                probe.unlink(missing_ok=True)
    if code in (errno.EACCES, errno.EPERM):
        return "is not writable (permission denied)"
    return causes.get(code) or f"could not be written ({error})"


def _replace_atomically(temporary: Path, target: Path) -> None:
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())  # the bytes are on disk before the name points at them
    os.replace(temporary, target)


def process_running(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True


def remove_abandoned_temporaries(marts_dir: Path) -> list[Path]:
    """Delete the temporaries of a writer that was killed before its rename (its pid no longer runs).

    A temporary of a running writer is left alone; one of a dead writer would otherwise stay forever, as
    the next writer names its own by its own pid.
    """
    abandoned = [
        path
        for path in marts_dir.rglob(".*.tmp*")
        if (match := TEMPORARY.fullmatch(path.name)) and not process_running(int(match["pid"]))
    ]
    for path in abandoned:
        path.unlink(missing_ok=True)
    return abandoned


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def current_version(marts_dir: Path, mart: str) -> Path:
    """The immutable version `<marts_dir>/<mart>.parquet` holds, stored under `versions/` if it is not yet
    (as after copying a marts folder)."""
    published = marts_dir / f"{mart}.parquet"
    version = marts_dir / VERSIONS_DIR / f"{mart}.{_digest(published)}.parquet"
    if not version.exists():
        version.parent.mkdir(exist_ok=True)
        temporary = version.with_name(f".{version.name}.{os.getpid()}.tmp")
        temporary.unlink(missing_ok=True)
        os.link(published, temporary)
        os.replace(temporary, version)
    return version


def publish_mart(con: duckdb.DuckDBPyConnection, table: str, marts_dir: Path) -> Path:
    """Write `marts.<table>` as a new version (unless its content is published already), point
    `<marts_dir>/<table>.parquet` and the catalog at it; returns that stable path.

    Raises `PublishError` naming the folder when it cannot be written; what was published stays."""
    try:
        return _publish_mart(con, table, marts_dir)
    except (OSError, duckdb.IOException) as error:
        for temporary in (marts_dir / VERSIONS_DIR).glob(f".*.{os.getpid()}.tmp*"):
            temporary.unlink(missing_ok=True)
        for temporary in marts_dir.glob(f".*.{os.getpid()}.tmp*"):
            temporary.unlink(missing_ok=True)
        raise PublishError(
            f"The marts folder {marts_dir} {_folder_problem(marts_dir, error)}: mart {table!r} was not published."
            " The marts and catalog published before are unchanged and still readable."
        ) from error


def _publish_mart(con: duckdb.DuckDBPyConnection, table: str, marts_dir: Path) -> Path:
    versions = marts_dir / VERSIONS_DIR
    versions.mkdir(parents=True, exist_ok=True)
    written = versions / f".{table}.parquet.{os.getpid()}.tmp"
    con.execute(
        f"COPY (SELECT * FROM marts.{quote_identifier(table)}) TO {sql_literal(str(written))} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    version = versions / f"{table}.{_digest(written)}.parquet"
    if version.exists():
        written.unlink()
    else:
        _replace_atomically(written, version)
    published = marts_dir / f"{table}.parquet"
    # rename() between two links to one file does nothing, leaving the temporary link: only link anew.
    if not (published.exists() and os.path.samefile(published, version)):
        link = marts_dir / f".{table}.parquet.{os.getpid()}.tmp"
        link.unlink(missing_ok=True)
        os.link(version, link)
        os.replace(link, published)
    write_catalog(marts_dir)
    return published


def write_catalog(marts_dir: Path) -> Path:
    """Rebuild `marts.duckdb` with one view per published mart over its current version, rename it into
    place, then delete what no catalog needs any more."""
    target = marts_dir / CATALOG_NAME
    temporary = marts_dir / f".{CATALOG_NAME}.{os.getpid()}.tmp"
    temporary.unlink(missing_ok=True)
    current = {
        parquet.stem: current_version(marts_dir, parquet.stem) for parquet in sorted(marts_dir.glob("*.parquet"))
    }
    try:
        with duckdb.connect(str(temporary)) as catalog:
            for mart, version in current.items():
                catalog.execute(
                    f"CREATE VIEW {quote_identifier(mart)} AS "
                    f"SELECT * FROM read_parquet({sql_literal(str(version.resolve()))})"
                )
            catalog.execute("CHECKPOINT")
        _verify_catalog(temporary, set(current))
        _replace_atomically(temporary, target)
    except (OSError, duckdb.Error, PublishError) as error:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
        problem = str(error) if isinstance(error, PublishError) else _folder_problem(marts_dir, error)
        raise PublishError(
            f"The marts folder {marts_dir}: the new catalog {CATALOG_NAME} was not published ({problem})."
            f" The previous {CATALOG_NAME} is kept, unchanged and readable."
        ) from error
    now = time.time()
    for version in current.values():
        os.utime(version, (now, now))  # when a version was last current, for `remove_superseded_versions`
    remove_superseded_versions(marts_dir, set(current.values()), now)
    remove_abandoned_temporaries(marts_dir)
    return target


def _verify_catalog(catalog: Path, marts: set[str]) -> None:
    """Reopen a written catalog read-only, by itself (a `.wal` beside it means its checkpoint did not
    finish), and check that it holds one view per mart; a `PublishError` saying what is missing if not."""
    if catalog.with_name(catalog.name + ".wal").exists():
        raise PublishError("its checkpoint did not finish: a write-ahead log is left beside it")
    with duckdb.connect(str(catalog), read_only=True) as check:
        views = {
            name for (name,) in check.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        }
    if views != marts:
        missing = sorted(marts - views)
        raise PublishError(
            f"it holds {len(views)} view(s) for {len(marts)} mart(s); missing: {', '.join(missing[:5]) or 'none'}"
        )


def remove_superseded_versions(marts_dir: Path, current: set[Path], now: float) -> list[Path]:
    """Delete the versions not current for more than `SUPERSEDED_KEPT` seconds."""
    superseded = [
        path
        for path in (marts_dir / VERSIONS_DIR).glob("*.parquet")
        if VERSION.fullmatch(path.name) and path not in current and path.stat().st_mtime < now - SUPERSEDED_KEPT
    ]
    for path in superseded:
        path.unlink(missing_ok=True)
    return superseded


def content_checksums(marts_dir: Path) -> dict[str, tuple[int, int, str]]:
    """Each published mart's (rows, columns, content checksum): the same content gives the same checksum,
    whatever its row order, so two refreshes (or two versions of the code) can be compared mart by mart."""
    with duckdb.connect() as con:
        return {
            path.stem: tuple(con.execute(load_sql(__file__, "mart_checksum"), {"path": str(path)}).fetchall()[0])
            for path in sorted(marts_dir.glob("*.parquet"))
        }
