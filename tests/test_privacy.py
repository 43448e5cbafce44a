"""Personal data stops at ingest: keyed pseudonyms and free-text redaction."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.privacy import hmac_sql, redact_text


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def test_pseudonyms_are_rfc_4231_hmac_sha256(con):
    # RFC 4231, section 4.3, test case 2: key "Jefe", data "what do ya want for nothing?".
    digest = con.execute(f"SELECT {hmac_sql('?::VARCHAR', b'Jefe')}", ["what do ya want for nothing?"]).fetchall()[0][0]
    assert digest == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_keys_longer_than_a_block_are_hashed_first_as_rfc_4231_requires(con):
    # RFC 4231, section 4.7, test case 6: a 131-byte key of 0xaa.
    data = "Test Using Larger Than Block-Size Key - Hash Key First"
    digest = con.execute(f"SELECT {hmac_sql('?::VARCHAR', bytes([0xAA]) * 131)}", [data]).fetchall()[0][0]
    assert digest == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail jo.bloggs@kirklees.gov.uk today", "Mail [email] today"),
        ("Call 07700 900123 or 0113 496 0000.", "Call [phone] or [phone]."),
        ("International +44 20 7946 0958", "International [phone]"),
        ("Office at HD1 2TA, near LS1 4AP", "Office at [postcode], near [postcode]"),
        ("Strongly agree", "Strongly agree"),
        ("2024-05-12 10:15:00", "2024-05-12 10:15:00"),
        ("Duration 1433 seconds, ref 12345", "Duration 1433 seconds, ref 12345"),
    ],
)
def test_free_text_loses_emails_phone_numbers_and_postcodes_only(con, text, expected):
    assert redact_text(con, text) == expected
