"""Personal data stops at ingest: keyed pseudonyms and free-text redaction.

The corpus below plants personal data of every kind the pipeline promises to remove, in the layouts
people write it, and near misses that carry the evaluation (indicator ids, periods, area codes, scale
labels, percentages, years) and must come through intact.
"""

from __future__ import annotations

import duckdb
import pytest

from pipeline.privacy import PREFILTER, hmac_sql, redact_sql, redact_text, register_redaction


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        register_redaction(connection)
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


# (planted value, placeholder it becomes). Each is planted inside a sentence.
PLANTED = [
    # NHS numbers: a valid checksum (NHS Digital's example), spaced, dashed, run together, and a mistyped one
    ("943 476 5919", "[NHS number]"),
    ("943-476-5919", "[NHS number]"),
    ("9434765919", "[NHS number]"),
    ("401 023 2137", "[NHS number]"),
    ("123 456 7890", "[NHS number]"),
    # National Insurance numbers: HMRC's example prefix QQ, spaced and not, lower case
    ("QQ 12 34 56 C", "[NI number]"),
    ("QQ123456C", "[NI number]"),
    ("AB 12 34 56 D", "[NI number]"),
    ("jz 65 43 21 a", "[NI number]"),
    # Phones in every UK layout, including Ofcom's reserved drama ranges libphonenumber calls invalid
    ("07700 900123", "[phone]"),
    ("07700900124", "[phone]"),
    ("+44 7700 900456", "[phone]"),
    ("0044 7700 900125", "[phone]"),
    ("+44-7700-900126", "[phone]"),
    ("+447700900127", "[phone]"),
    ("(020) 7946 0958", "[phone]"),
    ("020 7946 0959", "[phone]"),
    ("+44 (0)20 7946 0960", "[phone]"),
    ("0113 496 0000", "[phone]"),
    ("0113-496-0001", "[phone]"),
    ("(0113) 496 0002", "[phone]"),
    ("01632 960123", "[phone]"),
    ("(01632) 960 983", "[phone]"),
    ("0800 123 4567", "[phone]"),
    ("0161.496.0003", "[phone]"),
    # E-mail addresses
    ("jo.bloggs@example.org", "[email]"),
    ("JANE_SMITH+survey@nhs.net", "[email]"),
    ("a.patel@kirklees.gov.uk", "[email]"),
    # IP addresses
    ("192.168.1.20", "[IP address]"),
    ("10.0.0.1", "[IP address]"),
    ("2001:db8::8a2e:370:7334", "[IP address]"),
    ("fe80::1ff:fe23:4567:890a", "[IP address]"),
    # Postcodes
    ("SW1A 1AA", "[postcode]"),
    ("HD1 2TA", "[postcode]"),
    ("LS14AP", "[postcode]"),
    ("M1 1AE", "[postcode]"),
    ("ec1a 1bb", "[postcode]"),
    # Street addresses
    ("10 Downing Street", "[address]"),
    ("Flat 3, 221B Baker Street", "[address]"),
    ("42 Acacia Avenue", "[address]"),
    ("7 Church Lane", "[address]"),
    # Names after a title
    ("Dr Jane Smith", "[name]"),
    ("Mrs Okafor", "[name]"),
    ("Cllr Ahmed Patel", "[name]"),
    ("Prof. R. Wilkinson", "[name]"),
    ("Councillor Mary O'Brien", "[name]"),
]

# Text the evaluation needs, that looks a little like the above: must come through unchanged.
NEAR_MISSES = [
    "Indicator 90323 fell",
    "Indicator ids 92196 and 93014",
    "Area E06000001 (Hartlepool)",
    "E08000034 and E10000015",
    "In 2021/22 the rate fell",
    "Periods 2019/20 - 2021/22",
    "From 2016-18 to 2019-21",
    "Q3 2021/22",
    "Strongly agree",
    "Neither agree nor disagree",
    "Don't know",
    "45% of partners",
    "Rate 12.5 per 1,000",
    "1,234,567 people",
    "Budget £250,000 for 2023",
    "Started on 01/04/2021",
    "2024-05-12 10:15:00",
    "Duration 1433 seconds, ref 12345",
    "Meeting at 10:30 on Tuesday",
    "Version 1.2.3",
    "Director of Public Health",
    "Healthy Places, Healthy Lives",
    "Marmot objective 3",
    "Between 2015 and 2019",
    "95% CI 0.82 to 1.14",
    "Ranked 3 of 30",
]


@pytest.mark.parametrize(("value", "placeholder"), PLANTED)
def test_planted_personal_data_is_redacted(value, placeholder):
    assert redact_text(f"Please contact {value} today.") == f"Please contact {placeholder} today."


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_survive(text):
    assert redact_text(text) == text


def test_the_corpus_covers_every_kind_the_pipeline_promises():
    assert len(PLANTED) >= 40
    assert {placeholder for _, placeholder in PLANTED} == {
        "[NHS number]",
        "[NI number]",
        "[phone]",
        "[email]",
        "[IP address]",
        "[postcode]",
        "[address]",
        "[name]",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Call me on 07700 900123 or +44 7700 900456, NHS no 943 476 5919, NI QQ 12 34 56 C, home SW1A 1AA,"
            " ip 192.168.1.20, email jo.bloggs@example.org",
            "Call me on [phone] or [phone], NHS no [NHS number], NI [NI number], home [postcode], ip [IP address],"
            " email [email]",
        ),
        (
            "My manager Dr Jane Smith at 10 Downing Street, London SW1A 2AA, tel (020) 7946 0958",
            "My manager [name] at [address], London [postcode], tel [phone]",
        ),
    ],
)
def test_comments_that_kept_personal_data_before_now_keep_none(text, expected):
    assert redact_text(text) == expected


def test_duckdb_redacts_as_python_does(con):
    texts = [f"Please contact {value} today." for value, _ in PLANTED] + NEAR_MISSES + [None]
    redacted = con.execute(
        f"SELECT {redact_sql('t')} FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS u(t, i) ORDER BY i", [texts]
    ).fetchall()
    assert [row[0] for row in redacted] == [redact_text(t) for t in texts]


def _passes_prefilter(con, texts: list[str]) -> list[bool]:
    """Whether DuckDB's RE2 prefilter sends each text on to the recognisers."""
    rows = con.execute(
        f"SELECT regexp_matches(t, '{PREFILTER}') FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS u(t, i) ORDER BY i",
        [texts],
    ).fetchall()
    return [row[0] for row in rows]


def test_scale_labels_and_plain_comments_never_reach_the_recognisers(con):
    labels = ["Strongly agree", "Neither agree nor disagree", "Don't know", "Very useful", "Not applicable"]
    comment = "The steering group met monthly and the Director of Public Health chaired it."
    assert _passes_prefilter(con, [*labels, comment]) == [False] * 6
    # Every planted value passes it.
    planted = [value for value, _ in PLANTED]
    assert _passes_prefilter(con, planted) == [True] * len(planted)
