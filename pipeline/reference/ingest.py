"""Reference data into `raw.reference_<name>`: one table per reference CSV, as read."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.ingest import IngestReport, load_file
from pipeline.reference.reader import read_reference_csv
from pipeline.reference.schemas import REFERENCE_MODELS
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits


def load_reference(
    con: duckdb.DuckDBPyConnection, reference_dir: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> list[IngestReport]:
    """Load each reference CSV into `raw.reference_<name>`; a missing file is an error naming it, and each is
    checked against `limits` inside `data_dir` before it is read (`pipeline.safe_files`).

    Unlike every other source, reference data is checked as a whole: a reference file that cannot be read
    stops the load with its error (everything else is conformed to it), rather than being refused alone."""
    limits = limits.within(data_dir)
    reports = []
    for name, model in REFERENCE_MODELS.items():
        path = reference_dir / f"{name}.csv"
        if not path.exists():
            raise FileNotFoundError(f"{path}: reference table {name!r} is missing; see data/raw/reference/README.md")
        table = f"raw.reference_{name}"
        result = load_file(
            con, table, path, data_dir, lambda p, n=name, m=model: read_reference_csv(p, n, m, limits), limits=limits
        )
        reports.append(IngestReport(table, [result]))
    return reports
