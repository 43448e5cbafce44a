"""Qualitative Comparative Analysis (QCA) with crisp and fuzzy sets.

QCA asks which conditions, alone or in combination, are sufficient or necessary for an outcome. In this
project the cases are the partnerships, the conditions are the success factors and the outcome is success.
The module follows the R package QCA (Dusa 2019, "QCA with R", Springer), so that an evaluator can check
any figure in R:

- calibration: crisp thresholds, and the fuzzy "direct method" with three anchors (Ragin 2008,
  "Redesigning Social Inquiry", ch. 5);
- truth table: one row per configuration of the conditions, with its cases, inclusion (consistency) and PRI,
  and an outcome code set by inclusion and frequency cut-offs (Ragin 2008; Dusa 2019);
- Boolean minimisation: Quine-McCluskey prime implicants (Quine 1952; McCluskey 1956) and an exact solution
  of the prime implicant chart returning every cover with the fewest prime implicants, as R's
  ``QCA::minimize`` reports them (M1, M2, ...). Complex (conservative), parsimonious and intermediate
  solutions; the last uses easy counterfactuals only (Ragin & Sonnett 2005; Ragin 2008, "Limited diversity
  and counterfactual cases"), computed as in ``QCA::minimize``;
- parameters of fit: consistency and coverage (Ragin 2006, "Set relations in social research",
  Political Analysis 14:291-310), unique coverage, PRI (proportional reduction in inconsistency), and for
  necessity the relevance of necessity (Schneider & Wagemann 2012, "Set-Theoretic Methods for the Social
  Sciences", p. 236);
- contradictory simplifying assumptions: remainders that the parsimonious solutions of the outcome and of
  its negation both use (Schneider & Wagemann 2012, enhanced standard analysis).

Multi-value QCA (mvQCA; Cronqvist & Berg-Schlosser 2009, "Multi-Value QCA (mvQCA)", ch. 4 of Rihoux & Ragin,
"Configurational Comparative Methods", Sage; Dusa & Thiem 2015, "Enhancing the minimization of Boolean and
multivalue output functions with eQMC", J Math Sociol 39:92-108): conditions with two or more integer levels
(``mv_truth_table``), minimised by the same machinery generalised to several levels: terms that differ only in one
condition and together take all its levels merge. Its literals are written ``NAME{level}`` (Tosmana and R QCA 2),
or ``NAME[level]`` as R QCA 3 prints them, e.g. ``DEV{2} + DEV{1}*IND{0}``.

Notation, as R QCA prints it by default: a condition's name means its presence, ``~NAME`` its absence;
``*`` is logical AND and `` + `` logical OR, e.g. ``DEV*~IND + URB*STB``. (Lower case for absence is not
used: condition names here are free text and may already be lower case.)

Truth-table rows are numbered as in R: ``row = 1 + sum(bit_i * 2^(k-1-i))``, the first condition being the
most significant bit, so row 1 is all-absent and row 2^k all-present.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

NOT = "~"
AND = "*"
OR = " + "
KINDS = ("complex", "parsimonious", "intermediate")
# Log-odds at the full-membership anchor. Ragin (2008, ch. 5) uses 3 (membership 0.953); R QCA's default
# (idm = 0.95) uses log(0.95/0.05), which maps the anchors to exactly 0.05 and 0.95.
RAGIN_LOG_ODDS = 3.0
EXACT_95_LOG_ODDS = math.log(0.95 / 0.05)
# Cut-off comparisons allow for floating-point noise, as R QCA does (admisc::agteb).
_TOLERANCE = 1e-9


# --------------------------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------------------------


def calibrate_crisp(
    x: pd.Series | Sequence[float], thresholds: float | Sequence[float], *, increasing: bool = True
) -> pd.Series:
    """Crisp calibration: raw values -> 0/1 (one threshold) or 0..m (m thresholds, multi-value QCA).

    A value equal to a threshold goes to the group above it. With ``increasing=False`` the scale is reversed
    (values below the lowest threshold score highest), as for Lipset's government stability, where fewer
    cabinets mean more stable (Rihoux & De Meur 2009, in Rihoux & Ragin, "Configurational Comparative
    Methods", ch. 3). Missing values stay missing.
    """
    values = pd.Series(x, dtype=float)
    cuts = np.sort(np.atleast_1d(np.asarray(thresholds, dtype=float)))
    if cuts.size == 0 or not np.all(np.isfinite(cuts)):
        raise ValueError(f"crisp calibration needs one or more finite thresholds, got {thresholds!r}")
    group = np.searchsorted(cuts, values.to_numpy(), side="right")
    if not increasing:
        group = cuts.size - group
    return pd.Series(group, index=values.index, name=values.name).where(values.notna()).astype("Int64")


def calibrate_fuzzy(
    x: pd.Series | Sequence[float],
    full_non_membership: float,
    crossover: float,
    full_membership: float,
    *,
    log_odds: float = RAGIN_LOG_ODDS,
) -> pd.Series:
    """Fuzzy calibration by the direct method (Ragin 2008, "Redesigning Social Inquiry", ch. 5).

    The deviation from the crossover is scaled so that the full-membership anchor has log-odds ``+log_odds``
    and the full non-membership anchor ``-log_odds`` (a different scale on each side of the crossover);
    membership = exp(l) / (1 + exp(l)). With Ragin's 3 the anchors map to 0.953 / 0.5 / 0.047, i.e. 0.95 /
    0.5 / 0.05 to two decimals; ``log_odds=EXACT_95_LOG_ODDS`` reproduces R QCA's ``calibrate`` (exactly
    0.95 / 0.5 / 0.05). If ``full_membership < full_non_membership`` the set is decreasing (higher raw
    values, lower membership). Missing values stay missing.
    """
    e, c, i = float(full_non_membership), float(crossover), float(full_membership)
    if not (e < c < i or i < c < e):
        raise ValueError(
            "the crossover must lie strictly between the full non-membership and full membership anchors, "
            f"got full_non_membership={e}, crossover={c}, full_membership={i}"
        )
    values = pd.Series(x, dtype=float)
    direction = 1.0 if i > c else -1.0
    deviation = direction * (values - c)
    scaled = np.where(deviation >= 0, deviation * log_odds / abs(i - c), deviation * log_odds / abs(c - e))
    return pd.Series(expit(scaled), index=values.index, name=values.name).where(values.notna())


# --------------------------------------------------------------------------------------------------------------
# Set memberships and parameters of fit
# --------------------------------------------------------------------------------------------------------------


def _negated(name: str) -> tuple[str, bool]:
    """'~Y' -> ('Y', True); 'Y' -> ('Y', False)."""
    return (name[1:], True) if name.startswith(NOT) else (name, False)


def _case_labels(data: pd.DataFrame, case_id: str | None) -> list[str]:
    if case_id is None:
        return [str(label) for label in data.index]
    if case_id not in data.columns:
        raise KeyError(f"case id column {case_id!r} is not in the data (columns: {list(data.columns)})")
    return [str(label) for label in data[case_id]]


def _membership_frame(data: pd.DataFrame, conditions: Sequence[str], outcome: str, case_id: str | None) -> pd.DataFrame:
    """Validated set memberships, one column per condition plus the (possibly negated) outcome."""
    if not conditions:
        raise ValueError("at least one condition is needed")
    if len(set(conditions)) != len(conditions):
        raise ValueError(f"conditions must be distinct, got {list(conditions)}")
    outcome_name, negate = _negated(outcome)
    columns = [*conditions, outcome_name]
    missing = [column for column in columns if column not in data.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the data (columns: {list(data.columns)})")
    if outcome_name in conditions:
        raise ValueError(f"the outcome {outcome_name!r} cannot also be a condition")
    labels = _case_labels(data, case_id)
    frame = pd.DataFrame({column: pd.to_numeric(data[column], errors="coerce").to_numpy(float) for column in columns})
    frame.index = pd.Index(labels, name="case")
    for column in columns:
        bad = ~frame[column].between(0.0, 1.0)
        if bad.any():
            case = frame.index[bad.to_numpy()][0]
            raise ValueError(
                f"column {column!r}, case {case!r}: expected a calibrated set membership in [0, 1], "
                f"got {data[column].iloc[int(np.flatnonzero(bad.to_numpy())[0])]!r}"
            )
    if negate:
        frame[outcome_name] = 1.0 - frame[outcome_name]
    return frame.rename(columns={outcome_name: outcome})


def _consistency(x: np.ndarray, y: np.ndarray) -> float:
    """Sufficiency inclusion (consistency) of X in Y: sum(min(X, Y)) / sum(X) (Ragin 2006)."""
    total = x.sum()
    return float(np.minimum(x, y).sum() / total) if total > 0 else math.nan


def _coverage(x: np.ndarray, y: np.ndarray) -> float:
    """Sufficiency coverage of Y by X: sum(min(X, Y)) / sum(Y) (Ragin 2006)."""
    total = y.sum()
    return float(np.minimum(x, y).sum() / total) if total > 0 else math.nan


def _pri(x: np.ndarray, y: np.ndarray) -> float:
    """Proportional reduction in inconsistency of X -> Y (Ragin 2008; Schneider & Wagemann 2012), as R QCA's pof.

    (sum min(X, Y) - sum min(X, Y, ~Y)) / (sum X - sum min(X, Y, ~Y)): the share of X's consistency with Y
    that is not also consistency with ~Y, so that X is not sufficient for both Y and ~Y at once.
    """
    both = np.minimum(np.minimum(x, y), 1.0 - y).sum()
    denominator = x.sum() - both
    return float((np.minimum(x, y).sum() - both) / denominator) if denominator > 0 else math.nan


def _relevance_of_necessity(x: np.ndarray, y: np.ndarray) -> float:
    """RoN = sum(1 - X) / sum(1 - min(X, Y)) (Schneider & Wagemann 2012, p. 236)."""
    denominator = (1.0 - np.minimum(x, y)).sum()
    return float((1.0 - x).sum() / denominator) if denominator > 0 else math.nan


def necessity(
    data: pd.DataFrame, conditions: Sequence[str], outcome: str, *, case_id: str | None = None
) -> pd.DataFrame:
    """Parameters of fit for each condition and its negation as a necessary condition for the outcome.

    consistency = sum min(X, Y) / sum Y, coverage = sum min(X, Y) / sum X (Ragin 2006), and the relevance
    of necessity RoN = sum(1 - X) / sum(1 - min(X, Y)) (Schneider & Wagemann 2012, p. 236), which flags
    trivial necessary conditions (X close to a constant 1 has RoN close to 0). ``outcome`` may be negated
    (``"~Y"``). One row per condition and negated condition, in that order.
    """
    frame = _membership_frame(data, conditions, outcome, case_id)
    y = frame[outcome].to_numpy()
    rows = []
    for condition in conditions:
        for negate in (False, True):
            x = frame[condition].to_numpy()
            x = 1.0 - x if negate else x
            rows.append(
                {
                    "outcome": outcome,
                    "condition": f"{NOT}{condition}" if negate else condition,
                    "consistency": _coverage(x, y),  # sum min(X, Y) / sum Y
                    "coverage": _consistency(x, y),  # sum min(X, Y) / sum X
                    "RoN": _relevance_of_necessity(x, y),
                }
            )
    return pd.DataFrame(rows, columns=["outcome", "condition", "consistency", "coverage", "RoN"])


# --------------------------------------------------------------------------------------------------------------
# Implicants: strings over {"0", "1", "-"}, one character per condition ("-" = condition eliminated); with
# multi-value conditions (``levels`` given, the number of levels of each condition) the characters are the
# levels "0".."9". Minterms are truth-table rows minus one: the mixed-radix number of the configuration, the
# first condition the most significant digit (R QCA's numbering).
# --------------------------------------------------------------------------------------------------------------

Levels = Sequence[int] | None


def _minterm_pattern(minterm: int, k: int, levels: Levels = None) -> str:
    if levels is None:
        return format(minterm, f"0{k}b")
    digits = []
    for base in reversed(levels):
        minterm, digit = divmod(minterm, base)
        digits.append(str(digit))
    return "".join(reversed(digits))


def _minterm_number(pattern: Sequence[int | str], levels: Levels) -> int:
    number = 0
    for digit, base in zip(pattern, levels if levels is not None else [2] * len(pattern), strict=True):
        number = number * base + int(digit)
    return number


def _covers(implicant: str, minterm: int, levels: Levels = None) -> bool:
    pattern = _minterm_pattern(minterm, len(implicant), levels)
    return all(a == "-" or a == b for a, b in zip(implicant, pattern, strict=True))


def _expand(implicant: str, levels: Levels = None) -> list[int]:
    """All minterms inside an implicant."""
    if levels is None:
        choices = [("0", "1") if symbol == "-" else (symbol,) for symbol in implicant]
        return [int("".join(bits), 2) for bits in itertools.product(*choices)]
    ranges = [range(base) if symbol == "-" else (int(symbol),) for symbol, base in zip(implicant, levels, strict=True)]
    return [_minterm_number(digits, levels) for digits in itertools.product(*ranges)]


def _expression(implicant: str, conditions: Sequence[str], levels: Levels = None, notation: str = "{}") -> str:
    if levels is None:
        literals = [
            name if symbol == "1" else f"{NOT}{name}"
            for symbol, name in zip(implicant, conditions, strict=True)
            if symbol != "-"
        ]
    else:
        literals = [
            f"{name}{notation[0]}{symbol}{notation[1]}"
            for symbol, name in zip(implicant, conditions, strict=True)
            if symbol != "-"
        ]
    return AND.join(literals) if literals else "1"


def _implicant_membership(
    implicant: str, frame: pd.DataFrame, conditions: Sequence[str], levels: Levels = None
) -> np.ndarray:
    """Membership of each case in a conjunction: the minimum over its literals (Zadeh's AND).

    Multi-value literals X{v} are crisp: 1 where the case's level of X is v, else 0.
    """
    membership = np.ones(len(frame))
    for symbol, name in zip(implicant, conditions, strict=True):
        if symbol != "-":
            x = frame[name].to_numpy()
            if levels is not None:
                literal = (x == int(symbol)).astype(float)
            else:
                literal = x if symbol == "1" else 1.0 - x
            membership = np.minimum(membership, literal)
    return membership


def _mv_prime_implicants(on: set[int], dont_care: set[int], levels: Sequence[int]) -> set[str]:
    """Quine-McCluskey for multi-value conditions (Cronqvist and Berg-Schlosser 2009; Dusa and Thiem 2015).

    Terms that agree everywhere but in one condition, and together take every level of it, merge into the
    term without that condition; the terms that merge no further are prime. With two levels everywhere this
    is the classical procedure.
    """
    k = len(levels)
    current = {_minterm_pattern(m, k, levels) for m in on | dont_care}
    primes: set[str] = set()
    while current:
        siblings: dict[tuple[int, str], set[str]] = defaultdict(set)
        for term in current:
            for i, symbol in enumerate(term):
                if symbol != "-":
                    siblings[(i, term[:i] + "-" + term[i + 1 :])].add(term)
        merged: set[str] = set()
        used: set[str] = set()
        for (i, reduced), group in siblings.items():
            if len(group) == levels[i]:
                merged.add(reduced)
                used |= group
        primes |= current - used
        current = merged
    return primes


def _mv_implicant_order(implicant: str) -> tuple[int, tuple[tuple[int, int], ...]]:
    # Fewer literals first; then by the conditions used (earlier conditions first), then by level, as R QCA
    # lists multi-value prime implicants.
    return (
        sum(symbol != "-" for symbol in implicant),
        tuple((1, 0) if symbol == "-" else (0, int(symbol)) for symbol in implicant),
    )


def prime_implicants(on: Iterable[int], dont_care: Iterable[int], k: int, levels: Levels = None) -> list[str]:
    """Quine-McCluskey: all prime implicants of the minterms ``on``, ``dont_care`` usable for merging.

    Minterms differing in one condition are merged repeatedly (Quine 1952; McCluskey 1956); the terms that
    merge no further are prime. Primes covering only don't-care minterms are dropped. With ``levels`` (the
    number of levels of each of the k conditions) the multi-value generalisation is used.
    """
    if levels is not None:
        if len(levels) != k:
            raise ValueError(f"{len(levels)} levels given for {k} conditions")
        on = set(on)
        primes = _mv_prime_implicants(on, set(dont_care), levels)
        return sorted((p for p in primes if any(_covers(p, m, levels) for m in on)), key=_mv_implicant_order)
    on = set(on)
    current = {_minterm_pattern(m, k) for m in on | set(dont_care)}
    primes: set[str] = set()
    while current:
        groups: dict[tuple[str, int], list[str]] = defaultdict(list)
        for term in current:
            groups[(term.replace("1", "0"), term.count("1"))].append(term)
        merged: set[str] = set()
        used: set[str] = set()
        for (dashes, ones), group in groups.items():
            for lower in group:
                for upper in groups.get((dashes, ones + 1), ()):
                    differing = [i for i in range(k) if lower[i] != upper[i]]
                    if len(differing) == 1:
                        i = differing[0]
                        merged.add(lower[:i] + "-" + lower[i + 1 :])
                        used.update((lower, upper))
        primes |= current - used
        current = merged
    return sorted((p for p in primes if any(_covers(p, m) for m in on)), key=_implicant_order)


def _implicant_order(implicant: str) -> tuple[int, str]:
    # Fewer literals first; then presence before absence, in condition order ("1" < "0" < "-" after mapping).
    return (sum(symbol != "-" for symbol in implicant), implicant.translate(str.maketrans("10-", "012")))


def minimal_covers(primes: Sequence[str], on: Iterable[int], levels: Levels = None) -> list[tuple[str, ...]]:
    """Every cover of ``on`` with the fewest prime implicants (the prime implicant chart, solved exactly).

    Essential prime implicants (sole cover of some minterm) belong to every cover; the rest of the chart is
    searched by iterative deepening, branching on the minterm with fewest candidates (a depth-first Petrick
    search). Same criterion as R QCA's ``solveChart``: minimal number of prime implicants, all ties kept.
    With multi-value ``levels`` the models come in R QCA's order: each model's terms in prime implicant
    order, models in lexicographic order of their terms' places in that order (M1, M2, ...).
    """
    on = sorted(set(on))
    chart = {p: frozenset(m for m in on if _covers(p, m, levels)) for p in primes}
    if not on:
        return []
    uncovered_by_any = set(on) - set().union(*chart.values())
    if uncovered_by_any:
        raise ValueError(f"minterms {sorted(uncovered_by_any)} are covered by no prime implicant")
    essential = {next(p for p in primes if m in chart[p]) for m in on if sum(m in chart[p] for p in primes) == 1}
    remaining = frozenset(on) - frozenset().union(*(chart[p] for p in essential))
    candidates = [p for p in primes if p not in essential and chart[p] & remaining]

    def search(left: frozenset[int], chosen: frozenset[str], depth: int, found: set[frozenset[str]]) -> None:
        if not left:
            found.add(chosen)
            return
        if depth == 0:
            return
        pivot = min(left, key=lambda m: sum(m in chart[p] for p in candidates))
        for p in candidates:
            if pivot in chart[p] and p not in chosen:
                search(left - chart[p], chosen | {p}, depth - 1, found)

    for depth in range(len(candidates) + 1):
        found: set[frozenset[str]] = set()
        search(remaining, frozenset(), depth, found)
        if found:
            break
    if levels is not None:
        rank = {p: i for i, p in enumerate(sorted(primes, key=_mv_implicant_order))}
        return sorted(
            (tuple(sorted(essential | cover, key=rank.__getitem__)) for cover in found),
            key=lambda cover: [rank[p] for p in cover],
        )
    covers = [tuple(sorted(essential | cover, key=_implicant_order)) for cover in found]
    return sorted(
        covers, key=lambda cover: (sum(_implicant_order(p)[0] for p in cover), [_implicant_order(p) for p in cover])
    )


# --------------------------------------------------------------------------------------------------------------
# Truth table
# --------------------------------------------------------------------------------------------------------------


def _outcome_code(
    n: int,
    incl: float,
    pri: float,
    both_sides: bool,
    crisp_outcome: bool,
    incl_cut: float,
    incl_cut0: float | None,
    n_cut: int,
    pri_cut: float,
) -> str:
    """A truth-table row's output code ("1", "0", "C" or "?"), by the rules documented in ``truth_table``."""
    if n < n_cut:
        return "?"
    if incl >= incl_cut - _TOLERANCE and pri >= pri_cut - _TOLERANCE:
        return "1"
    if incl_cut0 is not None:
        return "C" if incl >= incl_cut0 - _TOLERANCE and incl < incl_cut - _TOLERANCE else "0"
    return "C" if crisp_outcome and both_sides else "0"


