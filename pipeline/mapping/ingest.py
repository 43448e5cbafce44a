"""Each partnership's inventory of commissioned interventions into the raw layer."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.ingest import IngestReport, ensure_raw_table, load_folder
from pipeline.mapping.interventions import INVENTORY, INVENTORY_SUFFIXES, read_interventions
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits


def load_interventions(
    con: duckdb.DuckDBPyConnection, interventions_dir: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> IngestReport:
    """Load every partnership's interventions inventory (CSV or Excel) into `raw.interventions`, each file
    checked against `limits` inside `data_dir` first (`pipeline.safe_files`)."""
    limits = limits.within(data_dir)
    paths = (
        [
            p
            for p in sorted(interventions_dir.glob("*"))
            if p.suffix.lower() in INVENTORY_SUFFIXES and not p.name.startswith(("~$", "."))
        ]
        if interventions_dir.exists()
        else []
    )
    report = load_folder(
        con, "raw.interventions", paths, data_dir, lambda path: read_interventions(path, limits), limits=limits
    )
    ensure_raw_table(con, "raw.interventions", ["partnership_id", *(c.name for c in INVENTORY.columns)])
    return report
