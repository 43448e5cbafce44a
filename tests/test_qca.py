"""Qualitative Comparative Analysis against published worked examples.

Sources of the expected figures:
- Ragin (2008), "Redesigning Social Inquiry: Fuzzy Sets and Beyond", University of Chicago Press, ch. 5: the
  direct method of calibration, worked on per-capita national income (anchors 2,500 / 5,000 / 20,000 USD).
- Lipset's data on the survival of democracy in 18 inter-war European countries, as analysed by Rihoux &
  De Meur (2009), "Crisp-set qualitative comparative analysis", ch. 3 of Rihoux & Ragin (eds.),
  "Configurational Comparative Methods", Sage, and shipped with the R package QCA (Dusa 2019, "QCA with R",
  Springer) as LR (raw), LC (crisp) and LF (fuzzy). Figures quoted from Dusa (2019) and the package manual
  are the ones R QCA prints (3 decimals); where a figure is R QCA's output not quoted in the book, the
  comment gives the call and version.
- Schneider & Wagemann (2012), "Set-Theoretic Methods for the Social Sciences", Cambridge UP: relevance of
  necessity (p. 236) and contradictory simplifying assumptions (enhanced standard analysis).
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pandas as pd
import pytest

from pipeline.methods import qca

CONDITIONS = ["DEV", "URB", "LIT", "IND", "STB"]
COUNTRIES = ["AU", "BE", "CZ", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "NL", "PL", "PT", "RO", "ES", "SE", "UK"]

# LR: GNP per capita (USD, c. 1930), urbanisation (% in towns of 20,000+), literacy (%), industrial labour force
# (%), government stability (number of cabinets), survival of democracy (from -10 to 10).
LR = pd.DataFrame(
    {
        "DEV": [720, 1098, 586, 468, 590, 983, 795, 390, 424, 662, 517, 1008, 350, 320, 331, 367, 897, 1038],
        "URB": [33.4, 60.5, 69, 28.5, 22, 21.2, 56.5, 31.1, 36.3, 25, 31.4, 78.8, 37, 15.3, 21.9, 43, 34, 74],
        "LIT": [98, 94.4, 95.9, 95, 99.1, 96.2, 98, 59.2, 85, 95, 72.1, 99.9, 76.9, 38, 61.8, 55.6, 99.9, 99.9],
        "IND": [33.4, 48.9, 37.4, 14, 22, 34.8, 40.4, 28.1, 21.6, 14.5, 29.6, 39.3, 11.2, 23.1, 12.2, 25.5, 32.3, 49.9],
        "STB": [10, 4, 6, 6, 9, 5, 11, 10, 13, 5, 9, 2, 21, 19, 7, 12, 6, 4],
        "SURV": [-9, 10, 7, -6, 4, 10, -9, -8, -1, 8, -9, 10, -6, -9, -4, -8, 10, 10],
    },
    index=COUNTRIES,
)

# LC: the crisp version (Rihoux & De Meur 2009, ch. 3; R QCA's LC).
LC = pd.DataFrame(
    {
        "DEV": [1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1],
        "URB": [0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1],
        "LIT": [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1],
        "IND": [1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1],
        "STB": [0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1],
        "SURV": [0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1],
    },
    index=COUNTRIES,
)

# LF: the fuzzy version (R QCA's LF; Dusa 2019).
LF = pd.DataFrame(
    {
        "DEV": [
            0.81,
            0.99,
            0.58,
            0.16,
            0.58,
            0.98,
            0.89,
            0.04,
            0.07,
            0.72,
            0.34,
            0.98,
            0.02,
            0.01,
            0.01,
            0.03,
            0.95,
            0.98,
        ],
        "URB": [
            0.12,
            0.89,
            0.98,
            0.07,
            0.03,
            0.03,
            0.79,
            0.09,
            0.16,
            0.05,
            0.10,
            1.00,
            0.17,
            0.02,
            0.03,
            0.30,
            0.13,
            0.99,
        ],
        "LIT": [
            0.99,
            0.98,
            0.98,
            0.98,
            0.99,
            0.99,
            0.99,
            0.13,
            0.88,
            0.98,
            0.41,
            0.99,
            0.59,
            0.01,
            0.17,
            0.09,
            0.99,
            0.99,
        ],
        "IND": [
            0.73,
            1.00,
            0.90,
            0.01,
            0.08,
            0.81,
            0.96,
            0.36,
            0.07,
            0.01,
            0.47,
            0.94,
            0.00,
            0.11,
            0.00,
            0.21,
            0.67,
            1.00,
        ],
        "STB": [
            0.43,
            0.98,
            0.91,
            0.91,
            0.58,
            0.95,
            0.31,
            0.43,
            0.13,
            0.95,
            0.58,
            0.99,
            0.00,
            0.01,
            0.84,
            0.20,
            0.91,
            0.98,
        ],
        "SURV": [
            0.05,
            0.95,
            0.89,
            0.12,
            0.77,
            0.95,
            0.05,
            0.06,
            0.42,
            0.92,
            0.05,
            0.95,
            0.12,
            0.05,
            0.21,
            0.06,
            0.95,
            0.95,
        ],
    },
    index=COUNTRIES,
)

PUBLISHED = 5e-4  # published figures are printed to 3 decimals


# --------------------------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------------------------

# Ragin (2008, ch. 5), direct method: per-capita national income (USD) and the calibrated membership in the set
# of developed countries, with full non-membership 2,500, crossover 5,000 and full membership 20,000.
RAGIN_INCOME = {
    "Switzerland": (40110, 1.00),
    "United States": (34400, 1.00),
    "Netherlands": (25200, 0.98),
    "Finland": (24920, 0.98),
    "Australia": (20060, 0.95),
    "Israel": (17090, 0.92),
    "Spain": (15320, 0.89),
    "New Zealand": (13680, 0.85),
    "Cyprus": (11720, 0.79),
    "Greece": (11290, 0.78),
    "Portugal": (10940, 0.77),
    "Korea, Rep.": (9800, 0.72),
    "Argentina": (7470, 0.62),
    "Hungary": (4670, 0.40),
    "Venezuela": (4100, 0.25),
    "Estonia": (4070, 0.25),
    "Panama": (3740, 0.18),
    "Mauritius": (3690, 0.17),
    "Brazil": (3590, 0.16),
    "Turkey": (2980, 0.08),
    "Bolivia": (1000, 0.01),
    "Cote d'Ivoire": (650, 0.01),
    "Senegal": (450, 0.00),
    "Burundi": (110, 0.00),
}


def test_direct_method_reproduces_ragins_national_income_example():
    income = pd.Series({country: raw for country, (raw, _) in RAGIN_INCOME.items()})
    published = pd.Series({country: membership for country, (_, membership) in RAGIN_INCOME.items()})
    calibrated = qca.calibrate_fuzzy(income, 2500, 5000, 20000)
    assert (calibrated.round(2) - published).abs().max() < 1e-9
    # Ragin's worked rows: Israel's deviation 12,090 x scalar 3/15,000 = log-odds 2.42; Hungary's -330 x 3/2,500.
    assert math.log(calibrated["Israel"] / (1 - calibrated["Israel"])) == pytest.approx(2.418)
    assert math.log(calibrated["Hungary"] / (1 - calibrated["Hungary"])) == pytest.approx(-0.396)


def test_fuzzy_calibration_maps_the_three_anchors_to_005_05_095():
    anchors = pd.Series([2500, 5000, 20000])
    assert list(qca.calibrate_fuzzy(anchors, 2500, 5000, 20000).round(2)) == [0.05, 0.5, 0.95]
    exact = qca.calibrate_fuzzy(anchors, 2500, 5000, 20000, log_odds=qca.EXACT_95_LOG_ODDS)
    assert list(exact) == pytest.approx([0.05, 0.5, 0.95], abs=1e-12)
    # A decreasing set: full membership below the crossover.
    decreasing = qca.calibrate_fuzzy(pd.Series([5, 9.5, 15, None]), 15, 9.5, 5, log_odds=qca.EXACT_95_LOG_ODDS)
    assert list(decreasing[:3]) == pytest.approx([0.95, 0.5, 0.05], abs=1e-12)
    assert pd.isna(decreasing[3])


def test_fuzzy_calibration_rejects_a_crossover_outside_the_anchors():
    with pytest.raises(ValueError, match="crossover must lie strictly between"):
        qca.calibrate_fuzzy(pd.Series([1.0]), 10, 50, 40)


def test_direct_method_reproduces_all_published_lipset_fuzzy_memberships():
    # With these anchors (full non-membership, crossover, full membership; STB decreasing: fewer cabinets, more
    # stable), Ragin's direct method turns the raw LR data into every one of the 108 LF memberships (2 decimals).
    anchors = {
        "DEV": (400, 550, 900),
        "URB": (25, 50, 65),
        "LIT": (50, 75, 90),
        "IND": (20, 30, 40),
        "STB": (15, 9.5, 5),
        "SURV": (-9, 0, 10),
    }
    for column, (full_out, crossover, full_in) in anchors.items():
        calibrated = qca.calibrate_fuzzy(LR[column], full_out, crossover, full_in).round(2)
        pd.testing.assert_series_equal(calibrated, LF[column], check_exact=False, atol=1e-9)


def test_crisp_calibration_reproduces_the_lipset_crisp_data():
    # Rihoux & De Meur (2009, ch. 3) dichotomise at 550 USD, 50 % urban, 75 % literate, 30 % industrial labour,
    # fewer than 10 cabinets (stable) and a positive survival score.
    thresholds = {"DEV": (550, True), "URB": (50, True), "LIT": (75, True), "IND": (30, True), "STB": (10, False)}
    for column, (threshold, increasing) in thresholds.items():
        calibrated = qca.calibrate_crisp(LR[column], threshold, increasing=increasing)
        assert list(calibrated) == list(LC[column]), column
    assert list(qca.calibrate_crisp(LR["SURV"], 0.5)) == list(LC["SURV"])


def test_crisp_calibration_with_several_thresholds_is_multi_value():
    raw = pd.Series([3, 10, 15, 20, 27, None])
    assert list(qca.calibrate_crisp(raw, [10, 20])) == [0, 1, 1, 2, 2, pd.NA]
    assert list(qca.calibrate_crisp(raw, [10, 20], increasing=False)) == [2, 1, 1, 0, 0, pd.NA]


# --------------------------------------------------------------------------------------------------------------
# Truth tables
# --------------------------------------------------------------------------------------------------------------


def observed(tt: pd.DataFrame) -> pd.DataFrame:
    return tt[tt["n"] > 0].set_index("row")


def test_lipset_crisp_truth_table():
    # Rihoux & De Meur (2009, ch. 3) and Dusa (2019): 9 observed configurations of the 32, no contradiction.
    tt = qca.truth_table(LC, CONDITIONS, "SURV", incl_cut=1)
    rows = observed(tt)
    assert len(tt) == 32 and (tt["OUT"] == "?").sum() == 23
    assert rows["cases"].to_dict() == {
        1: "GR,PT,ES",
        2: "IT,RO",
        5: "HU,PL",
        6: "EE",
        22: "FI,IE",
        23: "AU",
        24: "FR,SE",
        31: "DE",
        32: "BE,CZ,NL,UK",
    }
    assert rows["OUT"].to_dict() == {1: "0", 2: "0", 5: "0", 6: "0", 22: "1", 23: "0", 24: "1", 31: "0", 32: "1"}
    assert rows.loc[24, "configuration"] == "DEV*~URB*LIT*IND*STB"
    assert not tt["contradiction"].any()


def test_lipset_fuzzy_truth_table_reproduces_dusa():
    # Dusa (2019), truthTable(LF, outcome = "SURV", incl.cut = 0.8): n, incl and PRI of the observed rows.
    published = {
        1: (3, 0.216, 0.000, "0"),
        2: (2, 0.278, 0.000, "0"),
        5: (2, 0.521, 0.113, "0"),
        6: (1, 0.529, 0.228, "0"),
        22: (2, 0.804, 0.719, "1"),
        23: (1, 0.378, 0.040, "0"),
        24: (2, 0.709, 0.634, "0"),
        31: (1, 0.445, 0.050, "0"),
        32: (4, 0.904, 0.886, "1"),
    }
    rows = observed(qca.truth_table(LF, CONDITIONS, "SURV", incl_cut=0.8))
    assert sorted(rows.index) == sorted(published)
    for row, (n, incl, pri, out) in published.items():
        assert rows.loc[row, "n"] == n
        assert rows.loc[row, "incl"] == pytest.approx(incl, abs=PUBLISHED)
        assert rows.loc[row, "PRI"] == pytest.approx(pri, abs=PUBLISHED)
        assert rows.loc[row, "OUT"] == out
    # FR and SE survive (SURV > 0.5) in a row below the cut; AU does not survive in row 23.
    assert rows.loc[24, "deviant_cases"] == "" and rows.loc[23, "deviant_cases"] == "AU"


def test_pri_cut_and_n_cut_recode_rows():
    # Row 22's PRI (0.719) falls below a PRI cut of 0.75 although its inclusion (0.804) passes: coded 0 (as R).
    rows = observed(qca.truth_table(LF, CONDITIONS, "SURV", incl_cut=0.8, pri_cut=0.75))
    assert rows.loc[22, "OUT"] == "0" and rows.loc[32, "OUT"] == "1"
    # With n_cut = 2, the single-case rows become remainders (their inclusion is still reported).
    rows = observed(qca.truth_table(LC, CONDITIONS, "SURV", n_cut=2))
    assert rows.loc[[6, 23, 31], "OUT"].tolist() == ["?", "?", "?"]
    assert rows.loc[23, "incl"] == 0.0


def test_crisp_contradictions_are_coded_c():
    data = pd.DataFrame(
        {"A": [1, 1, 1, 1, 0], "B": [1, 1, 1, 0, 0], "Y": [1, 1, 0, 1, 0]},
        index=["c1", "c2", "c3", "c4", "c5"],
    )
    # Row A*B (4) has cases on both sides: inclusion 2/3.
    tt = qca.truth_table(data, ["A", "B"], "Y", incl_cut=0.8).set_index("row")
    assert tt.loc[4, "incl"] == pytest.approx(2 / 3)
    assert tt.loc[4, "OUT"] == "C" and tt.loc[4, "contradiction"]
    assert tt.loc[4, "deviant_cases"] == "c3"
    assert tt.loc[[1, 2, 3], "OUT"].tolist() == ["0", "?", "1"]
    # With an explicit lower cut, R's rule applies: C only when incl_cut0 <= incl < incl_cut.
    assert qca.truth_table(data, ["A", "B"], "Y", incl_cut=0.8, incl_cut0=0.6).set_index("row").loc[4, "OUT"] == "C"
    assert qca.truth_table(data, ["A", "B"], "Y", incl_cut=0.8, incl_cut0=0.7).set_index("row").loc[4, "OUT"] == "0"
    assert qca.truth_table(data, ["A", "B"], "Y", incl_cut=0.6).set_index("row").loc[4, "OUT"] == "1"
    # The contradiction stays unexplained and is reported with the solution.
    (solution,) = qca.minimize(qca.truth_table(data, ["A", "B"], "Y", incl_cut=0.8), "parsimonious")
    assert solution.expression == "A*~B"
    assert solution.contradictory_configurations == (4,)


def test_truth_table_rejects_memberships_of_one_half_and_out_of_range_values():
    data = LF.copy()
    data.loc["IT", "STB"] = 0.5
    with pytest.raises(ValueError, match=r"condition 'STB', case 'IT': membership is exactly 0.5"):
        qca.truth_table(data, CONDITIONS, "SURV")
    data.loc["IT", "STB"] = 1.2
    with pytest.raises(ValueError, match=r"column 'STB', case 'IT': expected a calibrated set membership"):
        qca.truth_table(data, CONDITIONS, "SURV")
    with pytest.raises(KeyError, match="GDP"):
        qca.truth_table(LF, ["GDP"], "SURV")


# --------------------------------------------------------------------------------------------------------------
# Boolean minimisation
# --------------------------------------------------------------------------------------------------------------


def test_quine_mccluskey_textbook_cyclic_chart_has_two_minimal_covers():
    # f(A, B, C) = sum m(0, 1, 2, 5, 6, 7): the standard cyclic prime implicant chart (as in the worked example of
    # Petrick's method): six prime implicants, none essential, and two minimal covers of three terms each.
    on = [0, 1, 2, 5, 6, 7]
    primes = qca.prime_implicants(on, [], 3)
    assert sorted(primes) == sorted(["00-", "0-0", "-01", "-10", "1-1", "11-"])
    covers = {frozenset(qca._expression(p, "ABC") for p in cover) for cover in qca.minimal_covers(primes, on)}
    assert covers == {frozenset({"~A*~B", "B*~C", "A*C"}), frozenset({"~A*~C", "~B*C", "A*B"})}


def test_lipset_crisp_solutions():
    tt = qca.truth_table(LC, CONDITIONS, "SURV", incl_cut=1)
    # Complex: R QCA, minimize(truthTable(LC, "SURV")); Rihoux & De Meur (2009, ch. 3) without remainders.
    (complex_solution,) = qca.minimize(tt, "complex")
    assert {t.expression for t in complex_solution.terms} == {"DEV*~URB*LIT*STB", "DEV*LIT*IND*STB"}
    assert complex_solution.consistency == 1.0 and complex_solution.coverage == 1.0
    # Parsimonious: GNPCAP*GOVSTAB in Rihoux & De Meur (2009, ch. 3); DEV*STB in R QCA.
    (parsimonious,) = qca.minimize(tt, "parsimonious")
    assert parsimonious.expression == "DEV*STB"
    assert parsimonious.simplifying_assumptions == (18, 20, 26, 28, 30)
    # Non-survival with remainders: gnpcap + govstab (Rihoux & De Meur 2009, ch. 3).
    negated = qca.truth_table(LC, CONDITIONS, "~SURV", incl_cut=1)
    (parsimonious_negated,) = qca.minimize(negated, "parsimonious")
    assert parsimonious_negated.expression == "~DEV + ~STB"
    assert str(parsimonious_negated) == "M1: ~DEV + ~STB -> ~SURV"
    (complex_negated,) = qca.minimize(negated, "complex")
    assert complex_negated.expression == "~DEV*~URB*~IND + DEV*LIT*IND*~STB"
    # The two parsimonious solutions share no remainder: no contradictory simplifying assumption.
    assert parsimonious.contradictory_assumptions == () and parsimonious_negated.contradictory_assumptions == ()


def test_lipset_fuzzy_solutions_reproduce_dusa():
    tt = qca.truth_table(LF, CONDITIONS, "SURV", incl_cut=0.8)
    # Dusa (2019) and the QCA manual: minimize(ttLF, include = "?") gives M1: DEV*~IND + URB*STB -> SURV, with
    #                inclS   covS   covU
    #   DEV*~IND     0.815  0.284  0.194
    #   URB*STB      0.874  0.520  0.430
    #   M1           0.850  0.714
    (parsimonious,) = qca.minimize(tt, "parsimonious")
    assert str(parsimonious) == "M1: DEV*~IND + URB*STB -> SURV"
    fit = {t.expression: (t.consistency, t.coverage, t.unique_coverage) for t in parsimonious.terms}
    assert fit["DEV*~IND"] == pytest.approx((0.815, 0.284, 0.194), abs=PUBLISHED)
    assert fit["URB*STB"] == pytest.approx((0.874, 0.520, 0.430), abs=PUBLISHED)
    assert (parsimonious.consistency, parsimonious.coverage) == pytest.approx((0.850, 0.714), abs=PUBLISHED)
    # Its 12 simplifying assumptions (R QCA 3.25: minimize(ttLF, include = "?")$SA$M1, rows 10 ... 30).
    assert parsimonious.simplifying_assumptions == (10, 12, 14, 16, 17, 18, 21, 25, 26, 28, 29, 30)
    # Complex (conservative): R QCA, minimize(ttLF).
    (complex_solution,) = qca.minimize(tt, "complex")
    assert complex_solution.expression == "DEV*URB*LIT*IND*STB + DEV*~URB*LIT*~IND*STB"
    assert complex_solution.simplifying_assumptions == ()


def test_lipset_fuzzy_intermediate_solution_reproduces_dusa():
    tt = qca.truth_table(LF, CONDITIONS, "SURV", incl_cut=0.8)
    # Dusa (2019) and the QCA manual: minimize(ttLF, include = "?", dir.exp = c(DEV, URB, LIT, IND, STB)) gives
    # C1P1, M1: DEV*URB*LIT*STB + DEV*LIT*~IND*STB -> SURV. Of the 12 simplifying assumptions of the
    # parsimonious solution, one (row 30, DEV*URB*LIT*~IND*STB) is an easy counterfactual (R QCA 3.25: i.sol$C1P1$EC).
    (intermediate,) = qca.minimize(tt, "intermediate", {c: 1 for c in CONDITIONS})
    assert str(intermediate) == "C1P1-M1: DEV*URB*LIT*STB + DEV*LIT*~IND*STB -> SURV"
    assert intermediate.easy_counterfactuals == (30,)
    assert intermediate.simplifying_assumptions == (30,)
    # The same model when IND is expected absent (R QCA 3.25); expectations may be strings.
    (same,) = qca.minimize(tt, "intermediate", {"DEV": "1", "URB": "1", "LIT": "1", "IND": "0", "STB": "1"})
    assert same.expression == intermediate.expression and same.easy_counterfactuals == (30,)


def test_lipset_three_condition_model():
    # R QCA 3.25, truthTable(LF, "SURV", conditions = "DEV, LIT, STB", incl.cut = 0.8): row 8 (all present) holds
    # 8 cases with inclusion 0.869 and PRI 0.848; complex DEV*LIT*STB, parsimonious DEV*STB (using remainder 6),
    # intermediate with all three expected present: DEV*LIT*STB (no easy counterfactual).
    tt = qca.truth_table(LF, ["DEV", "LIT", "STB"], "SURV", incl_cut=0.8)
    rows = tt.set_index("row")
    assert (rows.loc[8, "n"], rows.loc[8, "OUT"]) == (8, "1")
    assert (rows.loc[8, "incl"], rows.loc[8, "PRI"]) == pytest.approx((0.869, 0.848), abs=PUBLISHED)
    assert [s.expression for s in qca.minimize(tt, "complex")] == ["DEV*LIT*STB"]
    (parsimonious,) = qca.minimize(tt, "parsimonious")
    assert parsimonious.expression == "DEV*STB" and parsimonious.simplifying_assumptions == (6,)
    (intermediate,) = qca.minimize(tt, "intermediate", {"DEV": 1, "LIT": 1, "STB": 1})
    assert intermediate.expression == "DEV*LIT*STB" and intermediate.easy_counterfactuals == ()


def brute_force_models(on: set[int], off: set[int], k: int) -> set[frozenset[str]]:
    """All covers of `on` with the fewest prime implicants, by enumerating every cube and every combination."""

    def members(cube: str) -> set[int]:
        return {int("".join(bits), 2) for bits in itertools.product(*[("0", "1") if s == "-" else (s,) for s in cube])}

    cubes = {"".join(c): members("".join(c)) for c in itertools.product("01-", repeat=k)}
    implicants = {c: m for c, m in cubes.items() if m & on and not m & off}
    primes = [c for c, m in implicants.items() if not any(m < other for other in implicants.values())]
    for size in range(1, len(primes) + 1):
        models = {
            frozenset(combo)
            for combo in itertools.combinations(primes, size)
            if on <= set().union(*(implicants[p] for p in combo))
        }
        if models:
            return models
    return set()


@pytest.mark.parametrize("seed", range(40))
def test_every_equally_minimal_model_is_found(seed):
    # Random 4-condition tables with positives, negatives and remainders, against exhaustive enumeration.
    rng = random.Random(seed)
    codes = {m: rng.choice("10?") for m in range(16)}
    on = {m for m, c in codes.items() if c == "1"} or {0}
    remainders = {m for m, c in codes.items() if c == "?"} - on
    off = set(range(16)) - on - remainders
    found = {frozenset(cover) for cover in qca.minimal_covers(qca.prime_implicants(on, remainders, 4), on)}
    assert found == brute_force_models(on, off, 4)
    found_complex = {frozenset(cover) for cover in qca.minimal_covers(qca.prime_implicants(on, (), 4), on)}
    assert found_complex == brute_force_models(on, off | remainders, 4)


@pytest.mark.parametrize(("data", "outcome"), [(LC, "SURV"), (LC, "~SURV"), (LF, "SURV"), (LF, "~SURV")])
def test_lipset_solutions_cover_every_positive_row_no_negative_row_and_are_minimal(data, outcome):
    tt = qca.truth_table(data, CONDITIONS, outcome, incl_cut=0.8)
    codes = dict(zip(tt["row"] - 1, tt["OUT"], strict=True))
    on = {m for m, c in codes.items() if c == "1"}
    off = {m for m, c in codes.items() if c in ("0", "C")}
    remainders = {m for m, c in codes.items() if c == "?"}
    for kind, forbidden in (("complex", off | remainders), ("parsimonious", off)):
        solutions = qca.minimize(tt, kind)
        assert {frozenset(t.implicant for t in s.terms) for s in solutions} == brute_force_models(on, forbidden, 5)
        for solution in solutions:
            covered = {m for t in solution.terms for m in range(32) if qca._covers(t.implicant, m)}
            assert on <= covered and not covered & off


def test_all_equally_minimal_models_are_reported_with_their_contradictory_assumptions():
    # Two cases A*B -> Y and two ~A*~B -> ~Y; A*~B and ~A*B are remainders. Parsimonious: M1 A, M2 B. For ~Y the
    # parsimonious models are ~A and ~B, so each of A and B rests on a remainder that ~Y's solutions also use:
    # a contradictory simplifying assumption (Schneider & Wagemann 2012, enhanced standard analysis).
    data = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 1, 0, 0], "Y": [1, 1, 0, 0]}, index=["p", "q", "r", "s"])
    tt = qca.truth_table(data, ["A", "B"], "Y")
    models = qca.minimize(tt, "parsimonious")
    assert [str(s) for s in models] == ["M1: A -> Y", "M2: B -> Y"]
    assert [s.simplifying_assumptions for s in models] == [(3,), (2,)]
    assert [s.contradictory_assumptions for s in models] == [(3,), (2,)]
    # Excluding both remainders (enhanced standard analysis) leaves the complex solution.
    (enhanced,) = qca.minimize(tt, "parsimonious", exclude=[2, 3])
    assert enhanced.expression == "A*B" and enhanced.contradictory_assumptions == ()
    # One intermediate solution per pair of complex and parsimonious model, labelled as R's i.sol.
    intermediate = qca.minimize(tt, "intermediate", {"A": 1, "B": 1})
    assert [str(s) for s in intermediate] == ["C1P1-M1: A*B -> Y", "C1P2-M1: A*B -> Y"]


def test_minimize_needs_a_truth_table_and_valid_expectations():
    tt = qca.truth_table(LF, CONDITIONS, "SURV")
    with pytest.raises(ValueError, match="directional expectations"):
        qca.minimize(tt, "intermediate")
    with pytest.raises(ValueError, match=r"unknown conditions \['GDP'\]"):
        qca.minimize(tt, "intermediate", {"GDP": 1})
    with pytest.raises(ValueError, match="expected 1, 0 or '-'"):
        qca.minimize(tt, "intermediate", {"DEV": "up"})
    with pytest.raises(ValueError, match="kind must be one of"):
        qca.minimize(tt, "minimal")
    with pytest.raises(ValueError, match="made by truth_table"):
        qca.minimize(pd.DataFrame(tt.to_dict("list")), "complex")
    # Nothing coded 1: no solution.
    assert qca.minimize(qca.truth_table(LF, CONDITIONS, "SURV", incl_cut=0.95), "complex") == []


# --------------------------------------------------------------------------------------------------------------
# Parameters of fit on a hand-computed table
# --------------------------------------------------------------------------------------------------------------

# X = (0.8, 0.6, 0.3, 0.1), Y = (0.9, 0.4, 0.2, 0.7):
#   min(X, Y) = (0.8, 0.4, 0.2, 0.1), sum 1.5; sum X = 1.8; sum Y = 2.2
#   sufficiency consistency 1.5 / 1.8 = 0.8333, coverage 1.5 / 2.2 = 0.6818
#   min(X, Y, 1 - Y) = (0.1, 0.4, 0.2, 0.1), sum 0.8: PRI = (1.5 - 0.8) / (1.8 - 0.8) = 0.7
#   ~X: min(1 - X, Y) sums to 1.5 over sum(1 - X) = 2.2 (0.6818); min(1 - X, Y, 1 - Y) sums to 1.0: PRI 0.5 / 1.2
#   RoN of X for Y = sum(1 - X) / sum(1 - min(X, Y)) = 2.2 / 2.5 = 0.88
HAND = pd.DataFrame({"X": [0.8, 0.6, 0.3, 0.1], "Y": [0.9, 0.4, 0.2, 0.7]}, index=["a", "b", "c", "d"])


def test_consistency_coverage_and_pri_on_a_hand_computed_table():
    rows = qca.truth_table(HAND, ["X"], "Y", incl_cut=0.8).set_index("configuration")
    assert rows.loc["X", ["n", "incl", "PRI", "OUT", "cases"]].tolist() == [
        2,
        pytest.approx(1.5 / 1.8),
        pytest.approx(0.7),
        "1",
        "a,b",
    ]
    assert rows.loc["~X", ["n", "incl", "PRI", "OUT"]].tolist() == [
        2,
        pytest.approx(1.5 / 2.2),
        pytest.approx(0.5 / 1.2),
        "0",
    ]
    (solution,) = qca.minimize(qca.truth_table(HAND, ["X"], "Y", incl_cut=0.8), "complex")
    (term,) = solution.terms
    assert (term.consistency, term.coverage, term.pri) == pytest.approx((1.5 / 1.8, 1.5 / 2.2, 0.7))
    assert term.unique_coverage == pytest.approx(1.5 / 2.2)


def test_necessity_and_relevance_of_necessity_on_a_hand_computed_table():
    table = qca.necessity(HAND, ["X"], "Y").set_index("condition")
    assert table.loc["X", ["consistency", "coverage", "RoN"]].tolist() == pytest.approx(
        [1.5 / 2.2, 1.5 / 1.8, 2.2 / 2.5]
    )
    # ~X: min(1 - X, Y) = (0.2, 0.4, 0.2, 0.7); RoN = sum X / sum(1 - min(1 - X, Y)) = 1.8 / 2.5.
    assert table.loc["~X", ["consistency", "coverage", "RoN"]].tolist() == pytest.approx(
        [1.5 / 2.2, 1.5 / 2.2, 1.8 / 2.5]
    )


def test_unique_coverage_is_the_coverage_only_one_term_explains():
    # Crisp: A*~B, ~A*B and A*B survive, ~A*~B does not. Complex solution A + B: each term covers 2 of 3
    # positive cases (raw coverage 2/3) and is the only one to cover 1 (unique coverage 1/3); together, 1.
    data = pd.DataFrame({"A": [1, 0, 1, 0], "B": [0, 1, 1, 0], "Y": [1, 1, 1, 0]}, index=["w", "x", "y", "z"])
    (solution,) = qca.minimize(qca.truth_table(data, ["A", "B"], "Y"), "complex")
    assert solution.expression == "A + B"
    assert [v for t in solution.terms for v in (t.coverage, t.unique_coverage)] == pytest.approx([2 / 3, 1 / 3] * 2)
    assert (solution.consistency, solution.coverage) == (1.0, 1.0)
    assert [t.cases for t in solution.terms] == [("w", "y"), ("x", "y")]


def test_lipset_necessity_reproduces_r_qca():
    # R QCA 3.25, pof("DEV", "SURV", data = LF, relation = "necessity") and the same for LIT:
    # DEV: consistency 0.831, coverage 0.775, RoN 0.811; LIT: 0.991, 0.643, 0.509 (literacy is nearly
    # always present, so its necessity is close to trivial).
    table = qca.necessity(LF, CONDITIONS, "SURV").set_index("condition")
    assert len(table) == 10 and list(table.index[:2]) == ["DEV", "~DEV"]
    assert table.loc["DEV", ["consistency", "coverage", "RoN"]].tolist() == pytest.approx(
        [0.831, 0.775, 0.811], abs=PUBLISHED
    )
    assert table.loc["LIT", ["consistency", "coverage", "RoN"]].tolist() == pytest.approx(
        [0.991, 0.643, 0.509], abs=PUBLISHED
    )
    # Necessity for the negated outcome uses 1 - SURV.
    negated = qca.necessity(LF, ["DEV"], "~SURV").set_index("condition")
    y, x = 1 - LF["SURV"], LF["DEV"]
    assert negated.loc["DEV", "consistency"] == pytest.approx(np.minimum(x, y).sum() / y.sum())


# --------------------------------------------------------------------------------------------------------------
# Mart tables
# --------------------------------------------------------------------------------------------------------------


def test_mart_tables_have_their_stated_grain():
    truth = qca.qca_truth_table(LF, CONDITIONS, "SURV")
    assert list(truth.columns) == qca.TRUTH_TABLE_COLUMNS and truth["row"].is_unique and len(truth) == 32
    assert truth.attrs == {}

    solutions = qca.qca_solutions(LF, CONDITIONS, "SURV", directional={c: 1 for c in CONDITIONS})
    assert list(solutions.columns) == qca.SOLUTION_COLUMNS
    assert not solutions.duplicated(["kind", "model", "term"]).any()
    assert solutions.groupby("kind")["solution"].first().to_dict() == {
        "complex": "DEV*URB*LIT*IND*STB + DEV*~URB*LIT*~IND*STB",
        "intermediate": "DEV*URB*LIT*STB + DEV*LIT*~IND*STB",
        "parsimonious": "DEV*~IND + URB*STB",
    }
    pars = solutions[solutions["kind"] == "parsimonious"]
    assert pars["solution_coverage"].tolist() == pytest.approx([0.714, 0.714], abs=PUBLISHED)
    assert pars["simplifying_assumptions"].iloc[0] == "10,12,14,16,17,18,21,25,26,28,29,30"
    # Without directional expectations there is no intermediate solution.
    assert set(qca.qca_solutions(LC, CONDITIONS, "SURV")["kind"]) == {"complex", "parsimonious"}

    necessity = qca.qca_necessity(LF, CONDITIONS, "SURV")
    assert necessity["condition"].tolist() == [name for c in CONDITIONS for name in (c, f"~{c}")]


def test_observed_rows_only_still_leave_the_others_as_remainders():
    observed_only = qca.truth_table(LF, CONDITIONS, "SURV", complete=False)
    assert observed_only["row"].tolist() == [1, 2, 5, 6, 22, 23, 24, 31, 32]
    (parsimonious,) = qca.minimize(observed_only, "parsimonious")
    assert parsimonious.expression == "DEV*~IND + URB*STB" and len(parsimonious.simplifying_assumptions) == 12


def test_case_ids_can_come_from_a_column():
    data = LC.reset_index(names="partnership")
    tt = qca.truth_table(data, CONDITIONS, "SURV", case_id="partnership").set_index("row")
    assert tt.loc[32, "cases"] == "BE,CZ,NL,UK"
