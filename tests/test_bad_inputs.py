"""The bad-input corpus (`tests/fixtures/bad/`, listed in its README): every malformed file gets a clear
`InputFileError` or a quarantined row with its reason, never a crash, a hang or silent loss.

Each case names its file(s), the reader the pipeline uses for them and what must happen: an error whose
message names the file and the problem (and the row and column where the reader can know them); rows in
`quarantine.<table>` with their reasons while the good rows of the same file arrive in staging; or a clean
load. Staged cases run the way the pipeline does: the file is put in a copy of the demo drop zone and
loaded (`pipeline.ingest.load_*`) and staged (`pipeline.staging.stage_*`) into a copy of a warehouse that
already holds the demo data. Every case runs under a time limit, so a hang fails it; the cases with a
20 MB line (written when the test runs, not committed) run in a child process whose peak memory is checked.
"""

from __future__ import annotations

import importlib.util
import json
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.codings import refi_qda
from pipeline.codings.coding_table import read_coding_table
from pipeline.codings.ingest import load_codings
from pipeline.codings.staging import stage_codings
from pipeline.comments.ingest import load_comment_codings, read_comment_codings
from pipeline.comments.staging import stage_comment_codings
from pipeline.errors import InputFileError
from pipeline.mapping.ingest import load_interventions
from pipeline.mapping.interventions import read_interventions
from pipeline.mapping.staging import stage_interventions
from pipeline.monitoring.ingest import load_indicator_register, load_returns
from pipeline.monitoring.staging import stage_indicator_register, stage_returns
from pipeline.outcomes import readers as outcomes
from pipeline.outcomes.ingest import load_deprivation, load_outcomes
from pipeline.outcomes.staging import stage_deprivation, stage_outcomes
from pipeline.reference.ingest import load_reference
from pipeline.reference.reader import read_reference_csv
from pipeline.reference.schemas import Deflator, LikertAnswer
from pipeline.reference.staging import stage_reference
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits
from pipeline.settings import PROJECT_ROOT
from pipeline.surveys.ingest import load_survey_wave, wave_key
from pipeline.surveys.readers.detect import read_survey
from pipeline.surveys.readers.export import SurveyExport
from pipeline.surveys.staging import stage_wave
from pipeline.warehouse import ensure_schemas
from tests.conftest import report_counts

CORPUS = Path(__file__).parent / "fixtures" / "bad"
DATA_DIR = PROJECT_ROOT / "data" / "raw"
TIME_LIMIT = 20  # seconds a case may take before it counts as a hang
LARGE_CASE_MEMORY_MB = 1024  # peak resident memory allowed for reading a file with a 20 MB line

_spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_corpus)


# --- Outcomes --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the pipeline did with a case: `error` (InputFileError), `quarantined` or `loaded`."""

    kind: str
    message: str = ""  # the error message
    path: str = ""  # the file the error names
    row: int | None = None
    column: str | None = None
    rows: int = 0  # rows read, or good rows of the file in staging
    quarantined: list[tuple[int | None, str]] = field(default_factory=list)  # (source row, reason)
    details: list[str] = field(default_factory=list)  # values to spot-check (answers, staged values, columns)
    seconds: float = 0.0
    memory_mb: int | None = None  # peak resident memory, for cases run in a child process

    def summary(self) -> str:
        if self.kind == "error":
            where = "".join(
                [f" row {self.row}" if self.row is not None else "", f" column {self.column!r}" if self.column else ""]
            )
            problem = self.message.split(": ", 1)[-1].split("; expected")[0]
            return f"error{where}: {_shorten(problem)}"
        if self.kind == "quarantined":
            row, reason = self.quarantined[0]
            return f"{len(self.quarantined)} quarantined (row {row}: {_shorten(reason, 70)}); {self.rows} staged"
        return f"loaded, {self.rows} rows"


