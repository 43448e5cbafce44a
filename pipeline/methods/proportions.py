"""Confidence intervals for a proportion and for the difference between two independent proportions.

- `wilson_interval`: the score interval of E. B. Wilson (1927), "Probable inference, the law of succession, and
  statistical inference", Journal of the American Statistical Association 22(158):209-212; method 3 in
  R. G. Newcombe (1998a), "Two-sided confidence intervals for the single proportion: comparison of seven
  methods", Statistics in Medicine 17:857-872.
- `newcombe_difference`: the hybrid score interval for p1 - p2 built from the two Wilson intervals; method 10 in
  R. G. Newcombe (1998b), "Interval estimation for the difference between independent proportions: comparison
  of eleven methods", Statistics in Medicine 17:873-890.
- `fisher_exact_p`: Fisher's exact test of a 2 x 2 table (R. A. Fisher 1935, The Design of Experiments, ch. 2,
  the lady tasting tea; A. Agresti 2002, Categorical Data Analysis, 2nd ed., Wiley, section 3.5), by
  `scipy.stats.fisher_exact`: the p-value sums the hypergeometric probabilities of the tables with the observed
  margins that are as or less likely than the one observed (two-sided), or as or more extreme (one-sided).

Both take counts, not percentages, and confidence levels as fractions (0.95). A denominator of zero gives NaN
limits: there is nothing to estimate. Scalar counterparts of the vectorised Fingertips limits in
`pipeline.methods.phe.wilson_limits`, for single comparisons (e.g. the share of successful partnerships with
and without a factor).
"""

from __future__ import annotations

import math

from scipy import stats

from pipeline.methods.phe import wilson_limits

__all__ = ["fisher_exact_p", "newcombe_difference", "wilson_interval"]


def _z(level: float) -> float:
    """Two-sided standard normal point for a confidence level: 1.959964 at 0.95."""
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be a fraction strictly between 0 and 1, not {level!r}")
    return float(stats.norm.ppf(0.5 + level / 2))


def _check_counts(successes: float, n: float) -> None:
    if n < 0 or successes < 0:
        raise ValueError(f"counts must not be negative: {successes!r} successes out of {n!r}")
    if successes > n:
        raise ValueError(f"successes ({successes!r}) exceed the number of trials ({n!r})")


def wilson_interval(successes: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson (1927) score interval for the proportion successes / n, as (low, high) on the 0-1 scale.

    Limits (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), Newcombe (1998a) method 3. The interval
    is exactly 0 at its lower end when x = 0 and exactly 1 at its upper end when x = n (set explicitly, not
    left to rounding). n = 0 gives (NaN, NaN).
    """
    _z(level)  # checks the level
    _check_counts(successes, n)
    if n == 0:
        return math.nan, math.nan
    low, high = wilson_limits([successes], [n], level)  # the one implementation, shared with phe_proportion
    return (0.0 if successes == 0 else float(low[0])), (1.0 if successes == n else float(high[0]))


def newcombe_difference(x1: float, n1: float, x2: float, n2: float, level: float = 0.95) -> tuple[float, float, float]:
    """Newcombe's (1998b) hybrid score interval (method 10) for p1 - p2, as (difference, low, high).

    With p1 = x1/n1, p2 = x2/n2 and Wilson limits (l1, u1), (l2, u2) at the same level:
    low = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2), d = p1 - p2.
    The limits stay within [-1, 1] without truncation. Either denominator zero gives (NaN, NaN, NaN).
    """
    l1, u1 = wilson_interval(x1, n1, level)
    l2, u2 = wilson_interval(x2, n2, level)
    if n1 == 0 or n2 == 0:
        return math.nan, math.nan, math.nan
    p1, p2 = x1 / n1, x2 / n2
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return difference, low, high


def fisher_exact_p(x1: int, n1: int, x2: int, n2: int, alternative: str = "two-sided") -> float:
    """Fisher's exact test p-value for x1 of n1 against x2 of n2 (the 2 x 2 table [[x1, n1 - x1], [x2, n2 - x2]]).

    `alternative` is "two-sided", "greater" (the first proportion is larger) or "less". Exact whatever the
    counts, so it suits the few partnerships of a programme where a chi-squared approximation does not. Either
    denominator zero gives NaN: there is nothing to compare."""
    _check_counts(x1, n1)
    _check_counts(x2, n2)
    if n1 == 0 or n2 == 0:
        return math.nan
    return float(stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]], alternative=alternative).pvalue)
