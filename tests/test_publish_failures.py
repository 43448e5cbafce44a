"""Publishing when the marts folder cannot take it: a full disk or a read-only folder never publishes an
empty or partial catalog; the error names the folder, and the marts published before stay readable.

Both tests use a real small file system: a tmpfs mounted on a temporary folder (`mount -t tmpfs -o size=...`,
which needs root; elsewhere they are skipped, saying so). Nothing is simulated: the disk is really full,
the folder really read-only.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipeline.publish import CATALOG_NAME, PublishError, publish_mart, write_catalog

BLOCK = 4096


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs mounted for the test, unmounted after it."""
    mount_point = tmp_path / "small_disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def _publish_two_marts(marts_dir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    for name in ("coder_agreement", "driver_coverage"):
        con.execute(f"CREATE TABLE marts.{name} AS SELECT i AS row_id, i * 2 AS value FROM range(500) t(i)")
        publish_mart(con, name, marts_dir)
    return con


def _views(catalog: Path) -> dict[str, int]:
    with duckdb.connect(str(catalog), read_only=True) as con:
        names = [row[0] for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
        return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0] for name in sorted(names)}


def _fill_leaving(folder: Path, free_blocks: int) -> None:
    """Fill the file system of `folder` to the last byte, then free `free_blocks` blocks."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * (64 * BLOCK))
        except OSError:
            pass
        try:
            while True:
                handle.write(b"\0" * BLOCK)
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - free_blocks * BLOCK))


def test_a_full_disk_keeps_the_previous_catalog_instead_of_publishing_an_empty_one(small_disk: Path):
    # With a few blocks free, DuckDB writes the new catalog's views to its write-ahead log, then fails to
    # checkpoint them into the database file on close without raising. Renaming that file into place (as
    # publishing did) left a marts.duckdb with no views at all: every researcher's query failed.
    marts_dir = small_disk / "marts"
    marts_dir.mkdir()
    _publish_two_marts(marts_dir)
    before = _views(marts_dir / CATALOG_NAME)
    assert before == {"coder_agreement": 500, "driver_coverage": 500}

    _fill_leaving(small_disk, free_blocks=12)
    assert os.statvfs(small_disk).f_bavail <= 12

    with pytest.raises(PublishError) as raised:
        write_catalog(marts_dir)
    message = str(raised.value)
    assert str(marts_dir) in message and "previous marts.duckdb is kept" in message, message
    assert _views(marts_dir / CATALOG_NAME) == before
    assert [p.name for p in marts_dir.iterdir() if p.name.startswith(".")] == [], "a temporary was left behind"


def test_a_mart_published_to_a_full_disk_is_an_error_naming_the_folder(small_disk: Path):
    marts_dir = small_disk / "marts"
    marts_dir.mkdir()
    con = _publish_two_marts(marts_dir)
    before = _views(marts_dir / CATALOG_NAME)
    _fill_leaving(small_disk, free_blocks=0)
    con.execute("CREATE OR REPLACE TABLE marts.coder_agreement AS SELECT i AS row_id FROM range(100000) t(i)")

    with pytest.raises(PublishError, match=f"The marts folder {marts_dir} is on a full disk"):
        publish_mart(con, "coder_agreement", marts_dir)
    assert _views(marts_dir / CATALOG_NAME) == before


def test_a_read_only_marts_folder_is_a_clear_error_and_the_previous_marts_stay_readable(small_disk: Path):
    marts_dir = small_disk / "marts"
    marts_dir.mkdir()
    con = _publish_two_marts(marts_dir)
    before = _views(marts_dir / CATALOG_NAME)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    con.execute("CREATE OR REPLACE TABLE marts.coder_agreement AS SELECT 1 AS row_id")

    with pytest.raises(PublishError) as raised:
        publish_mart(con, "coder_agreement", marts_dir)
    assert str(raised.value).startswith(f"The marts folder {marts_dir} is on a read-only file system"), raised.value
    assert "published before are unchanged and still readable" in str(raised.value)
    assert _views(marts_dir / CATALOG_NAME) == before
    assert (marts_dir / "coder_agreement.parquet").exists()
