"""The evaluation report as an evaluator publishes it: a header saying what it was built from, key findings
first (each a sentence with its numbers, interval and caveat), then the sections by the evaluation's questions.

Expectations are computed from the demo run's published marts, never written in as figures, so a regenerated
demo keeps these tests meaningful.
"""

from __future__ import annotations

import html
import re

import duckdb
import pandas as pd
import pytest

from pipeline.reports import findings
from pipeline.reports.evaluation_report import qca_table, report_findings
from pipeline.reports.marts import Marts
from pipeline.reports.provenance import SETTINGS_SHOWN


@pytest.fixture(scope="module")
def marts(demo_run) -> Marts:
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        return Marts.read(con, schema="main")


@pytest.fixture(scope="module")
def report(demo_run) -> str:
    return (demo_run.settings.marts_dir / "reports" / "evaluation_report.html").read_text()


@pytest.fixture(scope="module")
def texts(marts) -> list[str]:
    return [finding.text for finding in report_findings(marts)]


def visible(page: str) -> str:
    """The page's text as a reader sees it: tags dropped, entities read, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_header_lists_the_build_date_sources_settings_and_exclusions(demo_run, report, marts):
    text = visible(report)
    assert re.search(r"Built \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", text)
    for wave in sorted((demo_run.settings.data_dir / "surveys").glob("*.csv")):
        assert wave.name in text  # the survey waves as loaded
    for folder in ("surveys", "codings", "outcomes", "reference", "assessments"):
        assert folder in text
    settings = demo_run.settings
    for name, meaning in SETTINGS_SHOWN:
        assert meaning in text, name
    assert f"Disclosure threshold: smallest count published {settings.disclosure_threshold}" in text
    assert f"QCA: truth-table row sufficient from consistency {settings.qca_consistency_cut}" in text
    negated_cut = f"{settings.qca_consistency_cut} (as for success)"
    assert f"QCA of not succeeding: truth-table row sufficient from consistency {negated_cut}" in text
    assert f"QCA: a score exactly at the crossover {settings.crossover_rule}" in text
    assert f"Survey rating strong from (mean score) {settings.survey_strong_from}" in text
    excluded = marts.memberships.dropna(subset=["excluded_reason"])
    assert len(excluded) > 0  # the demo suppresses some scores, so some partnerships are left out
    for row in excluded.itertuples(index=False):
        assert f"{row.partnership_id} " in text and row.excluded_reason in text


def test_key_findings_come_before_the_sections_and_each_carries_numbers(report, texts):
    text = visible(report)
    order = [
        "About this report",
        "Key findings",
        "Which factors go with success",
        "Challenges and barriers",
        "Impacts",
        "The support offer",
        "Response",
        "Site-visit coding",
    ]
    places = [text.index(heading) for heading in order]
    assert places == sorted(places)
    assert len(texts) >= 5
    for sentence in texts:
        assert re.search(r"\d", sentence), sentence
        assert sentence in text  # rendered as written


def test_each_factor_with_a_clear_difference_in_success_is_a_finding_with_its_counts_and_intervals(marts, texts):
    comparison = marts.factor_outcome
    strong = comparison[comparison["level"] == "strong"].set_index("factor_id")
    weak = comparison[comparison["level"] == "weak"].set_index("factor_id")
    clear = strong[(strong["difference_ci_low"] > 0) | (strong["difference_ci_high"] < 0)]
    names = {row.factor_id: row.factor_name for row in marts.matrix.itertuples(index=False)}
    for factor_id, row in clear.iterrows():
        other = weak.loc[factor_id]
        expected = [
            f"Partnerships strong on {names[factor_id].lower()}",
            f"{int(row['successful'])} of {int(row['partnerships'])} ({findings.percent(row['share_successful'])}, "
            f"95% CI {findings.share_interval(row['share_ci_low'], row['share_ci_high'])})",
            f"{int(other['successful'])} of {int(other['partnerships'])}",
            f"difference {findings.points(row['difference_strong_minus_weak'])} (Newcombe 95% CI "
            f"{findings.interval(100 * row['difference_ci_low'], 100 * row['difference_ci_high'], 0)})",
            findings.SMALL_NUMBERS,
        ]
        assert any(all(part in sentence for part in expected) for sentence in texts), expected
    if clear.empty:
        assert any("No factor's difference in success is clear of chance" in sentence for sentence in texts)


def test_every_equally_minimal_parsimonious_model_is_a_finding_and_in_the_qca_table(marts, texts, report):
    parsimonious = marts.solutions[marts.solutions["kind"] == "parsimonious"]
    models = parsimonious.drop_duplicates("solution")
    assert len(models) == parsimonious["n_models"].iloc[0] > 1  # the demo has several, not only M1
    finding = next(t for t in texts if "sufficient for success (parsimonious solution)" in t)
    assert f"{len(models)} equally minimal models" in finding
    for model in models.itertuples(index=False):
        assert (
            f"{model.solution} (consistency {findings.number(model.solution_consistency)}, coverage "
            f"{findings.number(model.solution_coverage)})" in finding
        )
        assert html.escape(f"Parsimonious {model.model}: {model.solution}") in report
    # Each term of each model is shown with its unique coverage.
    table = visible(qca_table(marts).as_raw_html())
    for term in parsimonious.itertuples(index=False):
        assert re.search(
            rf"{re.escape(term.term)} [\d.]+ [\d.]+ {findings.number(term.term_unique_coverage)} ", table
        ), term.term


def test_an_intermediate_model_repeated_under_several_labels_is_shown_once(marts):
    intermediate = marts.solutions[marts.solutions["kind"] == "intermediate"]
    distinct = intermediate.drop_duplicates("solution")
    assert intermediate["model"].nunique() > len(distinct)  # the demo repeats one model (C1P1-M1, C1P2-M1, ...)
    table = visible(qca_table(marts).as_raw_html())
    for model in distinct.itertuples(index=False):
        assert table.count(f"Intermediate {model.model}: {model.solution} (") == 1
        labels = intermediate.loc[intermediate["solution"] == model.solution, "model"].unique()
        assert f"the same model as {', '.join(m for m in labels if m != model.model)}" in table
        for label in labels[1:]:
            assert f"Intermediate {label}:" not in table
    # One table row per term of each distinct model: the mart's repeated rows are not.
    shown = sum(len(findings.distinct_models(marts.solutions, kind)) for kind in ("parsimonious", "intermediate"))
    assert shown < len(marts.solutions[marts.solutions["kind"] != "complex"])


def test_near_necessary_conditions_are_named_with_their_consistency(marts, texts):
    near = marts.necessity[marts.necessity["consistency"] >= findings.NEAR_NECESSARY]
    for row in near.itertuples(index=False):
        assert any(
            f"{row.condition} is near-necessary for success: consistency {findings.number(row.consistency)}" in t
            for t in texts
        )
    if near.empty:
        assert any("No condition is necessary for success" in t for t in texts)


def test_the_model_of_success_finding_says_its_small_sample_caveat_in_plain_words(marts, texts):
    first = marts.importance.sort_values("rank").iloc[0]
    finding = next(t for t in texts if "model of success" in t)
    assert f"Only {int(first['n_cases'])} partnerships" in finding
    assert findings.percent(first["loo_accuracy"]) in finding
    assert "not a measure of effect" in finding


def test_the_impacts_finding_rolls_up_every_headline_indicator(marts, texts):
    headline = marts.change[marts.change["headline"]]
    finding = next(t for t in texts if "headline indicators" in t)
    assert f"Of {len(headline)} partnerships' headline indicators" in finding
    lacking = int((headline["classification"] == "insufficient data").sum())
    assert f"{lacking} lack the data to say" in finding


def test_the_programmes_response_rate_in_every_wave_is_a_finding_and_in_the_response_table(marts, texts, report):
    waves = marts.response[marts.response["level"] == "wave"].sort_values("wave")
    assert len(waves) == marts.response["wave"].nunique() and waves["response_rate"].notna().all()
    finding = next(t for t in texts if "answered the stakeholder survey" in t)
    page = visible(report)
    for row in waves.itertuples(index=False):
        wave = marts.names("wave").get(row.wave, row.wave)  # headed by its label, as survey_waves.csv gives it
        said = f"{findings.percent(row.response_rate)} in {wave} ({row.respondents:,} of {row.invited:,} invited)"
        assert said in finding
        assert f"{row.respondents:,} of {row.invited:,}" in page


def test_intervals_print_with_to_and_real_minus_signs(report):
    assert findings.interval(-0.14, -0.03) == "\u22120.14 to \u22120.03"
    assert findings.interval(0.12, 0.34) == "0.12 to 0.34"
    assert findings.share_interval(0.6, 0.96) == "60% to 96%"
    assert findings.number(-0.001) == "0.00"  # never "-0.00"
    assert findings.points(-0.0855) == "\u22129 points"
    assert findings.points(0.01) == "1 point" and findings.points(-0.012) == "\u22121 point"
    text = visible(report)
    assert not re.search(r"\d\s*[\u2013-]\s*[\u2212-]\d", text)  # no "-0.14--0.03"
    assert not re.search(r"(?<![\w\d.])-\d", text.replace("E0", ""))  # no hyphen for a minus sign


def _section(page: str, section_id: str) -> str:
    """The visible text of one `<section id=...>` of the page."""
    start = page.index(f'<section id="{section_id}">')
    return visible(page[start : page.index("</section>", start)])


def test_the_report_says_which_evidence_the_comparative_analyses_rest_on(demo_run, report, marts):
    # The header lists the evidence base and the outcome settings; the factors section says the QCA, the
    # comparison by factor level and the model analyse the same partnerships on that evidence.
    text = visible(report)
    settings = demo_run.settings
    assert "Evidence on each factor for QCA, success by factor and the model of success survey" in text
    assert f"Outcome baseline may end up to (years after support began) {settings.outcome_baseline_years}" in text
    assert "Outcome follow-up ends within (years after support ended) all (the latest period there is)" in text
    assert f"An improved outcome needs its 95% interval {'yes' if settings.improved_needs_interval else 'no'}" in text
    section = _section(report, "factors")
    cases = int(marts.memberships["excluded_reason"].isna().sum())
    assert f"all analyse the same {cases} partnerships on the same calibrated evidence" in section
    assert "evidence_base = survey" in section


def test_challenges_and_barriers_show_the_qca_of_not_succeeding(report, marts, texts):
    section = _section(report, "barriers")
    assert "Configurations that go with not succeeding (QCA of the negated outcome)" in section
    finding = next(t for t in texts if "not succeeding" in t)
    failure = marts.negated_truth_table
    if marts.negated_solutions.empty:
        # The demo: no configuration of failure passes the consistency cut; the closest is named with its figure.
        closest = failure[failure["n"] > 0].sort_values("incl", ascending=False).iloc[0]
        assert (
            f"the closest, {closest['configuration']} ({closest['cases']}), reaches {findings.number(closest['incl'])}"
            in finding
        )
        assert closest["configuration"] in section
    else:
        for solution in marts.negated_solutions.query("kind == 'parsimonious'")["solution"].unique():
            assert solution in finding and solution in section
    top = marts.negated_necessity.sort_values("consistency", ascending=False).iloc[0]
    if top["consistency"] >= 0.9:
        assert f"{top['condition']} is near-necessary for not succeeding" in finding


def test_a_model_of_not_succeeding_is_a_finding_with_its_fit():
    solutions = pd.DataFrame(
        {
            "kind": ["parsimonious", "parsimonious"],
            "model": ["M1", "M1"],
            "solution": ["~DEV + ~STB", "~DEV + ~STB"],
            "term": ["~DEV", "~STB"],
            "solution_consistency": [0.9, 0.9],
            "solution_coverage": [0.8, 0.8],
        }
    )
    (finding,) = findings.negated_qca_findings(solutions)
    assert finding.text.startswith(
        "One configuration model goes with not succeeding (QCA of the negated outcome): ~DEV + ~STB (consistency"
        " 0.90, coverage 0.80)."
    )
    assert findings.negated_qca_findings(solutions.iloc[:0]) == []
