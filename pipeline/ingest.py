"""Raw layer: every file in the drop zone loaded as received, with lineage, once per distinct content."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.privacy import pseudonym_key
from pipeline.readers import outcomes, refi_qda
from pipeline.readers.coding_table import read_coding_table
from pipeline.readers.deprivation import read_iod_workbook
from pipeline.readers.interventions import INVENTORY_SUFFIXES, read_interventions
from pipeline.readers.reference import read_reference_csv
from pipeline.readers.survey_formats import SURVEY_SUFFIXES, read_survey
from pipeline.readers.surveys import SurveyExport, load_answers
from pipeline.schemas import REFERENCE_MODELS, SuccessAssessment
from pipeline.warehouse import (
    STAR,
    LoadResult,
    already_loaded,
    constant_columns,
    drop_outdated_layout,
    drop_sources_not_in,
    file_hash,
    relative_source,
    replace_source_rows,
)

Reader = Callable[[Path], "pd.DataFrame | duckdb.DuckDBPyRelation"]


@dataclass(frozen=True)
class IngestReport:
    """What one raw table received: per-file results and rows removed for files gone from the drop zone."""

    table: str
    files: list[LoadResult]
    rows_removed: int = 0

    @property
    def rows_loaded(self) -> int:
        return sum(result.rows for result in self.files if not result.skipped_unchanged)

    def as_metadata(self) -> dict[str, object]:
        return {
            "files": len(self.files),
            "files_unchanged": sum(result.skipped_unchanged for result in self.files),
            "rows_loaded": self.rows_loaded,
            "rows_removed_for_missing_files": self.rows_removed,
        }


def load_file(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, data_dir: Path, read: Reader, content_hash: str = ""
) -> LoadResult:
    """Load one file into a raw table unless these exact bytes (`content_hash`, if already known) are there."""
    drop_outdated_layout(con, table)
    source_file = relative_source(path, data_dir)
    content_hash = content_hash or file_hash(path)
    if already_loaded(con, table, source_file, content_hash):
        count = con.execute(f"SELECT count(*) FROM {table} WHERE source_file = ?", [source_file]).fetchall()[0][0]
        return LoadResult(source_file, count, skipped_unchanged=True)
    return replace_source_rows(con, table, read(path), source_file=source_file, content_hash=content_hash)


def load_folder(
    con: duckdb.DuckDBPyConnection, table: str, paths: Iterable[Path], data_dir: Path, read: Reader
) -> IngestReport:
    """Load every file of one kind; rows of files no longer in the drop zone are removed."""
    paths = sorted(paths)
    results = [load_file(con, table, path, data_dir, read) for path in paths]
    removed = drop_sources_not_in(con, table, [relative_source(path, data_dir) for path in paths])
    return IngestReport(table, results, removed)


# --- Reference data --------------------------------------------------------------------------------------


def load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path, data_dir: Path) -> list[IngestReport]:
    """Load each reference CSV into `raw.reference_<name>`; a missing file is an error naming it."""
    reports = []
    for name, model in REFERENCE_MODELS.items():
        path = reference_dir / f"{name}.csv"
        if not path.exists():
            raise FileNotFoundError(f"{path}: reference table {name!r} is missing; see data/raw/reference/README.md")
        reports.append(
            load_folder(
                con, f"raw.reference_{name}", [path], data_dir, lambda p, n=name, m=model: read_reference_csv(p, n, m)
            )
        )
    return reports


# --- Survey waves ----------------------------------------------------------------------------------------


def wave_key(path: Path) -> str:
    """The wave (partition key) of an export: its file name without suffix, in safe characters."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem).strip("_")


def survey_wave_files(surveys_dir: Path) -> dict[str, Path]:
    """Every survey export in the drop zone, by wave key; two files giving one key is an error."""
    waves: dict[str, Path] = {}
    if not surveys_dir.exists():
        return waves
    for path in sorted(surveys_dir.iterdir()):
        if path.suffix.lower() not in SURVEY_SUFFIXES or path.name.startswith("."):
            continue
        key = wave_key(path)
        if key in waves:
            raise ValueError(f"{path} and {waves[key]} both give survey wave {key!r}; rename one of them")
        waves[key] = path
    return waves


def load_survey_wave(
    con: duckdb.DuckDBPyConnection, wave: str, path: Path, data_dir: Path
) -> tuple[LoadResult, SurveyExport]:
    """Load one wave's export into `raw.survey_answers` (long, no personal data) and describe its columns
    in `raw.survey_columns` (one row per column, with what ingest did with it)."""
    key = pseudonym_key()
    export = read_survey(path)

    def read_answers(_: Path) -> duckdb.DuckDBPyRelation:
        answers = load_answers(con, export, key)
        return answers.select(*constant_columns(wave=wave, tool=export.tool), *STAR)

    def read_columns(_: Path) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "wave": wave,
                "tool": export.tool,
                "position": [c.position for c in export.columns],
                "column_name": [c.name for c in export.columns],
                "source_id": [c.source_id for c in export.columns],
                "question_text": [c.question_text for c in export.columns],
                "kind": [c.kind for c in export.columns],
            }
        )

    content_hash = file_hash(path)  # a national export is hundreds of MB: read it once for both tables
    result = load_file(con, "raw.survey_answers", path, data_dir, read_answers, content_hash)
    load_file(con, "raw.survey_columns", path, data_dir, read_columns, content_hash)
    return result, export


