"""Start-up: how long a fresh process takes to load the code location, for two checkouts side by side.

    python bench/startup.py BASELINE [CANDIDATE] [--runs N]

Every Dagster run's process, the UI's code server and the command line load `pipeline.definitions` first.
Each checkout (a folder holding the project, such as a `git worktree` of an earlier commit; CANDIDATE
defaults to this one) is timed in turn, alternating, each in a fresh process of this interpreter, after one
untimed load each (which warms the file cache and, where Python may, writes the bytecode caches). Prints
one JSON line: each side's seconds, their medians and the candidate's median over the baseline's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

LOAD = "import time; start = time.perf_counter(); import pipeline.definitions; print(time.perf_counter() - start)"


def load_seconds(checkout: Path) -> float:
    """Seconds to import the code location in a fresh process started in `checkout`."""
    done = subprocess.run([sys.executable, "-c", LOAD], cwd=checkout, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path)
    parser.add_argument("candidate", type=Path, nargs="?", default=Path(__file__).resolve().parents[1])
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    sides = {"baseline": args.baseline.resolve(), "candidate": args.candidate.resolve()}
    for checkout in sides.values():
        load_seconds(checkout)
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(args.runs):
        for side, checkout in sides.items():
            seconds[side].append(round(load_seconds(checkout), 3))
    medians = {side: round(statistics.median(values), 3) for side, values in seconds.items()}
    print(
        json.dumps(
            {
                "checkouts": {side: str(path) for side, path in sides.items()},
                "seconds": seconds,
                "median_seconds": medians,
                "candidate_over_baseline": round(medians["candidate"] / medians["baseline"], 3),
            }
        )
    )


if __name__ == "__main__":
    main()
