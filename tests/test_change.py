"""Wave-to-wave change against Student's sleep data as analysed in R."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.methods.change import PAIRED, TOO_FEW, WELCH, compare_waves

# Cushny and Peebles' sleep data as analysed by Student (1908), Biometrika 6(1), p. 20: extra hours of sleep
# with drug 1 and drug 2 in the same ten patients (R's datasets::sleep). R's output, taking group 1 - group 2:
#   t.test(extra ~ group, data = sleep, paired = TRUE):
#     t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 to -0.7001142
#   t.test(extra ~ group, data = sleep)  (Welch):
#     t = -1.8608, df = 17.776, p-value = 0.07939, 95% CI -3.3654832 to 0.2054832; means 0.75 and 2.33
# Here drug 1 is "before" and drug 2 "after", so difference = after - before flips R's signs.
DRUG_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
DRUG_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def wave(ids: list, scores: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"respondent": ids, "score": scores})


PATIENTS = list(range(1, 11))


def test_paired_t_test_reproduces_r_on_sleep_data():
    result = compare_waves(wave(PATIENTS, DRUG_1), wave(PATIENTS, DRUG_2), "respondent", "score")
    assert result["test"] == PAIRED
    assert (result["n_before"], result["n_after"], result["n_paired"]) == (10, 10, 10)
    assert result["difference"] == pytest.approx(1.58)
    assert result["statistic"] == pytest.approx(4.0621, abs=5e-5)
    assert result["df"] == 9
    assert result["p_value"] == pytest.approx(0.002833, abs=5e-7)
    assert result["ci_low"] == pytest.approx(0.7001142, abs=1e-7)
    assert result["ci_high"] == pytest.approx(2.4598858, abs=1e-7)


def test_welch_t_test_reproduces_r_on_sleep_data_when_nobody_answered_both_waves():
    before = wave([f"a{i}" for i in PATIENTS], DRUG_1)
    after = wave([f"b{i}" for i in PATIENTS], DRUG_2)
    result = compare_waves(before, after, "respondent", "score")
    assert result["test"] == WELCH
    assert result["n_paired"] == 0
    assert (result["mean_before"], result["mean_after"]) == pytest.approx((0.75, 2.33))
    assert result["statistic"] == pytest.approx(1.8608, abs=5e-5)
    assert result["df"] == pytest.approx(17.776, abs=5e-4)
    assert result["p_value"] == pytest.approx(0.07939, abs=5e-6)
    assert result["ci_low"] == pytest.approx(-0.2054832, abs=1e-7)
    assert result["ci_high"] == pytest.approx(3.3654832, abs=1e-7)


def test_fewer_pairs_than_the_minimum_fall_back_to_welch_on_everyone():
    # Four patients answer both waves: below min_pairs = 5, so the two waves are compared as samples,
    # which are the same twenty numbers as R's Welch example.
    before = wave(PATIENTS, DRUG_1)
    after = wave([*PATIENTS[:4], *(f"new{i}" for i in PATIENTS[4:])], DRUG_2)
    result = compare_waves(before, after, "respondent", "score")
    assert (result["test"], result["n_paired"]) == (WELCH, 4)
    assert result["statistic"] == pytest.approx(1.8608, abs=5e-5)

    lowered = compare_waves(before, after, "respondent", "score", min_pairs=4)
    assert (lowered["test"], lowered["df"]) == (PAIRED, 3)
    assert lowered["difference"] == pytest.approx(np.mean(np.subtract(DRUG_2[:4], DRUG_1[:4])))
    assert lowered["mean_after"] - lowered["mean_before"] == pytest.approx(lowered["difference"])


def test_missing_scores_are_not_respondents():
    before = pd.concat([wave(PATIENTS, DRUG_1), wave([11, 12], [np.nan, np.nan])])
    result = compare_waves(before, wave(PATIENTS, DRUG_2), "respondent", "score")
    assert (result["n_before"], result["test"]) == (10, PAIRED)
    assert result["statistic"] == pytest.approx(4.0621, abs=5e-5)


def test_too_few_respondents_gives_no_test():
    result = compare_waves(wave([1], [3.0]), wave([2, 3, 4], [4.0, 5.0, 3.0]), "respondent", "score")
    assert result["test"] == TOO_FEW
    assert (result["mean_before"], result["mean_after"], result["difference"]) == (3.0, 4.0, 1.0)
    for key in ("ci_low", "ci_high", "statistic", "df", "p_value"):
        assert math.isnan(result[key])
    empty = compare_waves(wave([], []), wave([2, 3], [4.0, 5.0]), "respondent", "score")
    assert empty["test"] == TOO_FEW and empty["n_before"] == 0 and math.isnan(empty["difference"])


def test_identical_differences_leave_t_undefined():
    result = compare_waves(wave(PATIENTS, DRUG_1), wave(PATIENTS, [x + 1 for x in DRUG_1]), "respondent", "score")
    assert result["test"] == PAIRED
    assert result["difference"] == pytest.approx(1.0)
    assert math.isnan(result["statistic"]) and math.isnan(result["p_value"]) and math.isnan(result["ci_low"])


def test_two_scores_for_one_respondent_in_a_wave_is_an_error():
    with pytest.raises(ValueError, match="after wave has more than one score"):
        compare_waves(wave(PATIENTS, DRUG_1), wave([*PATIENTS, 1], [*DRUG_2, 2.0]), "respondent", "score")
