"""Personal data stops at ingest: keyed pseudonyms for respondent ids and redaction of free text.

Pseudonyms are HMAC-SHA256 (RFC 2104) of the identifier under a secret key, computed inside DuckDB so
large exports never pass through Python row by row. The key comes from `EVAL_PSEUDONYM_KEY`; without
it a random key is generated once into a git-ignored file (`EVAL_SECRET_FILE`, default `.eval_secret`
in the project), so pseudonyms stay stable between runs on one machine and mean nothing elsewhere.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_BLOCK_SIZE = 64  # SHA-256 block size in bytes, as HMAC requires

# RE2 patterns (DuckDB's regex engine). Ordered: e-mail first, so its digits are not read as a phone number.
REDACTIONS: list[tuple[str, str]] = [
    (r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}", "[email]"),
    (r"(?:\+44\s?\(?0?\)?\s?|\b0)\d(?:[\s\-]?\d){8,9}\b", "[phone]"),
    (r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b", "[postcode]"),
]


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


# Every pattern above needs at least five characters and a digit or an '@' (the shortest matches are a
# postcode such as "A11AA" and an address such as "a@b.cd"), so text without either is left as it is
# without running them: most survey answers are scale labels and codes.
_SHORTEST_MATCH = 5


def redact_sql(expression: str) -> str:
    """SQL replacing e-mail addresses, UK phone numbers and UK postcodes in a VARCHAR expression."""
    redacted = expression
    for pattern, replacement in REDACTIONS:
        redacted = f"regexp_replace({redacted}, '{pattern}', '{replacement}', 'g')"
    return (
        f"CASE WHEN length({expression}) < {_SHORTEST_MATCH} OR NOT regexp_matches({expression}, '[0-9@]')"
        f" THEN {expression} ELSE {redacted} END"
    )


def redact_text(con, text: str | None) -> str | None:
    """Redact one string with the same rules (for excerpts and small tables)."""
    if text is None:
        return None
    return con.execute(f"SELECT {redact_sql('text')} FROM (SELECT ?::VARCHAR AS text)", [text]).fetchall()[0][0]
