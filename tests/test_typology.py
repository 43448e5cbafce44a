"""Partnership typology and success model (pipeline.methods.typology).

(a) The published statistics, computed by hand from their published definitions on tiny data:
- Rousseeuw PJ (1987), "Silhouettes: a graphical aid to the interpretation and validation of cluster
  analysis", J Comput Appl Math 20:53-65: s(i) = (b(i) - a(i)) / max(a(i), b(i)), with a(i) the mean
  dissimilarity of i to the other members of its cluster, b(i) the smallest mean dissimilarity of i to the
  members of another cluster, and s(i) = 0 when i is alone in its cluster.
- Hubert L & Arabie P (1985), "Comparing partitions", J Classif 2:193-218: the adjusted Rand index from the
  contingency table n_ij with row sums a_i and column sums b_j,
  ARI = (sum C(n_ij, 2) - E) / (0.5 [sum C(a_i, 2) + sum C(b_j, 2)] - E), E = sum C(a_i, 2) sum C(b_j, 2) / C(n, 2).
(b) Behaviour on synthetic data with a known answer: three well-separated groups; success = (A and B) or C.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from pipeline.methods.typology import (
    ModelResult,
    TypologyResult,
    cluster_label,
    cluster_partnerships,
    mean_pairwise_ari,
    silhouette_values,
    success_model,
)

FACTORS = [
    "senior_leadership",
    "project_management",
    "governance",
    "prior_experience",
    "integration",
    "partnership_engagement",
    "support_offer_use",
]


# --- (a) silhouette and adjusted Rand index by hand from the published definitions -------------------------


def test_silhouette_matches_rousseeuw_1987_by_hand():
    # Points 0, 2 | 6, 10 | 20 on a line (Euclidean distance = absolute difference), three clusters.
    # x=0:  a = 2, b = min((6+10)/2, 20) = 8,        s = (8-2)/8 = 0.75
    # x=2:  a = 2, b = min((4+8)/2, 18) = 6,         s = (6-2)/6 = 2/3
    # x=6:  a = 4, b = min((6+4)/2, 14) = 5,         s = (5-4)/5 = 0.2
    # x=10: a = 4, b = min((10+8)/2, 10) = 9,        s = (9-4)/9 = 5/9
    # x=20: alone in its cluster,                    s = 0
    points = np.array([[0.0], [2.0], [6.0], [10.0], [20.0]])
    values = silhouette_values(points, ["p", "p", "q", "q", "r"])
    np.testing.assert_allclose(values, [0.75, 2 / 3, 0.2, 5 / 9, 0.0], rtol=1e-12)
    # The mean silhouette of the two-cluster part alone, (0.75 + 2/3 + 0.2 + 5/9) / 4 = 0.54306.
    assert silhouette_values(points[:4], [1, 1, 2, 2]).mean() == pytest.approx(0.543056, abs=1e-6)


def test_adjusted_rand_index_matches_hubert_arabie_1985_by_hand():
    # Partitions {1,2,3}{4,5,6} and {1,2}{3,4}{5,6}: contingency table [[2, 1, 0], [0, 1, 2]].
    # sum C(n_ij, 2) = 1 + 1 = 2; rows sum C(3, 2) * 2 = 6; columns C(2, 2) * 3 = 3; C(6, 2) = 15.
    # E = 6 * 3 / 15 = 1.2; ARI = (2 - 1.2) / (0.5 * (6 + 3) - 1.2) = 0.8 / 3.3 = 8/33 = 0.2424.
    first = [0, 0, 0, 1, 1, 1]
    second = [0, 0, 1, 1, 2, 2]
    assert mean_pairwise_ari([first, second]) == pytest.approx(8 / 33, abs=1e-12)
    # The index ignores the cluster names: the same partition relabelled agrees perfectly (ARI = 1), so the
    # mean over the three pairs of (first, first relabelled, second) is (1 + 8/33 + 8/33) / 3 = 49/99.
    relabelled = [5, 5, 5, 3, 3, 3]
    assert mean_pairwise_ari([first, relabelled]) == 1.0
    assert mean_pairwise_ari([first, relabelled, second]) == pytest.approx(49 / 99, abs=1e-12)
    assert math.isnan(mean_pairwise_ari([first]))


# --- (b) clustering behaviour ------------------------------------------------------------------------------

# Three well-separated profiles of 12, 10 and 8 partnerships on a 1-5 scale.
CENTRES = {
    "a": [4.5, 4.5, 1.5, 4.0, 4.5, 2.0, 3.0],
    "b": [1.5, 3.0, 4.5, 2.0, 1.5, 4.5, 4.5],
    "c": [3.0, 1.5, 3.0, 4.5, 3.0, 1.5, 1.5],
}
SIZES = {"a": 12, "b": 10, "c": 8}


def _three_groups(seed: int = 0, spread: float = 0.2) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    blocks, truth = [], []
    for group, centre in CENTRES.items():
        blocks.append(np.array(centre) + rng.normal(0, spread, (SIZES[group], len(FACTORS))))
        truth += [group] * SIZES[group]
    index = pd.Index([f"HP{i:02d}" for i in range(len(truth))], name="partnership_id")
    return pd.DataFrame(np.vstack(blocks), columns=FACTORS, index=index), truth


@pytest.fixture(scope="module")
def three_groups() -> tuple[pd.DataFrame, list[str], TypologyResult]:
    profiles, truth = _three_groups()
    return profiles, truth, cluster_partnerships(profiles)


def test_three_separated_groups_give_k_3_stable_and_seed_independent(three_groups):
    profiles, truth, result = three_groups
    assert result.k == 3
    assert result.silhouette_by_k.idxmax() == 3
    assert result.silhouette_by_k[3] > 0.7  # "a strong structure", Kaufman & Rousseeuw (1990), Finding Groups in Data
    assert result.stability_ari == 1.0
    assert result.n_seeds == 20
    # The partition is the true one, numbered by size: a (12) -> 1, b (10) -> 2, c (8) -> 3.
    expected = pd.Series([{"a": 1, "b": 2, "c": 3}[g] for g in truth], index=profiles.index, name="cluster")
    pd.testing.assert_series_equal(result.assignments["cluster"], expected, check_dtype=False)
    assert result.clusters["size"].tolist() == [12, 10, 8]
    # Another main seed and other stability seeds change nothing.
    other = cluster_partnerships(profiles, seeds=range(100, 110), random_state=12345)
    pd.testing.assert_frame_equal(other.assignments, result.assignments)
    pd.testing.assert_frame_equal(other.clusters, result.clusters)
    assert other.stability_ari == 1.0


def test_cluster_outputs_are_consistent_and_labelled(three_groups):
    profiles, _, result = three_groups
    # Each case's silhouette is Rousseeuw's s(i) on the z-scores of the chosen partition.
    z = (profiles - profiles.mean()) / profiles.std(ddof=0)
    np.testing.assert_allclose(
        result.assignments["silhouette"], silhouette_values(z, result.assignments["cluster"]), rtol=1e-12
    )
    assert result.assignments["silhouette"].mean() == pytest.approx(result.silhouette_by_k[3])
    # Profiles: one row per cluster x factor; raw means are the plain means of the members' scores.
    assert len(result.profiles) == 3 * len(FACTORS)
    members = profiles[result.assignments["cluster"] == 3]
    row = result.profiles.set_index(["cluster", "factor"]).loc[(3, "prior_experience")]
    assert row["mean_raw"] == pytest.approx(members["prior_experience"].mean())
    assert row["n_observed"] == 8
    # Group a is highest on senior leadership/project management/integration, lowest on governance.
    assert result.clusters.loc[1, "label"] in {
        f"high {top}, low governance" for top in ("senior leadership", "project management", "integration")
    }
    assert result.clusters.loc[3, "label"].startswith("high prior experience, low ")


def test_missing_scores_are_median_imputed_and_reported():
    profiles, _ = _three_groups()
    profiles.loc["HP00", "integration"] = np.nan
    profiles.loc["HP01", "integration"] = np.nan
    profiles.loc["HP20", "governance"] = np.nan
    result = cluster_partnerships(profiles)
    assert result.imputed["integration"] == 2 and result.imputed["governance"] == 1
    assert result.imputed.sum() == 3
    assert "median" in result.notes[0] and "integration 2 of 30" in result.notes[0]
    assert result.assignments.loc[["HP00", "HP01", "HP02"], "n_imputed"].tolist() == [1, 1, 0]
    # Raw means leave imputed values out.
    cluster = result.assignments.loc["HP00", "cluster"]
    row = result.profiles.set_index(["cluster", "factor"]).loc[(cluster, "integration")]
    members = result.assignments.index[result.assignments["cluster"] == cluster]
    assert row["mean_raw"] == pytest.approx(profiles.loc[members, "integration"].mean(skipna=True))
    assert row["n_observed"] == len(members) - 2


def test_empty_factor_is_dropped_with_a_note_and_impossible_k_is_skipped():
    profiles, _ = _three_groups()
    profiles["support_offer_use"] = np.nan
    result = cluster_partnerships(profiles.iloc[[0, 1, 12, 13, 22]], k_range=range(2, 7))
    assert "support_offer_use" not in set(result.profiles["factor"])
    assert any("no scores at all" in note for note in result.notes)
    assert list(result.silhouette_by_k.index) == [2, 3, 4]
    assert any("k = 5 skipped" in note for note in result.notes)


def test_bad_profiles_are_rejected_with_the_place_named():
    profiles, _ = _three_groups()
    text = profiles.astype(object)
    text.loc["HP03", "governance"] = "high"
    with pytest.raises(ValueError, match=r"governance.*HP03.*'high'"):
        cluster_partnerships(text)
    with pytest.raises(ValueError, match="unique"):
        cluster_partnerships(pd.concat([profiles, profiles.iloc[[0]]]))
    with pytest.raises(ValueError, match="at least 3"):
        cluster_partnerships(profiles.iloc[:2])


def test_cluster_label_names_the_factors_furthest_from_average():
    mean_z = pd.Series({"integration": 1.2, "governance": -0.9, "senior_leadership": 0.7, "prior_experience": -0.2})
    assert cluster_label(mean_z) == "high integration, low governance"
    assert cluster_label(mean_z, top=2) == "high integration, high senior leadership, low governance"
    assert cluster_label(pd.Series({"governance": 0.1, "integration": -0.3})) == "near average on all factors"


# --- (b) success model behaviour ---------------------------------------------------------------------------


def _and_or_data() -> tuple[pd.DataFrame, pd.Series]:
    """success = (A and B) or C over a 2x2x2 design replicated 5 times (40 partnerships, 15 not successful).

    The four other factors are noise-free and carry no signal: within every design cell they take the values
    -2..2 once each, so they are exactly uncorrelated with A, B, C and the outcome.
    """
    rng = np.random.default_rng(1)
    design = np.array([cell for cell in itertools.product([0.0, 1.0], repeat=3) for _ in range(5)])
    other = np.column_stack(
        [np.concatenate([rng.permutation([-2.0, -1.0, 0.0, 1.0, 2.0]) for _ in range(8)]) for _ in range(4)]
    )
    index = pd.Index([f"HP{i:02d}" for i in range(len(design))], name="partnership_id")
    features = pd.DataFrame(np.hstack([design, other]), columns=FACTORS, index=index)
    success = ((design[:, 0] == 1) & (design[:, 1] == 1)) | (design[:, 2] == 1)
    return features, pd.Series(success, index=index, name="success")


@pytest.fixture(scope="module")
def and_or_model() -> tuple[pd.DataFrame, ModelResult]:
    features, success = _and_or_data()
    return features, success_model(features, success)


def test_success_model_ranks_the_causal_factors_first_and_beats_the_baseline(and_or_model):
    features, result = and_or_model
    a, b, c = FACTORS[:3]
    importance = result.importance["importance_mean"]
    assert importance.index[0] == c  # C alone is sufficient
    assert set(importance.index[:3]) == {a, b, c}
    assert importance[[a, b, c]].min() > 10 * max(importance[FACTORS[3:]].max(), 1e-9)
    assert (result.importance.loc[[a, b, c], "coefficient"] > 0).all()
    assert result.importance["rank"].tolist() == list(range(1, 8))
    assert (result.importance["importance_sd"] >= 0).all()
    # Leave-one-out beats always predicting the majority (25 of 40 successful).
    assert result.baseline_accuracy == 25 / 40
    assert result.baseline_brier == pytest.approx(0.625 * 0.375)
    assert result.loo_accuracy > result.baseline_accuracy
    assert result.loo_brier < result.baseline_brier
    assert result.loo_probability.index.equals(features.index)
    assert result.n_repeats >= 50


def test_success_model_states_the_events_per_variable_caveat(and_or_model):
    _, result = and_or_model
    assert (result.n_cases, result.n_features, result.n_events) == (40, 7, 15)
    assert result.events_per_variable == pytest.approx(15 / 7)
    assert "40 partnerships, 7 factors and 15 in the smaller outcome group" in result.caveat
    assert "2.1 events per variable" in result.caveat and "Peduzzi" in result.caveat
    assert "below the 10" in result.caveat


def test_success_model_imputes_and_rejects_unusable_outcomes():
    features, success = _and_or_data()
    features.loc["HP05", "prior_experience"] = np.nan
    result = success_model(features, success.astype(int))
    assert "prior_experience 1 of 40" in result.notes[0]
    with pytest.raises(ValueError, match="at least 2 partnerships in each outcome group"):
        success_model(features, pd.Series(1, index=features.index))
    bad = success.astype(object)
    bad["HP07"] = "yes"
    with pytest.raises(ValueError, match=r"HP07.*'yes'"):
        success_model(features, bad)
    with pytest.raises(ValueError, match="n_repeats"):
        success_model(features, success, n_repeats=10)