def _check_cuts(incl_cut: float, incl_cut0: float | None, n_cut: int) -> None:
    if n_cut < 1:
        raise ValueError(f"n_cut must be at least 1, got {n_cut}")
    if incl_cut0 is not None and incl_cut0 > incl_cut:
        raise ValueError(f"incl_cut0 ({incl_cut0}) must not exceed incl_cut ({incl_cut})")


def truth_table(
    data: pd.DataFrame,
    conditions: Sequence[str],
    outcome: str,
    *,
    incl_cut: float = 0.8,
    incl_cut0: float | None = None,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    complete: bool = True,
    case_id: str | None = None,
) -> pd.DataFrame:
    """Truth table of calibrated (crisp 0/1 or fuzzy) data: one row per configuration of the conditions.

    A case belongs to the configuration in which its membership exceeds 0.5 (Ragin 2008); an exact
    0.5 in a condition is rejected, since such a case belongs to no configuration. Per row:
    ``n`` (cases), ``cases``, ``incl`` = sum min(X, Y) / sum X with X the cases' membership in the
    configuration, ``PRI`` (see ``_pri``), ``deviant_cases`` (cases in the row with outcome < 0.5, R's DCC)
    and ``contradiction`` (cases on both sides of the outcome's 0.5). The outcome code ``OUT``, as R's
    ``truthTable``:

    - ``"?"``: logical remainder, fewer than ``n_cut`` cases (``incl``/``PRI`` are NaN when n = 0);
    - ``"1"``: ``incl >= incl_cut`` and ``PRI >= pri_cut``;
    - ``"C"``: ``incl_cut0 <= incl < incl_cut`` when ``incl_cut0`` is given (R's ``incl.cut = c(ic1, ic0)``);
      when it is not and the outcome is crisp, a row with cases on both sides that is not coded 1 is a
      contradiction as in classical csQCA (Rihoux & De Meur 2009, ch. 3), to be resolved before minimising;
    - ``"0"``: otherwise.

    ``outcome`` may be negated (``"~Y"``). ``complete=False`` keeps only observed configurations (the others
    are still remainders for ``minimize``). The calibrated memberships and the options are kept in
    ``DataFrame.attrs`` for ``minimize``.
    """
    _check_cuts(incl_cut, incl_cut0, n_cut)
    frame = _membership_frame(data, conditions, outcome, case_id)
    at_crossover = frame[list(conditions)].eq(0.5)
    if at_crossover.to_numpy().any():
        case, condition = at_crossover.stack().loc[lambda s: s].index[0]
        raise ValueError(
            f"condition {condition!r}, case {case!r}: membership is exactly 0.5, so the case belongs to no "
            "truth-table row; move the crossover anchor off observed values (Ragin 2008, ch. 5)"
        )
    k = len(conditions)
    y = frame[outcome].to_numpy()
    crisp_outcome = bool(np.isin(y, (0.0, 1.0)).all())
    bits = (frame[list(conditions)].to_numpy() > 0.5).astype(int)
    case_minterm = bits @ (1 << np.arange(k - 1, -1, -1))
    minterms = range(2**k) if complete else sorted(set(case_minterm.tolist()))
    rows = []
    for minterm in minterms:
        implicant = _minterm_pattern(minterm, k)
        in_row = case_minterm == minterm
        n = int(in_row.sum())
        x = _implicant_membership(implicant, frame, conditions)
        incl = _consistency(x, y) if n else math.nan
        pri = _pri(x, y) if n else math.nan
        both_sides = bool(n and (y[in_row] > 0.5).any() and (y[in_row] < 0.5).any())
        code = _outcome_code(n, incl, pri, both_sides, crisp_outcome, incl_cut, incl_cut0, n_cut, pri_cut)
        rows.append(
            {
                "row": minterm + 1,
                "configuration": _expression(implicant, conditions),
                **{name: int(symbol) for name, symbol in zip(conditions, implicant, strict=True)},
                "OUT": code,
                "n": n,
                "incl": incl,
                "PRI": pri,
                "cases": ",".join(frame.index[in_row]),
                "deviant_cases": ",".join(frame.index[in_row & (y < 0.5)]),
                "contradiction": both_sides,
            }
        )
    table = pd.DataFrame(rows)
    table.attrs.update(
        {
            "qca_memberships": frame,
            "conditions": list(conditions),
            "outcome": outcome,
            "options": {"incl_cut": incl_cut, "incl_cut0": incl_cut0, "n_cut": n_cut, "pri_cut": pri_cut},
        }
    )
    return table


