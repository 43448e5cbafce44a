"""The benchmark at a small scale, through its real entry point, so that it cannot rot.

No wall-clock assertions: only that every contestant runs to the end, reports what it is measured on, and
that the four do the same work (equal construct means), that the streaming floor keeps each wave with
personal data dropped and respondents keyed as the pipeline keys them, and that a new wave taken
incrementally leaves the same survey marts as a full refresh.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.generators.national import ScaleSpec, generate
from pipeline.settings import PROJECT_ROOT

SURVEY_MARTS = ["response_rates", "construct_scores", "support_usefulness", "wave_change"]


@pytest.fixture(scope="module")
def bench_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, subprocess.CompletedProcess]:
    work = tmp_path_factory.mktemp("bench")
    command = [
        sys.executable,
        str(PROJECT_ROOT / "bench" / "run.py"),
        *("--respondents", "1500", "--items", "8", "--waves", "3", "--partnerships", "12"),
        *("--work", str(work), "--json", str(work / "report.json"), "--keep"),
    ]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    report = json.loads((work / "report.json").read_text()) if (work / "report.json").exists() else {}
    return report, work, completed


def read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file as a frame, read by DuckDB (pyarrow's reader can abort the interpreter at exit,
    apache/arrow#34314)."""
    with duckdb.connect() as con:
        return con.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()


def bench_script(script: str, *args: object, env: dict[str, str] | None = None) -> dict:
    """Run `bench/<script>` with `args` as its README shows, and return the JSON of its last line."""
    completed = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / script), *map(str, args)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.splitlines()[-1])


def test_every_contestant_runs_and_reports_its_costs(bench_report) -> None:
    report, _, completed = bench_report
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert report["failed"] == []
    expected = {"pipeline", "duckdb", "floor", "pandas", "pipeline setup (not timed)", "pipeline new wave"}
    assert set(report["runs"]) == expected
    for name, run in report["runs"].items():
        assert run["exit_code"] == 0, name
        for measure in ("wall_s", "cpu_s", "peak_rss_gib"):
            assert isinstance(run[measure], int | float) and run[measure] >= 0, (name, measure)
        assert run["peak_rss_gib"] > 0, name
    assert report["runs"]["pipeline"]["result"]["success"] is True
    assert report["commit"] is None or len(report["commit"].removesuffix("+changes")) == 40  # what was measured
    assert report["incremental"]["new_wave_vs_full_refresh"] > 0
    assert set(report["targets"]) == {
        "pipeline within 2x of duckdb (wall)",
        "pipeline within 2x of the streaming floor (wall)",
        "pipeline at least 5x faster than pandas (wall)",
        "pipeline peak RSS <= 4 GiB",
        "new wave <= 10% of a full refresh",
    }
    assert "wall x duckdb" in completed.stdout and "wall x floor" in completed.stdout


def test_the_pipeline_reports_where_its_time_went_step_by_step(bench_report) -> None:
    report, _, completed = bench_report
    pipeline = report["runs"]["pipeline"]
    steps = pipeline["result"]["steps"]
    assert steps["ingest_survey_wave"]["runs"] == steps["stage_survey_wave"]["runs"] == 3  # one per wave
    assert all(step["seconds"] > 0 for step in steps.values())
    assert list(steps) == sorted(steps, key=lambda key: -steps[key]["seconds"])  # largest first
    assert sum(step["seconds"] for step in steps.values()) <= pipeline["wall_s"]  # steps run one at a time
    assert "the pipeline's steps, largest first" in completed.stdout
    assert report["runs"]["pipeline new wave"]["result"]["steps"]["ingest_survey_wave"]["runs"] == 1


def test_the_contestants_agree_on_the_construct_means(bench_report) -> None:
    report, _, _ = bench_report
    agreement = report["agreement"]
    for name in ("pipeline", "floor", "pandas"):
        matched, _, total = agreement[f"{name}_rows_matched"].partition(" of ")
        assert matched == total.split(" ")[0], agreement
        assert agreement[f"{name}_max_abs_mean_difference"] < 1e-9
        assert agreement[f"{name}_respondent_counts_equal"] is True


