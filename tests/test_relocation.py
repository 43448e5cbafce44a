"""Pointing EVAL_DATA_DIR, EVAL_WAREHOUSE and EVAL_MARTS_DIR elsewhere runs the same job there and leaves
the repository untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb

from pipeline.settings import PROJECT_ROOT
from tests.conftest import DATA_DIR


def _fingerprint(folder):
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_the_refresh_runs_where_the_environment_points(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path / "drop")
    env = {
        **os.environ,
        "EVAL_DATA_DIR": str(tmp_path / "drop"),
        "EVAL_WAREHOUSE": str(tmp_path / "db" / "evaluation.duckdb"),
        "EVAL_MARTS_DIR": str(tmp_path / "published"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    before = _fingerprint(PROJECT_ROOT / "data")
    status_before = subprocess.run(
        ["git", "status", "--porcelain"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "refresh"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(tmp_path / "published") in result.stdout
    with duckdb.connect(str(tmp_path / "published" / "marts.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM partnership_profile").fetchall() == [(30,)]
    assert (tmp_path / "db" / "evaluation.duckdb").exists()
    assert _fingerprint(PROJECT_ROOT / "data") == before
    assert (
        subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
        == status_before
    )
