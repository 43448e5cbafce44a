"""Survey waves into the raw layer: one export per wave, its answers and its columns."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.ingest import load_file
from pipeline.surveys.readers.detect import read_survey
from pipeline.surveys.readers.export import SurveyExport, load_answers
from pipeline.surveys.readers.files import SURVEY_SUFFIXES
from pipeline.warehouse import STAR, LoadResult, constant_columns, file_hash


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
    con: duckdb.DuckDBPyConnection, wave: str, path: Path, data_dir: Path, key: bytes
) -> tuple[LoadResult, SurveyExport]:
    """Load one wave's export into `raw.survey_answers` (long, no personal data) and describe its columns
    in `raw.survey_columns` (one row per column, with what ingest did with it)."""
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
