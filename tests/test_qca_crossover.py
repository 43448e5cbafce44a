"""What becomes of a partnership whose factor score sits exactly at a QCA condition's crossover.

Its calibrated membership is 0.5 (Ragin 2008, ch. 5: the crossover is the point of maximum ambiguity), in
neither the set nor its complement. Fiss (2011), "Building better causal theories: a fuzzy set approach to
typologies in organization research", Academy of Management Journal 54(2):393-420, adds 0.001 to
memberships so that no case sits at 0.5 and none is lost: the setting `crossover_rule = "nudge"` (the
default) does the same, a membership of exactly 0.5 becomes 0.501; `"exclude"` leaves the partnership out and
says why. A suppressed score stays unpublished either way: its partnership is left out for the suppression,
never for where its score lies.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.comparison.analysis import QcaSettings, build_qca_marts
from pipeline.warehouse import ensure_schemas, replace_table

# Partnership -> (leadership score, integration score, success). A has leadership exactly at the crossover 3.0;
# E's integration score is suppressed (fewer respondents than the threshold) and is also exactly 3.0 underneath.
CASES = {
    "A": (3.0, 4.0, True),
    "B": (4.0, 4.0, True),
    "C": (2.0, 2.0, False),
    "D": (4.0, 2.0, False),
    "E": (4.0, None, True),
}


def _warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schemas(con)
    replace_table(con, "staging.success_factors", pd.DataFrame({"factor_id": ["senior_leadership", "integration"]}))
    replace_table(con, "staging.partnerships", pd.DataFrame({"partnership_id": list(CASES)}))
    replace_table(
        con,
        "staging.success_assessments",
        pd.DataFrame({"partnership_id": list(CASES), "achieved_objectives": [c[2] for c in CASES.values()]}),
    )
    scores = [
        {
            "partnership_id": partnership,
            "factor_id": factor,
            "survey_mean": case[position],
            "survey_suppressed": case[position] is None,
            "enabler_passages": 0,
            "barrier_passages": 0,
        }
        for partnership, case in CASES.items()
        for position, factor in enumerate(["senior_leadership", "integration"])
    ]
    replace_table(con, "marts.success_factor_matrix", pd.DataFrame(scores))
    conditions = pd.DataFrame(
        [
            {"factor_id": factor, "condition": name, "full_non_membership": 2.5, "crossover": 3.0}
            | {"full_membership": 3.5, "expected": "present"}
            for factor, name in [("senior_leadership", "LEAD"), ("integration", "INTEG")]
        ]
    )
    replace_table(con, "staging.qca_conditions", conditions)
    return con


def _memberships(tmp_path: Path, rule: str) -> pd.DataFrame:
    con = _warehouse(tmp_path)
    build_qca_marts(con, QcaSettings(crossover_rule=rule))
    return con.execute("SELECT * FROM marts.qca_memberships").df().set_index("partnership_id")


def test_under_nudge_a_score_at_the_crossover_keeps_its_case_with_membership_0_501(tmp_path):
    members = _memberships(tmp_path, "nudge")
    assert pd.isna(members.at["A", "excluded_reason"])
    assert members.at["A", "LEAD"] == 0.501  # Fiss (2011): 0.5 + 0.001
    # Only memberships of exactly 0.5 move: 4.0 is 1.0 above the crossover, log odds 1.0 x 3 / 0.5 = 6 by
    # Ragin's direct method, membership exp(6) / (1 + exp(6)) = 0.9975; 2.0 mirrors it at 0.0025.
    assert members.at["A", "INTEG"] == pytest.approx(0.9975, abs=0.0001)
    assert members.at["C", "LEAD"] == pytest.approx(0.0025, abs=0.0001)


def test_under_exclude_a_score_at_the_crossover_leaves_its_case_out_with_the_reason(tmp_path):
    members = _memberships(tmp_path, "exclude")
    assert members.at["A", "excluded_reason"] == "senior_leadership score exactly at the crossover (3.0)"
    assert pd.isna(members.at["A", "LEAD"])
    assert members["excluded_reason"].notna().sum() == 2  # A, and E for its suppressed score


@pytest.mark.parametrize("rule", ["nudge", "exclude"])
def test_a_suppressed_score_is_never_nudged_or_located_whatever_the_rule(tmp_path, rule):
    members = _memberships(tmp_path, rule)
    assert members.at["E", "excluded_reason"] == "survey score on integration suppressed (disclosure control)"
    assert members.loc["E", ["LEAD", "INTEG", "SUCCESS"]].isna().all()
