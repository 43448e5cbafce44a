"""The indicator register and the monitoring returns into the raw layer."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.ingest import IngestReport, ensure_raw_table, files_in, load_folder
from pipeline.monitoring.returns import RAW_COLUMNS, RETURN_SUFFIXES, read_returns
from pipeline.monitoring.schemas import IndicatorRegister
from pipeline.reference.reader import LINEAGE_COLUMNS, read_reference_csv
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits

REGISTER_FILE = "indicator_register.csv"
REGISTER_TABLE = "raw.reference_indicator_register"
RETURNS_TABLE = "raw.monitoring_returns"


def load_indicator_register(
    con: duckdb.DuckDBPyConnection, reference_dir: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> IngestReport:
    """Load `reference/indicator_register.csv` into `raw.reference_indicator_register`. The file is optional:
    without it the table is empty (and rows of a register since removed are dropped)."""
    limits = limits.within(data_dir)
    path = reference_dir / REGISTER_FILE
    report = load_folder(
        con,
        REGISTER_TABLE,
        [path] if path.is_file() else [],
        data_dir,
        lambda p: read_reference_csv(p, "indicator_register", IndicatorRegister, limits),
        limits=limits,
    )
    fields = [c for c in IndicatorRegister.to_schema().columns if c not in LINEAGE_COLUMNS]
    ensure_raw_table(con, REGISTER_TABLE, fields)
    return report


def load_returns(
    con: duckdb.DuckDBPyConnection, monitoring_dir: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> IngestReport:
    """Load every monitoring return (CSV or Excel, any of the three layouts) into `raw.monitoring_returns`,
    each file on its own: one that cannot be read is refused with its reason and the others load."""
    limits = limits.within(data_dir)
    paths = files_in(monitoring_dir, RETURN_SUFFIXES)
    report = load_folder(con, RETURNS_TABLE, paths, data_dir, lambda path: read_returns(path, limits), limits=limits)
    ensure_raw_table(con, RETURNS_TABLE, RAW_COLUMNS)
    return report
