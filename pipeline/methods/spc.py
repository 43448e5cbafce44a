"""Statistical process control for one indicator's time series: the XmR (individuals and moving range)
chart and NHS England's "Making Data Count" (MDC) special-cause rules.

- Natural process limits: Wheeler (2000), "Understanding Variation: the key to managing chaos", 2nd ed.,
  SPC Press: mean +/- 2.66 x mean moving range (2.66 = 3 / d2, d2 = 1.128 for moving ranges of two points).
  Moving ranges above 3.267 x the mean moving range (the upper range limit) are screened out before the
  limits are computed, as MDC's SPC tool does.
- Special-cause rules as MDC applies them (NHS England and NHS Improvement, "Making Data Count", 2019, and the
  NHS-R Community's NHSRplotthedots package, version 0.2, which implements MDC's tool):
  1. a point beyond a process limit;
  2. a shift: a run of 7 or more consecutive points on one side of the mean (a point on the mean breaks it;
     older guidance used 8);
  3. a trend: a run of 7 or more consecutive points each higher (or each lower) than the one before (a tie
     breaks it). MDC's tool and NHSRplotthedots use 7, not the 6 of some run-chart guidance;
  4. two out of three consecutive points near a process limit: beyond two thirds of the distance from the
     mean to the limit (2 sigma), but not beyond the limit itself, with all three points on the same side of
     the mean. Only the near points themselves are flagged.
- Variation per point, given the indicator's polarity: a special cause above the mean (or an increasing
  trend) is improvement when higher is better and concern when lower is better; without a polarity it is
  neutral. When several rules fire, their direction is read in MDC's order: limit, trend, two-of-three, shift.
- Assurance against a target: the process will consistently pass (or fail) the target when the target lies
  outside both limits; otherwise it passes or fails it by chance ("inconsistent").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LIMIT_FACTOR = 2.66
"""Natural process limits: mean +/- 2.66 x mean moving range (Wheeler 2000)."""
RANGE_LIMIT_FACTOR = 3.267
"""Upper range limit: moving ranges above 3.267 x their mean are screened out before computing the limits."""
SHIFT_RUN = 7
"""MDC: 7 or more consecutive points on one side of the mean."""
TREND_RUN = 7
"""MDC: 7 or more consecutive points all increasing or all decreasing."""

HIGHER_IS_BETTER = "higher_is_better"
LOWER_IS_BETTER = "lower_is_better"
VARIATIONS = ("common_cause", "improvement", "concern", "neutral_high", "neutral_low")
ASSURANCES = ("consistent_pass", "consistent_fail", "inconsistent")


@dataclass(frozen=True)
class XmRLimits:
    """An XmR chart's centre line and natural process limits."""

    mean: float
    mean_moving_range: float
    lower: float
    upper: float
    near_lower: float
    """Mean - two thirds of the distance to the lower limit (the 2-sigma line)."""
    near_upper: float
    n: int


def _values(values: pd.Series | np.ndarray | list[float]) -> np.ndarray:
    """The series as floats; missing values are an error (a gap in a time series is a caller's decision)."""
    array = np.asarray(values, dtype=float)
    if np.isnan(array).any():
        raise ValueError("spc: the series has missing values; drop or fill them before charting")
    return array


def xmr_limits(values: pd.Series | np.ndarray | list[float], screen_outliers: bool = True) -> XmRLimits:
    """Centre line and natural process limits of an XmR chart for `values` in time order.

    The mean moving range is that of consecutive absolute differences; with `screen_outliers` (MDC's default),
    moving ranges at or above 3.267 x that mean are left out and the mean recomputed once. Needs two points.
    """
    array = _values(values)
    if array.size < 2:
        raise ValueError(f"spc: an XmR chart needs at least two points, got {array.size}")
    mean = float(array.mean())
    ranges = np.abs(np.diff(array))
    mean_range = float(ranges.mean())
    if screen_outliers:
        mean_range = float(ranges[ranges < RANGE_LIMIT_FACTOR * mean_range].mean()) if mean_range > 0 else 0.0
    spread = LIMIT_FACTOR * mean_range
    return XmRLimits(
        mean=mean,
        mean_moving_range=mean_range,
        lower=mean - spread,
        upper=mean + spread,
        near_lower=mean - spread * 2 / 3,
        near_upper=mean + spread * 2 / 3,
        n=int(array.size),
    )


def _runs(keys: np.ndarray, length: int) -> np.ndarray:
    """For each position, whether it belongs to a run of at least `length` equal, non-zero keys."""
    member = np.zeros(keys.size, dtype=bool)
    start = 0
    for i in range(1, keys.size + 1):
        if i == keys.size or keys[i] != keys[start]:
            if keys[start] != 0 and i - start >= length:
                member[start:i] = True
            start = i
    return member