# --------------------------------------------------------------------------------------------------------------
# Multi-value truth table (mvQCA)
# --------------------------------------------------------------------------------------------------------------

MV_NOTATIONS = ("{}", "[]")
_MV_MAX_LEVELS = 10  # implicants hold one character per condition
_MV_OUTCOME = re.compile(r"^\s*(?P<name>.+?)\s*[{\[]\s*(?P<value>\d+)\s*[}\]]\s*$")


def _mv_outcome(data: pd.DataFrame, outcome: str) -> np.ndarray:
    """Membership in the outcome: a column of memberships, or a multi-value outcome's level (``"E{3}"``)."""
    name, negate = _negated(outcome)
    if name in data.columns:
        y = pd.to_numeric(data[name], errors="coerce").to_numpy(float)
        bad = ~((y >= 0) & (y <= 1))
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"outcome column {name!r}, case {data.index[at]!r}: expected a set membership in [0, 1], "
                f"got {data[name].iloc[at]!r}; name a level of a multi-value outcome as {name}{{level}}"
            )
    else:
        match = _MV_OUTCOME.match(name)
        if not match or match["name"] not in data.columns:
            raise KeyError(
                f"outcome {outcome!r} is neither a column nor a level of one, e.g. 'E{{3}}' "
                f"(columns: {list(data.columns)})"
            )
        values = pd.to_numeric(data[match["name"]], errors="coerce")
        if values.isna().any():
            at = int(np.flatnonzero(values.isna().to_numpy())[0])
            raise ValueError(
                f"outcome column {match['name']!r}, case {data.index[at]!r}: value missing or not a number"
            )
        y = (values.to_numpy(float) == int(match["value"])).astype(float)
    return 1.0 - y if negate else y


