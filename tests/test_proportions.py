"""Wilson and Newcombe intervals (pipeline.methods.proportions) against Newcombe's (1998) worked examples.

- Newcombe RG (1998a), "Two-sided confidence intervals for the single proportion: comparison of seven
  methods", Stat Med 17:857-872: Wilson score interval (method 3) for 81/263, 15/148, 0/20 and 1/29.
- Newcombe RG (1998b), "Interval estimation for the difference between independent proportions: comparison
  of eleven methods", Stat Med 17:873-890, Table II: the hybrid score interval (method 10) for the examples
  (a) 56/70 - 48/80, (b) 9/10 - 3/10 and (d) 5/56 - 0/29.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline.methods.phe import wilson_limits
from pipeline.methods.proportions import fisher_exact_p, newcombe_difference, wilson_interval


def _rounded(values: tuple[float, ...]) -> list[float]:
    return [round(v, 4) for v in values]


# --- Wilson (1927) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        # Newcombe (1998a), method 3 (score interval without continuity correction).
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
    ],
)
def test_wilson_reproduces_newcombe_1998a(successes, n, expected):
    assert _rounded(wilson_interval(successes, n)) == list(expected)


def test_wilson_is_exact_at_the_boundaries_and_undefined_for_no_trials():
    assert wilson_interval(0, 20)[0] == 0.0
    # x = n mirrors x = 0: 20/20 is 1 - (0.1611, 0) (Wilson's interval is symmetric under x -> n - x).
    low, high = wilson_interval(20, 20)
    assert high == 1.0 and round(low, 4) == round(1 - 0.1611, 4)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_wilson_agrees_with_the_fingertips_vectorised_limits():
    low, high = wilson_limits([81, 15, 1], [263, 148, 29], 0.95)
    ours = np.array([wilson_interval(x, n) for x, n in [(81, 263), (15, 148), (1, 29)]])
    np.testing.assert_allclose(ours[:, 0], low, rtol=1e-12)
    np.testing.assert_allclose(ours[:, 1], high, rtol=1e-12)


def test_wilson_narrows_as_the_level_falls_and_rejects_bad_input():
    low95, high95 = wilson_interval(81, 263, 0.95)
    low90, high90 = wilson_interval(81, 263, 0.90)
    assert low95 < low90 < 81 / 263 < high90 < high95
    with pytest.raises(ValueError, match="exceed"):
        wilson_interval(5, 4)
    with pytest.raises(ValueError, match="negative"):
        wilson_interval(-1, 4)
    with pytest.raises(ValueError, match="confidence level"):
        wilson_interval(1, 4, level=95)


# --- Newcombe (1998b), method 10 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Table II, example (a): 56/70 - 48/80 = 0.8 - 0.6 = 0.2000, method 10: 0.0524 to 0.3339.
        ((56, 70, 48, 80), (0.2, 0.0524, 0.3339)),
        # Table II, example (b): 9/10 - 3/10 = 0.6000, method 10: 0.1705 to 0.8090.
        ((9, 10, 3, 10), (0.6, 0.1705, 0.8090)),
        # Table II, example (d): 5/56 - 0/29 = 0.0893, method 10: -0.0381 to 0.1926.
        ((5, 56, 0, 29), (0.0893, -0.0381, 0.1926)),
    ],
)
def test_newcombe_difference_reproduces_newcombe_1998b_table_ii(counts, expected):
    assert _rounded(newcombe_difference(*counts)) == list(expected)


def test_newcombe_difference_at_zero_and_full_counts_follows_from_the_wilson_limits():
    # By hand from the formula: with x = 0 or x = n a group contributes only one Wilson half-width, z^2/(n+z^2)
    # (0.2775 for n = 10; 0.1611 for n = 20, Newcombe 1998a), and the other side of its contribution is zero.
    assert _rounded(newcombe_difference(0, 10, 0, 20)) == [0.0, -0.1611, 0.2775]
    assert _rounded(newcombe_difference(0, 10, 0, 10)) == [0.0, -0.2775, 0.2775]
    # 10/10 - 0/20: 1 - sqrt(0.27753^2 + 0.16113^2) = 1 - 0.32092 = 0.6791.
    assert _rounded(newcombe_difference(10, 10, 0, 20)) == [1.0, 0.6791, 1.0]
    # 10/10 - 0/10: 1 - sqrt(2) * 0.27753 = 0.6075.
    assert _rounded(newcombe_difference(10, 10, 0, 10)) == [1.0, 0.6075, 1.0]


def test_newcombe_difference_swaps_sign_with_the_groups_and_handles_empty_groups():
    d, low, high = newcombe_difference(56, 70, 48, 80)
    d2, low2, high2 = newcombe_difference(48, 80, 56, 70)
    assert (d2, low2, high2) == pytest.approx((-d, -high, -low))
    assert all(math.isnan(v) for v in newcombe_difference(0, 0, 3, 10))
    assert all(math.isnan(v) for v in newcombe_difference(3, 10, 0, 0))


def test_fisher_exact_reproduces_agrestis_tea_tasting_example():
    # Agresti (2002), Categorical Data Analysis, 2nd ed., Wiley, section 3.5.2, Table 3.8 (Fisher's tea tasting):
    # the lady guesses 3 of the 4 cups with milk poured first right, [[3, 1], [1, 3]]. One-sided P = 0.243,
    # two-sided P = 0.486 (both 17/70 and 34/70 exactly).
    assert fisher_exact_p(3, 4, 1, 4, alternative="greater") == pytest.approx(17 / 70)
    assert round(fisher_exact_p(3, 4, 1, 4, alternative="greater"), 4) == 0.2429
    assert round(fisher_exact_p(3, 4, 1, 4), 4) == 0.4857
    assert fisher_exact_p(4, 4, 0, 4) == pytest.approx(2 / 70)  # all four right: 1/70 each way


def test_fisher_exact_has_nothing_to_compare_without_a_group():
    assert math.isnan(fisher_exact_p(0, 0, 3, 5))
    with pytest.raises(ValueError, match="exceed"):
        fisher_exact_p(5, 4, 1, 4)