# --- Site-visit codings ----------------------------------------------------------------------------------

QDA_SUFFIXES = (".qdpx", ".qde")


CODING_TABLE_SUFFIXES = (".csv", ".xlsx")


def load_codings(con: duckdb.DuckDBPyConnection, codings_dir: Path, data_dir: Path) -> list[IngestReport]:
    """Load every REFI-QDA project and coding table: coded segments into `raw.qda_segments`, and the case
    variables of the projects (which link cases to partnerships) into `raw.qda_case_variables`."""
    files = (
        [p for p in sorted(codings_dir.glob("*")) if not p.name.startswith((".", "~$"))] if codings_dir.exists() else []
    )
    projects = [p for p in files if p.suffix.lower() in QDA_SUFFIXES]
    tables = [p for p in files if p.suffix.lower() in CODING_TABLE_SUFFIXES]
    read: dict[Path, refi_qda.QdaProject] = {}

    def project(path: Path) -> refi_qda.QdaProject:
        if path not in read:
            read[path] = refi_qda.read_refi_qda(path)
        return read[path]

    def segments(path: Path) -> pd.DataFrame:
        if path.suffix.lower() in CODING_TABLE_SUFFIXES:
            return read_coding_table(path, project_file=relative_source(path, data_dir))
        return refi_qda.coded_segments(project(path), relative_source(path, data_dir))

    def case_variables(path: Path) -> pd.DataFrame:
        qda = project(path)
        return qda.case_variables.merge(qda.cases[["case_guid", "case_name"]], on="case_guid", how="left")

    reports = [
        load_folder(con, "raw.qda_segments", projects + tables, data_dir, segments),
        load_folder(con, "raw.qda_case_variables", projects, data_dir, case_variables),
    ]
    # Coding tables have no case variables: the table exists, empty, so staging reads it all the same.
    con.execute(
        "CREATE TABLE IF NOT EXISTS raw.qda_case_variables (case_guid VARCHAR, variable_name VARCHAR, value VARCHAR,"
        " case_name VARCHAR, source_file VARCHAR, loaded_at TIMESTAMPTZ)"
    )
    return reports


# --- Outcome statistics and deprivation ------------------------------------------------------------------


def load_outcomes(con: duckdb.DuckDBPyConnection, outcomes_dir: Path, data_dir: Path) -> list[IngestReport]:
    """Load the Fingertips downloads, tidy series and FingertipsNext extracts, each format to its own raw table."""
    csvs = sorted(outcomes_dir.rglob("*.csv")) if outcomes_dir.exists() else []
    fingertipsnext_lookups = {p for p in csvs if p.name.lower() == "indicators.csv"}
    by_format: dict[str, list[Path]] = {"fingertips": [], "tidy": [], "fingertipsnext": []}
    for path in csvs:
        if path not in fingertipsnext_lookups:
            by_format[outcomes.sniff_outcome_format(path)].append(path)

    def read_fingertipsnext(path: Path) -> pd.DataFrame:
        return outcomes.read_fingertipsnext(path, path.with_name("indicators.csv"))

    return [
        load_folder(con, "raw.fingertips_values", by_format["fingertips"], data_dir, outcomes.read_fingertips_csv),
        load_folder(con, "raw.tidy_outcome_values", by_format["tidy"], data_dir, outcomes.read_tidy_outcome_csv),
        load_folder(con, "raw.fingertipsnext_values", by_format["fingertipsnext"], data_dir, read_fingertipsnext),
    ]


def load_deprivation(con: duckdb.DuckDBPyConnection, deprivation_dir: Path, data_dir: Path) -> IngestReport:
    """Load the English Indices of Deprivation district summaries: the tidy long form (CSV) or the official
    summaries workbook (XLSX), both into `raw.deprivation`."""
    paths = (
        [p for p in sorted(deprivation_dir.glob("*")) if p.suffix.lower() in (".csv", ".xlsx")]
        if deprivation_dir.exists()
        else []
    )

    def read(path: Path) -> pd.DataFrame:
        return read_iod_workbook(path) if path.suffix.lower() == ".xlsx" else outcomes.read_iod_tidy(path)

    return load_folder(con, "raw.deprivation", paths, data_dir, read)


# --- Information mapping ---------------------------------------------------------------------------------


def load_interventions(con: duckdb.DuckDBPyConnection, interventions_dir: Path, data_dir: Path) -> IngestReport:
    """Load every partnership's interventions inventory (CSV or Excel) into `raw.interventions`."""
    paths = (
        [
            p
            for p in sorted(interventions_dir.glob("*"))
            if p.suffix.lower() in INVENTORY_SUFFIXES and not p.name.startswith(("~$", "."))
        ]
        if interventions_dir.exists()
        else []
    )
    return load_folder(con, "raw.interventions", paths, data_dir, read_interventions)


def load_assessments(con: duckdb.DuckDBPyConnection, assessments_dir: Path, data_dir: Path) -> IngestReport:
    """Load the evaluation team's success assessments (CSV or Excel) into `raw.success_assessments`."""
    paths = (
        [p for p in sorted(assessments_dir.glob("*")) if p.suffix.lower() in (".csv", ".xlsx")]
        if assessments_dir.exists()
        else []
    )
    return load_folder(
        con,
        "raw.success_assessments",
        paths,
        data_dir,
        lambda p: read_reference_csv(p, "success assessment", SuccessAssessment),
    )
