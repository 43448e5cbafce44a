"""Local performance monitoring: the indicator register, returns in three layouts, quarantine, late returns,
progress and SPC marts."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets import monitoring, reference
from pipeline.cli import print_returns_due
from pipeline.errors import InputFileError
from pipeline.generators.monitoring import LATE, PLANTED
from pipeline.monitoring import marts
from pipeline.monitoring.ingest import load_indicator_register, load_returns
from pipeline.monitoring.returns import parse_period, read_returns
from pipeline.monitoring.staging import stage_indicator_register, stage_returns
from pipeline.reference.ingest import load_reference
from pipeline.reference.staging import stage_reference
from pipeline.settings import Settings
from pipeline.warehouse import ensure_schemas
from tests.conftest import DATA_DIR, resources_for

REGISTER = (
    "partnership_id,indicator_id,indicator_name,indicator_type,driver,marmot_objective,unit,polarity,"
    "baseline_value,baseline_date,target_value,target_date,frequency,data_owner\n"
    "P03,P03-PRO1,Schools running the daily mile,process,CO1,best_start,schools,higher_is_better,"
    "10,2023-03-31,40,2025-03-31,monthly,Luton Council\n"
    "P03,P03-OUT1,Families completing weight programme,output,CO1,,people,higher_is_better,"
    ",,,,quarterly,Luton Council\n"
    "P03,P03-BAD,Unknown driver,output,AH1a,best_start,people,higher_is_better,,,,,monthly,x\n"
    "P99,P99-X,Unknown partnership,output,CO1,best_start,people,higher_is_better,,,,,monthly,x\n"
    "P03,P03-OBJ,Unknown objective,output,CO1,world_peace,people,higher_is_better,,,,,monthly,x\n"
)


def months(start: str, n: int) -> list[str]:
    return [p.strftime("%Y-%m") for p in pd.period_range(start, periods=n, freq="M")]


def drop_zone(tmp_path: Path) -> Path:
    drop = tmp_path / "raw"
    (drop / "reference").mkdir(parents=True)
    (drop / "monitoring").mkdir()
    (drop / "reference" / "indicator_register.csv").write_text(REGISTER)
    return drop


def run(drop: Path, con: duckdb.DuckDBPyConnection, threshold: int = 10):
    ensure_schemas(con)
    load_reference(con, DATA_DIR / "reference", DATA_DIR)
    stage_reference(con)
    load_indicator_register(con, drop / "reference", drop)
    stage_indicator_register(con)
    report = load_returns(con, drop / "monitoring", drop)
    stage_returns(con)
    marts.build_indicator_progress(con, threshold)
    marts.build_monitoring_summary(con)
    return report


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024-04", "2024-04-01"), ("Apr 2024", "2024-04-01"), ("April 2024", "2024-04-01"), ("2024 Q2", "2024-04-01"),
     ("Q3 2024", "2024-07-01"), ("2024-04-01 00:00:00", "2024-04-01"), ("2024-13", None), ("Spring 2024", None),
     ("04/2024", None), ("2024-04-15", None)],
)  # fmt: skip
def test_periods_are_months_or_calendar_quarters(text, expected):
    assert parse_period(text) == (pd.Timestamp(expected).date() if expected else None)


def test_register_rows_naming_unknown_partnership_driver_or_objective_are_quarantined(tmp_path):
    drop = drop_zone(tmp_path)
    with duckdb.connect() as con:
        run(drop, con)
        kept = con.execute("SELECT indicator_id FROM staging.indicator_register ORDER BY 1").fetchall()
        rejected = con.execute("SELECT source_row, reason FROM quarantine.indicator_register ORDER BY 1").fetchall()
    assert kept == [("P03-OUT1",), ("P03-PRO1",)]
    assert rejected == [
        (4, "column 'driver': 'AH1a' is not a driver of the childhood_obesity driver diagram (reference/driver_diagrams.csv)"),
        (5, "column 'partnership_id': partnership 'P99' is not in reference/partnerships.csv"),
        (6, "column 'marmot_objective': Marmot objective 'world_peace' is not in reference/marmot_objectives.csv"),
    ]  # fmt: skip


def test_three_layouts_load_and_bad_rows_are_quarantined_with_reasons(tmp_path):
    drop = drop_zone(tmp_path)
    periods = months("2023-04", 14)
    values = [12, 13, 15, 14, 16, 18, 17, 19, 21, 22, 24, 23, 26, 27]
    long_rows = "".join(f"P03,P03-PRO1,{p},{v}\n" for p, v in zip(periods[:6], values[:6], strict=True))
    (drop / "monitoring" / "long.csv").write_text(
        "partnership_id,indicator_id,period,value\n" + long_rows + "P03,P03-PRO1,2023-04,99\n"
        "P03,P03-NOPE,2023-05,1\nP03,P03-PRO1,Spring 2024,1\nP03,P03-PRO1,2024-02,lots\n"
    )
    wide_header = ",".join(pd.Period(p).strftime("%b %Y") for p in periods[6:])
    (drop / "monitoring" / "wide.csv").write_text(
        f"partnership_id,indicator_id,{wide_header}\nP03,P03-PRO1,{','.join(map(str, values[6:]))}\n"
    )
    (drop / "monitoring" / "block.csv").write_text(
        "Partnership: P03\nIndicator:,P03-OUT1\nOwner: Luton Council\nperiod,value\n2023 Q2,30\n2023 Q3,4\n2023 Q4,35\n"
    )
    with duckdb.connect() as con:
        report = run(drop, con)
        layouts = dict(con.execute("SELECT layout, count(*) FROM staging.monitoring_returns GROUP BY 1").fetchall())
        reasons = [
            r for (r,) in con.execute("SELECT reason FROM quarantine.monitoring_returns ORDER BY source_row").fetchall()
        ]
        progress = con.execute("SELECT * FROM marts.indicator_progress ORDER BY indicator_id, period").df()
        gaps = con.execute(
            "SELECT indicator_id, strftime(period, '%Y-%m'), status FROM staging.monitoring_gaps ORDER BY 1, 2"
        ).fetchall()
        summary = con.execute("SELECT * FROM marts.monitoring_summary").df()
    assert not report.refused
    # The first April is returned twice in long.csv: both rows go to quarantine, and April is then missing.
    assert layouts == {"long": 5, "wide": 8, "header block": 3}
    assert reasons == [
        "column 'period': 2023-04 is returned more than once for P03/P03-PRO1; which value holds is for the partnership to say",
        "column 'period': 2023-04 is returned more than once for P03/P03-PRO1; which value holds is for the partnership to say",
        "column 'indicator_id': 'P03-NOPE' is not in 'P03''s indicator register (reference/indicator_register.csv)",
        "column 'period': 'Spring 2024' is not a period; expected a month as 2024-04, Apr 2024 or April 2024 (or a date on the 1st), or a calendar quarter as 2024 Q2",
        "column 'value': 'lots' is not a number",
    ]  # fmt: skip
    pro = progress[progress.indicator_id == "P03-PRO1"]
    assert pro["points"].iloc[0] == 13
    # Baseline 10 (March 2023) to target 40 (March 2025): May 2023's 13 is 0.1 of the way, 2 months of 24 elapsed.
    may = pro[pro.period == "2023-05-01"].iloc[0]
    assert may["change_from_baseline"] == 3 and may["progress_to_target"] == pytest.approx(0.1)
    assert may["expected_progress"] == pytest.approx(61 / 731) and may["status"] == "on_track"
    assert pro["spc_mean"].notna().all() and pro["trend"].notna().all()
    out = progress[progress.indicator_id == "P03-OUT1"]
    # A count of people under the threshold (4 < 10) is suppressed; fewer than 12 points: no SPC.
    assert out["value"].isna().tolist() == [False, True, False] and out["value_suppressed"].sum() == 1
    assert out["people"].tolist()[0] == 30 and out["spc_mean"].isna().all() and set(out["status"]) == {"no_target"}
    # Current period: May 2024 (the latest month returned). PRO1's April 2023 (quarantined twice) is missing;
    # its last return is May 2024, so nothing is late. OUT1's quarterly returns stop at 2023 Q4: Q1 2024 is late.
    assert gaps == [("P03-OUT1", "2024-01", "late"), ("P03-PRO1", "2023-04", "missing")]
    assert summary[["indicators", "with_returns", "late_returns", "missing_returns"]].values.tolist() == [[2, 2, 1, 1]]


def test_a_return_with_no_ids_and_no_period_columns_is_refused_on_its_own(tmp_path):
    drop = drop_zone(tmp_path)
    (drop / "monitoring" / "notes.csv").write_text("what,when\nmeeting,Tuesday\n")
    (drop / "monitoring" / "ok.csv").write_text("partnership_id,indicator_id,period,value\nP03,P03-PRO1,2024-01,12\n")
    with duckdb.connect() as con:
        report = run(drop, con)
        refused = con.execute("SELECT source_file, reason FROM raw.refused_files").fetchall()
        assert con.execute("SELECT count(*) FROM staging.monitoring_returns").fetchall() == [(1,)]
    assert [r.source_file for r in report.refused] == ["monitoring/notes.csv"]
    assert "no partnership_id column" in refused[0][1]
    with pytest.raises(InputFileError, match="neither period and value columns nor any period column"):
        read_returns(_write(tmp_path / "x.csv", "partnership_id,indicator_id,notes\nP03,A,b\n"))


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_without_a_register_or_returns_nothing_changes(tmp_path):
    drop = tmp_path / "raw"
    (drop / "reference").mkdir(parents=True)
    with duckdb.connect() as con:
        run(drop, con)
        counts = [
            con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ["staging.indicator_register", "staging.monitoring_returns", "marts.indicator_progress"]
        ]
    assert counts == [0, 0, 0]


def test_loading_the_same_returns_twice_changes_nothing(tmp_path):
    drop = drop_zone(tmp_path)
    (drop / "monitoring" / "ok.csv").write_text("partnership_id,indicator_id,period,value\nP03,P03-PRO1,2024-01,12\n")
    with duckdb.connect() as con:
        run(drop, con)
        first = con.execute("SELECT * EXCLUDE (loaded_at) FROM raw.monitoring_returns").fetchall()
        again = load_returns(con, drop / "monitoring", drop)
        assert con.execute("SELECT * EXCLUDE (loaded_at) FROM raw.monitoring_returns").fetchall() == first
    assert again.rows_loaded == 0


def test_the_demo_returns_show_exactly_the_planted_special_causes_and_the_late_return(tmp_path):
    """The demo's planted truth (`pipeline.generators.monitoring`): four special causes, one per Making Data
    Count rule, each on exactly its planted points, no other special cause, and one late return."""
    settings = Settings(data_dir=DATA_DIR, warehouse=tmp_path / "warehouse.duckdb", marts_dir=tmp_path / "marts")
    resources = resources_for(settings)
    assert dg.materialize(reference.reference_assets, resources=resources).success
    result = dg.materialize([*monitoring.monitoring_assets, *monitoring.monitoring_checks], resources=resources)
    assert result.success
    assert [e.check_name for e in result.get_asset_check_evaluations() if not e.passed] == []
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        flagged = con.execute(
            "UNPIVOT (SELECT partnership_id, indicator_id, period::DATE AS period, beyond_limit, shift, trend, "
            "two_of_three FROM marts.indicator_progress) ON beyond_limit, shift, trend, two_of_three "
            "INTO NAME rule VALUE flagged"
        ).df()
        variations = con.execute(
            "SELECT DISTINCT indicator_id, variation FROM marts.indicator_progress WHERE variation <> 'common_cause'"
        ).fetchall()
        gaps = con.execute(
            "SELECT partnership_id, indicator_id, period::DATE, status FROM staging.monitoring_gaps"
        ).fetchall()
        progress = con.execute("SELECT DISTINCT partnership_id FROM marts.indicator_progress ORDER BY 1").fetchall()
        summary = con.execute("SELECT * FROM marts.monitoring_summary ORDER BY partnership_id").df()
        quarantined = con.execute(
            "SELECT (SELECT count(*) FROM quarantine.monitoring_returns) + (SELECT count(*) FROM quarantine.indicator_register)"
        ).fetchall()[0][0]
        layouts = dict(
            con.execute(
                "SELECT layout, count(DISTINCT partnership_id) FROM staging.monitoring_returns GROUP BY 1"
            ).fetchall()
        )
    found = {
        (r.partnership_id, r.indicator_id, r.rule, r.period.date())
        for r in flagged[flagged.flagged.astype(bool)].itertuples()
    }
    planted = {(p.partnership_id, p.indicator_id, p.rule, period) for p in PLANTED for period in p.periods}
    assert found == planted
    # Each planted cause points the way its rule and the indicator's polarity say.
    assert sorted(variations) == [
        ("P04-PRO1", "concern"), ("P12-OUT1", "improvement"), ("P17-PRO1", "improvement"), ("P24-OUT1", "improvement")
    ]  # fmt: skip
    assert gaps == [(*LATE, "late")]
    assert quarantined == 0 and layouts == {"long": 10, "wide": 10, "header block": 10}
    ids = [f"P{n:02d}" for n in range(1, 31)]
    assert [p for (p,) in progress] == ids and summary["partnership_id"].tolist() == ids
    assert summary["with_special_cause"].sum() == 4 and summary["late_returns"].sum() == 1
    assert (summary[["indicators", "with_returns"]] == 2).all().all()
    # The UI shows each mart's latest status as metadata on its materialisation.
    status = {
        event.asset_key.to_user_string(): {key: value.value for key, value in event.materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
    }
    progress_status, summary_status = status["indicator_progress"], status["monitoring_summary"]
    assert {key: progress_status[key] for key in RULE_POINTS} == RULE_POINTS
    assert progress_status["indicators_with_special_cause"] == 4 and progress_status["points_concern"] == 1
    assert summary_status["partnerships"] == 30 and summary_status["indicators"] == 60
    assert summary_status["with_special_cause"] == 4 and summary_status["late_returns"] == 1
    assert summary_status["missing_returns"] == 0 and summary_status["partnerships_with_late_or_missing_returns"] == 1
    by_status = ["on_track", "off_track", "no_target"]
    assert [summary_status[s] for s in by_status] == [progress_status[s] for s in by_status]
    assert sum(summary_status[s] for s in by_status) == 60 and summary_status["on_track"] > 0
    assert summary_status["on_track"] == (summary["on_track"]).sum()


# Points flagged by each rule in the demo: P04's one beyond the limit, P12's shift of 8, P17's trend of 7,
# P24's two of three near the limit.
RULE_POINTS = {"points_beyond_limit": 1, "points_in_shift": 8, "points_in_trend": 7, "points_two_of_three": 2}


def test_each_case_page_charts_its_indicators_with_the_planted_special_causes_coloured(demo_run):
    pages = demo_run.settings.marts_dir / "reports" / "partnerships"
    concern, improvement = 'fill="#e08214"', 'fill="#2166ac"'
    texts = {pid: (pages / f"{pid}.html").read_text(encoding="utf-8") for pid in ("P04", "P12", "P17", "P24", "P01")}
    # P04's one point beyond the lower limit is a concern; the others' shift (8), trend (7), two of three (2)
    # are improvements; P01 has common-cause variation only. Two SPC charts per page.
    assert [(t.count(concern), t.count(improvement)) for t in texts.values()] == [
        (1, 0),
        (0, 8),
        (0, 7),
        (0, 2),
        (0, 0),
    ]
    assert all(t.count('<svg role="img"') == 2 and "Indicators at their latest return" in t for t in texts.values())


def test_the_run_summary_lists_late_and_missing_returns_one_a_line_up_to_twenty(tmp_path, capsys):
    drop = drop_zone(tmp_path)
    (drop / "monitoring" / "gaps.csv").write_text(
        "partnership_id,indicator_id,period,value\n"
        "P03,P03-PRO1,2023-01,12\nP03,P03-PRO1,2025-01,14\nP03,P03-OUT1,2024 Q2,30\n"
    )
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        run(drop, con)
        due = con.execute("SELECT status, count(*) FROM staging.monitoring_gaps GROUP BY 1 ORDER BY 1").fetchall()
    assert due == [("late", 2), ("missing", 21)]

    assert print_returns_due(warehouse) == 23
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Monitoring returns due: 2 late, 21 missing (query staging.monitoring_gaps):"
    # Late first (nothing since), then the gaps; each names the partnership, the indicator and the period.
    assert lines[1:4] == [
        "  LATE: P03 Luton: P03-OUT1 (Families completing weight programme), 2024 Q3",
        "  LATE: P03 Luton: P03-OUT1 (Families completing weight programme), 2024 Q4",
        "  MISSING: P03 Luton: P03-PRO1 (Schools running the daily mile), Apr 2023",
    ]
    assert len(lines) == 1 + 20 + 1 and lines[-1] == "  ... and 3 more"


def test_the_run_summary_says_nothing_of_returns_when_none_is_due(tmp_path, capsys):
    drop = tmp_path / "raw"
    (drop / "reference").mkdir(parents=True)  # no indicator register, so no return is due
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        run(drop, con)
    assert print_returns_due(warehouse) == 0 and capsys.readouterr().out == ""
    assert print_returns_due(tmp_path / "no_warehouse_yet.duckdb") == 0
