"""A survey wave's checks read that wave: the grain, required columns, accepted values and references of
`staging.survey_responses` and `staging.survey_item_scores`, and the surveys' quarantine share, are checked
on the rows of the wave the run loads, so a tenth wave does not check the nine before it again (issue #20:
at 200,000 respondents a wave, the grain check of every wave loaded so far ran DuckDB out of memory). A bad
row in the wave being checked still fails it, with the same check and sample."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandera.pandas as pa
import pytest

from assets import reference, surveys
from assets.tables import asset_key, data_tests, grain, model_of, partition_filter, screening_sql
from pipeline.settings import Settings
from tests.conftest import DATA_DIR, resources_for

ITEM_GRAIN = "survey_item_scores_unique_wave_respondent_key_item_code"
RESPONSE_GRAIN = "survey_responses_unique_wave_respondent_key"
SHARE = "surveys_quarantine_share_within_limit"


def run_wave(
    settings: Settings, instance: dg.DagsterInstance, wave: str, *, checks_only: bool = False, limit: float = 0.2
):
    """The wave's partition with its checks, or (`checks_only`) the checks of its staged tables on what the
    warehouse holds, in a run of the wave's partition that only reads its export again (a file already
    loaded changes nothing)."""
    selection = dg.AssetSelection.assets(*surveys.wave_assets)
    if checks_only:
        selection = dg.AssetSelection.assets(surveys.ingest_survey_wave) | dg.AssetSelection.checks_for_assets(
            surveys.stage_survey_wave
        )
    return dg.materialize(
        [*surveys.wave_assets, *surveys.survey_checks],
        resources=with_limit(resources_for(settings), limit),
        instance=instance,
        partition_key=wave,
        selection=selection,
        raise_on_error=False,
    )


def with_limit(resources: dict, limit: float) -> dict:
    """The test resources with another `max_quarantine_share`."""
    paths = resources["paths"]
    return {**resources, "paths": type(paths)(**{**paths.model_dump(), "max_quarantine_share": limit})}


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def plant_duplicate_answer(settings: Settings, wave: str) -> None:
    """Copy one scored answer of `wave` in the raw rows (a second row of its response, holding that answer
    alone), so the wave's item scores hold a respondent's item twice, as if the staging had let it through."""
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "INSERT INTO raw.survey_rows BY NAME SELECT r.* REPLACE (list_transform(range(1, len(r.answers) + 1),"
            " lambda i: CASE WHEN i = c.answer_index THEN r.answers[i] END) AS answers)"
            " FROM raw.survey_rows AS r"
            " JOIN raw.survey_columns AS c ON c.wave = r.wave"
            " JOIN staging.survey_answer_scores AS s"
            " ON s.wave = r.wave AND s.tool = r.tool AND s.source_id = c.source_id AND s.answer = r.answers[c.answer_index]"
            " WHERE r.wave = ? LIMIT 1",
            [wave],
        )


@pytest.fixture
def loaded(tmp_path):
    """The reference data and the demo's first wave loaded, with its checks passed."""
    settings = Settings(data_dir=DATA_DIR, warehouse=tmp_path / "warehouse.duckdb", marts_dir=tmp_path / "marts")
    assert dg.materialize(reference.reference_assets, resources=resources_for(settings)).success
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(surveys.survey_waves.name, ["wave_1", "wave_2", "wave_3"])
    first = run_wave(settings, instance, "wave_1")
    assert first.success
    assert all(e.passed for e in evaluations(first).values())
    return settings, instance


def test_a_duplicate_in_the_wave_being_checked_fails_its_grain_check(loaded):
    settings, instance = loaded
    plant_duplicate_answer(settings, "wave_1")
    result = run_wave(settings, instance, "wave_1", checks_only=True)
    checks = evaluations(result)
    assert not checks[ITEM_GRAIN].passed
    metadata = checks[ITEM_GRAIN].metadata
    assert metadata["offending_rows"].value == 1
    assert metadata["sample"].value.startswith("('wave_1', ")  # the wave, respondent and item held twice
    assert metadata["checked"].value == "wave = wave_1"
    assert checks[RESPONSE_GRAIN].passed  # the responses themselves are unique


