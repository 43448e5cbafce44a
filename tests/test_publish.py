"""Publishing is atomic: a researcher holding marts.duckdb open while marts are re-published sees no lock
error and only whole marts, the old or the new, never a mix; publishing the same content twice changes
nothing, and superseded versions are kept for connections opened before them, then deleted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import duckdb

from pipeline.publish import SUPERSEDED_KEPT, VERSIONS_DIR, publish_mart
from tests.conftest import report_counts

READER = textwrap.dedent(
    """
    import json, sys, pathlib, duckdb
    catalog, stop = sys.argv[1], pathlib.Path(sys.argv[2])
    held = duckdb.connect(catalog, read_only=True)  # a notebook that keeps its connection open
    queries = errors = torn = 0
    problems = []
    while not stop.exists() or queries < 50:
        for con in (held, None):
            try:
                con = con or duckdb.connect(catalog, read_only=True)
                rows, low, high = con.execute("SELECT count(*), min(version), max(version) FROM survey_mart").fetchall()[0]
                if low != high or rows != 1000 + low:
                    torn += 1
                    problems.append([rows, low, high])
            except Exception as error:  # a lock or I/O error is what this test exists to rule out
                errors += 1
                problems.append(repr(error))
            queries += 1
    print(json.dumps({"queries": queries, "errors": errors, "torn": torn, "problems": problems[:5]}))
    """
)


def _build_version(con: duckdb.DuckDBPyConnection, version: int) -> None:
    # Each version has its own row count, so a read mixing two versions cannot pass unnoticed.
    con.execute(
        f"CREATE OR REPLACE TABLE marts.survey_mart AS "
        f"SELECT {version} AS version, i AS row_id, random() AS payload FROM range({1000 + version}) t(i)"
    )


def test_a_reader_holding_the_catalog_open_never_sees_a_lock_error_or_half_a_mart(tmp_path):
    marts_dir = tmp_path / "marts"
    stop = tmp_path / "stop"
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA marts")
        _build_version(con, 0)
        publish_mart(con, "survey_mart", marts_dir)
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(marts_dir / "marts.duckdb"), str(stop)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            time.sleep(0.5)
            for version in range(1, 40):
                _build_version(con, version)
                publish_mart(con, "survey_mart", marts_dir)
        finally:
            stop.touch()
        output, _ = reader.communicate(timeout=120)
    report = json.loads(output)
    report_counts(f"reader made {report['queries']} queries during 39 re-publications")
    assert reader.returncode == 0
    assert report["errors"] == 0, report["problems"]
    assert report["torn"] == 0, report["problems"]
    assert report["queries"] >= 50
    with duckdb.connect(str(marts_dir / "marts.duckdb"), read_only=True) as check:
        assert check.execute("SELECT DISTINCT version FROM survey_mart").fetchall() == [(39,)]
    assert sorted(p.name for p in marts_dir.iterdir()) == ["marts.duckdb", "survey_mart.parquet", VERSIONS_DIR]
    assert not list(marts_dir.rglob(".*"))  # no temporaries left


def _versions(marts_dir) -> list[str]:
    return sorted(p.name for p in (marts_dir / VERSIONS_DIR).iterdir())


def test_the_same_content_published_twice_is_one_version_and_a_held_connection_keeps_its_snapshot(tmp_path):
    marts_dir = tmp_path / "marts"
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA marts")
        _build_version(con, 1)
        con.execute("CREATE OR REPLACE TABLE marts.survey_mart AS SELECT version, row_id FROM marts.survey_mart")
        publish_mart(con, "survey_mart", marts_dir)
        first = _versions(marts_dir)
        publish_mart(con, "survey_mart", marts_dir)
        assert _versions(marts_dir) == first and len(first) == 1
        assert not list(marts_dir.rglob(".*"))  # no temporary left behind either

        held = duckdb.connect(str(marts_dir / "marts.duckdb"), read_only=True)
        _build_version(con, 2)
        publish_mart(con, "survey_mart", marts_dir)
        assert len(_versions(marts_dir)) == 2  # the old version stays for the held connection
        assert held.execute("SELECT DISTINCT version FROM survey_mart").fetchall() == [(1,)]
        held.close()
        with duckdb.connect(str(marts_dir / "marts.duckdb"), read_only=True) as fresh:
            assert fresh.execute("SELECT DISTINCT version FROM survey_mart").fetchall() == [(2,)]
        assert duckdb.sql(f"SELECT DISTINCT version FROM '{marts_dir / 'survey_mart.parquet'}'").fetchall() == [(2,)]

        # Once superseded for longer than the grace period, the old version goes at the next publication.
        old = marts_dir / VERSIONS_DIR / first[0]
        long_ago = old.stat().st_mtime - SUPERSEDED_KEPT - 60
        os.utime(old, (long_ago, long_ago))
        _build_version(con, 3)
        publish_mart(con, "survey_mart", marts_dir)
    assert first[0] not in _versions(marts_dir) and len(_versions(marts_dir)) == 2


def test_content_checksums_ignore_row_order_and_see_any_changed_value(tmp_path):
    import duckdb

    from pipeline.publish import content_checksums

    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM range(5) t(n) ORDER BY n) TO '{tmp_path / 'a.parquet'}'")
        con.execute(f"COPY (SELECT * FROM range(5) t(n) ORDER BY n DESC) TO '{tmp_path / 'b.parquet'}'")
        con.execute(f"COPY (SELECT n + (n = 4)::INT AS n FROM range(5) t(n)) TO '{tmp_path / 'c.parquet'}'")
    sums = content_checksums(tmp_path)
    assert sums["a"] == sums["b"] and sums["a"][:2] == (5, 1)
    assert sums["c"] != sums["a"]
