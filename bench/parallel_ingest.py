"""Waves ingested side by side: what parallel wave partitions could gain for a wave's heaviest step.

Issue #20 asks for 10 waves refreshed on 2 processes at least 1.6x faster than on 1. Today a wave's ingest
writes through the single warehouse writer, so two processes would take turns. This measures what each wave
partition writing its own file would gain: every wave of a drop zone through the pipeline's own ingest
(`pipeline.surveys.ingest.load_survey_wave`: the export read and hashed, personal columns never read,
respondents keyed, free text redacted, one row per response with lineage)

- into one warehouse by one process, as a refresh does today (`one_warehouse`);
- each wave into a DuckDB file of its own, with 1 and then with N worker processes (forked after the
  imports, so start-up is not counted), then the part left to the single writer: copying every wave's rows
  and columns into one warehouse (`writer_s`), which that design adds to what the writer does today.

    python bench/parallel_ingest.py DATA_DIR OUT_DIR [--processes 1 2]

DATA_DIR is a drop zone from `pipeline.generators.national`; OUT_DIR receives the files (deleted after each
run) and prints one JSON line: each run's wall and CPU seconds and responses stored.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import duckdb

from pipeline.privacy import find_personal_data, pseudonym_key
from pipeline.resources import warehouse_config
from pipeline.settings import PSEUDONYM_KEY_VARIABLE, load_settings
from pipeline.surveys.ingest import load_survey_wave, survey_wave_files
from pipeline.warehouse import ensure_schemas

RAW_TABLES = ("raw.survey_rows", "raw.survey_columns")


def ingest_wave(data_dir: Path, out: Path, key: bytes, wave: str, path: Path) -> int:
    """One wave into a DuckDB file of its own, as the pipeline ingests it; returns the responses stored."""
    return ingest_waves(data_dir, out / f"{wave}.duckdb", key, {wave: path})


def ingest_waves(data_dir: Path, database: Path, key: bytes, waves: dict[str, Path]) -> int:
    """Waves into one DuckDB file, one after another, as a refresh ingests them; returns the responses stored."""
    with duckdb.connect(str(database), config=warehouse_config(load_settings())) as con:
        ensure_schemas(con)
        return sum(load_survey_wave(con, wave, path, data_dir, key)[0].rows for wave, path in waves.items())


def copy_into_warehouse(wave_files: list[Path], warehouse: Path) -> int:
    """What the single writer is left with when each wave wrote a file of its own: every wave's raw rows and
    columns copied into one warehouse; returns the responses copied."""
    with duckdb.connect(str(warehouse), config=warehouse_config(load_settings())) as con:
        ensure_schemas(con)
        for number, wave_file in enumerate(wave_files):
            con.execute(f"ATTACH '{wave_file}' AS wave_{number} (READ_ONLY)")
            for table in RAW_TABLES:
                source = f"wave_{number}.{table}"
                if number == 0:
                    con.execute(f"CREATE TABLE {table} AS FROM {source} LIMIT 0")
                con.execute(f"INSERT INTO {table} FROM {source}")
            con.execute(f"DETACH wave_{number}")
        return con.execute("SELECT count(*) FROM raw.survey_rows").fetchall()[0][0]


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(work: Callable[[ProcessPoolExecutor], int], processes: int = 1) -> dict[str, float | int]:
    """Run `work` on a pool of `processes` worker processes; its wall and CPU seconds and what it returned
    (responses)."""
    cpu_before = children_cpu_seconds()
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=processes) as pool:
        responses = work(pool)
    return {
        "responses": responses,
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s": round(children_cpu_seconds() - cpu_before, 1),
    }


def in_one_process(task: Callable[[], int]) -> Callable[[ProcessPoolExecutor], int]:
    """`task` as `timed`'s work: run in one worker process."""
    return lambda pool: pool.submit(task).result()


def one_warehouse(data_dir: Path, out: Path, key: bytes) -> dict[str, float | int]:
    """Every wave into one warehouse by one process, as a refresh ingests them today."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    waves = survey_wave_files(data_dir / "surveys")
    run = {
        "waves": len(waves),
        **timed(in_one_process(partial(ingest_waves, data_dir, out / "warehouse.duckdb", key, waves))),
    }
    shutil.rmtree(out, ignore_errors=True)
    return run


def ingest_all(data_dir: Path, out: Path, processes: int, key: bytes) -> dict[str, float | int]:
    """Every wave of the drop zone into a file of its own, `processes` at a time, then copied into one
    warehouse by the writer: wall and CPU seconds of both, and the responses stored."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    waves = survey_wave_files(data_dir / "surveys")
    ingest = timed(
        lambda pool: sum(pool.map(partial(ingest_wave, data_dir, out, key), waves, waves.values())), processes
    )
    wave_files = [out / f"{wave}.duckdb" for wave in waves]
    writer = timed(in_one_process(partial(copy_into_warehouse, wave_files, out / "warehouse.duckdb")))
    shutil.rmtree(out, ignore_errors=True)
    assert writer["responses"] == ingest["responses"], "the writer copied other responses than the waves stored"
    return {
        "waves": len(waves),
        **ingest,
        "writer_s": writer["wall_s"],
        "writer_cpu_s": writer["cpu_s"],
        "with_writer_s": round(ingest["wall_s"] + writer["wall_s"], 1),
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python bench/parallel_ingest.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args(argv)
    # Presidio's recognisers are built once per process: here, before the workers fork, as each wave's own
    # process in a deployment would have built them at start-up, which is not what is measured.
    find_personal_data("a@b.cd")
    # The pipeline's key, from where its resource takes it (the environment, else the secret file).
    key = pseudonym_key(os.environ.get(PSEUDONYM_KEY_VARIABLE, ""), load_settings().secret_file)
    today = one_warehouse(arguments.data_dir, arguments.out_dir / "one_warehouse", key)
    runs = {
        str(n): ingest_all(arguments.data_dir, arguments.out_dir / f"{n}_processes", n, key)
        for n in arguments.processes
    }
    one = runs.get("1", {}).get("wall_s")
    return {
        "cores": os.cpu_count(),
        "one_warehouse": today,
        "runs": runs,
        "speedup_vs_1_process": {n: round(one / run["wall_s"], 2) for n, run in runs.items() if one and run["wall_s"]},
        # With the writer's copy: against today's single warehouse, what the design gains end to end.
        "speedup_with_writer_vs_one_warehouse": {
            n: round(today["wall_s"] / run["with_writer_s"], 2) for n, run in runs.items() if run["with_writer_s"]
        },
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
