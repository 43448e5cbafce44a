"""Outcome statistics and deprivation context into the raw layer, each format to its own table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import InputFileError
from pipeline.ingest import IngestReport, ensure_raw_table, files_under, load_folder
from pipeline.outcomes import readers as outcomes
from pipeline.outcomes.deprivation import read_iod_workbook
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits


def load_outcomes(
    con: duckdb.DuckDBPyConnection, outcomes_dir: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> list[IngestReport]:
    """Load the Fingertips downloads, tidy series, FingertipsNext extracts and age-banded counts, each format to
    its own raw table.

    A file whose format cannot be told, a file refused by `limits` inside `data_dir` before its header is
    sniffed (`pipeline.safe_files`), and a folder that cannot be listed, is refused on its own (recorded
    with the Fingertips table, the first this step loads); every other file loads."""
    limits = limits.within(data_dir)
    csvs, unreadable = files_under(outcomes_dir, (".csv",))
    fingertipsnext_lookups = {p for p in csvs if p.name.lower() == "indicators.csv"}
    by_format: dict[str, list[Path]] = {"fingertips": [], "tidy": [], "fingertipsnext": [], "age_banded": []}
    for path in csvs:
        if path not in fingertipsnext_lookups:
            try:
                by_format[outcomes.sniff_outcome_format(path, limits)].append(path)
            except InputFileError as error:
                unreadable.append(error)

    def read_fingertipsnext(path: Path) -> pd.DataFrame:
        return outcomes.read_fingertipsnext(path, path.with_name("indicators.csv"), limits)

    def read_fingertips(path: Path) -> pd.DataFrame:
        return outcomes.read_fingertips_csv(path, limits)

    def read_tidy(path: Path) -> pd.DataFrame:
        return outcomes.read_tidy_outcome_csv(path, limits)

    def read_age_banded(path: Path) -> pd.DataFrame:
        return outcomes.read_age_banded_csv(path, limits)

    reports = [
        load_folder(
            con, "raw.fingertips_values", by_format["fingertips"], data_dir, read_fingertips, unreadable, limits
        ),
        load_folder(con, "raw.tidy_outcome_values", by_format["tidy"], data_dir, read_tidy, limits=limits),
        load_folder(
            con, "raw.fingertipsnext_values", by_format["fingertipsnext"], data_dir, read_fingertipsnext, limits=limits
        ),
        load_folder(con, "raw.age_banded_counts", by_format["age_banded"], data_dir, read_age_banded, limits=limits),
    ]
    for report in reports:
        ensure_raw_table(con, report.table, outcomes.output_columns(report.table))
    return reports


def load_deprivation(
    con: duckdb.DuckDBPyConnection, deprivation_dir: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> IngestReport:
    """Load the English Indices of Deprivation district summaries: the tidy long form (CSV) or the official
    summaries workbook (XLSX), both into `raw.deprivation`; each file checked against `limits` first."""
    limits = limits.within(data_dir)
    paths = (
        [p for p in sorted(deprivation_dir.glob("*")) if p.suffix.lower() in (".csv", ".xlsx")]
        if deprivation_dir.exists()
        else []
    )

    def read(path: Path) -> pd.DataFrame:
        return (
            read_iod_workbook(path, limits) if path.suffix.lower() == ".xlsx" else outcomes.read_iod_tidy(path, limits)
        )

    report = load_folder(con, "raw.deprivation", paths, data_dir, read, limits=limits)
    ensure_raw_table(con, "raw.deprivation", outcomes.output_columns("raw.deprivation"))
    return report