def test_a_later_wave_checks_only_its_own_rows(loaded):
    settings, instance = loaded
    plant_duplicate_answer(settings, "wave_1")  # wave 1 was checked when it was loaded
    result = run_wave(settings, instance, "wave_2")
    assert result.success
    checks = evaluations(result)
    assert checks[ITEM_GRAIN].passed, checks[ITEM_GRAIN].metadata
    assert {check.metadata["checked"].value for check in checks.values()} == {"wave = wave_2"}
    assert {"wave_1", "wave_2"} == set(
        duckdb.connect(str(settings.warehouse), read_only=True)
        .execute("SELECT DISTINCT wave FROM staging.survey_item_scores")
        .df()["wave"]
    )


def test_the_quarantine_share_of_a_wave_counts_that_wave(loaded):
    settings, instance = loaded
    result = run_wave(settings, instance, "wave_2")
    share = evaluations(result)["surveys_quarantine_share_within_limit"].metadata
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        received = con.execute(
            "SELECT (SELECT count(*) FROM staging.survey_responses WHERE wave = 'wave_2')"
            " + (SELECT count(*) FROM quarantine.survey_responses WHERE wave = 'wave_2')"
        ).fetchall()[0][0]
    responses = next(t for t in share["tables"].value if t["table"] == "survey_responses")
    assert responses["received"] == received
    assert share["checked"].value == "wave = wave_2"


def test_the_quarantine_share_counts_a_waves_item_scores_only_when_some_were_set_aside(loaded):
    # A table none of whose rows were quarantined has a share of 0 whatever it received: a wave's item scores,
    # a view scoring every answer again, are counted only when some of them are in quarantine.
    settings, instance = loaded
    clean = evaluations(run_wave(settings, instance, "wave_2"))[SHARE].metadata["tables"].value
    assert next(t for t in clean if t["table"] == "survey_item_scores") == {
        "table": "survey_item_scores",
        "received": "not counted: none quarantined",
        "quarantined": 0,
        "share": 0.0,
    }
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "INSERT INTO quarantine.survey_item_scores BY NAME SELECT source_file, source_row, wave,"
            " 'planted: off the scale' AS reason FROM staging.survey_item_scores WHERE wave = 'wave_1' LIMIT 1"
        )
        staged = con.execute("SELECT count(*) FROM staging.survey_item_scores WHERE wave = 'wave_1'").fetchall()[0][0]
    checked = evaluations(run_wave(settings, instance, "wave_1", checks_only=True))[SHARE]
    scores = next(t for t in checked.metadata["tables"].value if t["table"] == "survey_item_scores")
    assert (scores["received"], scores["quarantined"]) == (staged + 1, 1)
    assert checked.passed and checked.metadata["checked"].value == "wave = wave_1"


def test_a_run_that_is_not_partitioned_checks_the_whole_table():
    assert partition_filter("wave", None) == ("true", [], "whole table")
    assert partition_filter(None, ["wave_1"]) == ("true", [], "whole table")
    assert partition_filter("wave", ["wave_1"]) == ('"wave" = ?', ["wave_1"], "wave = wave_1")
    assert partition_filter("wave", ["wave_1", "wave_2"]) == (
        'list_contains(?, "wave")',
        [["wave_1", "wave_2"]],
        "wave in wave_1, wave_2",
    )


def test_a_wave_over_the_quarantine_limit_fails_its_check_naming_the_wave(loaded):
    settings, instance = loaded
    # wave_3 holds the demo's one respondent of a partnership the programme does not have (P31)
    bad = evaluations(run_wave(settings, instance, "wave_3", limit=0.0))["surveys_quarantine_share_within_limit"]
    assert not bad.passed
    assert bad.metadata["quarantined_rows"].value == 1
    assert bad.description.startswith("wave = wave_3: surveys: ")
    assert "rows of survey_responses received), more than max_quarantine_share = 0" in bad.description
    clean = evaluations(run_wave(settings, instance, "wave_2", limit=0.0))["surveys_quarantine_share_within_limit"]
    assert clean.passed and clean.metadata["quarantined_rows"].value == 0


