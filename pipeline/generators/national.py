"""Seeded survey data at national scale, in the demo's Qualtrics CSV format, for benchmarks and load tests.

`python -m pipeline.generators.national --respondents N --items K --waves W --partnerships P --out DIR` writes a
drop zone the pipeline runs on as `EVAL_DATA_DIR=DIR`:

- `DIR/surveys/wave_01.csv` ... : one Qualtrics CSV export per wave (the three header rows with the JSON
  ImportId row, the same respondent metadata columns as the demo, then K scored items, the stakeholder
  group, a free-text comment and the partnership as embedded data). Each file is written in chunks of
  respondents, so a wave is never held in memory; N respondents per wave.
- `DIR/reference/`: partnerships P001 ... (places, problems and support periods taken in turn from the
  demo's partnerships), a scaled survey instrument with K items spread over the seven success factors and
  the support offer (some reverse-coded), invitations per wave x partnership x stakeholder group, and the
  demo's other reference tables unchanged (scales, groups, factors, codebook map, indicators, ...).
- `DIR/scale_data.json`: the parameters, so a benchmark can tell whether the files are already there.

Respondents are drawn as in the demo: each partnership has a latent strong or weak level on every factor,
agreement centres near 4 on a strong factor and near 2.3 on a weak one with respondent leniency and
answer noise, reverse-coded items are answered reversed, about 4% of answers are "Don't know", about 6%
of respondents stop part way, and some comments carry a phone number or an e-mail address. A respondent
keeps one external reference across waves, and three in four respondents of a wave answered the one
before, so change between waves is measured on pairs. Every other wave exports numeric codes instead of
choice text. The last wave holds one response from a partnership outside the programme and one answer off
its scale, which the pipeline must quarantine.

Only the survey path (reference data, survey waves and the survey marts) has data here; codings, outcome
statistics, deprivation and assessments are not generated.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.generators.demo import (
    AGREEMENT_STEM,
    COMMENTS,
    FACTORS,
    FIRST_NAMES,
    GROUP_COMMENT_PARTNERSHIP_COLUMNS,
    GROUP_SIZES,
    LAST_NAMES,
    QUALTRICS_METADATA,
    USEFULNESS_STEM,
)
from pipeline.settings import PROJECT_ROOT

SEED = 2026
DEMO_REFERENCE = PROJECT_ROOT / "data" / "raw" / "reference"
# Reference tables the scaled drop zone takes from the demo unchanged.
COPIED_REFERENCE = (
    "success_factors",
    "likert_scales",
    "stakeholder_groups",
    "codebook_factor_map",
    "outcome_indicators",
    "marmot_objectives",
    "driver_diagrams",
    "qca_conditions",
)
FACTOR_PREFIXES = {
    "senior_leadership": "SL",
    "project_management": "PM",
    "governance": "GV",
    "prior_experience": "PE",
    "integration": "IN",
    "partnership_engagement": "EN",
    "support_offer_use": "SO",
}
SUPPORT_TYPES = [
    ("SU_EXPERT", "Expert support"),
    ("SU_WEBINAR", "Webinars"),
    ("SU_EVENTS", "Learning events"),
    ("SU_PEER", "Peer exchange"),
    ("SU_FORUM", "Web forum"),
    ("SU_RESOURCES", "Resources and guides"),
]
FIRST_WAVE_OPENS = datetime(2016, 6, 6, 9, 0)
WAVE_INTERVAL_DAYS = 182
RESPONSE_RATE = 0.8  # a wave's respondents are the first 80% of the stakeholders it invited
RETURNING_SHARE = 0.75  # of a wave's respondents, the share who answered the wave before
STRAY_PARTNERSHIP = "P999"
OFF_SCALE_ANSWER = "Sometimes"
CHUNK = 10_000
_EXTERNAL_REFERENCE = [tag for tag, _, _ in QUALTRICS_METADATA].index("ExternalReference")
_RESPONSE_ID_CHARS = np.array(list("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"))


@dataclass(frozen=True)
class ScaleSpec:
    """How much to generate: respondents per wave, scored items, waves and partnerships."""

    respondents: int = 1_000_000
    items: int = 60
    waves: int = 10
    partnerships: int = 300
    seed: int = SEED

    def __post_init__(self) -> None:
        if self.respondents < 1 or self.waves < 1:
            raise ValueError("respondents and waves must be at least 1")
        if not 1 <= self.partnerships <= 998:
            raise ValueError("partnerships must be from 1 to 998 (ids P001 to P998)")
        if self.items < 2:
            raise ValueError("items must be at least 2 (one support-offer item and one success-factor item)")

    @property
    def shift(self) -> int:
        """Persons by which one wave's window of stakeholders moves on from the last one's."""
        return max(1, round(self.respondents * (1 - RETURNING_SHARE)))

    @property
    def invited(self) -> int:
        return max(self.respondents, round(self.respondents / RESPONSE_RATE))

    def wave_names(self) -> list[str]:
        width = max(2, len(str(self.waves)))
        return [f"wave_{index:0{width}d}" for index in range(1, self.waves + 1)]


@dataclass(frozen=True)
class Item:
    source_id: str
    export_tag: str
    item_code: str
    construct: str
    scale_id: str
    reverse_coded: bool
    item_text: str


# --- Reference data --------------------------------------------------------------------------------------


def instrument_items(count: int) -> list[Item]:
    """`count` scored items: about one in ten on the support offer (up to six), the rest spread over the
    seven success factors in turn. A factor's first items are the demo's (wording and reverse coding);
    further ones are numbered statements, every third reverse-coded."""
    demo = pd.read_csv(DEMO_REFERENCE / "survey_instrument.csv", dtype=str, keep_default_na=False)
    demo = demo[demo["role"] == "item"]
    demo_items = {
        factor: list(zip(rows["item_text"], rows["reverse_coded"] == "true", strict=True))
        for factor, rows in demo.groupby("construct")
    }
    support = min(len(SUPPORT_TYPES), max(1, round(count / 10)))
    per_factor = dict.fromkeys(FACTORS, 0)
    items = []
    for position in range(1, count - support + 1):
        factor = FACTORS[(position - 1) % len(FACTORS)]
        number = per_factor[factor] = per_factor[factor] + 1
        known = demo_items.get(factor, [])
        text, reverse = known[number - 1] if number <= len(known) else (f"{factor} statement {number}", number % 3 == 0)
        items.append(
            Item(
                f"QID1_{position}",
                f"Q1_{position}",
                f"{FACTOR_PREFIXES[factor]}{number}",
                factor,
                "agree5",
                reverse,
                text,
            )
        )
    for position, (code, label) in enumerate(SUPPORT_TYPES[:support], start=1):
        items.append(Item(f"QID2_{position}", f"Q2_{position}", code, "support_usefulness", "useful4", False, label))
    return items


def write_reference(out: Path, spec: ScaleSpec, items: list[Item]) -> None:
    """The reference tables of the scaled drop zone (invitations are written with the waves)."""
    reference = out / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    for name in COPIED_REFERENCE:
        shutil.copyfile(DEMO_REFERENCE / f"{name}.csv", reference / f"{name}.csv")
    demo = pd.read_csv(DEMO_REFERENCE / "partnerships.csv", dtype=str)
    rows = []
    for index in range(spec.partnerships):
        model = demo.iloc[index % len(demo)]
        cycle = index // len(demo)
        rows.append(
            {
                "partnership_id": partnership_id(index),
                "partnership_name": model["partnership_name"] + (f" {cycle + 1}" if cycle else ""),
                "area_codes": model["area_codes"],
                "wicked_problem": model["wicked_problem"],
                "programme_round": model["programme_round"],
                "support_start": model["support_start"],
                "support_end": model["support_end"],
            }
        )
    _write_frame(reference / "partnerships.csv", pd.DataFrame(rows))
    fixed = pd.read_csv(DEMO_REFERENCE / "survey_instrument.csv", dtype=str, keep_default_na=False)
    fixed = fixed[fixed["role"] != "item"]
    scored = pd.DataFrame(
        {
            "tool": "qualtrics",
            "source_id": [i.source_id for i in items],
            "role": "item",
            "item_code": [i.item_code for i in items],
            "construct": [i.construct for i in items],
            "scale_id": [i.scale_id for i in items],
            "reverse_coded": ["true" if i.reverse_coded else "false" for i in items],
            "item_text": [i.item_text for i in items],
            "construct_kind": ["support_offer" if i.construct == "support_usefulness" else "scale" for i in items],
        }
    )
    instrument = pd.concat([fixed[fixed["role"] != "free_text"], scored, fixed[fixed["role"] == "free_text"]])
    _write_frame(reference / "survey_instrument.csv", instrument)


def partnership_id(index: int) -> str:
    return f"P{index + 1:03d}"


@functools.cache
def _partnership_ids(count: int) -> np.ndarray:
    return np.array([partnership_id(index) for index in range(count)], dtype=object)


def csv_field(text: str) -> str:
    """A cell as RFC 4180 writes it: quoted, quotes doubled, when it holds a comma, quote or line break.

    Rows are joined by hand (much faster than the csv module at this size), so every text that does not
    come from digits and fixed punctuation passes through here.
    """
    if any(mark in text for mark in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _write_frame(path: Path, frame: pd.DataFrame) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    frame.to_csv(temporary, index=False, lineterminator="\n")
    os.replace(temporary, path)


# --- People ----------------------------------------------------------------------------------------------


def _group_names() -> list[str]:
    return list(GROUP_SIZES)


def _group_weights() -> np.ndarray:
    weights = np.array(list(GROUP_SIZES.values()))
    return weights / weights.sum()


def _people_block(spec: ScaleSpec, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Stakeholder group (index) and leniency of the persons block * CHUNK ... (block + 1) * CHUNK - 1."""
    rng = np.random.default_rng([spec.seed, 1, block])
    groups = rng.choice(len(GROUP_SIZES), size=CHUNK, p=_group_weights())
    return groups, rng.normal(0, 0.35, CHUNK)


