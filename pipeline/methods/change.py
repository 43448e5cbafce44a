"""Change in a construct score between two survey waves of one partnership.

Respondents who answered both waves are compared with themselves (Student's paired t-test on the
differences) when there are enough of them; otherwise the two waves are compared as independent samples with
Welch's t-test, which does not assume equal variances. Both give a t confidence interval for the difference
after - before.

- Paired: Student (1908), "The probable error of a mean", Biometrika 6(1):1-25.
- Welch (1947), "The generalization of 'Student's' problem when several different population variances are
  involved", Biometrika 34(1-2):28-35; degrees of freedom by Welch-Satterthwaite.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

PAIRED = "paired t-test"
WELCH = "Welch two-sample t-test"
TOO_FEW = "too few respondents"

DEFAULT_MIN_PAIRS = 5


def _scores(frame: pd.DataFrame, respondent_col: str, score_col: str, wave: str) -> pd.Series:
    """One score per respondent (missing scores dropped); duplicates are an input error."""
    missing = [c for c in (respondent_col, score_col) if c not in frame.columns]
    if missing:
        raise ValueError(f"compare_waves: {wave} wave has no column(s) {missing}; columns are {list(frame.columns)}")
    scored = frame.loc[frame[score_col].notna(), [respondent_col, score_col]]
    repeated = scored[respondent_col].duplicated(keep=False)
    if repeated.any():
        ids = sorted(scored.loc[repeated, respondent_col].astype(str).unique())[:5]
        raise ValueError(f"compare_waves: {wave} wave has more than one score for respondent(s) {ids}")
    return scored.set_index(respondent_col)[score_col].astype(float)


def _constant(values: np.ndarray) -> bool:
    """All values equal, up to rounding error (then the t statistic is 0/0 or infinite)."""
    return bool(np.ptp(values) <= 1e-9 * max(1.0, float(np.abs(values).max())))


def compare_waves(
    before: pd.DataFrame,
    after: pd.DataFrame,
    respondent_col: str,
    score_col: str,
    min_pairs: int = DEFAULT_MIN_PAIRS,
    level: float = 0.95,
) -> dict[str, float | int | str]:
    """Compare one construct score between two waves (difference = after - before).

    With at least `min_pairs` respondents scored in both waves: Student's (1908) paired t-test on their
    differences. Otherwise: Welch's (1947) two-sample t-test on every respondent scored in each wave (a
    respondent present in both is then counted in both samples, a dependence the test ignores).
    Fewer than two scored respondents in either wave: no test, `test = "too few respondents"` and NaN
    statistics.

    Returns n_before, n_after (respondents scored in each wave), n_paired (scored in both), mean_before and
    mean_after of the respondents the test used (the pairs for the paired test), difference, ci_low and
    ci_high (t interval at `level`, 95% by default), statistic (t), df, p_value (two-sided) and test. When
    every difference (paired) or every score in each wave (Welch) is the same, t is undefined: statistic,
    p_value and the interval (and Welch's df) are NaN.
    """
    if min_pairs < 2:
        raise ValueError(f"min_pairs must be at least 2, got {min_pairs!r}")
    first = _scores(before, respondent_col, score_col, "before")
    second = _scores(after, respondent_col, score_col, "after")
    paired_ids = first.index.intersection(second.index)
    result: dict[str, float | int | str] = {
        "n_before": len(first),
        "n_after": len(second),
        "n_paired": len(paired_ids),
        "mean_before": float("nan"),
        "mean_after": float("nan"),
        "difference": float("nan"),
        "ci_low": float("nan"),
        "ci_high": float("nan"),
        "statistic": float("nan"),
        "df": float("nan"),
        "p_value": float("nan"),
        "test": TOO_FEW,
    }

    if len(paired_ids) >= min_pairs:
        test = PAIRED
        x, y = first.loc[paired_ids].to_numpy(), second.loc[paired_ids].to_numpy()
    else:
        test = WELCH
        x, y = first.to_numpy(), second.to_numpy()
    if len(x):
        result["mean_before"] = float(x.mean())
    if len(y):
        result["mean_after"] = float(y.mean())
    result["difference"] = result["mean_after"] - result["mean_before"]
    if len(x) < 2 or len(y) < 2:
        return result

    result["test"] = test
    if test == PAIRED and _constant(y - x):
        result["df"] = float(len(x) - 1)
        return result
    if test == WELCH and _constant(x) and _constant(y):
        return result
    # scipy orders the difference as first - second, so pass (after, before).
    if test == PAIRED:
        outcome = stats.ttest_rel(y, x)
    else:
        outcome = stats.ttest_ind(y, x, equal_var=False)
    interval = outcome.confidence_interval(confidence_level=level)
    result.update(
        ci_low=float(interval.low),
        ci_high=float(interval.high),
        statistic=float(outcome.statistic),
        df=float(outcome.df),
        p_value=float(outcome.pvalue),
    )
    return result


def compare_waves_from_statistics(
    groups: pd.DataFrame, min_pairs: int = DEFAULT_MIN_PAIRS, level: float = 0.95
) -> pd.DataFrame:
    """`compare_waves` for many groups at once, from each group's summary statistics instead of its scores.

    One row per group with, for each wave's respondents (`_before`, `_after`): `n`, `mean`, `var` (sample
    variance), `ptp` (max - min) and `peak` (max |score|); and for the respondents scored in both waves:
    `n_paired`, `mean_before_paired`, `mean_after_paired` and the differences after - before: `mean_diff`,
    `var_diff`, `ptp_diff`, `peak_diff`. Returns the columns `compare_waves` returns, row by row the same
    choice of test, the same degenerate cases and the same statistics (Student's paired t-test, Welch's
    t-test with Welch-Satterthwaite degrees of freedom, t intervals at `level`), up to rounding.
    """
    if min_pairs < 2:
        raise ValueError(f"min_pairs must be at least 2, got {min_pairs!r}")
    g = groups
    paired = g["n_paired"] >= min_pairs
    nx = np.where(paired, g["n_paired"], g["n_before"]).astype(float)
    ny = np.where(paired, g["n_paired"], g["n_after"]).astype(float)
    mean_x = np.where(paired, g["mean_before_paired"], g["mean_before"]).astype(float)
    mean_y = np.where(paired, g["mean_after_paired"], g["mean_after"]).astype(float)
    mean_x = np.where(nx > 0, mean_x, np.nan)
    mean_y = np.where(ny > 0, mean_y, np.nan)

    def constant(ptp: pd.Series, peak: pd.Series) -> np.ndarray:
        return (ptp.astype(float) <= 1e-9 * np.maximum(1.0, peak.astype(float))).to_numpy()

    tested = (nx >= 2) & (ny >= 2)
    paired_constant = tested & paired.to_numpy() & constant(g["ptp_diff"].fillna(0), g["peak_diff"].fillna(0))
    welch_constant = (
        tested
        & ~paired.to_numpy()
        & constant(g["ptp_before"].fillna(0), g["peak_before"].fillna(0))
        & constant(g["ptp_after"].fillna(0), g["peak_after"].fillna(0))
    )
    computed = tested & ~paired_constant & ~welch_constant

    with np.errstate(divide="ignore", invalid="ignore"):
        # Student's paired t-test on the differences (scipy's ttest_rel(after, before)).
        se_paired = np.sqrt(g["var_diff"].astype(float).to_numpy() / nx)
        t_paired = g["mean_diff"].astype(float).to_numpy() / se_paired
        # Welch's two-sample t-test (scipy's ttest_ind(after, before, equal_var=False)).
        vx = g["var_before"].astype(float).to_numpy() / nx
        vy = g["var_after"].astype(float).to_numpy() / ny
        se_welch = np.sqrt(vx + vy)
        df_welch = (vx + vy) ** 2 / (vx**2 / (nx - 1) + vy**2 / (ny - 1))
        df_welch = np.where(np.isnan(df_welch), 1.0, df_welch)
        t_welch = (mean_y - mean_x) / se_welch
    is_paired = paired.to_numpy()
    centre = np.where(is_paired, g["mean_diff"].astype(float), mean_y - mean_x)
    se = np.where(is_paired, se_paired, se_welch)
    df = np.where(is_paired, nx - 1, df_welch)
    statistic = np.where(is_paired, t_paired, t_welch)
    half_width = stats.t.ppf(0.5 + level / 2, np.where(computed, df, 1.0)) * se
    p_value = 2 * stats.t.sf(np.abs(statistic), np.where(computed, df, 1.0))

    result = pd.DataFrame(
        {
            "n_before": g["n_before"].astype(int).to_numpy(),
            "n_after": g["n_after"].astype(int).to_numpy(),
            "n_paired": g["n_paired"].astype(int).to_numpy(),
            "mean_before": mean_x,
            "mean_after": mean_y,
            "difference": mean_y - mean_x,
            "ci_low": np.where(computed, centre - half_width, np.nan),
            "ci_high": np.where(computed, centre + half_width, np.nan),
            "statistic": np.where(computed, statistic, np.nan),
            "df": np.where(computed, df, np.where(paired_constant, nx - 1, np.nan)),
            "p_value": np.where(computed, p_value, np.nan),
            "test": np.where(tested, np.where(is_paired, PAIRED, WELCH), TOO_FEW),
        },
        index=groups.index,
    )
    return result
