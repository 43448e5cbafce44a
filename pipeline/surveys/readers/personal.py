"""Personal-data columns of any survey export, found by what their header says and by what they hold.

Each tool's reader knows its own personal fields by name (Qualtrics' IPAddress, SurveyMonkey's First
Name, ...). Exports also carry fields the evaluator added: Qualtrics embedded data (`IP`, `ip_address`,
`Latitude`, `Address`), a question asking for a name ("Your name (optional)", "Name of respondent"),
SPSS variables (`IP_Addr`, `lat`, `lon`). `mark_personal_columns` makes every such column `personal`
(never read) when its header is one of the patterns below, or when most of a small sample of its values
are e-mail addresses, IP addresses, coordinates, phone numbers or postal addresses (see
`pipeline.privacy`). Only columns that would otherwise be loaded are reviewed; identifiers stay
identifiers (read only for the pseudonym).
"""

from __future__ import annotations

import re
from dataclasses import replace

import duckdb

from pipeline.privacy import find_personal_data, redact_text
from pipeline.surveys.readers.export import CsvResponses, SurveyColumn, SurveyExport

REVIEWED_KINDS = ("answer", "metadata")
# How many responses are sampled per export, and the share of a column's non-empty sampled values that
# must be personal data for the whole column to be dropped.
SAMPLE_ROWS = 200
PERSONAL_SHARE = 0.5
# How many other words (capitalised: a town, a county) a value that starts with personal data may hold and
# still count as personal data through and through: '10 Downing Street, London SW1A 2AA'.
MAX_OTHER_WORDS = 3

# Headers (folded: lower-case, bracketed asides such as "(optional)" removed, anything but letters and
# digits a single space) that ask for or hold personal data. Whole headers only: "How well did the
# programme address inequalities?" asks no address, "Name of your organisation" no person's name.
PERSONAL_HEADER = re.compile(
    r"(?:what is |please enter |please give |enter )?"
    r"(?:your |the respondent s |respondent s |respondent |recipient |contact |participant )?"
    r"(?:"
    r"(?:full |first |last |given |family |middle |sur)?name(?: of (?:the )?(?:respondent|participant))?"
    r"|e ?mail(?: address)?"
    r"|ip(?: ?addr(?:ess)?)?"
    r"|(?:home |postal |street |full |house )?(?:address|postcode|post code|zip(?: code)?)(?: line \d)?"
    r"|(?:location )?(?:latitude|longitude|lat|lon|lng|long)"
    r"|geo ?location|gps(?: location)?|coordinates"
    r"|(?:tel|telephone|phone|mobile)(?: number| no)?"
    r"|date of birth|dob|birth date"
    r"|(?:nhs|ni|national insurance)(?: number| no)"
    r")"
)
_ASIDE = re.compile(r"\([^)]*\)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# A decimal degree with four or more decimals (about 10 m), alone or as "lat, lon".
_COORDINATE = re.compile(r"-?\d{1,3}\.\d{4,}(?:\s*[,;]\s*-?\d{1,3}\.\d{4,})?")


def fold_header(text: str) -> str:
    """A header as the patterns read it: "Your name (optional)" -> "your name", "IP_Addr" -> "ip addr"."""
    text = _ASIDE.sub(" ", text)
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def personal_header(column: SurveyColumn) -> bool:
    """Whether the column's name, question text or source id says it holds personal data."""
    return any(
        PERSONAL_HEADER.fullmatch(fold_header(text)) or PERSONAL_HEADER.fullmatch(fold_header(_CAMEL.sub(" ", text)))
        for text in {column.name, column.question_text, column.source_id}
        if text
    )


def personal_value(value: str) -> bool:
    """Whether one value is personal data through and through: a coordinate, or text that starts with an
    e-mail, IP address, phone, NHS or NI number, postcode, street address or titled name, with at most
    a few capitalised words (a town, a county) besides. A comment that mentions a phone number is not one
    (its number is redacted, the comment kept)."""
    value = value.strip()
    if _COORDINATE.fullmatch(value):
        return abs(float(re.split(r"[,;]", value)[0])) <= 180
    if redact_text(value) == value:  # the prefilter and recognisers found nothing
        return False
    spans = find_personal_data(value)
    if spans[0][0] != 0:
        return False
    ends = [end for _, end, _ in spans]
    starts = [start for start, _, _ in spans[1:]] + [len(value)]
    words = re.findall(r"[^\W\d_]+", "".join(value[end:start] for end, start in zip(ends, starts, strict=True)))
    return len(words) <= MAX_OTHER_WORDS and all(word[0].isupper() for word in words)


def personal_values(values: list[str]) -> bool:
    """Whether most of a column's non-empty sampled values are personal data."""
    values = [v for v in values if v is not None and v.strip()]
    return bool(values) and sum(personal_value(v) for v in values) >= PERSONAL_SHARE * len(values)


def mark_personal_columns(export: SurveyExport) -> SurveyExport:
    """The export with every loaded column whose header or sampled values are personal data made
    `personal`, so that it is never read."""
    reviewed = [c for c in export.columns if c.kind in REVIEWED_KINDS]
    by_header = {c.name for c in reviewed if personal_header(c)}
    sample = _sample(export, [c.name for c in reviewed if c.name not in by_header])
    by_values = {name for name, values in sample.items() if personal_values(values)}
    if not by_header | by_values:
        return export
    columns = [replace(c, kind="personal") if c.name in by_header | by_values else c for c in export.columns]
    return replace(export, columns=columns)


def _sample(export: SurveyExport, names: list[str]) -> dict[str, list[str]]:
    """The first `SAMPLE_ROWS` responses' values of the named columns (a CSV is read only that far)."""
    if not names:
        return {}
    if isinstance(export.responses, CsvResponses):
        with duckdb.connect() as con:
            frame = export.responses.relation(con).limit(SAMPLE_ROWS).df()
    else:
        frame = export.responses.head(SAMPLE_ROWS)
    return {name: [v for v in frame[name].tolist() if isinstance(v, str)] for name in names if name in frame}
