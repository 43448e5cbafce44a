"""Cronbach's alpha and Feldt's interval against published worked examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.methods.reliability import alpha_by_group, cronbach_alpha, cronbach_alpha_ci

# Shrout, P. E. & Fleiss, J. L. (1979), "Intraclass correlations: uses in assessing rater reliability",
# Psychological Bulletin 86(2):420-428, Table 2: six targets rated by four judges (also the `sf` example of
# R psych::ICC). Table 3 gives the two-way ANOVA: between-targets MS = 11.24, residual MS = 1.02. Table 4
# gives ICC(3,k) = .91, the consistency reliability of the judges' mean, which is coefficient alpha with the
# judges as items (Hoyt 1941: alpha = 1 - residual MS / between-targets MS; psych::ICC documentation:
# "alpha and ICC3k are identical").
SHROUT_FLEISS = pd.DataFrame(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    columns=["J1", "J2", "J3", "J4"],
    index=[f"S{i}" for i in range(1, 7)],
)
PUBLISHED_ICC_3K = 0.91
PUBLISHED_BMS, PUBLISHED_EMS = 11.24, 1.02


def test_alpha_reproduces_shrout_and_fleiss_icc_3k():
    alpha = cronbach_alpha(SHROUT_FLEISS)
    assert round(alpha, 2) == PUBLISHED_ICC_3K
    # Hoyt's ANOVA form from the published (2-decimal) mean squares.
    assert alpha == pytest.approx(1 - PUBLISHED_EMS / PUBLISHED_BMS, abs=1e-3)


def test_alpha_deletes_respondents_with_a_missing_item_listwise():
    with_gaps = pd.concat(
        [
            SHROUT_FLEISS,
            pd.DataFrame([[1.0, np.nan, 9.0, 9.0], [np.nan, np.nan, np.nan, np.nan]], columns=SHROUT_FLEISS.columns),
        ]
    )
    assert cronbach_alpha(with_gaps) == pytest.approx(cronbach_alpha(SHROUT_FLEISS), abs=1e-12)


def test_alpha_is_undefined_for_one_item_one_respondent_or_no_total_variance():
    assert math.isnan(cronbach_alpha(SHROUT_FLEISS[["J1"]]))
    assert math.isnan(cronbach_alpha(SHROUT_FLEISS.iloc[[0]]))
    assert math.isnan(cronbach_alpha(pd.DataFrame({"a": [3, 3, 3], "b": [2, 2, 2]})))


# Feldt, Woodruff & Salih (1987), Applied Psychological Measurement 11(1):93-103, p. 95, formulas 6-7.
# Worked example: Chris Evans' R function `feldt1.return` on the MRC Cognition and Brain Sciences Unit
# statistics wiki (imaging.mrc-cbu.cam.ac.uk/statswiki/FAQ/cafun): `feldt1.return(0.913, 873, 20, 0.95, 0)`
# gives the 95% interval 0.9044024 to 0.9211588 for alpha = .913 from 873 respondents and 20 items.
def test_feldt_interval_reproduces_published_example():
    low, high = cronbach_alpha_ci(0.913, n_respondents=873, k_items=20, level=0.95)
    assert low == pytest.approx(0.9044024, abs=1e-7)
    assert high == pytest.approx(0.9211588, abs=1e-7)


def test_feldt_interval_narrows_with_lower_confidence_and_is_undefined_without_data():
    low95, high95 = cronbach_alpha_ci(0.8, 40, 6, level=0.95)
    low90, high90 = cronbach_alpha_ci(0.8, 40, 6, level=0.90)
    assert low95 < low90 < 0.8 < high90 < high95 < 1
    assert all(math.isnan(v) for v in cronbach_alpha_ci(float("nan"), 40, 6))
    assert all(math.isnan(v) for v in cronbach_alpha_ci(0.8, 1, 6))
    with pytest.raises(ValueError, match="level"):
        cronbach_alpha_ci(0.8, 40, 6, level=95)


def _long(items: pd.DataFrame, **groups: str) -> pd.DataFrame:
    long = items.rename_axis("respondent").reset_index().melt(id_vars="respondent", var_name="item", value_name="score")
    return long.assign(**groups)


def test_alpha_by_group_on_long_data():
    partial = pd.DataFrame([[1.0, np.nan, 9.0, 9.0]], columns=SHROUT_FLEISS.columns, index=["S7"])
    scores = pd.concat(
        [
            _long(pd.concat([SHROUT_FLEISS, partial]), partnership_id="P01", construct="leadership"),
            _long(SHROUT_FLEISS.iloc[:2], partnership_id="P02", construct="leadership"),
            _long(SHROUT_FLEISS[["J1"]], partnership_id="P03", construct="leadership"),
        ]
    )
    result = alpha_by_group(scores, ["partnership_id", "construct"], "item", "respondent", "score").set_index(
        "partnership_id"
    )

    full = result.loc["P01"]
    assert (full.n_respondents, full.k_items) == (6, 4)  # S7 misses J2: left out
    assert round(full.alpha, 2) == PUBLISHED_ICC_3K
    assert (full.alpha_ci_low, full.alpha_ci_high) == pytest.approx(cronbach_alpha_ci(full.alpha, 6, 4))
    assert full.alpha_ci_low < full.alpha < full.alpha_ci_high
    assert full.note is None

    assert result.loc["P02", "n_respondents"] == 2
    assert math.isnan(result.loc["P02", "alpha"]) and math.isnan(result.loc["P02", "alpha_ci_low"])
    assert "respondents" in result.loc["P02", "note"]
    assert result.loc["P03", "k_items"] == 1 and "items" in result.loc["P03", "note"]


def test_alpha_by_group_rejects_two_scores_for_one_respondent_and_item():
    scores = _long(SHROUT_FLEISS, partnership_id="P01")
    with pytest.raises(ValueError, match="one score per respondent and item"):
        alpha_by_group(pd.concat([scores, scores.iloc[[0]]]), ["partnership_id"], "item", "respondent", "score")
