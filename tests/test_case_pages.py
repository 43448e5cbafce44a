"""Case-study pages as case studies: the verdict, the evaluators' narrative, survey respondents and scores by
wave, enabling and hindering excerpts, inequality and Marmot coverage, all from the published marts; and the
`labels` mart that names the ids researchers meet."""

from __future__ import annotations

import html

import duckdb
import pandas as pd
import pytest

from pipeline.reports.evaluation_report import (
    WITHHELD,
    case_study_page,
    construct_scores_table,
    narrative_markup,
    respondents_table,
    trend_figure,
)
from pipeline.reports.marts import Marts
from pipeline.reports.narratives import read_narratives
from tests.conftest import DATA_DIR


@pytest.fixture(scope="module")
def marts(demo_run) -> Marts:
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        return Marts.read(con, schema="main")


def test_the_verdict_is_the_published_success_assessment(demo_run, marts):
    """`partnership_profile` publishes the assessment the QCA explains: the same judgement as its outcome, and
    also for a partnership the QCA leaves out (the judgement is the evaluators', not from the survey)."""
    profile = marts.profile.set_index("partnership_id")
    assessed = pd.read_csv(DATA_DIR / "assessments" / "success_assessment.csv").set_index("partnership_id")
    expected = assessed["achieved_objectives"].map({"yes": True, "no": False})
    assert profile.loc[expected.index, "achieved_objectives"].astype(bool).tolist() == expected.tolist()
    memberships = marts.memberships[marts.memberships["excluded_reason"].isna()]
    included = memberships.set_index("partnership_id")["SUCCESS"]
    assert (profile.loc[included.index, "achieved_objectives"].astype(float) == included).all()
    for partnership_id, achieved in profile["achieved_objectives"].items():
        page = (demo_run.settings.marts_dir / "reports" / "partnerships" / f"{partnership_id}.html").read_text()
        verdict = page.split('class="verdict"')[1].split("</p>")[0]
        assert ("did not achieve" in verdict) == (not achieved), partnership_id


def test_an_unassessed_partnership_says_so(marts):
    profile = marts.profile.copy()
    profile["achieved_objectives"] = profile["achieved_objectives"].astype("boolean").mask(profile.index == 0)
    import dataclasses

    page = case_study_page(dataclasses.replace(marts, profile=profile), profile["partnership_id"].iloc[0])
    assert "Not yet assessed by the evaluation team." in page


def test_a_case_page_has_every_section_of_a_case_study(demo_run, marts):
    partnership_id = "P04"
    page = (demo_run.settings.marts_dir / "reports" / "partnerships" / f"{partnership_id}.html").read_text()
    for heading in (
        "Verdict:",
        "The evaluators' account",
        "Survey respondents per wave",
        "Survey scores across waves",
        "Evidence on each success factor",
        "Enabling the work (site visits)",
        "Holding it back (site visits)",
        "Headline outcome indicators",
        "Inequality gradient within the area",
        "Marmot policy objectives",
        "Driver diagram coverage",
    ):
        assert heading in page, heading
    # Every wave the partnership has scores in (by its label), and every Marmot objective, is shown.
    for wave in marts.construct_scores.loc[marts.construct_scores["partnership_id"] == partnership_id, "wave"]:
        assert f">{html.escape(marts.names('wave')[wave])}<" in page
    for objective in marts.marmot.loc[marts.marmot["partnership_id"] == partnership_id, "objective"]:
        assert html.escape(objective) in page
    # The demo's narrative for the partnership, Markdown rendered.
    assert "<h2>How the partnership worked</h2>" in page and "<li>" in page


def test_a_partnership_without_survey_outcome_or_mapping_data_still_gets_its_page(marts):
    """A programme's first refresh may have no survey wave, outcome series or inequality breakdown yet."""
    import dataclasses

    bare = dataclasses.replace(
        marts,
        response=marts.response.iloc[:0],
        construct_scores=marts.construct_scores.iloc[:0],
        inequality=marts.inequality.iloc[:0],
        marmot=marts.marmot.iloc[:0],
        change=marts.change.iloc[:0],
        trends=marts.trends.iloc[:0],
    )
    page = case_study_page(bare, "P04")
    assert "No survey responses from this partnership." in page
    assert "No deprivation breakdown of any indicator is published for its areas." in page


def test_withheld_counts_and_scores_stay_withheld_on_the_page(marts):
    """A count or mean that disclosure control withheld shows as withheld, never as a number."""
    rates = marts.response[marts.response["level"] == "cell"]
    partnership_id = rates.loc[rates["suppressed"], "partnership_id"].iloc[0]
    data = respondents_table(marts, partnership_id)._tbl_data.set_index("Wave")
    labels = marts.labels[marts.labels["kind"] == "stakeholder_group"].set_index("id")["name"]
    for row in rates[rates["partnership_id"] == partnership_id].itertuples():
        wave = marts.names("wave").get(row.wave, row.wave)  # the table heads waves by their label
        cell = data.loc[wave, labels.get(row.stakeholder_group, row.stakeholder_group)]
        assert cell == (WITHHELD if row.suppressed else str(int(row.respondents)))

    scores = marts.construct_scores.copy()
    scores.loc[0, ["mean", "respondents", "suppressed"]] = [None, None, True]  # as a withheld row is published
    import dataclasses

    row = scores.iloc[0]
    table = construct_scores_table(dataclasses.replace(marts, construct_scores=scores), row["partnership_id"])
    shown = table._tbl_data
    label = marts.labels.set_index(["kind", "id"]).loc[("construct", row["construct"]), "name"]
    assert shown.loc[shown["Construct"] == label, marts.names("wave")[row["wave"]]].item() == WITHHELD


