"""Which survey tool wrote a file, and its reader: every export format the pipeline accepts."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.readers.qualtrics import read_header, read_qualtrics_csv
from pipeline.readers.surveys import SurveyExport

SURVEY_SUFFIXES = (".csv",)


def read_survey(path: Path) -> SurveyExport:
    """Read a survey export with the reader for the tool that wrote it (detected from its content)."""
    if path.suffix.lower() == ".csv":
        read_header(path)  # raises, naming what a Qualtrics export looks like, when it is not one
        return read_qualtrics_csv(path)
    raise InputFileError(path, f"no survey reader for {path.suffix!r} files", expected=", ".join(SURVEY_SUFFIXES))
