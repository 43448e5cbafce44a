"""Fingertips' statistics (pipeline.methods.phe) against published worked examples and the bundled real files.

Published figures used here, each cited where it is used:
- Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
  methods", Stat Med 17:857-872: the worked examples 81/263, 15/148, 0/20 and 1/29, Wilson score method.
- Fingertips' own unit tests in its published source (UKHSA `fingertips-open`, PholioVisualisation
  AnalysisTest/TrendMarkerCalculatorTest.cs) and in FingertipsNext (`dhsc-govuk/FingertipsNext`,
  trend-analysis/TrendAnalysisApp.UnitTests/Legacy/TrendMarkerCalculatorTests.cs), which copy real
  Fingertips values, limits and trend markers for named indicators.
- Garwood F (1936), "Fiducial limits for the Poisson distribution", Biometrika 28:437-442: exact limits.
- The bundled downloads themselves (data/raw/SOURCES.md): Fingertips indicator 93356 and FingertipsNext
  indicator 20401, whose published limits, comparisons and trend markers are recomputed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.methods.phe import (
    TREND_CHI_SQUARE_CRITICAL,
    byars_limits,
    compare_to_benchmark,
    cumulative_midpoints,
    exact_poisson_limits,
    intervals_when_missing,
    level_suffix,
    phe_proportion,
    phe_rate,
    phe_sii,
    recent_trend,
    recent_trends,
    wilson_limits,
)
from pipeline.outcomes.periods import parse_periods
from pipeline.outcomes.readers import read_fingertips_csv, read_fingertipsnext
from pipeline.settings import PROJECT_ROOT

OUTCOMES = PROJECT_ROOT / "data" / "raw" / "outcomes"


def _numbers(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = pd.to_numeric(out[column])
    return out


@pytest.fixture(scope="module")
def campylobacter() -> pd.DataFrame:
    """Fingertips download of indicator 93356, Campylobacter incidence per 100,000 (852 rows, 2015-2017)."""
    frame = read_fingertips_csv(OUTCOMES / "fingertips" / "indicators-CountyUA.data.csv")
    frame = _numbers(frame, "value", "lower_ci95", "upper_ci95", "count", "denominator")
    return frame.join(parse_periods(frame["time_period"])[["sort_key"]])


@pytest.fixture(scope="module")
def fingertipsnext() -> pd.DataFrame:
    directory = OUTCOMES / "fingertipsnext"
    frame = read_fingertipsnext(directory / "healthdata.csv", directory / "indicators.csv")
    frame = _numbers(frame, "value", "lower_ci95", "upper_ci95", "count", "denominator")
    return frame.join(parse_periods(frame["year"])[["sort_key"]])


# --- (a) published worked examples: proportions, counts, rates -----------------------------------------


def test_wilson_reproduces_newcombes_worked_examples():
    # Newcombe (1998), Stat Med 17:857-872, Wilson score interval (method 3) for the four examples:
    # 81/263: 0.2553 to 0.3662; 15/148: 0.0624 to 0.1605; 0/20: 0.0000 to 0.1611; 1/29: 0.0061 to 0.1718.
    lower, upper = wilson_limits([81, 15, 0, 1], [263, 148, 20, 29])
    assert np.round(lower, 4).tolist() == [0.2553, 0.0624, 0.0, 0.0061]
    assert np.round(upper, 4).tolist() == [0.3662, 0.1605, 0.1611, 0.1718]


def test_phe_proportion_reproduces_fingertips_published_percentages():
    # Fingertips values and 95% limits (Wilson) copied into Fingertips' own tests:
    # FingertipsNext TrendMarkerCalculatorTests, indicator 30309 MMR one dose at 2 years, Yorkshire and
    # the Humber 2024 to 2020; fingertips-open TrendMarkerCalculatorTest, GetTrendData_Set2 (2014-2018).
    published = pd.DataFrame(
        [
            (53185, 59028, 90.1013, 89.8578, 90.3396),
            (51767, 57508, 90.017, 89.7694, 90.2594),
            (53681, 59074, 90.8708, 90.6358, 91.1004),
            (55865, 60511, 92.3221, 92.1072, 92.5315),
            (57274, 61834, 92.6254, 92.4168, 92.8288),
            (209, 1017, 20.5506, 18.1803, 23.1427),
            (213, 1087, 19.5952, 17.3444, 22.0602),
            (213, 1119, 19.0349, 16.8421, 21.4394),
            (239, 1117, 21.3966, 19.0918, 23.8975),
            (210, 1139, 18.4372, 16.2925, 20.7941),
        ],
        columns=["count", "denominator", "value", "lower", "upper"],
    )
    ours = phe_proportion(published["count"], published["denominator"])
    # Published to 4 decimal places: agreement within half a unit of the last place.
    assert (ours["value"] - published["value"]).abs().max() < 0.5e-4
    assert (ours["lower_ci95"] - published["lower"]).abs().max() < 0.5e-4
    assert (ours["upper_ci95"] - published["upper"]).abs().max() < 0.5e-4
    # 99.8% limits use z = 3.0902 (normal tables: P(Z < 3.09) = 0.999) and so are wider.
    assert ((ours["lower_ci998"] < ours["lower_ci95"]) & (ours["upper_ci998"] > ours["upper_ci95"])).all()


def test_phe_rate_reproduces_fingertips_published_crude_rates():
    # Fingertips indicator 41203, preventable sight loss from diabetic eye disease, England 2024 to 2020, crude
    # rate per 100,000 with 95% limits (Byar's), as copied into FingertipsNext TrendMarkerCalculatorTests.
    published = pd.DataFrame(
        [
            (1502, 49866388, 3.0121, 2.8616, 3.1683),
            (1415, 49300918, 2.8701, 2.7225, 3.0237),
            (1344, 48753376, 2.7567, 2.6113, 2.9082),
            (935, 48440507, 1.93028, 1.8085, 2.058),
            (1416, 48246126, 2.935, 2.7841, 3.0919),
        ],
        columns=["count", "denominator", "value", "lower", "upper"],
    )
    ours = phe_rate(published["count"], published["denominator"], multiplier=100_000)
    assert (ours["ci_method"] == "Byars").all()
    # Within one unit of the 4th decimal: the values as copied there are rounded loosely (2021: 1.93028
    # published, 1.930203 from the count), and the 2021 lower limit is 1.8085 published, 1.808447 ours.
    assert (ours["value"] - published["value"]).abs().max() < 1e-4
    assert (ours["lower_ci95"] - published["lower"]).abs().max() < 1e-4
    assert (ours["upper_ci95"] - published["upper"]).abs().max() < 0.5e-4


def test_exact_poisson_limits_reproduce_garwoods_table():
    # Garwood (1936), Biometrika 28:437-442: 95% limits for an observed count of 0 are 0 to 3.69, of 5 are
    # 1.62 to 11.67.
    lower, upper = exact_poisson_limits([0, 5])
    assert np.round(lower, 2).tolist() == [0.0, 1.62]
    assert np.round(upper, 2).tolist() == [3.69, 11.67]


def test_phe_rate_switches_from_exact_to_byars_at_ten_events():
    ours = phe_rate([9, 10], [1000, 1000], multiplier=1000, levels=0.95)
    exact_lower, _ = exact_poisson_limits([9])
    byar_lower, _ = byars_limits([10])
    assert list(ours["ci_method"]) == ["Exact", "Byars"]
    assert ours["lower_ci95"].tolist() == pytest.approx([exact_lower[0], byar_lower[0]])


def test_rates_and_proportions_refuse_impossible_counts():
    with pytest.raises(ValueError, match="a count is negative: position 1"):
        phe_rate([1, -1], [10, 10])
    with pytest.raises(ValueError, match="denominator is zero or negative"):
        phe_rate([1], [0])
    with pytest.raises(ValueError, match="larger than its denominator"):
        phe_proportion([11], [10])
    with pytest.raises(ValueError, match="confidence level"):
        phe_rate([1], [10], levels=95)
    assert [level_suffix(level) for level in (0.95, 0.998, 0.99)] == ["95", "998", "99"]
    assert phe_rate([None], [10])["value"].isna().all()


# --- (b) the Fingertips download of indicator 93356 -------------------------------------------------------


def test_93356_all_ages_limits_are_the_exact_poisson_limits(campylobacter: pd.DataFrame):
    # 453 "All ages" rows with limits; every one matches the exact chi-squared limits, whatever the count
    # (37 to 53,395): max relative difference 4.2e-7 (2.2e-5 per 100,000).
    rows = campylobacter[(campylobacter["age"] == "All ages") & campylobacter["lower_ci95"].notna()]
    ours = phe_rate(rows["count"], rows["denominator"], levels=0.95, method="exact")
    assert len(rows) == 453
    assert ((ours["lower_ci95"] - rows["lower_ci95"]).abs() / rows["lower_ci95"]).max() < 1e-6
    assert ((ours["upper_ci95"] - rows["upper_ci95"]).abs() / rows["upper_ci95"]).max() < 1e-6


def test_93356_0_to_9_limits_are_byars_with_z_of_1_96(campylobacter: pd.DataFrame):
    # 302 "0-9 yrs" rows; every one is Byar's method with z = 1.96 for all counts, 1 to 201 (max relative
    # difference 7e-10), including the 20 counts below 10 where today's rule would use exact limits.
    rows = campylobacter[(campylobacter["age"] == "0-9 yrs") & campylobacter["lower_ci95"].notna()]
    ours = phe_rate(rows["count"], rows["denominator"], levels=0.95, method="byar", z=1.96)
    assert len(rows) == 302
    assert ((ours["lower_ci95"] - rows["lower_ci95"]).abs() / rows["lower_ci95"]).max() < 1e-8
    assert ((ours["upper_ci95"] - rows["upper_ci95"]).abs() / rows["upper_ci95"]).max() < 1e-8


def test_93356_current_rule_agrees_within_byars_accuracy_from_ten_events(campylobacter: pd.DataFrame):
    # The current rule (exact below 10, Byar's from 10) against all 755 published intervals: from 10
    # events (735 rows) within 0.0088 per 100,000 (relative 1.3e-4, inside the guide's 0.2% for Byar's);
    # below 10 (20 rows, all 0-9 yrs) up to 0.295 per 100,000, because the file used Byar's there.
    rows = campylobacter[campylobacter["lower_ci95"].notna()]
    ours = phe_rate(rows["count"], rows["denominator"], levels=0.95)
    difference = np.maximum(
        (ours["lower_ci95"] - rows["lower_ci95"]).abs(), (ours["upper_ci95"] - rows["upper_ci95"]).abs()
    )
    relative = np.maximum(
        (ours["lower_ci95"] - rows["lower_ci95"]).abs() / rows["lower_ci95"],
        (ours["upper_ci95"] - rows["upper_ci95"]).abs() / rows["upper_ci95"],
    )
    many = rows["count"] >= 10
    assert (len(rows), int(many.sum())) == (755, 735)
    assert difference[many].max() < 0.0089 and relative[many].max() < 1.4e-4
    assert difference[~many].max() == pytest.approx(0.2954, abs=1e-4)
    assert set(rows.loc[~many, "age"]) == {"0-9 yrs"}
    assert (ours["value"] - rows["value"]).abs().max() < 1e-6


@pytest.mark.parametrize("limits", ["published", "recomputed"])
def test_93356_comparison_with_england_matches_every_compared_row(campylobacter: pd.DataFrame, limits: str):
    # Fingertips compared each county/UA with England for the same year and age at 95%; campylobacter
    # incidence is low-is-good. All 750 compared rows agree (283 Better, 220 Similar, 247 Worse), with
    # the published limits and with limits recomputed by the current rule.
    england = campylobacter[(campylobacter["area_code"] == "E92000001") & campylobacter["category"].isna()]
    benchmark = campylobacter.merge(
        england[["time_period", "age", "sex", "value"]].rename(columns={"value": "england"}),
        on=["time_period", "age", "sex"],
        how="left",
    )
    lower, upper = benchmark["lower_ci95"], benchmark["upper_ci95"]
    if limits == "recomputed":
        ours = phe_rate(benchmark["count"], benchmark["denominator"], levels=0.95)
        lower = ours["lower_ci95"].where(lower.notna())
        upper = ours["upper_ci95"].where(upper.notna())
    result = compare_to_benchmark(benchmark["value"], lower, upper, benchmark["england"], polarity="low_is_good")
    compared = benchmark["compared_to_england"] != "Not compared"
    assert int(compared.sum()) == 750
    assert (result[compared] == benchmark.loc[compared, "compared_to_england"]).all()
    # Rows Fingertips did not compare either lack limits (ours: "Not compared" too) or are England itself.
    not_compared = ~compared & (result != "Not compared")
    assert set(benchmark.loc[not_compared, "area_code"]) == {"E92000001"}


def test_93356_recent_trend_column(campylobacter: pd.DataFrame):
    # The download shows "Cannot be calculated" on its 182 latest rows (2017, all ages: 162 areas and 20
    # deprivation deciles): three points, not five. All 182 agree.
    areas = campylobacter[campylobacter["category"].isna()]
    trends = recent_trends(areas, ["area_code", "sex", "age"], polarity="low_is_good")
    shown = areas[areas["recent_trend"].notna()].merge(trends, on=["area_code", "sex", "age", "sort_key"])
    assert len(shown) == int(areas["recent_trend"].notna().sum()) == 162
    assert (shown["label"] == shown["recent_trend"]).all()
    by_category = campylobacter[campylobacter["category"].notna()]
    trends = recent_trends(by_category, ["category_type", "category", "sex", "age"])
    shown = by_category[by_category["recent_trend"].notna()].merge(
        trends, on=["category_type", "category", "sex", "age", "sort_key"]
    )
    assert len(shown) == 20 and (shown["label"] == shown["recent_trend"]).all()


# --- (c) the FingertipsNext extract: 20401 under-18 conceptions per 1,000 ---------------------------------


def test_20401_limits_and_values_match_to_the_published_five_decimals(fingertipsnext: pd.DataFrame):
    # 208 rows (counts 4 to 14,736; one count below 10, limits exact there): values and 95% limits agree
    # within 4.95e-6, inside the half unit (5e-6) of the fifth decimal the file is rounded to.
    rows = fingertipsnext[fingertipsnext["indicator_id"] == "20401"]
    ours = phe_rate(rows["count"], rows["denominator"], multiplier=1000)
    assert len(rows) == 208 and int((ours["ci_method"] == "Exact").sum()) == 1
    for column in ("value", "lower_ci95", "upper_ci95"):
        assert (ours[column] - rows[column]).abs().max() <= 5e-6


def test_intervals_when_missing_fills_only_what_is_missing(fingertipsnext: pd.DataFrame):
    rows = fingertipsnext[fingertipsnext["indicator_id"] == "20401"].copy()
    published = rows[["lower_ci95", "upper_ci95"]].copy()
    blank = rows.index[::2]
    rows.loc[blank, ["lower_ci95", "upper_ci95"]] = None
    rows.loc[rows.index[1], "upper_ci95"] = None  # half a pair: left alone
    rows[["lower_ci95", "upper_ci95"]] = rows[["lower_ci95", "upper_ci95"]].astype(object)
    filled = intervals_when_missing(rows, statistic="rate", multiplier=1000)
    assert (filled.loc[blank, "ci95_source"] == "computed").all()
    assert (filled.loc[blank, "lower_ci95"] - published.loc[blank, "lower_ci95"]).abs().max() <= 5e-6
    kept = rows.index[3::2]
    assert (filled.loc[kept, "ci95_source"] == "published").all()
    assert filled.loc[kept, "upper_ci95"].equals(published.loc[kept, "upper_ci95"])
    assert filled.loc[rows.index[1], "ci95_source"] is None
    assert (filled["ci998_source"] == "computed").all()
    assert (filled["upper_ci998"] > filled["upper_ci95"])[filled["upper_ci95"].notna()].all()
    # Reception obesity (92026) has no counts: published limits are kept, missing ones stay missing.
    obesity = intervals_when_missing(
        fingertipsnext[fingertipsnext["indicator_id"] == "92026"], statistic="proportion", multiplier=100
    )
    assert set(obesity["ci95_source"].fillna("none")) == {"published", "none"}
    assert obesity.loc[obesity["ci95_source"].isna(), "lower_ci95"].isna().all()


def test_fingertipsnext_trend_column(fingertipsnext: pd.DataFrame):
    group = ["indicator_id", "area_code", "sex", "age", "category_type", "category"]
    trends = recent_trends(fingertipsnext, group, polarity="low_is_good")
    shown = fingertipsnext[fingertipsnext["trend"].notna()].merge(
        trends, on=[*group, "sort_key"], how="left", suffixes=("", "_ours")
    )
    # Every published marker sits on its series' latest point.
    assert len(shown) == int(fingertipsnext["trend"].notna().sum()) == 2506 and shown["marker"].notna().all()
    # All 2,469 "Cannot be calculated" (92026/92033: two years; 92904: four; 20401 deciles: four) agree.
    cannot = shown["trend"] == "Cannot be calculated"
    assert int(cannot.sum()) == 2469 and (shown.loc[cannot, "label"] == "Cannot be calculated").all()
    # The 37 areas with a 20401 marker ("No significant change" 30, "Decreasing and getting better" 7)
    # were tested by Fingertips on 2017-2021; this extract starts in 2018, so only four points are here.
    marked = shown[~cannot]
    assert len(marked) == 37 and set(marked["indicator_id"]) == {"20401"}
    assert (fingertipsnext.merge(marked[group], on=group).groupby(group, dropna=False).size() == 4).all()


# --- (d) recent trends: Fingertips' own worked examples -------------------------------------------------


# fingertips-open AnalysisTest/TrendMarkerCalculatorTest.cs, GetTrendData_Set1 (2014-2018).
SET_1 = pd.DataFrame(
    [
        (2014, 994, 40299, 24.67, 23.16, 26.25),
        (2015, 1023, 41527, 24.6, 23.15, 26.19),
        (2016, 1199, 42811, 28, 26.44, 29.64),
        (2017, 1332, 44064, 30.2, 28.63, 31.9),
        (2018, 1367, 44701, 30.6, 28.98, 32.25),
    ],
    columns=["year", "count", "denominator", "value", "lower", "upper"],
)


def _trend(frame: pd.DataFrame, **options: object):
    return recent_trend(
        frame["year"], frame["value"], frame["count"], frame["denominator"], frame["lower"], frame["upper"], **options
    )


def test_trend_by_confidence_intervals_reproduces_fingertips_test():
    # TestIsSignificantReturnsTrue: significant, Math.Round(ChiSquare, 2) == 46.77.
    result = _trend(SET_1)
    assert round(result.chi_square, 2) == 46.77
    assert result.marker == "Increasing" and result.points_used == 5


def test_trend_for_proportions_reproduces_fingertips_test():
    # TestIsSignificantForProportionsReturnsTrue (comparator "SPC for proportions"): Math.Round(ChiSquare, 2) == 47.9.
    result = _trend(SET_1, method="proportion", polarity="high_is_good")
    assert round(result.chi_square, 2) == 47.9
    assert (result.marker, result.label) == ("Increasing", "Increasing and getting better")


def test_no_significant_change_reproduces_fingertips_test():
    # TestIsSignificantReturnsFalse, GetTrendData_Set2: not significant.
    set_2 = pd.DataFrame(
        [
            (2014, 209, 1017, 20.5506, 18.1803, 23.1427),
            (2015, 213, 1087, 19.5952, 17.3444, 22.0602),
            (2016, 213, 1119, 19.0349, 16.8421, 21.4394),
            (2017, 239, 1117, 21.3966, 19.0918, 23.8975),
            (2018, 210, 1139, 18.4372, 16.2925, 20.7941),
        ],
        columns=SET_1.columns,
    )
    result = _trend(set_2)
    assert result.marker == "No significant change" and result.chi_square < TREND_CHI_SQUARE_CRITICAL


def test_counts_equal_to_denominators_cannot_be_calculated():
    # TestIsSignificantForProportionsCannotBeCalculated, GetTrendDataForProportion_Set2: 5/5 in 2012.
    data = pd.DataFrame(
        [
            (2012, 5, 5, 100, 0, 0),
            (2013, 3, 5, 60, 0, 0),
            (2014, 1, 5, 20, 0, 0),
            (2015, 1, 4, 25, 0, 0),
            (2016, 2, 4, 50, 0, 0),
        ],
        columns=SET_1.columns,
    )
    result = _trend(data, method="proportion")
    assert (result.marker, result.chi_square) == ("Cannot be calculated", None)


@pytest.mark.parametrize(
    ("rows", "method", "marker"),
    [
        # 241 Diabetes: QOF prevalence, England 2020-2024, "SPC for proportions": Increasing.
        (
            [
                (2020, 3455176, 48783947, 7.0826, 7.0754, 7.094),
                (2021, 3491868, 49122259, 7.1085, 7.1013, 7.1199),
                (2022, 3625401, 49956777, 7.2571, 7.2499, 7.2684),
                (2023, 3774801, 50649129, 7.4528, 7.4456, 7.4643),
                (2024, 3938080, 51441896, 7.6554, 7.6481, 7.6669),
            ],
            "proportion",
            "Increasing",
        ),
        # 30309 MMR one dose at 2 years, Yorkshire and the Humber 2020-2024, "SPC for proportions": Decreasing.
        (
            [
                (2020, 57274, 61834, 92.6254, 92.4168, 92.8288),
                (2021, 55865, 60511, 92.3221, 92.1072, 92.5315),
                (2022, 53681, 59074, 90.8708, 90.6358, 91.1004),
                (2023, 51767, 57508, 90.017, 89.7694, 90.2594),
                (2024, 53185, 59028, 90.1013, 89.8578, 90.3396),
            ],
            "proportion",
            "Decreasing",
        ),
        # 41203 preventable sight loss from diabetic eye disease, England 2020-2024, crude rate: Increasing.
        (
            [
                (2020, 1416, 48246126, 2.935, 2.7841, 3.0919),
                (2021, 935, 48440507, 1.93028, 1.8085, 2.058),
                (2022, 1344, 48753376, 2.7567, 2.6113, 2.9082),
                (2023, 1415, 49300918, 2.8701, 2.7225, 3.0237),
                (2024, 1502, 49866388, 3.0121, 2.8616, 3.1683),
            ],
            "ci",
            "Increasing",
        ),
    ],
)
def test_trends_reproduce_fingertipsnext_tests(rows: list[tuple], method: str, marker: str):
    # FingertipsNext TrendMarkerCalculatorTests: real Fingertips series and the markers Fingertips shows.
    result = _trend(pd.DataFrame(rows, columns=SET_1.columns), method=method)
    assert result.marker == marker


def test_trend_labels_follow_polarity_and_need_five_valid_points():
    decreasing = SET_1.assign(value=SET_1["value"][::-1].to_numpy(), lower=SET_1["lower"][::-1].to_numpy())
    decreasing = decreasing.assign(upper=SET_1["upper"][::-1].to_numpy())
    assert _trend(decreasing, polarity="low_is_good").label == "Decreasing and getting better"
    assert _trend(decreasing, polarity="high_is_good").label == "Decreasing and getting worse"
    assert _trend(SET_1, polarity="low_is_good").label == "Increasing and getting worse"
    assert _trend(SET_1.head(4)).message == "Not enough data points to calculate recent trend"
    # Ten years, 2009-2018: a missing count in 2015 breaks the run of valid points back from 2018 ...
    ten_years = pd.concat([SET_1.assign(year=SET_1["year"] - 5), SET_1]).reset_index(drop=True)
    assert _trend(ten_years.assign(count=ten_years["count"].where(ten_years["year"] != 2015))).message == (
        "Not enough data points with valid values to calculate recent trend"
    )
    # ... one in 2010 does not, and only the five most recent points are tested.
    older_gap = ten_years.assign(count=ten_years["count"].where(ten_years["year"] != 2010))
    assert _trend(older_gap).chi_square == pytest.approx(_trend(SET_1).chi_square)
    no_limits = SET_1.assign(lower=None, upper=None)
    assert _trend(no_limits, method="proportion").marker == "Cannot be calculated"
    with pytest.raises(ValueError, match="own period"):
        _trend(SET_1.assign(year=2018))


# --- comparison with a benchmark -----------------------------------------------------------------------


def test_compare_to_benchmark_polarity_levels_and_missing():
    value = pd.Series([10.0, 11.5, 7.0, 10.0, None, 10.0])
    lower = pd.Series([9.0, 11.0, 5.0, 9.0, 8.0, 9.0])
    upper = pd.Series([11.0, 12.0, 9.5, 12.0, 9.0, None])
    benchmark = pd.Series([11.0, 10.5, 10.0, 8.0, 9.0, 9.0])
    assert compare_to_benchmark(value, lower, upper, benchmark, polarity="low_is_good").tolist() == [
        "Similar",  # the benchmark on the upper limit counts as within
        "Worse",
        "Better",
        "Worse",
        "Not compared",
        "Not compared",
    ]
    assert compare_to_benchmark(value, lower, upper, benchmark, polarity="high_is_good").tolist()[1:4] == [
        "Better",
        "Worse",
        "Better",
    ]
    assert compare_to_benchmark(value, lower, upper, benchmark, polarity="no_judgement").tolist()[1:4] == [
        "Higher",
        "Lower",
        "Higher",
    ]
    assert set(compare_to_benchmark(value, lower, upper, benchmark, polarity="not_applicable")) == {"Not compared"}
    # At 99.8% the wider limits turn a 95% difference into "Similar".
    ours = phe_rate([125], [100_000])
    at_95 = compare_to_benchmark(ours["value"], ours["lower_ci95"], ours["upper_ci95"], [100.0], polarity="low_is_good")
    at_998 = compare_to_benchmark(
        ours["value"], ours["lower_ci998"], ours["upper_ci998"], [100.0], polarity="low_is_good"
    )
    assert (at_95[0], at_998[0]) == ("Worse", "Similar")
    with pytest.raises(ValueError, match="polarity"):
        compare_to_benchmark(value, lower, upper, benchmark, polarity="RAG")  # type: ignore[arg-type]


# --- slope and relative index of inequality -------------------------------------------------------------


def test_relative_ranks_follow_the_phe_sii_documentation():
    # PHEindicatormethods phe_sii, "Calculation": a first quantile with 12% of the population has relative
    # rank 0.12/2 = 0.06 (printed "0.6" there); a second with 10% has 0.12 + 0.10/2 = 0.17.
    ranks = cumulative_midpoints([12, 10, 18, 20, 40])
    assert ranks[:2] == pytest.approx([0.06, 0.17])
    assert ranks[-1] == pytest.approx(0.8)


def test_sii_and_rii_of_an_exact_gradient():
    # Values lying exactly on Y = 70 + 10 b at each quantile's relative rank b: whatever the populations,
    # SII = 10 (fitted difference from b = 0 to b = 1) and RII = 80/70.
    population = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
    value = 70 + 10 * cumulative_midpoints(population)
    result = phe_sii(range(1, 11), population, value, se=[1.0] * 10, repetitions=1000, seed=1)
    assert result.sii == pytest.approx(10)
    assert result.rii == pytest.approx(80 / 70)
    negative = phe_sii(range(1, 11), population, value, se=[1.0] * 10, multiplier=-1, repetitions=1000, seed=1)
    assert (negative.sii, negative.rii) == pytest.approx((-10, 70 / 80))


def test_sii_simulated_limits_match_the_normal_sampling_distribution():
    # For value_type "normal" the SII is linear in the quantile values, so its sampling distribution is
    # exactly normal with sd sqrt(sum c_i^2 se_i^2); the simulated limits must converge to SII -/+ z sd.
    # Data: the example in the phe_sii documentation (Area1, deciles 1-10, with standard errors).
    population = np.array([7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534], float)
    value = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3]
    se = np.array([1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57])
    result = phe_sii(range(1, 11), population, value, se=se, levels=(0.95, 0.998), repetitions=200_000, seed=2016)
    sqrt_a = np.sqrt(population / population.sum())
    design = np.column_stack([sqrt_a, cumulative_midpoints(population) * sqrt_a])
    weights = np.linalg.solve(design.T @ design, design.T)[1] * sqrt_a
    sd = np.sqrt((weights**2 * se**2).sum())
    for level, z in ((0.95, 1.959964), (0.998, 3.090232)):
        lower, upper = result.sii_limits[level]
        assert lower == pytest.approx(result.sii - z * sd, abs=0.02 * sd * z)
        assert upper == pytest.approx(result.sii + z * sd, abs=0.02 * sd * z)
    again = phe_sii(range(1, 11), population, value, se=se, levels=(0.95, 0.998), repetitions=200_000, seed=2016)
    assert again == result


def test_sii_for_rates_uses_log_scale_limits_and_checks_its_input():
    population = [1000] * 5
    rates = [50.0, 40.0, 30.0, 25.0, 20.0]
    lower = [r * 0.9 for r in rates]
    upper = [r / 0.9 for r in rates]
    result = phe_sii(
        [5, 4, 3, 2, 1],
        population,
        rates[::-1],
        lower_ci95=lower[::-1],
        upper_ci95=upper[::-1],
        value_type="rate",
        seed=3,
    )
    # Quantiles are sorted by number: 1 (most deprived, 50) to 5 (20); the gradient is negative.
    assert result.sii < 0 < result.rii < 1
    assert result.sii_limits[0.95][0] < result.sii < result.sii_limits[0.95][1]
    with pytest.raises(ValueError, match="5 to 100 quantiles"):
        phe_sii([1, 2, 3], [1, 1, 1], [1, 2, 3], se=[1, 1, 1])
    with pytest.raises(ValueError, match="positive population"):
        phe_sii(range(1, 6), [1, 1, 0, 1, 1], rates, se=[1] * 5)
    with pytest.raises(ValueError, match="either se or both"):
        phe_sii(range(1, 6), population, rates, lower_ci95=lower)
    with pytest.raises(ValueError, match="0-1 scale"):
        phe_sii(range(1, 6), population, rates, se=[1] * 5, value_type="proportion")


def test_module_has_no_dagster_import():
    source = (Path(__file__).parents[1] / "pipeline" / "methods" / "phe.py").read_text()
    assert "dagster" not in source