def shift_points(values: np.ndarray, mean: float, run: int = SHIFT_RUN) -> np.ndarray:
    """Points in a run of `run` or more consecutive points on the same side of `mean`."""
    return _runs(np.sign(_values(values) - mean), run)


def trend_directions(values: np.ndarray, run: int = TREND_RUN) -> np.ndarray:
    """+1 for points in a run of `run` or more consecutive increasing points, -1 for decreasing, 0 otherwise.

    A point ending one trend and starting the opposite one (a peak or trough) takes the later trend's
    direction, as NHSRplotthedots does."""
    array = _values(values)
    steps = np.sign(np.diff(array))
    directions = np.zeros(array.size, dtype=int)
    start = 0
    for i in range(1, steps.size + 1):
        if i == steps.size or steps[i] != steps[start]:
            # steps[start:i] are equal: points start .. i form a monotone run of i - start + 1 points.
            if steps.size and steps[start] != 0 and i - start + 1 >= run:
                directions[start : i + 1] = int(steps[start])
            start = i
    return directions


def two_of_three_points(values: np.ndarray, limits: XmRLimits) -> np.ndarray:
    """Points near a limit (beyond 2 sigma, within the limit) that are two of three consecutive near points
    with all three on the same side of the mean."""
    array = _values(values)
    beyond = (array > limits.upper) | (array < limits.lower)
    near = ~beyond & ((array > limits.near_upper) | (array < limits.near_lower))
    side = np.sign(array - limits.mean)
    flagged = np.zeros(array.size, dtype=bool)
    for start in range(array.size - 2):
        window = slice(start, start + 3)
        if near[window].sum() >= 2 and abs(side[window].sum()) == 3:
            flagged[window] |= near[window]
    return flagged


def variation(direction: int, polarity: str | None) -> str:
    """MDC variation type of a special cause pointing `direction` (+1 high, -1 low, 0 none) for an indicator of
    `polarity` (higher_is_better, lower_is_better, or None for neutral)."""
    if direction == 0:
        return "common_cause"
    if polarity not in (HIGHER_IS_BETTER, LOWER_IS_BETTER):
        return "neutral_high" if direction > 0 else "neutral_low"
    better = 1 if polarity == HIGHER_IS_BETTER else -1
    return "improvement" if direction * better > 0 else "concern"


def special_causes(
    values: pd.Series | np.ndarray | list[float],
    polarity: str | None = None,
    limits: XmRLimits | None = None,
    shift_run: int = SHIFT_RUN,
    trend_run: int = TREND_RUN,
) -> pd.DataFrame:
    """One row per point (in the given time order) with each MDC rule's flag and the point's variation.

    Columns: value, beyond_limit, shift, trend, two_of_three (bool, one per rule), special_cause (any rule),
    direction (+1 above/increasing, -1 below/decreasing, 0 common cause; read from the rules in MDC's order:
    limit, trend, two-of-three, shift) and variation (one of `VARIATIONS`). `limits` default to the XmR limits
    of the whole series.
    """
    array = _values(values)
    limits = limits or xmr_limits(array)
    side = np.sign(array - limits.mean).astype(int)
    beyond = (array > limits.upper) | (array < limits.lower)
    trend = trend_directions(array, trend_run)
    two_of_three = two_of_three_points(array, limits)
    shift = shift_points(array, limits.mean, shift_run)
    direction = np.select([beyond, trend != 0, two_of_three, shift], [side, trend, side, side], default=0)
    return pd.DataFrame(
        {
            "value": array,
            "beyond_limit": beyond,
            "shift": shift,
            "trend": trend != 0,
            "two_of_three": two_of_three,
            "special_cause": direction != 0,
            "direction": direction.astype(int),
            "variation": [variation(int(d), polarity) for d in direction],
        }
    )


def assurance(limits: XmRLimits, target: float | None, polarity: str | None) -> str | None:
    """MDC assurance against `target`: consistent_pass or consistent_fail when the target lies outside both
    process limits (on the failing or passing side given `polarity`), inconsistent when it lies between
    them; None without a target or a polarity."""
    if target is None or pd.isna(target) or polarity not in (HIGHER_IS_BETTER, LOWER_IS_BETTER):
        return None
    higher = polarity == HIGHER_IS_BETTER
    if target > limits.upper:
        return "consistent_fail" if higher else "consistent_pass"
    if target < limits.lower:
        return "consistent_pass" if higher else "consistent_fail"
    return "inconsistent"
