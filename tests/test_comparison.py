"""The comparative analysis on the demo data recovers the planted ground truth."""

from __future__ import annotations

import json
import shutil

import duckdb
import pandas as pd
import pytest

from pipeline.comparison.analysis import NUDGED_CROSSOVER, QcaSettings, build_qca_marts
from tests.conftest import DATA_DIR

PLANTED = {"INTEG", "LEAD*PM"}  # (senior_leadership AND project_management) OR integration


@pytest.fixture(scope="module")
def marts(demo_run):
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        # The analysis of success; the negated outcome's rows are tested below.
        marts = {
            name: con.execute(f"SELECT * FROM {name} WHERE outcome = 'SUCCESS'").df()
            for name in ("qca_truth_table", "qca_solutions", "qca_necessity")
        }
        for name in ("qca_truth_table", "qca_solutions", "qca_necessity"):
            marts[f"negated_{name}"] = con.execute(f"SELECT * FROM {name} WHERE outcome = '~SUCCESS'").df()
        yield marts | {"qca_memberships": con.execute("SELECT * FROM qca_memberships").df()}


def _parsimonious_models(solutions) -> dict[str, set[str]]:
    parsimonious = solutions.query("kind == 'parsimonious'")
    return {model: set(terms) for model, terms in parsimonious.groupby("model")["term"]}


def test_the_planted_configuration_is_the_first_parsimonious_model_without_the_crossover_case(demo_run, tmp_path):
    # P18 sits exactly at the crossover on prior experience; left out (crossover_rule "exclude"), the
    # analysis of the demo's warehouse finds the planted rule as its first model.
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_run.settings.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        build_qca_marts(con, QcaSettings(crossover_rule="exclude"))
        solutions = con.execute("SELECT * FROM marts.qca_solutions WHERE outcome = 'SUCCESS'").df()
        excluded = con.execute("SELECT partnership_id, excluded_reason FROM marts.qca_memberships").df()
    assert _parsimonious_models(solutions)["M1"] == PLANTED
    planted = solutions.query("kind == 'parsimonious' and model == 'M1'").iloc[0]
    assert planted["solution_consistency"] > 0.9 and planted["solution_coverage"] > 0.8
    reasons = excluded.set_index("partnership_id")["excluded_reason"]
    assert "crossover" in reasons["P18"]


def test_the_case_at_the_crossover_is_kept_and_the_planted_factors_stay_in_every_model(marts):
    # Under the default rule P18's membership is nudged to 0.501 (Fiss 2011) and it stays in the analysis;
    # its row falls under the consistency cut-off, so integration enters every model only in combination.
    members = marts["qca_memberships"].set_index("partnership_id")
    assert members.at["P18", "EXP"] == NUDGED_CROSSOVER and pd.isna(members.at["P18", "excluded_reason"])
    models = _parsimonious_models(marts["qca_solutions"])
    assert models and all("LEAD*PM" in terms for terms in models.values())
    assert all(any("INTEG" in term.replace("~INTEG", "") for term in terms) for terms in models.values())
    for _, row in marts["qca_solutions"].query("kind == 'parsimonious'").drop_duplicates("model").iterrows():
        assert row["solution_consistency"] > 0.9 and row["solution_coverage"] > 0.8


def test_calibrated_memberships_agree_with_the_planted_levels(marts):
    truth = json.loads((DATA_DIR / "demo_ground_truth.json").read_text())["partnerships"]
    members = marts["qca_memberships"].set_index("partnership_id")
    analysed = members[members["excluded_reason"].isna()]
    assert len(analysed) >= 25
    for condition, factor in {"LEAD": "senior_leadership", "PM": "project_management", "INTEG": "integration"}.items():
        agree = sum((analysed.at[p, condition] > 0.5) == bool(truth[p][factor]) for p in analysed.index)
        assert agree >= len(analysed) - 1
    assert (analysed["SUCCESS"] == [truth[p]["success"] for p in analysed.index]).all()
    # Anyone left out is listed with the reason, never imputed.
    assert (
        members["excluded_reason"]
        .dropna()
        .str.contains("crossover|no survey score|suppressed|no success assessment")
        .all()
    )


def test_the_negated_outcome_is_analysed_on_the_same_cases(marts):
    # QCA of not succeeding (R QCA's outcome = "~SUCCESS", membership 1 - m) runs on the same analysed cases:
    # the same observed configurations, each with the same partnerships.
    success, failure = marts["qca_truth_table"], marts["negated_qca_truth_table"]
    assert len(failure) == len(success) == 2**7
    observed = {tuple(r) for r in success.loc[success["n"] > 0, ["row", "cases"]].itertuples(index=False)}
    assert observed == {tuple(r) for r in failure.loc[failure["n"] > 0, ["row", "cases"]].itertuples(index=False)}
    # The demo's five failures sit in five configurations of their own, all with weak integration and experience;
    # those are the most consistent with failure, but (fuzzy memberships below 1) none reaches the 0.8 cut, so
    # no model of failure is sufficient: the marts publish none rather than a weak one.
    members = marts["qca_memberships"].set_index("partnership_id")
    failed = set(members.index[(members["SUCCESS"] == 0) & members["excluded_reason"].isna()])
    closest = failure[failure["n"] > 0].nlargest(len(failed), "incl")
    assert set(",".join(closest["cases"]).split(",")) == failed
    assert closest["configuration"].str.contains("~EXP*", regex=False).all()
    assert closest["configuration"].str.contains("~INTEG*", regex=False).all()
    assert (failure["OUT"] != "1").all() and marts["negated_qca_solutions"].empty
    # Weak integration is near-necessary for failure (consistency 0.9 or more, Ragin 2006).
    necessity = marts["negated_qca_necessity"].set_index("condition")
    assert necessity["consistency"].idxmax() == "~INTEG" and necessity.at["~INTEG", "consistency"] >= 0.9


