"""Multi-value conditions in the QCA marts: a condition with level thresholds makes the analysis mvQCA.

Source of the expected figures: Lipset's inter-war data (R QCA's LR, calibrated as LM: DEV by "two thresholds
... 550 and 850 USD", URB at 50%, LIT at 75%, IND at 30%; Cronqvist & Berg-Schlosser 2009, in Rihoux & Ragin,
"Configurational Comparative Methods", ch. 4) and R QCA's test snapshots for truthTable(LM, SURV, conditions =
c(DEV, URB, LIT, IND)) and minimize (dusadrian/QCA ee9fd13d, tests/testthat/_snaps/minimize.md), as transcribed
in tests/test_methods_mvqca.py: complex M1 DEV[2]*LIT[1]*IND[1] + DEV[1]*URB[0]*LIT[1]*IND[0] (covS 0.875),
parsimonious M1 DEV[2] + DEV[1]*IND[0]. Here the 18 countries play partnerships, survival is success.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.comparison.analysis import QcaSettings, build_qca_marts
from pipeline.warehouse import ensure_schemas, replace_table
from tests.test_methods_mvqca import LR

FACTORS = {"development": "DEV", "urbanisation": "URB", "literacy": "LIT", "industry": "IND"}


def _warehouse(tmp_path: Path, thresholds: dict[str, str | None]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schemas(con)
    replace_table(con, "staging.success_factors", pd.DataFrame({"factor_id": list(FACTORS)}))
    replace_table(con, "staging.partnerships", pd.DataFrame({"partnership_id": list(LR.index)}))
    assessed = pd.DataFrame({"partnership_id": LR.index, "achieved_objectives": LR["SURV"] > 0})
    replace_table(con, "staging.success_assessments", assessed)
    scores = [
        {
            "partnership_id": country,
            "factor_id": factor,
            "survey_mean": float(LR.at[country, name]),
            "survey_suppressed": False,
            "enabler_passages": 0,
            "barrier_passages": 0,
        }
        for factor, name in FACTORS.items()
        for country in LR.index
    ]
    replace_table(con, "marts.success_factor_matrix", pd.DataFrame(scores))
    # Fuzzy anchors around LM's crisp thresholds (no country sits on a crossover), DEV cut into three levels.
    anchors = {
        "development": (400, 700, 1000),
        "urbanisation": (25, 50, 75),
        "literacy": (50, 75, 90),
        "industry": (15, 30, 45),
    }
    conditions = pd.DataFrame(
        [
            {
                "factor_id": factor,
                "condition": name,
                "full_non_membership": anchors[factor][0],
                "crossover": anchors[factor][1],
                "full_membership": anchors[factor][2],
                "expected": "present",
                "level_thresholds": thresholds.get(factor),
            }
            for factor, name in FACTORS.items()
        ]
    )
    replace_table(con, "staging.qca_conditions", conditions)
    return con


def _marts(con: duckdb.DuckDBPyConnection, incl_cut: float = 1.0) -> dict[str, pd.DataFrame]:
    build_qca_marts(con, QcaSettings(incl_cut=incl_cut))
    names = ("qca_truth_table", "qca_solutions", "qca_necessity")
    # The marts explain success and its negation; these worked examples are about success (survival).
    marts = {name: con.execute(f"SELECT * FROM marts.{name} WHERE outcome = 'SUCCESS'").df() for name in names}
    return marts | {"qca_memberships": con.execute("SELECT * FROM marts.qca_memberships").df()}


def test_a_condition_with_level_thresholds_makes_the_marts_mvqca(tmp_path: Path):
    marts = _marts(_warehouse(tmp_path, {"development": "550;850"}))
    truth = marts["qca_truth_table"].set_index("configuration")
    assert len(truth) == 3 * 2 * 2 * 2  # every combination of levels
    # Belgium, the Netherlands and the UK: DEV above 850, urban, literate, industrial; all survived.
    assert truth.loc["DEV{2}*URB{1}*LIT{1}*IND{1}", ["OUT", "n"]].tolist() == ["1", 3]
    assert truth.loc["DEV{1}*URB{1}*LIT{1}*IND{1}", "contradiction"]  # Czechoslovakia and Germany
    solutions = marts["qca_solutions"]
    assert set(solutions["kind"]) == {"complex", "parsimonious"}  # no intermediate solution for mvQCA
    complex_ = solutions[solutions["kind"] == "complex"]
    assert set(complex_["solution"]) == {"DEV{2}*LIT{1}*IND{1} + DEV{1}*URB{0}*LIT{1}*IND{0}"}
    assert complex_["solution_coverage"].iloc[0] == pytest.approx(0.875, abs=5e-4)
    parsimonious = solutions[solutions["kind"] == "parsimonious"]
    assert set(parsimonious["solution"]) == {"DEV{2} + DEV{1}*IND{0}"}
    assert set(parsimonious["term_cases"]) == {"BE,FR,NL,SE,UK", "FI,IE"}
    # Necessity per level: five of the eight survivors have DEV{2}, and all five survived.
    necessity = marts["qca_necessity"].set_index("condition")
    assert necessity.loc["DEV{2}", ["consistency", "coverage"]].tolist() == pytest.approx([0.625, 1.0])
    assert {"~DEV{0}", "URB{1}", "~IND{0}"} <= set(necessity.index)
    # The memberships mart shows the level of the multi-value condition and the fuzzy memberships of the others.
    members = marts["qca_memberships"].set_index("partnership_id")
    assert members.loc[["BE", "CZ", "PT"], "DEV"].tolist() == [2, 1, 0]
    assert 0.5 < members.loc["BE", "URB"] < 1


def test_without_level_thresholds_the_conditions_stay_fuzzy_sets(tmp_path: Path):
    marts = _marts(_warehouse(tmp_path, {}), incl_cut=0.8)
    assert len(marts["qca_truth_table"]) == 2**4
    assert not marts["qca_truth_table"]["configuration"].str.contains("{", regex=False).any()
    # These anchors leave no configuration consistent enough: the solutions mart is empty, not an error.
    assert marts["qca_solutions"].empty and list(marts["qca_solutions"].columns)[:3] == ["outcome", "kind", "model"]
