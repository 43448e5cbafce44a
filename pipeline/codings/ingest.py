"""Site-visit codings into the raw layer: REFI-QDA projects and coding tables."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipeline.codings import refi_qda
from pipeline.codings.coding_table import read_coding_table
from pipeline.ingest import IngestReport, ensure_raw_table, load_folder
from pipeline.privacy import redact_frame_column
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits
from pipeline.warehouse import relative_source

QDA_SUFFIXES = (".qdpx", ".qde")

CODING_TABLE_SUFFIXES = (".csv", ".xlsx")


def load_codings(
    con: duckdb.DuckDBPyConnection, codings_dir: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> list[IngestReport]:
    """Load every REFI-QDA project and coding table: coded segments (excerpts redacted, see
    `pipeline.privacy`) into `raw.qda_segments`, and the case
    variables of the projects (which link cases to partnerships) into `raw.qda_case_variables`. Each file
    is checked against `limits` inside `data_dir` before it is read (`pipeline.safe_files`)."""
    limits = limits.within(data_dir)
    files = (
        [p for p in sorted(codings_dir.glob("*")) if not p.name.startswith((".", "~$"))] if codings_dir.exists() else []
    )
    projects = [p for p in files if p.suffix.lower() in QDA_SUFFIXES]
    tables = [p for p in files if p.suffix.lower() in CODING_TABLE_SUFFIXES]
    read: dict[Path, refi_qda.QdaProject] = {}

    def project(path: Path) -> refi_qda.QdaProject:
        if path not in read:
            read[path] = refi_qda.read_refi_qda(path, limits)
        return read[path]

    def segments(path: Path) -> pd.DataFrame:
        # Excerpts are free text from interviews and site-visit notes: redacted before they are stored.
        if path.suffix.lower() in CODING_TABLE_SUFFIXES:
            table = read_coding_table(path, project_file=relative_source(path, data_dir), limits=limits)
        else:
            table = refi_qda.coded_segments(project(path), relative_source(path, data_dir))
        return redact_frame_column(table, "excerpt")

    def case_variables(path: Path) -> pd.DataFrame:
        qda = project(path)
        return qda.case_variables.merge(qda.cases[["case_guid", "case_name"]], on="case_guid", how="left")

    reports = [
        load_folder(con, "raw.qda_segments", projects + tables, data_dir, segments, limits=limits),
        load_folder(con, "raw.qda_case_variables", projects, data_dir, case_variables, limits=limits),
    ]
    # A folder without projects (or with none at all) still has both tables, so staging reads them all the same.
    ensure_raw_table(
        con, "raw.qda_segments", refi_qda.SEGMENT_COLUMNS, {"start_position": "BIGINT", "end_position": "BIGINT"}
    )
    ensure_raw_table(con, "raw.qda_case_variables", ["case_guid", "variable_name", "value", "case_name"])
    return reports