def test_the_inequality_gradient_is_the_latest_of_each_series_published_for_the_partnerships_areas(marts):
    from pipeline.reports.evaluation_report import inequality_table

    areas = marts.profile.assign(area=marts.profile["area_codes"].str.split(";")).explode("area")
    covered = areas[areas["area"].isin(set(marts.inequality["area_code"]))]
    assert not covered.empty  # the demo has deprivation breakdowns for some partnerships' areas
    partnership_id, area = covered.iloc[0][["partnership_id", "area"]]
    shown = inequality_table(marts, partnership_id)._tbl_data
    published = marts.inequality[marts.inequality["area_code"] == area]
    series = published.drop_duplicates(["indicator_id", "sex", "age", "category_type"])
    assert (shown["area_code"] == area).sum() == len(series)
    latest = published.groupby(["indicator_id", "sex", "age", "category_type"], dropna=False)["period"].max()
    assert set(shown.loc[shown["area_code"] == area, "period"]) == set(latest)
    assert set(shown["sii"]) <= set(published["sii"])


def test_excerpts_are_split_by_what_they_were_coded_as(marts):
    matrix = marts.matrix
    assert (matrix.loc[matrix["enabler_excerpts"].notna(), "enabler_passages"] > 0).all()
    assert (matrix.loc[matrix["barrier_excerpts"].notna(), "barrier_passages"] > 0).all()
    assert matrix["barrier_excerpts"].notna().any() and matrix["enabler_excerpts"].notna().any()
    for column in ("enabler_excerpts", "barrier_excerpts"):
        assert matrix[column].dropna().str.count(r" \| ").max() <= 2  # at most three passages each


def test_the_trend_chart_is_titled_labelled_and_marks_the_support_period(marts):
    change = marts.change[marts.change["headline"]]
    partnership_id = next(p for p in change["partnership_id"] if p in set(marts.trends["partnership_id"]))
    indicator = change[change["partnership_id"] == partnership_id].iloc[0]
    series = marts.trends[
        (marts.trends["partnership_id"] == partnership_id) & (marts.trends["indicator_id"] == indicator["indicator_id"])
    ].sort_values("period_sort_key")
    axis = trend_figure(series, indicator, partnership_id).axes[0]
    assert axis.get_title() and axis.get_xlabel() and axis.get_ylabel()
    shaded = [patch for patch in axis.patches if patch.get_label() == "Programme support"]
    assert len(shaded) == 1
    import matplotlib.dates as mdates

    left, right = shaded[0].get_x(), shaded[0].get_x() + shaded[0].get_width()
    assert mdates.num2date(left).date() == pd.Timestamp(indicator["support_start"]).date()
    assert mdates.num2date(right).date() == pd.Timestamp(indicator["support_end"]).date()


def test_a_narrative_is_markdown_with_nothing_active_in_it():
    shown = str(
        narrative_markup(
            "## Lessons\n\n- one <script>alert(1)</script>\n- [site](https://example.org) "
            "[bad](javascript:alert(1)) ![img](https://example.org/x.png) <img src=x onerror=alert(1)>"
        )
    )
    assert "<h2>Lessons</h2>" in shown and "<li>one &lt;script&gt;alert(1)&lt;/script&gt;</li>" in shown
    assert '<a href="https://example.org">site</a>' in shown
    assert "javascript:" not in shown.split("[bad]")[0] and "[bad](javascript:alert(1))" in shown
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown


def test_narrative_files_that_cannot_be_used_are_refused_with_their_reason(tmp_path):
    (tmp_path / "P01.md").write_text("Kirklees: what we saw.", encoding="utf-8")
    (tmp_path / "P02.txt").write_bytes(b"Thanet \xff\xfe")
    (tmp_path / "P99.md").write_text("Not in the programme.", encoding="utf-8")
    (tmp_path / "P03.docx").write_bytes(b"PK")
    (tmp_path / "README.md").write_text("How to write one.", encoding="utf-8")
    narratives = read_narratives(tmp_path, ["P01", "P02", "P03"])
    assert narratives.texts == {"P01": "Kirklees: what we saw."}
    assert set(narratives.refused) == {"P02.txt", "P99.md", "P03.docx"}
    assert "not UTF-8" in narratives.refused["P02.txt"] and "no partnership" in narratives.refused["P99.md"]
    assert read_narratives(tmp_path / "absent", ["P01"]).texts == {}


def test_the_labels_mart_names_every_id_the_other_marts_carry(marts):
    labels = marts.labels
    assert not labels.duplicated(["kind", "id"]).any() and labels["name"].notna().all()
    named = {kind: set(group["id"]) for kind, group in labels.groupby("kind")}
    assert set(marts.matrix["factor_id"]) <= named["factor"]
    assert set(marts.construct_scores["construct"]) <= named["construct"]
    assert set(marts.response["stakeholder_group"].dropna()) - {"not stated"} <= named["stakeholder_group"]
    assert set(marts.profile["wicked_problem"]) <= named["wicked_problem"]
    # Outcome indicators by id (as text), with their unit for a chart's axis.
    assert set(marts.trends["indicator_id"].astype(str)) <= named["outcome_indicator"]
    units = labels[labels["kind"] == "outcome_indicator"].set_index("id")["description"]
    assert units["91414"] == "Directly standardised rate per 100,000" and units["20602"] == "Percentage"
    conditions = set(marts.memberships.columns) - {"partnership_id", "excluded_reason", "evidence_base"}
    assert conditions <= named["qca_condition"]
    # A factor's label is the name success_factors.csv gives it.
    factors = pd.read_csv(DATA_DIR / "reference" / "success_factors.csv").set_index("factor_id")["factor_name"]
    assert labels[labels["kind"] == "factor"].set_index("id")["name"].to_dict() == factors.to_dict()
