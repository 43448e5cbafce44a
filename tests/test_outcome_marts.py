"""Outcome marts: values as the national tool published them, England beside them, change around support."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipeline.methods.intervals import mover_linear
from pipeline.methods.phe import phe_rate
from pipeline.methods.proportions import wilson_interval
from pipeline.outcomes.marts import SuccessRule, _classify, build_outcome_change
from pipeline.outcomes.readers import read_fingertipsnext
from pipeline.warehouse import ensure_schemas, registered
from tests.conftest import DATA_DIR


@pytest.fixture(scope="module")
def marts(demo_run):
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        yield {name: con.execute(f"SELECT * FROM {name}").df() for name in ("outcome_trends", "outcome_change")}


@pytest.fixture(scope="module")
def conceptions():
    folder = DATA_DIR / "outcomes" / "fingertipsnext"
    data = read_fingertipsnext(folder / "healthdata.csv", folder / "indicators.csv")
    data = data[(data["indicator_id"] == "20401") & data["category"].isna()]
    return data.assign(
        **{c: pd.to_numeric(data[c]) for c in ("value", "lower_ci95", "upper_ci95", "count", "denominator")}
    )


def test_a_single_area_shows_the_published_value_limits_and_england(marts, conceptions):
    # Blackburn with Darwen (P06, E06000008): under-18 conceptions, as FingertipsNext published them.
    trends = marts["outcome_trends"].query("partnership_id == 'P06' and indicator_id == 20401").set_index("period")
    published = conceptions[conceptions["area_code"] == "E06000008"].set_index("year")
    england = conceptions[conceptions["area_code"] == "E92000001"].set_index("year")
    assert set(trends.index) == set(published.index)
    for year in trends.index:
        assert trends.at[year, "value"] == pytest.approx(published.at[year, "value"])
        assert trends.at[year, "lower_ci95"] == pytest.approx(published.at[year, "lower_ci95"])
        assert trends.at[year, "england_value"] == pytest.approx(england.at[year, "value"])
        assert trends.at[year, "aggregation"] == "single area"
    expected = [
        "Worse" if row.lower_ci95 > row.england_value else "Better" if row.upper_ci95 < row.england_value else "Similar"
        for row in trends.itertuples()
    ]
    assert list(trends["compared_to_england_95"]) == expected


def test_a_partnership_of_several_areas_pools_their_counts(marts, conceptions):
    # East Lancashire (P25): Burnley, Pendle and Hyndburn together, as one crude rate per 1,000 with Byar's limits.
    areas = conceptions[
        conceptions["area_code"].isin(["E07000117", "E07000122", "E07000120"]) & (conceptions["year"] == "2019")
    ]
    expected = phe_rate([areas["count"].sum()], [areas["denominator"].sum()], multiplier=1000).iloc[0]
    row = (
        marts["outcome_trends"].query("partnership_id == 'P25' and indicator_id == 20401 and period == '2019'").iloc[0]
    )
    assert row["aggregation"] == "pooled over 3 areas"
    assert row["value"] == pytest.approx(expected["value"])
    assert (row["lower_ci95"], row["upper_ci95"]) == pytest.approx((expected["lower_ci95"], expected["upper_ci95"]))


def test_no_event_count_under_the_threshold_is_published(marts):
    assert not marts["outcome_trends"]["count"].between(1, 4).any()


def test_change_is_a_difference_in_differences_against_england(marts):
    change = marts["outcome_change"].dropna(subset=["change_vs_england"])
    expected = (change["followup_value"] - change["followup_england"]) - (
        change["baseline_value"] - change["baseline_england"]
    )
    assert (change["change_vs_england"] - expected).abs().max() < 1e-9
    # Infant mortality has no bundled data: the classification says so rather than guessing.
    assert set(marts["outcome_change"].query("indicator_id == 92196")["classification"]) == {"insufficient data"}


def test_the_success_rule_uses_the_interval_when_there_is_one():
    change = pd.Series([-5.0, -5.0, 5.0, -1.0, 2.0, None])
    low = pd.Series([-8.0, -7.0, 1.0, None, None, None])
    high = pd.Series([-2.0, 1.0, 9.0, None, None, None])
    baseline = pd.Series([100.0, 100.0, 100.0, 100.0, 20.0, 100.0])
    lower_is_better = pd.Series([True] * 6)
    classes = _classify(change, low, high, baseline, lower_is_better, SuccessRule(min_relative_change=0.05))
    assert list(classes) == [
        "improved",
        "no clear change",
        "worsened",
        "no clear change (point estimate)",  # 1% of the baseline: below the 5% rule
        "worsened (point estimate)",  # 10% of the baseline
        "insufficient data",
    ]


def test_inequality_gradient_is_the_weighted_regression_on_relative_rank(demo_run):
    # England, under-18 conceptions 2019 by district deprivation decile (FingertipsNext, IMD2019): the SII is
    # the slope of the value on the cumulative-population midpoint rank, weighted by population (Low & Low 2004).
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        row = (
            con.execute(
                "SELECT * FROM outcome_inequality WHERE area_code = 'E92000001' AND indicator_id = 20401 AND period = '2019' "
                "AND category_type LIKE '%District%4/21%'"
            )
            .df()
            .iloc[0]
        )
    folder = DATA_DIR / "outcomes" / "fingertipsnext"
    data = read_fingertipsnext(folder / "healthdata.csv", folder / "indicators.csv")
    deciles = data[
        (data["indicator_id"] == "20401")
        & (data["area_code"] == "E92000001")
        & (data["year"] == "2019")
        & (data["category_type"] == row["category_type"])
    ]
    from pipeline.outcomes.marts import deprivation_rank

    deciles = deciles.assign(rank=deciles["category"].map(lambda c: deprivation_rank(c)[0])).sort_values("rank")
    population = pd.to_numeric(deciles["denominator"]).to_numpy()
    share = population / population.sum()
    midpoint = share.cumsum() - share / 2
    slope = pd.Series(pd.to_numeric(deciles["value"]).to_numpy()).pipe(
        lambda y: np.polyfit(midpoint, y, 1, w=np.sqrt(share))[0]
    )
    assert row["quantiles"] == 10 and row["population"] == "published denominators"
    assert row["sii"] == pytest.approx(slope, rel=1e-6)
    assert row["sii_ci_low"] < row["sii"] < row["sii_ci_high"]


def test_mover_gives_newcombes_interval_for_a_difference_of_two_proportions():
    # Newcombe (1998), "Interval estimation for the difference between independent proportions", Statistics
    # in Medicine 17:873-890, Table II example (a): 56/70 - 48/80 = 0.2000, method 10 (Wilson limits combined
    # by square-and-add, the MOVER of Zou and Donner 2008): 95% interval 0.0524 to 0.3339.
    first, second = wilson_interval(56, 70), wilson_interval(48, 80)
    change, low, high = mover_linear(
        pd.DataFrame([[56 / 70, 48 / 80]]),
        pd.DataFrame([[first[0], second[0]]]),
        pd.DataFrame([[first[1], second[1]]]),
        [1, -1],
    )
    assert (change[0], low[0], high[0]) == pytest.approx((0.2, 0.0524, 0.3339), abs=5e-5)


def test_a_quantity_without_limits_adds_no_width():
    change, low, high = mover_linear(
        pd.DataFrame([[10.0, 4.0]]), pd.DataFrame([[8.0, 4.0]]), pd.DataFrame([[13.0, 4.0]]), [1, -1]
    )
    assert (change[0], low[0], high[0]) == pytest.approx((6.0, 4.0, 9.0))


def test_every_insufficient_data_row_says_what_is_missing(marts):
    change = marts["outcome_change"]
    insufficient = change["classification"] == "insufficient data"
    assert insufficient.any()
    assert change.loc[insufficient, "reason"].notna().all()
    assert change.loc[~insufficient, "reason"].isna().all()
    trends = marts["outcome_trends"]
    for row in change[insufficient].itertuples():
        series = trends[(trends["partnership_id"] == row.partnership_id) & (trends["indicator_id"] == row.indicator_id)]
        if series.empty:
            assert row.reason == "no values for this indicator in the partnership's areas"
        elif (series["period_end"] > row.support_start).all():  # every value from after support began
            assert row.reason == f"no value before support began in {row.support_start.year}"


def _change_warehouse(path, england_limits: bool):
    """One partnership supported from April 2016 to March 2019, a low-is-good indicator with values (and 95%
    limits) in 2015, 2017 and 2020, England beside them."""
    periods = pd.DataFrame(
        {
            "period": ["2015", "2017", "2020"],
            "period_start": pd.to_datetime(["2015-01-01", "2017-01-01", "2020-01-01"]),
            "period_end": pd.to_datetime(["2015-12-31", "2017-12-31", "2020-12-31"]),
            "period_sort_key": [2015, 2017, 2020],
            "value": [30.0, 26.0, 20.0],
            "lower_ci95": [27.0, 23.5, 17.5],
            "upper_ci95": [33.5, 29.0, 23.0],
            "england_value": [25.0, 23.0, 21.0],
            "england_lower_ci95": [24.5, 22.6, 20.6] if england_limits else [None] * 3,
            "england_upper_ci95": [25.5, 23.4, 21.4] if england_limits else [None] * 3,
        }
    ).assign(partnership_id="P1", indicator_id=1)
    partnerships = pd.DataFrame(
        {
            "partnership_id": ["P1"],
            "wicked_problem": ["w"],
            "support_start": [pd.Timestamp("2016-04-01")],
            "support_end": [pd.Timestamp("2019-03-31")],
        }
    )
    indicators = pd.DataFrame(
        {
            "wicked_problem": ["w"],
            "indicator_id": [1],
            "indicator_name": ["i"],
            "headline": [True],
            "polarity": ["low_is_good"],
        }
    )
    con = duckdb.connect(str(path))
    ensure_schemas(con)
    with registered(con, t=periods, p=partnerships, i=indicators):
        con.execute("CREATE TABLE marts.outcome_trends AS SELECT * FROM t")
        con.execute("CREATE TABLE staging.partnerships AS SELECT * FROM p")
        con.execute("CREATE TABLE staging.outcome_indicators AS SELECT * FROM i")
    return con


@pytest.mark.parametrize("england_limits", [True, False])
def test_the_change_against_england_has_its_mover_interval(tmp_path, england_limits):
    con = _change_warehouse(tmp_path / "w.duckdb", england_limits)
    build_outcome_change(con, SuccessRule())
    row = con.execute("SELECT * FROM marts.outcome_change").df().iloc[0]
    trends = con.execute("SELECT * FROM marts.outcome_trends ORDER BY period").df().set_index("period")
    b, f = trends.loc["2015"], trends.loc["2020"]
    e_low = (
        [f["england_lower_ci95"], b["england_lower_ci95"]]
        if england_limits
        else [f["england_value"], b["england_value"]]
    )
    e_high = (
        [f["england_upper_ci95"], b["england_upper_ci95"]]
        if england_limits
        else [f["england_value"], b["england_value"]]
    )
    expected = mover_linear(
        pd.DataFrame([[f["value"], f["england_value"], b["value"], b["england_value"]]]),
        pd.DataFrame([[f["lower_ci95"], e_low[0], b["lower_ci95"], e_low[1]]]),
        pd.DataFrame([[f["upper_ci95"], e_high[0], b["upper_ci95"], e_high[1]]]),
        [1, -1, -1, 1],
    )
    assert (row["baseline_period"], row["followup_period"]) == ("2015", "2020")
    assert (row["change_vs_england"], row["change_ci_low"], row["change_ci_high"]) == pytest.approx(
        tuple(x[0] for x in expected)
    )
    assert row["change_ci_low"] < row["change_vs_england"] < row["change_ci_high"]
    assert (
        row["classification"]
        == _classify(
            pd.Series([row["change_vs_england"]]),
            pd.Series([row["change_ci_low"]]),
            pd.Series([row["change_ci_high"]]),
            pd.Series([row["baseline_value"]]),
            pd.Series([True]),
            SuccessRule(),
        )[0]
    )
    assert pd.isna(row["reason"]) and row["baseline_before_support"]


def test_the_baseline_and_follow_up_windows_are_settings(tmp_path):
    con = _change_warehouse(tmp_path / "w.duckdb", england_limits=True)
    build_outcome_change(con, SuccessRule(baseline_years=2))  # a baseline may end by April 2018: 2017
    row = con.execute("SELECT * FROM marts.outcome_change").df().iloc[0]
    assert row["baseline_period"] == "2017" and not row["baseline_before_support"]
    # The follow-up must end by March 2020, after the 2017 baseline: none.
    build_outcome_change(con, SuccessRule(baseline_years=2, followup_years=1))
    row = con.execute("SELECT * FROM marts.outcome_change").df().iloc[0]
    assert row["classification"] == "insufficient data"
    assert row["reason"].startswith("no value after the baseline and by 2020-03-")
    con.execute("DELETE FROM marts.outcome_trends WHERE period = '2015'")
    build_outcome_change(con, SuccessRule())
    row = con.execute("SELECT * FROM marts.outcome_change").df().iloc[0]
    assert row["reason"] == "no value before support began in 2016"
