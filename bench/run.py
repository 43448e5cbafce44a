"""Benchmark the survey path at national scale: the pipeline against a plain DuckDB script and pandas.

One invocation generates (or reuses) a seeded drop zone with `pipeline.generators.national`, then runs on the same
files, each in its own process:

- pipeline: the survey path end to end through Dagster, from an empty warehouse (bench/pipeline_run.py full);
- duckdb:   the same ingest and aggregations as plain DuckDB SQL (bench/duckdb_baseline.py);
- floor:    the streaming floor: each wave kept once as received (personal data dropped, respondents keyed)
            as zstd Parquet, respondents scored in the wide row, aggregated (bench/floor.py);
- pandas:   the same as a pandas + pandera script (bench/pandas_script.py);

and the incremental case: with every wave but the last already loaded (bench/pipeline_run.py setup, not
timed), the last wave lands and the sensor's run takes it (bench/pipeline_run.py new-wave), against the
full refresh above. For each process: wall time, CPU time (user + system) and peak resident memory, from
the operating system's accounting of that child (os.wait4), and ratios against the DuckDB baseline. The
contestants' construct means are compared with each other, so all four are seen to do the same work.
Prints a table and writes it as JSON.

    python bench/run.py                       # 1,000,000 respondents x 60 items, 10 waves, 300 partnerships
    python bench/run.py --respondents 2000 --items 10 --waves 3 --partnerships 12 --work /tmp/bench
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
CONTESTANTS = {
    "pipeline": [sys.executable, str(BENCH / "pipeline_run.py"), "full"],
    "duckdb": [sys.executable, str(BENCH / "duckdb_baseline.py")],
    "floor": [sys.executable, str(BENCH / "floor.py")],
    "pandas": [sys.executable, str(BENCH / "pandas_script.py")],
}
TARGETS = {
    "pipeline_wall_vs_duckdb_at_most": 2.0,
    "pipeline_wall_vs_floor_at_most": 2.0,
    "pandas_wall_vs_pipeline_at_least": 5.0,
    "pipeline_peak_rss_gib_at_most": 4.0,
    "new_wave_vs_full_refresh_at_most": 0.10,  # issue #20 (issue #8 asked 20%)
}
GIB = 1024**3


STEPS_SHOWN = 8  # of the pipeline's steps in the printed table (the report keeps every one)


def measure(command: list[str], log: Path, env: dict[str, str]) -> dict[str, object]:
    """Run one child to completion; its wall time, CPU time and peak RSS, and its last line of output (JSON)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    # What the generator or the contestant before wrote (gigabytes at full scale) is flushed to disk first,
    # untimed: left to the kernel, that write-back ran during the next contestant and slowed it by half.
    os.sync()
    with open(log, "w") as output:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=PROJECT, env=env)
        summed = PeakTreeMemory(child.pid)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        summed.stop()
    child.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    try:
        result = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        result = None
    return {
        "exit_code": child.returncode,
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_gib": round(usage.ru_maxrss * 1024 / GIB, 2),  # ru_maxrss is in KiB on Linux
        "peak_rss_summed_gib": round(summed.peak_kib * 1024 / GIB, 2),
        "result": result,
        "log": str(log),
    }


class PeakTreeMemory:
    """The largest resident memory of a process and its descendants together, sampled every half second
    from /proc until `stop()`: `os.wait4` gives only the largest single process, and waves run side by
    side are several processes at once. KiB; 0 where /proc is not there."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(self.interval):
            self.peak_kib = max(self.peak_kib, sum(map(_resident_kib, self._tree())))

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            children.setdefault(parent, []).append(int(entry.name))
        tree, stack = [], [self.pid]
        while stack:
            pid = stack.pop()
            tree.append(pid)
            stack += children.get(pid, [])
        return tree


def _resident_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def add_pipeline_counts(run: dict[str, object], data: Path, out: Path, log: Path, env: dict[str, str]) -> None:
    """The staged row counts of a pipeline run (and its construct means, for `agreement`), read afterwards
    by a process of their own so that the timed run does only the pipeline's work."""
    counted = measure([sys.executable, str(BENCH / "pipeline_run.py"), "counts", str(data), str(out)], log, env)
    if run["result"] is not None:
        run["result"]["rows"] = counted["result"]


