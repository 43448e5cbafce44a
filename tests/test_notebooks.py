"""The researcher notebooks run clean against the published marts."""

from __future__ import annotations

import os

import duckdb
import nbformat
import pytest
from nbclient import NotebookClient

from pipeline.settings import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean(path, demo_run, monkeypatch):
    monkeypatch.setenv("EVAL_MARTS_DIR", str(demo_run.settings.marts_dir))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    assert len(NOTEBOOKS) >= 2 and os.path.exists(demo_run.settings.marts_dir / "marts.duckdb")


def test_the_qca_notebook_reports_the_first_parsimonious_model(demo_run, monkeypatch):
    monkeypatch.setenv("EVAL_MARTS_DIR", str(demo_run.settings.marts_dir))
    path = PROJECT_ROOT / "notebooks" / "which_configurations_are_sufficient.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    printed = "".join(o.get("text", "") for o in notebook.cells[-1].get("outputs", []))
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        (first,) = con.execute(
            "SELECT DISTINCT solution FROM qca_solutions"
            " WHERE outcome = 'SUCCESS' AND kind = 'parsimonious' AND model = 'M1'"
        ).fetchone()
    assert f"First parsimonious model: {first}" in printed and "LEAD*PM" in first
