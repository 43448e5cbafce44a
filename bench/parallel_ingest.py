"""Waves ingested side by side: what parallel wave partitions could gain for a wave's heaviest step.

Issue #20 asks for 10 waves refreshed on 2 processes at least 1.6x faster than on 1. Today a wave's ingest
writes through the single warehouse writer, so two processes would take turns. This measures the ceiling
if each wave partition wrote its own files instead: every wave of a drop zone through the pipeline's own
ingest (`pipeline.surveys.ingest.load_survey_wave`: the export read and hashed, personal columns never read,
respondents keyed, free text redacted, one row per response with lineage), each wave into a DuckDB file of its
own, with 1 and then with N worker processes (forked after the imports, so start-up is not counted), and the
wall and CPU time of each.

    python bench/parallel_ingest.py DATA_DIR OUT_DIR [--processes 1 2]

DATA_DIR is a drop zone from `pipeline.generators.national`; OUT_DIR receives the wave files (deleted after
each count of processes) and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import duckdb

from pipeline.privacy import find_personal_data, pseudonym_key
from pipeline.resources import warehouse_config
from pipeline.settings import PSEUDONYM_KEY_VARIABLE, load_settings
from pipeline.surveys.ingest import load_survey_wave, survey_wave_files
from pipeline.warehouse import ensure_schemas


def ingest_wave(data_dir: Path, out: Path, key: bytes, wave: str, path: Path) -> int:
    """One wave into a DuckDB file of its own, as the pipeline ingests it; returns the responses stored."""
    with duckdb.connect(str(out / f"{wave}.duckdb"), config=warehouse_config(load_settings())) as con:
        ensure_schemas(con)
        result, _ = load_survey_wave(con, wave, path, data_dir, key)
    return result.rows


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ingest_all(data_dir: Path, out: Path, processes: int, key: bytes) -> dict[str, float | int]:
    """Every wave of the drop zone, `processes` at a time; wall and CPU seconds, and the responses stored."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    waves = survey_wave_files(data_dir / "surveys")
    cpu_before = children_cpu_seconds()
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=processes) as pool:
        responses = sum(pool.map(partial(ingest_wave, data_dir, out, key), waves, waves.values()))
    wall = time.perf_counter() - started
    cpu = children_cpu_seconds() - cpu_before
    shutil.rmtree(out, ignore_errors=True)
    return {"waves": len(waves), "responses": responses, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}


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
    runs = {
        str(n): ingest_all(arguments.data_dir, arguments.out_dir / f"{n}_processes", n, key)
        for n in arguments.processes
    }
    one = runs.get("1", {}).get("wall_s")
    return {
        "cores": os.cpu_count(),
        "runs": runs,
        "speedup_vs_1_process": {n: round(one / run["wall_s"], 2) for n, run in runs.items() if one and run["wall_s"]},
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