def _mv_levels(
    frame: pd.DataFrame, conditions: Sequence[str], levels: Mapping[str, int] | Sequence[int] | None
) -> tuple[int, ...]:
    observed = [int(frame[name].max()) + 1 if len(frame) else 1 for name in conditions]
    if levels is None:
        chosen = [max(2, count) for count in observed]
    elif isinstance(levels, Mapping):
        unknown = set(levels) - set(conditions)
        if unknown:
            raise ValueError(
                f"levels given for unknown conditions {sorted(unknown)}; conditions are {list(conditions)}"
            )
        chosen = [int(levels.get(name, max(2, count))) for name, count in zip(conditions, observed, strict=True)]
    else:
        chosen = [int(count) for count in levels]
        if len(chosen) != len(conditions):
            raise ValueError(f"{len(chosen)} levels given for {len(conditions)} conditions")
    for name, count, seen in zip(conditions, chosen, observed, strict=True):
        if not 2 <= count <= _MV_MAX_LEVELS:
            raise ValueError(f"condition {name!r}: {count} levels; expected from 2 to {_MV_MAX_LEVELS}")
        if seen > count:
            raise ValueError(f"condition {name!r} has level {seen - 1}, beyond its {count} levels (0 to {count - 1})")
    return tuple(chosen)


