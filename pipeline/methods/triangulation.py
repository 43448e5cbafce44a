"""Triangulating survey and site-visit evidence on a success factor.

Each method's evidence is first rated on a common scale (strong, mixed, weak), then compared with the
convergence coding of Farmer, Robinson, Elliott and Eyles (2006), "Developing and implementing a
triangulation protocol for qualitative health research", Qualitative Health Research 16(3):377-394:
*agreement* (both methods give the same rating), *partial agreement* (one is mixed, the other
definite), *silence* (only one method has evidence) and *dissonance* (one strong, the other weak).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

RATINGS = ["strong", "mixed", "weak"]
CONVERGENCE = ["agreement", "partial agreement", "silence", "dissonance"]


@dataclass(frozen=True)
class RatingRules:
    """Cut-offs turning each method's evidence into a rating (configurable per evaluation)."""

    survey_strong_from: float = 3.5  # mean score (on the items' answer scale) at or above which: strong
    survey_weak_to: float = 2.5  # ... at or below which: weak
    coding_strong_from: float = 2 / 3  # share of coded passages that are enablers, at or above: strong
    coding_weak_to: float = 1 / 3  # ... at or below: weak


def rate_survey(mean: pd.Series, rules: RatingRules = RatingRules()) -> pd.Series:
    """Rating from a mean agreement score (empty where there is no published score)."""
    rating = np.select(
        [mean >= rules.survey_strong_from, mean <= rules.survey_weak_to, mean.notna()],
        ["strong", "weak", "mixed"],
        None,
    )
    return pd.Series(rating, index=mean.index, dtype="object")


def rate_coding(enablers: pd.Series, barriers: pd.Series, rules: RatingRules = RatingRules()) -> pd.Series:
    """Rating from the balance of enabler and barrier passages (empty where nothing was coded)."""
    total = enablers + barriers
    share = enablers / total.where(total > 0)
    rating = np.select(
        [share >= rules.coding_strong_from, share <= rules.coding_weak_to, share.notna()],
        ["strong", "weak", "mixed"],
        None,
    )
    return pd.Series(rating, index=enablers.index, dtype="object")


def converge(survey: pd.Series, coding: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The triangulated rating and the convergence category for each pair of ratings.

    The triangulated rating is the shared rating on agreement, the definite one on partial agreement,
    the only one on silence, and "contested" on dissonance; empty where neither method has evidence.
    """
    triangulated, convergence = [], []
    for s, c in zip(survey, coding, strict=True):
        s, c = (None if pd.isna(s) else s), (None if pd.isna(c) else c)
        if s is None and c is None:
            triangulated.append(None)
            convergence.append(None)
        elif s is None or c is None:
            triangulated.append(s or c)
            convergence.append("silence")
        elif s == c:
            triangulated.append(s)
            convergence.append("agreement")
        elif "mixed" in (s, c):
            triangulated.append(c if s == "mixed" else s)
            convergence.append("partial agreement")
        else:
            triangulated.append("contested")
            convergence.append("dissonance")
    return pd.Series(triangulated, index=survey.index, dtype="object"), pd.Series(
        convergence, index=survey.index, dtype="object"
    )
