"""The QCA marts explain success and its negation (R QCA's outcome = "~SURV": membership 1 - m), so the report
can say which configurations go with partnerships not achieving their objectives.

Source of the expected solutions: Lipset's crisp data (R QCA's LC; Rihoux & De Meur 2009, "Crisp-set
qualitative comparative analysis", ch. 3 of Rihoux & Ragin (eds.), "Configurational Comparative Methods", Sage):
with remainders, survival is DEV*STB (R QCA; GNPCAP*GOVSTAB in Rihoux & De Meur) and non-survival
~DEV + ~STB ("gnpcap + govstab", Rihoux & De Meur 2009, ch. 3; R QCA minimize(truthTable(LC, "~SURV"),
include = "?")); without remainders non-survival is ~DEV*~URB*~IND + DEV*LIT*IND*~STB (R QCA
minimize(truthTable(LC, "~SURV"))), as tests/test_qca.py checks for the method. Here the 18 countries play
partnerships and survival is success; their 0/1 memberships arrive as survey "scores" 0 and 1 calibrated with
anchors 0.25 / 0.5 / 0.75 (memberships 0.0025 and 0.9975, Ragin's direct method).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.comparison.analysis import QcaSettings, build_qca_marts
from pipeline.comparison.schemas import QcaNecessityMart, QcaSolutionsMart, QcaTruthTableMart
from pipeline.warehouse import ensure_schemas, replace_table
from tests.test_qca import CONDITIONS, LC

FACTORS = {name.lower(): name for name in CONDITIONS}


def _warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schemas(con)
    replace_table(con, "staging.success_factors", pd.DataFrame({"factor_id": list(FACTORS)}))
    replace_table(con, "staging.partnerships", pd.DataFrame({"partnership_id": list(LC.index)}))
    assessed = pd.DataFrame({"partnership_id": LC.index, "achieved_objectives": LC["SURV"] == 1})
    replace_table(con, "staging.success_assessments", assessed)
    scores = [
        {
            "partnership_id": country,
            "factor_id": factor,
            "survey_mean": float(LC.at[country, name]),
            "survey_suppressed": False,
            "enabler_passages": 0,
            "barrier_passages": 0,
        }
        for factor, name in FACTORS.items()
        for country in LC.index
    ]
    replace_table(con, "marts.success_factor_matrix", pd.DataFrame(scores))
    conditions = pd.DataFrame(
        [
            {"factor_id": factor, "condition": name, "full_non_membership": 0.25, "crossover": 0.5}
            | {"full_membership": 0.75, "expected": "present"}
            for factor, name in FACTORS.items()
        ]
    )
    replace_table(con, "staging.qca_conditions", conditions)
    return con


def _marts(tmp_path: Path) -> dict[str, pd.DataFrame]:
    con = _warehouse(tmp_path)
    build_qca_marts(con, QcaSettings(incl_cut=0.9))
    return {
        name: con.execute(f"SELECT * FROM marts.{name}").df()
        for name in ("qca_truth_table", "qca_solutions", "qca_necessity")
    }


def _models(solutions: pd.DataFrame, outcome: str, kind: str) -> set[str]:
    return set(solutions.query("outcome == @outcome and kind == @kind")["solution"])


def test_the_negated_outcome_gives_rihoux_and_de_meurs_solution_for_non_survival(tmp_path):
    solutions = _marts(tmp_path)["qca_solutions"]
    assert set(solutions["outcome"]) == {"SUCCESS", "~SUCCESS"}
    assert _models(solutions, "SUCCESS", "parsimonious") == {"DEV*STB"}
    assert _models(solutions, "~SUCCESS", "parsimonious") == {"~DEV + ~STB"}
    assert _models(solutions, "~SUCCESS", "complex") == {"~DEV*~URB*~IND + DEV*LIT*IND*~STB"}
    # Every one of the ten non-surviving countries is covered by the non-survival solution.
    covered = ",".join(solutions.query("outcome == '~SUCCESS' and kind == 'parsimonious'")["term_cases"]).split(",")
    assert set(covered) == set(LC.index[LC["SURV"] == 0])


def test_each_qca_mart_keeps_its_grain_with_the_outcome_in_it(tmp_path):
    marts = _marts(tmp_path)
    truth = marts["qca_truth_table"]
    # The same 2^5 configurations, once per outcome; a row's OUT flips between the outcomes where cases agree.
    assert truth.groupby("outcome").size().to_dict() == {"SUCCESS": 32, "~SUCCESS": 32}
    by_row = truth.pivot(index="row", columns="outcome", values="OUT")
    observed = by_row[by_row["SUCCESS"] != "?"]
    assert ((observed["SUCCESS"] == "1") == (observed["~SUCCESS"] == "0")).all()
    for name, model in (
        ("qca_truth_table", QcaTruthTableMart),
        ("qca_solutions", QcaSolutionsMart),
        ("qca_necessity", QcaNecessityMart),
    ):
        assert not marts[name].duplicated(model.Config.unique).any(), name
    # Necessity of ~DEV for non-survival: 8 of the 10 non-surviving countries were poor (all but Austria and
    # Germany), consistency 8 / 10 (R QCA: pof("~DEV", "~SURV", data = LC, relation = "necessity")); the
    # near-crisp memberships (0.9975 and 0.0025) give (8 x 0.9975 + 2 x 0.0025) / 10 = 0.7985.
    necessity = marts["qca_necessity"].set_index(["outcome", "condition"])
    assert necessity.at[("~SUCCESS", "~DEV"), "consistency"] == pytest.approx(0.7985, abs=1e-4)


def test_the_negated_outcome_takes_its_own_consistency_cut_when_one_is_set(tmp_path):
    # The negated outcome is a truth table of its own (Schneider & Wagemann 2012, section 9.2): a stricter cut
    # for ~SUCCESS, set just above its least consistent sufficient row, turns that row (and only rows as weak)
    # to 0, while success keeps its rows, read at its own cut.
    con = _warehouse(tmp_path)
    read = "SELECT outcome, row, OUT, incl FROM marts.qca_truth_table ORDER BY outcome, row"
    build_qca_marts(con, QcaSettings(incl_cut=0.9))
    same = con.execute(read).df()
    negated = same[same["outcome"] == "~SUCCESS"]
    weakest = negated.loc[negated["OUT"] == "1", "incl"].min()
    # Rows of one consistency may differ in their last bits: the next consistency up is one clearly above.
    stricter = (weakest + negated.loc[negated["incl"] > weakest + 1e-9, "incl"].min()) / 2
    build_qca_marts(con, QcaSettings(incl_cut=0.9, negated_incl_cut=stricter))
    own = con.execute(read).df()
    pd.testing.assert_frame_equal(own[own["outcome"] == "SUCCESS"], same[same["outcome"] == "SUCCESS"])
    flipped = own.merge(same, on=["outcome", "row"], suffixes=("", "_before")).query("OUT != OUT_before")
    assert len(flipped) > 0 and set(flipped["outcome"]) == {"~SUCCESS"}
    assert (flipped["OUT_before"] == "1").all() and (flipped["OUT"] == "0").all()
    assert (flipped["incl"] < stricter).all()