def discard_databases(folder: Path, keep: bool) -> float:
    """The size of the DuckDB files a contestant left (GiB); deleted unless kept, as they are large."""
    files = [path for path in folder.rglob("*.duckdb") if path.name != "marts.duckdb"]
    size = sum(path.stat().st_size for path in files) / GIB
    if not keep:
        for path in files:
            path.unlink()
            for extra in (path.with_name(path.name + ".wal"), path.with_name(path.name + ".tmp")):
                shutil.rmtree(extra, ignore_errors=True) if extra.is_dir() else extra.unlink(missing_ok=True)
    return round(size, 2)


def commit() -> str | None:
    """The commit of the checkout measured (with "+changes" when its tracked files differ), if git can say."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True, check=True)
        changed = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=PROJECT).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return None
    return head.stdout.strip() + ("+changes" if changed else "")


def machine() -> dict[str, object]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "ram_gib": round(memory / GIB, 1),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
    }


def agreement(work: Path, names: list[str]) -> dict[str, float | str | None]:
    """Largest absolute difference of each contestant's construct means from the DuckDB baseline's, or from
    the floor's when the baseline did not run."""
    import duckdb

    def read(path: Path) -> pd.DataFrame:
        # Through DuckDB, not pandas' pyarrow reader: pyarrow's thread pool can abort the interpreter at exit
        # ("terminate called without an active exception", apache/arrow#34314) after the report is written.
        with duckdb.connect() as con:
            return con.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()

    files = {name: work / name / "construct_means.parquet" for name in names}
    reference = next((name for name in ("duckdb", "floor") if name in files and files[name].exists()), None)
    if reference is None:
        return {}
    keys = ["wave", "partnership_id", "construct"]
    base = read(files[reference])
    out: dict[str, float | str | None] = {"reference": reference}
    for name, path in files.items():
        if name == reference or not path.exists():
            continue
        other = read(path)
        merged = base.merge(other, on=keys, how="outer", suffixes=("", "_other"), indicator=True)
        both = merged["_merge"] == "both"
        out[f"{name}_rows_matched"] = f"{int(both.sum())} of {len(base)} (other has {len(other)})"
        out[f"{name}_max_abs_mean_difference"] = float(
            (merged.loc[both, "mean"] - merged.loc[both, "mean_other"]).abs().max()
        )
        out[f"{name}_respondent_counts_equal"] = bool(
            (merged.loc[both, "respondents"].astype(float) == merged.loc[both, "respondents_other"].astype(float)).all()
        )
    return out


