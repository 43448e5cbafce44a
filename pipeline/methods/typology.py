"""Typology of partnerships by their success-factor profiles, and a simple model of success on the factors.

Rows are partnerships (the index is the partnership id); columns are factor scores (senior_leadership,
project_management, governance, ...). Methods:

- Clustering: k-means (J. MacQueen (1967), "Some methods for classification and analysis of multivariate
  observations", Proc. 5th Berkeley Symposium 1:281-297; scikit-learn's `KMeans` with k-means++ starts,
  D. Arthur and S. Vassilvitskii (2007), "k-means++: the advantages of careful seeding", Proc. 18th ACM-SIAM
  Symposium on Discrete Algorithms, 1027-1035, and 20 starts per fit) on z-scores, so that every factor weighs the
  same whatever its scale.
- Choice of k: the mean silhouette coefficient, P. J. Rousseeuw (1987), "Silhouettes: a graphical aid to the
  interpretation and validation of cluster analysis", J. Comput. Appl. Math. 20:53-65. For case i with mean
  distance a(i) to its own cluster and smallest mean distance b(i) to another cluster,
  s(i) = (b(i) - a(i)) / max(a(i), b(i)), and s(i) = 0 for a case alone in its cluster. The k with the largest
  mean s(i) is chosen (the smallest such k on a tie).
- Stability: the mean pairwise adjusted Rand index (L. Hubert and P. Arabie (1985), "Comparing partitions",
  Journal of Classification 2:193-218) between the partitions found at the chosen k from different random
  seeds. 1 means every seed found the same partition.
- Success model: L2-penalised logistic regression on z-scores (S. le Cessie and J. C. van Houwelingen (1992),
  "Ridge estimators in logistic regression", Applied Statistics 41(1):191-201), assessed by leave-one-out
  cross-validation: accuracy and the Brier score (G. W. Brier (1950), "Verification of forecasts expressed in
  terms of probability", Monthly Weather Review 78(1):1-3), each against a majority-class baseline; permutation
  importance (L. Breiman (2001), "Random forests", Machine Learning 45:5-32; scikit-learn's
  `permutation_importance`) per factor; and a small-sample caveat on events per variable (P. Peduzzi et al.
  (1996), "A simulation study of the number of events per variable in logistic regression analysis", J. Clin.
  Epidemiol. 49(12):1373-1379, who recommend at least 10).

Missing factor scores are imputed by the factor's median over the partnerships before standardising; the
result says how many values were imputed, per factor and per partnership.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score, silhouette_samples
from sklearn.model_selection import LeaveOneOut, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

__all__ = [
    "ModelResult",
    "TypologyResult",
    "cluster_partnerships",
    "cluster_label",
    "mean_pairwise_ari",
    "silhouette_values",
    "success_model",
]

N_INIT = 20  # k-means starts per fit
LABEL_THRESHOLD = 0.5  # a cluster mean this many SDs above (below) the average reads "high" ("low")
LABEL_FACTORS = 1  # at most this many "high" and this many "low" factors in a label
PERMUTATION_REPEATS = 100
# Tens of partnerships: BLAS/OpenMP threads only add overhead (15x slower on a busy machine), so every fit
# runs single-threaded. threadpoolctl is a dependency of scikit-learn.
_SINGLE_THREAD = {"limits": 1}
MIN_EVENTS_PER_VARIABLE = 10  # Peduzzi et al. (1996)


@dataclass(frozen=True)
class TypologyResult:
    """Partnership typology from `cluster_partnerships`.

    - assignments: one row per partnership (the input's index): `cluster` (1..k, numbered by size, largest
      first), `silhouette` (the case's s(i) at the chosen k) and `n_imputed` (its factor scores that were
      missing and imputed).
    - clusters: one row per cluster (index `cluster`): `size`, `label` (e.g. "high integration, low
      governance") and `mean_silhouette`.
    - profiles: one row per cluster x factor: `cluster`, `factor`, `mean_z` (mean z-score, imputed values
      included), `mean_raw` (mean of the observed raw scores, imputed values left out) and `n_observed`.
    - silhouette_by_k: mean silhouette per candidate k (index `k`); NaN where k-means could not form k
      clusters.
    - k: the chosen number of clusters; stability_ari: mean pairwise adjusted Rand index between the
      partitions from `n_seeds` seeds at k (NaN with fewer than two seeds).
    - imputed: missing values imputed per factor; notes: plain-language notes for the mart (imputation,
      dropped or constant factors, skipped k).
    """

    assignments: pd.DataFrame
    clusters: pd.DataFrame
    profiles: pd.DataFrame
    silhouette_by_k: pd.Series
    k: int
    stability_ari: float
    n_seeds: int
    imputed: pd.Series
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ModelResult:
    """Logistic model of a binary success outcome from `success_model`.

    - n_cases, n_features, n_events (the smaller outcome group, as Peduzzi et al. 1996 count events) and
      events_per_variable; caveat: a sentence on sample size for publication.
    - loo_accuracy and loo_brier: leave-one-out accuracy (probability >= 0.5 read as success) and Brier score;
      baseline_accuracy (the majority class's share) and baseline_brier (prevalence x (1 - prevalence), the
      Brier score of always forecasting the observed prevalence). The baselines see all cases, so they are if
      anything flattered against the cross-validated model.
    - loo_probability: each partnership's predicted probability of success from the model fitted without it.
    - coefficients: log-odds per standard deviation of each factor from the model fitted on all cases;
      intercept: its intercept.
    - importance: one row per factor (index `factor`), sorted by importance: `coefficient`, `importance_mean`
      and `importance_sd` (the increase in the in-sample Brier score when the factor is permuted, over
      `n_repeats` permutations of the model fitted on all cases) and `rank` (1 = most important).
    - penalty_c: the inverse L2 penalty strength; notes: imputation and dropped cases or factors.
    """

    n_cases: int
    n_features: int
    n_events: int
    events_per_variable: float
    loo_accuracy: float
    loo_brier: float
    baseline_accuracy: float
    baseline_brier: float
    loo_probability: pd.Series
    coefficients: pd.Series
    intercept: float
    importance: pd.DataFrame
    n_repeats: int
    penalty_c: float
    caveat: str
    notes: tuple[str, ...]


# --- published statistics, thin and testable --------------------------------------------------------------


def silhouette_values(data: np.ndarray | pd.DataFrame, labels: Iterable[object]) -> np.ndarray:
    """Rousseeuw's (1987) silhouette s(i) of every case, Euclidean distances; 0 for a case alone in a cluster."""
    return silhouette_samples(np.asarray(data, dtype=float), np.asarray(list(labels)), metric="euclidean")


def mean_pairwise_ari(labelings: Iterable[Iterable[object]]) -> float:
    """Mean adjusted Rand index (Hubert and Arabie 1985) over all pairs of labelings; NaN for fewer than two."""
    labelings = [np.asarray(list(labels)) for labels in labelings]
    pairs = [adjusted_rand_score(a, b) for a, b in itertools.combinations(labelings, 2)]
    return float(np.mean(pairs)) if pairs else float("nan")


# --- input preparation ------------------------------------------------------------------------------------


def _numeric_frame(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame) or frame.empty or frame.shape[1] == 0:
        raise ValueError(f"{what} must be a non-empty DataFrame with one row per partnership")
    if frame.index.has_duplicates:
        duplicated = frame.index[frame.index.duplicated()].unique().tolist()
        raise ValueError(f"{what}: partnership ids must be unique, repeated: {duplicated[:5]}")
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            at = frame.index[bad.to_numpy()][0]
            raise ValueError(
                f"{what}: column {column!r}, partnership {at!r}: expected a number, got {frame.at[at, column]!r}"
            )
        out[column] = values.astype(float)
    return out


def _drop_empty_factors(frame: pd.DataFrame, what: str, notes: list[str]) -> pd.DataFrame:
    empty = [column for column in frame.columns if frame[column].isna().all()]
    if empty:
        notes.append(f"Factors with no scores at all left out: {', '.join(map(str, empty))}.")
        frame = frame.drop(columns=empty)
    if frame.shape[1] == 0:
        raise ValueError(f"{what}: every factor is entirely missing")
    return frame


def _imputation_note(imputed: pd.Series, n: int) -> str:
    if imputed.sum() == 0:
        return "No factor scores were missing; nothing was imputed."
    parts = ", ".join(f"{factor} {count} of {n}" for factor, count in imputed.items() if count)
    return f"Missing factor scores were imputed by the factor's median over the partnerships: {parts}."


def _readable(factor: object) -> str:
    return str(factor).replace("_", " ")


# --- typology ---------------------------------------------------------------------------------------------


def cluster_label(mean_z: pd.Series, threshold: float = LABEL_THRESHOLD, top: int = LABEL_FACTORS) -> str:
    """A short label for a cluster from its mean z-scores: the factors furthest above and below average.

    Up to `top` factors at least `threshold` SDs above average read "high ...", then up to `top` at least
    `threshold` below read "low ..."; a cluster with neither is "near average on all factors".
    """
    ordered = mean_z.sort_values(ascending=False, kind="stable")
    high = [f"high {_readable(f)}" for f, v in ordered.items() if v >= threshold][:top]
    low = [f"low {_readable(f)}" for f, v in ordered[::-1].items() if v <= -threshold][:top]
    return ", ".join(high + low) or "near average on all factors"


def _kmeans(z: np.ndarray, k: int, seed: int) -> np.ndarray:
    return KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit_predict(z)


def _canonical(labels: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Renumber clusters 1..k by size (largest first), then by centroid (higher first, factor by factor).

    The numbering depends only on the partition, not on the arbitrary labels a particular seed produced.
    """
    keys = []
    for label in np.unique(labels):
        members = labels == label
        centroid = z[members].mean(axis=0)
        keys.append((-int(members.sum()), *(-centroid).round(12).tolist(), int(np.flatnonzero(members)[0]), label))
    order = {key[-1]: number for number, key in enumerate(sorted(keys), start=1)}
    return np.array([order[label] for label in labels])


@threadpool_limits.wrap(**_SINGLE_THREAD)
def cluster_partnerships(
    profiles: pd.DataFrame,
    k_range: Iterable[int] = range(2, 7),
    seeds: Iterable[int] = range(20),
    random_state: int = 0,
) -> TypologyResult:
    """Group partnerships with similar factor profiles by k-means, choosing k by the mean silhouette.

    Steps: median-impute missing scores per factor; z-score each factor (population SD; a constant factor
    becomes 0 everywhere and is noted); fit k-means (`N_INIT` starts, `random_state`) for every k in `k_range`
    that is below the number of partnerships; choose k by the largest mean silhouette (Rousseeuw 1987); refit
    at k from every seed in `seeds` and report the mean pairwise adjusted Rand index (Hubert and Arabie 1985)
    as stability. The reported partition is the `random_state` fit, renumbered by cluster size.
    """
    notes: list[str] = []
    raw = _drop_empty_factors(_numeric_frame(profiles, "profiles"), "profiles", notes)
    n = len(raw)
    if n < 3:
        raise ValueError(f"profiles: clustering needs at least 3 partnerships, got {n}")
    imputed = raw.isna().sum().rename("imputed").astype(int)
    filled = raw.fillna(raw.median())
    notes.insert(0, _imputation_note(imputed, n))

    sd = filled.std(ddof=0)
    constant = sd.index[sd == 0].tolist()
    if constant:
        notes.append(f"Factors with the same score everywhere carry no information: {', '.join(map(str, constant))}.")
    z_frame = (filled - filled.mean()) / sd.where(sd > 0, 1.0)
    z = z_frame.to_numpy()

    silhouettes: dict[int, float] = {}
    fits: dict[int, np.ndarray] = {}
    for k in sorted(set(k_range)):
        if k < 2 or k >= n:
            notes.append(f"k = {k} skipped: the silhouette needs 2 <= k <= n - 1 (n = {n}).")
            continue
        labels = _kmeans(z, k, random_state)
        if len(np.unique(labels)) < k:  # fewer distinct profiles than k
            silhouettes[k] = float("nan")
            continue
        silhouettes[k] = float(silhouette_values(z, labels).mean())
        fits[k] = labels
    silhouette_by_k = pd.Series(silhouettes, name="mean_silhouette", dtype=float).rename_axis("k")
    if silhouette_by_k.notna().sum() == 0:
        raise ValueError("profiles: k-means found no partition with a defined silhouette for any k in k_range")
    k = int(silhouette_by_k.idxmax())  # first (smallest) k on a tie

    seed_list = list(seeds)
    stability = mean_pairwise_ari(_kmeans(z, k, seed) for seed in seed_list)
    if len(seed_list) < 2:
        notes.append("Stability not assessed: it needs at least two seeds.")

    labels = _canonical(fits[k], z)
    case_silhouette = silhouette_values(z, labels)
    assignments = pd.DataFrame(
        {
            "cluster": labels,
            "silhouette": case_silhouette,
            "n_imputed": raw.isna().sum(axis=1).to_numpy(),
        },
        index=raw.index,
    )

    profile_rows = []
    cluster_rows = []
    for cluster in range(1, k + 1):
        members = labels == cluster
        mean_z = z_frame[members].mean()
        cluster_rows.append(
            {
                "cluster": cluster,
                "size": int(members.sum()),
                "label": cluster_label(mean_z),
                "mean_silhouette": float(case_silhouette[members].mean()),
            }
        )
        for factor in raw.columns:
            observed = raw.loc[members, factor]
            profile_rows.append(
                {
                    "cluster": cluster,
                    "factor": factor,
                    "mean_z": float(mean_z[factor]),
                    "mean_raw": float(observed.mean()),
                    "n_observed": int(observed.notna().sum()),
                }
            )
    return TypologyResult(
        assignments=assignments,
        clusters=pd.DataFrame(cluster_rows).set_index("cluster"),
        profiles=pd.DataFrame(profile_rows),
        silhouette_by_k=silhouette_by_k,
        k=k,
        stability_ari=stability,
        n_seeds=len(seed_list),
        imputed=imputed,
        notes=tuple(notes),
    )


# --- success model ----------------------------------------------------------------------------------------


def _binary_outcome(outcome: pd.Series, index: pd.Index, notes: list[str]) -> pd.Series:
    if not isinstance(outcome, pd.Series):
        raise ValueError("outcome must be a pandas Series indexed by partnership id")
    missing_ids = index.difference(outcome.index)
    if len(missing_ids):
        raise ValueError(f"outcome has no value for partnerships {missing_ids.tolist()[:5]}")
    y = outcome.reindex(index)
    absent = y.isna()
    if absent.any():
        notes.append(f"{int(absent.sum())} partnerships without a success outcome left out.")
        y = y[~absent]
    values = y.astype(int) if y.dtype == bool else pd.to_numeric(y, errors="coerce")
    bad = ~values.isin([0, 1])
    if bad.any():
        at = y.index[bad.to_numpy()][0]
        raise ValueError(f"outcome, partnership {at!r}: expected 0/1 (or True/False), got {y[at]!r}")
    return values.astype(int)


def _caveat(n: int, p: int, events: int) -> str:
    epv = events / p
    verdict = (
        f"below the {MIN_EVENTS_PER_VARIABLE} recommended by Peduzzi et al. (1996), so coefficients and "
        "importances describe these partnerships and are not estimates to generalise from"
        if epv < MIN_EVENTS_PER_VARIABLE
        else f"meeting the {MIN_EVENTS_PER_VARIABLE} recommended by Peduzzi et al. (1996)"
    )
    return (
        f"Small sample: {n} partnerships, {p} factors and {events} in the smaller outcome group give "
        f"{epv:.1f} events per variable, {verdict}. Accuracy and Brier score are leave-one-out estimates "
        "with wide uncertainty at this size."
    )


@threadpool_limits.wrap(**_SINGLE_THREAD)
def success_model(
    features: pd.DataFrame,
    outcome: pd.Series,
    random_state: int = 0,
    *,
    penalty_c: float = 1.0,
    n_repeats: int = PERMUTATION_REPEATS,
) -> ModelResult:
    """Model success (0/1) on the factors by L2-penalised logistic regression, cross-validated leave-one-out.

    Every fit is the pipeline median imputation -> z-scores -> logistic regression (L2 penalty, inverse
    strength `penalty_c`, le Cessie and van Houwelingen 1992), so imputation and scaling are learnt without the
    left-out case. Reports LOO accuracy and Brier score (Brier 1950) against the majority-class baseline,
    the coefficients of the model fitted on all cases, and permutation importance (Breiman 2001) of each
    factor on that fitted model: the mean and SD, over `n_repeats` (>= 50) permutations, of the increase in
    Brier score when the factor's values are shuffled. Needs at least two cases in each outcome group so that
    every leave-one-out fit sees both.
    """
    if n_repeats < 50:
        raise ValueError(f"n_repeats must be at least 50 for a stable importance, not {n_repeats}")
    notes: list[str] = []
    x = _drop_empty_factors(_numeric_frame(features, "features"), "features", notes)
    y = _binary_outcome(outcome, x.index, notes)
    x = x.loc[y.index]
    n, p = x.shape
    counts = y.value_counts()
    events = int(counts.reindex([0, 1], fill_value=0).min())
    if events < 2:
        raise ValueError(
            f"outcome: leave-one-out needs at least 2 partnerships in each outcome group, got "
            f"{int(counts.get(1, 0))} successes and {int(counts.get(0, 0))} others"
        )
    imputed = x.isna().sum()
    notes.insert(0, _imputation_note(imputed, n))

    model = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
            ("logit", LogisticRegression(C=penalty_c, max_iter=10_000)),
        ]
    )
    probability = cross_val_predict(model, x, y, cv=LeaveOneOut(), method="predict_proba")[:, 1]
    truth = y.to_numpy()
    prevalence = truth.mean()

    model.fit(x, y)
    logit = model.named_steps["logit"]
    coefficients = pd.Series(logit.coef_[0], index=x.columns, name="coefficient").rename_axis("factor")
    permuted = permutation_importance(
        model, x, y, scoring="neg_brier_score", n_repeats=n_repeats, random_state=random_state
    )
    importance = pd.DataFrame(
        {
            "coefficient": coefficients,
            "importance_mean": permuted.importances_mean,
            "importance_sd": permuted.importances_std,
        },
        index=coefficients.index,
    ).sort_values("importance_mean", ascending=False, kind="stable")
    importance["rank"] = np.arange(1, p + 1)

    return ModelResult(
        n_cases=n,
        n_features=p,
        n_events=events,
        events_per_variable=events / p,
        loo_accuracy=float(((probability >= 0.5) == truth).mean()),
        loo_brier=float(((probability - truth) ** 2).mean()),
        baseline_accuracy=float(max(prevalence, 1 - prevalence)),
        baseline_brier=float(prevalence * (1 - prevalence)),
        loo_probability=pd.Series(probability, index=x.index, name="loo_probability"),
        coefficients=coefficients,
        intercept=float(logit.intercept_[0]),
        importance=importance,
        n_repeats=n_repeats,
        penalty_c=penalty_c,
        caveat=_caveat(n, p, events),
        notes=tuple(notes),
    )
