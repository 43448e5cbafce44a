"""Survey readers for each tool's exports, and `read_survey`'s detection, on real exports (copied unchanged
into tests/fixtures/surveys, see its SOURCES.md) and on exports written here in a tool's own layout where
no real one is available (Qualtrics and SurveyMonkey XLSX, a clean SurveyMonkey CSV, Google Forms with
e-mail collection, Microsoft Forms). Expected values are worked out independently of the readers, with
the csv module, openpyxl and pyreadstat."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import re
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from pipeline.errors import InputFileError
from pipeline.generators.national import ScaleSpec, instrument_items, write_wave
from pipeline.surveys.readers.detect import SURVEY_SUFFIXES, read_survey
from pipeline.surveys.readers.export import STARTED_AT_FORMATS, SurveyExport, load_answers, load_responses
from tests.conftest import FIXTURES

SURVEYS = FIXTURES / "surveys"
QUALTRICS_CSVS = sorted((SURVEYS / "qualtrics").rglob("*.csv"))
INSIGHTS = SURVEYS / "qualtrics" / "qualtricstools"
SURVEYMONKEY = SURVEYS / "surveymonkey" / "public_survey_data.csv"
GOOGLE_FORMS = SURVEYS / "google_forms" / "survey_responses.csv"
SPSS_FILES = sorted((SURVEYS / "spss").iterdir())

# Header cells (row 1, or row 2 under a legacy V1..V10 tag) of Qualtrics' personal and identifier fields.
QUALTRICS_PERSONAL_HEADERS = {
    "IPAddress",
    "Name",
    "EmailAddress",
    "ExternalDataReference",
    "ExternalReference",
    "ResponseID",
    "ResponseId",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "LocationLatitude",
    "LocationLongitude",
}

Q_ORG = "Which kind of organisation do you work for?"
Q_LEAD = "Senior leaders in our area actively champion this work"
Q_SUPPORT = "Which parts of the support offer did you use?"
Q_COMMENTS = "Anything else you would like to tell us?"

# A SurveyMonkey "all responses" export in the tool's own layout, with the respondent metadata.
SURVEYMONKEY_ROWS = [
    ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name"]
    + ["Last Name", "Custom Data 1", Q_ORG, "", Q_LEAD, Q_SUPPORT, "", "", "", Q_COMMENTS],
    ["", "", "", "", "", "", "", "", "", "Response", "Other (please specify)", "Response", "Expert support"]
    + ["Webinars", "Learning events", "Other (please specify)", "Open-Ended Response"],
    ["114327000001", "402771234", "02/13/2020 10:43:33 AM", "02/13/2020 10:50:01 AM", "81.2.69.160"]
    + ["jo.bloggs@example.org", "Jo", "Bloggs", "LA-007", "Local authority", "", "Strongly agree"]
    + ["Expert support", "", "Learning events", "", "Call me on 07700 900123"],
    ["114327000002", "402771234", "02/14/2020 03:05:12 PM", "02/14/2020 03:09:45 PM", "81.2.69.192", "", ""]
    + ["", "", "", "Community interest company", "Agree", "", "Webinars", "", "Peer exchange", ""],
]
SURVEYMONKEY_PERSONAL = {"81.2.69.160", "81.2.69.192", "jo.bloggs@example.org", "Jo", "Bloggs", "LA-007"}

# A Google Forms download from a form that collects e-mail addresses and asks for a name.
GOOGLE_FORMS_ROWS = [
    ["Timestamp", "Email Address", "Your name", Q_ORG, Q_LEAD, Q_COMMENTS],
    ["2024/03/01 10:15:02 AM GMT", "sam.taylor@example.org", "Sam Taylor", "Local authority", "Agree"]
    + ["We meet near SW1A 1AA"],
    ["2024/06/03 4:05:09 PM BST", "alex.jones@example.org", "Alex Jones", "NHS", "Strongly disagree", ""],
]
GOOGLE_FORMS_PERSONAL = {"sam.taylor@example.org", "Sam Taylor", "alex.jones@example.org", "Alex Jones"}

# A Microsoft Forms workbook ("Open results in Excel"): two anonymous responses and one signed in.
MICROSOFT_FORMS_HEADER = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
MICROSOFT_FORMS_ROWS = [
    [1, dt.datetime(2024, 3, 1, 10, 15, 2), dt.datetime(2024, 3, 1, 10, 21, 40), "anonymous", "anonymous", None]
    + ["Local authority", "Strongly agree", None],
    [2, dt.datetime(2024, 3, 1, 11, 2, 9), dt.datetime(2024, 3, 1, 11, 9, 55), "anonymous", "anonymous", None]
    + ["NHS", "Agree", "More webinars please"],
    [3, dt.datetime(2024, 3, 4, 16, 45), dt.datetime(2024, 3, 4, 16, 52, 31), "priya.shah@nhs.example.uk"]
    + ["Priya Shah", None, "NHS", "Disagree", "Write to priya.shah@nhs.example.uk"],
]


# --- helpers ----------------------------------------------------------------------------------------------


def load(export: SurveyExport) -> list[tuple]:
    with duckdb.connect() as con:
        return load_answers(con, export, b"key").fetchall()


def by_cell(rows: list[tuple]) -> dict[tuple[int, str], str]:
    """Loaded answers by (respondent row, column name)."""
    return {(row[0], row[2]): row[4] for row in rows}


def records(path: Path) -> list[list[str]]:
    """Every record of a CSV file, read with the csv module alone."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def parse_started_at(values: list[str]) -> list[dt.datetime | None]:
    """Start times as staging parses them (DuckDB's try_strptime over STARTED_AT_FORMATS)."""
    with duckdb.connect() as con:
        return [con.execute("SELECT try_strptime(?, ?)", [v, STARTED_AT_FORMATS]).fetchall()[0][0] for v in values]


