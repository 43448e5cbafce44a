"""The share of each source's rows quarantined, against the setting `max_quarantine_share`: a drop zone
where most of one wave names no known partnership fails the refresh, naming the wave, the source, its share
and the limit; the demo stays within it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.quarantine import (
    QUARANTINED,
    SourceShare,
    TableShare,
    quarantine_shares,
    refresh_summary,
    table_share,
)
from pipeline.settings import SettingsError, load_settings
from tests.conftest import DATA_DIR, run_refresh

QUALTRICS_HEADER_ROWS = 3  # column names, question texts, import ids


def _unknown_partnerships(export: Path) -> int:
    """Give every response of a Qualtrics export a partnership the reference data does not know."""
    with export.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    column = rows[0].index("partnership_id")
    for row in rows[QUALTRICS_HEADER_ROWS:]:
        row[column] = "Z99"
    with export.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows(rows)
    return len(rows) - QUALTRICS_HEADER_ROWS


@pytest.fixture(scope="module")
def bad_wave_refresh(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("quarantine_share")
    drop = root / "raw"
    shutil.copytree(DATA_DIR, drop)
    bad_rows = _unknown_partnerships(drop / "surveys" / "wave_3.csv")
    return run_refresh(drop, root), root, bad_rows


def test_a_source_mostly_quarantined_fails_the_refresh_naming_source_share_and_limit(bad_wave_refresh):
    done, root, bad_rows = bad_wave_refresh
    assert done.returncode == 1, done.stdout + done.stderr
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        received, quarantined = con.execute(
            "SELECT (SELECT count(*) FROM staging.survey_responses) + count(*), count(*)"
            " FROM quarantine.survey_responses"
        ).fetchall()[0]
    assert quarantined >= bad_rows  # the whole wave, and the demo's one respondent of an unknown partnership
    share = quarantined / received
    assert share > 0.2
    # The limit is judged wave by wave, as the wave's check judges it: wave_3 is wholly quarantined.
    assert (
        f"QUARANTINE OVER LIMIT: wave = wave_3: surveys: 100.0% of rows quarantined ({bad_rows} of {bad_rows} rows of"
        " survey_responses received), more than max_quarantine_share = 0.2 (settings.toml)"
    ) in done.stderr
    assert "QUARANTINE OVER LIMIT: wave = wave_1" not in done.stderr
    failed = next(line for line in done.stderr.splitlines() if line.startswith("Asset checks failed:"))
    assert "surveys_quarantine_share_within_limit" in failed
    assert "codings_quarantine_share_within_limit" not in failed
    summary = done.stdout.splitlines()
    assert (
        f"  surveys: {quarantined} row(s) quarantined, {share:.1%} (largest: {quarantined} of {received} rows of survey_responses received)"
        in summary
    )
    assert any(line.startswith("  codings: 0 row(s) quarantined, 0.0%") for line in summary)
    # Not blocking: the other sources and every mart still build and are published.
    assert (root / "marts" / "evaluation_report.html").exists() or (
        root / "marts" / "reports" / "evaluation_report.html"
    ).exists(), done.stdout


def test_the_demo_is_within_the_default_limit_and_every_source_check_passes(demo_run):
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        shares = {share.source: share for share in quarantine_shares(con)}
    assert set(shares) == set(QUARANTINED)
    assert shares["surveys"].quarantined == 1  # the demo's respondent of partnership P31, not in the programme
    assert all(not share.over(0.2) for share in shares.values())
    assert all(share.worst.received > 0 for share in shares.values()), "every source has rows in the demo"
    evaluations = [
        event.asset_check_evaluation_data
        for result in demo_run.results
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    checks = {e.check_name: e.passed for e in evaluations if e.check_name.endswith("_quarantine_share_within_limit")}
    assert set(checks) == {f"{source}_quarantine_share_within_limit" for source in QUARANTINED}
    assert all(checks.values())


def test_the_refresh_summary_agrees_with_every_row_counted(demo_run):
    # The summary counts a survey's waves once, by wave, and leaves uncounted a table nothing of which was
    # quarantined (its share is 0 whatever it received): the figures it shows are those of every row counted.
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        exact = {
            source: SourceShare(source, tuple(table_share(con, source, table) for table in tables))
            for source, tables in QUARANTINED.items()
        }
        summary, over = refresh_summary(con, 0.2)
        lowest = refresh_summary(con, 0.0)[1]
    assert [share.source for share in summary] == list(QUARANTINED) and over == []
    for share in summary:
        whole = exact[share.source]
        assert (share.quarantined, share.share, share.worst.table) == (
            whole.quarantined,
            whole.share,
            whole.worst.table,
        )
        assert share.worst.received == whole.worst.received
        for table, counted in zip(share.tables, whole.tables, strict=True):
            if table.quarantined:
                assert (table.received, table.quarantined) == (counted.received, counted.quarantined)
    # Any share over a limit of 0 is named, a survey wave by wave: the demo's respondent of an unknown partnership.
    assert (
        [line for line in lowest if line.startswith("wave = ")] == [line for line in lowest if "surveys:" in line] != []
    )


def test_a_source_share_is_its_worst_table_and_a_limit_of_one_is_never_passed():
    responses = TableShare("surveys", "survey_responses", received=100, quarantined=60)
    answers = TableShare("surveys", "survey_item_scores", received=100_000, quarantined=0)
    surveys = SourceShare("surveys", (responses, answers))
    assert surveys.share == 0.6 and surveys.worst is responses and surveys.quarantined == 60
    assert surveys.over(0.2) and not surveys.over(0.6)
    everything = SourceShare("codings", (TableShare("codings", "coded_segments", 10, 10),))
    assert everything.share == 1.0 and not everything.over(1)
    assert not SourceShare("outcomes", ()).over(0)  # nothing received: nothing quarantined


def test_the_limit_comes_from_settings_toml_and_reaches_the_resources(tmp_path: Path):
    from pipeline.resources import default_resources

    assert load_settings({"EVAL_DATA_DIR": str(tmp_path)}).max_quarantine_share == 0.2
    (tmp_path / "settings.toml").write_text("max_quarantine_share = 1\n")
    settings = load_settings({"EVAL_DATA_DIR": str(tmp_path)})
    assert settings.max_quarantine_share == 1.0
    assert default_resources(settings)["paths"].max_quarantine_share == 1.0


@pytest.mark.parametrize("value", ["1.5", "-0.1", '"0.2"', "true"])
def test_a_limit_out_of_range_is_an_error_naming_the_file_and_the_key(tmp_path: Path, value: str):
    (tmp_path / "settings.toml").write_text(f"max_quarantine_share = {value}\n")
    with pytest.raises(SettingsError, match=r"settings\.toml: max_quarantine_share must be a number from 0 to 1"):
        load_settings({"EVAL_DATA_DIR": str(tmp_path)})


def test_the_bundled_settings_file_holds_the_default_limit(tmp_path: Path):
    bundled = load_settings({"EVAL_DATA_DIR": str(DATA_DIR)}).max_quarantine_share
    assert bundled == load_settings({"EVAL_DATA_DIR": str(tmp_path)}).max_quarantine_share == 0.2
