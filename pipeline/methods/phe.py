"""Public-health statistics computed as the national indicator tool (Fingertips) computes them.

Sources, cited per function below:
- [PHEim] PHEindicatormethods, the R package of Public Health England / the Office for Health Improvement
  and Disparities (OHID) that reproduces Fingertips' methods: `phe_proportion`, `phe_rate`, `byars_lower`,
  `byars_upper`, `wilson_lower`, `wilson_upper`, `phe_sii` (R/Proportions.R, R/Rates.R, R/utils.R,
  R/SII_function.R).
- [TB3] APHO Technical Briefing 3, "Commonly used public health statistics and their confidence
  intervals" (Eayres D, 2008), and its successor, Public Health Data Science "Technical Guide: Confidence
  Intervals" (2018): Wilson score for proportions; Byar's method for counts and rates, with the exact
  (chi-squared) Poisson limits for fewer than 10 events.
- [FT] Fingertips' own source code, published by UKHSA as `fingertips-open` (PholioVisualisation):
  `SingleOverlappingCIsComparer` and `IndicatorComparer` (benchmark comparison), `TrendMarkerCalculator`
  and `TrendRequest` (recent trends); and the same trend calculator as carried into its successor,
  FingertipsNext (`trend-analysis/TrendAnalysisApp/Calculator/Legacy`).

Confidence levels are fractions (0.95, 0.998). Output columns use the names the project's readers give
Fingertips' columns: `lower_ci95`, `upper_ci95`, `lower_ci998`, `upper_ci998`.

Directly standardised rates (Dobson's method, ESP2013) are in `pipeline.methods.dsr`, tested against
[PHEim]'s own test data.

Recent trends: [FT]'s test over the five most recent points is the default of `recent_trend`; more points,
PHEindicatormethods' `assign_trend_markers` conventions (the exact z = qnorm(0.975) for the standard error from
95% limits, the proportion method without limits) and the chi-squared test for trend
in proportions over any number of periods (`chi_squared_trend`) are options, each tested against its source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "Polarity",
    "SiiResult",
    "TrendResult",
    "TrendTest",
    "byars_limits",
    "chi_squared_trend",
    "compare_to_benchmark",
    "cumulative_midpoints",
    "exact_poisson_limits",
    "intervals_when_missing",
    "level_suffix",
    "phe_proportion",
    "phe_rate",
    "phe_sii",
    "recent_trend",
    "recent_trends",
    "wilson_limits",
]

Polarity = Literal["low_is_good", "high_is_good", "no_judgement", "not_applicable"]
_POLARITIES = ("low_is_good", "high_is_good", "no_judgement", "not_applicable")

# Fingertips' recent-trend test: chi-squared on 1 degree of freedom above its 99.8% point ([FT]
# TrendMarkerCalculator.ChiSquareConfidence = 9.54953570608324) over the five most recent points.
TREND_POINTS = 5
TREND_CHI_SQUARE_CRITICAL = float(stats.chi2.ppf(0.998, 1))
# The normal point that turns 95% limits into a standard error, se = (upper - lower) / (2 z): Fingertips divides
# the width by 3.92 ([FT] TrendMarkerCalculator: z = 1.96); PHEindicatormethods' assign_trend_markers by
# qnorm(1 - (1 - 0.95)/2) * 2 = 3.919928 (R/utils.R calculate_trend_weighted_regression).
TREND_Z_FINGERTIPS = 1.96
TREND_Z_EXACT = float(stats.norm.ppf(0.975))


# --- helpers -----------------------------------------------------------------------------------------


def level_suffix(level: float) -> str:
    """Column suffix for a confidence level: 0.95 -> "95", 0.998 -> "998", 0.99 -> "99"."""
    _check_level(level)
    return f"{round(level * 100, 6):g}".replace(".", "")


def _check_level(level: float) -> None:
    if not 0.9 <= level < 1:
        raise ValueError(f"confidence level must be a fraction from 0.9 up to (not including) 1, not {level!r}")


def _z(level: float) -> float:
    """Two-sided standard normal point: 1.95996... at 95%, 3.09023... at 99.8% ([PHEim] qnorm)."""
    return float(stats.norm.ppf(level + (1 - level) / 2))


def _as_float(values: object) -> np.ndarray:
    return np.asarray(pd.to_numeric(pd.Series(values, dtype=object), errors="coerce"), dtype=float)


def _index_of(*candidates: object) -> pd.Index | None:
    for candidate in candidates:
        if isinstance(candidate, pd.Series):
            return candidate.index
    return None


def _levels(levels: float | Sequence[float]) -> tuple[float, ...]:
    chosen = (levels,) if isinstance(levels, float | int) else tuple(levels)
    for level in chosen:
        _check_level(level)
    return chosen


# --- confidence limits for one statistic ---------------------------------------------------------------


def wilson_limits(count: object, denominator: object, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits for a proportion count/denominator, on the 0-1 scale.

    (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)); Wilson EB (1927), J Am Stat Assoc 22:209-212,
    as given by Newcombe RG & Altman DG in "Statistics with confidence" (2nd edn, 2000, pp 46-48), [TB3]
    and [PHEim] wilson_lower/wilson_upper.
    """
    _check_level(level)
    x, n = _as_float(count), _as_float(denominator)
    z = _z(level)
    with np.errstate(invalid="ignore"):
        root = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
    return (2 * x + z**2 - root) / 2 / (n + z**2), (2 * x + z**2 + root) / 2 / (n + z**2)


