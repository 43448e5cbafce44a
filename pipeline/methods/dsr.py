"""Directly standardised rates with Dobson confidence limits, as Fingertips and PHEindicatormethods compute them.

Method ([PHEim] `calculate_dsr`, R/DSR.R, the successor of `phe_dsr`; Public Health England / OHID "Technical
Guide: Confidence intervals", the DSR chapter of the Fingertips Public Health Technical Guidance):

- DSR = sum_i (O_i / n_i) w_i / sum_i w_i x multiplier, over the standardisation categories i (age bands) with
  observed events O_i, populations n_i and standard population w_i;
- its variance var(DSR) = sum_i O_i (w_i / n_i)^2 / (sum_i w_i)^2;
- Dobson's method (Dobson A. J., Kuulasmaa K., Eberle E. and Scherer J. (1991), "Confidence intervals for
  weighted sums of Poisson parameters", Statistics in Medicine 10(3):457-462): with O = sum_i O_i and (O_L, O_U)
  the confidence limits of a Poisson count O by Byar's method (Breslow N. E. and Day N. E. (1987), Statistical
  methods in cancer research II, IARC), the limits are DSR + sqrt(var(DSR) / O) (O_L - O) x multiplier and
  DSR + sqrt(var(DSR) / O) (O_U - O) x multiplier;
- the PHE rule: with fewer than 10 events in total the DSR is unreliable and is not published: value and limits
  are missing and the statistic reads "dsr NA for total count < 10" (the wording of [PHEim]).

A missing count in a category is taken as 0 events, as [PHEim] does (`na.zero`); a missing or non-positive
population is an error. Events are assumed independent (each person counted once); [PHEim]'s adjustment of the
limits for non-independent events (`independent_events = FALSE`) is not provided here.

[PHEim]: PHEindicatormethods, the R package of Public Health England / OHID (publichealthengland and
ukhsa-collaboration on GitHub).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeline.methods.phe import _as_float, _levels, byars_limits, level_suffix

__all__ = ["DSR_MIN_EVENTS", "ESP2013", "ESP2013_AGE_BANDS", "dsr", "dsrs"]

# The 2013 European Standard Population in 19 five-year bands, 0-4 to 85-89 and 90+ (its 0 and 1-4 bands
# combined, and its 90-94 and 95+ bands combined), as bundled with PHEindicatormethods (`esp2013`, data/esp2013.rda
# and data-raw/LoadTestdata.R). Source: Eurostat (2013), "Revision of the European Standard Population: Report of
# Eurostat's task force", Methodologies and Working Papers, KS-RA-13-028-EN. It sums to 100,000.
ESP2013_AGE_BANDS: tuple[str, ...] = (
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80-84",
    "85-89",
    "90+",
)
ESP2013: tuple[int, ...] = (
    5000,
    5500,
    5500,
    5500,
    6000,
    6000,
    6500,
    7000,
    7000,
    7000,
    7000,
    6500,
    6000,
    5500,
    5000,
    4000,
    2500,
    1500,
    1000,
)
DSR_MIN_EVENTS = 10  # PHE: fewer events give no published DSR
SUPPRESSED = "dsr NA for total count < 10"


def _check_inputs(count: np.ndarray, population: np.ndarray, standard: np.ndarray) -> None:
    if not len(count) == len(population) == len(standard):
        raise ValueError(
            f"counts ({len(count)}), populations ({len(population)}) and the standard population "
            f"({len(standard)}) need one value per standardisation category each"
        )
    if len(count) == 0:
        raise ValueError("a DSR needs at least one standardisation category")
    problems = [
        (np.isnan(population), "a population is missing"),
        (population <= 0, "a population is zero or negative"),
        (np.isnan(standard), "a standard population is missing"),
        (standard < 0, "a standard population is negative"),
        (count < 0, "a count is negative"),
    ]
    for mask, problem in problems:
        if mask.any():
            at = int(np.flatnonzero(mask)[0])
            raise ValueError(
                f"{problem}: category {at}, count {count[at]!r}, population {population[at]!r}, "
                f"standard population {standard[at]!r}"
            )
    if standard.sum() <= 0:
        raise ValueError("the standard population sums to zero")


def dsr(
    count: object,
    population: object,
    standard_population: object = ESP2013,
    *,
    multiplier: float = 100_000,
    levels: float | Sequence[float] = (0.95, 0.998),
) -> dict[str, object]:
    """One directly standardised rate per `multiplier` with Dobson's limits at each level, as [PHEim].

    `count`, `population` and `standard_population` hold one value per standardisation category, in the same
    order (default standard: ESP2013 in its 19 bands, youngest first). Returns total_count, total_pop, value,
    lower_ci<sfx>/upper_ci<sfx> per level (see `level_suffix`), statistic ("dsr per <multiplier>", or
    "dsr NA for total count < 10" when fewer than 10 events: value and limits are then NaN) and method
    ("Dobson"). See the module docstring for the formulas.
    """
    x = np.nan_to_num(_as_float(count), nan=0.0)
    n, w = _as_float(population), _as_float(standard_population)
    _check_inputs(_as_float(count), n, w)
    if multiplier <= 0:
        raise ValueError(f"multiplier must be positive, got {multiplier!r}")
    chosen = _levels(levels)
    total = float(x.sum())
    value = float((x * w / n).sum() / w.sum())
    variance = float((x * (w / n) ** 2).sum() / w.sum() ** 2)
    out: dict[str, object] = {"total_count": total, "total_pop": float(n.sum())}
    suppressed = total < DSR_MIN_EVENTS
    out["value"] = np.nan if suppressed else value * multiplier
    for level in chosen:
        sfx = level_suffix(level)
        if suppressed:
            out[f"lower_ci{sfx}"] = out[f"upper_ci{sfx}"] = np.nan
            continue
        lower, upper = (float(limit[0]) for limit in byars_limits([total], level))
        scale = float(np.sqrt(variance / total)) * multiplier
        out[f"lower_ci{sfx}"] = value * multiplier + scale * (lower - total)
        out[f"upper_ci{sfx}"] = value * multiplier + scale * (upper - total)
    out["statistic"] = SUPPRESSED if suppressed else f"dsr per {multiplier:g}"
    out["method"] = "Dobson"
    return out


def dsrs(
    data: pd.DataFrame,
    by: Sequence[str],
    *,
    count: str = "count",
    population: str = "population",
    standard_population: str | Sequence[float] = "standard_population",
    multiplier: float = 100_000,
    levels: float | Sequence[float] = (0.95, 0.998),
) -> pd.DataFrame:
    """`dsr` for each group of `data` (one group per combination of the `by` columns), rows in category order.

    `standard_population` names a column of `data`, or gives the standard population itself (e.g. `ESP2013`),
    one value per row of each group in its row order. Returns one row per group: the `by` columns, then
    total_count, total_pop, value, the limits per level, statistic and method.
    """
    rows = []
    for keys, group in data.groupby(list(by), dropna=False, sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        standard = group[standard_population] if isinstance(standard_population, str) else standard_population
        try:
            result = dsr(group[count], group[population], standard, multiplier=multiplier, levels=levels)
        except ValueError as exc:
            raise ValueError(f"group {dict(zip(by, keys, strict=True))}: {exc}") from exc
        rows.append({**dict(zip(by, keys, strict=True)), **result})
    return pd.DataFrame(rows)
