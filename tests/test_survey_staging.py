"""Survey staging: respondents tied to partnerships and groups, answers scored, problems quarantined."""

from __future__ import annotations

import csv

import duckdb
import pytest

from pipeline.reference.ingest import load_reference
from pipeline.reference.staging import stage_reference
from pipeline.surveys.ingest import load_survey_wave
from pipeline.surveys.staging import stage_wave
from pipeline.warehouse import ensure_schemas, table_type
from tests.conftest import DATA_DIR


@pytest.fixture
def drop_zone(tmp_path):
    (tmp_path / "surveys").mkdir()
    return tmp_path


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        ensure_schemas(connection)
        load_reference(connection, DATA_DIR / "reference", DATA_DIR)
        stage_reference(connection)
        yield connection


def _write_wave(path, edit):
    with open(DATA_DIR / "surveys" / "wave_1.csv", newline="", encoding="utf-8-sig") as handle:
        records = list(csv.reader(handle))
    header, responses = records[:3], records[3:]
    responses = edit(header[0], responses)
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows(header + responses)


def _stage(con, drop_zone, wave):
    load_survey_wave(con, wave, drop_zone / "surveys" / f"{wave}.csv", drop_zone, b"test-suite-key")
    return stage_wave(con, wave)[:2]  # the responses and item scores reports


def test_reverse_coded_items_are_reversed_and_dont_know_is_missing(con, drop_zone):
    def edit(names, responses):
        first = list(responses[0])
        first[names.index("Q1_1")], first[names.index("Q1_2")], first[names.index("Q1_3")] = (
            "Agree",
            "Agree",
            "Don't know",
        )
        return [first]

    _write_wave(drop_zone / "surveys" / "w.csv", edit)
    _stage(con, drop_zone, "w")
    scores = dict(con.execute("SELECT item_code, score FROM staging.survey_item_scores WHERE wave = 'w'").fetchall())
    assert scores["SL1"] == 4  # "Agree"
    assert scores["SL2"] == 2  # "Agree" with a reverse-coded statement
    assert scores["PM1"] is None  # "Don't know" is an answer, but no score


def test_a_respondent_answering_twice_in_a_wave_is_quarantined_not_merged(con, drop_zone):
    _write_wave(drop_zone / "surveys" / "w.csv", lambda names, responses: responses[:5] + [responses[0]])
    respondents, _ = _stage(con, drop_zone, "w")
    assert (respondents.rows, respondents.quarantined) == (4, 2)
    reasons = {
        row[0] for row in con.execute("SELECT reason FROM quarantine.survey_responses WHERE wave = 'w'").fetchall()
    }
    assert reasons == {
        f"duplicate key wave='w', respondent_key={key!r}"
        for (key,) in con.execute(
            "SELECT DISTINCT respondent_key FROM raw.survey_answers WHERE wave = 'w' AND respondent_row IN (1, 6)"
        ).fetchall()
    }
    # Their answers stay with their quarantine records, not among the item scores.
    staged_rows = {
        row[0] for row in con.execute("SELECT DISTINCT source_row FROM staging.survey_item_scores").fetchall()
    }
    assert staged_rows == {2, 3, 4, 5}


def test_an_answer_off_its_scale_is_quarantined_naming_the_scale(con, drop_zone):
    def edit(names, responses):
        first = list(responses[0])
        first[names.index("Q1_4")] = "Sometimes"
        return [first]

    _write_wave(drop_zone / "surveys" / "w.csv", edit)
    _, scores = _stage(con, drop_zone, "w")
    assert scores.quarantined == 1
    [(reason, source_row)] = con.execute("SELECT reason, source_row FROM quarantine.survey_item_scores").fetchall()
    assert reason.startswith("answer Sometimes to PM2 is not on scale agree5 (Strongly disagree / Disagree")
    assert source_row == 1  # the first response
    staged = dict(
        con.execute("SELECT item_code, answer FROM staging.survey_item_scores WHERE source_row = 1").fetchall()
    )
    assert "PM2" not in staged
    assert staged["SL1"] == "Disagree"  # the response's other answers are staged


def test_restaging_a_wave_replaces_only_that_wave(con, drop_zone):
    _write_wave(drop_zone / "surveys" / "a.csv", lambda names, responses: responses[:10])
    _write_wave(drop_zone / "surveys" / "b.csv", lambda names, responses: responses[10:15])
    _stage(con, drop_zone, "a")
    _stage(con, drop_zone, "b")
    _stage(con, drop_zone, "a")
    counts = dict(con.execute("SELECT wave, count(*) FROM staging.survey_responses GROUP BY ALL").fetchall())
    assert counts == {"a": 10, "b": 5}