def table(report: dict[str, object]) -> str:
    runs = report["runs"]
    base = runs.get("duckdb", {})
    floor = runs.get("floor", {})
    lines = [
        f"{'contestant':<22} {'wall s':>9} {'cpu s':>9} {'peak RSS GiB':>13} {'wall x duckdb':>14} {'cpu x duckdb':>13}"
        f" {'wall x floor':>13}  ok",
    ]
    for name, run in runs.items():
        wall_ratio = run["wall_s"] / base["wall_s"] if base.get("wall_s") else float("nan")
        cpu_ratio = run["cpu_s"] / base["cpu_s"] if base.get("cpu_s") else float("nan")
        floor_ratio = run["wall_s"] / floor["wall_s"] if floor.get("wall_s") else float("nan")
        ok = run["exit_code"] == 0 and (run.get("result") or {}).get("success", True)
        lines.append(
            f"{name:<22} {run['wall_s']:>9.1f} {run['cpu_s']:>9.1f} {run['peak_rss_gib']:>13.2f}"
            f" {wall_ratio:>14.2f} {cpu_ratio:>13.2f} {floor_ratio:>13.2f}  {'yes' if ok else 'NO'}"
        )
    incremental = report.get("incremental")
    if incremental:
        lines.append("")
        lines.append(
            f"new wave among {report['spec']['waves']}: {incremental['new_wave_wall_s']:.1f} s"
            f" (the run itself {incremental['new_wave_run_s']:.1f} s, sensor tick {incremental['sensor_tick_s']:.1f} s)"
            f" vs full refresh {incremental['full_refresh_wall_s']:.1f} s"
            f" = {incremental['new_wave_vs_full_refresh']:.1%}"
        )
    steps = ((runs.get("pipeline") or {}).get("result") or {}).get("steps")
    if steps:
        lines.append("")
        lines.append(
            f"the pipeline's steps, largest first (seconds summed over runs; share of its {runs['pipeline']['wall_s']:.1f} s):"
        )
        for key, step in list(steps.items())[:STEPS_SHOWN]:
            share = step["seconds"] / runs["pipeline"]["wall_s"] if runs["pipeline"]["wall_s"] else float("nan")
            lines.append(f"  {key:<60} {step['runs']:>4} run(s) {step['seconds']:>9.1f} s {share:>6.1%}")
    if report.get("agreement"):
        lines.append("")
        reference = "the DuckDB baseline" if report["agreement"]["reference"] == "duckdb" else "the floor"
        lines.append(f"construct means against {reference}'s: " + json.dumps(report["agreement"]))
    lines.append("")
    for name, verdict in report.get("targets", {}).items():
        lines.append(f"target {name}: {verdict}")
    return "\n".join(lines)


