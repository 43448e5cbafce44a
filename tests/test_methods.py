"""Statistical methods against published worked examples."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.methods.disclosure import is_disclosive
from pipeline.methods.intervals import t_interval

# Cushny and Peebles' sleep data as analysed by Student (1908), Biometrika 6(1), p. 20: extra hours of
# sleep with two drugs in the same ten patients. R's datasets::sleep documents the paired analysis,
# `t.test(extra ~ group, data = sleep, paired = TRUE)`: mean difference -1.58,
# 95 percent confidence interval -2.4598858 to -0.7001142.
DRUG_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
DRUG_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_t_interval_reproduces_students_sleep_data():
    differences = pd.Series(DRUG_1) - pd.Series(DRUG_2)
    low, high = t_interval(
        pd.Series([differences.mean()]), pd.Series([differences.std()]), pd.Series([len(differences)])
    )
    assert differences.mean() == pytest.approx(-1.58)
    assert low[0] == pytest.approx(-2.4598858, abs=1e-7)
    assert high[0] == pytest.approx(-0.7001142, abs=1e-7)


def test_t_interval_is_undefined_for_a_single_response():
    low, high = t_interval(pd.Series([4.0]), pd.Series([float("nan")]), pd.Series([1]))
    assert pd.isna(low[0]) and pd.isna(high[0])


def test_counts_from_one_to_four_are_disclosive_and_zero_or_five_are_not():
    counts = pd.Series([0, 1, 4, 5, 12, None])
    assert list(is_disclosive(counts, threshold=5)) == [False, True, True, False, False, False]
