"""The researcher notebooks run clean against the published marts, and every chart they draw is labelled."""

from __future__ import annotations

import inspect
import json
import os

import duckdb
import matplotlib
import nbformat
import pytest
from nbclient import NotebookClient

from pipeline.settings import PROJECT_ROOT

matplotlib.use("Agg")

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
# The notebooks that answer their question with charts (the QCA walk-through answers with tables).
CHARTED = {
    "which_success_factors_go_with_success",
    "what_do_the_outcome_statistics_show",
    "how_did_the_support_offer_help_by_group",
    "how_did_response_change_across_waves",
}


def chart_faults() -> list[str]:
    """What is missing from the open matplotlib figures: every plot needs a title and both axis labels, and a
    plot with dates on its x axis needs the support period marked (an artist labelled "Support period")."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    faults = []
    for number in plt.get_fignums():
        for index, ax in enumerate(plt.figure(number).axes):
            where = f"figure {number}, plot {index + 1} ({ax.get_title() or 'untitled'})"
            faults += [
                f"{where}: no {what}"
                for what, text in (
                    ("title", ax.get_title()),
                    ("x-axis label", ax.get_xlabel()),
                    ("y-axis label", ax.get_ylabel()),
                )
                if not text.strip()
            ]
            dates = isinstance(ax.xaxis.get_major_locator(), mdates.DateLocator)
            artists = [*ax.patches, *ax.lines, *ax.collections, *ax.containers]
            if dates and not any("support period" in str(a.get_label()).lower() for a in artists):
                faults.append(f"{where}: time on the x axis but no support period marked")
    return faults


def run(path, marts_dir, monkeypatch) -> tuple[nbformat.NotebookNode, dict]:
    """Execute a notebook against `marts_dir`, then ask its kernel about its figures: how many, what they lack,
    and each plot's (title, x label, y label)."""
    monkeypatch.setenv("EVAL_MARTS_DIR", str(marts_dir))
    monkeypatch.setenv("MPLBACKEND", "Agg")  # figures stay open after plt.show(), for the check below
    notebook = nbformat.read(path, as_version=4)
    check = f"{inspect.getsource(chart_faults)}\nimport json, matplotlib.pyplot as plt\n"
    check += "axes = [(a.get_title(), a.get_xlabel(), a.get_ylabel()) for n in plt.get_fignums() for a in plt.figure(n).axes]\n"
    check += "print(json.dumps({'figures': len(plt.get_fignums()), 'faults': chart_faults(), 'axes': axes}))"
    notebook.cells.append(nbformat.v4.new_code_cell(check))
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    printed = "".join(o.get("text", "") for o in notebook.cells[-1].get("outputs", []) if o.get("name") == "stdout")
    return notebook, json.loads(printed.strip().splitlines()[-1])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean_and_labels_every_chart(path, demo_run, monkeypatch):
    notebook, charts = run(path, demo_run.settings.marts_dir, monkeypatch)
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    assert charts["faults"] == []
    assert (charts["figures"] > 0) == (path.stem in CHARTED)
    # Each notebook is titled by the one question it answers.
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.splitlines()[0].endswith("?")
    assert os.path.exists(demo_run.settings.marts_dir / "marts.duckdb")


def test_every_charted_notebook_is_in_the_folder():
    assert CHARTED <= {p.stem for p in NOTEBOOKS}


def test_the_chart_check_finds_a_missing_label_and_an_unmarked_support_period():
    import matplotlib.pyplot as plt
    import pandas as pd

    plt.close("all")
    try:
        fig, (bare, dated) = plt.subplots(1, 2)
        bare.plot([1, 2], [3, 4])
        bare.set_title("Values")
        dated.plot(pd.to_datetime(["2014-01-01", "2018-01-01"]), [1, 2])
        dated.set(title="Trend", xlabel="Period", ylabel="Rate per 100,000")
        assert chart_faults() == [
            "figure 1, plot 1 (Values): no x-axis label",
            "figure 1, plot 1 (Values): no y-axis label",
            "figure 1, plot 2 (Trend): time on the x axis but no support period marked",
        ]
        bare.set(xlabel="x", ylabel="y")
        dated.axvspan(pd.Timestamp("2015-04-01"), pd.Timestamp("2017-03-31"), label="Support period")
        assert chart_faults() == []
    finally:
        plt.close("all")


def test_the_qca_notebook_reports_the_first_parsimonious_model(demo_run, monkeypatch):
    path = PROJECT_ROOT / "notebooks" / "which_configurations_are_sufficient.ipynb"
    notebook, _ = run(path, demo_run.settings.marts_dir, monkeypatch)
    printed = "".join(o.get("text", "") for o in notebook.cells[-2].get("outputs", []))
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        (first,) = con.execute(
            "SELECT DISTINCT solution FROM qca_solutions"
            " WHERE outcome = 'SUCCESS' AND kind = 'parsimonious' AND model = 'M1'"
        ).fetchone()
    assert f"First parsimonious model: {first}" in printed and "LEAD*PM" in first


def test_the_outcome_notebook_names_each_indicator_and_its_unit(demo_run, monkeypatch):
    """The trend charts are titled by the indicator's name and their y axis is its unit (from `labels`)."""
    path = PROJECT_ROOT / "notebooks" / "what_do_the_outcome_statistics_show.ipynb"
    _, charts = run(path, demo_run.settings.marts_dir, monkeypatch)
    assert [
        "Alcohol-related mortality: Brighton and Hove and England",
        "Period (plotted at its midpoint)",
        "Directly standardised rate per 100,000",
    ] in charts["axes"]
