"""Personal data stops at ingest: keyed pseudonyms for respondent ids and redaction of free text.

Pseudonyms are HMAC-SHA256 (RFC 2104) of the identifier under a secret key, computed inside DuckDB so
large exports never pass through Python row by row. The key comes from `EVAL_PSEUDONYM_KEY`; without
it a random key is generated once into a git-ignored file (`EVAL_SECRET_FILE`, default `.eval_secret`
in the project), so pseudonyms stay stable between runs on one machine and mean nothing elsewhere.

Free text is redacted with Microsoft Presidio's recognisers (`presidio-analyzer`): e-mail addresses,
IPv4/IPv6 addresses, UK NHS numbers (checksum-validated), UK postcodes and phone numbers validated by
Google's libphonenumber, plus recognisers written here in Presidio's own terms for what those miss: every
UK phone layout including Ofcom's reserved drama ranges (07700 900xxx, 0113 496 0xxx), which
libphonenumber rejects as invalid; NHS-number-shaped digits that fail the checksum (a mistyped number is
still personal); National Insurance numbers of any prefix (HMRC's own example, QQ 12 34 56 C, uses one
its rules never issue); street addresses (a house number, capitalised words and a street type); and
names after a title (Dr Jane Smith, Cllr Patel). Names without a title are not found: Presidio finds
them only through a spaCy NER model, and none is published on PyPI by spaCy's authors (only third-party
re-uploads), so none is installed; a rule on bare capitalised words would also destroy place, programme
and organisation names, which the evaluation needs.

Inside DuckDB the recognisers run as a Python function over the text a cheap regular expression (RE2)
lets through: only text with an '@', a run of digits, a postcode shape, a house number before a
capitalised word or a title can hold anything above, so scale labels, codes and most comments never
leave the database engine.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import weakref
from pathlib import Path

import duckdb
import pyarrow as pa

_BLOCK_SIZE = 64  # SHA-256 block size in bytes, as HMAC requires

# Titles that precede a person's name in British usage (case-sensitive: "Dr" but not "dr", "Miss" but not "miss").
TITLES = (
    "Dr",
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Mx",
    "Prof",
    "Professor",
    "Sir",
    "Dame",
    "Lord",
    "Lady",
    "Cllr",
    "Councillor",
    "Rev",
    "Revd",
)
STREET_TYPES = (
    "Street",
    "St",
    "Road",
    "Rd",
    "Lane",
    "Ln",
    "Avenue",
    "Ave",
    "Close",
    "Drive",
    "Crescent",
    "Court",
    "Gardens",
    "Terrace",
    "Grove",
    "Hill",
    "Square",
    "Row",
    "Walk",
    "Mews",
    "Rise",
    "Way",
    "Place",
    "Parade",
    "Green",
    "Vale",
    "Wharf",
    "Yard",
    "Boulevard",
    "Broadway",
)

# What may hold personal data, over-approximated with RE2 (DuckDB's engine) and Python's `re` alike: an
# '@' (e-mail), '::' (IPv6), six or more digits and separators (phone, NHS, NI and IP numbers), a postcode
# shape, a house number before a capitalised word (street address) or a title (a name).
PREFILTER = (
    r"@|::|[0-9][0-9 ().+:\-]{4,}[0-9]|[A-Za-z][0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}"
    r"|[0-9]+[A-Za-z]?,? +[A-Z][a-z]|\b(?:" + "|".join(TITLES) + r")\b"
)
_PREFILTER = re.compile(PREFILTER)
# The shortest matches are a postcode such as "W11AA" and an address such as "a@b.cd".
_SHORTEST_MATCH = 5
# The replacement for each kind of personal data found.
PLACEHOLDERS = {
    "EMAIL_ADDRESS": "[email]",
    "PHONE_NUMBER": "[phone]",
    "UK_POSTCODE": "[postcode]",
    "UK_NHS": "[NHS number]",
    "UK_NINO": "[NI number]",
    "IP_ADDRESS": "[IP address]",
    "STREET_ADDRESS": "[address]",
    "PERSON": "[name]",
}
# The name of the DuckDB function that redacts one text (registered on each connection).
REDACT_FUNCTION = "redact_personal_data"


def pseudonym_key(configured: str, secret_file: Path) -> bytes:
    """The secret key for respondent pseudonyms: the configured key (`EVAL_PSEUDONYM_KEY`) if given, else
    the one in `secret_file`, generated there on first use (readable by its owner only)."""
    if configured:
        return configured.encode()
    if not secret_file.exists():
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return secret_file.read_text().strip().encode()


def hmac_sql(expression: str, key: bytes) -> str:
    """SQL computing hex HMAC-SHA256 of a VARCHAR `expression` under `key`, inlined as blob literals."""
    if len(key) > _BLOCK_SIZE:
        import hashlib

        key = hashlib.sha256(key).digest()
    padded = key.ljust(_BLOCK_SIZE, b"\0")
    inner = bytes(b ^ 0x36 for b in padded)
    outer = bytes(b ^ 0x5C for b in padded)
    return f"sha256(unhex('{outer.hex()}') || unhex(sha256(unhex('{inner.hex()}') || encode({expression}))))"


@functools.cache
def _recognizers() -> list:
    """The Presidio recognisers, built once per process (importing Presidio takes about a second)."""
    import regex
    import tldextract
    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        IpRecognizer,
        NhsRecognizer,
        PhoneRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
    )

    # Presidio checks an e-mail's domain against the public suffix list, which tldextract would fetch
    # from the internet on first use: the copy bundled with it is used instead, so redaction never calls out.
    offline_suffixes = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return offline_suffixes(pattern_text).fqdn != ""

    case_sensitive = regex.DOTALL | regex.MULTILINE
    return [
        OfflineEmailRecognizer(),
        IpRecognizer(),
        NhsRecognizer(),
        PatternRecognizer(
            "UK_NHS",
            name="NHS-number-shaped digits",
            patterns=[Pattern("3-3-4 digits", r"(?<![\d\-])\d{3}[ \-]\d{3}[ \-]\d{4}(?![\d\-])", 0.4)],
        ),
        UkNinoRecognizer(patterns=[Pattern("NINO, any prefix", r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", 0.5)]),
        UkPostcodeRecognizer(),
        PhoneRecognizer(supported_regions=("GB",), leniency=1),
        PatternRecognizer(
            "PHONE_NUMBER",
            name="UK phone number layouts",
            patterns=[
                Pattern(
                    "UK phone",
                    # +44, 0044 or a leading 0 (in brackets or not), then 9 or 10 digits in any grouping.
                    r"(?:(?<![\w+])(?:\+|00)44[ \-.]?(?:\(0\)[ \-.]?)?\(?|(?<![\w(])\(0|(?<![\w.])0)"
                    r"\d(?:[ \-.)]{0,2}\d){8,9}(?!\d)",
                    0.5,
                )
            ],
        ),
        PatternRecognizer(
            "STREET_ADDRESS",
            name="UK street address",
            global_regex_flags=case_sensitive,
            patterns=[
                Pattern(
                    "number and street",
                    r"\b(?:(?:Flat|Apartment|Unit) \d+[A-Za-z]?,? )?\d{1,4}[A-Za-z]?(?:-\d{1,4})?,? "
                    r"(?:[A-Z][a-z']+ ){1,3}(?:" + "|".join(STREET_TYPES) + r")\b",
                    0.5,
                )
            ],
        ),
        PatternRecognizer(
            "PERSON",
            name="Titled name",
            global_regex_flags=case_sensitive,
            patterns=[
                Pattern(
                    "title and name",
                    r"\b(?:" + "|".join(TITLES) + r")\.? (?:[A-Z]\.? )?[A-Z][A-Za-z'\-]+(?: [A-Z][A-Za-z'\-]+){0,2}",
                    0.5,
                )
            ],
        ),
    ]


def find_personal_data(text: str) -> list[tuple[int, int, str]]:
    """The personal data in `text`: (start, end, entity) spans that do not overlap, longest first where
    two recognisers claim the same characters."""
    found = []
    for recognizer in _recognizers():
        for result in recognizer.analyze(text, recognizer.supported_entities, None):
            found.append((result.start, result.end, result.entity_type))
    spans: list[tuple[int, int, str]] = []
    for start, end, entity in sorted(found, key=lambda span: (span[0], -(span[1] - span[0]))):
        if spans and start < spans[-1][1]:
            if end > spans[-1][1]:  # overlapping matches merge into one span, as Presidio's anonymizer does
                spans[-1] = (spans[-1][0], end, spans[-1][2])
            continue
        spans.append((start, end, entity))
    return spans


@functools.lru_cache(maxsize=65536)
def _redact(text: str) -> str:
    for start, end, entity in reversed(find_personal_data(text)):
        text = text[:start] + PLACEHOLDERS[entity] + text[end:]
    return text


def redact_text(text: str | None) -> str | None:
    """`text` with e-mail addresses, phone numbers, postcodes, NHS and NI numbers, IP addresses, street
    addresses and titled names replaced by a placeholder ("[email]", "[phone]", ...)."""
    if text is None or len(text) < _SHORTEST_MATCH or not _PREFILTER.search(text):
        return text
    return _redact(text)


def _redact_array(texts: pa.Array) -> pa.Array:
    return pa.array([None if t is None else _redact(t) for t in texts.to_pylist()], type=pa.string())


# The connections the function is registered on. Asking the catalog (duckdb_functions()) took 60 ms on each of
# a refresh's hundreds of connections, and calling the function to find out would abort an open transaction.
_REDACTION_REGISTERED: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()


def register_redaction(con: duckdb.DuckDBPyConnection) -> None:
    """Make `redact_personal_data(text)` (the Presidio redaction of one text) callable on `con`."""
    if con not in _REDACTION_REGISTERED:
        con.create_function(REDACT_FUNCTION, _redact_array, ["VARCHAR"], "VARCHAR", type="arrow")
        _REDACTION_REGISTERED.add(con)


def redact_sql(expression: str) -> str:
    """SQL redacting personal data in a VARCHAR expression (see `redact_text`); the connection needs
    `register_redaction`. Only text the prefilter lets through reaches the Python recognisers."""
    return (
        f"CASE WHEN length({expression}) >= {_SHORTEST_MATCH} AND regexp_matches({expression}, '{PREFILTER}')"
        f" THEN {REDACT_FUNCTION}({expression}) ELSE {expression} END"
    )


def redact_frame_column(frame, column: str):
    """A copy of a DataFrame with one text column redacted (excerpts and other small free-text tables)."""
    redacted = frame.copy()
    redacted[column] = redacted[column].map(lambda v: v if not isinstance(v, str) else redact_text(v))
    return redacted