def test_calibration_grades_the_memberships_of_partnerships_near_the_crossover(marts):
    members = marts["qca_memberships"]
    analysed = members[members["excluded_reason"].isna()]
    conditions = [c for c in analysed.columns if c.isupper() and c != "SUCCESS"]
    memberships = analysed[conditions].stack()
    # The demo's latent scores are continuous, so a good share of memberships is neither near 0 nor near 1,
    # on both sides of the crossover.
    graded = memberships[memberships.between(0.2, 0.8)]
    assert len(graded) / len(memberships) > 0.1
    assert (graded < 0.5).any() and (graded > 0.5).any()


def test_the_truth_table_lists_every_configuration_with_its_cases(marts):
    table = marts["qca_truth_table"]
    assert len(table) == 2**7
    observed = table[table["n"] > 0]
    assert observed["n"].sum() == marts["qca_memberships"]["excluded_reason"].isna().sum()
    assert set(table.loc[table["n"] == 0, "OUT"]) == {"?"}


@pytest.fixture(scope="module")
def analysis(demo_run):
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        yield {
            name: con.execute(f"SELECT * FROM {name}").df()
            for name in (
                "factor_importance",
                "partnership_typology",
                "factor_outcome_comparison",
                "qca_memberships",
                "success_factor_matrix",
            )
        }


def _analysed(analysis) -> pd.DataFrame:
    members = analysis["qca_memberships"]
    return members[members["excluded_reason"].isna()]


def _metadata(demo_run, asset: str) -> dict[str, object]:
    events = [
        event
        for result in demo_run.results
        for event in result.get_asset_materialization_events()
        if event.asset_key.to_user_string() == asset
    ]
    return {key: value.value for key, value in events[-1].materialization.metadata.items()}


def test_qca_the_comparison_and_the_model_rest_on_the_same_cases(analysis, demo_run):
    # One evidence base: the model of success fits exactly the partnerships QCA analyses, and the comparison
    # by factor level counts them at each factor's two levels; each asset says how many and from what.
    analysed = _analysed(analysis)
    importance = analysis["factor_importance"]
    assert 0 < len(analysed) < analysis["qca_memberships"].shape[0]  # the demo leaves some partnerships out
    assert (importance["n_cases"] == len(analysed)).all()
    comparison = analysis["factor_outcome_comparison"]
    assert (comparison.groupby("factor_id")["partnerships"].sum() == len(analysed)).all()
    for asset in ("qca_memberships", "qca_solutions", "factor_importance", "factor_outcome_comparison"):
        metadata = _metadata(demo_run, asset)
        assert metadata["cases"] == len(analysed), asset
        assert metadata["evidence_base"].startswith("survey: the latest wave's published mean score"), asset
    # ... and each mart says so in its evidence_base column (the setting's default: survey).
    for mart in ("qca_memberships", "factor_importance", "factor_outcome_comparison"):
        assert set(analysis[mart]["evidence_base"]) == {"survey"}, mart


def test_the_typology_keeps_every_partnership_and_says_what_it_imputes(analysis, demo_run):
    # The typology describes every partnership's profile (it explains no outcome), imputing a missing or
    # suppressed score, so it clusters more partnerships than QCA analyses.
    metadata = _metadata(demo_run, "partnership_typology")
    assert metadata["cases"] == len(analysis["partnership_typology"]) > len(_analysed(analysis))
    assert metadata["evidence_base"].startswith("survey means, latest wave, published; a missing or suppressed")


def test_the_model_puts_the_planted_factors_first_and_says_how_little_to_trust_it(analysis):
    importance = analysis["factor_importance"].set_index("factor_id")
    assert importance["rank"].idxmin() == "integration"
    assert importance.loc["integration", "coefficient"] > 0 and importance.loc["senior_leadership", "rank"] <= 2
    first = importance.iloc[0]
    # On the QCA's analysed cases (fewer than all, and a larger majority succeeding) leave-one-out accuracy need
    # not beat always guessing the larger group, but the model's probabilities forecast better than the prevalence.
    assert first["loo_brier"] < first["baseline_brier"]
    assert "Peduzzi" in first["caveat"] and first["events_per_variable"] < 10


def test_every_partnership_has_a_type_and_the_choice_of_k_is_recorded(analysis):
    typology = analysis["partnership_typology"]
    partnerships = analysis["qca_memberships"]["partnership_id"].nunique()
    assert len(typology) == partnerships and typology["cluster"].between(1, typology["k"].iloc[0]).all()
    assert typology.groupby("cluster")["cluster_size"].first().sum() == partnerships
    assert 0 < typology["stability_ari"].iloc[0] <= 1


def test_success_differs_most_by_integration(analysis):
    comparison = analysis["factor_outcome_comparison"]
    strong = comparison[comparison["level"] == "strong"].set_index("factor_id")
    assert strong["difference_strong_minus_weak"].idxmax() == "integration"
    assert strong.loc["integration", "difference_ci_low"] > 0  # the interval excludes no difference
    assert (comparison.groupby("factor_id")["partnerships"].sum() == comparison["partnerships"].sum() / 7).all()