def byars_limits(count: object, level: float = 0.95, z: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the Poisson limits of an observed count.

    Lower O(1 - 1/(9O) - z/(3 sqrt O))^3, upper (O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3; Breslow NE & Day NE,
    Statistical methods in cancer research II (IARC, 1987), [TB3] and [PHEim] byars_lower/byars_upper. A
    negative lower limit (very small counts) is returned as NaN, as [PHEim] does. `z` overrides the exact
    normal point: some published series were computed with the rounded z = 1.96.
    """
    _check_level(level)
    z = _z(level) if z is None else z
    x = _as_float(count)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    return np.where(lower < 0, np.nan, lower), upper


def exact_poisson_limits(count: object, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits of an observed count from the chi-squared distribution.

    Lower chi2((1-level)/2; 2O)/2 (0 when O = 0), upper chi2((1+level)/2; 2O+2)/2; Armitage P & Berry G,
    Statistical methods in medical research (4th edn, 2002), the Technical Guide's Appendix 2 ([TB3]) and
    [PHEim] phe_rate.
    """
    _check_level(level)
    x = _as_float(count)
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        lower = np.where(x == 0, 0.0, stats.chi2.ppf(alpha / 2, 2 * x) / 2)
        upper = stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
    return np.where(np.isnan(x), np.nan, lower), upper


def _check_counts(x: np.ndarray, n: np.ndarray, *, proportion: bool) -> None:
    present = ~np.isnan(x) & ~np.isnan(n)
    problems = [
        (present & (x < 0), "a count is negative"),
        (present & (n <= 0), "a denominator is zero or negative"),
    ]
    if proportion:
        problems.append((present & (x > n), "a count is larger than its denominator"))
    for mask, problem in problems:
        if mask.any():
            at = int(np.flatnonzero(mask)[0])
            raise ValueError(f"{problem}: position {at}, count {x[at]!r}, denominator {n[at]!r}")


def phe_proportion(
    count: object,
    denominator: object,
    *,
    multiplier: float = 100,
    levels: float | Sequence[float] = (0.95, 0.998),
) -> pd.DataFrame:
    """A proportion (x 100 for a percentage by default) with Wilson score limits, as [PHEim] phe_proportion.

    Returns columns value, lower_ci95, upper_ci95, lower_ci998, upper_ci998 (one pair per level), on the
    input's index when it is a Series. Missing counts or denominators give NaN; a negative count, a
    non-positive denominator or a count above its denominator raises ValueError naming the position.
    """
    x, n = _as_float(count), _as_float(denominator)
    _check_counts(x, n, proportion=True)
    out = pd.DataFrame({"value": x / n * multiplier}, index=_index_of(count, denominator))
    for level in _levels(levels):
        lower, upper = wilson_limits(x, n, level)
        out[f"lower_ci{level_suffix(level)}"] = lower * multiplier
        out[f"upper_ci{level_suffix(level)}"] = upper * multiplier
    return out


RateMethod = Literal["phe", "byar", "exact"]


def phe_rate(
    count: object,
    denominator: object,
    *,
    multiplier: float = 100_000,
    levels: float | Sequence[float] = (0.95, 0.998),
    method: RateMethod = "phe",
    z: float | None = None,
) -> pd.DataFrame:
    """A crude rate per `multiplier` with its confidence limits, as [PHEim] phe_rate.

    method "phe" (the default, [PHEim] and [TB3] since 2018): exact Poisson limits for counts below 10,
    Byar's method from 10 up. "byar" and "exact" apply one method to every count, to reproduce series
    published before that rule (see tests: Fingertips indicator 93356). `z` is passed to Byar's method.
    Returns value, the limit pairs per level and ci_method ("Exact" or "Byars").
    """
    if method not in ("phe", "byar", "exact"):
        raise ValueError(f"method must be 'phe', 'byar' or 'exact', not {method!r}")
    x, n = _as_float(count), _as_float(denominator)
    _check_counts(x, n, proportion=False)
    exact = np.full(x.shape, method == "exact") if method != "phe" else x < 10
    out = pd.DataFrame({"value": x / n * multiplier}, index=_index_of(count, denominator))
    for level in _levels(levels):
        exact_lower, exact_upper = exact_poisson_limits(x, level)
        byar_lower, byar_upper = byars_limits(x, level, z=z)
        out[f"lower_ci{level_suffix(level)}"] = np.where(exact, exact_lower, byar_lower) / n * multiplier
        out[f"upper_ci{level_suffix(level)}"] = np.where(exact, exact_upper, byar_upper) / n * multiplier
    out["ci_method"] = np.where(np.isnan(x), None, np.where(exact, "Exact", "Byars"))
    return out


def intervals_when_missing(
    data: pd.DataFrame,
    *,
    statistic: Literal["rate", "proportion"],
    multiplier: float,
    levels: float | Sequence[float] = (0.95, 0.998),
    count: str = "count",
    denominator: str = "denominator",
) -> pd.DataFrame:
    """Fill confidence limits a file lacks from its count and denominator, keeping every published limit.

    For each level, columns lower_ci<sfx>/upper_ci<sfx> (created if absent; strings as received are read as
    numbers) are filled where both are missing and the count and denominator are present, with
    `phe_rate` ("rate") or `phe_proportion` ("proportion") at `multiplier`. A column ci<sfx>_source says
    "published", "computed" or None for each row. Counts rounded for disclosure control (some files round
    to the nearest 5) give only approximate limits. Returns a new DataFrame.
    """
    if statistic not in ("rate", "proportion"):
        raise ValueError(f"statistic must be 'rate' or 'proportion', not {statistic!r}")
    out = data.copy()
    x, n = _as_float(out[count]), _as_float(out[denominator])
    computable = ~np.isnan(x) & ~np.isnan(n)
    chosen = _levels(levels)
    if statistic == "rate":
        computed = phe_rate(x, n, multiplier=multiplier, levels=chosen)
    else:
        computed = phe_proportion(x, n, multiplier=multiplier, levels=chosen)
    for level in chosen:
        sfx = level_suffix(level)
        lower_col, upper_col = f"lower_ci{sfx}", f"upper_ci{sfx}"
        lower = _as_float(out[lower_col]) if lower_col in out else np.full(len(out), np.nan)
        upper = _as_float(out[upper_col]) if upper_col in out else np.full(len(out), np.nan)
        published = ~np.isnan(lower) & ~np.isnan(upper)
        fill = np.isnan(lower) & np.isnan(upper) & computable
        out[lower_col] = np.where(fill, computed[lower_col].to_numpy(), lower)
        out[upper_col] = np.where(fill, computed[upper_col].to_numpy(), upper)
        out[f"ci{sfx}_source"] = np.where(published, "published", np.where(fill, "computed", None))
    return out


# --- comparison with a benchmark -----------------------------------------------------------------------


def compare_to_benchmark(
    value: object, lower: object, upper: object, benchmark: object, *, polarity: Polarity
) -> pd.Series:
    """Fingertips' "compare to benchmark by confidence intervals" ([FT] SingleOverlappingCIsComparer).

    "Similar" when the benchmark value (e.g. England's) lies within the area's limits, ends included;
    otherwise the area is Lower or Higher, shown as Better/Worse by polarity ("low_is_good",
    "high_is_good"), or as Lower/Higher when the indicator has no judgement of good ("no_judgement", the
    blue-orange-blue palette). "Not compared" when a value, either limit or the benchmark is missing, or
    the polarity is "not_applicable". Pass the 95% or the 99.8% limits to compare at that level.
    """
    if polarity not in _POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(_POLARITIES)}, not {polarity!r}")
    v, lo, hi, b = (_as_float(values) for values in (value, lower, upper, benchmark))
    lower_word, higher_word = {
        "low_is_good": ("Better", "Worse"),
        "high_is_good": ("Worse", "Better"),
    }.get(polarity, ("Lower", "Higher"))
    missing = np.isnan(v) | np.isnan(lo) | np.isnan(hi) | np.isnan(b) | (polarity == "not_applicable")
    label = np.where((lo <= b) & (b <= hi), "Similar", np.where(v < b, lower_word, higher_word))
    return pd.Series(np.where(missing, "Not compared", label), index=_index_of(value, lower, upper, benchmark))


# --- recent trend ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendResult:
    """One recent-trend marker: the marker, its label with polarity, and the test behind it."""

    marker: Literal["Increasing", "Decreasing", "No significant change", "Cannot be calculated"]
    label: str
    chi_square: float | None = None
    slope: float | None = None
    points_used: int = 0
    message: str = ""


def _trend_label(marker: str, polarity: Polarity) -> str:
    if marker not in ("Increasing", "Decreasing") or polarity in ("no_judgement", "not_applicable"):
        return marker
    better = (marker == "Decreasing") == (polarity == "low_is_good")
    return f"{marker} and getting {'better' if better else 'worse'}"


def _cannot(message: str) -> TrendResult:
    return TrendResult("Cannot be calculated", "Cannot be calculated", message=message)


def _slope_signs_agree(slope_of: Callable[[np.ndarray], float], points: int) -> bool:
    """[FT] NoOutliersCheck: the slope keeps its sign with all points and with each point left out in turn.

    As Fingertips counts it, a slope of exactly 0 counts as positive.
    """
    masks = [np.ones(points, bool)] + [np.arange(points) != left_out for left_out in range(points)]
    signs = [-1 if slope_of(mask) < 0 else 1 for mask in masks]
    return abs(sum(signs)) == len(masks)


@dataclass(frozen=True)
class TrendTest:
    """A chi-squared test for trend in proportions: the statistic on 1 degree of freedom and its p-value."""

    chi_square: float
    df: int
    p_value: float
    scores: tuple[float, ...]


def chi_squared_trend(count: object, denominator: object, scores: object | None = None) -> TrendTest:
    """The chi-squared test for trend in proportions x_i/n_i over any number of ordered groups or periods.

    Armitage P, "Tests for linear trends in proportions and frequencies", Biometrics 1955;11:375-386 (the
    Cochran-Armitage test), as R's `prop.trend.test` (stats): with p = sum x / sum n, sbar = sum n s / sum n,
    chi-squared = [sum x_i (s_i - sbar)]^2 / [p (1 - p) sum n_i (s_i - sbar)^2] on 1 d.f. `scores` default to
    the group numbers 1..k. It is the "SPC for proportions" statistic of Fingertips' recent trends ([FT]) and
    of PHEindicatormethods' `assign_trend_markers` (scores: the years). NaN when every proportion is 0 or 1.
    """
    x, n = _as_float(count), _as_float(denominator)
    s = np.arange(1, len(x) + 1, dtype=float) if scores is None else _as_float(scores)
    if not len(x) == len(n) == len(s):
        raise ValueError(f"counts ({len(x)}), denominators ({len(n)}) and scores ({len(s)}) must match")
    if len(x) < 2:
        raise ValueError("a test for trend needs at least two groups")
    if np.isnan(x).any() or np.isnan(n).any() or np.isnan(s).any():
        raise ValueError("a test for trend needs every count, denominator and score")
    _check_counts(x, n, proportion=True)
    p = x.sum() / n.sum()
    centred = s - (n * s).sum() / n.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        chi_square = float((x * centred).sum() ** 2 / (p * (1 - p) * (n * centred**2).sum()))
    p_value = float(stats.chi2.sf(chi_square, 1)) if np.isfinite(chi_square) else float("nan")
    return TrendTest(chi_square, 1, p_value, tuple(float(v) for v in s))


TrendMethod = Literal["ci", "proportion", "auto"]


def recent_trend(
    sort_key: object,
    value: object,
    count: object,
    denominator: object,
    lower_ci95: object | None = None,
    upper_ci95: object | None = None,
    *,
    method: TrendMethod = "ci",
    polarity: Polarity = "no_judgement",
    points: int | None = TREND_POINTS,
    limits_z: float = TREND_Z_FINGERTIPS,
    require_limits: bool = True,
) -> TrendResult:
    """Fingertips' recent-trend marker for one series of single-year points ([FT] TrendMarkerCalculator).

    By default exactly as Fingertips: the valid points are the unbroken run, from the most recent back, with a
    value, a count and a positive denominator ([FT] TrendRequest.GetValidDataList); at least five are needed,
    and no count may equal its denominator. The five most recent are numbered t = 1..5 and tested:
    - method "ci" (Fingertips' default): weighted least squares of value on t, weights 1/se^2 with
      se = (upper95 - lower95)/(2 x 1.96), i.e. the width over 3.92; chi-squared = (slope/SE(slope))^2.
    - method "proportion" (indicators whose comparator is "SPC for proportions"): the chi-squared test for
      trend in proportions (`chi_squared_trend`; Armitage 1955), direction from the least-squares slope of the
      logit of count/denominator.
    The trend is significant when chi-squared exceeds 9.5495 (its 99.8% point, 1 d.f.) and the slope has the
    same sign with all the points and with each one left out; the marker is then "Increasing" or
    "Decreasing" (labelled "... and getting better/worse" by polarity), else "No significant change".
    Fingertips computes trends only for annual proportions and crude rates (FingertipsNext adds directly
    standardised rates): choosing eligible series (not pooled or quarterly periods) is for the caller.

    Options (each default is Fingertips'):
    - `points`: how many of the most recent valid points to test, at least five (the minimum documented by
      Fingertips and by PHEindicatormethods' `assign_trend_markers`); None tests the whole unbroken run. The
      tests generalise to any number of points (Armitage 1955; weighted least squares).
    - `limits_z`: the normal point turning 95% limits into a standard error. `TREND_Z_FINGERTIPS` (1.96, the
      3.92 of [FT]) or `TREND_Z_EXACT` (qnorm(0.975) = 1.959964, PHEindicatormethods' `assign_trend_markers`).
    - `require_limits`: Fingertips tests only points with both 95% limits, whatever the method; with False the
      proportion method, which does not use them, runs without (as `assign_trend_markers`).
    - method "auto": "ci" when every tested point has both limits, else "proportion" without limits (for
      series with counts and denominators but no published limits).
    The points are numbered t = 1..n in period order, as [FT] does. (PHEindicatormethods' R code uses the
    years themselves, which differs only when periods are unevenly spaced; its own test spreadsheet numbers them
    1..n, as here: see tests/test_methods_trend.py.)

    Two choices where Fingertips' code is silent or inconsistent: a tested point without both 95% limits
    (where they are needed), or (proportion method) with a count of 0, makes the trend "Cannot be calculated"
    (Fingertips drops such points and tests fewer than five; FingertipsNext's test for indicator 93468 then
    expects "no change"); and the direction of a proportion trend is taken from the logit slope as in
    FingertipsNext (fingertips-open left it unset).
    """
    if method not in ("ci", "proportion", "auto"):
        raise ValueError(f"method must be 'ci', 'proportion' or 'auto', not {method!r}")
    if polarity not in _POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(_POLARITIES)}, not {polarity!r}")
    if points is not None and points < TREND_POINTS:
        raise ValueError(f"a recent trend needs at least {TREND_POINTS} points (Fingertips' minimum), not {points}")
    if not limits_z > 0:
        raise ValueError(f"limits_z must be positive, not {limits_z!r}")
    keys = _as_float(sort_key)
    missing = np.full(len(keys), np.nan)
    frame = pd.DataFrame(
        {
            "key": keys,
            "value": _as_float(value),
            "count": _as_float(count),
            "denominator": _as_float(denominator),
            "lower": missing if lower_ci95 is None else _as_float(lower_ci95),
            "upper": missing if upper_ci95 is None else _as_float(upper_ci95),
        }
    )
    if frame["key"].isna().any() or frame["key"].duplicated().any():
        raise ValueError("each point of a trend needs its own period (sort keys missing or repeated)")
    needed = TREND_POINTS if points is None else points
    if len(frame) < needed:
        return _cannot("Not enough data points to calculate recent trend")
    frame = frame.sort_values("key", ascending=False)
    valid = frame["value"].notna() & frame["count"].notna() & (frame["denominator"] > 0)
    run = frame[valid.cummin()]
    if len(run) < needed:
        return _cannot("Not enough data points with valid values to calculate recent trend")
    if (run["count"] == run["denominator"]).any():
        return _cannot("The recent trend cannot be calculated")
    recent = (run if points is None else run.head(points)).sort_values("key")
    used = len(recent)
    has_limits = recent[["lower", "upper"]].notna().all(axis=1) & (recent["upper"] > recent["lower"])
    if method == "auto":
        method, require_limits = ("ci", True) if has_limits.all() else ("proportion", False)
    if (method == "ci" or require_limits) and not has_limits.all():
        return _cannot(f"A point of the {used} most recent lacks 95% confidence limits")

    t = np.arange(1, used + 1, dtype=float)
    if method == "ci":
        y = recent["value"].to_numpy()
        w = 1 / ((recent["upper"].to_numpy() - recent["lower"].to_numpy()) / (2 * limits_z)) ** 2

        def slope_of(keep: np.ndarray) -> float:
            s1, s2, s3 = w[keep].sum(), (w * y * t)[keep].sum(), (w * t)[keep].sum()
            s4, s5 = (w * y)[keep].sum(), (w * t * t)[keep].sum()
            return float((s1 * s2 - s3 * s4) / (s1 * s5 - s3**2))

        s1, s3, s5 = w.sum(), (w * t).sum(), (w * t * t).sum()
        slope = slope_of(np.ones(used, bool))
        chi_square = float((slope / np.sqrt(s1 / (s1 * s5 - s3**2))) ** 2)
    else:
        x, n = recent["count"].to_numpy(), recent["denominator"].to_numpy()
        if (x > n).any():
            return _cannot(f"A count exceeds its denominator among the {used} most recent points")
        if (x <= 0).any():
            return _cannot(f"A count of 0 among the {used} most recent points: its logit is undefined")
        chi_square = chi_squared_trend(x, n, t).chi_square
        logit = np.log(x / (n - x))

        def slope_of(keep: np.ndarray) -> float:
            return float(np.polyfit(t[keep], logit[keep], 1)[0])

        slope = slope_of(np.ones(used, bool))

    significant = _slope_signs_agree(slope_of, used) and chi_square > TREND_CHI_SQUARE_CRITICAL
    marker: Literal["Increasing", "Decreasing", "No significant change"] = "No significant change"
    if significant and slope != 0:
        marker = "Increasing" if slope > 0 else "Decreasing"
    return TrendResult(marker, _trend_label(marker, polarity), chi_square, slope, used)


