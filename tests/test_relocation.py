"""Pointing EVAL_DATA_DIR, EVAL_WAREHOUSE and EVAL_MARTS_DIR elsewhere runs the same job there and leaves
the repository untouched."""

from __future__ import annotations

import shutil
import subprocess

import duckdb

from pipeline.settings import PROJECT_ROOT
from tests.conftest import DATA_DIR, run_refresh


def _fingerprint(folder):
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_the_refresh_runs_where_the_environment_points(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path / "drop")
    elsewhere = {
        "EVAL_WAREHOUSE": str(tmp_path / "db" / "evaluation.duckdb"),
        "EVAL_MARTS_DIR": str(tmp_path / "published"),
    }
    before = _fingerprint(PROJECT_ROOT / "data")
    status_before = subprocess.run(
        ["git", "status", "--porcelain"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout
    result = run_refresh(tmp_path / "drop", tmp_path, env=elsewhere, cwd=tmp_path)
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