def assert_no_personal_value(rows: list[tuple], personal: set[str]) -> None:
    """No personal value is a loaded cell, and no distinctive one (8+ characters) is inside any."""
    assert personal
    cells = {str(cell) for row in rows for cell in row}
    text = "\n".join(cells)
    assert [value for value in personal if value in cells or (len(value) >= 8 and value in text)] == []


def write_csv(
    path: Path, rows: list[list[str]], *, bom: bool = False, crlf: bool = False, quote_all: bool = False
) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        csv.writer(
            handle, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
        ).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], sheet: str = "Sheet1", datetime_format: str | None = None) -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    if datetime_format:
        for row in worksheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = datetime_format
    workbook.save(path)
    return path


def excel_value(text: str) -> object:
    """A CSV cell as a spreadsheet stores it: numbers as numbers (not codes with leading zeros)."""
    if re.fullmatch(r"-?(0|[1-9]\d{0,14})", text):
        return int(text)
    if re.fullmatch(r"-?(0|[1-9]\d*)\.\d+", text):
        return float(text)
    return text or None


def surveymonkey_csv(path: Path) -> Path:
    """SurveyMonkey writes its CSV as UTF-8 with a byte-order mark and CRLF line ends."""
    return write_csv(path, SURVEYMONKEY_ROWS, bom=True, crlf=True)


def google_forms_csv(path: Path) -> Path:
    """Google Forms quotes every field."""
    return write_csv(path, GOOGLE_FORMS_ROWS, quote_all=True)


def microsoft_forms_xlsx(path: Path) -> Path:
    header = MICROSOFT_FORMS_HEADER + [Q_ORG, Q_LEAD, Q_COMMENTS]
    return write_xlsx(path, [header, *MICROSOFT_FORMS_ROWS], datetime_format="m/d/yy h:mm:ss")


# --- Qualtrics --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", QUALTRICS_CSVS, ids=lambda p: p.name)
def test_every_real_qualtrics_csv_is_detected_and_loaded_cell_for_cell(path):
    rows = records(path)
    height = 3 if rows[2][0].startswith("{") else 2
    width = len(rows[0])
    while not rows[0][width - 1] and not rows[1][width - 1]:
        width -= 1  # the legacy export's trailing comma
    responses = [row for row in rows[height:] if row]
    personal = {i for i in range(width) if {rows[0][i], rows[1][i]} & QUALTRICS_PERSONAL_HEADERS}

    export = read_survey(path)
    loaded = load(export)

    assert export.tool == "qualtrics" and len(export.columns) == width
    assert {c.position - 1 for c in export.columns if c.kind in ("personal", "respondent_id")} == personal
    cells = by_cell(loaded)
    expected = {
        (number, export.columns[i].name): row[i]
        for number, row in enumerate(responses, start=1)
        for i in range(width)
        if i not in personal and row[i].strip()
    }
    assert cells == expected
    assert len({row[1] for row in loaded}) == len(responses)
    values = {row[i] for row in responses for i in personal if row[i].strip()}
    assert_no_personal_value(loaded, values)