def _shorten(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass(frozen=True)
class Context:
    """A case's input files (by corpus-relative name), a fresh folder, and the demo warehouse template."""

    files: dict[str, Path]
    work: Path
    template: Path | None

    @property
    def paths(self) -> list[Path]:
        return list(self.files.values())


Runner = Callable[[Context], Outcome]


# --- Running the readers ---------------------------------------------------------------------------------


def _count(result: object) -> tuple[int, list[str]]:
    """How many rows a reader returned, and what to spot-check in them."""
    if isinstance(result, SurveyExport):
        if isinstance(result.responses, pd.DataFrame):
            rows = len(result.responses)
        else:
            with duckdb.connect() as con:
                rows = len(result.responses.relation(con))
        return rows, [column.source_id for column in result.columns]
    if isinstance(result, refi_qda.QdaProject):
        return len(result.codings), []
    if isinstance(result, pd.DataFrame):
        return len(result), []
    return 0, [str(result)]


def reading(read: Callable[..., object]) -> Runner:
    """Run a reader on the case's files, as ingest would before loading anything."""

    def run(ctx: Context, limits: ReadLimits | None = None) -> Outcome:
        rows, details = _count(read(*ctx.paths) if limits is None else read(*ctx.paths, limits))
        return Outcome("loaded", rows=rows, details=details)

    return run


def read_outcome_file(path: Path) -> pd.DataFrame:
    """What `load_outcomes` does with one file: sniff its format, then read it as that format."""
    readers = {"fingertips": outcomes.read_fingertips_csv, "tidy": outcomes.read_tidy_outcome_csv}
    return readers[outcomes.sniff_outcome_format(path)](path)


def read_qda(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> refi_qda.QdaProject:
    return refi_qda.read_refi_qda(path, limits)


# --- Running the pipeline on a copy of the demo drop zone --------------------------------------------------


def _survey_wave(con: duckdb.DuckDBPyConnection, drop: Path, path: Path) -> None:
    wave = wave_key(path)
    load_survey_wave(con, wave, path, drop, b"test-suite-key")
    stage_wave(con, wave)


def _outcome_files(con: duckdb.DuckDBPyConnection, drop: Path, path: Path) -> None:
    load_outcomes(con, drop / "outcomes", drop)
    stage_outcomes(con)


def _codings(con: duckdb.DuckDBPyConnection, drop: Path, path: Path) -> None:
    load_codings(con, drop / "codings", drop)
    stage_codings(con)


def _comment_codings(con: duckdb.DuckDBPyConnection, drop: Path, path: Path) -> None:
    # The codings name the demo's first wave, whose comments are staged first.
    _survey_wave(con, drop, drop / "surveys" / "wave_1.csv")
    load_comment_codings(con, drop / "codings", drop)
    stage_comment_codings(con)


def _deprivation(con: duckdb.DuckDBPyConnection, drop: Path, path: Path) -> None:
    load_deprivation(con, drop / "deprivation", drop)
    stage_deprivation(con)


def _interventions(con: duckdb.DuckDBPyConnection, drop: Path, path: Path) -> None:
    load_interventions(con, drop / "interventions", drop)
    stage_interventions(con)


def _monitoring(con: duckdb.DuckDBPyConnection, drop: Path, path: Path) -> None:
    load_returns(con, drop / "monitoring", drop)
    stage_returns(con)


def _reference(con: duckdb.DuckDBPyConnection, drop: Path, path: Path) -> None:
    load_reference(con, drop / "reference", drop)
    stage_reference(con)


# What each staged table shows of its good rows, to spot-check that they arrived intact.
DETAILS_SQL = {
    "survey_responses": "SELECT answer FROM raw.survey_answers WHERE source_file = ? AND source_id = 'QID4_TEXT'",
    "outcome_values": "SELECT concat_ws(' ', indicator_id, area_code, period, value) FROM staging.outcome_values"
    " WHERE source_file = ?",
}


def staged(folder: str, table: str, load_and_stage: Callable, name: str | None = None) -> Runner:
    """Put the case's file in `folder` of a copy of the demo drop zone (as `name`, if given), load and stage it
    into a copy of the demo warehouse, and report its rows in `staging.<table>` and `quarantine.<table>`."""

    def run(ctx: Context) -> Outcome:
        assert ctx.template is not None, "staged cases need the demo warehouse template"
        drop = ctx.work / "raw"
        shutil.copytree(ctx.template / "raw", drop)
        warehouse = ctx.work / "warehouse.duckdb"
        shutil.copyfile(ctx.template / "warehouse.duckdb", warehouse)
        (source,) = ctx.paths
        placed = drop / folder / (name or source.name)
        placed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, placed)
        source_file = placed.relative_to(drop).as_posix()
        with duckdb.connect(str(warehouse)) as con:
            load_and_stage(con, drop, placed)
            rows = con.execute(f"SELECT count(*) FROM staging.{table} WHERE source_file = ?", [source_file])
            good = rows.fetchall()[0][0]
            quarantined = con.execute(
                f"SELECT source_row, reason FROM quarantine.{table} WHERE source_file = ? ORDER BY ALL", [source_file]
            ).fetchall()
            details = con.execute(DETAILS_SQL[table], [source_file]).fetchall() if table in DETAILS_SQL else []
        return Outcome(
            "quarantined" if quarantined else "loaded",
            rows=good,
            quarantined=[(row, reason) for row, reason in quarantined],
            details=sorted(str(value) for (value,) in details),
        )

    return run


# --- Cases -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad input and what the pipeline must do with it."""

    name: str
    files: tuple[str, ...]  # paths relative to the corpus folder
    reader: str  # the function the pipeline reads the file(s) with
    run: Runner
    expect: str  # "error", "quarantined" or "loaded"
    fragments: tuple[str, ...] = ()  # in the error message, or in the quarantine reasons
    row: int | None = None  # the row the error names
    column: str | None = None  # the column the error names
    blames: str | None = None  # the file the error names, if not the first
    rows: int | None = None  # good rows read or staged
    reasons: tuple[tuple[int | None, str], ...] = ()  # (source row, reason fragment) of each quarantined row
    details: tuple[str, ...] = ()  # values the good rows must show
    absent: tuple[str, ...] = ()  # text that must not be in the message (e.g. a file an entity pointed at)
    patches: tuple[tuple[object, str, object], ...] = ()  # (module, attribute, value) set while the case runs
    limits: ReadLimits | None = None  # read limits other than the defaults, given to the reader

    @property
    def large(self) -> bool:
        return any(name in make_corpus.LARGE for name in self.files)

    def expectation(self) -> str:
        if self.expect == "error":
            where = "".join(
                [f", row {self.row}" if self.row else "", f", column {self.column!r}" if self.column else ""]
            )
            return f"InputFileError{where}: " + " ... ".join(self.fragments)
        if self.expect == "quarantined":
            reasons = "; ".join(f"row {row}: {reason}" for row, reason in self.reasons)
            return f"quarantined {reasons}; {self.rows} good row(s) staged"
        return f"loads {self.rows} row(s)"


def error(name: str, files: str | tuple[str, ...], reader: str, run: Runner, *fragments: str, **kw) -> Case:
    return Case(name, (files,) if isinstance(files, str) else files, reader, run, "error", fragments, **kw)


def quarantined(name: str, file: str, reader: str, run: Runner, rows: int, *reasons, **kw) -> Case:
    return Case(name, (file,), reader, run, "quarantined", rows=rows, reasons=reasons, **kw)


def loads(name: str, file: str, reader: str, run: Runner, rows: int, **kw) -> Case:
    return Case(name, (file,), reader, run, "loaded", rows=rows, **kw)


SURVEY = "survey_formats.read_survey"
STAGED_SURVEY = "read_survey -> load_survey_wave -> stage_wave"
QDA = "refi_qda.read_refi_qda"
CODING_TABLE = "coding_table.read_coding_table"
STAGED_CODINGS = "load_codings -> stage_codings"
OUTCOME = "outcomes.sniff_outcome_format -> read_fingertips_csv"
STAGED_OUTCOME = "load_outcomes -> stage_outcomes"
INTERVENTIONS = "interventions.read_interventions"
STAGED_INTERVENTIONS = "load_interventions -> stage_interventions"

read_any_survey = reading(read_survey)
read_coding = reading(read_coding_table)
read_project = reading(read_qda)
read_outcome = reading(read_outcome_file)
survey_responses = staged("surveys", "survey_responses", _survey_wave)
survey_item_scores = staged("surveys", "survey_item_scores", _survey_wave)
outcome_values = staged("outcomes/fingertips", "outcome_values", _outcome_files)
STAGED_MONITORING = "load_returns (monitoring.read_returns) -> stage_returns"
COMMENT_CODINGS = "comments.read_comment_codings"
STAGED_COMMENT_CODINGS = "load_comment_codings -> stage_comment_codings"
comment_codings = staged("codings/comments", "comment_codings", _comment_codings)
monitoring_returns = staged("monitoring", "monitoring_returns", _monitoring)

CASES: list[Case] = [
    # --- Survey exports ---
    error(
        "qualtrics_truncated_mid_record",
        "surveys/qualtrics_truncated_mid_record.csv",
        SURVEY,
        read_any_survey,
        "a quoted value is never closed (is the file cut short?)",
        row=9,
    ),
    error(
        "qualtrics_truncated_short_row",
        "surveys/qualtrics_truncated_short_row.csv",
        SURVEY,
        read_any_survey,
        "a row of 6 cells under a header of 15",
        row=9,
    ),
    error(
        "qualtrics_cp1252",
        "surveys/qualtrics_cp1252.csv",
        SURVEY,
        read_any_survey,
        "not UTF-8 text",
        "expected UTF-8 text",
        row=5,
    ),
    loads(
        "qualtrics_utf16_bom",
        "surveys/qualtrics_utf16_bom.csv",
        STAGED_SURVEY,
        survey_responses,
        6,
        details=("Le café cost £40 a head.", "Good progress."),
    ),
    loads(
        "qualtrics_utf8_bom",
        "surveys/qualtrics_utf8_bom.csv",
        STAGED_SURVEY,
        survey_responses,
        6,
        details=("Le café cost £40 a head.", "Good progress."),
    ),
    quarantined(
        "qualtrics_duplicate_respondent",
        "surveys/qualtrics_duplicate_respondent.csv",
        STAGED_SURVEY,
        survey_responses,
        5,
        (1, "duplicate key wave='qualtrics_duplicate_respondent', respondent_key="),
        (7, "duplicate key wave='qualtrics_duplicate_respondent', respondent_key="),
    ),
    quarantined(
        "qualtrics_off_scale_likert",
        "surveys/qualtrics_off_scale_likert.csv",
        STAGED_SURVEY,
        survey_item_scores,
        22,
        (1, "answer 7 to SL1 is not on scale agree5 (Strongly disagree / Disagree"),
        (3, "answer Sometimes to PM1 is not on scale agree5"),
    ),
    quarantined(
        "qualtrics_unknown_partnership",
        "surveys/qualtrics_unknown_partnership.csv",
        STAGED_SURVEY,
        survey_responses,
        5,
        (5, "partnership 'P99' is not in reference/partnerships.csv"),
    ),
    error("qualtrics_empty", "surveys/qualtrics_empty.csv", SURVEY, read_any_survey, "empty file"),
    loads("qualtrics_header_only", "surveys/qualtrics_header_only.csv", STAGED_SURVEY, survey_responses, 0),
    error(
        "qualtrics_truncated_xlsx",
        "surveys/qualtrics_truncated.xlsx",
        SURVEY,
        read_any_survey,
        "not an XLSX workbook (File is not a zip file)",
    ),
    error(
        "unrecognised_survey",
        "surveys/unrecognised_survey.csv",
        SURVEY,
        read_any_survey,
        "not an export any survey reader recognises",
        "qualtrics: a third header row of ImportIds",
        'google_forms: one header row starting "Timestamp"',
    ),
    error(
        "qualtrics_external_entity_xlsx",
        "surveys/qualtrics_external_entity.xlsx",
        SURVEY,
        read_any_survey,
        "part 'xl/sharedStrings.xml' declares a DTD or entities",
        absent=("root:",),
    ),
    error(
        "xlsx_zip_bomb",
        "surveys/zip_bomb.xlsx",
        SURVEY,
        read_any_survey,
        "unpacks to 1,081,345,956 bytes (a zip bomb?), over the read limit max_unpacked_bytes",
        "setting EVAL_MAX_UNPACKED_BYTES",
    ),
    error(
        "xlsx_shared_strings_bomb",
        "surveys/shared_strings_bomb.xlsx",
        SURVEY,
        read_any_survey,
        "its shared strings unpack to 1,058,406,515 bytes, over the read limit max_shared_strings_bytes",
        "setting EVAL_MAX_SHARED_STRINGS_BYTES",
    ),
    error(
        "spss_two_hundred_million_rows",
        "surveys/spss_two_hundred_million_rows.sav",
        "spss.read_spss",
        read_any_survey,
        "its header declares 200,000,000 rows",
        "over the read limit max_rows",
        "setting EVAL_MAX_ROWS",
    ),
    error(
        "spss_billion_rows",
        "surveys/spss_billion_rows.sav",
        "spss.read_spss",
        read_any_survey,
        "its header declares 1,000,000,000 rows",
        "over the read limit max_rows",
        "setting EVAL_MAX_ROWS",
    ),
    error("not_spss", "surveys/not_spss.sav", "spss.read_spss", read_any_survey, "not a readable SPSS file"),
    error("empty_spss", "surveys/empty.sav", "spss.read_spss", read_any_survey, "empty file"),
    error(
        "microsoft_forms_merged_header",
        "surveys/microsoft_forms_merged_header.xlsx",
        "microsoft_forms.read_microsoft_forms_xlsx",
        read_any_survey,
        "a value right of the last header column (6)",
        row=2,
    ),
    loads(
        "surveymonkey_merged_header",
        "surveys/surveymonkey_merged_header.xlsx",
        "surveymonkey.read_surveymonkey_xlsx",
        read_any_survey,
        2,
        details=(
            "Which kind of organisation? | Local authority",
            "Which kind of organisation? | NHS / Primary Care Trust",
            "Comments",
        ),
    ),
    error(
        "google_forms_extra_cells",
        "surveys/google_forms_extra_cells.csv",
        "google_forms.read_google_forms_csv",
        read_any_survey,
        "a row of 4 cells under a header of 3",
        row=3,
    ),
    error(
        "surveymonkey_option_before_question",
        "surveys/surveymonkey_option_before_question.csv",
        "surveymonkey.read_surveymonkey_csv",
        read_any_survey,
        "an option column before any question",
        row=1,
        column="Local authority",
    ),
    error(
        "qualtrics_enormous_line",
        "surveys/qualtrics_enormous_line.csv",
        SURVEY,
        read_any_survey,
        "a line longer than 2000000 bytes",
        row=10,
    ),
    # --- Site-visit codings ---
    error("qdpx_truncated", "codings/site_visits_truncated.qdpx", QDA, read_project, "not a zip archive (File is not"),
    error(
        "qde_billion_laughs",
        "codings/billion_laughs.qde",
        QDA,
        read_project,
        "the project file contains a DTD or entity declarations",
        "refused as unsafe",
    ),
    error(
        "qdpx_billion_laughs",
        "codings/billion_laughs.qdpx",
        QDA,
        read_project,
        "project.qde contains a DTD or entity declarations",
        "refused as unsafe",
    ),
    error(
        "qde_external_entity",
        "codings/external_entity.qde",
        QDA,
        read_project,
        "contains a DTD or entity declarations",
        absent=("root:",),
    ),
    error(
        "qde_malformed_xml",
        "codings/malformed_xml.qde",
        QDA,
        read_project,
        "not well-formed XML (mismatched tag)",
        row=17,
        column="5",
    ),
    error(
        "qdpx_zip_bomb_ratio",
        "codings/zip_bomb_ratio.qdpx",
        QDA,
        read_project,
        "archive member 'Sources/notes.txt' would expand from",
        "to 8388608 bytes (more than 200:1): refused as a possible zip bomb",
    ),
    error(
        "qdpx_zip_bomb_total",
        "codings/zip_bomb_total.qdpx",
        QDA,
        read_project,
        "unpacks to 263,",
        "over the read limit max_unpacked_bytes",
        "setting EVAL_MAX_UNPACKED_BYTES",
        limits=ReadLimits(max_unpacked_bytes=64 * 1024),
    ),
    error(
        "qdpx_zip_bomb_lying_size",
        "codings/zip_bomb_lying_size.qdpx",
        QDA,
        read_project,
        "archive member 'project.qde' is corrupt or misstates its size",
    ),
    error(
        "qdpx_zip_slip",
        "codings/zip_slip.qdpx",
        QDA,
        read_project,
        "archive member '../../../../tmp/evil.sh' points outside the archive (zip-slip)",
    ),
    error(
        "qde_enormous_line", "codings/enormous_line.qde", QDA, read_project, "not well-formed XML", row=1, column="1"
    ),
    error(
        "coding_table_empty_coder",
        "codings/coding_table_empty_coder.csv",
        CODING_TABLE,
        read_coding,
        "empty coder cell",
        row=3,
        column="coder",
    ),
    error(
        "coding_table_header_only",
        "codings/coding_table_header_only.csv",
        CODING_TABLE,
        read_coding,
        "no codings below the header",
        row=2,
    ),
    error(
        "coding_table_cp1252",
        "codings/coding_table_cp1252.csv",
        CODING_TABLE,
        read_coding,
        "byte 0xe9 is not valid UTF-8",
        row=2,
        column="excerpt",
    ),
    quarantined(
        "coding_table_unknown_partnership",
        "codings/coding_table_unknown_partnership.csv",
        STAGED_CODINGS,
        staged("codings", "coded_segments", _codings),
        1,
        (None, "case 'P99' of source 'P99 site visit notes' names no partnership in reference/partnerships.csv"),
    ),
    error(
        "coding_table_truncated_xlsx",
        "codings/coding_table_truncated.xlsx",
        CODING_TABLE,
        read_coding,
        "not a readable Excel workbook",
    ),
    error(
        "coding_table_enormous_line",
        "codings/coding_table_enormous_line.csv",
        CODING_TABLE,
        read_coding,
        "malformed CSV in the record starting here (field larger than field limit",
        row=2,
    ),
    # --- Outcome statistics ---
    loads(
        "fingertips_shuffled_columns",
        "outcomes/fingertips_shuffled_columns.csv",
        STAGED_OUTCOME,
        outcome_values,
        4,
        details=(
            "99901 E08000034 2015 21.4",
            "99901 E07000114 2015 30.2",
            "99901 E06000034 2015 25.9",
            "99901 E08000034 2016 20.8",
        ),
    ),
    error(
        "fingertips_missing_columns",
        "outcomes/fingertips_missing_columns.csv",
        OUTCOME,
        read_outcome,
        "the header fits no known outcome format (as a Fingertips data download it lacks Area Code, Value)",
        row=1,
    ),
    quarantined(
        "fingertips_non_numeric_value",
        "outcomes/fingertips_non_numeric_value.csv",
        STAGED_OUTCOME,
        outcome_values,
        2,
        (6, "column 'value': '21,4 (provisional)' is not a valid float64"),
    ),
    quarantined(
        "fingertips_future_period",
        "outcomes/fingertips_future_period.csv",
        STAGED_OUTCOME,
        outcome_values,
        2,
        (6, "'2099/00': ends in 2100, after"),
    ),
    quarantined(
        "fingertips_unparseable_period",
        "outcomes/fingertips_unparseable_period.csv",
        STAGED_OUTCOME,
        outcome_values,
        2,
        (6, "'Spring term': not a period label Fingertips uses"),
    ),
    error(
        "fingertips_empty",
        "outcomes/fingertips_empty.csv",
        OUTCOME,
        read_outcome,
        "the file is empty or starts with a blank line",
        row=1,
    ),
    loads("fingertips_header_only", "outcomes/fingertips_header_only.csv", STAGED_OUTCOME, outcome_values, 0),
    error(
        "fingertips_truncated_mid_record",
        "outcomes/fingertips_truncated_mid_record.csv",
        OUTCOME,
        read_outcome,
        "malformed CSV in the record starting here (unexpected end of data)",
        row=8,
    ),
    error(
        "fingertips_cp1252",
        "outcomes/fingertips_cp1252.csv",
        OUTCOME,
        read_outcome,
        "byte 0xe9 is not valid UTF-8",
        row=5,
    ),
    loads("fingertips_utf16_bom", "outcomes/fingertips_utf16_bom.csv", OUTCOME, read_outcome, 4),
    error(
        "fingertips_nul_byte",
        "outcomes/fingertips_nul_byte.csv",
        OUTCOME,
        read_outcome,
        "a NUL byte",
        row=5,
    ),
    error(
        "outcome_header_control_characters",
        "outcomes/header_control_characters.csv",
        OUTCOME,
        read_outcome,
        "the header fits no known outcome format",
        r"header found: Area\x1b[2J, Year\u202e, Rate\nAll checks passed.",
        row=1,
        absent=("\x1b", "\u202e", "\n"),
    ),
    error(
        "outcome_hundred_thousand_columns",
        "outcomes/hundred_thousand_columns.csv",
        OUTCOME,
        read_outcome,
        "its header has 100,000 columns, over the read limit max_columns",
        "setting EVAL_MAX_COLUMNS",
        row=1,
    ),
    error(
        "outcome_million_columns",
        "outcomes/million_columns.csv",
        OUTCOME,
        read_outcome,
        "its header has 1,000,000 columns, over the read limit max_columns",
        "setting EVAL_MAX_COLUMNS",
        row=1,
    ),
    loads(
        "fingertips_utf8_bom",
        "outcomes/fingertips_utf8_bom.csv",
        STAGED_OUTCOME,
        outcome_values,
        4,
        details=("99901 E07000114 2015 30.2",),
    ),
    error(
        "unknown_outcome_format",
        "outcomes/unknown_outcome_format.csv",
        OUTCOME,
        read_outcome,
        "the header fits no known outcome format",
        "header found: Area, Year, Rate",
        row=1,
    ),
    error(
        "fingertipsnext_duplicate_indicator",
        (
            "outcomes/fingertipsnext_duplicate_indicator/healthdata.csv",
            "outcomes/fingertipsnext_duplicate_indicator/indicators.csv",
        ),
        "outcomes.read_fingertipsnext",
        reading(outcomes.read_fingertipsnext),
        "indicator 20401 is listed a second time",
        row=3,
        column="IndicatorID",
        blames="outcomes/fingertipsnext_duplicate_indicator/indicators.csv",
    ),
    error(
        "fingertips_enormous_line",
        "outcomes/fingertips_enormous_line.csv",
        OUTCOME,
        read_outcome,
        "malformed CSV in the record starting here (field larger than field limit",
        row=2,
    ),
    error(
        "outcome_enormous_header_line",
        "outcomes/enormous_header_line.csv",
        OUTCOME,
        read_outcome,
        "malformed CSV in the header (field larger than field limit",
        row=1,
    ),
    # --- Deprivation ---
    quarantined(
        "iod_bad_rows",
        "deprivation/iod_bad_rows.csv",
        "load_deprivation (outcomes.read_iod_tidy) -> stage_deprivation",
        staged("deprivation", "deprivation", _deprivation),
        1,
        (3, "column 'average_score': 'not published' is not a valid float64"),
        (4, "column 'lad_code': 'Anglesey' failed str_matches"),
    ),
    # --- Interventions inventories ---
    quarantined(
        "interventions_driver_outside_diagram",
        "interventions/P03 driver outside diagram.csv",
        STAGED_INTERVENTIONS,
        staged("interventions", "interventions", _interventions),
        1,
        (3, "driver 'AH1a' is not in the childhood_obesity driver diagram (reference/driver_diagrams.csv)"),
    ),
    quarantined(
        "interventions_unknown_partnership",
        "interventions/P99 unknown partnership.csv",
        STAGED_INTERVENTIONS,
        staged("interventions", "interventions", _interventions),
        0,
        (2, "partnership 'P99' is not in reference/partnerships.csv"),
    ),
    quarantined(
        "interventions_bad_spend_and_status",
        "interventions/P03 bad spend and status.csv",
        STAGED_INTERVENTIONS,
        staged("interventions", "interventions", _interventions),
        1,
        (3, "column 'spend': 'about 5k' is not a valid float64"),
        (4, "column 'status': 'paused' failed isin"),
    ),
    error(
        "interventions_merged_header",
        "interventions/P03 merged header.xlsx",
        INTERVENTIONS,
        reading(read_interventions),
        "missing required column(s) Intervention, Commissioner, Drivers addressed",
        "header found: Luton interventions 2016/17",
        row=1,
    ),
    error(
        "interventions_without_partnership_id",
        "interventions/(draft) interventions without partnership id.csv",
        INTERVENTIONS,
        reading(read_interventions),
        "the file name does not start with a partnership id",
    ),
    # --- Comment coding tables ---
    error(
        "comment_coding_missing_theme",
        "codings/comments/missing theme column.csv",
        COMMENT_CODINGS,
        reading(read_comment_codings),
        "missing required column(s) theme",
        row=1,
        column="theme",
    ),
    quarantined(
        "comment_coding_unlinked",
        "codings/comments/unlinked codings.csv",
        STAGED_COMMENT_CODINGS,
        comment_codings,
        1,
        (3, "column 'item': the response left item 'COMMENTS' blank, so there is no comment to code"),
        (4, "column 'theme': theme 'no_such_theme' is not in reference/comment_themes.csv"),
    ),
    # --- Monitoring returns ---
    quarantined(
        "monitoring_wrong_period_format",
        "monitoring/P03 wrong period format.csv",
        STAGED_MONITORING,
        monitoring_returns,
        1,
        (3, "column 'period': '01/02/2019' is not a period; expected a month as 2024-04, Apr 2024 or April 2024"),
        (4, "column 'period': 'Spring 2019' is not a period"),
    ),
    quarantined(
        "monitoring_unknown_indicator",
        "monitoring/P03 unknown indicator.csv",
        STAGED_MONITORING,
        monitoring_returns,
        1,
        (
            3,
            "column 'indicator_id': 'P03-PRO9' is not in 'P03''s indicator register (reference/indicator_register.csv)",
        ),
    ),
    quarantined(
        "monitoring_value_in_the_wrong_unit",
        "monitoring/P03 value in the wrong unit.csv",
        STAGED_MONITORING,
        monitoring_returns,
        1,
        (3, "column 'value': '45%' is a percentage but the indicator's unit is 'people'"),
        (4, "column 'value': '250' is outside 0-100, the range of the indicator's unit 'percentage'"),
    ),
    quarantined(
        "monitoring_duplicate_period",
        "monitoring/P03 duplicate period.csv",
        STAGED_MONITORING,
        monitoring_returns,
        1,
        (2, "column 'period': 2019-01 is returned more than once for P03/P03-PRO1"),
        (3, "column 'period': 2019-01 is returned more than once for P03/P03-PRO1"),
    ),
    # --- Reference tables ---
    quarantined(
        "reference_partnership_bad_area_code",
        "reference/partnerships_bad_area_code.csv",
        "load_reference (reference.read_reference_csv) -> stage_reference",
        staged("reference", "partnerships", _reference, name="partnerships.csv"),
        2,
        (4, "column 'area_codes': 'E0600OO9' failed str_matches"),
    ),
    quarantined(
        "reference_sustainment_bad_rows",
        "reference/sustainment_bad_rows.csv",
        "load_reference (reference.read_reference_csv) -> stage_reference",
        staged("reference", "sustainment", _reference, name="sustainment.csv"),
        1,
        (3, "column 'partnership_id': partnership 'P99' is not in partnerships.csv"),
        (4, "column 'status': 'paused' failed isin"),
        (5, "column 'status_date': 2016-02-28 is before P05's support ended (2017-03-31, partnerships.csv)"),
    ),
    quarantined(
        "reference_spread_bad_rows",
        "reference/spread_bad_rows.csv",
        "load_reference (reference.read_reference_csv) -> stage_reference",
        staged("reference", "spread", _reference, name="spread.csv"),
        1,
        (3, "column 'spread_kind': 'new_county' failed isin"),
        (4, "column 'spread_date': 2017-01-31 is before P13's support ended (2017-03-31, partnerships.csv)"),
        (5, "column 'partnership_id': partnership 'P99' is not in partnerships.csv"),
    ),
    quarantined(
        "reference_evidence_register_bad_rows",
        "reference/evidence_register_bad_rows.csv",
        "load_reference (reference.read_reference_csv) -> stage_reference",
        staged("reference", "evidence_register", _reference, name="evidence_register.csv"),
        1,
        (3, "column 'factors': factor 'leadership_style' is not in success_factors.csv"),
        (4, "column 'kind': 'blog_post' failed isin"),
        (5, "column 'year': '20l7' is not a valid int64"),
        (6, "column 'strength': 'strong' failed isin(['high', 'moderate', 'low', 'very_low'])"),
    ),
    error(
        "reference_likert_scales_missing_column",
        "reference/likert_scales_missing_column.csv",
        "reference.read_reference_csv",
        reading(lambda path: read_reference_csv(path, "likert_scales", LikertAnswer)),
        "missing required column(s) score",
        row=1,
        column="score",
    ),
    quarantined(
        "reference_unit_costs_unknown_indicator_and_year",
        "reference/unit_costs_unknown_indicator_and_year.csv",
        "load_reference (reference.read_reference_csv) -> stage_reference",
        staged("reference", "unit_costs", _reference, name="unit_costs.csv"),
        1,
        (3, "column 'indicator_id': indicator 99999 is not in outcome_indicators.csv"),
        (4, "column 'cost_year': price year 1985 is not in deflators.csv (expected a year it lists, 1990 to 2024)"),
    ),
    error(
        "reference_deflators_missing_column",
        "reference/deflators_missing_column.csv",
        "reference.read_reference_csv",
        reading(lambda path: read_reference_csv(path, "deflators", Deflator)),
        "missing required column(s) index",
        row=1,
        column="index",
    ),
    quarantined(
        "reference_area_populations_unknown_area_and_bad_year",
        "reference/area_populations_unknown_area_and_bad_year.csv",
        "load_reference (reference.read_reference_csv) -> stage_reference",
        staged("reference", "area_populations", _reference, name="area_populations.csv"),
        1,
        (
            3,
            "column 'area_code': area E06000099 is not an area of partnerships.csv (expected a code its area_codes lists)",
        ),
        (4, "column 'year': '2016/17' is not a valid int64"),
    ),
]
CASES_BY_NAME = {case.name: case for case in CASES}


# --- Running a case --------------------------------------------------------------------------------------


def _within_time_limit(run: Callable[[], Outcome], seconds: float = TIME_LIMIT) -> Outcome:
    """Run a case in a worker thread; a case still running after `seconds` fails as a hang."""
    done: dict[str, object] = {}

    def work() -> None:
        try:
            done["outcome"] = run()
        except BaseException as exc:  # handed to the caller below, whatever it is
            done["exception"] = exc

    started = time.monotonic()
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail(f"still running after {seconds} s: the reader hangs on this input")
    if "exception" in done:
        raise done["exception"]  # an unexpected exception type is a crash: the test fails with it
    outcome = done["outcome"]
    assert isinstance(outcome, Outcome)
    return Outcome(**{**asdict(outcome), "seconds": round(time.monotonic() - started, 2)})


def _run(case: Case, ctx: Context) -> Outcome:
    """The case's outcome; an InputFileError is an outcome, any other exception propagates."""
    with pytest.MonkeyPatch.context() as patch:
        for module, attribute, value in case.patches:
            patch.setattr(module, attribute, value)

        def attempt() -> Outcome:
            try:
                return case.run(ctx) if case.limits is None else case.run(ctx, case.limits)
            except InputFileError as exc:
                return Outcome("error", message=str(exc), path=str(exc.path), row=exc.row, column=exc.column)

        return _within_time_limit(attempt)


def run_case(case: Case, template: Path | None, work: Path) -> Outcome:
    """Run a case: committed ones here, the large ones in a child process whose peak memory is measured."""
    if not case.large:
        files = {name: CORPUS / name for name in case.files}
        return _run(case, Context(files, work, template))
    files = {name: make_corpus.write_large(name, work / "input") for name in case.files}
    command = [
        sys.executable,
        "-c",
        "import sys; from tests.test_bad_inputs import child_main; child_main(sys.argv[1:])",
        case.name,
        str(work),
    ]
    try:
        # The child enforces TIME_LIMIT on the reader itself; this bound also covers its start-up.
        done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=TIME_LIMIT + 60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the child process reading {case.files} did not finish: the reader hangs on this input")
    finally:
        for path in files.values():
            path.unlink(missing_ok=True)  # 20 MB each: not left in the temporary folder
    if done.returncode != 0:
        pytest.fail(f"the child process reading {case.files} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["quarantined"] = [tuple(item) for item in result["quarantined"]]
    return Outcome(**result)


def child_main(argv: list[str]) -> None:
    """Entry point of the child process for a large case: run it, print its outcome and peak memory as JSON."""
    name, work = argv
    case = CASES_BY_NAME[name]
    files = {file: Path(work) / "input" / file for file in case.files}
    outcome = _run(case, Context(files, Path(work), None))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # kilobytes on Linux
    print(json.dumps(asdict(Outcome(**{**asdict(outcome), "memory_mb": peak}))))


def check(case: Case, outcome: Outcome) -> None:
    """Assert that the outcome is the one the case expects."""
    assert outcome.kind == case.expect, f"expected {case.expectation()}, got {outcome}"
    if case.expect == "error":
        blamed = case.blames or case.files[0]
        assert Path(outcome.path).name == Path(blamed).name, f"the error should name {blamed}: {outcome.message}"
        assert outcome.message.startswith(outcome.path), outcome.message
        for fragment in case.fragments:
            assert fragment in outcome.message, outcome.message
        for fragment in case.absent:
            assert fragment not in outcome.message, outcome.message
        assert (outcome.row, outcome.column) == (case.row, case.column), outcome.message
    elif case.expect == "quarantined":
        assert len(outcome.quarantined) == len(case.reasons), outcome.quarantined
        for (row, reason), (expected_row, fragment) in zip(outcome.quarantined, case.reasons, strict=True):
            assert row == expected_row and fragment in reason, (row, reason)
    assert outcome.kind == "error" or outcome.rows == case.rows, f"expected {case.rows} good rows, got {outcome}"
    for value in case.details:
        assert value in outcome.details, f"{value!r} is not among the good rows: {outcome.details}"
    if case.large:
        assert outcome.memory_mb is not None and outcome.memory_mb < LARGE_CASE_MEMORY_MB, outcome


# --- Tests -----------------------------------------------------------------------------------------------

OUTCOMES: dict[str, Outcome] = {}  # filled as the cases run, for the summary table


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo drop zone and a warehouse holding it (reference staged; outcomes, deprivation,
    interventions, codings and monitoring returns loaded; the indicator register staged), for staged cases to copy: loading them again skips the unchanged
    demo files, so only the case's own file is new."""
    root = tmp_path_factory.mktemp("bad_inputs_template")
    drop = root / "raw"
    shutil.copytree(DATA_DIR, drop)
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        ensure_schemas(con)
        load_reference(con, drop / "reference", drop)
        stage_reference(con)
        load_outcomes(con, drop / "outcomes", drop)
        load_deprivation(con, drop / "deprivation", drop)
        load_interventions(con, drop / "interventions", drop)
        load_codings(con, drop / "codings", drop)
        load_indicator_register(con, drop / "reference", drop)
        stage_indicator_register(con)
        load_returns(con, drop / "monitoring", drop)
    return root


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_bad_input(case: Case, demo_template: Path, tmp_path: Path) -> None:
    outcome = run_case(case, demo_template, tmp_path)
    OUTCOMES[case.name] = outcome
    check(case, outcome)


def test_every_corpus_file_is_a_case(demo_template: Path, tmp_path: Path) -> None:
    """Every file in the corpus belongs to exactly one case (and each case's files are there), the README lists
    every case, `make_corpus.py` rebuilds the committed files byte for byte; then a table of what each did."""
    committed = {
        path.relative_to(CORPUS).as_posix()
        for path in CORPUS.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.name not in ("make_corpus.py", "README.md")
    }
    claimed = [name for case in CASES for name in case.files]
    assert len(claimed) == len(set(claimed)), "a file is claimed by two cases"
    assert len(CASES_BY_NAME) == len(CASES), "two cases share a name"
    large = {name for case in CASES if case.large for name in case.files}
    assert large == set(make_corpus.LARGE), "every large file is a case"
    assert committed - set(claimed) == set(), "corpus files no case accounts for"
    assert set(claimed) - large - committed == set(), "case files missing from the corpus"

    rebuilt = tmp_path / "rebuilt"
    make_corpus.write_corpus(rebuilt)
    for name in sorted(committed):
        assert (rebuilt / name).read_bytes() == (CORPUS / name).read_bytes(), (
            f"{name} differs from what make_corpus.py writes"
        )
    assert {p.relative_to(rebuilt).as_posix() for p in rebuilt.rglob("*") if p.is_file()} == committed

    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for case in CASES:
        assert f"`{case.name}`" in readme, f"README.md does not list case {case.name}"
        for name in case.files:
            assert f"`{name}`" in readme, f"README.md does not name {name}"

    lines = [f"{'case':<40} {'reader':<48} outcome", "-" * 160]
    for case in CASES:
        outcome = OUTCOMES.get(case.name)
        if outcome is None:  # this test run on its own: run the case now
            work = tmp_path / case.name
            work.mkdir()
            outcome = run_case(case, demo_template, work)
        memory = f" [{outcome.memory_mb} MB peak]" if outcome.memory_mb is not None else ""
        lines.append(
            f"{case.name:<40} {_shorten(case.reader, 48):<48} {outcome.summary()} ({outcome.seconds} s){memory}"
        )
    report_counts("\n".join(lines))
