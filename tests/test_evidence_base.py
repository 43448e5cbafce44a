"""The setting `evidence_base` chooses the one calibrated evidence QCA, the comparison by factor level and the
model of success analyse: survey scores, site-visit codings, or both triangulated.

A survey mean is calibrated by the condition's anchors (Ragin 2008, "Redesigning Social Inquiry", ch. 5: the
direct method, log odds +-3 at the full-membership and full non-membership anchors); the site-visit evidence is
the share of coded passages that are enablers, calibrated the same way with the site-visit rating's cut-offs
(1/3, 2/3; Farmer et al. 2006 convergence coding in `success_factor_matrix`) as anchors and 1/2 as crossover;
triangulated is the mean of the two where both methods have evidence, the one there is where a method is silent.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.comparison.analysis import QcaSettings, build_qca_marts
from pipeline.methods import qca
from pipeline.warehouse import ensure_schemas, replace_table

FACTORS = {"senior_leadership": "LEAD", "integration": "INTEG"}
# Partnership -> per factor (survey mean, suppressed, enabler passages, barrier passages), and success.
# A: the survey says strong leadership, the site visits weak. B: its leadership score is suppressed (2.0
# underneath, never published), the site visits found only enablers; nothing was coded on its integration.
# C: weak on both by both methods. D: no evidence at all on integration.
CASES = {
    "A": ({"senior_leadership": (4.0, False, 1, 3), "integration": (4.0, False, 3, 0)}, True),
    "B": ({"senior_leadership": (None, True, 2, 0), "integration": (2.0, False, 0, 0)}, True),
    "C": ({"senior_leadership": (2.0, False, 0, 2), "integration": (2.0, False, 0, 2)}, False),
    "D": ({"senior_leadership": (2.0, False, 0, 1), "integration": (None, False, 0, 0)}, False),
}


def _warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schemas(con)
    replace_table(con, "staging.success_factors", pd.DataFrame({"factor_id": list(FACTORS)}))
    replace_table(con, "staging.partnerships", pd.DataFrame({"partnership_id": list(CASES)}))
    replace_table(
        con,
        "staging.success_assessments",
        pd.DataFrame({"partnership_id": list(CASES), "achieved_objectives": [c[1] for c in CASES.values()]}),
    )
    rows = [
        {
            "partnership_id": partnership,
            "factor_id": factor,
            "survey_mean": mean,
            "survey_suppressed": suppressed,
            "enabler_passages": enablers,
            "barrier_passages": barriers,
        }
        for partnership, (evidence, _) in CASES.items()
        for factor, (mean, suppressed, enablers, barriers) in evidence.items()
    ]
    replace_table(con, "marts.success_factor_matrix", pd.DataFrame(rows))
    conditions = pd.DataFrame(
        [
            {"factor_id": factor, "condition": name, "full_non_membership": 2.5, "crossover": 3.0}
            | {"full_membership": 3.5, "expected": "present"}
            for factor, name in FACTORS.items()
        ]
    )
    replace_table(con, "staging.qca_conditions", conditions)
    return con


def _memberships(tmp_path: Path, base: str) -> pd.DataFrame:
    tmp_path.mkdir(exist_ok=True)
    con = _warehouse(tmp_path)
    build_qca_marts(con, QcaSettings(evidence_base=base))
    return con.execute("SELECT * FROM marts.qca_memberships").df().set_index("partnership_id")


# Ragin's direct method: a mean of 4.0 is 1.0 above the crossover 3.0, log odds 1.0 x 3 / 0.5 = 6, membership
# exp(6) / (1 + exp(6)) = 0.9975; 2.0 mirrors it at 0.0025. An enabler share of 1/4 is 1/4 below the crossover
# 1/2, log odds -(1/4) x 3 / (1/6) = -4.5, membership 0.0110; a share of 1 gives log odds 9, membership 0.99988.
SURVEY_4, SURVEY_2, SHARE_QUARTER, SHARE_ALL, SHARE_NONE = 0.9975, 0.0025, 0.0110, 0.99988, 0.00012


def test_survey_evidence_calibrates_the_survey_means(tmp_path):
    members = _memberships(tmp_path, "survey")
    assert members.at["A", "LEAD"] == pytest.approx(SURVEY_4, abs=1e-4)
    assert members.at["C", "INTEG"] == pytest.approx(SURVEY_2, abs=1e-4)
    assert members.at["B", "excluded_reason"] == "survey score on senior_leadership suppressed (disclosure control)"
    assert members.at["D", "excluded_reason"] == "no survey score on integration"
    assert (members["evidence_base"] == "survey").all()


def test_site_visit_evidence_calibrates_the_share_of_enabler_passages(tmp_path):
    members = _memberships(tmp_path, "site_visits")
    # A's leadership: strong by the survey, but one enabler passage to three barriers: out of the set.
    assert members.at["A", "LEAD"] == pytest.approx(SHARE_QUARTER, abs=1e-4)
    assert members.at["A", "INTEG"] == pytest.approx(SHARE_ALL, abs=1e-5)
    assert members.at["C", "LEAD"] == pytest.approx(SHARE_NONE, abs=1e-5)
    # No passages coded is no evidence: left out with the reason, never imputed.
    assert members.at["B", "excluded_reason"] == "no coded site-visit passages on integration"
    assert members.loc["B", ["LEAD", "INTEG", "SUCCESS"]].isna().all()
    assert (members["evidence_base"] == "site_visits").all()


def test_triangulated_evidence_averages_both_methods_and_keeps_one_where_the_other_is_silent(tmp_path):
    members = _memberships(tmp_path, "triangulated")
    # Dissonance (survey strong, site visits weak) pulls A's leadership towards the crossover.
    assert members.at["A", "LEAD"] == pytest.approx((SURVEY_4 + SHARE_QUARTER) / 2, abs=1e-4)
    # Silence: B's suppressed survey score is no evidence, the site visits stand alone; nothing was coded on
    # its integration, so the survey stands alone there.
    assert pd.isna(members.at["B", "excluded_reason"])
    assert members.at["B", "LEAD"] == pytest.approx(SHARE_ALL, abs=1e-5)
    assert members.at["B", "INTEG"] == pytest.approx(SURVEY_2, abs=1e-4)
    assert members.at["D", "excluded_reason"] == "no survey score on integration and no coded site-visit passages on it"


def test_a_suppressed_survey_score_cannot_be_recovered_from_the_triangulated_membership(tmp_path):
    # B's membership is exactly the site visits' calibration: it holds nothing of the suppressed mean (2.0).
    members = _memberships(tmp_path, "triangulated")
    site_visits_alone = qca.calibrate_fuzzy(pd.Series([1.0]), 1 / 3, 0.5, 2 / 3).iloc[0]
    assert members.at["B", "LEAD"] == site_visits_alone


def test_the_evidence_base_decides_which_partnerships_qca_analyses(tmp_path):
    analysed = {
        base: set(_memberships(tmp_path / base, base).query("excluded_reason.isna()").index)
        for base in ("survey", "site_visits", "triangulated")
    }
    # B has no site-visit passages on integration, D no evidence of either kind on it.
    assert analysed == {"survey": {"A", "C"}, "site_visits": {"A", "C"}, "triangulated": {"A", "B", "C"}}


def test_multi_value_conditions_need_survey_evidence(tmp_path):
    con = _warehouse(tmp_path)
    conditions = con.execute("SELECT * FROM staging.qca_conditions").df().assign(level_thresholds=["3.0;4.0", None])
    replace_table(con, "staging.qca_conditions", conditions)
    with pytest.raises(ValueError, match="senior_leadership: level_thresholds .* evidence_base = 'survey'"):
        build_qca_marts(con, QcaSettings(evidence_base="site_visits"))
