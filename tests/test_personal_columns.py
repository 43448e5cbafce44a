"""Personal-data columns are found by header and by value in every tool's export, and never read.

Each export carries fields an evaluator or a panel added beside the tool's own personal fields: Qualtrics
embedded data (IP, ip_address, Latitude, Address), a legacy Qualtrics extra (IP), questions asking for a
name (Google Forms, SurveyMonkey, Microsoft Forms), SPSS variables (IP, IP_Addr, Name, lat, lon), and
columns whose header says nothing but whose values are coordinates, e-mails, IPs or addresses.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from pipeline.surveys.readers.detect import read_survey
from pipeline.surveys.readers.export import SurveyExport, load_answers
from pipeline.surveys.readers.personal import personal_value

Q_LEAD = "Senior leaders in our area actively champion this work"
Q_COMMENTS = "Anything else you would like to tell us?"
COMMENT = "Great support. Call me on 07700 900123"
REDACTED_COMMENT = "Great support. Call me on [phone]"
# Values of the personal columns: none may reach the loaded answers.
PERSONAL = {
    "81.2.69.160": "IP",
    "203.0.113.7": "ip",
    "51.501364": "latitude",
    "-0.141890": "longitude",
    "10 Downing Street, London SW1A 2AA": "address",
    "Jane Smith": "name",
    "jane.smith@example.org": "e-mail",
}


def _load(export: SurveyExport) -> list[tuple]:
    with duckdb.connect() as con:
        return load_answers(con, export, b"key").fetchall()


def _kinds(export: SurveyExport) -> dict[str, str]:
    return {c.name: c.kind for c in export.columns}


def _assert_nothing_personal_loaded(export: SurveyExport, lead: str = Q_LEAD, comments: str = Q_COMMENTS) -> None:
    loaded = _load(export)
    cells = {str(cell) for row in loaded for cell in row}
    text = "\n".join(cells)
    assert [value for value in PERSONAL if value in text] == []
    answers = {row[2]: row[4] for row in loaded if row[0] == 1}
    assert answers[lead] == "Agree"
    assert answers[comments] == REDACTED_COMMENT


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_qualtrics_embedded_data_and_unlabelled_values(tmp_path):
    fields = [
        ("ResponseId", "Response ID", "_recordId", "R_1"),
        ("StartDate", "Start Date", "startDate", "2024-03-01 10:15:02"),
        ("IP", "IP", "IP", "81.2.69.160"),
        ("ip_address", "ip_address", "ip_address", "203.0.113.7"),
        ("Latitude", "Latitude", "Latitude", "51.501364"),
        ("Address", "Address", "Address", "10 Downing Street, London SW1A 2AA"),
        ("Extra1", "Extra1", "Extra1", "-0.141890"),  # a neutral header over coordinates: found by value
        ("Extra2", "Extra2", "Extra2", "jane.smith@example.org"),  # and over e-mail addresses
        ("Q1", Q_LEAD, "QID1", "Agree"),
        ("Q2", Q_COMMENTS, "QID2_TEXT", COMMENT),
    ]
    rows = [
        [tag for tag, _, _, _ in fields],
        [text for _, text, _, _ in fields],
        [json.dumps({"ImportId": import_id}) for _, _, import_id, _ in fields],
        [value for _, _, _, value in fields],
    ]
    export = read_survey(_write_csv(tmp_path / "wave.csv", rows))
    assert export.tool == "qualtrics"
    kinds = _kinds(export)
    assert [kinds[n] for n in ("IP", "ip_address", "Latitude", "Address", "Extra1", "Extra2")] == ["personal"] * 6
    assert (kinds["Q1"], kinds["Q2"], kinds["ResponseId"]) == ("answer", "answer", "respondent_id")
    _assert_nothing_personal_loaded(export, "Q1", "Q2")


def test_legacy_qualtrics_extra_ip_field(tmp_path):
    rows = [
        ["V1", "V8", "IP", "Q1", "Q2"],
        ["ResponseID", "StartDate", "IP", Q_LEAD, Q_COMMENTS],
        ["R_1", "2017-07-18 08:28:09", "81.2.69.160", "Agree", COMMENT],
    ]
    export = read_survey(_write_csv(tmp_path / "legacy.csv", rows))
    assert export.tool == "qualtrics" and _kinds(export)["IP"] == "personal"
    loaded = {row[2]: row[4] for row in _load(export)}
    assert "81.2.69.160" not in loaded.values() and loaded["Q2"] == REDACTED_COMMENT


def test_google_forms_name_questions_and_ip(tmp_path):
    header = ["Timestamp", "Your name (optional)", "Name of respondent", "IP", Q_LEAD, Q_COMMENTS]
    rows = [header, ["2024/03/01 10:15:02 AM GMT", "Jane Smith", "Jane Smith", "81.2.69.160", "Agree", COMMENT]]
    export = read_survey(_write_csv(tmp_path / "wave.csv", rows))
    assert export.tool == "google_forms"
    assert [_kinds(export)[n] for n in header[1:4]] == ["personal"] * 3
    _assert_nothing_personal_loaded(export)


def test_surveymonkey_ip_and_full_name(tmp_path):
    rows = [
        ["Respondent ID", "Start Date", "IP", "Your full name", Q_LEAD, Q_COMMENTS],
        ["", "", "", "Open-Ended Response", "Response", "Open-Ended Response"],
        ["114327000001", "02/13/2020 10:43:33 AM", "81.2.69.160", "Jane Smith", "Agree", COMMENT],
    ]
    export = read_survey(_write_csv(tmp_path / "wave.csv", rows))
    assert export.tool == "surveymonkey"
    assert (_kinds(export)["IP"], _kinds(export)["Your full name"]) == ("personal", "personal")
    _assert_nothing_personal_loaded(export)


def test_spss_ip_name_and_coordinates(tmp_path):
    frame = pd.DataFrame(
        {
            "ResponseId": ["R_1"],
            "IP": ["81.2.69.160"],
            "IP_Addr": ["203.0.113.7"],
            "Name": ["Jane Smith"],
            "lat": [51.501364],
            "lon": [-0.14189],
            "Q1": ["Agree"],
            "Q2": [COMMENT],
        }
    )
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(frame, str(path), column_labels=["", "", "", "", "", "", Q_LEAD, Q_COMMENTS])
    export = read_survey(path)
    assert export.tool == "spss"
    assert [_kinds(export)[n] for n in ("IP", "IP_Addr", "Name", "lat", "lon")] == ["personal"] * 5
    loaded = _load(export)
    text = "\n".join(str(cell) for row in loaded for cell in row)
    assert [v for v in ("81.2.69.160", "203.0.113.7", "Jane Smith", "51.50", "-0.14") if v in text] == []
    answers = {row[2]: row[4] for row in loaded}
    assert answers["Q1"] == "Agree" and answers["Q2"] == REDACTED_COMMENT


def test_microsoft_forms_your_name(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Your name", Q_LEAD, Q_COMMENTS])
    sheet.append([1, dt.datetime(2024, 3, 1, 10, 15), dt.datetime(2024, 3, 1, 10, 21), "anonymous", "anonymous"])
    for column, value in zip("FGH", ["Jane Smith", "Agree", COMMENT], strict=True):
        sheet[f"{column}2"] = value
    path = tmp_path / "wave.xlsx"
    workbook.save(path)
    export = read_survey(path)
    assert export.tool == "microsoft_forms" and _kinds(export)["Your name"] == "personal"
    _assert_nothing_personal_loaded(export)


@pytest.mark.parametrize(
    "header",
    [
        "How well did the programme address inequalities?",
        "Name of your organisation",
        "Location of the service",
        "Which local authority do you work in?",
        "Latest phase of the work",
    ],
)
def test_questions_that_only_sound_personal_are_read(tmp_path, header):
    rows = [["Timestamp", header], ["2024/03/01 10:15:02 AM GMT", "Well"]]
    assert _kinds(read_survey(_write_csv(tmp_path / "wave.csv", rows)))[header] == "answer"


@pytest.mark.parametrize(
    ("value", "personal"),
    [
        ("jane.smith@example.org", True),
        ("2001:db8::8a2e:370:7334", True),
        ("51.501364, -0.141890", True),
        ("12 High Street, Middlesbrough TS1 2AA", True),
        ("07700 900123", True),
        ("Call me on 07700 900123", False),
        ("Dr Jane Smith was a great chair", False),
        ("3.5", False),
        ("2021/22", False),
        ("Strongly agree", False),
    ],
)
def test_a_value_is_personal_only_when_it_is_personal_data_through_and_through(value, personal):
    assert personal_value(value) is personal
