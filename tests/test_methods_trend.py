"""Trend tests (pipeline.methods.phe): the chi-squared test for trend in proportions and the recent-trend options.

Sources of the expected figures:
- R's `prop.trend.test` (stats; Armitage 1955) on its documentation example, smokers <- c(83, 90, 129, 70),
  patients <- c(86, 93, 136, 82): "X-squared = 8.2249, df = 1, p-value = 0.004132", as printed by R in Rui
  Barradas' post "Chi-squared Test for Trend in Proportions" to the R-help mailing list (8 September 2023).
- Fingertips' own unit test (UKHSA fingertips-open, AnalysisTest/TrendMarkerCalculatorTest.cs,
  GetTrendData_Set1, TestIsSignificantReturnsTrue): Math.Round(ChiSquare, 2) == 46.77 with Fingertips' 3.92.
- PHEindicatormethods' trend markers (`assign_trend_markers`, R/TrendMarkers.R and R/utils.R) in
  dhsc-govuk/PHEindicatormethods, branch add_trend_markers, commit be274439d4ed5c94827cec620d5f560271106bc2:
  its test spreadsheet tests/testthat/testdata_trend_markers.xlsx (sheets testdata_other_trends,
  testdata_other_6, testdata_other_grouped, testdata_prop_trends, testdata_prop_grouped; columns Significance
  and Gradient rounded to 4 decimals, and the marker), checked by tests/testthat/testTrendMarkers.R. Its
  standard errors use qnorm(1 - (1 - 0.95)/2) * 2 (R/utils.R calculate_trend_weighted_regression). The sheets'
  values are transcribed below (the workbook is not copied into this repository).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.methods.phe import (
    TREND_CHI_SQUARE_CRITICAL,
    TREND_Z_EXACT,
    TREND_Z_FINGERTIPS,
    chi_squared_trend,
    recent_trend,
    recent_trends,
)

COLUMNS = ["year", "count", "denominator", "value", "lower", "upper"]

# testdata_other_trends: Fingertips' GetTrendData_Set1 (2014-2018) in reverse time order, years numbered 1-5.
OTHER = pd.DataFrame(
    [
        (1, 1367, 44701, 30.6, 28.98, 32.25),
        (2, 1332, 44064, 30.2, 28.63, 31.9),
        (3, 1199, 42811, 28.0, 26.44, 29.64),
        (4, 1023, 41527, 24.6, 23.15, 26.19),
        (5, 994, 40299, 24.67, 23.16, 26.25),
    ],
    columns=COLUMNS,
)
# testdata_other_6: the same five points and a sixth.
OTHER_6 = pd.concat([OTHER, pd.DataFrame([(6, 1011, 40299, 30.9, 28.98, 32.25)], columns=COLUMNS)], ignore_index=True)
# testdata_other_grouped, "Black, Black British, Caribbean or African".
OTHER_BLACK = pd.DataFrame(
    [
        (1, 3004, 44064, 20.2, 18.3, 21.9),
        (2, 5000, 42811, 23.0, 21.44, 25.64),
        (3, 6000, 41527, 24.6, 23.15, 26.19),
        (4, 7643, 40299, 28.67, 26.16, 29.25),
        (5, 9585, 40700, 30.9, 28.98, 32.25),
    ],
    columns=COLUMNS,
)
# testdata_prop_trends: proportions with counts and denominators, no confidence limits (value in %).
PROPORTIONS = pd.DataFrame(
    [
        (2019, 318, 468.3357879234167, 67.9),
        (2020, 314, 472.8915662650602, 66.4),
        (2021, 318, 500.78740157480314, 63.5),
        (2022, 291, 480.1980198019802, 60.6),
        (2023, 292, 499.14529914529913, 58.5),
    ],
    columns=COLUMNS[:4],
)
# testdata_prop_grouped, "Asian or Asian British" and "Other ethnic group" (2015 missing from the latter).
PROPORTIONS_ASIAN = pd.DataFrame(
    [
        (2019, 90, 264.70588235294116, 34.0),
        (2020, 58, 89.23076923076924, 65.0),
        (2021, 29, 44.61538461538462, 65.0),
        (2022, 49, 233.33333333333334, 21.0),
        (2023, 67, 744.4444444444445, 9.0),
    ],
    columns=COLUMNS[:4],
)
PROPORTIONS_OTHER = pd.DataFrame(
    [
        (2012, 10, 125.0, 8.0),
        (2013, 17, 141.66666666666669, 12.0),
        (2014, 27, 117.3913043478261, 23.0),
        (2016, 49, 204.16666666666666, 24.0),
        (2017, 67, 171.7948717948718, 39.0),
    ],
    columns=COLUMNS[:4],
)


def _trend(frame: pd.DataFrame, **options: object):
    lower = frame["lower"] if "lower" in frame else None
    upper = frame["upper"] if "upper" in frame else None
    return recent_trend(frame["year"], frame["value"], frame["count"], frame["denominator"], lower, upper, **options)


# --- the chi-squared test for trend in proportions --------------------------------------------------------


def test_chi_squared_trend_reproduces_r_prop_trend_test():
    # prop.trend.test(smokers, patients): X-squared = 8.2249, df = 1, p-value = 0.004132 (R's printing:
    # 5 significant figures for the statistic, 4 for the p-value).
    result = chi_squared_trend([83, 90, 129, 70], [86, 93, 136, 82])
    assert round(result.chi_square, 4) == 8.2249
    assert result.df == 1
    assert result.p_value == pytest.approx(0.004132, abs=5e-7)
    assert result.scores == (1.0, 2.0, 3.0, 4.0)


def test_chi_squared_trend_is_the_statistic_of_the_proportion_trend_markers():
    # PHEindicatormethods scores the periods by their years: Significance 12.5688 (testdata_prop_trends).
    by_year = chi_squared_trend(PROPORTIONS["count"], PROPORTIONS["denominator"], PROPORTIONS["year"])
    assert round(by_year.chi_square, 4) == 12.5688
    # The test does not depend on the scores' origin: 1..5 gives the same statistic for consecutive years.
    by_index = chi_squared_trend(PROPORTIONS["count"], PROPORTIONS["denominator"])
    assert by_index.chi_square == pytest.approx(by_year.chi_square, rel=1e-9)
    with pytest.raises(ValueError, match="larger than its denominator"):
        chi_squared_trend([5, 12], [10, 10])
    with pytest.raises(ValueError, match="at least two groups"):
        chi_squared_trend([5], [10])


# --- the z convention for standard errors from 95% limits --------------------------------------------------


def test_both_z_conventions_reproduce_their_published_chi_squares():
    # Fingertips (3.92): 46.77 to 2 decimals. PHEindicatormethods (qnorm(0.975) * 2): 46.7636 to 4 decimals,
    # gradient -1.7516, "Decreasing" (the same points in reverse time order as Fingertips' Set 1).
    fingertips = _trend(OTHER)
    exact = _trend(OTHER, limits_z=TREND_Z_EXACT)
    assert TREND_Z_FINGERTIPS == 1.96 and round(2 * TREND_Z_EXACT, 6) == 3.919928
    assert round(fingertips.chi_square, 2) == 46.77
    assert round(exact.chi_square, 4) == 46.7636 and round(exact.slope, 4) == -1.7516
    assert exact.marker == fingertips.marker == "Decreasing"
    # The conventions differ in the fourth decimal (46.7653 with 3.92); the slope does not depend on them.
    assert round(fingertips.chi_square, 4) != 46.7636
    assert fingertips.slope == pytest.approx(exact.slope, rel=1e-12)


def test_exact_z_reproduces_phe_grouped_series():
    # testdata_other_grouped, Black ...: Significance 95.2196, Gradient 2.7335, "Increasing".
    result = _trend(OTHER_BLACK, limits_z=TREND_Z_EXACT)
    assert (round(result.chi_square, 4), round(result.slope, 4), result.marker) == (95.2196, 2.7335, "Increasing")


# --- more points -----------------------------------------------------------------------------------------


def test_six_points_test_the_five_most_recent_by_default():
    # testdata_other_6: six points, the five most recent tested: Significance 0.7433, Gradient -0.2256,
    # "No significant change" (marker checked by testTrendMarkers.R).
    result = _trend(OTHER_6, limits_z=TREND_Z_EXACT)
    assert (round(result.chi_square, 4), round(result.slope, 4)) == (0.7433, -0.2256)
    assert (result.marker, result.points_used) == ("No significant change", 5)


def test_any_number_of_points_from_five():
    # All six points: the weighted least-squares slope over six points (no published six-point marker exists;
    # here the slope is checked against numpy's weighted fit).
    six = _trend(OTHER_6, limits_z=TREND_Z_EXACT, points=None)
    assert six.points_used == 6 and six == _trend(OTHER_6, limits_z=TREND_Z_EXACT, points=6)
    weights = 1 / ((OTHER_6["upper"] - OTHER_6["lower"]) / (2 * TREND_Z_EXACT))
    assert six.slope == pytest.approx(np.polyfit(np.arange(1, 7), OTHER_6["value"], 1, w=weights)[0], rel=1e-9)
    # The proportion method over six points is the chi-squared test for trend over six periods.
    six_props = _trend(OTHER_6, method="proportion", points=None)
    expected = chi_squared_trend(OTHER_6["count"], OTHER_6["denominator"]).chi_square
    assert six_props.chi_square == pytest.approx(expected, rel=1e-12)
    # Fewer than the documented minimum of five is refused; more than the series holds cannot be calculated.
    with pytest.raises(ValueError, match="at least 5 points"):
        _trend(OTHER_6, points=4)
    assert _trend(OTHER_6, points=7).message == "Not enough data points to calculate recent trend"
    assert TREND_CHI_SQUARE_CRITICAL == pytest.approx(9.5495, abs=5e-5)


# --- the proportion method without confidence limits ---------------------------------------------------------


def test_proportion_method_runs_without_limits_and_reproduces_phe():
    # testdata_prop_trends (no limits): Significance 12.5688, Gradient -0.1062 (logit slope), "Decreasing".
    for options in ({"method": "auto"}, {"method": "proportion", "require_limits": False}):
        result = _trend(PROPORTIONS, **options)
        assert (round(result.chi_square, 4), round(result.slope, 4)) == (12.5688, -0.1062), options
        assert result.marker == "Decreasing"
    # Fingertips' rule (the default) still wants limits on every tested point.
    assert _trend(PROPORTIONS, method="proportion").marker == "Cannot be calculated"
    # With limits present, "auto" uses the confidence-interval method.
    assert _trend(OTHER, method="auto") == _trend(OTHER)


@pytest.mark.parametrize(
    ("frame", "significance", "gradient", "marker"),
    [
        (PROPORTIONS_ASIAN, 144.3957, -0.5245, "Decreasing"),
        # Years 2012-2014, 2016, 2017: the spreadsheet's figures number the five points 1..5, as Fingertips and
        # this module do (PHEindicatormethods' R code would use the years, 44.7368 and 0.3562 here; its test
        # compares only the marker, "Increasing" either way).
        (PROPORTIONS_OTHER, 47.3463, 0.4830, "Increasing"),
    ],
)
def test_proportion_markers_reproduce_phe_grouped_series(
    frame: pd.DataFrame, significance: float, gradient: float, marker: str
):
    result = _trend(frame, method="auto")
    assert (round(result.chi_square, 4), round(result.slope, 4), result.marker) == (significance, gradient, marker)


def test_recent_trends_passes_the_options_through():
    # testdata_prop_grouped: a missing denominator (2022) leaves too few valid points: "Cannot be calculated".
    broken = PROPORTIONS_ASIAN.assign(denominator=PROPORTIONS_ASIAN["denominator"].where(lambda d: d.index != 3))
    data = pd.concat(
        [PROPORTIONS_ASIAN.assign(group="Asian"), PROPORTIONS_OTHER.assign(group="Other"), broken.assign(group="X")]
    ).rename(columns={"year": "sort_key"})
    trends = recent_trends(data, ["group"], method="auto").set_index("group")
    assert trends["marker"].to_dict() == {"Asian": "Decreasing", "Other": "Increasing", "X": "Cannot be calculated"}
    assert round(trends.loc["Asian", "chi_square"], 4) == 144.3957
    assert trends.loc["Asian", "sort_key"] == 2023
