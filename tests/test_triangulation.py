"""Convergence coding of survey and site-visit evidence (Farmer et al. 2006)."""

from __future__ import annotations

import pandas as pd

from pipeline.methods.triangulation import converge, rate_coding, rate_survey


def test_ratings_follow_the_cut_offs():
    assert list(rate_survey(pd.Series([4.2, 3.5, 3.0, 2.5, None]))) == ["strong", "strong", "mixed", "weak", None]
    enablers, barriers = pd.Series([3, 1, 1, 0, 2]), pd.Series([0, 2, 1, 0, 1])
    assert list(rate_coding(enablers, barriers)) == ["strong", "weak", "mixed", None, "strong"]


def test_the_four_convergence_categories_of_farmer_et_al():
    # Farmer et al. (2006), Table 2: agreement, partial agreement, silence and dissonance.
    survey = pd.Series(["strong", "mixed", "weak", None, "strong", None])
    coding = pd.Series(["strong", "weak", None, "mixed", "weak", None])
    rating, convergence = converge(survey, coding)
    assert list(convergence) == ["agreement", "partial agreement", "silence", "silence", "dissonance", None]
    assert list(rating) == ["strong", "weak", "weak", "mixed", "contested", None]
