"""Which survey tool wrote a file, and its reader: every export format the pipeline accepts.

`read_survey` sniffs the content, not only the suffix: a `.csv` may come from Qualtrics (three header
rows, or the legacy two), SurveyMonkey (two header rows, "Response" under single-column questions) or
Google Forms (one header row starting "Timestamp"); an `.xlsx` from Qualtrics, SurveyMonkey or Microsoft
Forms; `.sav`, `.zsav` and `.por` files are SPSS. A file no reader recognises gets one error listing what
each reader looked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits, check_readable
from pipeline.surveys.readers import google_forms, microsoft_forms, qualtrics, spss, surveymonkey
from pipeline.surveys.readers.export import SurveyExport
from pipeline.surveys.readers.files import SURVEY_SUFFIXES, read_csv_head, read_xlsx_rows
from pipeline.surveys.readers.personal import mark_personal_columns

# --- Detection and dispatch -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyFormat:
    """One tool's export format: the suffixes it comes in, how to recognise its header, and its reader."""

    tool: str
    suffixes: tuple[str, ...]
    looks_for: str
    matches: Callable[[list[list[str]]], bool]
    read: Callable[[Path, ReadLimits], SurveyExport]


def survey_formats() -> list[SurveyFormat]:
    """Every tabular export format, in the order they are tried (the most specific header first)."""
    return [
        SurveyFormat("qualtrics", (".csv",), qualtrics.LOOKS_FOR, qualtrics.looks_like, qualtrics.read_qualtrics_csv),
        SurveyFormat("qualtrics", (".xlsx",), qualtrics.LOOKS_FOR, qualtrics.looks_like, qualtrics.read_qualtrics_xlsx),
        SurveyFormat(
            "surveymonkey",
            (".csv",),
            surveymonkey.LOOKS_FOR,
            surveymonkey.looks_like,
            surveymonkey.read_surveymonkey_csv,
        ),
        SurveyFormat(
            "surveymonkey",
            (".xlsx",),
            surveymonkey.LOOKS_FOR,
            surveymonkey.looks_like,
            surveymonkey.read_surveymonkey_xlsx,
        ),
        SurveyFormat(
            "google_forms",
            (".csv",),
            google_forms.LOOKS_FOR,
            google_forms.looks_like,
            google_forms.read_google_forms_csv,
        ),
        SurveyFormat(
            "microsoft_forms",
            (".xlsx",),
            microsoft_forms.LOOKS_FOR,
            microsoft_forms.looks_like,
            microsoft_forms.read_microsoft_forms_xlsx,
        ),
    ]


def detect_format(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> SurveyFormat | None:
    """The format of a CSV or XLSX export, from its first rows; `None` if no reader recognises them."""
    suffix = path.suffix.lower()
    formats = [f for f in survey_formats() if suffix in f.suffixes]
    expected = f"a survey export ({_looked_for(formats)})"
    if suffix == ".csv":
        rows = read_csv_head(path, 3, expected, limits).rows
    else:
        rows = [[cell or "" for cell in row] for row in read_xlsx_rows(path, expected, limit=3, limits=limits)]
    return next((f for f in formats if f.matches(rows)), None)


def read_survey(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> SurveyExport:
    """Read a survey export with the reader for the tool that wrote it (detected from its content), its
    personal-data columns found by header and by value (`pipeline.surveys.readers.personal`). The file is
    checked against `limits` (`pipeline.safe_files`) before anything reads it."""
    check_readable(path, limits)
    return mark_personal_columns(_read_with_its_reader(path, limits))


def _read_with_its_reader(path: Path, limits: ReadLimits) -> SurveyExport:
    suffix = path.suffix.lower()
    if suffix in spss.SPSS_SUFFIXES:
        return spss.read_spss(path, limits)
    if suffix not in SURVEY_SUFFIXES:
        raise InputFileError(path, f"no survey reader for {path.suffix!r} files", expected=", ".join(SURVEY_SUFFIXES))
    survey_format = detect_format(path, limits)
    if survey_format is None:
        formats = [f for f in survey_formats() if suffix in f.suffixes]
        raise InputFileError(
            path, "not an export any survey reader recognises", expected=f"one of: {_looked_for(formats)}"
        )
    return survey_format.read(path, limits)


def _looked_for(formats: list[SurveyFormat]) -> str:
    return "; ".join(f"{f.tool}: {f.looks_for}" for f in formats)
