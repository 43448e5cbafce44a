"""Appraisal arithmetic for valuing outcome changes: real-terms costs and events avoided.

HM Treasury, The Green Book (2022), on real prices: a cost published in the prices of one year is brought to
another year's prices with the GDP deflator, value x deflator(price year) / deflator(cost year). Additionality
(Green Book 2022; Magenta Book 2020): the gross effect, less what would have happened anyway (deadweight),
times the share due to the intervention (attribution).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def real_terms(
    cost: pd.Series | float, cost_year: pd.Series | int, price_year: int, index: Mapping[int, float]
) -> pd.Series | float:
    """`cost` (in the prices of `cost_year`) in the prices of `price_year`: cost x index[price_year] /
    index[cost_year]. A year the index lacks is an error naming it."""
    years = [int(y) for y in np.atleast_1d(cost_year)] + [int(price_year)]
    missing = sorted({y for y in years if y not in index})
    if missing:
        raise ValueError(f"the deflator series has no year {', '.join(map(str, missing))}")
    if isinstance(cost_year, pd.Series):
        return cost * index[int(price_year)] / cost_year.map(lambda y: index[int(y)])
    return cost * index[int(price_year)] / index[int(cost_year)]


def events_avoided(
    change: pd.Series | float,
    denominator: pd.Series | float,
    multiplier: pd.Series | float,
    years: pd.Series | float,
    better_when_lower: pd.Series | bool,
) -> pd.Series | float:
    """Events avoided per year by a change in a rate against a comparator (a difference-in-differences in the
    rate's own units, per `multiplier` of the denominator): change x denominator / multiplier / years, signed so
    that a fall in a rate where lower is better counts as events avoided (positive) and a rise as events added
    (negative); where higher is better (e.g. people reached), a rise counts as positive. `years` is the length
    of the period whose denominator is given (a rate over three pooled years has three years of denominator)."""
    sign = np.where(better_when_lower, -1.0, 1.0)
    result = sign * change * denominator / multiplier / years
    return result if isinstance(result, pd.Series) else float(result)


def additional(gross: pd.Series | float, attribution: float, deadweight: float) -> pd.Series | float:
    """The part of a gross effect due to the intervention: gross x (1 - deadweight) x attribution."""
    if not 0 <= attribution <= 1 or not 0 <= deadweight <= 1:
        raise ValueError(f"attribution and deadweight must be shares from 0 to 1, not {attribution}, {deadweight}")
    return gross * (1 - deadweight) * attribution
