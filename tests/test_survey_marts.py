"""Survey marts on the demo data: response rates, construct scores, support usefulness, wave change."""

from __future__ import annotations

import shutil
import statistics
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from pipeline.methods.disclosure import recoverable_rows
from pipeline.methods.reliability import cronbach_alpha
from pipeline.settings import Settings
from tests.conftest import DATA_DIR, resources_for


@pytest.fixture(scope="module")
def marts(demo_run):
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        yield {
            name: con.execute(f"SELECT * FROM {name}").df()
            for name in ("response_rates", "construct_scores", "support_usefulness", "wave_change")
        }


@pytest.fixture(scope="module")
def warehouse(demo_run):
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        yield con


def test_published_counts_respect_the_threshold_and_cannot_be_recovered(marts):
    rates = marts["response_rates"]
    for column in ("respondents", "completed", "invited"):
        assert not rates[column].between(1, 4).any() or column == "invited"
        assert not recoverable_rows(rates, column, ["wave", "partnership_id", "stakeholder_group"]).any()
    assert rates["respondents"].isna().any() and rates["respondents"].notna().any()
    assert not marts["construct_scores"]["respondents"].between(1, 4).any()
    for column in ("n_before", "n_after", "n_paired"):
        assert not marts["wave_change"][column].between(1, 4).any()


def test_response_rates_count_every_valid_respondent(marts, warehouse):
    rates = marts["response_rates"]
    published = rates[rates["level"] == "cell"].dropna(subset=["respondents"])
    staged = warehouse.execute(
        "SELECT wave, partnership_id, coalesce(stakeholder_group, 'not stated') AS stakeholder_group, count(*) AS n "
        "FROM staging.survey_responses GROUP BY ALL"
    ).df()
    merged = published.merge(staged, on=["wave", "partnership_id", "stakeholder_group"], how="left")
    assert (merged["respondents"] == merged["n"].fillna(0)).all()
    assert (
        published["response_rate"].dropna() == (published["respondents"] / published["invited"]).round(4).dropna()
    ).all()


def test_construct_alpha_is_cronbachs_alpha_of_the_complete_respondents(marts, warehouse):
    items = warehouse.execute(
        "SELECT respondent_key, item_code, score FROM staging.survey_item_scores "
        "WHERE wave = 'wave_2' AND construct = 'senior_leadership' AND score IS NOT NULL"
    ).df()
    wide = items.pivot(index="respondent_key", columns="item_code", values="score").dropna()
    published = marts["construct_scores"].query("wave == 'wave_2' and construct == 'senior_leadership'")
    assert published["alpha"].iloc[0] == pytest.approx(cronbach_alpha(wide))
    assert published["alpha_respondents"].iloc[0] == len(wide)
    assert (published["alpha_ci_low"] < published["alpha"]).all() and (
        published["alpha"] < published["alpha_ci_high"]
    ).all()


def test_construct_summaries_are_the_mean_and_sample_variance_of_the_respondents_scores(warehouse):
    # Summed over each distinct score with its count, in sorted order: as close to the exact figures as a
    # float allows. Python's `statistics` computes them with exact fractions, rounded once.
    summaries = warehouse.execute("SELECT * FROM staging.survey_construct_summaries").df()
    scores = warehouse.execute(
        "SELECT wave, partnership_id, construct, list(score) AS scores FROM staging.survey_respondent_scores GROUP BY ALL"
    ).df()
    merged = summaries.merge(scores, on=["wave", "partnership_id", "construct"], validate="one_to_one")
    assert len(merged) == len(scores) > 0 and (merged["scores"].map(len) > 1).any()
    for row in merged.itertuples():
        assert row.respondents == len(row.scores)
        assert row.mean == pytest.approx(statistics.mean(row.scores), rel=1e-15)
        assert (row.min_score, row.max_score) == (min(row.scores), max(row.scores))
        if len(row.scores) > 1:
            assert row.variance == pytest.approx(statistics.variance(row.scores), rel=1e-14, abs=1e-15)
            assert row.sd == pytest.approx(statistics.stdev(row.scores), rel=1e-14, abs=1e-15)
        else:
            assert pd.isna(row.variance) and pd.isna(row.sd)


def test_reverse_coded_items_point_the_same_way_as_the_others(warehouse):
    # SL2 ("Changes of senior leadership have held the work back") is reverse-coded: after reversal it
    # correlates positively with SL1 ("Senior leaders actively champion this work").
    wide = (
        warehouse.execute(
            "SELECT respondent_key, wave, item_code, score FROM staging.survey_item_scores WHERE item_code IN ('SL1', 'SL2')"
        )
        .df()
        .pivot(index=["respondent_key", "wave"], columns="item_code", values="score")
    )
    assert wide["SL1"].corr(wide["SL2"]) > 0.3


def test_every_support_type_is_reported_by_wave(marts):
    support = marts["support_usefulness"]
    assert set(support["support_label"]) == {
        "Expert support",
        "Webinars",
        "Learning events",
        "Peer exchange",
        "Web forum",
        "Resources and guides",
    }
    assert support["mean_usefulness"].dropna().between(1, 4).all()