def test_legacy_export_maps_metadata_to_current_import_ids():
    export = read_survey(SURVEYS / "qualtrics" / "sample_legacy.csv")
    columns = {c.name: c for c in export.columns}
    assert export.respondent_ids == ["ExternalDataReference", "EmailAddress", "ResponseID"]
    assert {name: columns[name].source_id for name in ("ResponseID", "StartDate", "Finished", "Q1")} == {
        "ResponseID": "_recordId",
        "StartDate": "startDate",
        "Finished": "finished",
        "Q1": "Q1",
    }
    assert {name: columns[name].kind for name in ("IPAddress", "Name", "EmailAddress", "LocationLatitude")} == {
        "IPAddress": "personal",
        "Name": "personal",
        "EmailAddress": "respondent_id",
        "LocationLatitude": "personal",
    }
    assert columns["StartDate"].kind == "started_at" and columns["LocationAccuracy"].kind == "metadata"
    assert columns["Q2"].question_text == "This is a free text question."
    cells = by_cell(load(export))
    assert cells[(1, "Q1")] == "2" and cells[(1, "Q2")] == "Hello World!"
    assert parse_started_at([cells[(1, "StartDate")]]) == [dt.datetime(2017, 7, 18, 8, 28, 9)]
    assert_no_personal_value(load(export), {"130.92.34.66", "47.115097045898", "7.2315979003906", "Anonym"})


def test_insights_export_is_keyed_by_its_dict_style_import_ids():
    export = read_survey(
        INSIGHTS / "Single Answer Multiple Choice Questions" / "Single_Answer_MC_Questions (Insights).csv"
    )
    columns = {c.name: c for c in export.columns}
    # The export tag and the ImportId disagree here (Q4 is QID5): the ImportId is the key.
    assert (columns["Q4"].source_id, columns["mc_question_five_TEXT"].source_id) == ("QID5", "QID4-TEXT")
    assert columns["ResponseID"].source_id == "responseId" and columns["ResponseID"].kind == "respondent_id"
    assert columns["RecipientLastName"].kind == "personal" and columns["LocationLongitude"].kind == "personal"
    assert columns["ResponseSet"].kind == "metadata" and columns["StartDate"].kind == "started_at"
    cells = by_cell(load(export))
    assert cells[(1, "Q4")] == "12" and cells[(2, "Q3")] == "5"
    assert cells[(1, "mc_question_five_TEXT")].startswith("Dictumst mattis ultricies sem?")


def test_a_tag_the_legacy_export_repeats_keeps_one_source_id_per_column():
    export = read_survey(INSIGHTS / "Single Answer Matrix Questions" / "Single_Answer_Matrix_Questions.csv")
    source_ids = [c.source_id for c in export.columns]
    assert [s for s in source_ids if s.startswith("question_one")] == [
        "question_one",
        "question_one__2",
        "question_one__3",
    ]
    assert len(set(source_ids)) == len(source_ids)


@pytest.mark.parametrize("name", ["sample.csv", "sample_legacy.csv"])
def test_qualtrics_xlsx_reads_as_the_same_export_as_csv(tmp_path, name):
    """No real Qualtrics XLSX export is public: this one is the real CSV's cells written to a sheet, numbers
    as numbers, as Qualtrics' XLSX download holds them."""
    source = SURVEYS / "qualtrics" / name
    rows = records(source)
    height = 3 if rows[2][0].startswith("{") else 2
    sheet = [list(row) for row in rows[:height]] + [[excel_value(cell) for cell in row] for row in rows[height:]]
    workbook = write_xlsx(tmp_path / source.with_suffix(".xlsx").name, sheet, sheet="Sheet0")

    export = read_survey(workbook)

    assert export.tool == "qualtrics"
    assert [(c.name, c.source_id, c.kind) for c in export.columns] == [
        (c.name, c.source_id, c.kind) for c in read_survey(source).columns
    ]
    assert sorted(load(export)) == sorted(load(read_survey(source)))


