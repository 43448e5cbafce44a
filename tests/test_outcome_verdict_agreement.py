"""The evaluators' success verdict beside the headline outcome's classification: agree, disagree or cannot tell."""

from __future__ import annotations

import html

import duckdb
import pandas as pd
import pytest

from pipeline.comparison.marts import build_outcome_verdict_agreement
from pipeline.outcomes.schemas import OUTCOME_CLASSES

IMPROVED = {"improved", "improved (point estimate)"}
WORSENED = {"worsened", "worsened (point estimate)"}


def expected_agreement(achieved: object, classification: object, needs_interval: bool = False) -> str:
    """The documented rule, written out again: improved and achieved or worsened and not achieved agree,
    the opposite pairs disagree, everything else cannot tell."""
    if pd.isna(achieved) or pd.isna(classification):
        return "cannot tell"
    if needs_interval and classification.endswith("(point estimate)"):
        return "cannot tell"
    if classification in IMPROVED:
        return "agree" if achieved else "disagree"
    if classification in WORSENED:
        return "disagree" if achieved else "agree"
    return "cannot tell"


def small_warehouse(needs_interval: bool) -> pd.DataFrame:
    """Every verdict (achieved, not, none) against every classification, and one partnership without a headline
    indicator, through the mart's builder."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    cases = [(verdict, cls) for verdict in (True, False, None) for cls in OUTCOME_CLASSES]
    ids = [f"P{i:02d}" for i in range(len(cases) + 1)]
    con.execute("CREATE TABLE staging.partnerships AS SELECT unnest($ids) AS partnership_id", {"ids": ids})
    assessed = pd.DataFrame({"partnership_id": ids[:-1], "achieved_objectives": [v for v, _ in cases]}).dropna()
    change = pd.DataFrame(
        {
            "partnership_id": ids[:-1] * 2,
            "indicator_id": [1] * len(cases) + [2] * len(cases),
            "indicator_name": ["Headline"] * len(cases) + ["Other"] * len(cases),
            "headline": [True] * len(cases) + [False] * len(cases),
            "classification": [c for _, c in cases] + ["worsened"] * len(cases),
            "reason": ["no value after support began" if c == "insufficient data" else None for _, c in cases]
            + [None] * len(cases),
        }
    )
    con.register("assessed", assessed)
    con.register("change", change)
    con.execute(
        "CREATE TABLE staging.success_assessments AS"
        " SELECT partnership_id, achieved_objectives::BOOLEAN AS achieved_objectives FROM assessed"
    )
    con.execute("CREATE TABLE marts.outcome_change AS SELECT * FROM change")
    build_outcome_verdict_agreement(con, improved_needs_interval=needs_interval)
    frame = con.execute("SELECT * FROM marts.outcome_verdict_agreement ORDER BY partnership_id").df()
    con.close()
    return frame


@pytest.mark.parametrize("needs_interval", [False, True])
def test_every_verdict_and_classification_pair_follows_the_rule(needs_interval):
    frame = small_warehouse(needs_interval)
    assert frame["partnership_id"].is_unique and len(frame) == 3 * len(OUTCOME_CLASSES) + 1
    expected = [
        expected_agreement(v, c, needs_interval)
        for v, c in zip(frame["achieved_objectives"], frame["classification"], strict=True)
    ]
    assert list(frame["agreement"]) == expected
    # The headline indicator, never another of the problem's indicators, is compared.
    assert set(frame["headline_indicator_name"].dropna()) == {"Headline"}
    last = frame.iloc[-1]
    assert pd.isna(last["classification"]) and last["agreement"] == "cannot tell"
    assert last["reason"] == "no success assessment"


def test_the_reason_says_why_in_words():
    frame = small_warehouse(needs_interval=False).set_index(["achieved_objectives", "classification"])
    assert (
        frame.loc[(True, "worsened"), "reason"]
        == "judged to have achieved its objectives, yet its headline outcome worsened against England"
    )
    assert frame.loc[(False, "improved (point estimate)"), "reason"].endswith(
        "improved against England (point estimate, without a 95% interval)"
    )
    assert frame.loc[(True, "insufficient data"), "reason"] == (
        "the headline outcome has insufficient data: no value after support began"
    )
    strict = small_warehouse(needs_interval=True).set_index(["achieved_objectives", "classification"])
    assert "improved_needs_interval" in strict.loc[(True, "improved (point estimate)"), "reason"]


@pytest.fixture(scope="module")
def published(demo_run) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        return {
            name: con.execute(f"SELECT * FROM {name}").df()
            for name in ("outcome_verdict_agreement", "outcome_change", "partnership_profile")
        }


def test_the_demo_mart_pairs_each_published_verdict_with_its_published_headline_outcome(published):
    agreement = published["outcome_verdict_agreement"].set_index("partnership_id")
    profile = published["partnership_profile"].set_index("partnership_id").reindex(agreement.index)
    change = published["outcome_change"]
    headline = change[change["headline"]].set_index("partnership_id")
    assert sorted(agreement.index) == sorted(published["partnership_profile"]["partnership_id"])
    assert agreement["achieved_objectives"].equals(profile["achieved_objectives"])
    classification = headline["classification"].reindex(agreement.index)
    assert agreement["classification"].fillna("").equals(classification.fillna(""))
    expected = [expected_agreement(v, c) for v, c in zip(profile["achieved_objectives"], classification, strict=True)]
    assert list(agreement["agreement"]) == expected
    # The demo has all three answers, so the report's table has something to list.
    assert set(agreement["agreement"]) == {"agree", "disagree", "cannot tell"}


def test_the_report_lists_every_disagreement_in_its_impacts_section(published, demo_run):
    agreement = published["outcome_verdict_agreement"]
    names = published["partnership_profile"].set_index("partnership_id")["partnership_name"]
    report = (demo_run.settings.marts_dir / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    impacts = report[report.index('<section id="impacts">') :]
    impacts = impacts[: impacts.index("</section>")]
    assert "Where the outcome statistics and the verdict disagree" in impacts
    counts = agreement["agreement"].value_counts()
    assert (
        f"{counts.get('disagree', 0)} disagree, {counts.get('agree', 0)} agree, "
        f"{counts.get('cannot tell', 0)} cannot tell, of {len(agreement)} partnerships" in impacts
    )
    for row in agreement.itertuples():
        listed = html.escape(f"{row.partnership_id} {names[row.partnership_id]}") in impacts
        assert listed == (row.agreement == "disagree"), row.partnership_id
