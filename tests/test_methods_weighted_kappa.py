"""Cohen's kappa, plain and weighted, with its asymptotic standard error (pipeline.methods.agreement).

Sources of the expected figures, both as recorded in statsmodels' test-suite,
statsmodels/stats/tests/test_inter_rater.py (statsmodels 0.15.0):
- a SAS PROC FREQ printout for the 3 x 3 table [[0, 4, 1], [0, 8, 0], [0, 1, 5]] (classes TestUnweightedCohens
  and TestWeightedCohens, "comparison to printout of a SAS example"): the simple and the weighted kappa
  (SAS's default Cicchetti-Allison, i.e. linear, weights), each with its ASE (Fleiss, Cohen & Everitt 1969),
  95% limits, ASE under H0, Z and one- and two-sided p-values, printed to 4 decimals;
- the R package irr's `kappa2` on its `anxiety` data, raters 2 and 3 (test_cohens_kappa_irr): kappa, z and
  p-value for weights "unweighted", "equal" (linear) and "squared" (quadratic), printed to 7 significant figures.
  The `anxiety` ratings (irr man/anxiety.Rd: 20 subjects, 3 raters, 1 to 6) are copied from the same file.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.methods.agreement import cohens_kappa, kappa_weights, weighted_kappa, weighted_kappa_from_table

SAS_TABLE = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]

# irr `anxiety`: subjects (rows) x raters 1-3 (columns).
ANXIETY = np.array(
    [
        [3, 3, 2],
        [3, 6, 1],
        [3, 4, 4],
        [4, 6, 4],
        [5, 2, 3],
        [5, 4, 2],
        [2, 2, 1],
        [3, 4, 6],
        [5, 3, 1],
        [2, 3, 1],
        [2, 2, 1],
        [6, 3, 2],
        [1, 3, 3],
        [5, 3, 3],
        [2, 2, 1],
        [2, 2, 1],
        [1, 1, 3],
        [2, 3, 3],
        [4, 3, 2],
        [3, 4, 2],
    ]
)


@pytest.mark.parametrize(
    ("weights", "published"),
    [
        # Simple Kappa Coefficient: Kappa, ASE, 95% Lower, 95% Upper; ASE under H0, Z, One-sided, Two-sided.
        ("unweighted", (0.4842, 0.1380, 0.2137, 0.7547, 0.1484, 3.2626, 0.0006, 0.0011)),
        # Weighted Kappa Coefficient (Cicchetti-Allison weights, statsmodels' weights=[0, 1, 2]).
        ("linear", (0.4701, 0.1457, 0.1845, 0.7558, 0.1426, 3.2971, 0.0005, 0.0010)),
    ],
)
def test_kappa_and_its_asymptotic_standard_error_reproduce_sas(weights: str, published: tuple[float, ...]):
    result = weighted_kappa_from_table(SAS_TABLE, weights)
    ours = (
        result.kappa,
        result.se,
        result.low,
        result.high,
        result.se_null,
        result.z,
        result.p_value / 2,
        result.p_value,
    )
    # Printed to 4 decimals: within half a unit of the last place.
    assert np.abs(np.array(ours) - np.array(published)).max() < 0.5e-4
    assert result.n == 19 and result.level == 0.95


@pytest.mark.parametrize(
    ("weights", "kappa", "z", "p_value"),
    [
        ("unweighted", -0.006289308, -0.0604067, 0.9518317),  # kappa2(anxiety[,2:3])
        ("linear", 0.1459075, 1.282472, 0.1996772),  # kappa2(anxiety[,2:3], "equal")
        ("quadratic", 0.2520325, 1.437451, 0.1505898),  # kappa2(anxiety[,2:3], "squared")
    ],
)
def test_weighted_kappa_reproduces_irr_kappa2(weights: str, kappa: float, z: float, p_value: float):
    result = weighted_kappa(ANXIETY[:, 1:], weights)
    # irr prints 7 significant figures.
    assert result.kappa == pytest.approx(kappa, rel=5e-7)
    assert result.z == pytest.approx(z, rel=5e-7)
    assert result.p_value == pytest.approx(p_value, rel=5e-7)
    # As irr, the categories are the codes either rater used (no one used 5).
    assert result.categories == (1, 2, 3, 4, 6)


def test_weights_follow_cicchetti_allison_and_fleiss_cohen():
    linear = kappa_weights(3, "linear")
    quadratic = kappa_weights(3, "quadratic")
    assert linear.tolist() == [[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]
    assert quadratic.tolist() == [[1.0, 0.75, 0.0], [0.75, 1.0, 0.75], [0.0, 0.75, 1.0]]
    assert (kappa_weights(4) == np.eye(4)).all()
    # Scores other than positions: distances follow the scores.
    assert kappa_weights([1, 2, 5], "linear")[0].tolist() == [1.0, 0.75, 0.0]
    with pytest.raises(ValueError, match="weights must be one of"):
        kappa_weights(3, "cubic")  # type: ignore[arg-type]


def test_unweighted_kappa_is_cohens_kappa_and_the_scale_can_be_given():
    assert weighted_kappa(ANXIETY[:, :2]).kappa == pytest.approx(cohens_kappa(ANXIETY[:, :2]), abs=1e-15)
    # The whole 1..6 scale keeps the unused point 5 in the distances, so linear weights change.
    full = weighted_kappa(ANXIETY[:, 1:], "linear", categories=range(1, 7))
    assert full.categories == (1, 2, 3, 4, 5, 6)
    assert full.kappa != pytest.approx(weighted_kappa(ANXIETY[:, 1:], "linear").kappa)
    # A 99% interval is wider than the 95% one, around the same kappa.
    wide = weighted_kappa(ANXIETY[:, 1:], "linear", level=0.99)
    assert wide.low < weighted_kappa(ANXIETY[:, 1:], "linear").low < wide.kappa


def test_weighted_kappa_checks_its_input_and_handles_missing_codes():
    with pytest.raises(ValueError, match="exactly two coders"):
        weighted_kappa(ANXIETY)
    with pytest.raises(ValueError, match="not among the categories"):
        weighted_kappa(ANXIETY[:, :2], categories=[1, 2, 3])
    with pytest.raises(ValueError, match="must be square"):
        weighted_kappa_from_table([[1, 2, 3]])
    data = ANXIETY[:, 1:].astype(float)
    data[0, 0] = np.nan
    assert weighted_kappa(data).n == 19
    empty = weighted_kappa_from_table([[0, 0], [0, 0]])
    assert np.isnan(empty.kappa) and empty.n == 0