def verdicts(report: dict[str, object]) -> dict[str, str]:
    runs = report["runs"]
    out = {}
    if "pipeline" in runs and "duckdb" in runs:
        ratio = runs["pipeline"]["wall_s"] / runs["duckdb"]["wall_s"]
        goal = TARGETS["pipeline_wall_vs_duckdb_at_most"]
        out["pipeline within 2x of duckdb (wall)"] = f"{'met' if ratio <= goal else 'missed'} ({ratio:.2f}x)"
    if "pipeline" in runs and "floor" in runs:
        ratio = runs["pipeline"]["wall_s"] / runs["floor"]["wall_s"]
        goal = TARGETS["pipeline_wall_vs_floor_at_most"]
        out["pipeline within 2x of the streaming floor (wall)"] = (
            f"{'met' if ratio <= goal else 'missed'} ({ratio:.2f}x)"
        )
    if "pipeline" in runs and "pandas" in runs:
        ratio = runs["pandas"]["wall_s"] / runs["pipeline"]["wall_s"]
        goal = TARGETS["pandas_wall_vs_pipeline_at_least"]
        out["pipeline at least 5x faster than pandas (wall)"] = f"{'met' if ratio >= goal else 'missed'} ({ratio:.2f}x)"
    if "pipeline" in runs:
        # The summed peak where the pipeline ran several processes at once (waves side by side).
        peak = max(
            max(run["peak_rss_gib"], run.get("peak_rss_summed_gib", 0))
            for name, run in runs.items()
            if name.startswith("pipeline")
        )
        goal = TARGETS["pipeline_peak_rss_gib_at_most"]
        out["pipeline peak RSS <= 4 GiB"] = f"{'met' if peak <= goal else 'missed'} ({peak:.2f} GiB)"
    if report.get("incremental"):
        share = report["incremental"]["new_wave_vs_full_refresh"]
        goal = TARGETS["new_wave_vs_full_refresh_at_most"]
        out["new wave <= 10% of a full refresh"] = f"{'met' if share <= goal else 'missed'} ({share:.1%})"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=1_000_000, help="respondents per wave")
    parser.add_argument("--items", type=int, default=60, help="scored items")
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--partnerships", type=int, default=300)
    parser.add_argument(
        "--seed", type=int, default=None, help="generator seed (default: pipeline.generators.national's)"
    )
    parser.add_argument("--work", type=Path, default=BENCH / ".work", help="where data and warehouses go")
    parser.add_argument("--json", type=Path, default=None, help="report file (default WORK/results.json)")
    parser.add_argument(
        "--only", nargs="+", choices=[*CONTESTANTS, "incremental"], help="run only these (default: all)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the contestants' databases (tens of GB at scale)")
    arguments = parser.parse_args(argv)

    from pipeline.generators.national import SEED, ScaleSpec, generate, is_generated

    spec = ScaleSpec(
        arguments.respondents,
        arguments.items,
        arguments.waves,
        arguments.partnerships,
        arguments.seed if arguments.seed is not None else SEED,
    )
    work = arguments.work.resolve()
    data = work / "data"
    report: dict[str, object] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": commit(),
        "spec": {
            "respondents": spec.respondents,
            "items": spec.items,
            "waves": spec.waves,
            "partnerships": spec.partnerships,
        },
        "targets_definition": TARGETS,
    }
    print(f"Machine: {report['machine']}", flush=True)
    if is_generated(data, spec):
        print(f"Reusing the generated drop zone in {data}", flush=True)
        report["generation"] = json.loads((data / "scale_data.json").read_text())
    else:
        print(f"Generating {spec.waves} waves of {spec.respondents:,} respondents x {spec.items} items ...", flush=True)
        report["generation"] = generate(
            data, spec, progress=lambda line: print(line, flush=True), workers=os.cpu_count() or 1
        )
    # The children import this checkout's code: the venv's editable install points at the checkout it was made
    # in, so a worktree of an earlier commit run with it would otherwise measure that checkout's code instead.
    path = os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "EVAL_PSEUDONYM_KEY": "benchmark", "PYTHONUNBUFFERED": "1"}
    env.pop("DAGSTER_HOME", None)
    selected = arguments.only or [*CONTESTANTS, "incremental"]

    runs: dict[str, dict] = {}
    for name, command in CONTESTANTS.items():
        if name not in selected:
            continue
        out = work / name
        shutil.rmtree(out, ignore_errors=True)
        print(f"Running {name} ...", flush=True)
        runs[name] = measure([*command, str(data), str(out)], work / "logs" / f"{name}.log", env)
        if name == "pipeline":
            add_pipeline_counts(runs[name], data, out, work / "logs" / "pipeline_counts.log", env)
        runs[name]["database_gib"] = discard_databases(out, arguments.keep)
        print(
            f"  {name}: {runs[name]['wall_s']} s wall, {runs[name]['cpu_s']} s CPU, "
            f"{runs[name]['peak_rss_gib']} GiB peak, exit {runs[name]['exit_code']}",
            flush=True,
        )
    if "incremental" in selected:
        out = work / "incremental"
        shutil.rmtree(out, ignore_errors=True)
        script = [sys.executable, str(BENCH / "pipeline_run.py")]
        print("Loading all waves but the last (not timed) ...", flush=True)
        runs["pipeline setup (not timed)"] = measure(
            [*script, "setup", str(data), str(out)], work / "logs" / "setup.log", env
        )
        print("Landing the last wave ...", flush=True)
        runs["pipeline new wave"] = measure(
            [*script, "new-wave", str(data), str(out)], work / "logs" / "new_wave.log", env
        )
        add_pipeline_counts(runs["pipeline new wave"], data, out, work / "logs" / "new_wave_counts.log", env)
        runs["pipeline new wave"]["database_gib"] = discard_databases(out, arguments.keep)
        new = runs["pipeline new wave"]
        if "pipeline" in runs and new["result"]:
            full_wall = runs["pipeline"]["wall_s"]
            report["incremental"] = {
                "new_wave_wall_s": new["wall_s"],
                "new_wave_run_s": new["result"]["run_seconds"],
                "sensor_tick_s": new["result"]["sensor_tick_seconds"],
                "full_refresh_wall_s": full_wall,
                "new_wave_vs_full_refresh": round(new["wall_s"] / full_wall, 4),
            }
    report["runs"] = runs
    report["agreement"] = agreement(work, [n for n in CONTESTANTS if n in runs])
    report["targets"] = verdicts(report)
    failed = [
        name
        for name, run in runs.items()
        if run["exit_code"] != 0 or not (run.get("result") or {}).get("success", True)
    ]
    report["failed"] = failed

    print()
    print(table(report))
    path = arguments.json or work / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nReport written to {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