def _mv_frame(
    data: pd.DataFrame,
    conditions: Sequence[str],
    outcome: str,
    case_id: str | None,
) -> pd.DataFrame:
    """Validated multi-value conditions (integer levels 0, 1, 2, ...) and the outcome membership column."""
    if not conditions:
        raise ValueError("at least one condition is needed")
    if len(set(conditions)) != len(conditions):
        raise ValueError(f"conditions must be distinct, got {list(conditions)}")
    missing = [name for name in conditions if name not in data.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the data (columns: {list(data.columns)})")
    outcome_name = _negated(outcome)[0]
    match = _MV_OUTCOME.match(outcome_name)
    if outcome_name in conditions or (match and outcome_name not in data.columns and match["name"] in conditions):
        raise ValueError(f"the outcome {outcome!r} cannot also be a condition")
    labels = _case_labels(data, case_id)
    frame = pd.DataFrame(index=pd.Index(labels, name="case"))
    for name in conditions:
        raw = data[name]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(float)
        bad = np.isnan(values) | (values < 0) | (values != np.round(values))
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"column {name!r}, case {labels[at]!r}: expected a multi-value condition's level "
                f"(an integer 0, 1, 2, ...), got {raw.iloc[at]!r}"
            )
        frame[name] = values.astype(int)
    frame[outcome] = _mv_outcome(data.set_axis(frame.index, axis=0), outcome)
    return frame


def mv_truth_table(
    data: pd.DataFrame,
    conditions: Sequence[str],
    outcome: str,
    *,
    levels: Mapping[str, int] | Sequence[int] | None = None,
    incl_cut: float = 0.8,
    incl_cut0: float | None = None,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    complete: bool = True,
    case_id: str | None = None,
    notation: str = "{}",
) -> pd.DataFrame:
    """Truth table of multi-value conditions (mvQCA; Cronqvist and Berg-Schlosser 2009, in Rihoux and Ragin,
    "Configurational Comparative Methods", ch. 4; Dusa 2019): one row per combination of the conditions' levels.

    Conditions hold integer levels 0, 1, 2, ... (e.g. from ``calibrate_crisp`` with several thresholds); a
    two-level condition is an ordinary crisp set. ``levels`` gives each condition's number of levels (a mapping
    or one number per condition); by default the highest level seen plus one, as R QCA. The outcome is a column
    of set memberships (crisp or fuzzy, ``"~Y"`` for its negation) or one level of a multi-value column
    (``"E{3}"``, or ``"E[3]"``; ``"~E{3}"`` for the other levels). Rows are numbered as R QCA numbers them:
    row = 1 + the configuration read as a mixed-radix number, the first condition most significant. Each case
    belongs to the row of its levels; ``n``, ``incl``, ``PRI``, ``cases``, ``deviant_cases``, ``contradiction``
    and the output code ``OUT`` are as in ``truth_table`` (same cut-offs and rules). ``configuration`` is written
    in mvQCA notation, ``DEV{2}*URB{0}``, or ``DEV[2]*URB[0]`` with ``notation="[]"`` (R QCA 3's printing).
    ``minimize`` takes the table as it takes a crisp one (complex and parsimonious solutions).
    """
    _check_cuts(incl_cut, incl_cut0, n_cut)
    if notation not in MV_NOTATIONS:
        raise ValueError(f"notation must be one of {MV_NOTATIONS}, got {notation!r}")
    frame = _mv_frame(data, conditions, outcome, case_id)
    sizes = _mv_levels(frame, conditions, levels)
    total = math.prod(sizes)
    if complete and total > 2**20:
        raise ValueError(f"{total:,} configurations are too many to list; use complete=False")
    y = frame[outcome].to_numpy()
    crisp_outcome = bool(np.isin(y, (0.0, 1.0)).all())
    case_minterm = np.zeros(len(frame), dtype=np.int64)
    for name, base in zip(conditions, sizes, strict=True):
        case_minterm = case_minterm * base + frame[name].to_numpy()
    minterms = range(total) if complete else sorted(set(case_minterm.tolist()))
    rows = []
    for minterm in minterms:
        pattern = _minterm_pattern(minterm, len(conditions), sizes)
        in_row = case_minterm == minterm
        n = int(in_row.sum())
        x = in_row.astype(float)
        incl = _consistency(x, y) if n else math.nan
        pri = _pri(x, y) if n else math.nan
        both_sides = bool(n and (y[in_row] > 0.5).any() and (y[in_row] < 0.5).any())
        rows.append(
            {
                "row": minterm + 1,
                "configuration": _expression(pattern, conditions, sizes, notation),
                **{name: int(symbol) for name, symbol in zip(conditions, pattern, strict=True)},
                "OUT": _outcome_code(n, incl, pri, both_sides, crisp_outcome, incl_cut, incl_cut0, n_cut, pri_cut),
                "n": n,
                "incl": incl,
                "PRI": pri,
                "cases": ",".join(frame.index[in_row]),
                "deviant_cases": ",".join(frame.index[in_row & (y < 0.5)]),
                "contradiction": both_sides,
            }
        )
    table = pd.DataFrame(rows, columns=["row", "configuration", *conditions, *TRUTH_TABLE_COLUMNS[3:]])
    table.attrs.update(
        {
            "qca_memberships": frame,
            "conditions": list(conditions),
            "outcome": outcome,
            "levels": sizes,
            "options": {
                "incl_cut": incl_cut,
                "incl_cut0": incl_cut0,
                "n_cut": n_cut,
                "pri_cut": pri_cut,
                "levels": sizes,
                "notation": notation,
            },
        }
    )
    return table


