"""Seeded demo sustainment and spread: what became of each partnership's work after support ended.

Written by `make demo-data` (from `pipeline.generators.demo.generate`, with its own random stream so the other
demo files do not change): `reference/sustainment.csv`, `reference/spread.csv` and the planted truth in
`demo_sustainment_truth.json` (a file of its own, so `demo_ground_truth.json` stays as it was).

Planted truth
-------------
- Integration goes with sustainment, as the evaluation found: a partnership whose planted level of
  integration with other workstreams is strong (`demo_ground_truth.json`) carries its work on (sustained or
  integrated) with probability `CONTINUE_IF_STRONG` (0.85); one whose level is weak with probability
  `CONTINUE_IF_WEAK` (0.35). Of those carrying on, a partnership with strong integration has its work taken
  into other services (integrated rather than sustained) with probability 0.6, one with weak integration 0.3.
  The other six factors play no part.
- The status is dated 6 to 18 months after the partnership's support ended; its evidence names a kind of
  document, never a person.
- Spread: `ROLL_OUT` (Thanet, a district of Kent) carries its work on, and Kent County Council rolls it out
  across the county 14 months after support ended (spread kind `new_area`); each other partnership carrying
  its work on is taken up by a new service or programme with probability 0.3.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pandas as pd

from pipeline.generators.files import Partnership, write_atomically

SEED = 2019
FACTOR = "integration"
CONTINUE_IF_STRONG = 0.85
CONTINUE_IF_WEAK = 0.35
INTEGRATED_IF_STRONG = 0.6
INTEGRATED_IF_WEAK = 0.3
SPREAD_CHANCE = 0.3
ROLL_OUT = "P02"
ROLL_OUT_TEXT = "Kent County Council rolled the approach out across the county's twelve districts"
EVIDENCE = {
    "sustained": [
        "Follow-up interview with the lead officer: the partnership still meets and funds the work from its own budget",
        "Partnership board minutes: the action plan was renewed for a further two years",
        "Annual report of the partnership: the work continues under the same steering group",
    ],
    "integrated": [
        "Health and Wellbeing Board paper: the approach is written into the joint health and wellbeing strategy",
        "Commissioning decision: the council's public health team commissions the work as part of a core service",
        "Clinical commissioning group plan: the partnership's pathway is part of the area's community health services",
    ],
    "stopped": [
        "Follow-up interview with the lead officer: the work ended when programme support finished",
        "Partnership board minutes: the steering group was stood down and the posts were not renewed",
    ],
}
SPREAD = [
    ("new_service", "A neighbouring voluntary sector service adopted the partnership's screening approach"),
    ("new_programme", "The approach was taken into the area's wider prevention programme"),
    ("new_service", "The local NHS trust built the partnership's referral route into its community services"),
]


def _months_after(day: pd.Timestamp, months: int) -> pd.Timestamp:
    return (day + pd.DateOffset(months=months)).normalize()


def plan(support_end: dict[str, pd.Timestamp], levels: dict[str, int], seed: int = SEED) -> dict[str, object]:
    """The demo's sustainment and spread rows and their planted truth, from each partnership's support end and
    planted integration level (1 strong, 0 weak)."""
    rng = random.Random(seed)
    statuses, spread = [], []
    for partnership_id, ended in support_end.items():
        strong = bool(levels[partnership_id])
        continues = rng.random() < (CONTINUE_IF_STRONG if strong else CONTINUE_IF_WEAK) or partnership_id == ROLL_OUT
        integrated = rng.random() < (INTEGRATED_IF_STRONG if strong else INTEGRATED_IF_WEAK)
        status = ("integrated" if integrated else "sustained") if continues else "stopped"
        status_date = _months_after(ended, rng.randint(6, 18))
        statuses.append((partnership_id, status, f"{status_date:%Y-%m-%d}", rng.choice(EVIDENCE[status])))
        if partnership_id == ROLL_OUT:
            spread.append((partnership_id, "new_area", ROLL_OUT_TEXT, f"{_months_after(ended, 14):%Y-%m-%d}"))
        elif continues and rng.random() < SPREAD_CHANCE:
            kind, text = rng.choice(SPREAD)
            spread.append((partnership_id, kind, text, f"{_months_after(ended, rng.randint(9, 24)):%Y-%m-%d}"))
    truth = {
        "seed": seed,
        "factor": FACTOR,
        "continue_probability": {"strong": CONTINUE_IF_STRONG, "weak": CONTINUE_IF_WEAK},
        "roll_out": {"partnership_id": ROLL_OUT, "description": ROLL_OUT_TEXT},
        "status": {row[0]: row[1] for row in statuses},
        "integration_level": {pid: int(levels[pid]) for pid in support_end},
    }
    return {"statuses": statuses, "spread": spread, "truth": truth}


def _csv(header: list[str], rows: list[tuple[str, ...]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode()


def write_sustainment(data_dir: Path, partnerships: list[Partnership], truth: dict[str, dict[str, int]]) -> int:
    """Write `reference/sustainment.csv`, `reference/spread.csv` and `demo_sustainment_truth.json` from the demo's
    planted factor levels (`truth`); returns the number of partnerships with a status."""
    reference_dir = data_dir / "reference"
    frame = pd.read_csv(reference_dir / "partnerships.csv", dtype=str).set_index("partnership_id")
    support_end = {p.partnership_id: pd.Timestamp(frame.at[p.partnership_id, "support_end"]) for p in partnerships}
    planned = plan(support_end, {pid: levels[FACTOR] for pid, levels in truth.items()})
    write_atomically(
        reference_dir / "sustainment.csv",
        _csv(["partnership_id", "status", "status_date", "evidence"], planned["statuses"]),
    )
    write_atomically(
        reference_dir / "spread.csv",
        _csv(["partnership_id", "spread_kind", "description", "spread_date"], planned["spread"]),
    )
    write_atomically(
        data_dir / "demo_sustainment_truth.json",
        (json.dumps(planned["truth"], indent=1, sort_keys=True) + "\n").encode(),
    )
    return len(planned["statuses"])