# --- SurveyMonkey -----------------------------------------------------------------------------------------


def test_real_surveymonkey_export_resaved_through_pandas():
    rows = records(SURVEYMONKEY)
    responses = rows[2:]
    export = read_survey(SURVEYMONKEY)
    loaded = load(export)
    cells = by_cell(loaded)
    platforms = "Which of the following platforms do you use to access OHBM content?"
    platform_question = next(c.question_text for c in export.columns if c.question_text.startswith(platforms))

    assert export.tool == "surveymonkey" and len(export.columns) == len(rows[0]) == 48
    assert export.columns[0].name == "index" and export.columns[0].kind == "metadata"
    assert not any("Unnamed" in c.source_id for c in export.columns)
    assert [c.kind for c in export.columns[1:]] == ["answer"] * 47 and export.respondent_ids == []
    # A multiple-choice question's options carry its text forward, over "Unnamed: N" cells.
    options = [c.source_id for c in export.columns if c.question_text == platform_question]
    assert options[0] == f"{platform_question} | OHBM website (https://www.humanbrainmapping.org)"
    assert options[-1] == f"{platform_question} | OHBM Job Board" and len(options) == 10
    assert cells[(1, "Are you a member of OHBM?")] == "Yes"
    assert cells[(1, "What geographic region are you currently located in?")] == "Asia"
    assert cells[(1, options[0])] == "OHBM website (https://www.humanbrainmapping.org)"
    assert (1, options[1]) not in cells  # not chosen: an empty cell is no answer
    assert cells[(311, "index")] == "311" and len(responses) == 311
    assert len(loaded) == sum(1 for row in responses for cell in row if cell.strip())


def keyed(key: bytes, identifier: str) -> str:
    """HMAC-SHA256 in hex, as `pipeline.privacy.hmac_sql` keys respondents."""
    return hmac.new(key, identifier.encode(), hashlib.sha256).hexdigest()


def test_each_response_keeps_its_position_and_pseudonym_when_the_export_is_read_in_parallel(tmp_path):
    # 120,000 responses (about 30 MB) span several of the ranges DuckDB's CSV reader gives its threads;
    # without insertion order preserved, this fails.
    spec = ScaleSpec(respondents=120_000, items=4, waves=1, partnerships=12)
    path = tmp_path / "wave_01.csv"
    write_wave(path, spec, instrument_items(spec.items), 0)
    references = pd.read_csv(path, skiprows=[1, 2], dtype=str, usecols=["ExternalReference"])["ExternalReference"]
    with duckdb.connect() as con:
        con.execute("SET threads = 4")
        rows = load_responses(con, read_survey(path), b"key").order("respondent_row").fetchall()
    assert [row[0] for row in rows] == list(range(1, len(references) + 1))
    assert [row[1] for row in rows] == [keyed(b"key", reference) for reference in references]


def test_a_response_without_an_identifier_is_keyed_by_its_file_and_position():
    export = read_survey(SURVEYMONKEY)
    assert export.respondent_ids == []
    with duckdb.connect() as con:
        rows = load_responses(con, export, b"key").order("respondent_row").fetchall()
    assert [row for row, _, _ in rows] == list(range(1, 312))  # every response answered something
    assert all(key == keyed(b"key", f"{SURVEYMONKEY.name}:{row}") for row, key, _ in rows)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_surveymonkey_export_with_respondent_metadata(tmp_path, suffix):
    if suffix == ".csv":
        path = surveymonkey_csv(tmp_path / "wave.csv")
    else:
        sheet = SURVEYMONKEY_ROWS[:2] + [[excel_value(cell) for cell in row] for row in SURVEYMONKEY_ROWS[2:]]
        path = write_xlsx(tmp_path / "wave.xlsx", sheet, sheet="Sheet")
    export = read_survey(path)
    loaded = load(export)
    cells = by_cell(loaded)

    assert export.tool == "surveymonkey"
    assert {c.name: c.kind for c in export.columns[:9]} == {
        "Respondent ID": "respondent_id",
        "Collector ID": "metadata",
        "Start Date": "started_at",
        "End Date": "metadata",
        "IP Address": "personal",
        "Email Address": "respondent_id",
        "First Name": "personal",
        "Last Name": "personal",
        "Custom Data 1": "personal",
    }
    assert export.respondent_ids == ["Email Address", "Respondent ID"]
    assert [c.source_id for c in export.columns[9:]] == [
        Q_ORG,
        f"{Q_ORG} | Other (please specify)",
        Q_LEAD,
        f"{Q_SUPPORT} | Expert support",
        f"{Q_SUPPORT} | Webinars",
        f"{Q_SUPPORT} | Learning events",
        f"{Q_SUPPORT} | Other (please specify)",
        Q_COMMENTS,
    ]
    assert cells[(2, f"{Q_ORG} | Other (please specify)")] == "Community interest company"
    assert cells[(1, Q_COMMENTS)] == "Call me on [phone]"
    assert parse_started_at([cells[(1, "Start Date")], cells[(2, "Start Date")]]) == [
        dt.datetime(2020, 2, 13, 10, 43, 33),
        dt.datetime(2020, 2, 14, 15, 5, 12),
    ]
    assert len({row[1] for row in loaded}) == 2
    assert_no_personal_value(loaded, SURVEYMONKEY_PERSONAL)


