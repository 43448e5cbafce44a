"""Inter-coder agreement against published worked examples, and on the demo site-visit codings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.codings.refi_qda import coded_segments, read_refi_qda
from pipeline.methods.agreement import (
    AGREEMENT_COLUMNS,
    POOLED,
    agreement_by_code,
    bootstrap_alpha,
    bootstrap_kappa,
    coding_units,
    cohens_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from pipeline.settings import PROJECT_ROOT

DEMO_QDPX = PROJECT_ROOT / "data" / "raw" / "codings" / "site_visits.qdpx"
nan = np.nan

# Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability". Annenberg School for Communication,
# University of Pennsylvania, https://repository.upenn.edu/asc_papers/43. The worked example with four
# observers (A-D), twelve units and missing data, here as units (rows) x observers (columns). The paper
# gives alpha = 0.743 (nominal), 0.815 (ordinal), 0.849 (interval) and 0.797 (ratio) for these data.
KRIPPENDORFF_2011_MISSING = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],  # observer A
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],  # observer B
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],  # observer C
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],  # observer D
    ]
).T

# Krippendorff (2011), the first example: binary data, two observers, ten units, no missing data;
# alpha = 1 - (n - 1) * o_01 / (n_0 * n_1) = 1 - 19 * 4 / (14 * 6) = 0.095.
KRIPPENDORFF_2011_BINARY = np.array(
    [
        [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],  # observer A
        [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],  # observer B
    ]
).T

# Wikipedia, "Krippendorff's alpha", section "A computational example": three coders, fifteen units with
# missing values; alpha = 0.691 (nominal) and 0.811 (interval).
WIKIPEDIA_ALPHA_EXAMPLE = np.array(
    [
        [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
        [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
        [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
    ]
).T

# Cohen's kappa, the standard 2x2 example (Wikipedia, "Cohen's kappa", "Simple example"): 50 proposals read
# by two readers, Yes/Yes 20, Yes/No 5, No/Yes 10, No/No 15, so p_o = 0.7, p_e = 0.5 and kappa = 0.4.
COHEN_EXAMPLE = pd.DataFrame(
    [("Yes", "Yes")] * 20 + [("Yes", "No")] * 5 + [("No", "Yes")] * 10 + [("No", "No")] * 15,
    columns=["reader A", "reader B"],
)


# --- Published worked examples ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
def test_alpha_reproduces_krippendorff_2011_example_with_missing_data(metric, expected):
    assert krippendorff_alpha(KRIPPENDORFF_2011_MISSING, metric) == pytest.approx(expected, abs=5e-4)


def test_alpha_reproduces_krippendorff_2011_binary_example():
    assert krippendorff_alpha(KRIPPENDORFF_2011_BINARY) == pytest.approx(1 - 19 * 4 / (14 * 6))
    assert krippendorff_alpha(KRIPPENDORFF_2011_BINARY) == pytest.approx(0.095, abs=5e-4)
    # Six of the ten units are coded alike.
    assert percent_agreement(KRIPPENDORFF_2011_BINARY) == pytest.approx(0.6)


@pytest.mark.parametrize(("metric", "expected"), [("nominal", 0.691), ("interval", 0.811)])
def test_alpha_reproduces_wikipedia_computational_example(metric, expected):
    assert krippendorff_alpha(WIKIPEDIA_ALPHA_EXAMPLE, metric) == pytest.approx(expected, abs=5e-4)


def test_alpha_ignores_units_with_a_single_value():
    # Unit 12 of Krippendorff's example has one value: it is not pairable, so dropping it changes nothing.
    assert krippendorff_alpha(KRIPPENDORFF_2011_MISSING[:11]) == krippendorff_alpha(KRIPPENDORFF_2011_MISSING)


def test_alpha_accepts_category_labels_for_nominal_data():
    labels = pd.DataFrame(KRIPPENDORFF_2011_MISSING).map(lambda v: None if pd.isna(v) else f"category {v:g}")
    assert krippendorff_alpha(labels) == pytest.approx(0.743, abs=5e-4)
    with pytest.raises(ValueError, match="numeric values"):
        krippendorff_alpha(labels, "interval")


def test_cohens_kappa_reproduces_the_standard_two_by_two_example():
    assert percent_agreement(COHEN_EXAMPLE) == pytest.approx(0.7)
    assert cohens_kappa(COHEN_EXAMPLE) == pytest.approx(0.4)


def test_cohens_kappa_leaves_out_units_one_coder_did_not_rate():
    with_gaps = pd.concat([COHEN_EXAMPLE, pd.DataFrame({"reader A": ["Yes", None], "reader B": [None, "No"]})])
    assert cohens_kappa(with_gaps) == pytest.approx(0.4)


def test_cohens_kappa_is_for_two_coders_only():
    with pytest.raises(ValueError, match="exactly two coders"):
        cohens_kappa(KRIPPENDORFF_2011_MISSING)


def test_undefined_coefficients_are_nan_not_errors():
    same = [[1, 1], [1, 1], [1, 1]]
    assert math.isnan(krippendorff_alpha(same))  # D_e = 0: no variation
    assert math.isnan(cohens_kappa(same))  # p_e = 1
    assert percent_agreement(same) == 1.0
    lonely = [[1, nan], [nan, 0]]
    assert math.isnan(krippendorff_alpha(lonely)) and math.isnan(percent_agreement(lonely))


# --- Bootstrap -------------------------------------------------------------------------------------------


def test_bootstrap_alpha_interval_contains_the_estimate_and_is_reproducible():
    interval = bootstrap_alpha(KRIPPENDORFF_2011_MISSING, seed=7)
    assert interval.estimate == pytest.approx(0.743, abs=5e-4)
    assert interval.low < interval.estimate < interval.high <= 1.0
    assert interval.replicates + interval.undefined == 2000  # the default number of replicates
    assert bootstrap_alpha(KRIPPENDORFF_2011_MISSING, seed=7) == interval
    assert bootstrap_alpha(KRIPPENDORFF_2011_MISSING, seed=8) != interval
    narrower = bootstrap_alpha(KRIPPENDORFF_2011_MISSING, seed=7, level=0.5)
    assert interval.low < narrower.low < narrower.high < interval.high


def test_bootstrap_kappa_interval_contains_the_estimate_and_is_reproducible():
    interval = bootstrap_kappa(COHEN_EXAMPLE, seed=3)
    assert interval.estimate == pytest.approx(0.4)
    assert interval.low < 0.4 < interval.high
    assert interval.replicates == 2000 and interval.undefined == 0
    assert bootstrap_kappa(COHEN_EXAMPLE, seed=3) == interval


def test_bootstrap_of_undefined_alpha_is_nan():
    interval = bootstrap_alpha([[1, 1], [1, 1]], replicates=50)
    assert math.isnan(interval.estimate) and math.isnan(interval.low) and math.isnan(interval.high)


# --- Coded segments to reliability data ------------------------------------------------------------------


def segments(rows: list[tuple[str, str, str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source_name", "code_path", "coder", "start_position", "end_position"])


HAND_BUILT = segments(
    [
        ("S1", "X", "A", 0, 10),
        ("S1", "Y", "A", 20, 30),
        ("S1", "X", "B", 5, 12),  # overlaps A's X: one passage 0-12
        ("S1", "Z", "B", 40, 50),
        ("S1", "Z", "B", 40, 50),  # the same coding twice (a source in two cases): counted once
        ("S2", "Y", "A", 0, 5),  # B coded nothing in S2, so did not rate it
        ("S3", "X", "B", 0, 5),
        ("S3", "X", "B", 3, 8),  # chains with the previous one: passage 0-8
        ("S3", "Y", "A", 8, 10),  # touches 0-8 and 10-20 without overlapping: its own passage
        ("S3", "Z", "A", 10, 20),
    ]
)


def expected_units(rows: list[tuple], names: list[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples([row[:-2] for row in rows], names=names)
    frame = pd.DataFrame([row[-2:] for row in rows], index=index, columns=pd.Index(["A", "B"], name="coder"))
    return frame.astype(float)


def test_coding_units_by_source_and_code_presence():
    expected = expected_units(
        [
            ("S1", "X", 1, 1),
            ("S1", "Y", 1, 0),
            ("S1", "Z", 0, 1),
            ("S2", "X", 0, nan),
            ("S2", "Y", 1, nan),
            ("S2", "Z", 0, nan),
            ("S3", "X", 0, 1),
            ("S3", "Y", 1, 0),
            ("S3", "Z", 1, 0),
        ],
        ["source_name", "code_path"],
    )
    units = coding_units(HAND_BUILT)
    pd.testing.assert_frame_equal(units, expected)
    assert units.attrs["unit"] == "source_code"


def test_coding_units_by_overlapping_passage():
    rows = []
    for source, start, end, present in [
        ("S1", 0, 12, {"X": (1, 1)}),
        ("S1", 20, 30, {"Y": (1, 0)}),
        ("S1", 40, 50, {"Z": (0, 1)}),
        ("S2", 0, 5, {"Y": (1, nan)}),
        ("S3", 0, 8, {"X": (0, 1)}),
        ("S3", 8, 10, {"Y": (1, 0)}),
        ("S3", 10, 20, {"Z": (1, 0)}),
    ]:
        absent = (0, nan) if source == "S2" else (0, 0)
        rows += [(source, start, end, code, *present.get(code, absent)) for code in "XYZ"]
    expected = expected_units(rows, ["source_name", "passage_start", "passage_end", "code_path"])
    units = coding_units(HAND_BUILT, "segment")
    pd.testing.assert_frame_equal(units, expected)
    assert units.attrs["unit"] == "segment"


def test_coding_units_for_a_codebook_subset_includes_codes_nobody_applied():
    units = coding_units(HAND_BUILT, codes=["X", "W"])
    assert list(units.index.get_level_values("code_path")) == ["W", "X"] * 3
    # S2 still counts as rated by A (A coded Y there), so A scores 0 for X and W.
    assert units.loc[("S2", "X")].tolist()[0] == 0.0
    assert units.xs("W", level="code_path").fillna(0).to_numpy().sum() == 0


def test_coding_units_refuses_segments_without_positions_for_passages():
    whole_document = HAND_BUILT.astype({"start_position": "Int64", "end_position": "Int64"})
    whole_document.loc[0, ["start_position", "end_position"]] = pd.NA
    with pytest.raises(ValueError, match="unit='source_code'"):
        coding_units(whole_document, "segment")
    assert coding_units(whole_document).shape == (9, 2)  # presence per source needs no positions


# --- Agreement by code -----------------------------------------------------------------------------------


def test_agreement_by_code_reproduces_cohens_example_from_segments():
    # The 2x2 example as 50 sources coded by two coders: the code "Q" is the Yes/No rating, and both coders
    # apply a context code "C" everywhere (so each counts as having rated every source).
    cells = [("Yes", "Yes")] * 20 + [("Yes", "No")] * 5 + [("No", "Yes")] * 10 + [("No", "No")] * 15
    rows = []
    for number, ratings in enumerate(cells):
        source = f"source {number:02d}"
        for coder, rating in zip("AB", ratings, strict=True):
            rows.append((source, "C", coder, 0, 10))
            if rating == "Yes":
                rows.append((source, "Q", coder, 20, 30))
    report = agreement_by_code(coding_units(segments(rows)), replicates=200).set_index("code")

    assert list(report.columns) == [name for name in AGREEMENT_COLUMNS if name != "code"]
    q = report.loc["Q"]
    assert (q["n_units"], q["n_coders"], q["unit"]) == (50, 2, "source_code")
    assert q["percent_agreement"] == pytest.approx(0.7)
    assert q["cohens_kappa"] == pytest.approx(0.4)
    assert q["kappa_ci_low"] < 0.4 < q["kappa_ci_high"]
    assert q["alpha_ci_low"] < q["krippendorff_alpha"] < q["alpha_ci_high"]
    assert pd.isna(q["note"])

    c = report.loc["C"]  # everyone applied it everywhere: alpha and kappa are undefined, not errors
    assert c["percent_agreement"] == 1.0
    assert pd.isna(c["krippendorff_alpha"]) and pd.isna(c["cohens_kappa"]) and pd.isna(c["alpha_ci_low"])
    assert c["note"] == "alpha undefined: no variation (every value is 1)"
    assert report.index[-1] == POOLED and report.loc[POOLED, "n_units"] == 100


def test_agreement_by_code_reports_alpha_but_not_kappa_for_three_coders():
    units = pd.DataFrame(
        KRIPPENDORFF_2011_MISSING,
        index=pd.MultiIndex.from_product([[f"u{i}" for i in range(12)], ["code"]], names=["source_name", "code_path"]),
        columns=pd.Index(list("ABCD"), name="coder"),
    )
    report = agreement_by_code(units, replicates=200).set_index("code")
    row = report.loc["code"]
    assert row["krippendorff_alpha"] == pytest.approx(0.743, abs=5e-4)
    assert (row["n_units"], row["n_coders"]) == (11, 4)  # unit 12 has one value
    assert pd.isna(row["cohens_kappa"]) and "4 coders" in row["note"]


@pytest.fixture(scope="module")
def demo_segments() -> pd.DataFrame:
    return coded_segments(read_refi_qda(DEMO_QDPX), DEMO_QDPX.name)


@pytest.mark.parametrize("unit", ["source_code", "segment"])
def test_demo_codings_agree_well_but_not_perfectly(demo_segments, unit):
    # The demo plants imperfect coding: each coder applies the passage's code 88% of the time, otherwise
    # misses it or picks the opposite direction. Pooled alpha should clear 0.667, the lowest level Krippendorff
    # (2004, Content Analysis, 2nd ed., p. 241) accepts for tentative conclusions, and stay below 1.
    report = agreement_by_code(coding_units(demo_segments, unit)).set_index("code")
    pooled = report.loc[POOLED]
    assert pooled["n_coders"] == 2 and pooled["unit"] == unit
    assert 0.667 < pooled["krippendorff_alpha"] < 1.0
    assert pooled["alpha_ci_low"] < pooled["krippendorff_alpha"] < pooled["alpha_ci_high"]
    assert pooled["percent_agreement"] < 1.0
    per_code = report.drop(index=POOLED)
    assert len(per_code) == demo_segments["code_path"].nunique()
    assert (per_code["krippendorff_alpha"] < 1.0).all()
