"""Confidence intervals for means."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def t_interval(mean: pd.Series, sd: pd.Series, n: pd.Series, level: float = 0.95) -> tuple[pd.Series, pd.Series]:
    """Student's t confidence interval for a mean: mean +/- t(1 - alpha/2, n - 1) * sd / sqrt(n).

    Student (1908), "The probable error of a mean", Biometrika 6(1):1-25. Undefined (NaN) for n < 2.
    """
    n = n.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half_width = stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n)
    half_width = half_width.where(n >= 2)
    return mean - half_width, mean + half_width
