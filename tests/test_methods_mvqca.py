"""Multi-value QCA (pipeline.methods.qca.mv_truth_table and minimize) against R QCA's published output.

Sources of the expected figures:
- Lipset's inter-war data as multi-value sets, LM, used by Cronqvist & Berg-Schlosser (2009), "Multi-Value QCA
  (mvQCA)", ch. 4 of Rihoux & Ragin (eds.), "Configurational Comparative Methods" (p. 80 per R QCA's manual).
  R QCA documents LM (man/Lipset.Rd) as LR calibrated with "two thresholds ... 550 and 850 USD" for DEV and the
  crisp thresholds of LC for the others (50% urban, 75% literate, 30% industrial labour, fewer than 10 cabinets,
  positive survival). LR (raw) is copied below from R QCA's data/LR.tab.gz (dusadrian/QCA).
- R QCA's own test snapshots, dusadrian/QCA commit ee9fd13d8e49483f887cbe929d941e7706bd7a71,
  tests/testthat/_snaps/truthTable.md (truthTable(LM, SURV, sort.by = "incl"); ttLM with n.cut = 2) and
  tests/testthat/_snaps/minimize.md for the calls in tests/testthat/test-minimize.R: ttLM and ttLMn =
  truthTable(LM, [~]SURV, conditions = c(DEV, URB, LIT, IND)), minimize(ttLM[n]) and minimize(ttLM[n],
  include = "?"), minimize(ttLM2, include = "?") with ttLM2 = truthTable(LM, SURV, n.cut = 2); and the
  multi-valued outcomes of d.mmv (8 cases defined in test-minimize.R and in the QCA 1.1 manual, man/eqmcc.Rd):
  minimize(d.mmv, outcome = "D[2], E[3]", relation = "sufnec") and minimize(d.mmv, outcome = "~E[3]",
  include = "?"). Parameters of fit are printed to 3 decimals; R QCA 3 writes levels in square brackets.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.methods import qca

COUNTRIES = ["AU", "BE", "CZ", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "NL", "PL", "PT", "RO", "ES", "SE", "UK"]
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
LM = pd.DataFrame(
    {
        "DEV": qca.calibrate_crisp(LR["DEV"], [550, 850]),
        "URB": qca.calibrate_crisp(LR["URB"], 50),
        "LIT": qca.calibrate_crisp(LR["LIT"], 75),
        "IND": qca.calibrate_crisp(LR["IND"], 30),
        "STB": qca.calibrate_crisp(LR["STB"], 10, increasing=False),
        "SURV": qca.calibrate_crisp(LR["SURV"], 0.5),
    }
)
ALL = ["DEV", "URB", "LIT", "IND", "STB"]
FOUR = ["DEV", "URB", "LIT", "IND"]
PUBLISHED = 5e-4  # 3 decimals

# d.mmv (R QCA test-minimize.R; QCA 1.1 manual, eqmcc examples): five multi-value variables, cases a-h.
MMV = pd.DataFrame(
    {
        "A": [2, 0, 0, 1, 1, 1, 2, 2],
        "B": [2, 2, 2, 2, 1, 1, 0, 0],
        "C": [0, 1, 0, 0, 0, 2, 1, 0],
        "D": [2, 1, 2, 2, 3, 1, 3, 0],
        "E": [3, 2, 3, 3, 0, 1, 3, 2],
    },
    index=list("abcdefgh"),
)


def _fit(solution: qca.Solution) -> list[tuple[str, float, float, float, frozenset[str]]]:
    return [(t.expression, t.consistency, t.coverage, t.unique_coverage, frozenset(t.cases)) for t in solution.terms]


def _close(ours: list[tuple], published: list[tuple]) -> bool:
    return all(
        a[0] == b[0] and a[4] == b[4] and all(abs(x - y) < PUBLISHED for x, y in zip(a[1:4], b[1:4], strict=True))
        for a, b in zip(ours, published, strict=True)
    ) and len(ours) == len(published)


def test_lm_truth_table_reproduces_r_qca():
    # truthTable(LM, SURV, sort.by = "incl"): row, OUT, n (incl 1.000 for OUT 1, 0.000 for OUT 0). Rows are
    # numbered as R numbers mixed-radix configurations: DEV[2]*URB[0]*LIT[1]*IND[1]*STB[1] is row 40.
    published = {22: ("1", 2), 32: ("1", 1), 40: ("1", 2), 48: ("1", 3), 1: ("0", 3)}
    published |= {2: ("0", 2), 5: ("0", 2), 6: ("0", 1), 23: ("0", 1), 31: ("0", 1)}
    tt = qca.mv_truth_table(LM, ALL, "SURV", incl_cut=1)
    assert len(tt) == 3 * 2**4 and tt.attrs["levels"] == (3, 2, 2, 2, 2)
    rows = tt[tt["n"] > 0].set_index("row")
    assert {row: (r.OUT, r.n) for row, r in rows.iterrows()} == published
    assert rows["incl"].to_dict() == {row: float(out) for row, (out, _) in published.items()}
    assert rows.loc[40, "configuration"] == "DEV{2}*URB{0}*LIT{1}*IND{1}*STB{1}"
    assert rows.loc[40, "cases"] == "FR,SE" and rows.loc[48, "cases"] == "BE,NL,UK"


def test_lm_complex_and_parsimonious_solutions_reproduce_r_qca():
    tt = qca.mv_truth_table(LM, FOUR, "SURV", incl_cut=1, notation="[]")
    # minimize(ttLM): M1: DEV[2]*LIT[1]*IND[1] + DEV[1]*URB[0]*LIT[1]*IND[0] -> SURV[1]
    #   inclS 1.000, covS 0.625 and 0.250, covU 0.625 and 0.250, cases FR,SE; BE,NL,UK and FI,IE; M1 covS 0.875.
    (complex_solution,) = qca.minimize(tt, "complex")
    assert complex_solution.expression == "DEV[2]*LIT[1]*IND[1] + DEV[1]*URB[0]*LIT[1]*IND[0]"
    assert _close(
        _fit(complex_solution),
        [
            ("DEV[2]*LIT[1]*IND[1]", 1.0, 0.625, 0.625, frozenset({"FR", "SE", "BE", "NL", "UK"})),
            ("DEV[1]*URB[0]*LIT[1]*IND[0]", 1.0, 0.25, 0.25, frozenset({"FI", "IE"})),
        ],
    )
    assert (complex_solution.consistency, complex_solution.coverage) == (1.0, pytest.approx(0.875, abs=PUBLISHED))
    # minimize(ttLM, include = "?"): M1: DEV[2] + DEV[1]*IND[0] -> SURV[1], same fit.
    (parsimonious,) = qca.minimize(tt, "parsimonious")
    assert parsimonious.expression == "DEV[2] + DEV[1]*IND[0]"
    assert _close(
        _fit(parsimonious),
        [
            ("DEV[2]", 1.0, 0.625, 0.625, frozenset({"FR", "SE", "BE", "NL", "UK"})),
            ("DEV[1]*IND[0]", 1.0, 0.25, 0.25, frozenset({"FI", "IE"})),
        ],
    )
    # CZ (survived) and DE (did not) share DEV[1]*URB[1]*LIT[1]*IND[1] (row 16): left unexplained, coverage 7/8.
    assert parsimonious.contradictory_configurations == (16,)


def test_lm_negated_outcome_reproduces_r_qca():
    tt = qca.mv_truth_table(LM, FOUR, "~SURV", incl_cut=1, notation="[]")
    # minimize(ttLMn): M1: DEV[0]*URB[0]*IND[0] + DEV[1]*URB[0]*LIT[1]*IND[1] -> ~SURV[1]; covS 0.800, 0.100;
    # cases GR,IT,PT,RO,ES; EE,HU,PL and AU; M1 covS 0.900.
    (complex_solution,) = qca.minimize(tt, "complex")
    assert _close(
        _fit(complex_solution),
        [
            ("DEV[0]*URB[0]*IND[0]", 1.0, 0.8, 0.8, frozenset({"GR", "IT", "PT", "RO", "ES", "EE", "HU", "PL"})),
            ("DEV[1]*URB[0]*LIT[1]*IND[1]", 1.0, 0.1, 0.1, frozenset({"AU"})),
        ],
    )
    assert complex_solution.coverage == pytest.approx(0.9, abs=PUBLISHED)
    # minimize(ttLMn, include = "?"): M1: DEV[0] + DEV[1]*URB[0]*IND[1] -> ~SURV[1].
    (parsimonious,) = qca.minimize(tt, "parsimonious")
    assert parsimonious.expression == "DEV[0] + DEV[1]*URB[0]*IND[1]"
    assert str(parsimonious) == "M1: DEV[0] + DEV[1]*URB[0]*IND[1] -> ~SURV"


def test_frequency_cut_reproduces_r_qca():
    # ttLM2 = truthTable(LM, SURV, n.cut = 2): rows 6, 23, 31 and 32 (one case each) become remainders;
    # minimize(ttLM2, include = "?"): M1: LIT[1]*STB[1] <-> SURV[1], inclS 0.889, PRI 0.889, covS 1.000.
    tt = qca.mv_truth_table(LM, ALL, "SURV", incl_cut=1, n_cut=2, notation="[]")
    assert tt.set_index("row").loc[[6, 23, 31, 32], "OUT"].tolist() == ["?", "?", "?", "?"]
    (solution,) = qca.minimize(tt, "parsimonious")
    assert solution.expression == "LIT[1]*STB[1]"
    assert (solution.consistency, solution.pri, solution.coverage) == pytest.approx((0.889, 0.889, 1.0), abs=PUBLISHED)


def test_multi_value_outcomes_reproduce_r_qca():
    # minimize(d.mmv, outcome = "D[2], E[3]", relation = "sufnec"): M1: B[2]*C[0]*E[3] <-> D[2] and
    # M1: B[2]*C[0]*D[2] + A[2]*B[0]*C[1]*D[3] <-> E[3] (covS 0.750, 0.250; cases c; d; a and g). Both cover
    # every positive case, so the necessity requirement of "sufnec" changes nothing.
    (for_d,) = qca.minimize(qca.mv_truth_table(MMV, list("ABCE"), "D[2]", incl_cut=1, notation="[]"))
    assert for_d.expression == "B[2]*C[0]*E[3]" and for_d.coverage == 1.0
    (for_e,) = qca.minimize(qca.mv_truth_table(MMV, list("ABCD"), "E[3]", incl_cut=1, notation="[]"))
    assert _close(
        _fit(for_e),
        [
            ("B[2]*C[0]*D[2]", 1.0, 0.75, 0.75, frozenset("acd")),
            ("A[2]*B[0]*C[1]*D[3]", 1.0, 0.25, 0.25, frozenset("g")),
        ],
    )


def test_every_minimal_model_of_a_negated_multi_value_outcome_in_r_qca_order():
    # minimize(d.mmv, outcome = "~E[3]", include = "?"): ten models, M01 to M10, in this order.
    published = [
        "B[1] + D[0] + D[1]",
        "B[1] + D[0] + A[0]*C[1]",
        "B[1] + D[0] + B[2]*C[1]",
        "B[1] + D[1] + B[0]*C[0]",
        "B[1] + A[0]*C[1] + B[0]*C[0]",
        "B[1] + B[0]*C[0] + B[2]*C[1]",
        "D[0] + D[1] + A[1]*D[3]",
        "D[0] + D[1] + C[0]*D[3]",
        "D[1] + A[1]*D[3] + B[0]*C[0]",
        "D[1] + B[0]*C[0] + C[0]*D[3]",
    ]
    tt = qca.mv_truth_table(MMV, list("ABCD"), "~E[3]", incl_cut=1, notation="[]")
    models = qca.minimize(tt, "parsimonious")
    assert [model.expression for model in models] == published
    assert [model.model for model in models] == [f"M{i}" for i in range(1, 11)]
    assert all(model.consistency == 1.0 and model.coverage == 1.0 for model in models)


def test_mvqca_notation_and_two_level_conditions_agree_with_crisp_qca():
    # The default notation is Cronqvist's (Tosmana, R QCA 2): NAME{level}.
    tt = qca.mv_truth_table(LM, FOUR, "SURV", incl_cut=1)
    assert qca.minimize(tt, "parsimonious")[0].expression == "DEV{2} + DEV{1}*IND{0}"
    # Crisp (two-level) conditions give the crisp solution in mvQCA notation: Lipset's crisp data, DEV*STB.
    crisp = LM.assign(DEV=qca.calibrate_crisp(LR["DEV"], 550))
    (mv,) = qca.minimize(qca.mv_truth_table(crisp, ALL, "SURV", incl_cut=1), "parsimonious")
    (cs,) = qca.minimize(qca.truth_table(crisp, ALL, "SURV", incl_cut=1), "parsimonious")
    assert (mv.expression, cs.expression) == ("DEV{1}*STB{1}", "DEV*STB")
    assert mv.simplifying_assumptions == cs.simplifying_assumptions


def test_mv_truth_table_checks_its_input():
    with pytest.raises(ValueError, match=r"column 'DEV', case 'AU': expected a multi-value condition's level"):
        qca.mv_truth_table(LM.assign(DEV=LM["DEV"].astype(float).where(LM.index != "AU", 1.5)), FOUR, "SURV")
    with pytest.raises(ValueError, match=r"condition 'DEV' has level 2, beyond its 2 levels"):
        qca.mv_truth_table(LM, FOUR, "SURV", levels={"DEV": 2})
    with pytest.raises(KeyError, match="neither a column nor a level"):
        qca.mv_truth_table(LM, FOUR, "GROWTH{1}")
    with pytest.raises(ValueError, match="cannot also be a condition"):
        qca.mv_truth_table(MMV, list("ABCD"), "D[2]")
    with pytest.raises(ValueError, match="intermediate solutions are not provided"):
        qca.minimize(qca.mv_truth_table(LM, FOUR, "SURV"), "intermediate", {"DEV": 1})
    # Declared levels add unobserved configurations (more remainders): 4 x 2^3 rows.
    assert len(qca.mv_truth_table(LM, FOUR, "SURV", levels={"DEV": 4})) == 32