ACCOUNTED = "survey_responses_accounted_for"


def test_a_response_neither_staged_nor_quarantined_fails_the_wave(loaded):
    settings, instance = loaded
    with duckdb.connect(str(settings.warehouse)) as con:
        (row,) = con.execute(
            "DELETE FROM staging.survey_responses WHERE wave = 'wave_1'"
            " AND source_row = (SELECT min(source_row) FROM staging.survey_responses WHERE wave = 'wave_1')"
            " RETURNING source_row"
        ).fetchall()
    check = evaluations(run_wave(settings, instance, "wave_1", checks_only=True))[ACCOUNTED]
    assert not check.passed
    assert check.metadata["checked"].value == "wave = wave_1"
    (failure,) = check.metadata["failures"].value
    assert failure["failure"] == "neither staged nor quarantined"
    assert failure["responses"] == 1
    assert failure["example"].endswith(f"row {row[0]}")
    assert check.description.startswith("1 response(s) neither staged nor quarantined, e.g. wave_1, surveys/")


def failures_once_planted(settings: Settings, instance: dg.DagsterInstance, planted: str) -> list[tuple[str, int]]:
    """(failure, responses) of wave_1's accounted-for check, run again after `planted` changed the warehouse."""
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(planted)
    check = evaluations(run_wave(settings, instance, "wave_1", checks_only=True))[ACCOUNTED]
    assert not check.passed
    return [(f["failure"], f["responses"]) for f in check.metadata["failures"].value]


def test_a_response_both_staged_and_quarantined_fails_the_wave(loaded):
    two_staged_also_quarantined = (
        "INSERT INTO quarantine.survey_responses BY NAME SELECT wave, source_file, source_row,"
        " 'planted' AS reason FROM staging.survey_responses WHERE wave = 'wave_1' LIMIT 2"
    )
    assert failures_once_planted(*loaded, two_staged_also_quarantined) == [("both staged and quarantined", 2)]


def test_a_quarantined_response_the_raw_answers_do_not_hold_fails_the_wave(loaded):
    one_past_the_last_row = (
        "INSERT INTO quarantine.survey_responses BY NAME SELECT wave, source_file, max(source_row) + 1 AS source_row,"
        " 'planted' AS reason FROM staging.survey_responses WHERE wave = 'wave_1' GROUP BY ALL"
    )
    assert failures_once_planted(*loaded, one_past_the_last_row) == [
        ("staged or quarantined but not among the raw answers", 1)
    ]


def test_every_response_of_a_wave_with_a_quarantined_one_is_accounted_for(loaded):
    settings, instance = loaded
    # wave_3 holds the demo's one respondent of a partnership the programme does not have (P31)
    result = run_wave(settings, instance, "wave_3")
    check = evaluations(result)[ACCOUNTED]
    assert check.passed, check.description
    assert check.metadata["failures"].value == []
    assert check.metadata["responses_quarantined"].value == 1
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        received = con.execute(
            "SELECT count(DISTINCT respondent_row) FROM raw.survey_answers WHERE wave = 'wave_3'"
        ).fetchall()[0][0]
    assert check.metadata["responses_staged"].value == received - 1


def test_each_staged_table_of_a_wave_reports_the_rows_it_holds_of_the_wave(loaded):
    settings, instance = loaded
    # wave_3 quarantines a response, so its item scores (a view) are not simply its raw answers
    result = run_wave(settings, instance, "wave_3")
    reported = {
        m.asset_key.to_user_string(): m.metadata["dagster/row_count"].value
        for m in result.asset_materializations_for_node("stage_survey_wave")
    }
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for table in ("staging.survey_item_scores", "staging.survey_responses", "quarantine.survey_responses"):
            held = con.execute(f"SELECT count(*) FROM {table} WHERE wave = 'wave_3'").fetchall()[0][0]
            assert reported[asset_key(table)] == held, table


