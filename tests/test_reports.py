"""The published documents: the data dictionary and the evaluation report with its case-study pages."""

from __future__ import annotations

import re

from pipeline.catalog import TABLES


def test_the_data_dictionary_documents_every_published_mart(demo_run):
    text = (demo_run.settings.marts_dir / "data_dictionary.md").read_text()
    published = {p.stem for p in demo_run.settings.marts_dir.glob("*.parquet")}
    documented = set(re.findall(r"### `marts\.(\w+)`", text))
    assert published <= documented
    assert published == {name.split(".", 1)[1] for name in TABLES if name.startswith("marts.")}
    # Each table states its grain, and each column its type and meaning.
    assert text.count("**Grain:** One row per") == len(re.findall(r"^### ", text, flags=re.M))
    assert "| `survey_mean` | float64 | yes |" in text


def test_the_report_and_one_case_study_page_per_partnership(demo_run):
    reports = demo_run.settings.marts_dir / "reports"
    report = (reports / "evaluation_report.html").read_text()
    for heading in (
        "Success factors by partnership",
        "Configurations sufficient for success (QCA)",
        "Headline outcome indicators",
        "Usefulness of the support offer",
        "Agreement between site-visit coders",
    ):
        assert heading in report
    assert "<svg" in report  # the nanoplots
    pages = sorted(p.stem for p in (reports / "partnerships").glob("*.html"))
    assert pages == [f"P{n:02d}" for n in range(1, 31)]
    kirklees = (reports / "partnerships" / "P01.html").read_text()
    assert (
        "Kirklees" in kirklees
        and "Evidence on each success factor" in kirklees
        and "Driver diagram coverage" in kirklees
    )
    assert "data:image/png;base64" in (reports / "partnerships" / "P04.html").read_text()  # the trend plot


def test_an_indicator_name_with_dollar_signs_is_drawn_as_text(demo_run):
    """A '$' in a name once crashed the report (matplotlib read it as mathtext): names are data."""
    import duckdb

    from pipeline.reports.evaluation_report import trend_plot
    from pipeline.reports.marts import Marts

    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        marts = Marts.read(con, schema="main")
    headline = marts.change[marts.change["headline"]]
    partnership = next(p for p in headline["partnership_id"] if trend_plot(marts, p) is not None)
    marts.change["indicator_name"] = "Admissions $_{x$ and $^$ per 100,000"  # not valid mathtext
    assert trend_plot(marts, partnership)


def test_an_indicator_name_with_dollar_signs_and_units_syntax_is_shown_as_written(demo_run):
    """The whole report, not only its charts: '$' (TeX to matplotlib) and '{{...}}' (units to great-tables)
    in a name are characters, in the chart titles and the outcome tables of both kinds of page."""
    import html

    import duckdb

    from pipeline.reports.evaluation_report import case_study_page, programme_report, trend_plot
    from pipeline.reports.marts import Marts

    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        marts = Marts.read(con, schema="main")
    partnership = next(p for p in marts.change[marts.change["headline"]]["partnership_id"] if trend_plot(marts, p))
    name = "Admissions $_{x$ and $^$ per {{m^2}} <b>"
    marts.change["indicator_name"] = name

    shown = html.escape(name)  # as the page source has it: '<' and '>' escaped, nothing else changed
    assert shown in programme_report(marts)
    case_page = case_study_page(marts, partnership)
    assert shown in case_page and "data:image/png;base64" in case_page
    assert "m²" not in case_page  # no units were read into the name


def _published_marts(demo_run):
    import duckdb

    from pipeline.reports.marts import Marts

    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        return Marts.read(con, schema="main")


def test_factors_are_labelled_and_ordered_as_the_reference_data_says(demo_run):
    """Factor names come from success_factors.csv through the matrix mart: a renamed factor (new id and
    name) shows under its new name, and a factor the code has never heard of gets its own column."""
    import dataclasses
    import html

    import pandas as pd

    from pipeline.reports.evaluation_report import case_study_page, markdown_tables, programme_report

    marts = _published_marts(demo_run)
    assert "Integration with other workstreams" in programme_report(marts)  # factor_name, as in the CSV
    matrix = marts.matrix.copy()
    renamed = matrix["factor_id"] == "governance"
    matrix.loc[renamed, ["factor_id", "factor_name"]] = ["shared_governance", "Shared governance & {{accountability}}"]
    new = matrix[matrix["factor_id"] == "integration"].assign(
        factor_id="community_voice", factor_name="Community voice", factor_position=0
    )
    # The evidence marts carry the factor's name from the same reference file: renamed there too.
    evidence, register = marts.evidence.copy(), marts.evidence_register.copy()
    for frame in (evidence, register):
        frame.loc[frame["factor_id"] == "governance", ["factor_id", "factor_name"]] = (
            matrix.loc[renamed, ["factor_id", "factor_name"]].iloc[0].tolist()
        )
    # So does the labels mart, which names the factor's survey construct too.
    labels = marts.labels.copy()
    labels.loc[labels["id"] == "governance", "name"] = "Shared governance & {{accountability}}"
    marts = dataclasses.replace(
        marts,
        matrix=pd.concat([matrix, new], ignore_index=True),
        evidence=evidence,
        evidence_register=register,
        labels=labels,
    )

    report = programme_report(marts)
    assert html.escape("Shared governance & {{accountability}}") in report  # shown as written, no units
    assert "Community voice" in report and "Governance<" not in report
    # The matrix's columns follow factor_position: the new factor (position 0) comes first.
    matrix_table = report[report.index("Success factors by partnership") :]
    assert (
        matrix_table.index("Community voice")
        < matrix_table.index("Senior leadership")
        < matrix_table.index("Shared governance")
    )
    page = case_study_page(marts, "P01")
    assert "Community voice" in page and html.escape("Shared governance & {{accountability}}") in page
    assert "Community voice" in markdown_tables(marts)["success_factor_matrix"].columns


