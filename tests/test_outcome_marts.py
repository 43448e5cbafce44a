"""Outcome marts: values as the national tool published them, England beside them, change around support."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipeline.methods.phe import phe_rate
from pipeline.outcomes.marts import SuccessRule, _classify
from pipeline.outcomes.readers import read_fingertipsnext
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