def test_surveymonkey_csv_and_xlsx_give_the_same_answers(tmp_path):
    sheet = SURVEYMONKEY_ROWS[:2] + [[excel_value(cell) for cell in row] for row in SURVEYMONKEY_ROWS[2:]]
    from_csv = load(read_survey(surveymonkey_csv(tmp_path / "wave.csv")))
    from_xlsx = load(read_survey(write_xlsx(tmp_path / "wave.xlsx", sheet)))
    assert sorted(from_csv) == sorted(from_xlsx)


# --- Google Forms -----------------------------------------------------------------------------------------


def test_real_google_forms_download():
    rows = records(GOOGLE_FORMS)
    export = read_survey(GOOGLE_FORMS)
    loaded = load(export)
    cells = by_cell(loaded)

    assert export.tool == "google_forms" and len(export.columns) == len(rows[0]) == 9
    assert export.columns[0].kind == "started_at" and {c.kind for c in export.columns[1:]} == {"answer"}
    assert [c.source_id for c in export.columns] == rows[0]
    assert cells[(1, "What is your academic background?")] == "Business "
    assert cells[(85, "Which programming language did you learn first?")] == rows[85][5]
    assert len(loaded) == sum(1 for row in rows[1:] for cell in row if cell.strip()) == 85 * 9
    started = parse_started_at([cells[(n, "Timestamp")] for n in range(1, 86)])
    assert started[0] == dt.datetime(2018, 4, 9, 14, 30, 2) and None not in started


def test_google_forms_download_with_email_collection(tmp_path):
    export = read_survey(google_forms_csv(tmp_path / "wave.csv"))
    loaded = load(export)
    cells = by_cell(loaded)
    assert [c.kind for c in export.columns] == ["started_at", "respondent_id", "personal", "answer", "answer", "answer"]
    assert export.respondent_ids == ["Email Address"]
    assert cells[(1, Q_COMMENTS)] == "We meet near [postcode]"
    assert parse_started_at([cells[(1, "Timestamp")], cells[(2, "Timestamp")]]) == [
        dt.datetime(2024, 3, 1, 10, 15, 2),
        dt.datetime(2024, 6, 3, 16, 5, 9),
    ]
    assert_no_personal_value(loaded, GOOGLE_FORMS_PERSONAL)


# --- Microsoft Forms --------------------------------------------------------------------------------------


def test_microsoft_forms_workbook(tmp_path):
    """No real Microsoft Forms export is public: this workbook follows the layout of its Excel download
    (dates as spreadsheet date-times, "anonymous" for an anonymous respondent's e-mail and name)."""
    export = read_survey(microsoft_forms_xlsx(tmp_path / "wave.xlsx"))
    loaded = load(export)
    cells = by_cell(loaded)

    assert export.tool == "microsoft_forms"
    assert [c.kind for c in export.columns] == [
        "respondent_id",
        "started_at",
        "metadata",
        "respondent_id",
        "personal",
        "metadata",
        "answer",
        "answer",
        "answer",
    ]
    assert export.respondent_ids == ["Email", "ID"] and export.columns[6].source_id == Q_ORG
    assert cells[(1, "Start time")] == "2024-03-01 10:15:02" and cells[(2, Q_LEAD)] == "Agree"
    assert parse_started_at([cells[(3, "Start time")]]) == [dt.datetime(2024, 3, 4, 16, 45)]
    assert cells[(3, Q_COMMENTS)] == "Write to [email]"
    # "anonymous" is no identifier: the two anonymous respondents keep two pseudonyms.
    assert len({row[1] for row in loaded}) == 3
    assert_no_personal_value(loaded, {"priya.shah@nhs.example.uk", "Priya Shah", "anonymous"})