def test_wave_change_names_the_test_it_used(marts):
    change = marts["wave_change"]
    assert set(change["test"]) <= {
        "paired t-test",
        "Welch two-sample t-test",
        "withheld: fewer than 5 respondents",
        "too few respondents",
    }
    paired = change[change["test"] == "paired t-test"]
    assert (paired["n_paired"] >= 5).all() and len(paired) > 10
    # Pairs are used only where those scored in one wave only number none or 5 or more: a paired mean beside
    # construct_scores' mean of everyone would otherwise give their scores away (tests/test_disclosure_routes.py).
    for wave in ("before", "after"):
        assert not (paired[f"n_{wave}"] - paired["n_paired"]).between(1, 4).any()
    welch = change[change["test"] == "Welch two-sample t-test"]
    assert welch["n_paired"].isna().sum() > 100
    assert (paired["difference"] - (paired["mean_after"] - paired["mean_before"])).abs().max() < 1e-9
    assert set(zip(change["wave_before"], change["wave_after"], strict=True)) == {
        ("wave_1", "wave_2"),
        ("wave_2", "wave_3"),
    }
    assert pd.api.types.is_float_dtype(change["p_value"])


def test_ratings_that_are_not_a_scale_get_no_alpha_and_say_why(marts):
    """support_usefulness is declared construct_kind support_offer in survey_instrument.csv: separate ratings
    of each part of the support offer, which Cronbach's alpha does not describe; the factor scales keep theirs."""
    scores = marts["construct_scores"]
    ratings = scores[scores["construct"] == "support_usefulness"]
    assert len(ratings) > 0 and ratings["alpha"].isna().all() and ratings["alpha_ci_low"].isna().all()
    assert ratings["alpha_note"].str.startswith("not a scale").all()
    scales = scores[scores["construct"] != "support_usefulness"]
    assert scales["alpha"].notna().all()


def _survey_path_run(data, out: Path) -> duckdb.DuckDBPyConnection:
    """The survey path (reference data, every wave, the survey marts) materialised on drop zone `data`."""
    from pipeline.cli import materialise_all
    from pipeline.definitions import build_survey_definitions

    settings = Settings(data_dir=data, warehouse=out / "warehouse.duckdb", marts_dir=out / "marts")
    defs = build_survey_definitions(resources_for(settings))
    results = materialise_all(defs, dg.DagsterInstance.ephemeral(), settings.drop_zone, progress=lambda _: None)
    assert all(result.success for result in results)
    return duckdb.connect(str(settings.warehouse), read_only=True)


@pytest.fixture(scope="module")
def wave_3_first(tmp_path_factory):
    """The demo's reference data and exports, with reference/survey_waves.csv putting wave_3 first."""
    data = tmp_path_factory.mktemp("wave_3_first") / "raw"
    for folder in ("reference", "surveys"):
        shutil.copytree(DATA_DIR / folder, data / folder)
    (data / "reference" / "survey_waves.csv").write_text(
        "wave,label,fieldwork_start,fieldwork_end,position\n"
        "wave_3,Pilot,2018-06-04,2018-06-24,1\n"
        "wave_1,Baseline (2016),2016-06-06,2016-06-26,2\n"
        "wave_2,Follow-up (2017),,,3\n",
        encoding="utf-8",
    )
    with _survey_path_run(data, data.parent) as con:
        yield con


def test_positions_in_the_waves_file_set_the_order_of_the_waves(wave_3_first):
    order = wave_3_first.execute("SELECT wave, label, fieldwork_start FROM staging.survey_waves ORDER BY opened")
    assert order.fetchall() == [
        ("wave_3", "Pilot", datetime(2018, 6, 4)),
        ("wave_1", "Baseline (2016)", datetime(2016, 6, 6)),
        ("wave_2", "Follow-up (2017)", None),
    ]
    pairs = wave_3_first.execute("SELECT DISTINCT wave_before, wave_after FROM marts.wave_change").fetchall()
    assert set(pairs) == {("wave_3", "wave_1"), ("wave_1", "wave_2")}
    labels = wave_3_first.execute("SELECT id, name FROM marts.labels WHERE kind = 'wave' ORDER BY id").fetchall()
    assert labels == [("wave_1", "Baseline (2016)"), ("wave_2", "Follow-up (2017)"), ("wave_3", "Pilot")]


def test_without_the_waves_file_waves_are_ordered_by_their_first_response_and_nothing_else_changes(
    demo_run, marts, tmp_path
):
    data = tmp_path / "raw"
    for folder in ("reference", "surveys"):
        shutil.copytree(DATA_DIR / folder, data / folder)
    (data / "reference" / "survey_waves.csv").unlink()
    with _survey_path_run(data, tmp_path) as con:
        waves = con.execute("SELECT wave, label, fieldwork_start FROM staging.survey_waves ORDER BY opened").fetchall()
        assert waves == [("wave_1", None, None), ("wave_2", None, None), ("wave_3", None, None)]
        assert con.execute("SELECT count(*) FROM marts.labels WHERE kind = 'wave'").fetchall() == [(0,)]
        change = con.execute("SELECT * FROM marts.wave_change").df()
    # The demo's file gives the waves in the order they opened: with or without it, the same comparisons.
    key = ["partnership_id", "construct", "wave_before", "wave_after"]
    pd.testing.assert_frame_equal(
        change.sort_values(key).reset_index(drop=True), marts["wave_change"].sort_values(key).reset_index(drop=True)
    )