def test_two_columns_scoring_one_item_quarantine_both_answers_and_keep_the_rest(con, drop_zone):
    """An instrument mapping two of a wave's columns to one item gives each respondent two answers to it:
    both are quarantined as a duplicate key, found the slow way, and nothing else of the response is lost."""
    with open(DATA_DIR / "surveys" / "wave_1.csv", newline="", encoding="utf-8-sig") as handle:
        records = list(csv.reader(handle))
    q1_1 = records[0].index("Q1_1")
    with open(drop_zone / "surveys" / "w.csv", "w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows(record + [record[q1_1]] for record in records[:5])  # tag Q1_1 again
    con.execute(
        "INSERT INTO staging.survey_instrument SELECT * REPLACE ('QID1_1__2' AS source_id)"
        " FROM staging.survey_instrument WHERE tool = 'qualtrics' AND item_code = 'SL1'"
    )
    _, scores = _stage(con, drop_zone, "w")
    assert scores.quarantined == 2 * 2  # two responses, each answering SL1 twice
    reasons = [row[0] for row in con.execute("SELECT reason FROM quarantine.survey_item_scores").fetchall()]
    assert all(reason.startswith("duplicate key wave='w', respondent_key=") for reason in reasons)
    assert con.execute("SELECT count(*) FROM staging.survey_item_scores WHERE item_code = 'SL1'").fetchall() == [(0,)]
    items = con.execute("SELECT count(DISTINCT item_code) FROM staging.survey_item_scores").fetchall()[0][0]
    assert items > 10


def test_item_scores_stored_as_a_table_by_an_earlier_version_become_the_view(con, drop_zone):
    _write_wave(drop_zone / "surveys" / "w.csv", lambda names, responses: responses[:3])
    con.execute("CREATE TABLE staging.survey_item_scores (wave VARCHAR, item_code VARCHAR, score DOUBLE)")
    _stage(con, drop_zone, "w")
    assert table_type(con, "staging.survey_item_scores") == "VIEW"
    assert con.execute("SELECT count(DISTINCT source_row) FROM staging.survey_item_scores").fetchall() == [(3,)]


def test_a_wave_is_kept_one_row_per_response_with_its_answers_viewable_one_by_one(con, drop_zone):
    _write_wave(drop_zone / "surveys" / "w.csv", lambda names, responses: responses[:3])
    _stage(con, drop_zone, "w")
    assert con.execute("SELECT count(*) FROM raw.survey_rows WHERE wave = 'w'").fetchall() == [(3,)]
    # the long view holds each loaded, non-empty answer of the rows, under its column's name
    answered = con.execute("SELECT sum(list_count(answers)) FROM raw.survey_rows WHERE wave = 'w'").fetchall()[0][0]
    assert con.execute("SELECT count(*) FROM raw.survey_answers WHERE wave = 'w'").fetchall() == [(answered,)]
    assert (
        con.execute(
            "SELECT answer FROM raw.survey_answers WHERE wave = 'w' AND respondent_row = 1 AND column_name = 'Q1_1'"
        ).fetchall()
        == con.execute(
            "SELECT r.answers[c.answer_index] FROM raw.survey_rows AS r JOIN raw.survey_columns AS c USING (wave)"
            " WHERE r.wave = 'w' AND r.respondent_row = 1 AND c.column_name = 'Q1_1'"
        ).fetchall()
    )
    personal = con.execute(
        "SELECT count(*) FROM raw.survey_columns WHERE wave = 'w' AND kind IN ('personal', 'respondent_id')"
        " AND answer_index IS NOT NULL"
    ).fetchall()
    assert personal == [(0,)]  # a personal column has no place among the kept answers


def test_a_warehouse_holding_answers_one_per_row_loads_each_wave_again_wide(con, drop_zone):
    # The layout before waves were kept wide: raw.survey_answers a table, in the ledger.
    con.execute("CREATE TABLE raw.survey_answers (wave VARCHAR, answer VARCHAR, source_file VARCHAR)")
    con.execute("INSERT INTO raw.survey_answers VALUES ('w', 'Agree', 'surveys/w.csv')")
    con.execute(
        "INSERT INTO raw._load_ledger BY NAME SELECT 'raw.survey_answers' AS table_name,"
        " 'surveys/w.csv' AS source_file, 'old' AS content_hash, 1 AS rows_loaded, now() AS loaded_at,"
        " 3 AS layout_version"
    )
    _write_wave(drop_zone / "surveys" / "w.csv", lambda names, responses: responses[:2])
    _stage(con, drop_zone, "w")
    assert table_type(con, "raw.survey_answers") == "VIEW"
    assert con.execute("SELECT count(*) FROM raw.survey_rows").fetchall() == [(2,)]
    assert con.execute("SELECT count(*) FROM raw._load_ledger WHERE table_name = 'raw.survey_answers'").fetchall() == [
        (0,)
    ]