def bench_again(work: Path, report_name: str, *only: str, env: dict[str, str] | None = None):
    """bench/run.py again on the same generated files, for the contestants `only`; its output and report."""
    json_path = work / report_name
    command = [sys.executable, str(PROJECT_ROOT / "bench" / "run.py"), *("--respondents", "1500", "--items", "8")]
    command += [*("--waves", "3", "--partnerships", "12", "--work", str(work), "--json", str(json_path))]
    completed = subprocess.run(
        [*command, "--only", *only], cwd=PROJECT_ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed, json.loads(json_path.read_text())


def test_without_the_baseline_the_contestants_are_compared_with_the_floor(bench_report) -> None:
    _, work, _ = bench_report
    completed, report = bench_again(work, "floor_and_pandas.json", "floor", "pandas")
    agreement = report["agreement"]
    assert agreement["reference"] == "floor"
    matched, _, total = agreement["pandas_rows_matched"].partition(" of ")
    assert int(matched) > 0 and matched == total.split(" ")[0], agreement
    assert agreement["pandas_max_abs_mean_difference"] < 1e-9
    assert "construct means against the floor's" in completed.stdout


def test_the_pipeline_on_two_wave_processes_agrees_with_the_floor_and_sums_their_memory(bench_report) -> None:
    _, work, _ = bench_report
    _, report = bench_again(work, "two_wave_processes.json", "pipeline", "floor", env={"EVAL_WAVE_PROCESSES": "2"})
    pipeline = report["runs"]["pipeline"]
    assert pipeline["result"]["success"] is True and pipeline["result"]["wave_processes"] == 2
    assert set(pipeline["result"]["waves_read_beside"]) <= {"wave_01", "wave_02", "wave_03"}
    assert pipeline["peak_rss_summed_gib"] > 0  # sampled over the parent and its wave processes
    matched, _, total = report["agreement"]["pipeline_rows_matched"].partition(" of ")
    assert matched == total.split(" ")[0], report["agreement"]
    assert report["agreement"]["pipeline_max_abs_mean_difference"] < 1e-9


def test_the_floor_keeps_each_wave_keyed_without_personal_data(bench_report) -> None:
    report, work, _ = bench_report
    assert report["runs"]["floor"]["result"]["respondents"] == 3 * 1500  # the planted outsider left out
    kept = read_parquet(work / "floor" / "raw" / "wave_03.parquet")
    exported = pd.read_csv(work / "data" / "surveys" / "wave_03.csv", skiprows=[1, 2], dtype=str)
    assert len(kept) == len(exported) == 1501
    personal = {"IPAddress", "RecipientEmail", "RecipientFirstName", "RecipientLastName", "ExternalReference"}
    assert personal <= set(exported.columns)
    assert not personal & set(kept.columns)
    assert {"LocationLatitude", "LocationLongitude", "ResponseId"}.isdisjoint(kept.columns)
    assert list(kept["respondent_row"]) == list(range(1, 1502))
    # HMAC-SHA256 under the benchmark's key (bench/run.py sets EVAL_PSEUDONYM_KEY), as the pipeline keys them.
    expected = [
        hmac.new(b"benchmark", reference.encode(), hashlib.sha256).hexdigest()
        for reference in exported["ExternalReference"]
    ]
    assert list(kept["respondent_key"]) == expected
    assert list(kept["Q1_1"].fillna("")) == list(exported["Q1_1"].fillna(""))


def test_waves_ingested_side_by_side_store_what_the_pipeline_stores(bench_report) -> None:
    report, work, _ = bench_report
    result = bench_script(
        "parallel_ingest.py", work / "data", work / "side", env={**os.environ, "EVAL_PSEUDONYM_KEY": "benchmark"}
    )
    stored = report["runs"]["pipeline"]["result"]["rows"]["raw.survey_rows"]
    assert {n: (run["waves"], run["responses"]) for n, run in result["runs"].items()} == {
        "1": (3, stored),
        "2": (3, stored),
    }
    assert result["one_warehouse"]["responses"] == stored  # today's ingest, into one warehouse
    assert result["speedup_vs_1_process"]["1"] == 1.0
    # The single writer's copy of every wave's file is timed, and counted in the end-to-end comparison.
    assert all(run["with_writer_s"] >= run["wall_s"] for run in result["runs"].values())
    assert set(result["speedup_with_writer_vs_one_warehouse"]) == {"1", "2"}
    assert not (work / "side").exists() or not any((work / "side").rglob("*.duckdb"))  # wave files deleted


def test_start_up_is_timed_for_two_checkouts_side_by_side() -> None:
    result = bench_script("startup.py", PROJECT_ROOT, "--runs", 2)
    assert {side: len(values) for side, values in result["seconds"].items()} == {"baseline": 2, "candidate": 2}
    assert all(seconds > 0 for values in result["seconds"].values() for seconds in values)
    assert result["candidate_over_baseline"] > 0


def test_the_pipeline_quarantines_the_planted_faults(bench_report) -> None:
    rows = bench_report[0]["runs"]["pipeline"]["result"]["rows"]
    # The last wave holds one response from a partnership outside the programme and one off-scale answer.
    assert rows["quarantine.survey_responses"] == 1
    assert rows["quarantine.survey_item_scores"] == 1
    assert rows["staging.survey_responses"] == 3 * 1500


def test_a_new_wave_leaves_the_same_survey_marts_as_a_full_refresh(bench_report) -> None:
    _, work, _ = bench_report
    for mart in SURVEY_MARTS:
        full = read_parquet(work / "pipeline" / "marts" / f"{mart}.parquet")
        incremental = read_parquet(work / "incremental" / "marts" / f"{mart}.parquet")
        pd.testing.assert_frame_equal(full, incremental, check_exact=True, obj=mart)


def test_the_generator_is_seeded_whether_waves_are_written_one_by_one_or_side_by_side(tmp_path: Path) -> None:
    spec = ScaleSpec(respondents=300, items=4, waves=2, partnerships=5)
    first, second = generate(tmp_path / "a", spec), generate(tmp_path / "b", spec, workers=2)
    assert first["waves"] == second["waves"] == {"wave_01": 300, "wave_02": 301}
    for wave in ("wave_01", "wave_02"):
        assert (tmp_path / "a" / "surveys" / f"{wave}.csv").read_bytes() == (
            tmp_path / "b" / "surveys" / f"{wave}.csv"
        ).read_bytes()
