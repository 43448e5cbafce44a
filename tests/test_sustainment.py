"""Sustainment and spread after support, tested against the success factors, and the programme's rounds compared:
the marts recover the demo's planted truth (`demo_sustainment_truth.json`), the report says so in words, and a
programme without the optional files still builds."""

from __future__ import annotations

import json
import math

import duckdb
import pandas as pd
import pytest
from scipy import stats

from pipeline.comparison import sustainment
from pipeline.reports import findings
from pipeline.reports.sustainment import round_comparison_table, sustainment_summary
from tests.conftest import DATA_DIR


@pytest.fixture(scope="module")
def published(demo_run) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        return {
            name: con.execute(f"SELECT * FROM {name}").df()
            for name in ("sustainment", "sustainment_by_factor", "round_comparison", "response_rates")
        }


def test_the_sustainment_mart_has_every_partnership_with_its_status_and_spread(published):
    truth = json.loads((DATA_DIR / "demo_sustainment_truth.json").read_text())
    mart = published["sustainment"].set_index("partnership_id")
    assert len(mart) == 30
    assert mart["status"].to_dict() == truth["status"]
    assert (mart["continued"] == (mart["status"] != "stopped")).all()
    roll_out = mart.loc[truth["roll_out"]["partnership_id"]]
    assert roll_out["spread_count"] == 1 and roll_out["latest_spread_kind"] == "new_area"
    assert roll_out["latest_spread"] == truth["roll_out"]["description"]
    assert (mart["status_date"] >= mart["support_end"]).all()
    assert set(mart["programme_round"]) == {1, 2}
    assert (mart["factor_id"] == "integration").all()
    # The level comes from the QCA's analysed cases only: partnerships left out (suppressed scores) have none.
    assert mart["factor_level"].isna().sum() == 3


def test_integration_goes_with_sustainment_as_planted(published):
    by_factor = published["sustainment_by_factor"]
    tested = by_factor[by_factor["tested_factor"]].set_index("level")
    assert list(by_factor.loc[by_factor["tested_factor"], "factor_id"].unique()) == ["integration"]
    # The counts are the sustainment mart's own partnerships at each level.
    mart = published["sustainment"].dropna(subset=["factor_level"])
    for level in ("strong", "weak"):
        rows = mart[mart["factor_level"] == level]
        assert tested.at[level, "partnerships"] == len(rows)
        assert tested.at[level, "continued"] == rows["continued"].sum()
    strong, weak = tested.loc["strong"], tested.loc["weak"]
    # Planted 0.85 against 0.35: the Newcombe interval of the difference is clear of zero, and Fisher's test agrees.
    assert strong["difference_ci_low"] > 0
    table = [[strong["continued"], strong["partnerships"] - strong["continued"]]]
    table.append([weak["continued"], weak["partnerships"] - weak["continued"]])
    assert strong["fisher_p"] == pytest.approx(stats.fisher_exact(table).pvalue) and strong["fisher_p"] < 0.05
    # The factors the demo did not plant show no such link.
    others = by_factor[~by_factor["tested_factor"] & (by_factor["level"] == "strong")]
    assert (others["difference_ci_low"] < 0).all()


def test_rounds_are_compared_on_success_sustainment_response_and_support(published, demo_run):
    rounds = published["round_comparison"]
    assert set(rounds["measure"]) == {"success", "continued", "response", "support_useful"}
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        assessed = con.execute(
            "SELECT programme_round, count(*) FILTER (WHERE achieved_objectives), count(*)"
            " FROM staging.success_assessments JOIN staging.partnerships USING (partnership_id) GROUP BY 1 ORDER BY 1"
        ).fetchall()
    success = rounds[rounds["measure"] == "success"].sort_values("programme_round")
    counts = success[["programme_round", "partnerships_counted", "partnerships"]].astype(int)
    assert [tuple(row) for row in counts.itertuples(index=False)] == assessed
    # The difference is each later round's against the first, with Newcombe's interval around it.
    second = success.iloc[1]
    assert second["difference_from_first"] == pytest.approx(second["share"] - success.iloc[0]["share"])
    assert second["difference_ci_low"] < second["difference_from_first"] < second["difference_ci_high"]
    # Respondents by round add up to the wave totals response_rates publishes.
    response = rounds[(rounds["measure"] == "response") & ~rounds["suppressed"]]
    totals = published["response_rates"].query("level == 'wave'").set_index("wave")["respondents"]
    for wave, group in response.groupby("wave"):
        assert group["people_counted"].sum() == totals[wave]
    # Counts of people are disclosure-controlled: none published from 1 to 4.
    people = rounds[["people_counted", "people"]].stack()
    assert not people.between(1, 4).any()


def test_the_report_says_whether_integration_goes_with_sustainment(demo_run):
    report = (demo_run.settings.marts_dir / "reports" / "evaluation_report.html").read_text()
    section = report[report.index('<section id="sustainment">') :]
    section = section[: section.index("</section>")]
    assert "Sustainment and spread" in section
    assert "integration with other workstreams goes with sustainment, as the evaluation found" in section
    assert "Newcombe 95% CI" in section and "Fisher" in section and "Small numbers" in section
    assert "Kent County Council" in section  # the county roll-out in the spread table
    assert "Rounds compared" in report


def test_each_case_page_says_what_became_of_the_work_and_where_it_spread(demo_run, published):
    pages = demo_run.settings.marts_dir / "reports" / "partnerships"
    thanet = (pages / "P02.html").read_text()
    assert "After support ended, the work was integrated into other work (found 2018-07-31:" in thanet
    assert "Kent County Council rolled the approach out across the county" in thanet  # its county roll-out
    stopped = published["sustainment"].query("status == 'stopped' and spread_count == 0")["partnership_id"].iloc[0]
    page = (pages / f"{stopped}.html").read_text()
    assert "After support ended, the work was stopped" in page and "It spread" not in page


def test_without_a_significant_difference_the_finding_says_the_data_cannot_confirm_it():
    rows = []
    for level, continued, n in (("strong", 3, 5), ("weak", 2, 5)):
        low, high = sustainment.wilson_interval(continued, n)
        difference, d_low, d_high = sustainment.newcombe_difference(3, 5, 2, 5)
        rows.append(
            {
                "factor_id": "integration",
                "level": level,
                "tested_factor": True,
                "partnerships": n,
                "continued": continued,
                "share_continued": continued / n,
                "share_ci_low": low,
                "share_ci_high": high,
                "difference_strong_minus_weak": difference,
                "difference_ci_low": d_low,
                "difference_ci_high": d_high,
                "fisher_p": sustainment.fisher_exact_p(3, 5, 2, 5),
            }
        )
    (finding,) = findings.sustainment_findings(pd.DataFrame(rows), {"integration": "Integration"})
    assert finding.text.startswith("These data cannot confirm that integration goes with sustainment")
    assert "3 of 5" in finding.text and "2 of 5" in finding.text and "p = 1.000" in finding.text


def test_without_the_optional_files_the_section_and_the_rounds_table_are_left_out():
    assert sustainment_summary(pd.DataFrame({"status": [None, None], "spread_count": [0, 0]})) is None
    assert findings.sustainment_findings(pd.DataFrame(), {}) == []
    assert round_comparison_table(pd.DataFrame()) is None
    assert math.isnan(sustainment.fisher_exact_p(0, 0, 1, 2))