def people(spec: ScaleSpec, first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Group and leniency of persons first ... stop - 1; a person keeps both in every wave."""
    blocks = [_people_block(spec, block) for block in range(first // CHUNK, (stop - 1) // CHUNK + 1)]
    offset = first - (first // CHUNK) * CHUNK
    groups = np.concatenate([b[0] for b in blocks])[offset : offset + stop - first]
    leniency = np.concatenate([b[1] for b in blocks])[offset : offset + stop - first]
    return groups, leniency


def plant_levels(spec: ScaleSpec) -> np.ndarray:
    """Latent strong (1) or weak (0) level of every partnership on each factor (columns in FACTORS order)."""
    rng = np.random.default_rng([spec.seed, 0])
    return (rng.random((spec.partnerships, len(FACTORS))) < 0.5).astype(int)


def succeeded(levels: np.ndarray) -> np.ndarray:
    """The demo's planted rule: (senior_leadership AND project_management) OR integration."""
    column = {factor: levels[:, i] for i, factor in enumerate(FACTORS)}
    return ((column["senior_leadership"] & column["project_management"]) | column["integration"]).astype(int)


def write_invitations(path: Path, spec: ScaleSpec) -> int:
    """Every stakeholder in a wave's window is invited to it: counts per wave x partnership x group."""
    groups = _group_names()
    frames = []
    for index, wave in enumerate(spec.wave_names()):
        first = index * spec.shift
        counts = np.zeros(spec.partnerships * len(groups), dtype=np.int64)
        for start in range(first, first + spec.invited, CHUNK):
            stop = min(start + CHUNK, first + spec.invited)
            group, _ = people(spec, start, stop)
            counts += np.bincount(
                (np.arange(start, stop) % spec.partnerships) * len(groups) + group, minlength=len(counts)
            )
        frames.append(
            pd.DataFrame(
                {
                    "wave": wave,
                    "partnership_id": [partnership_id(i // len(groups)) for i in range(len(counts))],
                    "stakeholder_group": [groups[i % len(groups)] for i in range(len(counts))],
                    "invited": counts,
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    _write_frame(path, frame)
    return len(frame)


# --- Survey waves ----------------------------------------------------------------------------------------


def header_rows(items: list[Item]) -> list[list[str]]:
    """The three header rows of the export: export tags, question texts, ImportId JSON."""
    questions = [
        (
            item.export_tag,
            f"{AGREEMENT_STEM if item.construct != 'support_usefulness' else USEFULNESS_STEM} - {item.item_text}",
            json.dumps({"ImportId": item.source_id}, separators=(",", ":")),
        )
        for item in items
    ]
    columns = [*QUALTRICS_METADATA, *questions, *GROUP_COMMENT_PARTNERSHIP_COLUMNS]
    return [[column[row] for column in columns] for row in range(3)]


@dataclass(frozen=True)
class _Answers:
    """What an item's cell holds for each score (index 1 ... 5), for don't know, and in which form."""

    cells: np.ndarray  # index 0: don't know / did not use; 1..: the score's label or code

    @classmethod
    def of(cls, scale: pd.DataFrame, numeric: bool) -> _Answers:
        column = "code" if numeric else "label"
        by_score = {row.score: getattr(row, column) for row in scale.itertuples()}
        top = max(int(float(s)) for s in by_score if s)
        cells = [by_score[""]] + [by_score[str(score)] for score in range(1, top + 1)]
        return cls(np.array([csv_field(cell) for cell in cells], dtype=object))


def _scales(numeric: bool) -> dict[str, _Answers]:
    scales = pd.read_csv(DEMO_REFERENCE / "likert_scales.csv", dtype=str, keep_default_na=False)
    return {scale_id: _Answers.of(rows, numeric) for scale_id, rows in scales.groupby("scale_id")}


def _timestamps(moments: np.ndarray) -> np.ndarray:
    text = np.datetime_as_string(moments.astype("datetime64[s]"), unit="s")
    return np.char.replace(text, "T", " ").astype(object)


def _wave_chunks(spec: ScaleSpec, index: int) -> Iterator[tuple[int, int]]:
    first = index * spec.shift
    for start in range(first, first + spec.respondents, CHUNK):
        yield start, min(start + CHUNK, first + spec.respondents)


def _rows(
    spec: ScaleSpec,
    items: list[Item],
    levels: np.ndarray,
    success: np.ndarray,
    wave_index: int,
    start: int,
    stop: int,
    numeric: bool,
    scales: dict[str, _Answers],
    opened: np.datetime64,
) -> list[list[str]]:
    """The export rows of persons start ... stop - 1 in one wave, drawn column by column."""
    rng = np.random.default_rng([spec.seed, 2, wave_index, start])
    n = stop - start
    person = np.arange(start, stop)
    partnership = person % spec.partnerships
    group, leniency = people(spec, start, stop)

    finished = rng.random(n) > 0.06
    progress = np.where(finished, 100, rng.integers(20, 90, n))
    answered = np.where(finished, len(items), (len(items) * progress) // 100)
    started = (
        opened
        + rng.integers(0, 21, n).astype("timedelta64[D]")
        + rng.integers(0, 600, n).astype("timedelta64[m]")
        + np.timedelta64(0, "s")
    )
    duration = rng.integers(180, 1500, n)
    ended = started + duration.astype("timedelta64[s]")

    factor_index = {factor: i for i, factor in enumerate(FACTORS)}
    support_level = levels[partnership, factor_index["support_offer_use"]]
    columns: list[np.ndarray] = []
    for position, item in enumerate(items):
        noise = rng.normal(0, 0.8 if item.construct == "support_usefulness" else 0.7, n)
        if item.construct == "support_usefulness":
            score = np.clip(np.round(2.6 + 0.5 * support_level + noise), 1, 4).astype(int)
        else:
            strong = levels[partnership, factor_index[item.construct]]
            centre = np.where(strong == 1, 4.0, 2.3) + 0.15 * wave_index * success[partnership] + leniency
            score = np.clip(np.round(centre + noise), 1, 5).astype(int)
            if item.reverse_coded:
                score = 6 - score
        score = np.where(rng.random(n) < 0.04, 0, score)  # don't know / did not use
        cells = scales[item.scale_id].cells[score]
        columns.append(np.where(position < answered, cells, ""))

    group_cells = _stakeholder_cells(numeric)[group]
    first_names = np.array([csv_field(name) for name in FIRST_NAMES], dtype=object)[
        rng.integers(0, len(FIRST_NAMES), n)
    ]
    last_names = np.array([csv_field(name) for name in LAST_NAMES], dtype=object)[rng.integers(0, len(LAST_NAMES), n)]
    ids = _partnership_ids(spec.partnerships)[partnership]
    emails = [
        f"{f.lower()}.{s.lower()}{j}@{pid.lower()}.example.org"
        for f, s, j, pid in zip(first_names, last_names, person, ids, strict=True)
    ]
    comment_kind = rng.integers(0, len(COMMENTS), n)
    with_comment = finished & (rng.random(n) < 0.3)
    numbers = rng.integers(0, 999, n)
    comments = [
        csv_field(COMMENTS[k].format(n=int(number), email=email)) if chosen else ""
        for k, number, email, chosen in zip(comment_kind, numbers, emails, with_comment, strict=True)
    ]
    response_ids = ["R_" + "".join(chars) for chars in _RESPONSE_ID_CHARS[rng.integers(0, 57, (n, 15))]]
    recorded = _timestamps(ended)
    metadata = [
        _timestamps(started),
        recorded,
        np.full(n, "0" if numeric else "IP Address", dtype=object),
        [f"198.51.100.{octet}" for octet in rng.integers(1, 255, n)],
        progress.astype(str).astype(object),
        duration.astype(str).astype(object),
        np.where(finished, "1" if numeric else "True", "0" if numeric else "False").astype(object),
        recorded,
        response_ids,
        last_names,
        first_names,
        emails,
        [f"HPHL-{pid}-{j:07d}" for pid, j in zip(ids, person, strict=True)],
        np.char.mod("%.6f", 53.0 + rng.random(n)).astype(object),
        np.char.mod("%.6f", -2.0 + rng.random(n)).astype(object),
        np.full(n, "email", dtype=object),
        np.full(n, "EN-GB", dtype=object),
    ]
    table = np.empty((n, len(metadata) + len(columns) + 3), dtype=object)
    for position, column in enumerate([*metadata, *columns, group_cells, comments, ids]):
        table[:, position] = column
    return table.tolist()


def _stakeholder_cells(numeric: bool) -> np.ndarray:
    groups = pd.read_csv(DEMO_REFERENCE / "stakeholder_groups.csv", dtype=str).set_index("stakeholder_group")
    return np.array([csv_field(groups.loc[g, "code" if numeric else "label"]) for g in _group_names()], dtype=object)


def write_wave(path: Path, spec: ScaleSpec, items: list[Item], wave_index: int) -> int:
    """Write one wave's export chunk by chunk; returns the responses written."""
    numeric = wave_index % 2 == 1
    scales = _scales(numeric)
    levels = plant_levels(spec)
    success = succeeded(levels)
    opened = np.datetime64(FIRST_WAVE_OPENS) + np.timedelta64(WAVE_INTERVAL_DAYS * wave_index, "D")
    last = wave_index == spec.waves - 1
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    written = 0
    with open(temporary, "w", newline="", encoding="utf-8-sig", buffering=1 << 20) as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(header_rows(items))
        for start, stop in _wave_chunks(spec, wave_index):
            rows = _rows(spec, items, levels, success, wave_index, start, stop, numeric, scales, opened)
            if last and written == 0:
                rows[0][len(QUALTRICS_METADATA) + min(3, len(items) - 1)] = OFF_SCALE_ANSWER
            handle.write("".join([",".join(row) + "\r\n" for row in rows]))
            written += len(rows)
        if last:
            stray = _rows(spec, items, levels, success, wave_index, 0, 1, numeric, scales, opened)[0]
            stray[_EXTERNAL_REFERENCE] = f"HPHL-{STRAY_PARTNERSHIP}-0000001"
            stray[-1] = STRAY_PARTNERSHIP
            handle.write(",".join(stray) + "\r\n")
            written += 1
    os.replace(temporary, path)
    return written


# --- Orchestration ---------------------------------------------------------------------------------------

MANIFEST = "scale_data.json"


def manifest(spec: ScaleSpec) -> dict[str, object]:
    return {
        "generator": "pipeline.generators.national",
        "version": 1,
        "respondents": spec.respondents,
        "items": spec.items,
        "waves": spec.waves,
        "partnerships": spec.partnerships,
        "seed": spec.seed,
    }


def is_generated(out: Path, spec: ScaleSpec) -> bool:
    """Whether `out` already holds a complete drop zone for exactly these parameters."""
    path = out / MANIFEST
    if not path.exists():
        return False
    written = json.loads(path.read_text())
    return written.get("spec") == manifest(spec) and all(
        (out / "surveys" / f"{wave}.csv").exists() for wave in spec.wave_names()
    )


def generate(
    out: Path, spec: ScaleSpec, progress: Callable[[str], None] = lambda _: None, workers: int = 1
) -> dict[str, object]:
    """Write the scaled drop zone into `out` (reference data, then one export per wave, `workers` waves at a
    time in processes of their own); returns a summary."""
    started = time.perf_counter()
    (out / MANIFEST).unlink(missing_ok=True)
    items = instrument_items(spec.items)
    write_reference(out, spec, items)
    invitations = write_invitations(out / "reference" / "survey_invitations.csv", spec)
    surveys = out / "surveys"
    if surveys.exists():
        for old in surveys.glob("*.csv"):
            if old.stem not in spec.wave_names():
                old.unlink()
    # Each wave draws from its own seeds, so waves written side by side in processes are the same files.
    waves = {}
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        written = {
            pool.submit(write_wave, surveys / f"{wave}.csv", spec, items, index): wave
            for index, wave in enumerate(spec.wave_names())
        }
        for done in as_completed(written):
            waves[written[done]] = done.result()
            progress(f"  {written[done]}: {waves[written[done]]:,} responses ({time.perf_counter() - started:.0f} s)")
    waves = {wave: waves[wave] for wave in spec.wave_names()}
    summary = {
        "spec": manifest(spec),
        "waves": waves,
        "invitation_rows": invitations,
        "bytes": sum((surveys / f"{wave}.csv").stat().st_size for wave in waves),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / MANIFEST).write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.generators.national", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--respondents", type=int, default=ScaleSpec.respondents, help="respondents per wave")
    parser.add_argument("--items", type=int, default=ScaleSpec.items, help="scored items in the instrument")
    parser.add_argument("--waves", type=int, default=ScaleSpec.waves, help="survey waves")
    parser.add_argument("--partnerships", type=int, default=ScaleSpec.partnerships, help="partnerships")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, required=True, help="the drop zone to write (EVAL_DATA_DIR)")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="waves written at once (default: cores)")
    arguments = parser.parse_args(argv)
    spec = ScaleSpec(arguments.respondents, arguments.items, arguments.waves, arguments.partnerships, arguments.seed)
    print(f"Writing {spec.waves} waves of {spec.respondents:,} respondents x {spec.items} items to {arguments.out}")
    summary = generate(arguments.out, spec, progress=lambda line: print(line, flush=True), workers=arguments.workers)
    print(f"Done: {summary['bytes'] / 1e6:,.0f} MB of exports in {summary['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
