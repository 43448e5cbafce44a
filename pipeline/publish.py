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
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

import duckdb

from pipeline.warehouse import quote_identifier, sql_literal

CATALOG_NAME = "marts.duckdb"
VERSIONS_DIR = "versions"
# How long a superseded version stays for connections opened before it was superseded.
SUPERSEDED_KEPT = 24 * 3600.0
# Temporaries are named `.<final name>.<pid>.tmp` (a DuckDB one may have a `.wal` beside it).
TEMPORARY = re.compile(r"\..+\.(?P<pid>\d+)\.tmp(\.wal)?")
VERSION = re.compile(r"(?P<mart>.+)\.(?P<digest>[0-9a-f]{16})\.parquet")


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
    `<marts_dir>/<table>.parquet` and the catalog at it; returns that stable path."""
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
    with duckdb.connect(str(temporary)) as catalog:
        for mart, version in current.items():
            catalog.execute(
                f"CREATE VIEW {quote_identifier(mart)} AS "
                f"SELECT * FROM read_parquet({sql_literal(str(version.resolve()))})"
            )
    _replace_atomically(temporary, target)
    now = time.time()
    for version in current.values():
        os.utime(version, (now, now))  # when a version was last current, for `remove_superseded_versions`
    remove_superseded_versions(marts_dir, set(current.values()), now)
    remove_abandoned_temporaries(marts_dir)
    return target


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