def recent_trends(
    data: pd.DataFrame,
    by: Sequence[str],
    *,
    method: TrendMethod = "ci",
    polarity: Polarity = "no_judgement",
    points: int | None = TREND_POINTS,
    limits_z: float = TREND_Z_FINGERTIPS,
    require_limits: bool = True,
    sort_key: str = "sort_key",
    value: str = "value",
    count: str = "count",
    denominator: str = "denominator",
    lower_ci95: str = "lower_ci95",
    upper_ci95: str = "upper_ci95",
) -> pd.DataFrame:
    """`recent_trend` for each series in `data` (one series per combination of the `by` columns).

    Returns one row per series: the `by` columns, `sort_key` of its latest point (where Fingertips shows
    the marker), and marker, label, chi_square, slope, points_used, message. The options are `recent_trend`'s;
    the limit columns may be absent (series with counts and denominators only: use method "auto").
    """
    rows = []
    for keys, group in data.groupby(list(by), dropna=False, sort=False):
        result = recent_trend(
            group[sort_key],
            group[value],
            group[count],
            group[denominator],
            group[lower_ci95] if lower_ci95 in group else None,
            group[upper_ci95] if upper_ci95 in group else None,
            method=method,
            polarity=polarity,
            points=points,
            limits_z=limits_z,
            require_limits=require_limits,
        )
        keys = keys if isinstance(keys, tuple) else (keys,)
        rows.append(
            {
                **dict(zip(by, keys, strict=True)),
                sort_key: int(np.nanmax(_as_float(group[sort_key]))),
                "marker": result.marker,
                "label": result.label,
                "chi_square": result.chi_square,
                "slope": result.slope,
                "points_used": result.points_used,
                "message": result.message,
            }
        )
    return pd.DataFrame(rows)


