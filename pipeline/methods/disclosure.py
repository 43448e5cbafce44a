"""Statistical disclosure control for published counts.

Small counts can identify people: a count from 1 to `threshold - 1` is suppressed (published as empty,
with a flag), following the common rule for official statistics that suppresses cells below five
(e.g. NHS England's and ONS's guidance on small numbers). Zero is published: it reveals nobody.
"""

from __future__ import annotations

import os

import pandas as pd

DEFAULT_THRESHOLD = 5


def disclosure_threshold() -> int:
    """The smallest count that may be published (`EVAL_DISCLOSURE_THRESHOLD`, default 5)."""
    value = os.environ.get("EVAL_DISCLOSURE_THRESHOLD", "").strip()
    threshold = int(value) if value else DEFAULT_THRESHOLD
    if threshold < 1:
        raise ValueError(f"EVAL_DISCLOSURE_THRESHOLD must be a whole number of at least 1, got {value!r}")
    return threshold


def is_disclosive(counts: pd.Series, threshold: int) -> pd.Series:
    """True where a count is positive but below the threshold."""
    return counts.fillna(0).between(1, threshold - 1)