def test_the_outcome_note_says_what_data_is_missing_and_nothing_when_none_is(demo_run):
    from pipeline.reports.evaluation_report import outcome_table

    marts = _published_marts(demo_run)
    headline = marts.change[marts.change["headline"]]
    with_data = set(marts.trends["partnership_id"])
    covered = next(p for p in headline["partnership_id"] if p in with_data)
    uncovered = [p for p in headline["partnership_id"] if p not in with_data]
    assert "no bundled" not in outcome_table(marts).as_raw_html()
    assert "gap is shown" not in outcome_table(marts, [covered]).as_raw_html()
    if uncovered:  # the demo's infant-mortality partnerships have no indicator data
        note = outcome_table(marts, [uncovered[0]]).as_raw_html()
        assert "No outcome data for the headline indicator" in note


def test_the_programme_page_ranks_partnerships_by_share_of_their_own_indicators_on_track(demo_run):
    import duckdb

    from pipeline.reports.marts import Marts
    from pipeline.reports.monitoring import monitoring_ranking

    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        marts = Marts.read(con, schema="main")
    ranked = monitoring_ranking(marts)
    assert ranked["partnership_id"].tolist() != sorted(ranked["partnership_id"])  # ranked, not listed by id
    assert len(ranked) == 30 and ranked["share_on_track"].is_monotonic_decreasing
    # The share is of the indicators with a target: on track / (on track + off track).
    first = ranked.iloc[0]
    assert first["share_on_track"] == first["on_track"] / (first["on_track"] + first["off_track"])
    # The demo's planted special causes (pipeline.generators.monitoring.PLANTED) and its one late return.
    causes = ranked.set_index("partnership_id")["special_causes"].dropna()
    assert sorted(causes.index) == ["P04", "P12", "P17", "P24"] and causes["P04"].endswith(": concern")
    assert ranked.set_index("partnership_id")["late_returns"].to_dict()["P21"] == 1

    report = (demo_run.settings.marts_dir / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    section = report[report.index('<section id="monitoring">') :]
    section = section[: section.index("</section>")]
    assert "<h2>Local monitoring</h2>" in section and "partnerships by share of indicators on track" in section
    assert "30 partnerships monitor 60 indicators of their own" in section
    assert "1 return is late and 0 missing, from 1 partnership." in section
    # In rank order on the page: the first partnership's row comes before the last's.
    rows = [f">{row.partnership_name} ({row.partnership_id})<" for row in ranked.iloc[[0, -1]].itertuples()]
    assert section.index(rows[0]) < section.index(rows[1])


def test_tables_head_survey_waves_by_the_label_the_reference_data_gives_them(demo_run):
    """survey_waves.csv labels each wave ("wave_1" is "Baseline (2016)"); tables show the label, in wave order,
    and a label changed in the reference data changes on the page."""
    import dataclasses

    from pipeline.reports.evaluation_report import (
        construct_scores_table,
        respondents_table,
        response_table,
        support_by_group_table,
        support_table,
        wave_change_table,
    )

    marts = _published_marts(demo_run)
    labels = marts.labels.copy()
    labels.loc[(labels["kind"] == "wave") & (labels["id"] == "wave_2"), "name"] = "Interim review"
    marts = dataclasses.replace(marts, labels=labels)
    programme = {
        "response": response_table(marts).as_raw_html(),
        "wave change": wave_change_table(marts).as_raw_html(),
        "support": support_table(marts).as_raw_html(),
        "support by group": support_by_group_table(marts).as_raw_html(),
    }
    case = {
        "respondents": respondents_table(marts, "P04").as_raw_html(),
        "scores": construct_scores_table(marts, "P04").as_raw_html(),
    }
    for name, page in (programme | case).items():
        assert "wave_1" not in page and "wave_2" not in page, name
        assert page.index("Baseline (2016)") < page.index("Interim review") < page.index("Final (2018)"), name
    assert "Baseline (2016) to Interim review" in programme["wave change"]


def test_the_literature_stands_beside_the_factors_and_the_register_in_an_appendix(demo_run):
    """Right after "Success by factor", each factor with the documents that speak to it (by direction) and the
    strongest of them; the whole evidence register closes the page."""
    report = (demo_run.settings.marts_dir / "reports" / "evaluation_report.html").read_text()
    factors = report[report.index('<section id="factors">') : report.index('<section id="barriers">')]
    literature = factors[factors.index("What the literature says") : factors.index("Success factors by partnership")]
    assert factors.index("Success by factor") < factors.index("What the literature says")
    # Partnership engagement: 5 documents, 2 support, 2 mixed, 1 against; the strongest is NICE NG44 (2016).
    row = literature[literature.index("Partnership engagement") :].split("</tr>", 1)[0]
    assert re.findall(r">\s*(\d+)\s*<", row) == ["5", "2", "2", "1"]
    assert "National Institute for Health and Care Excellence (2016)" in row
    appendix = report[report.index('<section id="evidence-register"') :]
    assert "Appendix: evidence register" in appendix
    assert re.findall(r">(E\d\d)<", appendix) == [f"E{n:02d}" for n in range(1, 13)]
    assert "Collaboration between local health and local government agencies for health improvement" in appendix