def test_the_grain_check_counts_each_key_held_twice_and_names_one():
    # Grouped by the key's hash first: every repeated key is still counted once, an empty key part included.
    model = model_of("staging.survey_item_scores")
    test = data_tests("staging.survey_item_scores", model)[ITEM_GRAIN]
    con = duckdb.connect()
    con.execute("CREATE TABLE scores (wave VARCHAR, respondent_key VARCHAR, item_code VARCHAR)")
    con.execute("INSERT INTO scores SELECT 'wave_1', 'r' || (i % 1000), 'q' || (i // 1000) FROM range(20000) AS t(i)")
    assert con.execute(test.sql.replace("{rows}", "scores"), test.params).fetchall() == [(0, None)]
    con.execute("INSERT INTO scores VALUES ('wave_1', 'r7', 'q3'), ('wave_1', 'r7', 'q3'), ('wave_1', 'r8', 'q3')")
    con.execute("INSERT INTO scores VALUES ('wave_1', NULL, 'q1'), ('wave_1', NULL, 'q1')")
    offending, sample = con.execute(test.sql.replace("{rows}", "scores"), test.params).fetchall()[0]
    assert offending == 3  # r7 x q3 (three rows), r8 x q3 and the empty respondent x q1
    assert sample in {("wave_1", "r7", "q3"), ("wave_1", "r8", "q3"), ("wave_1", None, "q1")}


class Visit(pa.DataFrameModel):
    """A table with every kind of data test: a grain, required columns, accepted values and a reference."""

    wave: str = pa.Field(description="Wave")
    site: str = pa.Field(description="Site visited", metadata={"references": "sites.site"})
    outcome: str = pa.Field(isin=["met", "missed"], nullable=True, description="Outcome")

    class Config:
        unique = ["wave", "site"]


def test_one_pass_screens_every_data_test_of_the_rows_a_run_wrote():
    tests = data_tests("staging.visits", Visit)
    screening, params = screening_sql(grain(Visit), list(tests.values()))
    con = duckdb.connect()
    con.execute("CREATE TABLE sites AS SELECT 's' || i AS site FROM range(100) AS t(i)")
    con.execute(
        "CREATE TABLE visits AS SELECT 'w' || (i % 2) AS wave, 's' || (i // 2) AS site, 'met' AS outcome"
        " FROM range(200) AS t(i)"
    )
    # In the wave checked: a visit held twice, a site missing, another unknown, and an outcome not accepted.
    con.execute(
        "INSERT INTO visits VALUES ('w1', 's3', 'met'), ('w1', NULL, 'met'), ('w1', 's999', 'met'),"
        " ('w1', 's5x', 'maybe')"
    )
    con.execute("INSERT INTO visits VALUES ('w0', 's3', 'met'), ('w0', NULL, 'maybe')")  # a wave not checked
    rows, scope = partition_filter("wave", ["w1"])[:2]
    screened = con.execute(screening.replace("{rows}", f"(SELECT * FROM visits WHERE {rows})"), [*scope, *params])
    by_test = dict(zip(tests, screened.fetchall()[0], strict=True))
    assert by_test == {
        "visits_unique_wave_site": 1,
        "visits_required_columns_not_null": 1,
        "visits_outcome_accepted_values": 1,
        "visits_site_in_sites": 2,  # s999 and s5x
    }
    for name, test in tests.items():  # a test of one row screens exactly what its own query counts
        if test.offends is not None:
            exact = con.execute(
                test.sql.replace("{rows}", f"(SELECT * FROM visits WHERE {rows})"), [*scope, *test.params]
            ).fetchall()[0][0]
            assert exact == by_test[name]
