"""Reference data into `raw.reference_<name>`: one table per reference CSV, as read."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.ingest import IngestReport, ensure_raw_table, load_file
from pipeline.reference.reader import LINEAGE_COLUMNS, read_reference_csv
from pipeline.reference.schemas import OPTIONAL_REFERENCE, REFERENCE_MODELS
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits
from pipeline.warehouse import drop_sources_not_in


def load_reference(
    con: duckdb.DuckDBPyConnection, reference_dir: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> list[IngestReport]:
    """Load each reference CSV into `raw.reference_<name>`; a missing file is an error naming it, and each is
    checked against `limits` inside `data_dir` before it is read (`pipeline.safe_files`). An optional file
    (`OPTIONAL_REFERENCE`) may be missing: its table is then empty, with its model's columns (and the rows of
    a file since removed are dropped).

    Unlike every other source, reference data is checked as a whole: a reference file that cannot be read
    stops the load with its error (everything else is conformed to it), rather than being refused alone."""
    limits = limits.within(data_dir)
    reports = []
    for name, model in REFERENCE_MODELS.items():
        path = reference_dir / f"{name}.csv"
        table = f"raw.reference_{name}"

        def read(p: Path, n: str = name, m: type = model):
            return read_reference_csv(p, n, m, limits)

        if name in OPTIONAL_REFERENCE and not path.exists():
            removed = drop_sources_not_in(con, table, [])  # the rows of a file since removed
            ensure_raw_table(con, table, [c for c in model.to_schema().columns if c not in LINEAGE_COLUMNS])
            reports.append(IngestReport(table, [], removed))
            continue
        if not path.exists():
            raise FileNotFoundError(f"{path}: reference table {name!r} is missing; see data/raw/reference/README.md")
        result = load_file(con, table, path, data_dir, read, limits=limits)
        reports.append(IngestReport(table, [result]))
    return reports
