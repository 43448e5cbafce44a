"""Google Forms response downloads (CSV): one header row, "Timestamp" first, then one column per question.

Google Forms exports no question ids, so a column's source_id is its question text. The timestamp (when
the response was submitted, e.g. `2018/04/09 2:30:02 PM MDT`, in the form owner's time zone) is the
start time. "Email Address" (present when the form collects addresses) is the respondent identifier; a
question asking for a name is personal; a quiz's "Score" is metadata.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits
from pipeline.surveys.readers.export import SurveyColumn, SurveyExport
from pipeline.surveys.readers.files import csv_responses, distinct_names, headed_width, header_rows, read_csv_head

TIMESTAMP = "Timestamp"
EMAIL_COLUMNS = frozenset({"email address"})
METADATA_COLUMNS = frozenset({"score"})
# Questions that ask for the respondent's name ("Name", "Full name", "What is your name?", "Surname").
_NAME_QUESTION = re.compile(r"(what is |please enter )?(your )?(full |first |last |given |family )?name|surname")

LOOKS_FOR = 'one header row starting "Timestamp"'
EXPECTED = f"a Google Forms download: {LOOKS_FOR}"


def looks_like(rows: list[list[str]]) -> bool:
    """Whether the first rows of a file are a Google Forms header."""
    return bool(rows and rows[0]) and rows[0][0].strip() == TIMESTAMP


def read_google_forms_csv(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> SurveyExport:
    """A Google Forms CSV download as a `SurveyExport` streamed by DuckDB's CSV reader."""
    head = read_csv_head(path, 1, EXPECTED, limits)
    if not looks_like(head.rows):
        raise InputFileError(path, "not a Google Forms download", row=1, column=head.rows[0][0], expected=LOOKS_FOR)
    (header,) = header_rows(path, head.rows, 1, EXPECTED)
    width = headed_width([header])
    texts = [cell.strip() for cell in header[:width]]
    source_ids = distinct_names(text or f"column_{position}" for position, text in enumerate(texts, start=1))
    names = distinct_names(source_ids + [f"_unheaded_{i}" for i in range(width + 1, len(header) + 1)])
    columns = [
        SurveyColumn(position, name, text, source_id, _kind(position, text))
        for position, (name, source_id, text) in enumerate(zip(names[:width], source_ids, texts, strict=True), start=1)
    ]
    responses = csv_responses(path, names, head, 1, EXPECTED, names[width:])
    ids = [c.name for c in columns if c.kind == "respondent_id"]
    return SurveyExport(path=path, tool="google_forms", columns=columns, responses=responses, respondent_ids=ids)


def _kind(position: int, text: str) -> str:
    folded = text.casefold().rstrip(" ?:")
    if position == 1:
        return "started_at"
    if folded in EMAIL_COLUMNS:
        return "respondent_id"
    if _NAME_QUESTION.fullmatch(folded):
        return "personal"
    return "metadata" if folded in METADATA_COLUMNS else "answer"
