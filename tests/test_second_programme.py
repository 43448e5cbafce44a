"""Any programme, its own data: a second programme shaped unlike the demo, and the `init` template, each
refresh end to end with no code change.

The second programme (`pipeline.generators.second_programme`) has 12 partnerships with three-letter ids in
England, Wales and Scotland, five success factors of which two are not the demo's, a 7-point agreement
scale, three stakeholder groups of its own, two waves in Google Forms downloads, a coding table, its own
problems and indicators, and deprivation context for England only. The template (`pipeline.cli init`) has
two partnerships and no evidence at all: every analysis must then say why it did not run, not fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from pipeline.catalog import TABLES
from pipeline.comparison.analysis import MIN_QCA_CASES, qca_not_run
from pipeline.generators import second_programme
from pipeline.settings import Settings, load_settings

MARTS = sorted(table.split(".", 1)[1] for table in TABLES if table.startswith("marts."))
IDS = {row[0] for row in second_programme.PARTNERSHIPS}
ENGLISH = {"KIR", "LUT", "THA", "BPL", "MAN"}
NEW_FACTORS = {"community_voice": "Community voice", "data_sharing": "Data sharing"}
# Marts with a row per partnership (and more): each must hold every partnership of the programme.
PER_PARTNERSHIP = [
    "partnership_profile",
    "sustainment",
    "success_factor_matrix",
    "qca_memberships",
    "partnership_typology",
    "construct_scores",
    "response_rates",
    "wave_change",
    "outcome_coverage",
    "outcome_trends",
    "outcome_change",
    "driver_coverage",
    "marmot_coverage",
    "outcome_verdict_agreement",
]
# What the second programme has none of, by design: no support-offer items, no inequality breakdowns, and no
# indicator register or monitoring returns (local monitoring is optional).
# No sustainment files: nothing to set against the factors. No evidence register (optional too:
# evidence_by_factor then counts no document for any factor). No coding of its comments.
EMPTY_BY_DESIGN = {
    "support_usefulness",
    "outcome_inequality",
    "indicator_progress",
    "monitoring_summary",
    "sustainment_by_factor",
    "evidence_register",
    "comment_themes",
    "comment_quotes",
}


@dataclass(frozen=True)
class Refresh:
    settings: Settings
    results: list

    def metadata(self, asset: str) -> dict[str, object]:
        """The metadata of the last materialisation of `asset` in the refresh."""
        events = [
            event
            for result in self.results
            for event in result.get_asset_materialization_events()
            if event.asset_key == dg.AssetKey(asset)
        ]
        return {key: getattr(value, "value", value) for key, value in events[-1].materialization.metadata.items()}

    def mart(self, name: str) -> pd.DataFrame:
        with duckdb.connect() as con:
            return con.execute("SELECT * FROM read_parquet(?)", [str(self.settings.marts_dir / f"{name}.parquet")]).df()

    def quarantined(self) -> dict[str, int]:
        with duckdb.connect(str(self.settings.warehouse), read_only=True) as con:
            tables = con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'quarantine'"
            ).fetchall()
            counts = {t: con.execute(f'SELECT count(*) FROM quarantine."{t}"').fetchall()[0][0] for (t,) in tables}
            refused = con.execute("SELECT count(*) FROM raw.refused_files").fetchall()[0][0]
        return {table: n for table, n in counts.items() if n} | ({"refused files": refused} if refused else {})


def refresh(data_dir: Path, out: Path) -> Refresh:
    """The CLI's refresh (every wave, then everything else) with the drop zone's own settings."""
    from pipeline.cli import materialise_all
    from pipeline.definitions import build_definitions
    from pipeline.resources import default_resources

    settings = load_settings(
        {
            "EVAL_DATA_DIR": str(data_dir),
            "EVAL_WAREHOUSE": str(out / "warehouse.duckdb"),
            "EVAL_MARTS_DIR": str(out / "marts"),
            "EVAL_PSEUDONYM_KEY": "test-suite-key",
        }
    )
    defs = build_definitions(default_resources(settings))
    results = materialise_all(defs, dg.DagsterInstance.ephemeral(), settings.drop_zone, progress=lambda _: None)
    return Refresh(settings, results)


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> Refresh:
    data_dir = tmp_path_factory.mktemp("second_programme") / "raw"
    second_programme.generate(data_dir)
    return refresh(data_dir, data_dir.parent)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Refresh:
    from pipeline.cli import main

    data_dir = tmp_path_factory.mktemp("template") / "raw"
    assert main(["init", str(data_dir)]) == 0
    return refresh(data_dir, data_dir.parent)


# --- The second programme ---------------------------------------------------------------------------------


def test_the_second_programme_refreshes_to_the_end_with_its_own_settings(second):
    assert [result.success for result in second.results] == [True] * 4  # reference, two waves, the rest
    assert second.settings.disclosure_threshold == 3  # from its settings.toml, not the default 5
    assert (second.settings.qca_consistency_cut, second.settings.qca_negated_consistency_cut) == (0.8, 0.75)
    assert sorted(path.stem for path in second.settings.marts_dir.glob("*.parquet")) == MARTS


def test_every_mart_holds_the_new_partnerships(second):
    for name in PER_PARTNERSHIP:
        assert set(second.mart(name)["partnership_id"].dropna()) == IDS, name  # totals over all have none
    for name in set(MARTS) - set(PER_PARTNERSHIP) - EMPTY_BY_DESIGN:
        assert len(second.mart(name)) > 0, name
    for name in EMPTY_BY_DESIGN:
        assert second.mart(name).empty, name


def test_the_new_factors_are_scored_on_the_seven_point_scale(second):
    matrix = second.mart("success_factor_matrix")
    assert set(matrix["factor_id"]) == set(second_programme.FACTORS)
    new = matrix[matrix["factor_id"].isin(NEW_FACTORS)]
    assert new["survey_mean"].notna().all() and (new["enabler_passages"] + new["barrier_passages"] > 0).all()
    # Means above 5 exist only if answers of 6 and 7 were kept (a 1-5 rule once quarantined them).
    assert matrix["survey_mean"].max() > 5
    assert set(second.mart("factor_importance")["factor_id"]) == set(second_programme.FACTORS)
    assert {"VOICE", "DATA"} <= set(second.mart("qca_necessity")["condition"])


def test_the_report_and_case_pages_name_the_new_factors_and_partnerships(second):
    reports = second.settings.marts_dir / "reports"
    report = (reports / "evaluation_report.html").read_text(encoding="utf-8")
    for label in NEW_FACTORS.values():
        assert label in report
    assert sorted(path.stem for path in (reports / "partnerships").glob("*.html")) == sorted(IDS)
    assert "QCA of not succeeding: truth-table row sufficient from consistency</th><td>0.75</td>" in report
    page = (reports / "partnerships" / "KIR.html").read_text(encoding="utf-8")
    assert "Kirklees" in page and "Community voice" in page and "Data sharing" in page


def test_welsh_and_scottish_areas_carry_a_reported_deprivation_gap(second):
    gap = second.metadata("stg_deprivation")["partnership_areas_without_deprivation_data"].split(", ")
    areas = [f"{pid}: {code}" for pid, _, codes, *_ in second_programme.PARTNERSHIPS for code in codes.split(";")]
    assert sorted(gap) == sorted(area for area in areas if area.split(": ")[1][0] in "WS")
    profile = second.mart("partnership_profile").set_index("partnership_id")["imd_rank_most_deprived_area"]
    assert profile[sorted(ENGLISH)].notna().all() and profile.drop(index=sorted(ENGLISH)).isna().all()
    page = (second.settings.marts_dir / "reports" / "partnerships" / "CDF.html").read_text(encoding="utf-8")
    assert "most deprived area: none (no deprivation data for its areas)" in page


def test_nothing_of_the_second_programme_is_quarantined_or_refused(second):
    assert second.quarantined() == {}


# --- The template drop zone --------------------------------------------------------------------------------


def test_the_init_template_refreshes_to_the_end(template):
    assert [result.success for result in template.results] == [True, True]  # no waves: reference, the rest
    assert sorted(path.stem for path in template.settings.marts_dir.glob("*.parquet")) == MARTS
    assert (template.settings.marts_dir / "reports" / "partnerships" / "A01.html").exists()


def test_analyses_without_enough_cases_publish_empty_marts_and_say_why(template):
    reason = f"QCA needs at least {MIN_QCA_CASES} partnerships with survey scores on every condition"
    for name in ("qca_truth_table", "qca_solutions", "qca_necessity"):
        assert template.mart(name).empty
        assert (
            template.metadata(name)["not_run"].startswith(reason) and "; 0 given" in template.metadata(name)["not_run"]
        )
    memberships = template.mart("qca_memberships")
    assert set(memberships["partnership_id"]) == {"A01", "B02"} and memberships["excluded_reason"].notna().all()
    expected = {
        "partnership_typology": "the typology needs at least 3 partnerships with published survey scores; 0 given",
        "factor_importance": "the model of success needs at least 2 partnerships judged successful and 2 not",
        "factor_outcome_comparison": "the comparison by factor level needs partnerships with survey scores",
    }
    for name, start in expected.items():
        assert template.mart(name).empty
        assert template.metadata(name)["not_run"].startswith(start), name
    report = (template.settings.marts_dir / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    assert f"Not run: {reason}" in report
    from pipeline.cli import analyses_not_run

    summary = "\n".join(analyses_not_run(template.results))  # what a refresh prints
    assert f"  qca_truth_table: {reason}" in summary and "  partnership_typology: the typology needs" in summary


def test_qca_runs_from_the_smallest_number_of_cases_that_can_be_compared():
    assert qca_not_run(MIN_QCA_CASES - 1, 2).reason.endswith(f"; {MIN_QCA_CASES - 1} given")
    assert qca_not_run(MIN_QCA_CASES, 2) is None
    assert "at least one condition" in qca_not_run(12, 0).reason
