"""The evaluation team's success assessments into the raw layer."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.comparison.schemas import SuccessAssessment
from pipeline.ingest import IngestReport, ensure_raw_table, load_folder
from pipeline.reference.reader import read_reference_csv
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits


def load_assessments(
    con: duckdb.DuckDBPyConnection, assessments_dir: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> IngestReport:
    """Load the evaluation team's success assessments (CSV or Excel) into `raw.success_assessments`, each
    file checked against `limits` inside `data_dir` first (`pipeline.safe_files`)."""
    limits = limits.within(data_dir)
    paths = (
        [p for p in sorted(assessments_dir.glob("*")) if p.suffix.lower() in (".csv", ".xlsx")]
        if assessments_dir.exists()
        else []
    )
    report = load_folder(
        con,
        "raw.success_assessments",
        paths,
        data_dir,
        lambda p: read_reference_csv(p, "success assessment", SuccessAssessment, limits),
        limits=limits,
    )
    columns = [c for c in SuccessAssessment.to_schema().columns if c not in ("source_file", "source_row")]
    ensure_raw_table(con, "raw.success_assessments", columns)
    return report
