"""The coder_agreement mart with Fleiss' kappa for many coders, Cohen's asymptotic interval, and weighted kappa
on ordinal scales of codes, from a coding table (CSV) through the warehouse.

Sources of the expected figures (the ratings are those of tests/test_methods_fleiss.py and
tests/test_methods_weighted_kappa.py, which cite them in full):
- Fleiss J. L. (1971), Psychological Bulletin 76(5):378-382, the R package irr's `diagnoses`: 30 patients, 6
  raters, 5 categories; irr's `kappam.fleiss(diagnoses)`: kappa 0.4302445, z 17.65183 (as recorded in
  statsmodels' test-suite, statsmodels/stats/tests/test_inter_rater.py).
- irr's `kappa2(anxiety[, 2:3], weight)` on its `anxiety` data (20 subjects rated 1 to 6), as recorded there:
  "equal" (linear) kappa 0.1459075, z 1.282472; "squared" (quadratic) kappa 0.2520325, z 1.437451.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipeline.codings.ingest import load_codings
from pipeline.codings.marts import build_coder_agreement
from pipeline.methods.agreement import weighted_kappa
from pipeline.warehouse import ensure_schemas, replace_table
from tests.test_methods_fleiss import DIAGNOSES
from tests.test_methods_weighted_kappa import ANXIETY

DIAGNOSIS = "Evidence/Diagnosis"
ANXIETY_SCALE = "Evidence/Anxiety"


def _coding_table(folder: Path, diagnoses: bool) -> None:
    """One coding per rater and subject: 30 sources coded by six coders with a level of the Diagnosis scale
    (unless not `diagnoses`), 20 sources coded by two others (irr's raters 2 and 3) with a level of the Anxiety
    scale."""
    folder.mkdir(parents=True)
    with (folder / "ratings.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["partnership", "source", "code", "coder", "excerpt"])
        for subject, ratings in enumerate(DIAGNOSES if diagnoses else [], start=1):
            for rater, rating in enumerate(ratings, start=1):
                writer.writerow(["P01", f"P01 patient {subject:02d}", f"{DIAGNOSIS}/{rating}", f"rater {rater}", ""])
        for subject, ratings in enumerate(ANXIETY[:, 1:], start=1):
            for rater, rating in zip("AB", ratings, strict=True):
                writer.writerow(
                    ["P02", f"P02 subject {subject:02d}", f"{ANXIETY_SCALE}/{rating}", f"coder {rater}", ""]
                )


def _mart(tmp_path: Path, weights: str, diagnoses: bool = True) -> pd.DataFrame:
    raw = tmp_path / "raw"
    _coding_table(raw / "codings", diagnoses)
    con = duckdb.connect(str(tmp_path / f"{weights}.duckdb"))
    ensure_schemas(con)
    load_codings(con, raw / "codings", raw)
    # The codebook: both families are levels of an ordinal scale (their parent code), scored by their last part.
    codes = [f"{DIAGNOSIS}/{k}" for k in range(1, 6)] + [f"{ANXIETY_SCALE}/{k}" for k in range(1, 7)]
    codebook = pd.DataFrame(
        {
            "code_path": codes,
            "factor_id": "senior_leadership",
            "direction": "enabler",
            "scale_value": [float(code.rsplit("/", 1)[1]) for code in codes],
        }
    )
    replace_table(con, "staging.codebook_factor_map", codebook)
    build_coder_agreement(con, weights)
    return con.execute("SELECT * FROM marts.coder_agreement").df().set_index("code")


@pytest.fixture(scope="module")
def linear(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return _mart(tmp_path_factory.mktemp("agreement"), "linear")


def test_six_coders_get_fleiss_kappa_with_its_z_test(linear: pd.DataFrame):
    # The scale's levels as nominal categories: Fleiss' kappa, which ignores their order, is irr's 0.4302445.
    scale = linear.loc[f"{DIAGNOSIS} (ordinal scale)"]
    assert (scale["n_coders"], scale["n_units"], scale["fleiss_units"], scale["unit"]) == (6, 30, 30, "source_scale")
    assert scale["fleiss_kappa"] == pytest.approx(0.4302445, abs=5e-8)
    assert scale["fleiss_z"] == pytest.approx(17.65183, abs=5e-6)
    assert scale["fleiss_p_value"] < 1e-60
    assert pd.isna(scale["cohens_kappa"]) and pd.isna(scale["weighted_kappa"])
    assert "6 coders: Fleiss' kappa" in scale["note"] and "weighted kappa not computed" in scale["note"]
    assert scale["alpha_metric"] == "ordinal" and scale["factor_id"] == "senior_leadership"
    # Each code on its own (presence in a source, every source) has more than two coders: Fleiss, no Cohen.
    code = linear.loc[f"{DIAGNOSIS}/4"]
    assert code["n_coders"] == 8 and pd.isna(code["cohens_kappa"]) and "8 coders: Fleiss' kappa" in code["note"]
    assert code["alpha_metric"] == "nominal" and pd.isna(code["kappa_weights"])


def test_two_coders_on_an_ordinal_scale_get_weighted_kappa_with_its_asymptotic_interval(tmp_path: Path, linear):
    scale = linear.loc[f"{ANXIETY_SCALE} (ordinal scale)"]
    assert (scale["n_coders"], scale["n_units"]) == (2, 20)
    assert scale["kappa_weights"] == "linear"
    assert scale["weighted_kappa"] == pytest.approx(0.1459075, rel=5e-7)  # irr: kappa2(..., "equal")
    expected = weighted_kappa(ANXIETY[:, 1:], "linear")
    assert scale["weighted_kappa"] / expected.se_null == pytest.approx(1.282472, rel=5e-7)  # irr's z
    assert (scale["weighted_kappa_se"], scale["weighted_kappa_low"], scale["weighted_kappa_high"]) == pytest.approx(
        (expected.se, expected.low, expected.high)
    )
    assert scale["cohens_kappa"] == pytest.approx(-0.006289308, rel=5e-7)  # irr: kappa2(anxiety[, 2:3])
    quadratic = _mart(tmp_path, "quadratic", diagnoses=False).loc[f"{ANXIETY_SCALE} (ordinal scale)"]
    assert quadratic["kappa_weights"] == "quadratic"
    assert quadratic["weighted_kappa"] == pytest.approx(0.2520325, rel=5e-7)  # irr: kappa2(..., "squared")


def test_cohens_kappa_has_its_asymptotic_interval_beside_the_bootstrap(tmp_path: Path, linear: pd.DataFrame):
    code = _mart(tmp_path, "linear", diagnoses=False).loc[f"{ANXIETY_SCALE}/2"]  # level 2 in a source, two coders
    assert code["n_coders"] == 2 and pd.isna(code["fleiss_kappa"])
    z = 1.959963984540054
    assert code["kappa_ase_low"] == pytest.approx(code["cohens_kappa"] - z * code["kappa_se"], rel=1e-12)
    assert code["kappa_ase_high"] == pytest.approx(code["cohens_kappa"] + z * code["kappa_se"], rel=1e-12)
    assert code["kappa_se"] > 0 and code["kappa_ci_low"] <= code["cohens_kappa"] <= code["kappa_ci_high"]
    # With the six other coders, the code is rated by eight (each on their own sources): no unit did all rate,
    # so Fleiss' kappa is undefined, and the note says over how many units it was computed.
    mixed = linear.loc[f"{ANXIETY_SCALE}/2"]
    assert (mixed["n_coders"], mixed["fleiss_units"]) == (8, 0) and np.isnan(mixed["fleiss_kappa"])
    assert "Fleiss' kappa over the 0 units every coder rated (50 left out)" in mixed["note"]