# --- SPSS -------------------------------------------------------------------------------------------------


def _spss_text(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def spss_expected(path: Path) -> dict[tuple[int, str], str]:
    """Each answered cell as it should load, from pyreadstat's own reads: its value labels applied, and
    user-missing codes found as the values a read without `user_missing` leaves empty."""
    por = path.suffix == ".por"
    read = pyreadstat.read_por if por else pyreadstat.read_sav
    options = {"extra_date_formats": ["QYR", "MOYR"]}
    with_missing = options if por else {**options, "user_missing": True}
    raw, meta = read(str(path), **with_missing)
    labelled, _ = read(str(path), apply_value_formats=True, formats_as_category=False, **with_missing)
    plain, _ = read(str(path), **options)
    expected = {}
    for name in meta.column_names:
        labels = meta.variable_value_labels.get(name, {})
        for number, (value, label, kept) in enumerate(
            zip(raw[name], labelled[name], plain[name], strict=True), start=1
        ):
            if pd.isna(value):
                continue
            if pd.isna(kept):  # a user-missing code: only its label is an answer
                text = labels.get(value)
            else:
                text = label if value in labels else _spss_text(value)
            if text is not None and text.strip():
                expected[(number, name)] = text
    return expected


@pytest.mark.parametrize("path", SPSS_FILES, ids=lambda p: p.name)
def test_every_real_spss_file_loads_with_labels_and_user_missing_values(path):
    read = pyreadstat.read_por if path.suffix == ".por" else pyreadstat.read_sav
    _, meta = read(str(path), metadataonly=True)
    export = read_survey(path)
    loaded = load(export)
    assert export.tool == "spss"
    assert [(c.name, c.source_id, c.question_text) for c in export.columns] == [
        (name, name, meta.column_names_to_labels.get(name) or "") for name in meta.column_names
    ]
    assert by_cell(loaded) == spss_expected(path)
    assert len(loaded) == len(spss_expected(path))


def test_spss_value_labels_and_missing_codes():
    missing = by_cell(load(read_survey(SURVEYS / "spss" / "sample_missing.sav")))
    assert (missing[(1, "mylabl")], missing[(3, "myord")]) == ("Male", "high")
    assert (missing[(1, "mydate")], missing[(1, "dtime")], missing[(1, "mytime")]) == (
        "2018-05-06",
        "2018-05-06 10:10:10",
        "10:10:10",
    )
    # -1 is declared missing in mylabl and myord, with a label in each: the label is the answer.
    assert (missing[(6, "mylabl")], missing[(6, "myord")]) == ("undetermined", "missing")
    # -1 and 2500 are missing in mynum, and -3 in myord, without labels: no answer.
    assert {(6, "mynum"), (7, "mynum"), (7, "myord")}.isdisjoint(missing)
    alltypes = by_cell(load(read_survey(SURVEYS / "spss" / "simple_alltypes.sav")))
    assert (alltypes[(1, "x")], alltypes[(4, "x")], alltypes[(4, "z")]) == ("red", "4", "skipped")
    assert {(5, "x"), (1, "z")}.isdisjoint(alltypes)  # 8 and -9 are missing codes without labels
    assert alltypes[(1, "quarter")] == "2014-10-01"
    assert by_cell(load(read_survey(SURVEYS / "spss" / "missing_test.sav"))) == {
        (1, "var1"): "missing",
        (2, "var1"): "2",
    }


def test_sav_zsav_and_por_of_one_dataset_load_alike():
    sav, zsav, por = (by_cell(load(read_survey(SURVEYS / "spss" / f"sample.{s}"))) for s in ("sav", "zsav", "por"))
    assert sav == zsav == {(row, name.lower()): answer for (row, name), answer in por.items()}


# --- detection ---------------------------------------------------------------------------------------------


def test_drop_zone_suffixes():
    assert set(SURVEY_SUFFIXES) == {".csv", ".xlsx", ".sav", ".zsav", ".por"}


def test_an_unrecognised_csv_gets_one_error_listing_what_each_reader_looked_for(tmp_path):
    path = write_csv(tmp_path / "notes.csv", [["site", "note"], ["Luton", "visited"]])
    with pytest.raises(InputFileError) as caught:
        read_survey(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not an export any survey reader recognises")
    for sign in ("qualtrics:", "ImportId", "surveymonkey:", "Open-Ended Response", "google_forms:", "Timestamp"):
        assert sign in message


def test_a_real_workbook_that_is_no_survey_export_is_refused():
    path = INSIGHTS / "Comment Coding" / "Coded Comments" / "Q5 Coded.xlsx"
    with pytest.raises(InputFileError, match=r"Q5 Coded\.xlsx: not an export any survey reader recognises") as caught:
        read_survey(path)
    assert "microsoft_forms: one header row starting ID, Start time, Completion time" in str(caught.value)


def test_an_unknown_suffix_is_refused(tmp_path):
    path = tmp_path / "wave.txt"
    path.write_text("Timestamp,Q1\n")
    with pytest.raises(InputFileError, match=r"wave\.txt: no survey reader for '\.txt' files"):
        read_survey(path)


# --- bad input ---------------------------------------------------------------------------------------------


def _csv_text(tool: str) -> str:
    """Each CSV layout as text: the real Qualtrics (current and legacy) exports and the written ones."""
    if tool == "qualtrics":
        return (SURVEYS / "qualtrics" / "sample.csv").read_text(encoding="utf-8")
    if tool == "qualtrics_legacy":
        return (SURVEYS / "qualtrics" / "sample_legacy.csv").read_text(encoding="utf-8-sig")
    rows = SURVEYMONKEY_ROWS if tool == "surveymonkey" else GOOGLE_FORMS_ROWS
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


CSV_LAYOUTS = {"qualtrics": 3, "qualtrics_legacy": 2, "surveymonkey": 2, "google_forms": 1}


@pytest.mark.parametrize("tool", CSV_LAYOUTS)
def test_a_byte_order_mark_changes_nothing(tmp_path, tool):
    text = _csv_text(tool)
    (tmp_path / "bom").mkdir()
    (tmp_path / "plain").mkdir()
    with_bom = tmp_path / "bom" / "wave.csv"
    without = tmp_path / "plain" / "wave.csv"
    with_bom.write_text(text, encoding="utf-8-sig")
    without.write_text(text, encoding="utf-8")
    assert load(read_survey(with_bom)) == load(read_survey(without)) != []


@pytest.mark.parametrize("tool", CSV_LAYOUTS)
def test_a_header_only_csv_is_an_export_with_no_responses(tmp_path, tool):
    header = "".join(_csv_text(tool).splitlines(keepends=True)[: CSV_LAYOUTS[tool]])
    path = tmp_path / "wave.csv"
    path.write_text(header.rstrip("\n"), encoding="utf-8")  # no newline after the header, as some tools write
    export = read_survey(path)
    assert export.tool == tool.removesuffix("_legacy") and export.columns
    assert load(export) == []


def test_a_header_only_workbook_is_an_export_with_no_responses(tmp_path):
    path = write_xlsx(tmp_path / "wave.xlsx", [MICROSOFT_FORMS_HEADER + [Q_ORG]])
    export = read_survey(path)
    assert export.tool == "microsoft_forms" and load(export) == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav", ".zsav", ".por"])
def test_an_empty_file_is_refused(tmp_path, suffix):
    path = tmp_path / f"wave{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" if suffix == ".csv" else b"")
    with pytest.raises(InputFileError, match=rf"wave\{suffix}: empty file"):
        read_survey(path)


@pytest.mark.parametrize("tool", CSV_LAYOUTS)
def test_text_that_is_not_utf8_is_refused_naming_the_encoding(tmp_path, tool):
    text = _csv_text(tool)
    lines = text.splitlines(keepends=True)
    height = CSV_LAYOUTS[tool]
    in_header = tmp_path / "header.csv"
    in_header.write_bytes("".join(lines[:height]).encode("utf-8") + "Café\n".encode("cp1252"))
    in_body = tmp_path / "body.csv"
    body = "".join(lines[height:]) * 300  # past the rows a reader looks at first
    in_body.write_bytes(
        ("".join(lines[:height]) + body).encode("utf-8") + lines[height].replace("2", "é").encode("cp1252")
    )
    for path in (in_header, in_body):
        with pytest.raises(InputFileError, match=r"not UTF-8 text.*expected UTF-8 text"):
            read_survey(path)


@pytest.mark.parametrize("tool", ["qualtrics", "google_forms"])
def test_utf16_text_with_its_byte_order_mark_is_read_as_its_utf8_twin_is(tmp_path, tool):
    """Excel's "Unicode text" and some tools' exports are UTF-16 with a byte-order mark: transcoded, not refused."""
    text = _csv_text(tool)
    utf8, utf16 = tmp_path / "utf8.csv", tmp_path / "utf16.csv"
    utf8.write_text(text, encoding="utf-8")
    utf16.write_bytes(("\ufeff" + text).encode("utf-16-le"))

    def answers(path: Path) -> list[tuple]:
        with duckdb.connect() as con:
            return load_answers(con, read_survey(path), b"key").order("ALL").fetchall()

    expected = answers(utf8)
    assert expected and answers(utf16) == expected


def test_big_endian_utf16_is_refused_rather_than_read_as_no_responses(tmp_path):
    path = tmp_path / "wave.csv"
    path.write_bytes(("\ufeff" + _csv_text("google_forms")).encode("utf-16-be"))
    with pytest.raises(InputFileError, match=r"wave\.csv: UTF-16 big-endian text; expected .*little-endian"):
        read_survey(path)


@pytest.mark.parametrize("tool", CSV_LAYOUTS)
def test_a_truncated_csv_is_refused_with_its_row(tmp_path, tool):
    lines = _csv_text(tool).splitlines(keepends=True)
    height = CSV_LAYOUTS[tool]
    complete = lines[: height + 1]
    cut_in_row = tmp_path / "cut_row.csv"
    cut_in_row.write_text("".join(complete) + lines[height][:25], encoding="utf-8")
    with pytest.raises(InputFileError, match=rf"cut_row\.csv, row {height + 2}: malformed CSV: a row of \d+ cells"):
        read_survey(cut_in_row)
    cut_in_quote = tmp_path / "cut_quote.csv"
    cut_in_quote.write_text("".join(complete * 3) + '"a comment cut sho', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"cut_quote\.csv, row \d+: malformed CSV"):
        read_survey(cut_in_quote)


def test_a_row_wider_than_the_header_is_refused(tmp_path):
    path = tmp_path / "wave.csv"
    rows = GOOGLE_FORMS_ROWS + [GOOGLE_FORMS_ROWS[2] + ["stray"]]
    write_csv(path, rows)
    with pytest.raises(InputFileError, match=r"wave\.csv, row 4: malformed CSV: a row of 7 cells under a header of 6"):
        read_survey(path)


def test_a_broken_workbook_is_refused(tmp_path):
    not_a_workbook = tmp_path / "renamed.xlsx"
    not_a_workbook.write_text(_csv_text("google_forms"), encoding="utf-8")
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(microsoft_forms_xlsx(tmp_path / "whole.xlsx").read_bytes()[:2000])
    for path in (not_a_workbook, cut):
        with pytest.raises(InputFileError, match=rf"{path.name}: not an XLSX workbook"):
            read_survey(path)


def test_a_value_right_of_the_header_in_a_workbook_is_refused(tmp_path):
    header = MICROSOFT_FORMS_HEADER + [Q_ORG]
    path = write_xlsx(tmp_path / "wave.xlsx", [header, MICROSOFT_FORMS_ROWS[0][:7] + ["stray"]])
    with pytest.raises(InputFileError, match=r"wave\.xlsx, row 2: a value right of the last header column"):
        read_survey(path)


@pytest.mark.parametrize("name", ["sample.sav", "sample.zsav", "sample.por"])
def test_a_truncated_spss_file_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes((SURVEYS / "spss" / name).read_bytes()[:600])
    with pytest.raises(InputFileError, match=rf"{re.escape(name)}: not a readable SPSS file"):
        read_survey(path)
