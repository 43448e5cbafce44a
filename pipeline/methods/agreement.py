"""Inter-coder agreement on qualitative codings: percent agreement, Cohen's kappa and Krippendorff's alpha.

Reliability data are a matrix of units (rows) by coders (columns); a missing value (NaN or None) means the
coder did not rate the unit. Methods:

- Krippendorff's alpha, following K. Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
  Annenberg School for Communication, University of Pennsylvania (https://repository.upenn.edu/asc_papers/43):
  the coincidence matrix of pairable values, alpha = 1 - D_o / D_e, with the nominal, ordinal, interval and
  ratio difference functions given there. Units with fewer than two values are not pairable and drop out.
- Cohen's kappa, following J. Cohen (1960), "A coefficient of agreement for nominal scales", Educational and
  Psychological Measurement 20(1):37-46: kappa = (p_o - p_e) / (1 - p_e), for exactly two coders.
- Weighted kappa, following J. Cohen (1968), "Weighted kappa: nominal scale agreement with provision for
  scaled disagreement or partial credit", Psychological Bulletin 70(4):213-220, with linear (Cicchetti D. V. and
  Allison T. (1971), Am J EEG Technol 11:101-109; irr's "equal") or quadratic (Fleiss J. L. and Cohen J.
  (1973), Educational and Psychological Measurement 33:613-619; irr's "squared") agreement weights; its
  large-sample standard error, interval and z test follow J. L. Fleiss, J. Cohen and B. S. Everitt (1969),
  "Large sample standard errors of kappa and weighted kappa", Psychological Bulletin 72(5):323-327, as SAS PROC
  FREQ and statsmodels' `cohens_kappa` report them (the test uses the variance under kappa = 0, as irr's `kappa2`).
- Fleiss' kappa for any number of coders, following J. L. Fleiss (1971), "Measuring nominal scale agreement
  among many raters", Psychological Bulletin 76(5):378-382, with the z test of J. L. Fleiss, J. C. M. Nee and
  J. R. Landis (1979), "Large sample variance of kappa in the case of different sets of raters",
  Psychological Bulletin 86(5):974-977, as irr's `kappam.fleiss` computes them.
- Percent agreement: Krippendorff's (2011) observed agreement, the share of pairable values' pairings that
  match (sum of the coincidence matrix's diagonal over n). With two coders and no missing values it is the
  plain share of units on which both coders agree, Cohen's p_o.
- Bootstrap confidence intervals (B. Efron and R. Tibshirani (1993), "An Introduction to the Bootstrap",
  Chapman & Hall, ch. 13, the percentile interval): units are resampled with replacement, i.e. whole rows
  of the reliability data with all their coders' values. This is not Hayes and Krippendorff's (2007)
  bootstrap ("Answering the call for a standard reliability measure for coding data", Communication Methods
  and Measures 1(1):77-89), which resamples pairs of pairable values; resampling units keeps each unit's
  values together, as the units were sampled in the study.

`coding_units` turns coded segments (from `pipeline.codings.refi_qda.coded_segments` or
`pipeline.codings.coding_table.read_coding_table`) into reliability data, and `agreement_by_code` reports
every code and the pooled data, the rows of the `coder_agreement` mart. `scale_units` and
`agreement_by_scale` do the same for ordinal scales of codes (sibling codes whose levels are ordered), with
weighted kappa and ordinal alpha.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

Metric = Literal["nominal", "ordinal", "interval", "ratio"]
KappaWeights = Literal["unweighted", "linear", "quadratic"]
Unit = Literal["source_code", "segment"]

METRICS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
UNITS: tuple[str, ...] = ("source_code", "segment")
KAPPA_WEIGHTS: tuple[str, ...] = ("unweighted", "linear", "quadratic")
DEFAULT_REPLICATES = 2000
DEFAULT_LEVEL = 0.95
DEFAULT_SEED = 20_110_101  # any fixed seed: the intervals are reproducible run to run
POOLED = "(pooled)"
_BATCH = 250  # bootstrap replicates computed at once, to bound memory on large data

AGREEMENT_COLUMNS: dict[str, str] = {
    "code": "string",
    "unit": "string",
    "n_units": "Int64",
    "n_coders": "Int64",
    "percent_agreement": "float64",
    "cohens_kappa": "float64",
    "kappa_ci_low": "float64",
    "kappa_ci_high": "float64",
    "kappa_se": "float64",
    "kappa_ase_low": "float64",
    "kappa_ase_high": "float64",
    "fleiss_kappa": "float64",
    "fleiss_z": "float64",
    "fleiss_p_value": "float64",
    "fleiss_units": "Int64",
    "weighted_kappa": "float64",
    "weighted_kappa_se": "float64",
    "weighted_kappa_low": "float64",
    "weighted_kappa_high": "float64",
    "kappa_weights": "string",
    "krippendorff_alpha": "float64",
    "alpha_metric": "string",
    "alpha_ci_low": "float64",
    "alpha_ci_high": "float64",
    "note": "string",
}


@dataclass(frozen=True)
class BootstrapInterval:
    """A percentile bootstrap interval: the estimate on the full data and the interval's limits.

    `replicates` counts the replicates the interval is taken from; `undefined` counts those left out because
    the statistic was undefined on them (e.g. a resample with no variation).
    """

    estimate: float
    low: float
    high: float
    level: float
    replicates: int
    undefined: int


# ---------------------------------------------------------------------------------------------------------
# Reliability data
# ---------------------------------------------------------------------------------------------------------


def _as_frame(data: pd.DataFrame | Sequence[Sequence[object]] | np.ndarray) -> pd.DataFrame:
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(np.asarray(data, dtype=object))
    if frame.ndim != 2 or frame.shape[1] < 2:
        raise ValueError(
            f"reliability data must be units (rows) x coders (columns) with at least two coders; got shape {frame.shape}"
        )
    return frame


def _value_counts(frame: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, how many coders gave each value (units x values), and the values (sorted unless nominal)."""
    cells = frame.to_numpy(dtype=object)
    present = ~pd.isna(cells)
    values = cells[present]
    if metric != "nominal":
        try:
            values = values.astype(float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the {metric} metric needs numeric values ({exc}); use 'nominal' for categories") from exc
    codes, uniques = pd.factorize(values, sort=metric != "nominal")
    counts = np.zeros((cells.shape[0], len(uniques)))
    np.add.at(counts, (np.nonzero(present)[0], codes), 1)
    return counts, np.asarray(uniques)


def _pairable(counts: np.ndarray) -> np.ndarray:
    """Units with at least two values: the only ones that enter the coincidence matrix."""
    return counts[counts.sum(axis=1) >= 2]


def _coincidences(counts: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Krippendorff's (2011) coincidence matrix o_ck = sum_u (pairs of c and k in unit u) / (m_u - 1).

    `counts` holds pairable units only. With `weights` (replicates x units, how often each unit is drawn)
    one matrix per replicate is returned (replicates x values x values).
    """
    n_units, n_values = counts.shape
    per_unit = counts[:, :, None] * counts[:, None, :]
    per_unit[:, np.arange(n_values), np.arange(n_values)] -= counts  # a value is not paired with itself
    per_unit /= (counts.sum(axis=1) - 1)[:, None, None]
    if weights is None:
        return per_unit.sum(axis=0)
    return (weights @ per_unit.reshape(n_units, n_values * n_values)).reshape(-1, n_values, n_values)


def _squared_differences(metric: str, values: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """The metric's difference function delta^2_ck (Krippendorff 2011); `totals` are the n_c (..., values)."""
    if metric == "nominal":
        return 1.0 - np.eye(len(values))
    if metric == "interval":
        return np.subtract.outer(values, values) ** 2
    if metric == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.subtract.outer(values, values) / np.add.outer(values, values)
        return np.nan_to_num(ratio, nan=0.0) ** 2  # 0 and 0 do not differ
    if metric == "ordinal":
        # delta^2_ck = (sum of n_g for g from c to k - (n_c + n_k) / 2)^2, over values in rank order.
        cumulative = np.cumsum(totals, axis=-1)
        index = np.arange(len(values))
        low, high = np.minimum.outer(index, index), np.maximum.outer(index, index)
        between = cumulative[..., high] - cumulative[..., low] + totals[..., low]
        return (between - (totals[..., :, None] + totals[..., None, :]) / 2) ** 2
    raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")


def _alpha_from_coincidences(coincidences: np.ndarray, values: np.ndarray, metric: str) -> np.ndarray:
    """alpha = 1 - (n - 1) * sum o_ck delta^2_ck / sum n_c n_k delta^2_ck; NaN where D_e is 0 (no variation)."""
    totals = coincidences.sum(axis=-1)
    n = totals.sum(axis=-1)
    delta = _squared_differences(metric, values, totals)
    observed = (coincidences * delta).sum(axis=(-2, -1))
    expected = (totals[..., :, None] * totals[..., None, :] * delta).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = 1.0 - (n - 1) * observed / expected
    return np.where(expected > 0, alpha, np.nan)


# ---------------------------------------------------------------------------------------------------------
# Coefficients
# ---------------------------------------------------------------------------------------------------------


def percent_agreement(data: pd.DataFrame | Sequence[Sequence[object]] | np.ndarray) -> float:
    """Observed agreement as a proportion from 0 to 1 (Krippendorff 2011: sum_c o_cc / n).

    Each pairable value's pairings with the other values in its unit count once in total, so with two coders
    and no missing data this is the share of units coded alike (Cohen's 1960 p_o), and with more coders and
    complete data the mean agreement over all pairs of coders. NaN when no unit has two values.
    """
    counts = _pairable(_value_counts(_as_frame(data), "nominal")[0])
    if len(counts) == 0:
        return float("nan")
    coincidences = _coincidences(counts)
    return float(np.trace(coincidences) / coincidences.sum())


def krippendorff_alpha(
    data: pd.DataFrame | Sequence[Sequence[object]] | np.ndarray, metric: Metric = "nominal"
) -> float:
    """Krippendorff's alpha for units x coders data with missing values allowed (Krippendorff 2011).

    `metric` is the level of measurement: "nominal" (any values), or "ordinal", "interval" or "ratio"
    (numeric values; ordinal uses their rank order). NaN when no unit has two values or all pairable values
    are the same (alpha is then undefined: D_e = 0).
    """
    counts, values = _value_counts(_as_frame(data), metric)
    counts = _pairable(counts)
    if len(counts) == 0:
        return float("nan")
    return float(_alpha_from_coincidences(_coincidences(counts), values, metric))


def _kappa_table(frame: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Units rated by both coders, one-hot over the cells of the two coders' contingency table; its side."""
    if frame.shape[1] != 2:
        raise ValueError(f"Cohen's kappa is for exactly two coders; got {frame.shape[1]} columns")
    cells = frame.to_numpy(dtype=object)
    both = cells[~pd.isna(cells).any(axis=1)]
    codes, uniques = pd.factorize(both.ravel())
    codes = codes.reshape(-1, 2)
    side = len(uniques)
    one_hot = np.zeros((len(both), side * side))
    one_hot[np.arange(len(both)), codes[:, 0] * side + codes[:, 1]] = 1.0
    return one_hot, side


def _kappa_from_tables(tables: np.ndarray) -> np.ndarray:
    """Cohen's (1960) kappa for contingency tables (..., side, side); NaN where p_e = 1 or the table is empty."""
    total = tables.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = np.trace(tables, axis1=-2, axis2=-1) / total
        chance = (tables.sum(axis=-1) * tables.sum(axis=-2)).sum(axis=-1) / total**2
        kappa = (observed - chance) / (1.0 - chance)
    return np.where((total > 0) & (chance < 1.0 - 1e-12), kappa, np.nan)


def cohens_kappa(data: pd.DataFrame | Sequence[Sequence[object]] | np.ndarray) -> float:
    """Cohen's (1960) kappa, (p_o - p_e) / (1 - p_e), for exactly two coders (columns).

    Units missing either coder's value are left out. NaN when no unit remains or chance agreement p_e is 1
    (both coders used one and the same category throughout).
    """
    one_hot, side = _kappa_table(_as_frame(data))
    if len(one_hot) == 0:
        return float("nan")
    return float(_kappa_from_tables(one_hot.sum(axis=0).reshape(side, side)))


# ---------------------------------------------------------------------------------------------------------
# Weighted kappa and Fleiss' kappa, with their asymptotic standard errors
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KappaEstimate:
    """Cohen's (weighted) kappa with its large-sample standard error, interval and test of kappa = 0.

    `se` is the asymptotic standard error (Fleiss, Cohen and Everitt 1969; SAS's "ASE") behind the interval
    kappa -/+ z se at `level`; `se_null` is the standard error under kappa = 0 behind `z` = kappa / se_null and
    its two-sided `p_value`. `n` counts the units both coders rated; `categories` are the table's categories in
    order.
    """

    kappa: float
    se: float
    low: float
    high: float
    level: float
    se_null: float
    z: float
    p_value: float
    n: int
    weights: str
    categories: tuple[object, ...]


@dataclass(frozen=True)
class FleissKappa:
    """Fleiss' (1971) kappa for a fixed number of coders per unit, with its z test of kappa = 0.

    `se_null` is the standard error under kappa = 0 (Fleiss, Nee and Landis 1979), `z` = kappa / se_null and
    `p_value` its two-sided p-value. `units` were rated by all `raters`; `dropped_units` lacked a rating.
    """

    kappa: float
    se_null: float
    z: float
    p_value: float
    units: int
    raters: int
    categories: tuple[object, ...]
    dropped_units: int = 0


def kappa_weights(categories: int | Sequence[float], weights: KappaWeights | str = "unweighted") -> np.ndarray:
    """Agreement weights w_ij (1 on the diagonal) for a k x k table of ordered categories.

    `categories` is k (scores 0..k-1: the categories' positions) or the categories' numeric scores. "linear":
    1 - |s_i - s_j| / (s_max - s_min) (Cicchetti and Allison 1971; irr's "equal"; SAS's default); "quadratic":
    1 - (s_i - s_j)^2 / (s_max - s_min)^2 (Fleiss and Cohen 1973; irr's "squared"); "unweighted": the identity,
    which gives Cohen's (1960) kappa.
    """
    if weights not in KAPPA_WEIGHTS:
        raise ValueError(f"weights must be one of {', '.join(KAPPA_WEIGHTS)}, not {weights!r}")
    scores = np.arange(categories, dtype=float) if isinstance(categories, int) else np.asarray(categories, float)
    if scores.ndim != 1 or len(scores) == 0 or not np.isfinite(scores).all():
        raise ValueError(f"categories must be a count or a sequence of finite scores, got {categories!r}")
    if weights == "unweighted" or len(scores) == 1:
        return np.eye(len(scores))
    spread = scores.max() - scores.min()
    distance = np.abs(np.subtract.outer(scores, scores)) / spread
    return 1.0 - (distance if weights == "linear" else distance**2)


def weighted_kappa_from_table(
    table: Sequence[Sequence[float]] | np.ndarray,
    weights: KappaWeights | str = "unweighted",
    *,
    scores: Sequence[float] | None = None,
    level: float = DEFAULT_LEVEL,
    categories: Sequence[object] | None = None,
) -> KappaEstimate:
    """Cohen's kappa, plain or weighted, from a k x k table of counts (rows coder 1, columns coder 2).

    kappa_w = (p_o - p_e) / (1 - p_e), p_o = sum w_ij p_ij, p_e = sum w_ij p_i. p_.j (Cohen 1968). Fleiss,
    Cohen and Everitt (1969): with wbar_i = sum_j p_.j w_ij and wbar_j = sum_i p_i. w_ij,
    var = [sum p_ij (w_ij - (wbar_i + wbar_j)(1 - kappa))^2 - (kappa - p_e(1 - kappa))^2] / (n (1 - p_e)^2) and,
    under kappa = 0, var0 = [sum p_i. p_.j (w_ij - (wbar_i + wbar_j))^2 - p_e^2] / (n (1 - p_e)^2). `scores`
    are the categories' numeric scores for linear/quadratic weights (default: their positions). NaN throughout
    when the table is empty or p_e = 1.
    """
    _check_bootstrap_arguments(1, level)
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
        raise ValueError(f"a kappa table must be square (k x k), got shape {counts.shape}")
    if (counts < 0).any() or not np.isfinite(counts).all():
        raise ValueError("a kappa table holds counts: finite and not negative")
    k = counts.shape[0]
    w = kappa_weights(k if scores is None else scores, weights)
    if w.shape != counts.shape:
        raise ValueError(f"{len(w)} scores for a {k} x {k} table")
    labels = tuple(range(k)) if categories is None else tuple(categories)
    n = counts.sum()
    nan = float("nan")
    if n == 0:
        return KappaEstimate(nan, nan, nan, nan, level, nan, nan, nan, 0, str(weights), labels)
    p = counts / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    observed = float((w * p).sum())
    chance = float((w * np.outer(rows, cols)).sum())
    if chance >= 1.0 - 1e-12:
        return KappaEstimate(nan, nan, nan, nan, level, nan, nan, nan, int(n), str(weights), labels)
    kappa = (observed - chance) / (1.0 - chance)
    wbar_row = w @ cols  # wbar_i = sum_j p_.j w_ij
    wbar_col = rows @ w  # wbar_j = sum_i p_i. w_ij
    spread = np.add.outer(wbar_row, wbar_col)
    var = ((p * (w - spread * (1.0 - kappa)) ** 2).sum() - (kappa - chance * (1.0 - kappa)) ** 2) / (
        n * (1.0 - chance) ** 2
    )
    var0 = ((np.outer(rows, cols) * (w - spread) ** 2).sum() - chance**2) / (n * (1.0 - chance) ** 2)
    se, se0 = float(np.sqrt(max(var, 0.0))), float(np.sqrt(max(var0, 0.0)))
    z_level = float(stats.norm.ppf((1 + level) / 2))
    z = kappa / se0 if se0 > 0 else nan
    p_value = float(2 * stats.norm.sf(abs(z))) if se0 > 0 else nan
    return KappaEstimate(
        float(kappa),
        se,
        kappa - z_level * se,
        kappa + z_level * se,
        level,
        se0,
        z,
        p_value,
        int(n),
        str(weights),
        labels,
    )


def weighted_kappa(
    data: pd.DataFrame | Sequence[Sequence[object]] | np.ndarray,
    weights: KappaWeights | str = "unweighted",
    *,
    categories: Sequence[object] | None = None,
    level: float = DEFAULT_LEVEL,
) -> KappaEstimate:
    """Cohen's (1960) or weighted (Cohen 1968) kappa for two coders' ordinal codes, with its standard error.

    `data` is units x 2 coders; units missing either code are left out. The table's categories are
    `categories` in their order (give the whole scale, e.g. 1..5, to keep unused points), or else the codes
    seen, sorted. Linear and quadratic weights use the categories' positions in that order, as irr's `kappa2`
    does with the levels it sees (so a scale point nobody used shortens the distances). See
    `weighted_kappa_from_table` for the formulas.
    """
    frame = _as_frame(data)
    if frame.shape[1] != 2:
        raise ValueError(f"Cohen's kappa is for exactly two coders; got {frame.shape[1]} columns")
    cells = frame.to_numpy(dtype=object)
    both = cells[~pd.isna(cells).any(axis=1)]
    if categories is None:
        try:
            order = sorted(set(both.ravel().tolist()))
        except TypeError as exc:
            raise ValueError(f"codes of mixed types cannot be ordered ({exc}); pass categories") from exc
    else:
        order = list(dict.fromkeys(categories))
        unknown = set(both.ravel().tolist()) - set(order)
        if unknown:
            raise ValueError(f"codes {sorted(map(str, unknown))} are not among the categories {order}")
    position = {category: i for i, category in enumerate(order)}
    table = np.zeros((len(order), len(order)))
    for first, second in both:
        table[position[first], position[second]] += 1
    if not order:
        table = np.zeros((1, 1))
    return weighted_kappa_from_table(table, weights, level=level, categories=order)


def _fleiss_from_counts(counts: np.ndarray, categories: tuple[object, ...], dropped: int) -> FleissKappa:
    """Fleiss (1971) kappa and the Fleiss, Nee and Landis (1979) z test from units x categories counts."""
    nan = float("nan")
    units = counts.shape[0]
    raters = int(counts.sum(axis=1)[0]) if units else 0
    if units == 0 or raters < 2:
        return FleissKappa(nan, nan, nan, nan, units, raters, categories, dropped)
    agreement = ((counts**2).sum(axis=1) - raters) / (raters * (raters - 1))
    p = counts.sum(axis=0) / (units * raters)
    observed, chance = float(agreement.mean()), float((p**2).sum())
    if chance >= 1.0 - 1e-12:
        return FleissKappa(nan, nan, nan, nan, units, raters, categories, dropped)
    kappa = (observed - chance) / (1.0 - chance)
    pq = p * (1.0 - p)
    var0 = 2.0 / (pq.sum() ** 2 * units * raters * (raters - 1)) * (pq.sum() ** 2 - (pq * (1.0 - 2.0 * p)).sum())
    se0 = float(np.sqrt(var0))
    z = kappa / se0
    return FleissKappa(
        float(kappa), se0, float(z), float(2 * stats.norm.sf(abs(z))), units, raters, categories, dropped
    )


def fleiss_kappa_from_counts(counts: Sequence[Sequence[float]] | np.ndarray) -> FleissKappa:
    """Fleiss' kappa from a units x categories table: how many coders put each unit in each category.

    Every unit must have the same number of ratings m >= 2 (Fleiss 1971). P_i = (sum_j n_ij^2 - m) / (m(m - 1)),
    p_j = sum_i n_ij / (N m), kappa = (mean P_i - sum p_j^2) / (1 - sum p_j^2); under kappa = 0,
    var0 = 2 [(sum p_j q_j)^2 - sum p_j q_j (q_j - p_j)] / [(sum p_j q_j)^2 N m (m - 1)] (Fleiss, Nee and Landis
    1979), as irr's `kappam.fleiss`. NaN when the chance agreement is 1.
    """
    table = np.asarray(counts, dtype=float)
    if table.ndim != 2 or table.shape[1] < 1:
        raise ValueError(f"counts must be units (rows) x categories (columns), got shape {table.shape}")
    if (table < 0).any() or not np.isfinite(table).all():
        raise ValueError("counts must be finite and not negative")
    per_unit = table.sum(axis=1)
    if len(per_unit) and not np.allclose(per_unit, per_unit[0]):
        at = int(np.flatnonzero(~np.isclose(per_unit, per_unit[0]))[0])
        raise ValueError(
            f"Fleiss' kappa needs the same number of ratings for every unit: unit {at} has {per_unit[at]:g}, "
            f"unit 0 has {per_unit[0]:g}"
        )
    return _fleiss_from_counts(table, tuple(range(table.shape[1])), 0)


def fleiss_kappa(
    data: pd.DataFrame | Sequence[Sequence[object]] | np.ndarray, *, categories: Sequence[object] | None = None
) -> FleissKappa:
    """Fleiss' (1971) kappa for units x coders data with any number of coders (two or more), and its z test.

    As irr's `kappam.fleiss`, units missing any coder's code are left out (listwise; counted in
    `dropped_units`), and the categories are `categories` or else the codes seen. Fleiss' kappa pools the
    coders' marginals, so for two coders it differs from Cohen's kappa. See `fleiss_kappa_from_counts`.
    """
    frame = _as_frame(data)
    cells = frame.to_numpy(dtype=object)
    complete = ~pd.isna(cells).any(axis=1)
    rated = cells[complete]
    seen = list(dict.fromkeys(rated.ravel().tolist()))
    if categories is None:
        try:
            order = sorted(seen)
        except TypeError:
            order = seen
    else:
        order = list(dict.fromkeys(categories))
        unknown = set(seen) - set(order)
        if unknown:
            raise ValueError(f"codes {sorted(map(str, unknown))} are not among the categories {order}")
    position = {category: i for i, category in enumerate(order)}
    counts = np.zeros((len(rated), max(len(order), 1)))
    for unit, row in enumerate(rated):
        for code in row:
            counts[unit, position[code]] += 1
    return _fleiss_from_counts(counts, tuple(order), int((~complete).sum()))


# ---------------------------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------------------------


def _resampling_weights(n_units: int, replicates: int, seed: int | None) -> Iterator[np.ndarray]:
    """How often each unit is drawn in each replicate (drawing n_units units with replacement), in batches."""
    rng = np.random.default_rng(seed)
    done = 0
    while done < replicates:
        size = min(_BATCH, replicates - done)
        yield rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=size).astype(float)
        done += size


def _percentile_interval(estimate: float, replicated: np.ndarray, level: float) -> BootstrapInterval:
    defined = replicated[~np.isnan(replicated)]
    undefined = len(replicated) - len(defined)
    if np.isnan(estimate) or len(defined) == 0:
        return BootstrapInterval(estimate, float("nan"), float("nan"), level, len(defined), undefined)
    low, high = np.quantile(defined, [(1 - level) / 2, (1 + level) / 2])
    return BootstrapInterval(estimate, float(low), float(high), level, len(defined), undefined)


def _check_bootstrap_arguments(replicates: int, level: float) -> None:
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")


def bootstrap_alpha(
    data: pd.DataFrame | Sequence[Sequence[object]] | np.ndarray,
    metric: Metric = "nominal",
    *,
    replicates: int = DEFAULT_REPLICATES,
    level: float = DEFAULT_LEVEL,
    seed: int | None = DEFAULT_SEED,
) -> BootstrapInterval:
    """Krippendorff's alpha with a percentile bootstrap interval from resampling units (Efron and Tibshirani 1993).

    Each replicate draws as many pairable units as the data hold, with replacement, keeping each unit's values
    together, and recomputes alpha. (Hayes and Krippendorff 2007 resample pairable values instead.)
    Replicates on which alpha is undefined are left out and counted in `undefined`. Same seed, same interval.
    """
    _check_bootstrap_arguments(replicates, level)
    counts, values = _value_counts(_as_frame(data), metric)
    counts = _pairable(counts)
    if len(counts) == 0:
        return _percentile_interval(float("nan"), np.array([]), level)
    estimate = float(_alpha_from_coincidences(_coincidences(counts), values, metric))
    replicated = [
        _alpha_from_coincidences(_coincidences(counts, weights), values, metric)
        for weights in _resampling_weights(len(counts), replicates, seed)
    ]
    return _percentile_interval(estimate, np.concatenate(replicated), level)


def bootstrap_kappa(
    data: pd.DataFrame | Sequence[Sequence[object]] | np.ndarray,
    *,
    replicates: int = DEFAULT_REPLICATES,
    level: float = DEFAULT_LEVEL,
    seed: int | None = DEFAULT_SEED,
) -> BootstrapInterval:
    """Cohen's kappa with a percentile bootstrap interval from resampling the units both coders rated."""
    _check_bootstrap_arguments(replicates, level)
    one_hot, side = _kappa_table(_as_frame(data))
    if len(one_hot) == 0:
        return _percentile_interval(float("nan"), np.array([]), level)
    estimate = float(_kappa_from_tables(one_hot.sum(axis=0).reshape(side, side)))
    replicated = [
        _kappa_from_tables((weights @ one_hot).reshape(-1, side, side))
        for weights in _resampling_weights(len(one_hot), replicates, seed)
    ]
    return _percentile_interval(estimate, np.concatenate(replicated), level)


# ---------------------------------------------------------------------------------------------------------
# From coded segments to reliability data
# ---------------------------------------------------------------------------------------------------------


def coding_units(
    segments: pd.DataFrame, unit: Unit = "source_code", *, codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Reliability data from coded segments: one row per unit x code, one column per coder, values 1/0/NaN.

    `segments` needs columns source_name, code_path, coder, start_position and end_position, as
    `coded_segments` gives. Units:

    - "source_code" (default): each source document that any coder coded. A coder scores 1 for a code if
      they applied it anywhere in the source, 0 if they coded the source but not with that code, and NaN
      (not rated) if they coded nothing in the source. Index: (source_name, code_path).
    - "segment": passages. Within a source, coded segments that overlap (any coder, any code) are merged
      into one passage; a coder scores 1 for a code if one of their segments with that code overlaps the
      passage, 0 if they coded the source but not so, NaN if they coded nothing in the source. Text nobody
      coded is not a unit. Index: (source_name, passage_start, passage_end, code_path). Every segment
      needs positions (whole-document and non-text codings have none: use "source_code" for those).

    `codes` is the codebook subset to assess (default: every code applied); codes nobody applied give rows
    of zeros. Rows are sorted by source and code, coder columns by name. `attrs["unit"]` records the unit.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    needed = ["source_name", "code_path", "coder"] + (["start_position", "end_position"] if unit == "segment" else [])
    absent = [name for name in needed if name not in segments.columns]
    if absent:
        raise ValueError(f"coded segments lack column(s) {', '.join(absent)}; expected at least {', '.join(needed)}")
    for name in needed:
        blank = int(segments[name].isna().sum())
        if blank:
            hint = "; use unit='source_code' for codings without positions" if name.endswith("_position") else ""
            raise ValueError(f"{blank} coded segment(s) have no {name}{hint}")

    seg = segments[needed].copy()
    for name in ("source_name", "code_path", "coder"):
        seg[name] = seg[name].astype(str)
    # A coder counts as having rated every source in which they coded anything, whatever the code.
    rated = pd.crosstab(seg["source_name"], seg["coder"]).gt(0)
    code_list = sorted(seg["code_path"].unique()) if codes is None else list(dict.fromkeys(codes))
    seg = seg[seg["code_path"].isin(code_list)]

    if unit == "segment":
        seg = seg.astype({"start_position": "int64", "end_position": "int64"})
        seg = _assign_passages(seg)
        keys = ["source_name", "passage_start", "passage_end"]
        unit_keys = seg[keys].drop_duplicates()
    else:
        keys = ["source_name"]
        unit_keys = pd.DataFrame({"source_name": rated.index})

    index_names = [*keys, "code_path"]
    full = unit_keys.merge(pd.DataFrame({"code_path": code_list}), how="cross").sort_values(index_names)
    index = pd.MultiIndex.from_frame(full) if len(full) else pd.MultiIndex.from_tuples([], names=index_names)
    applied = seg.drop_duplicates([*index_names, "coder"]).assign(value=1.0)
    matrix = applied.pivot_table(index=index_names, columns="coder", values="value", aggfunc="max")
    matrix = matrix.reindex(index=index, columns=rated.columns).fillna(0.0)
    # Coders who coded nothing in a source did not rate its units.
    rated_here = rated.reindex(index.get_level_values("source_name")).to_numpy()
    units = matrix.where(rated_here).astype(float)
    units.columns.name = "coder"
    units.attrs["unit"] = unit
    return units


def _assign_passages(seg: pd.DataFrame) -> pd.DataFrame:
    """Give each segment the passage it belongs to: overlapping segments in a source chain into one passage."""
    seg = seg.sort_values(["source_name", "start_position", "end_position"]).reset_index(drop=True)
    starts = np.empty(len(seg), dtype="int64")
    ends = np.empty(len(seg), dtype="int64")
    first = 0
    source, reach = None, -1
    rows = list(zip(seg["source_name"], seg["start_position"], seg["end_position"], strict=True))
    for position, (name, start, end) in enumerate(rows):
        if name != source or start >= reach:  # touching segments ([a, b) then [b, c)) are separate passages
            if position:
                starts[first:position], ends[first:position] = rows[first][1], reach
            first, source, reach = position, name, end
        else:
            reach = max(reach, end)
    if len(rows):
        starts[first:], ends[first:] = rows[first][1], reach
    return seg.assign(passage_start=starts, passage_end=ends)


# ---------------------------------------------------------------------------------------------------------
# Per-code report
# ---------------------------------------------------------------------------------------------------------


def agreement_by_code(
    units: pd.DataFrame,
    *,
    replicates: int = DEFAULT_REPLICATES,
    level: float = DEFAULT_LEVEL,
    seed: int | None = DEFAULT_SEED,
    unit: str | None = None,
) -> pd.DataFrame:
    """Agreement per code and pooled over codes (code "(pooled)"), from `coding_units` output.

    Grain: one row per code, plus the pooled row. Columns (`AGREEMENT_COLUMNS`): code, unit, n_units (units
    rated by two or more coders), n_coders (coders with a value on those units), percent_agreement
    (Krippendorff 2011 observed agreement); when exactly two coders rated the code, cohens_kappa with its
    percentile bootstrap interval kappa_ci_low/high and its asymptotic standard error kappa_se with the interval
    kappa -/+ z ASE, kappa_ase_low/high (Fleiss, Cohen and Everitt 1969); when more than two, Fleiss' (1971)
    kappa with its z test (fleiss_z, fleiss_p_value; Fleiss, Nee and Landis 1979) over the fleiss_units that
    every coder rated; krippendorff_alpha with alpha_ci_low/high (nominal, Krippendorff 2011); and note. The
    weighted-kappa columns are for ordinal scales (`agreement_by_scale`) and empty here. A statistic that is
    undefined, such as alpha when every value is the same, is NaN and the note says why. `unit` defaults to
    `units.attrs["unit"]`.
    """
    if "code_path" not in (units.index.names or []):
        raise ValueError("units need a 'code_path' index level, as coding_units gives")
    label = unit or units.attrs.get("unit") or ("segment" if "passage_start" in units.index.names else "source_code")
    groups = [(str(code), frame) for code, frame in units.groupby(level="code_path", sort=True)]
    groups.append((POOLED, units))
    rows = [_agreement_row(code, frame, label, replicates, level, seed) for code, frame in groups]
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS)).astype(AGREEMENT_COLUMNS)


def _agreement_row(
    code: str,
    frame: pd.DataFrame,
    unit: str,
    replicates: int,
    level: float,
    seed: int | None,
    metric: Metric = "nominal",
    weights: KappaWeights | str | None = None,
) -> dict[str, object]:
    nan = float("nan")
    pairable = frame[frame.notna().sum(axis=1) >= 2]
    coders = [name for name in pairable.columns if pairable[name].notna().any()]
    row: dict[str, object] = {"code": code, "unit": unit, "n_units": len(pairable), "n_coders": len(coders)}
    row.update({name: nan for name, kind in AGREEMENT_COLUMNS.items() if kind == "float64"})
    row.update(fleiss_units=None, kappa_weights=None, alpha_metric=metric)
    notes: list[str] = []
    if len(pairable) == 0:
        notes.append("no unit was rated by two or more coders")
    else:
        data = pairable[coders]
        row["percent_agreement"] = percent_agreement(data)
        alpha = bootstrap_alpha(data, metric, replicates=replicates, level=level, seed=seed)
        row.update(krippendorff_alpha=alpha.estimate, alpha_ci_low=alpha.low, alpha_ci_high=alpha.high)
        if np.isnan(alpha.estimate):
            value = data.stack().iloc[0]
            shown = f"{value:g}" if isinstance(value, float | int) else str(value)
            notes.append(f"alpha undefined: no variation (every value is {shown})")
    if len(coders) == 2 and len(pairable):
        kappa = bootstrap_kappa(pairable[coders], replicates=replicates, level=level, seed=seed)
        row.update(cohens_kappa=kappa.estimate, kappa_ci_low=kappa.low, kappa_ci_high=kappa.high)
        asymptotic = weighted_kappa(pairable[coders], "unweighted", level=level)
        row.update(kappa_se=asymptotic.se, kappa_ase_low=asymptotic.low, kappa_ase_high=asymptotic.high)
        if np.isnan(kappa.estimate) and not notes:
            notes.append("kappa undefined: chance agreement is 1")
        if weights is not None:
            scored = weighted_kappa(pairable[coders], weights, level=level)
            row.update(
                weighted_kappa=scored.kappa,
                weighted_kappa_se=scored.se,
                weighted_kappa_low=scored.low,
                weighted_kappa_high=scored.high,
                kappa_weights=str(weights),
            )
    elif len(coders) > 2:
        fleiss = fleiss_kappa(pairable[coders])
        row.update(
            fleiss_kappa=fleiss.kappa, fleiss_z=fleiss.z, fleiss_p_value=fleiss.p_value, fleiss_units=fleiss.units
        )
        notes.append(f"{len(coders)} coders: Fleiss' kappa instead of Cohen's (which is for two)")
        if fleiss.dropped_units:
            notes.append(
                f"Fleiss' kappa over the {fleiss.units} units every coder rated ({fleiss.dropped_units} left out)"
            )
        if weights is not None:
            notes.append("weighted kappa not computed: it is for two coders (see ordinal alpha)")
    row["note"] = "; ".join(notes) or None
    return row


# ---------------------------------------------------------------------------------------------------------
# Ordinal scales of codes
# ---------------------------------------------------------------------------------------------------------


def scale_units(segments: pd.DataFrame, scale_values: pd.DataFrame) -> pd.DataFrame:
    """Reliability data for ordinal scales of codes: one row per source document x scale, one column per coder.

    `scale_values` has columns code_path, scale and value: each code that is a level of an ordered scale
    (e.g. ".../Leadership strength/1 weak", ".../2 moderate", ".../3 strong", scale ".../Leadership strength",
    values 1, 2, 3). A coder's value for a source is the level they applied there; NaN when they applied none of
    the scale's levels in it (not rated), and the highest level when they applied several (levels meant to
    exclude each other should be coded so). Index: (source_name, code_path) with the scale's name as code_path,
    as `coding_units` gives, so `agreement_by_scale` groups by scale.
    """
    needed = ["source_name", "code_path", "coder"]
    absent = [name for name in needed if name not in segments.columns]
    if absent:
        raise ValueError(f"coded segments lack column(s) {', '.join(absent)}")
    levels = scale_values[["code_path", "scale", "value"]].astype({"code_path": str, "scale": str, "value": float})
    seg = segments[needed].astype(str).merge(levels, on="code_path", how="inner")
    index_names = ["source_name", "code_path"]
    if seg.empty:
        empty = pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=index_names), dtype=float)
        empty.attrs["unit"] = "source_scale"
        return empty
    units = seg.pivot_table(index=["source_name", "scale"], columns="coder", values="value", aggfunc="max")
    units.index = units.index.set_names(index_names)
    units.columns.name = "coder"
    units = units.sort_index().astype(float)
    units.attrs["unit"] = "source_scale"
    return units


def agreement_by_scale(
    units: pd.DataFrame,
    weights: KappaWeights | str = "linear",
    *,
    replicates: int = DEFAULT_REPLICATES,
    level: float = DEFAULT_LEVEL,
    seed: int | None = DEFAULT_SEED,
) -> pd.DataFrame:
    """Agreement per ordinal scale of codes, from `scale_units` output: one row per scale, `AGREEMENT_COLUMNS`.

    As `agreement_by_code`, with Krippendorff's alpha at the ordinal level of measurement and, for two coders,
    Cohen's (1968) weighted kappa (`weights` "linear" or "quadratic") with its asymptotic standard error and
    interval (Fleiss, Cohen and Everitt 1969) beside the unweighted kappa. The unit is "source_scale" (a source
    document x the level each coder gave it on the scale).
    """
    if weights not in ("linear", "quadratic"):
        raise ValueError(f"an ordinal scale's kappa weights are linear or quadratic, not {weights!r}")
    rows = [
        _agreement_row(str(scale), frame, "source_scale", replicates, level, seed, "ordinal", weights)
        for scale, frame in units.groupby(level="code_path", sort=True)
    ]
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS)).astype(AGREEMENT_COLUMNS)
