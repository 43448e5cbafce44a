"""Microsoft Forms response workbooks (XLSX, "Open results in Excel"): one header row, then responses.

The header starts ID, Start time, Completion time, Email, Name (newer exports add Last modified time),
then one column per question; a quiz adds Total points, Quiz feedback and, per question, "Points - ..."
and "Feedback - ..." columns. Microsoft Forms exports no question ids, so a column's source_id is its
question text. An anonymous response has "anonymous" as its e-mail and name: that is no identifier, so
such a response is pseudonymised by its ID instead.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits
from pipeline.surveys.readers.export import SurveyColumn, SurveyExport
from pipeline.surveys.readers.files import distinct_names, headed_width, read_xlsx_rows, sheet_responses

# The metadata Microsoft Forms puts before (and, for quizzes, beside) the questions.
METADATA_COLUMNS = {
    "ID": "respondent_id",
    "Start time": "started_at",
    "Completion time": "metadata",
    "Last modified time": "metadata",
    "Email": "respondent_id",
    "Name": "personal",
    "Total points": "metadata",
    "Quiz feedback": "metadata",
}
QUIZ_PREFIXES = ("Points - ", "Feedback - ")
# Identifiers for the pseudonym, most stable first: the e-mail outlives the per-form response number.
RESPONDENT_ID_COLUMNS = ("Email", "ID")
ANONYMOUS = "anonymous"
SIGNATURE = ["ID", "Start time", "Completion time"]

LOOKS_FOR = "one header row starting ID, Start time, Completion time"
EXPECTED = f"a Microsoft Forms workbook: {LOOKS_FOR}"


def looks_like(rows: list[list[str]]) -> bool:
    """Whether the first rows of a workbook are a Microsoft Forms header."""
    return bool(rows) and [cell.strip() for cell in rows[0][: len(SIGNATURE)]] == SIGNATURE


def read_microsoft_forms_xlsx(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> SurveyExport:
    """A Microsoft Forms XLSX workbook as a `SurveyExport`."""
    rows = read_xlsx_rows(path, EXPECTED, limits=limits)
    header = [(cell or "").strip() for cell in rows[0]]
    if not looks_like([header]):
        raise InputFileError(path, "not a Microsoft Forms workbook", row=1, expected=LOOKS_FOR)
    width = headed_width([header])
    texts = header[:width]
    source_ids = distinct_names(text or f"column_{position}" for position, text in enumerate(texts, start=1))
    columns = [
        SurveyColumn(position, source_id, text, source_id, _kind(text))
        for position, (source_id, text) in enumerate(zip(source_ids, texts, strict=True), start=1)
    ]
    responses = sheet_responses(path, source_ids, rows[1:], first_row=2)
    if "Email" in responses.columns:
        anonymous = responses["Email"].str.strip().str.casefold() == ANONYMOUS
        responses.loc[anonymous.fillna(False), "Email"] = None
    by_header = {c.question_text: c.name for c in columns if c.kind == "respondent_id"}
    ids = [by_header[header] for header in RESPONDENT_ID_COLUMNS if header in by_header]
    return SurveyExport(path=path, tool="microsoft_forms", columns=columns, responses=responses, respondent_ids=ids)


def _kind(text: str) -> str:
    if text in METADATA_COLUMNS:
        return METADATA_COLUMNS[text]
    return "metadata" if text.startswith(QUIZ_PREFIXES) else "answer"