# --- slope and relative index of inequality ------------------------------------------------------------


def cumulative_midpoints(population: object) -> np.ndarray:
    """Relative rank of each quantile: the midpoint of its share of the cumulative population ([PHEim] FindXValues).

    Quantiles in order (1 = most deprived); a quantile holding 12% of the population first has rank
    0.06, a next one holding 10% has rank 0.12 + 0.05 = 0.17.
    """
    share = _as_float(population)
    share = share / share.sum()
    return np.cumsum(share) - share / 2


@dataclass(frozen=True)
class SiiResult:
    """Slope and relative index of inequality with simulated confidence limits, per level."""

    sii: float
    rii: float
    sii_limits: dict[float, tuple[float, float]] = field(default_factory=dict)
    rii_limits: dict[float, tuple[float, float]] = field(default_factory=dict)
    repetitions: int = 0
    ci_method: str = "simulation"


def phe_sii(
    quantile: object,
    population: object,
    value: object,
    *,
    lower_ci95: object | None = None,
    upper_ci95: object | None = None,
    se: object | None = None,
    value_type: Literal["normal", "rate", "proportion"] = "normal",
    multiplier: float = 1.0,
    levels: float | Sequence[float] = (0.95,),
    repetitions: int = 100_000,
    seed: int | np.random.Generator | None = None,
) -> SiiResult:
    """Slope Index of Inequality and Relative Index of Inequality for one area, as [PHEim] phe_sii.

    Method (Low A & Low A, "Measuring the gap", J Public Health 2004;26:388-395; [PHEim] phe_sii): the
    quantiles (5 to 100, ordered 1 = most deprived to least deprived) are given relative ranks b at the
    midpoints of the cumulative population shares a; the model Y sqrt(a) = alpha sqrt(a) + SII b sqrt(a) is
    fitted by least squares (a weighted regression of Y on b with weights a). SII = multiplier x slope (the
    fitted difference from rank 0 to rank 1); RII = (alpha + slope)/alpha (inverted for a negative
    multiplier). Proportions are on the 0-1 scale (set multiplier=100 for percentage points).

    Confidence limits by simulation, as [PHEim]: each quantile's value is drawn `repetitions` times from a
    normal distribution with mean the value and sd its standard error (on the log scale for rates, the
    logit scale for proportions; se = (upper95 - lower95)/(2 x 1.959964) on that scale unless `se` is
    given), back-transformed, and refitted; the limits are the sorted simulated SIIs (and RIIs) at
    positions round(repetitions x (1 - level)/2) and round(repetitions x (1 + level)/2). `seed` makes the
    limits reproducible.
    """
    if value_type not in ("normal", "rate", "proportion"):
        raise ValueError(f"value_type must be 'normal', 'rate' or 'proportion', not {value_type!r}")
    if repetitions < 1000:
        raise ValueError("repetitions must be 1000 or more")
    frame = pd.DataFrame(
        {
            "quantile": _as_float(quantile),
            "population": _as_float(population),
            "value": _as_float(value),
            "lower": _as_float(lower_ci95) if lower_ci95 is not None else np.nan,
            "upper": _as_float(upper_ci95) if upper_ci95 is not None else np.nan,
            "se": _as_float(se) if se is not None else np.nan,
        }
    ).sort_values("quantile")
    if not 5 <= len(frame) <= 100:
        raise ValueError(f"the SII needs 5 to 100 quantiles, not {len(frame)}")
    if frame["quantile"].duplicated().any() or frame["quantile"].isna().any():
        raise ValueError("each quantile must appear once, numbered")
    if (frame["population"].isna() | (frame["population"] <= 0)).any():
        raise ValueError("every quantile needs a positive population")
    if se is None and (lower_ci95 is None or upper_ci95 is None):
        raise ValueError("give either se or both 95% confidence limits")
    spread = frame["se"] if se is not None else frame[["lower", "upper"]]
    if frame["value"].isna().any() or spread.isna().to_numpy().any():
        raise ValueError("every quantile needs a value and its standard error or 95% limits")
    if value_type == "proportion" and not frame[["value"]].apply(lambda c: c.between(0, 1)).all().all():
        raise ValueError("proportions must be on the 0-1 scale")

    forward = {"normal": lambda v: v, "rate": np.log, "proportion": lambda v: np.log(v / (1 - v))}[value_type]
    back = {"normal": lambda v: v, "rate": np.exp, "proportion": lambda v: np.exp(v) / (1 + np.exp(v))}[value_type]
    y = frame["value"].to_numpy()
    mean = forward(y)
    sd = (
        frame["se"].to_numpy()
        if se is not None
        else (forward(frame["upper"].to_numpy()) - forward(frame["lower"].to_numpy())) / _z(0.95) / 2
    )

    share = frame["population"].to_numpy() / frame["population"].sum()
    sqrt_a = np.sqrt(share)
    design = np.column_stack([sqrt_a, cumulative_midpoints(frame["population"]) * sqrt_a])
    projection = np.linalg.solve(design.T @ design, design.T)  # (X'X)^-1 X'
    alpha, slope = projection @ (sqrt_a * y)
    sii = multiplier * slope
    rii = (alpha + slope) / alpha
    rii = 1 / rii if multiplier < 0 else rii

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    draws = back(rng.normal(mean[:, None], sd[:, None], size=(len(frame), repetitions)))
    params = projection @ (draws * sqrt_a[:, None])
    sii_draws = np.sort(multiplier * params[1])
    rii_draws = (params[0] + params[1]) / params[0]
    rii_draws = np.sort(1 / rii_draws if multiplier < 0 else rii_draws)

    sii_limits, rii_limits = {}, {}
    for level in _levels(levels):
        upper_point = level + (1 - level) / 2
        low_at, high_at = round(repetitions * (1 - upper_point)) - 1, round(repetitions * upper_point) - 1
        sii_limits[level] = (float(sii_draws[low_at]), float(sii_draws[high_at]))
        rii_limits[level] = (float(rii_draws[low_at]), float(rii_draws[high_at]))
    return SiiResult(float(sii), float(rii), sii_limits, rii_limits, repetitions)
