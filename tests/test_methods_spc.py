"""XmR limits and Making Data Count special-cause rules against NHSRplotthedots' published test expectations.

Source: NHS-R Community, NHSRplotthedots 0.2 (github.com/nhs-r-community/NHSRplotthedots, the R implementation
of NHS England's Making Data Count SPC tool), tests/testthat/test-ptd_spc_standard.R with its snapshot
tests/testthat/_snaps/ptd_spc_standard.md, test-ptd_spc.R with _snaps/ptd_spc.md, test-ptd_calculate_point_type.R
and test-ptd_calculate_assurance_type.R. Their input series is R's `set.seed(123); rnorm(20)`, transcribed
below to the 8 decimals R prints.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.methods.spc import (
    XmRLimits,
    assurance,
    shift_points,
    special_causes,
    trend_directions,
    two_of_three_points,
    variation,
    xmr_limits,
)

# R: set.seed(123); rnorm(20)
RNORM_20 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123,
    -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314,
    0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def test_xmr_limits_reproduce_plot_the_dots_snapshot():
    """_snaps/ptd_spc_standard.md, r1: mean_col 0.1416238, lpl -3.01138, upl 3.294627 (outliers screened)."""
    limits = xmr_limits(RNORM_20)
    assert limits.mean == pytest.approx(0.1416238, abs=5e-8)
    assert limits.lower == pytest.approx(-3.01138, abs=5e-6)
    assert limits.upper == pytest.approx(3.294627, abs=5e-7)
    assert limits.n == 20


def test_an_outlying_moving_range_is_screened_out_of_the_limits():
    """_snaps/ptd_spc_standard.md, y[15] <- 10: mean 0.6694159; screened limits -2.383666 to 3.722497 (r2),
    unscreened -4.596625 to 5.935457 (r3)."""
    series = list(RNORM_20)
    series[14] = 10
    screened = xmr_limits(series)
    assert screened.mean == pytest.approx(0.6694159, abs=5e-8)
    assert (screened.lower, screened.upper) == (pytest.approx(-2.383666, abs=5e-7), pytest.approx(3.722497, abs=5e-7))
    unscreened = xmr_limits(series, screen_outliers=False)
    assert (unscreened.lower, unscreened.upper) == (
        pytest.approx(-4.596625, abs=5e-7),
        pytest.approx(5.935457, abs=5e-7),
    )
    flags = special_causes(series, "higher_is_better", limits=screened)
    assert flags["beyond_limit"].tolist() == [i == 14 for i in range(20)]
    assert flags.loc[14, "variation"] == "improvement"
    assert flags["special_cause"].sum() == 1


def test_each_half_of_the_series_has_its_own_limits():
    """_snaps/ptd_spc.md, facet 0 (first 10 points): mean 0.0746, limits -2.60 to 2.75; facet 1: 0.209,
    -3.28 to 3.70; all 20 points common cause."""
    first, second = xmr_limits(RNORM_20[:10]), xmr_limits(RNORM_20[10:])
    assert (round(first.mean, 4), round(first.lower, 2), round(first.upper, 2)) == (0.0746, -2.60, 2.75)
    assert (round(second.mean, 3), round(second.lower, 2), round(second.upper, 2)) == (0.209, -3.28, 3.70)
    assert not special_causes(RNORM_20[:10]).special_cause.any()
    assert not special_causes(RNORM_20[10:]).special_cause.any()


def test_two_points_near_opposite_limits_are_common_cause():
    """test-ptd_spc.R: 1, -1 alternating 16 times with points 15 and 16 set to 5.5 and -5.5: both common cause."""
    series = [1.0, -1.0] * 8
    series[14], series[15] = 5.5, -5.5
    flags = special_causes(series, "higher_is_better")
    assert flags["variation"].tolist()[-2:] == ["common_cause", "common_cause"]
    assert not flags["special_cause"].any()


def test_shift_is_seven_or_more_points_on_one_side():
    """test-ptd_calculate_point_type.R, ptd_seven_point_one_side_mean: six on one side is no shift; eight then
    one across flags the eight (as ptd_part_of_seven_trend extends the run)."""
    assert not shift_points(np.array([1.0] * 6), 0.0).any()
    assert not shift_points(np.array([1.0] * 6 + [-1.0]), 0.0).any()
    assert shift_points(np.array([1.0] * 8 + [-1.0]), 0.0).tolist() == [True] * 8 + [False]
    assert shift_points(np.array([-1.0] * 8 + [1.0]), 0.0).tolist() == [True] * 8 + [False]
    # A point exactly on the mean breaks the run.
    assert not shift_points(np.array([1.0] * 4 + [0.0] + [1.0] * 4), 0.0).any()


def test_trend_is_seven_or_more_points_all_rising_or_all_falling():
    """test-ptd_calculate_point_type.R, ptd_seven_point_trend: 1:6 no trend; c(1:3, 3:6) no trend (a tie);
    1:7 and 7:1 a trend; c(2, 1:7, 3) and c(2, 7:1, 3) a trend on points 2-8 only."""
    assert trend_directions(np.arange(1.0, 7.0)).tolist() == [0] * 6
    assert trend_directions(np.array([1.0, 2, 3, 3, 4, 5, 6])).tolist() == [0] * 7
    assert trend_directions(np.arange(1.0, 8.0)).tolist() == [1] * 7
    assert trend_directions(np.arange(7.0, 0.0, -1)).tolist() == [-1] * 7
    assert trend_directions(np.array([2.0, 1, 2, 3, 4, 5, 6, 7, 3])).tolist() == [0] + [1] * 7 + [0]
    assert trend_directions(np.array([2.0, 7, 6, 5, 4, 3, 2, 1, 3])).tolist() == [0] + [-1] * 7 + [0]


# Limits for the two-of-three cases: mean 0, limits +/-3, so "near" is beyond +/-2. NEAR = 2.5, FAR = 0.5.
UNIT = XmRLimits(mean=0.0, mean_moving_range=3 / 2.66, lower=-3.0, upper=3.0, near_lower=-2.0, near_upper=2.0, n=0)


def near_pattern(close: list[int], side: list[int]) -> np.ndarray:
    """A series whose points are near a limit where `close` is 1, on the side of the mean given by `side`."""
    return np.array([s * (2.5 if c else 0.5) for c, s in zip(close, side, strict=True)])


@pytest.mark.parametrize(
    ("close", "side", "expected"),
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_two_of_three_near_a_limit_on_one_side(close, side, expected):
    """test-ptd_calculate_point_type.R, ptd_two_in_three and ptd_part_of_two_in_three: the near points of any
    three consecutive points with two near a limit and all three on one side of the mean."""
    assert two_of_three_points(near_pattern(close, side), UNIT).astype(int).tolist() == expected


def test_a_point_beyond_the_limit_is_not_near_it():
    """Points beyond a limit count for rule 1, not as "near" points of rule 4 (NHSRplotthedots'
    close_to_limits excludes outside_limits)."""
    assert two_of_three_points(np.array([3.5, 2.5, 0.5]), UNIT).tolist() == [False, False, False]


def test_variation_follows_polarity():
    assert variation(1, "higher_is_better") == "improvement"
    assert variation(1, "lower_is_better") == "concern"
    assert variation(-1, "lower_is_better") == "improvement"
    assert variation(-1, None) == "neutral_low"
    assert variation(0, "higher_is_better") == "common_cause"


def test_a_falling_trend_is_concern_when_higher_is_better_and_improvement_when_lower():
    series = [5.0, 5.2, 4.9, 5.1, 5.0, 4.8, 4.6, 4.4, 4.2, 4.0, 3.8, 3.6]
    higher = special_causes(series, "higher_is_better")
    assert higher["trend"].tolist() == [False] * 3 + [True] * 9
    # A point beyond a limit reads its direction from the limit first (MDC's order): 5.1 is above the upper one.
    only_trend = higher.trend & ~higher.beyond_limit
    assert set(higher.loc[only_trend, "variation"]) == {"concern"}
    assert higher.loc[3, "variation"] == "improvement"
    lower = special_causes(series, "lower_is_better")
    assert set(lower.loc[only_trend, "variation"]) == {"improvement"}


@pytest.mark.parametrize(
    ("lower", "upper", "polarity", "expected"),
    [
        (1, 3, "higher_is_better", "consistent_fail"),
        (5, 7, "higher_is_better", "consistent_pass"),
        (1, 5, "higher_is_better", "inconsistent"),
        (1, 3, "lower_is_better", "consistent_pass"),
        (5, 7, "lower_is_better", "consistent_fail"),
        (1, 5, "lower_is_better", "inconsistent"),
    ],
)
def test_assurance_against_a_target_of_4(lower, upper, polarity, expected):
    """test-ptd_calculate_assurance_type.R: limits (1, 3), (5, 7), (1, 5) and target 4 give consistent_fail,
    consistent_pass, inconsistent when improvement is an increase, and the reverse passes and fails for a
    decrease."""
    limits = XmRLimits((lower + upper) / 2, 0.0, lower, upper, lower, upper, 0)
    assert assurance(limits, 4, polarity) == expected


def test_no_assurance_without_a_target_or_polarity():
    limits = xmr_limits(RNORM_20)
    assert assurance(limits, None, "higher_is_better") is None
    assert assurance(limits, 1.0, None) is None


def test_missing_values_and_single_points_are_refused():
    with pytest.raises(ValueError, match="missing values"):
        xmr_limits([1.0, float("nan"), 2.0])
    with pytest.raises(ValueError, match="at least two points"):
        xmr_limits([1.0])
