"""Site-visit coding marts on the demo project: coder agreement and the framework matrix."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.codings.refi_qda import coded_segments, read_refi_qda
from pipeline.methods.agreement import agreement_by_code, coding_units
from tests.conftest import DATA_DIR


def _mart(demo_run, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        return con.execute(sql).df()


def test_coder_agreement_is_published_per_code_and_pooled(demo_run):
    agreement = _mart(demo_run, "SELECT * FROM coder_agreement")
    project = read_refi_qda(DATA_DIR / "codings" / "site_visits.qdpx")
    codes = set(project.codes.loc[project.codes["is_codable"].astype(bool), "code_path"])
    assert set(agreement["code"]) >= (codes & set(coded_segments(project, "x")["code_path"])) | {"(pooled)"}
    pooled = agreement.set_index("code").loc["(pooled)"]
    # The demo plants good but imperfect agreement; Krippendorff (2004, p. 241) accepts alpha >= 0.667 tentatively.
    assert 0.667 < pooled["krippendorff_alpha"] < 1
    assert pooled["alpha_ci_low"] <= pooled["krippendorff_alpha"] <= pooled["alpha_ci_high"]
    mapped = agreement.dropna(subset=["factor_id"])
    assert len(mapped) == 14 and set(mapped["direction"]) == {"enabler", "barrier"}


def test_the_mart_matches_the_method_applied_to_the_file(demo_run):
    segments = coded_segments(read_refi_qda(DATA_DIR / "codings" / "site_visits.qdpx"), "codings/site_visits.qdpx")
    segments = segments.drop_duplicates(["source_name", "code_path", "coder", "start_position", "end_position"])
    expected = agreement_by_code(coding_units(segments)).set_index("code")["krippendorff_alpha"]
    published = _mart(demo_run, "SELECT code, krippendorff_alpha FROM coder_agreement").set_index("code")[
        "krippendorff_alpha"
    ]
    pd.testing.assert_series_equal(
        published.sort_index(), expected.sort_index(), check_names=False, check_index_type=False
    )


def test_the_framework_matrix_keeps_redacted_excerpts_beside_the_counts(demo_run):
    matrix = _mart(demo_run, "SELECT * FROM success_factor_matrix")
    with_evidence = matrix[(matrix["enabler_passages"] + matrix["barrier_passages"]) > 0]
    assert with_evidence["excerpts"].notna().all()
    assert with_evidence["excerpts"].str.split(" \\| ").map(len).max() <= 3
    assert set(matrix["convergence"].dropna()) <= {"agreement", "partial agreement", "silence", "dissonance"}
    assert (matrix["methods_disagree"] == (matrix["convergence"] == "dissonance")).all()
