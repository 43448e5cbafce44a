"""Fleiss' kappa for many coders (pipeline.methods.agreement) against published worked examples.

Sources of the expected figures:
- Fleiss J. L. (1971), "Measuring nominal scale agreement among many raters", Psychological Bulletin
  76(5):378-382: 30 patients each diagnosed by a different set of 6 raters into 5 categories; kappa = .430.
  The ratings are shipped with the R package irr as `diagnoses` (man/diagnoses.Rd) and are copied below from
  statsmodels' test-suite, statsmodels/stats/tests/test_inter_rater.py (statsmodels 0.15.0, `diagnoses`), which
  also records irr's printout of `kappam.fleiss(diagnoses)`: value 0.4302445, z = 17.65183, p-value 0.
- Wikipedia, "Fleiss' kappa", worked example (10 subjects, 14 raters, 5 categories): kappa = 0.210; the
  table is copied from the same statsmodels file (`table0`, its test `test_fleiss_kappa`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.methods.agreement import cohens_kappa, fleiss_kappa, fleiss_kappa_from_counts

# irr `diagnoses` (Fleiss 1971): patients (rows) x raters (columns); 1 Depression, 2 Personality disorder,
# 3 Schizophrenia, 4 Neurosis, 5 Other.
DIAGNOSES = np.array(
    [
        [4, 4, 4, 4, 4, 4],
        [2, 2, 2, 5, 5, 5],
        [2, 3, 3, 3, 3, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3],
        [3, 3, 3, 3, 5, 5],
        [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4],
        [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4],
        [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3],
        [1, 4, 4, 4, 4, 4],
        [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5],
        [1, 1, 1, 1, 1, 2],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 4, 4, 4, 4, 4],
        [2, 2, 4, 5, 5, 5],
        [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4],
        [1, 1, 1, 1, 5, 5],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5],
    ]
)

# Wikipedia's worked example: for each of 10 subjects, how many of the 14 raters chose each of 5 categories.
WIKIPEDIA_COUNTS = np.array(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)


def test_fleiss_kappa_reproduces_fleiss_1971_and_irr():
    # irr: kappam.fleiss(diagnoses) -> Subjects = 30, Raters = 6, Kappa = 0.4302445, z = 17.65183, p-value = 0
    # (as recorded in statsmodels' test_fleiss_kappa_irr, 7 significant figures); Fleiss (1971): .430.
    result = fleiss_kappa(DIAGNOSES)
    assert (result.units, result.raters, result.categories) == (30, 6, (1, 2, 3, 4, 5))
    assert result.kappa == pytest.approx(0.4302445, abs=5e-8)
    assert round(result.kappa, 3) == 0.430
    assert result.z == pytest.approx(17.65183, abs=5e-6)
    assert result.p_value < 1e-60  # irr prints 0
    assert result.dropped_units == 0


def test_fleiss_kappa_reproduces_the_wikipedia_worked_example():
    # Wikipedia, "Fleiss' kappa", worked example: kappa = 0.210 (3 decimals).
    result = fleiss_kappa_from_counts(WIKIPEDIA_COUNTS)
    assert round(result.kappa, 3) == 0.210
    assert (result.units, result.raters) == (10, 14)


def test_raw_codes_and_counts_give_the_same_kappa():
    counts = np.stack([(DIAGNOSES == category).sum(axis=1) for category in range(1, 6)], axis=1)
    assert fleiss_kappa_from_counts(counts).kappa == pytest.approx(fleiss_kappa(DIAGNOSES).kappa, abs=1e-15)
    # Category labels need not be numbers, and the coders need not be the same people from unit to unit.
    labels = pd.DataFrame(DIAGNOSES).replace({1: "dep", 2: "pd", 3: "sch", 4: "neu", 5: "oth"})
    assert fleiss_kappa(labels).kappa == pytest.approx(fleiss_kappa(DIAGNOSES).kappa, abs=1e-15)


def test_units_missing_a_code_are_left_out_listwise_as_irr_does():
    # irr's documentation: "Missing data are omitted in a listwise way."
    data = pd.DataFrame(DIAGNOSES, dtype=float)
    data.iloc[3, 2] = np.nan
    result = fleiss_kappa(data)
    complete = fleiss_kappa(np.delete(DIAGNOSES, 3, axis=0))
    assert (result.units, result.dropped_units) == (29, 1)
    assert result.kappa == pytest.approx(complete.kappa, abs=1e-15)


def test_fleiss_kappa_differs_from_cohens_for_two_coders_and_checks_its_input():
    # Fleiss' kappa pools both coders' marginals, Cohen's keeps them apart (irr's documentation: Fleiss'
    # coefficient "does not reduce to Cohen's Kappa (unweighted) for m=2 raters").
    two = DIAGNOSES[:, :2]
    assert fleiss_kappa(two).kappa != pytest.approx(cohens_kappa(two), abs=1e-3)
    with pytest.raises(ValueError, match="same number of ratings for every unit: unit 1 has 13"):
        fleiss_kappa_from_counts([[0, 14], [1, 12]])
    with pytest.raises(ValueError, match="not among the categories"):
        fleiss_kappa(DIAGNOSES, categories=[1, 2, 3])
    constant = fleiss_kappa(np.ones((4, 3)))
    assert np.isnan(constant.kappa) and np.isnan(constant.z)  # chance agreement 1: undefined
