"""Internal-consistency reliability of survey constructs: Cronbach's alpha with Feldt's confidence interval.

- Alpha: Cronbach, L. J. (1951), "Coefficient alpha and the internal structure of tests", Psychometrika
  16(3):297-334, alpha = k / (k - 1) * (1 - sum of item variances / variance of the total score). It equals
  Hoyt's (1941) ANOVA reliability and Shrout & Fleiss's (1979) ICC(3,k).
- Interval: Feldt, L. S. (1965), Psychometrika 30(3):357-370, as set out by Feldt, Woodruff & Salih (1987),
  "Statistical inference for coefficient alpha", Applied Psychological Measurement 11(1):93-103, p. 95,
  formulas 6 and 7: (1 - alpha) / (1 - population alpha) follows an F distribution with n - 1 and
  (n - 1)(k - 1) degrees of freedom.

Items must already be reverse-coded. Respondents missing any item of the construct are left out (listwise
deletion), so alpha and its interval rest on one set of complete cases, as the F theory assumes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

MIN_RESPONDENTS = 3
MIN_ITEMS = 2

ALPHA_COLUMNS = ["n_respondents", "k_items", "alpha", "alpha_ci_low", "alpha_ci_high", "note"]


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's (1951) coefficient alpha of one construct.

    Rows are respondents, columns are the construct's items (already reverse-coded). Respondents with any
    missing item are dropped (listwise deletion). Sample variances (n - 1 denominator) are used throughout;
    the ratio makes the choice immaterial. Returns NaN when alpha is undefined: fewer than two items, fewer
    than two complete respondents, or no variance in the total score.

    Cronbach, L. J. (1951), Psychometrika 16(3):297-334.
    """
    values = items.dropna(axis=0, how="any").to_numpy(dtype=float)
    n_respondents, k_items = values.shape
    if k_items < 2 or n_respondents < 2:
        return float("nan")
    total_variance = values.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return float("nan")
    item_variances = values.var(axis=0, ddof=1).sum()
    return float(k_items / (k_items - 1) * (1 - item_variances / total_variance))


def cronbach_alpha_ci(alpha: float, n_respondents: int, k_items: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval for coefficient alpha.

    lower = 1 - (1 - alpha) * F(1 - c/2; n - 1, (n - 1)(k - 1)),
    upper = 1 - (1 - alpha) * F(c/2; n - 1, (n - 1)(k - 1)), with c = 1 - level and F(p; d1, d2) the
    p-quantile of the F distribution: Feldt (1965), Psychometrika 30(3):357-370; Feldt, Woodruff & Salih
    (1987), Applied Psychological Measurement 11(1):93-103, p. 95, formulas 6-7. `n_respondents` is the
    number of complete cases alpha was computed on. (NaN, NaN) when alpha is NaN, n < 2 or k < 2.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    if pd.isna(alpha) or n_respondents < 2 or k_items < 2:
        return float("nan"), float("nan")
    df_num = n_respondents - 1
    df_den = (n_respondents - 1) * (k_items - 1)
    tail = (1 - level) / 2
    low = 1 - (1 - alpha) * stats.f.ppf(1 - tail, df_num, df_den)
    high = 1 - (1 - alpha) * stats.f.ppf(tail, df_num, df_den)
    return float(low), float(high)


def alpha_by_group(
    scores: pd.DataFrame,
    group_cols: list[str],
    item_col: str,
    respondent_col: str,
    score_col: str,
    level: float = 0.95,
) -> pd.DataFrame:
    """Cronbach's alpha and Feldt's interval for every group of long-format item scores.

    `scores` has one row per group x respondent x item (e.g. wave x partnership x construct). Within a
    group, the items are those any respondent answered, and alpha uses the respondents who answered all
    of them (listwise deletion, see `cronbach_alpha`). One row per group: `n_respondents` (complete cases),
    `k_items`, `alpha`, `alpha_ci_low`, `alpha_ci_high` and `note`, which says why alpha is missing when
    there are fewer than 3 complete respondents, fewer than 2 items, or no variance in total scores.
    Methods: Cronbach (1951); Feldt, Woodruff & Salih (1987), p. 95.
    """
    missing = [c for c in [*group_cols, item_col, respondent_col, score_col] if c not in scores.columns]
    if missing:
        raise ValueError(f"alpha_by_group: column(s) {missing} not found; columns are {list(scores.columns)}")
    keys = [*group_cols, respondent_col, item_col]
    duplicated = scores.duplicated(subset=keys, keep=False)
    if duplicated.any():
        example = scores.loc[duplicated, keys].iloc[0].to_dict()
        raise ValueError(
            f"alpha_by_group: {int(duplicated.sum())} rows repeat a {keys} combination (first: {example}); "
            "expected one score per respondent and item"
        )

    rows = []
    grouped = scores.groupby(group_cols, sort=True, dropna=False) if group_cols else [((), scores)]
    for key, group in grouped:
        key = key if isinstance(key, tuple) else (key,)
        wide = group.pivot(index=respondent_col, columns=item_col, values=score_col)
        complete = wide.dropna(axis=0, how="any")
        n_respondents, k_items = complete.shape[0], wide.shape[1]
        alpha, low, high, note = float("nan"), float("nan"), float("nan"), None
        if k_items < MIN_ITEMS:
            note = f"fewer than {MIN_ITEMS} items"
        elif n_respondents < MIN_RESPONDENTS:
            note = f"fewer than {MIN_RESPONDENTS} respondents with every item answered"
        else:
            alpha = cronbach_alpha(complete)
            if np.isnan(alpha):
                note = "no variance in total scores"
            else:
                low, high = cronbach_alpha_ci(alpha, n_respondents, k_items, level)
        rows.append((*key, n_respondents, k_items, alpha, low, high, note))
    return pd.DataFrame(rows, columns=[*group_cols, *ALPHA_COLUMNS])


def alpha_from_variances(
    k_items: int, n_respondents: int, item_variance_sum: float, total_variance: float, level: float = 0.95
) -> tuple[float, float, float, str | None]:
    """Cronbach's alpha, Feldt's interval and the note of `alpha_by_group`, from the complete respondents'
    summary statistics rather than their scores: (alpha, ci_low, ci_high, note).

    `n_respondents` answered all `k_items` items; `item_variance_sum` is the sum of the items' sample
    variances over those respondents and `total_variance` the sample variance of their total scores (as a
    database computes them in one pass over the scores). alpha = k / (k - 1) * (1 - item_variance_sum /
    total_variance): Cronbach (1951); interval: Feldt, Woodruff & Salih (1987), p. 95.
    """
    nan = float("nan")
    if k_items < MIN_ITEMS:
        return nan, nan, nan, f"fewer than {MIN_ITEMS} items"
    if n_respondents < MIN_RESPONDENTS:
        return nan, nan, nan, f"fewer than {MIN_RESPONDENTS} respondents with every item answered"
    if pd.isna(total_variance) or total_variance == 0:
        return nan, nan, nan, "no variance in total scores"
    alpha = float(k_items / (k_items - 1) * (1 - item_variance_sum / total_variance))
    low, high = cronbach_alpha_ci(alpha, n_respondents, k_items, level)
    return alpha, low, high, None
