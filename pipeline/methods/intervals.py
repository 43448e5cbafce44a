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


def mover_linear(
    estimates: pd.DataFrame, lowers: pd.DataFrame, uppers: pd.DataFrame, coefficients: list[float]
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """A linear combination sum(c_i x theta_i) of independently estimated quantities, with confidence limits
    from each quantity's own limits by the MOVER (method of variance estimates recovery: Zou and Donner 2008,
    "Construction of confidence limits about effect measures: a general approach", Statistics in Medicine
    27:1693-1702; Newcombe 1998, Statistics in Medicine 17:873-890, method 10, for a difference of two
    proportions with Wilson limits):

        L = sum c_i theta_i - sqrt(sum (c_i theta_i - l_i)^2),  U = sum c_i theta_i + sqrt(sum (u_i - c_i theta_i)^2)

    where (l_i, u_i) are the limits of c_i theta_i (for a negative c_i, c_i times the upper and lower limits).
    The limits keep each quantity's asymmetry (e.g. of a rate near zero). A quantity known without error
    (e.g. England's value where no limits are published) has limits equal to its estimate. Columns of the three
    frames line up with `coefficients`; a row with any estimate or limit missing gets missing limits.
    Returns (estimate, lower, upper), one value per row.
    """
    c = np.asarray(coefficients, dtype=float)
    theta = estimates.to_numpy(dtype=float) * c
    low = np.where(c > 0, lowers.to_numpy(dtype=float) * c, uppers.to_numpy(dtype=float) * c)
    high = np.where(c > 0, uppers.to_numpy(dtype=float) * c, lowers.to_numpy(dtype=float) * c)
    estimate = theta.sum(axis=1)
    lower = estimate - np.sqrt(np.square(theta - low).sum(axis=1))
    upper = estimate + np.sqrt(np.square(high - theta).sum(axis=1))
    index = estimates.index
    return pd.Series(estimate, index=index), pd.Series(lower, index=index), pd.Series(upper, index=index)
