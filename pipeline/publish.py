"""Publish marts for researchers: Parquet files written then renamed, and a small DuckDB catalog of views.

A researcher's connection never touches the warehouse. `marts.duckdb` holds only views over the Parquet
files, and is itself rebuilt beside the old one and renamed into place, so a notebook that has it open
(read-only or not) keeps working and never blocks a refresh. Each Parquet file is replaced in one
rename: a query sees the old mart or the new one, never half of either. A temporary left by a writer
that was killed before its rename is deleted by the next publication.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from pipeline.warehouse import quote_identifier, sql_literal

CATALOG_NAME = "marts.duckdb"
# Temporaries are named `.<final name>.<pid>.tmp` (a DuckDB one may have a `.wal` beside it).
TEMPORARY = re.compile(r"\..+\.(?P<pid>\d+)\.tmp(\.wal)?")


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


def publish_mart(con: duckdb.DuckDBPyConnection, table: str, marts_dir: Path) -> Path:
    """Write `marts.<table>` to `<marts_dir>/<table>.parquet` by write-then-rename and refresh the catalog."""
    marts_dir.mkdir(parents=True, exist_ok=True)
    target = marts_dir / f"{table}.parquet"
    temporary = marts_dir / f".{table}.parquet.{os.getpid()}.tmp"
    con.execute(
        f"COPY (SELECT * FROM marts.{quote_identifier(table)}) TO {sql_literal(str(temporary))} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    _replace_atomically(temporary, target)
    write_catalog(marts_dir)
    return target


def write_catalog(marts_dir: Path) -> Path:
    """Rebuild `marts.duckdb` with one view per published Parquet file, then rename it into place."""
    target = marts_dir / CATALOG_NAME
    temporary = marts_dir / f".{CATALOG_NAME}.{os.getpid()}.tmp"
    temporary.unlink(missing_ok=True)
    remove_abandoned_temporaries(marts_dir)
    with duckdb.connect(str(temporary)) as catalog:
        for parquet in sorted(marts_dir.glob("*.parquet")):
            catalog.execute(
                f"CREATE VIEW {quote_identifier(parquet.stem)} AS "
                f"SELECT * FROM read_parquet({sql_literal(str(parquet.resolve()))})"
            )
    _replace_atomically(temporary, target)
    return target