# --------------------------------------------------------------------------------------------------------------
# Minimisation
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One sufficient conjunction (prime implicant) of a solution, with its parameters of fit."""

    expression: str
    implicant: str  # one character per condition: "1" present, "0" absent (mvQCA: the level), "-" eliminated
    consistency: float  # inclS: sum min(T, Y) / sum T
    pri: float
    coverage: float  # raw coverage covS: sum min(T, Y) / sum Y
    unique_coverage: float  # covU: coverage of the model minus coverage of the model without this term
    cases: tuple[str, ...]  # cases with membership > 0.5 in the term


@dataclass(frozen=True)
class Solution:
    """One solution model (R's M1, M2, ...; for intermediate solutions C<i>P<j>-M<m>)."""

    kind: str
    model: str
    outcome: str
    terms: tuple[Term, ...]
    consistency: float
    pri: float
    coverage: float
    simplifying_assumptions: tuple[int, ...]  # truth-table rows of the remainders the model covers
    easy_counterfactuals: tuple[int, ...]  # intermediate solutions: remainders admitted as easy counterfactuals
    contradictory_assumptions: tuple[int, ...]  # simplifying assumptions also used for the negated outcome
    contradictory_configurations: tuple[int, ...]  # rows coded "C", left unexplained

    @property
    def expression(self) -> str:
        return OR.join(term.expression for term in self.terms)

    def __str__(self) -> str:
        return f"{self.model}: {self.expression} -> {self.outcome}"


def _truth_table_parts(tt: pd.DataFrame) -> tuple[pd.DataFrame, list[str], str, dict]:
    try:
        return tt.attrs["qca_memberships"], tt.attrs["conditions"], tt.attrs["outcome"], tt.attrs["options"]
    except KeyError:
        raise ValueError("minimize needs a table made by truth_table() (its attrs carry the memberships)") from None


def _row_sets(tt: pd.DataFrame, size: int, exclude: Iterable[int]) -> tuple[set[int], set[int], set[int], set[int]]:
    """Positive, negative (0 and excluded), contradictory and remainder minterms of a truth table."""
    codes = dict(zip(tt["row"].astype(int) - 1, tt["OUT"].astype(str), strict=True))
    unknown = set(codes.values()) - {"1", "0", "C", "?"}
    if unknown:
        raise ValueError(f"truth table column OUT: expected codes 1, 0, C or ?, got {sorted(unknown)}")
    excluded = {int(row) - 1 for row in exclude}
    positive = {m for m, code in codes.items() if code == "1"}
    if excluded & positive:
        raise ValueError(f"rows {sorted(m + 1 for m in excluded & positive)} are coded 1 and cannot be excluded")
    contradictory = {m for m, code in codes.items() if code == "C"}
    negative = {m for m, code in codes.items() if code == "0"} | excluded
    # Rows absent from the table (complete=False) are remainders, as in R.
    remainders = set(range(size)) - positive - negative - contradictory
    return positive, negative, contradictory, remainders


def _parsimonious_covers(
    positive: set[int], remainders: set[int], k: int, levels: Levels = None
) -> list[tuple[str, ...]]:
    if not positive:
        return []
    return minimal_covers(prime_implicants(positive, remainders, k, levels), positive, levels)


def _simplifying_assumptions(cover: Sequence[str], remainders: set[int], levels: Levels = None) -> set[int]:
    return {m for implicant in cover for m in _expand(implicant, levels) if m in remainders}


def _direction_codes(directional: Mapping[str, object] | None, conditions: Sequence[str]) -> list[str]:
    """Directional expectations as "1", "0" or "-" per condition (missing conditions: "-")."""
    if not directional:
        raise ValueError('the intermediate solution needs directional expectations, e.g. {"A": 1, "B": "-"}')
    unknown = set(directional) - set(conditions)
    if unknown:
        raise ValueError(
            f"directional expectations name unknown conditions {sorted(unknown)}; conditions are {list(conditions)}"
        )
    codes = []
    for name in conditions:
        value = str(directional.get(name, "-")).strip()
        if value not in {"1", "0", "-"}:
            raise ValueError(f"directional expectation for {name!r}: expected 1, 0 or '-', got {directional[name]!r}")
        codes.append(value)
    return codes


def _easy_counterfactuals(
    complex_cover: Sequence[str], pars_cover: Sequence[str], directions: Sequence[str], remainders: set[int]
) -> set[int]:
    """Remainders usable as easy counterfactuals (Ragin & Sonnett 2005), computed as in R QCA (C_getEC).

    For each complex term c and each parsimonious term p that contains it, the literals of c that p drops
    and that run against the directional expectation are dropped too; the remainders of p's simplifying
    assumptions that fall inside the resulting terms are the easy counterfactuals.
    """
    targets: list[str] = []
    for c in complex_cover:
        for p in pars_cover:
            if all(ps == "-" or ps == cs for ps, cs in zip(p, c, strict=True)):
                targets.append(
                    "".join(
                        "-" if (ps == "-" and cs != "-" and d != "-" and d != cs) else cs
                        for cs, ps, d in zip(c, p, directions, strict=True)
                    )
                )
    pars_assumptions = _simplifying_assumptions(pars_cover, remainders)
    return {m for m in pars_assumptions if any(_covers(t, m) for t in targets)}


def _fit(
    kind: str,
    model: str,
    cover: Sequence[str],
    frame: pd.DataFrame,
    conditions: Sequence[str],
    outcome: str,
    *,
    remainders: set[int],
    easy: set[int],
    negation_assumptions: set[int],
    contradictory: set[int],
    levels: Levels = None,
    notation: str = "{}",
) -> Solution:
    """Parameters of fit of a model and of each of its terms (R QCA's inclS, PRI, covS, covU)."""
    y = frame[outcome].to_numpy()
    memberships = [_implicant_membership(implicant, frame, conditions, levels) for implicant in cover]
    union = np.max(memberships, axis=0) if memberships else np.zeros(len(frame))
    model_coverage = _coverage(union, y)
    terms = []
    for i, (implicant, x) in enumerate(zip(cover, memberships, strict=True)):
        others = [m for j, m in enumerate(memberships) if j != i]
        without = _coverage(np.max(others, axis=0), y) if others else 0.0
        terms.append(
            Term(
                expression=_expression(implicant, conditions, levels, notation),
                implicant=implicant,
                consistency=_consistency(x, y),
                pri=_pri(x, y),
                coverage=_coverage(x, y),
                unique_coverage=model_coverage - without,
                cases=tuple(frame.index[x > 0.5]),
            )
        )
    assumptions = _simplifying_assumptions(cover, remainders, levels)
    return Solution(
        kind=kind,
        model=model,
        outcome=outcome,
        terms=tuple(terms),
        consistency=_consistency(union, y),
        pri=_pri(union, y),
        coverage=model_coverage,
        simplifying_assumptions=tuple(sorted(m + 1 for m in assumptions)),
        easy_counterfactuals=tuple(sorted(m + 1 for m in easy)),
        contradictory_assumptions=tuple(sorted(m + 1 for m in assumptions & negation_assumptions)),
        contradictory_configurations=tuple(sorted(m + 1 for m in contradictory)),
    )


def minimize(
    tt: pd.DataFrame,
    kind: str = "complex",
    directional: Mapping[str, object] | None = None,
    *,
    exclude: Iterable[int] = (),
    negated: pd.DataFrame | None = None,
) -> list[Solution]:
    """Boolean minimisation of a truth table made by ``truth_table``: every equally minimal model.

    - ``"complex"`` (conservative): the positive rows (OUT = 1) only;
    - ``"parsimonious"``: remainders (OUT = ?) may be used wherever they simplify;
    - ``"intermediate"``: only easy counterfactuals, i.e. remainders consistent with the ``directional``
      expectations (``{"A": 1, "B": 0, "C": "-"}``: A's presence and B's absence are expected to contribute
      to the outcome, no expectation for C). One set of models per pair of complex and parsimonious model,
      labelled C<i>P<j>-M<m> as in R's ``i.sol``.

    Rows coded 0 or "C" are never covered (contradictions stay unexplained and are reported in
    ``contradictory_configurations``). A multi-value table (``mv_truth_table``) gives complex and parsimonious
    solutions in mvQCA notation (``DEV{2} + DEV{1}*IND{0}``), by the multi-value Quine-McCluskey procedure;
    intermediate solutions with multi-value directional expectations are not provided. ``exclude`` lists remainder rows to treat as negative (untenable or
    contradictory assumptions; Schneider & Wagemann's enhanced standard analysis). Simplifying assumptions are
    checked against the parsimonious models of the negated outcome (``negated``, by default the truth table
    of ``~outcome`` with the same cut-offs): a remainder used by a model and by any parsimonious model of the
    negated outcome is a contradictory simplifying assumption. Returns an empty list if no row is coded 1.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    frame, conditions, outcome, options = _truth_table_parts(tt)
    k = len(conditions)
    levels = tt.attrs.get("levels")
    notation = options.get("notation", "{}")
    if levels is not None and kind == "intermediate":
        raise ValueError("intermediate solutions are not provided for multi-value truth tables")
    size = math.prod(levels) if levels is not None else 2**k
    exclude = [int(row) for row in exclude]
    positive, negative, contradictory, remainders = _row_sets(tt, size, exclude)
    if not positive:
        return []

    negation_assumptions: set[int] = set()
    if kind != "complex":
        if negated is None:
            # frame[outcome] holds the membership in the analysed outcome, itself possibly "~Y": negate it.
            base = _negated(outcome)[0]
            build = mv_truth_table if levels is not None else truth_table
            negated = build(frame.rename(columns={outcome: base}), conditions, f"{NOT}{base}", **options)
        neg_positive, _, _, neg_remainders = _row_sets(negated, size, exclude)
        for cover in _parsimonious_covers(neg_positive, neg_remainders & remainders, k, levels):
            negation_assumptions |= _simplifying_assumptions(cover, remainders, levels)

    common = {
        "remainders": remainders,
        "negation_assumptions": negation_assumptions,
        "contradictory": contradictory,
        "levels": levels,
        "notation": notation,
    }
    complex_covers = minimal_covers(prime_implicants(positive, (), k, levels), positive, levels)
    if kind == "complex":
        return [
            _fit(kind, f"M{i}", cover, frame, conditions, outcome, easy=set(), **common)
            for i, cover in enumerate(complex_covers, 1)
        ]
    pars_covers = _parsimonious_covers(positive, remainders, k, levels)
    if kind == "parsimonious":
        return [
            _fit(kind, f"M{i}", cover, frame, conditions, outcome, easy=set(), **common)
            for i, cover in enumerate(pars_covers, 1)
        ]
    directions = _direction_codes(directional, conditions)
    solutions = []
    for (i, complex_cover), (j, pars_cover) in itertools.product(
        enumerate(complex_covers, 1), enumerate(pars_covers, 1)
    ):
        easy = _easy_counterfactuals(complex_cover, pars_cover, directions, remainders)
        covers = minimal_covers(prime_implicants(positive, easy, k), positive)
        solutions += [
            _fit(kind, f"C{i}P{j}-M{m}", cover, frame, conditions, outcome, easy=easy, **common)
            for m, cover in enumerate(covers, 1)
        ]
    return solutions


# --------------------------------------------------------------------------------------------------------------
# Tables for the marts
# --------------------------------------------------------------------------------------------------------------

TRUTH_TABLE_COLUMNS = [
    "outcome",
    "row",
    "configuration",
    "OUT",
    "n",
    "incl",
    "PRI",
    "cases",
    "deviant_cases",
    "contradiction",
]
SOLUTION_COLUMNS = [
    "outcome",
    "kind",
    "model",
    "n_models",
    "solution",
    "term",
    "term_consistency",
    "term_pri",
    "term_coverage",
    "term_unique_coverage",
    "term_cases",
    "solution_consistency",
    "solution_pri",
    "solution_coverage",
    "simplifying_assumptions",
    "easy_counterfactuals",
    "contradictory_assumptions",
    "contradictory_configurations",
]


def qca_truth_table(
    data: pd.DataFrame,
    conditions: Sequence[str],
    outcome: str,
    *,
    incl_cut: float = 0.8,
    incl_cut0: float | None = None,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    case_id: str | None = None,
) -> pd.DataFrame:
    """Mart table ``qca_truth_table``: one row per configuration (all 2^k), conditions spelled in ``configuration``."""
    tt = truth_table(
        data, conditions, outcome, incl_cut=incl_cut, incl_cut0=incl_cut0, n_cut=n_cut, pri_cut=pri_cut, case_id=case_id
    )
    table = tt.assign(outcome=outcome)[TRUTH_TABLE_COLUMNS]
    table.attrs = {}
    return table


def _joined(rows: Iterable[int]) -> str:
    return ",".join(str(row) for row in rows)


def qca_solutions(
    data: pd.DataFrame,
    conditions: Sequence[str],
    outcome: str,
    *,
    directional: Mapping[str, object] | None = None,
    incl_cut: float = 0.8,
    incl_cut0: float | None = None,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    exclude: Iterable[int] = (),
    case_id: str | None = None,
) -> pd.DataFrame:
    """Mart table ``qca_solutions``: one row per solution kind x model x term.

    Complex and parsimonious solutions always; the intermediate one when ``directional`` is given. The
    model-level measures and flags repeat on each of the model's terms; row lists are comma-separated
    truth-table row numbers.
    """
    tt = truth_table(
        data, conditions, outcome, incl_cut=incl_cut, incl_cut0=incl_cut0, n_cut=n_cut, pri_cut=pri_cut, case_id=case_id
    )
    kinds = [kind for kind in KINDS if kind != "intermediate" or directional]
    return _solutions_table(tt, outcome, kinds, directional, exclude)


def _solutions_table(
    tt: pd.DataFrame,
    outcome: str,
    kinds: Sequence[str],
    directional: Mapping[str, object] | None,
    exclude: Iterable[int],
) -> pd.DataFrame:
    records = []
    for kind in kinds:
        solutions = minimize(tt, kind, directional, exclude=exclude)
        for solution in solutions:
            for term in solution.terms:
                records.append(
                    {
                        "outcome": outcome,
                        "kind": kind,
                        "model": solution.model,
                        "n_models": len(solutions),
                        "solution": solution.expression,
                        "term": term.expression,
                        "term_consistency": term.consistency,
                        "term_pri": term.pri,
                        "term_coverage": term.coverage,
                        "term_unique_coverage": term.unique_coverage,
                        "term_cases": ",".join(term.cases),
                        "solution_consistency": solution.consistency,
                        "solution_pri": solution.pri,
                        "solution_coverage": solution.coverage,
                        "simplifying_assumptions": _joined(solution.simplifying_assumptions),
                        "easy_counterfactuals": _joined(solution.easy_counterfactuals),
                        "contradictory_assumptions": _joined(solution.contradictory_assumptions),
                        "contradictory_configurations": _joined(solution.contradictory_configurations),
                    }
                )
    if not records:  # no configuration passes the cut-offs: an empty table, typed as a full one would be
        kinds_of = {"n_models": "int64"} | {
            c: "float64" for c in SOLUTION_COLUMNS if c.startswith(("term_", "solution_"))
        }
        return pd.DataFrame(columns=SOLUTION_COLUMNS).astype({"term_cases": object, **kinds_of, "solution": object})
    return pd.DataFrame(records, columns=SOLUTION_COLUMNS)


def qca_mv_truth_table(
    data: pd.DataFrame,
    conditions: Sequence[str],
    outcome: str,
    *,
    levels: Mapping[str, int] | Sequence[int] | None = None,
    incl_cut: float = 0.8,
    incl_cut0: float | None = None,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    case_id: str | None = None,
) -> pd.DataFrame:
    """Mart table ``qca_truth_table`` for multi-value conditions (``mv_truth_table``): one row per combination of
    levels, spelled ``LEAD{2}*PM{0}`` in ``configuration``."""
    tt = mv_truth_table(
        data,
        conditions,
        outcome,
        levels=levels,
        incl_cut=incl_cut,
        incl_cut0=incl_cut0,
        n_cut=n_cut,
        pri_cut=pri_cut,
        case_id=case_id,
    )
    table = tt.assign(outcome=outcome)[TRUTH_TABLE_COLUMNS]
    table.attrs = {}
    return table


def qca_mv_solutions(
    data: pd.DataFrame,
    conditions: Sequence[str],
    outcome: str,
    *,
    levels: Mapping[str, int] | Sequence[int] | None = None,
    incl_cut: float = 0.8,
    incl_cut0: float | None = None,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    exclude: Iterable[int] = (),
    case_id: str | None = None,
) -> pd.DataFrame:
    """Mart table ``qca_solutions`` for multi-value conditions: the complex and parsimonious solutions of
    ``minimize`` on ``mv_truth_table`` (intermediate solutions are not provided for multi-value tables)."""
    tt = mv_truth_table(
        data,
        conditions,
        outcome,
        levels=levels,
        incl_cut=incl_cut,
        incl_cut0=incl_cut0,
        n_cut=n_cut,
        pri_cut=pri_cut,
        case_id=case_id,
    )
    return _solutions_table(tt, outcome, ["complex", "parsimonious"], None, exclude)


def qca_necessity(
    data: pd.DataFrame, conditions: Sequence[str], outcome: str, *, case_id: str | None = None
) -> pd.DataFrame:
    """Mart table ``qca_necessity``: one row per condition and negated condition (see ``necessity``)."""
    return necessity(data, conditions, outcome, case_id=case_id)
