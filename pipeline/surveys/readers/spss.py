"""SPSS data files (`.sav`, compressed `.zsav`, portable `.por`), read with pyreadstat.

A column is a variable: its source_id the variable name, its question text the variable label. Answers
are value labels where the variable has them ("Strongly agree", not 5), otherwise the value as text
(whole numbers without ".0", dates as YYYY-MM-DD). User-missing values (codes the file declares missing,
read with `user_missing=True`) keep their label if they have one ("Don't know") and are otherwise empty,
as system-missing values are. Variables that Qualtrics and SurveyMonkey write into their SPSS exports
(StartDate, IPAddress, ResponseId, respondent_id, ip_address, ...) are metadata or personal data as in
those tools' own exports. pyreadstat reads no user-missing definitions from portable files, so codes in
a `.por` file stay values.
"""

from __future__ import annotations

import numbers
import re
from pathlib import Path

import pandas as pd
import pyreadstat

from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, SETTING_NAMES, ReadLimits, check_readable
from pipeline.surveys.readers.export import SurveyColumn, SurveyExport
from pipeline.surveys.readers.files import cell_text

SPSS_SUFFIXES = (".sav", ".zsav", ".por")
# SPSS date formats pyreadstat would leave as seconds since 1582: read as the date each period starts.
EXTRA_DATE_FORMATS = ["QYR", "MOYR"]
# Variables Qualtrics and SurveyMonkey write into their SPSS exports, by name folded to lower-case letters
# and digits ("Duration__in_seconds_" -> "durationinseconds"), and what ingest does with each.
VARIABLE_KINDS = {
    # Qualtrics
    "startdate": "started_at",
    "enddate": "metadata",
    "status": "metadata",
    "progress": "metadata",
    "durationinseconds": "metadata",
    "finished": "metadata",
    "recordeddate": "metadata",
    "distributionchannel": "metadata",
    "userlanguage": "metadata",
    "ipaddress": "personal",
    "locationlatitude": "personal",
    "locationlongitude": "personal",
    "recipientlastname": "personal",
    "recipientfirstname": "personal",
    "externalreference": "respondent_id",
    "externaldatareference": "respondent_id",
    "recipientemail": "respondent_id",
    "responseid": "respondent_id",
    # SurveyMonkey
    "respondentid": "respondent_id",
    "collectorid": "metadata",
    "datecreated": "started_at",
    "datemodified": "metadata",
    "emailaddress": "respondent_id",
    "firstname": "personal",
    "lastname": "personal",
}
_CUSTOM_DATA = re.compile(r"custom\d+")  # SurveyMonkey's custom_1, ...: contact data, never read
# Identifiers for the pseudonym, most stable first (an external reference or e-mail outlives a response id).
RESPONDENT_ID_VARIABLES = (
    "externalreference",
    "externaldatareference",
    "recipientemail",
    "emailaddress",
    "responseid",
    "respondentid",
)
EXPECTED = "an SPSS data file (.sav, .zsav or .por)"


def read_spss(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> SurveyExport:
    """An SPSS data file as a `SurveyExport`: one text column per variable, value labels applied.

    The file is checked against `limits` first (`pipeline.safe_files`: the rows and variables its header
    declares); a file whose header leaves its row count unknown is read no further than the row limit."""
    check_readable(path, limits)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputFileError(path, f"cannot be opened ({error.strerror})", expected=EXPECTED) from error
    if size == 0:
        raise InputFileError(path, "empty file", expected=EXPECTED)
    try:
        row_limit = limits.max_rows + 1  # one past the limit: enough to know it is over
        if path.suffix.lower() == ".por":
            frame, meta = pyreadstat.read_por(str(path), extra_date_formats=EXTRA_DATE_FORMATS, row_limit=row_limit)
        else:
            frame, meta = pyreadstat.read_sav(
                str(path), user_missing=True, extra_date_formats=EXTRA_DATE_FORMATS, row_limit=row_limit
            )
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as error:
        raise InputFileError(path, f"not a readable SPSS file ({error})", expected=EXPECTED) from error
    if len(frame) > limits.max_rows:
        raise InputFileError(
            path,
            f"more than {limits.max_rows:,} rows, over the read limit max_rows",
            expected=f"a file within the limit (setting {SETTING_NAMES['max_rows']})",
        )
    labels = meta.column_names_to_labels
    columns = [
        SurveyColumn(position, name, labels.get(name) or "", name, _kind(name))
        for position, name in enumerate(meta.column_names, start=1)
    ]
    responses = pd.DataFrame(
        {
            name: pd.Series(
                _answers(frame[name], meta.variable_value_labels.get(name, {}), meta.missing_ranges.get(name, [])),
                dtype="string",
            )
            for name in meta.column_names
        },
        index=frame.index,
    )
    folded = {_fold(c.name): c.name for c in columns if c.kind == "respondent_id"}
    ids = [folded[name] for name in RESPONDENT_ID_VARIABLES if name in folded]
    return SurveyExport(path=path, tool="spss", columns=columns, responses=responses, respondent_ids=ids)


def _answers(values: pd.Series, labels: dict, missing: list[dict]) -> list[str | None]:
    """Each value as its label, else as text; a user-missing value as its label, else empty."""
    answers = []
    for value in values:
        if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
            answers.append(None)
            continue
        label = labels.get(value)
        if _is_user_missing(value, missing):
            answers.append(label)
        else:
            answers.append(label if label is not None else cell_text(value))
    return answers


def _is_user_missing(value: object, missing: list[dict]) -> bool:
    """Whether a value falls in one of the variable's missing ranges (a single code is a range of one)."""
    for declared in missing:
        low, high = declared["lo"], declared["hi"]
        if isinstance(value, str) and isinstance(low, str):
            if low <= value <= high:
                return True
        elif isinstance(value, numbers.Real) and isinstance(low, numbers.Real) and low <= value <= high:
            return True
    return False


def _fold(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def _kind(name: str) -> str:
    folded = _fold(name)
    if folded in VARIABLE_KINDS:
        return VARIABLE_KINDS[folded]
    return "personal" if _CUSTOM_DATA.fullmatch(folded) else "answer"
