"""Seeded demo monitoring data: each partnership's indicator register and its monitoring returns, with planted
special causes and one late return.

Written by `make demo-data` (from `pipeline.generators.demo.generate`, with its own random stream so the other
demo files do not change): `reference/indicator_register.csv` and one return per partnership in `monitoring/`.

What is written
---------------
- Every partnership monitors two indicators of its own (`PRO1`, a process indicator, and `OUT1`, an output),
  chosen by its wicked problem (`TEMPLATES`) and tied to a secondary driver of its driver diagram and a Marmot
  objective. The baseline is dated the day before the partnership's support starts and the target at its end.
- Returns run monthly from the month support starts to March 2018 (36 months for round 1, 24 for round 2);
  the output indicators of P03, P06, P09, P23, P26 and P29 are quarterly (12 quarters for round 1, so charted;
  8 for round 2, fewer than the 12 points an SPC chart needs, so not).
- Layouts: P01-P10 a long CSV (`partnership_id, indicator_id, period, value`; months as `2015-04`, quarters as
  `2015 Q2`); P11-P20 a wide CSV (one row per indicator, one column per month headed `Apr 2015`); P21-P30 an
  Excel workbook whose first sheet starts with a header block (`Partnership: P21`, `Owner: ...`, `Returned:
  ...`) above an `indicator_id, period, value` table with the periods as date cells.
- Each series is a stable process (common-cause variation only) around a level that is past the target (on
  track) or about halfway from baseline to target (off track), drawn again until its SPC chart shows no special
  cause, except where one is planted below.

Planted truth (`PLANTED`: exactly these points are flagged by the Making Data Count rules, and no others)
-------------------------------------------------------------------------------------------------------
- P04-PRO1 (Brighton and Hove, brief interventions delivered, higher is better): one point beyond the lower
  process limit, January 2016 (a concern).
- P12-OUT1 (Middlesbrough, median days waiting for specialist treatment, lower is better): a shift, the last
  8 months (August 2017 to March 2018) below the mean (an improvement).
- P17-PRO1 (Birmingham, early antenatal booking, higher is better): a rising trend of 7 points, February to
  August 2017 (an improvement).
- P24-OUT1 (Doncaster, follow-up after an emergency presentation, higher is better): two of three points near
  the upper limit, May and June 2017 (July on the same side; an improvement).
- Late return (`LATE`): P21-OUT1 (Great Yarmouth) stops at February 2018; March 2018, the latest month any
  partnership returned, is late. No other return is late or missing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.generators.files import Partnership, fixed_xlsx_timestamps, write_atomically
from pipeline.methods.spc import special_causes

SEED = 2018
LAST_PERIOD = date(2018, 3, 1)
QUARTERLY_OUTPUTS = {"P03", "P06", "P09", "P23", "P26", "P29"}
RULES = ("beyond_limit", "shift", "trend", "two_of_three")
REGISTER_COLUMNS = [
    "partnership_id",
    "indicator_id",
    "indicator_name",
    "indicator_type",
    "driver",
    "marmot_objective",
    "unit",
    "polarity",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "frequency",
    "data_owner",
]


@dataclass(frozen=True)
class Template:
    """One indicator a partnership with a given wicked problem monitors, and how its values behave."""

    suffix: str
    name: str
    indicator_type: str
    driver: str
    marmot_objective: str
    unit: str
    polarity: str
    baseline: float
    target: float
    sd: float
    decimals: int
    owner: str


def _pair(process: tuple, output: tuple) -> list[Template]:
    return [
        Template("PRO1", *process[:1], "process", *process[1:]),
        Template("OUT1", *output[:1], "output", *output[1:]),
    ]


# name, driver, Marmot objective, unit, polarity, baseline, target, sd, decimals, owner ({name}: the partnership)
TEMPLATES: dict[str, list[Template]] = {
    "infant_mortality": _pair(
        ("Pregnant women booked for antenatal care by 10 weeks", "IM1a", "best_start", "percentage",
         "higher_is_better", 62.0, 80.0, 2.0, 1, "{name} maternity services"),
        ("Families given safe sleeping advice at a health visitor contact", "IM2a", "best_start", "people",
         "higher_is_better", 120.0, 180.0, 9.0, 0, "{name} health visiting service"),
    ),
    "teenage_pregnancy": _pair(
        ("Secondary schools delivering relationships and sex education", "TP1a", "capabilities_control",
         "percentage", "higher_is_better", 45.0, 80.0, 2.5, 1, "{name} Council education team"),
        ("Young people attending after-school sexual health clinics", "TP2a", "ill_health_prevention", "people",
         "higher_is_better", 60.0, 110.0, 6.0, 0, "{name} sexual health service"),
    ),
    "childhood_obesity": _pair(
        ("Schools running daily physical activity", "CO2b", "capabilities_control", "schools", "higher_is_better",
         12.0, 40.0, 2.5, 0, "{name} Council school sport partnership"),
        ("Families completing a weight-management programme", "CO3a", "ill_health_prevention", "people",
         "higher_is_better", 30.0, 60.0, 4.0, 0, "{name} Council public health"),
    ),
    "alcohol_harm": _pair(
        ("Brief interventions delivered in primary care", "AH2a", "ill_health_prevention", "interventions",
         "higher_is_better", 150.0, 260.0, 12.0, 0, "{name} Clinical Commissioning Group"),
        ("Median days waiting for specialist alcohol treatment", "AH3a", "ill_health_prevention", "days",
         "lower_is_better", 28.0, 14.0, 1.6, 1, "{name} recovery service"),
    ),
    "adult_smoking": _pair(
        ("Frontline staff trained in very brief advice", "AS2b", "ill_health_prevention", "people",
         "higher_is_better", 40.0, 90.0, 5.0, 0, "{name} Council public health"),
        ("Four-week quits through stop smoking services", "AS2a", "ill_health_prevention", "people",
         "higher_is_better", 55.0, 95.0, 6.0, 0, "{name} stop smoking service"),
    ),
    "youth_self_harm": _pair(
        ("Schools with a mental health support team", "SH1a", "capabilities_control", "schools",
         "higher_is_better", 5.0, 30.0, 2.0, 0, "{name} child and adolescent mental health service"),
        ("Young people followed up within 72 hours of an emergency presentation", "SH2b", "ill_health_prevention",
         "percentage", "higher_is_better", 50.0, 80.0, 2.5, 1, "{name} liaison psychiatry team"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Planted:
    """A planted special cause: the rule and the periods (first days of months) it flags, nothing else."""

    partnership_id: str
    indicator_id: str
    rule: str
    periods: tuple[date, ...]


def _months(start: date, count: int) -> tuple[date, ...]:
    index = start.year * 12 + start.month - 1
    return tuple(date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count))


PLANTED = (
    Planted("P04", "P04-PRO1", "beyond_limit", (date(2016, 1, 1),)),
    Planted("P12", "P12-OUT1", "shift", _months(date(2017, 8, 1), 8)),
    Planted("P17", "P17-PRO1", "trend", _months(date(2017, 2, 1), 7)),
    Planted("P24", "P24-OUT1", "two_of_three", (date(2017, 5, 1), date(2017, 6, 1))),
)
LATE = ("P21", "P21-OUT1", date(2018, 3, 1))
"""The one late return: (partnership, indicator, period due but not returned)."""


@dataclass(frozen=True)
class Indicator:
    partnership: Partnership
    indicator_id: str
    template: Template
    frequency: str
    periods: tuple[date, ...]
    values: tuple[float, ...]


def _series(
    template: Template, periods: tuple[date, ...], on_track: bool, planted: Planted | None, rng: np.random.Generator
) -> tuple[float, ...]:
    """Values for `periods`: a stable process on or off track, with `planted` (if any) as its only special cause.

    Drawn again until the SPC chart of the rounded values flags exactly the planted points (or none)."""
    gap = template.target - template.baseline
    level = template.target + 3 * template.sd * np.sign(gap) if on_track else template.baseline + 0.5 * gap
    sd = template.sd
    expected = {rule: set() for rule in RULES}
    if planted:
        expected[planted.rule] = {periods.index(p) for p in planted.periods}
    for _ in range(20_000):
        values = level + rng.normal(0, sd, len(periods))
        if planted and planted.rule == "beyond_limit":
            values[min(expected["beyond_limit"])] = level - 5 * sd
        elif planted and planted.rule == "shift":
            window = sorted(expected["shift"])
            values[window] -= 1.5 * sd  # a step down
        elif planted and planted.rule == "trend":
            window = sorted(expected["trend"])
            values[window] = level + np.sort(rng.normal(0, sd * 0.6, len(window))) + np.linspace(-sd, sd, len(window))
        elif planted and planted.rule == "two_of_three":
            first = min(expected["two_of_three"])
            values[[first, first + 1]] = level + 2.45 * sd + rng.normal(0, 0.1 * sd, 2)
            values[first + 2] = level + 0.5 * sd
        values = np.round(values, template.decimals)
        if template.decimals == 0:
            values = values + 0.0  # no negative zero
        flags = special_causes(values)
        found = {rule: set(np.flatnonzero(flags[rule].to_numpy())) for rule in RULES}
        if found == expected and (values > 0).all() and (template.unit != "percentage" or (values <= 100).all()):
            return tuple(float(v) for v in values)
    raise RuntimeError(f"monitoring demo: no series found for {template.name} with {planted}")


def plan(partnerships: list[Partnership], reference_dir: Path, seed: int = SEED) -> list[Indicator]:
    """Every demo indicator with its periods and values (deterministic for `seed`)."""
    rng = np.random.default_rng(seed)
    frame = pd.read_csv(reference_dir / "partnerships.csv", dtype=str).set_index("partnership_id")
    planted = {p.indicator_id: p for p in PLANTED}
    out = []
    for partnership in partnerships:
        row = frame.loc[partnership.partnership_id]
        start = date.fromisoformat(row["support_start"]).replace(day=1)
        months = _months(start, (LAST_PERIOD.year - start.year) * 12 + LAST_PERIOD.month - start.month + 1)
        for template in TEMPLATES[row["wicked_problem"]]:
            indicator_id = f"{partnership.partnership_id}-{template.suffix}"
            quarterly = template.suffix == "OUT1" and partnership.partnership_id in QUARTERLY_OUTPUTS
            periods = tuple(m for m in months if m.month in (1, 4, 7, 10)) if quarterly else months
            if indicator_id == LATE[1]:
                periods = tuple(p for p in periods if p < LATE[2])
            values = _series(template, periods, bool(rng.random() < 0.6), planted.get(indicator_id), rng)
            out.append(
                Indicator(partnership, indicator_id, template, "quarterly" if quarterly else "monthly", periods, values)
            )
    return out


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _register(indicators: list[Indicator], reference_dir: Path) -> bytes:
    frame = pd.read_csv(reference_dir / "partnerships.csv", dtype=str).set_index("partnership_id")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REGISTER_COLUMNS)
    for indicator in indicators:
        t, p = indicator.template, indicator.partnership
        row = frame.loc[p.partnership_id]
        baseline_date = date.fromisoformat(row["support_start"]) - timedelta(days=1)
        writer.writerow(
            [p.partnership_id, indicator.indicator_id, t.name, t.indicator_type, t.driver, t.marmot_objective, t.unit,
             t.polarity, _number(t.baseline, t.decimals), baseline_date.isoformat(), _number(t.target, t.decimals),
             row["support_end"], indicator.frequency, t.owner.format(name=p.partnership_name)]
        )  # fmt: skip
    return buffer.getvalue().encode()


def _period_text(period: date, frequency: str) -> str:
    return f"{period.year} Q{(period.month - 1) // 3 + 1}" if frequency == "quarterly" else f"{period:%Y-%m}"


def _long_csv(indicators: list[Indicator]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["partnership_id", "indicator_id", "period", "value"])
    for i in indicators:
        for period, value in zip(i.periods, i.values, strict=True):
            writer.writerow(
                [i.partnership.partnership_id, i.indicator_id, _period_text(period, i.frequency),
                 _number(value, i.template.decimals)]
            )  # fmt: skip
    return buffer.getvalue().encode()


def _wide_csv(indicators: list[Indicator]) -> bytes:
    months = sorted({p for i in indicators for p in i.periods} | {LAST_PERIOD})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["partnership_id", "indicator_id", *[f"{m:%b %Y}" for m in months]])
    for i in indicators:
        values = dict(zip(i.periods, i.values, strict=True))
        cells = [_number(values[m], i.template.decimals) if m in values else "" for m in months]
        writer.writerow([i.partnership.partnership_id, i.indicator_id, *cells])
    return buffer.getvalue().encode()


def _workbook(partnership: Partnership, indicators: list[Indicator]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Return"
    sheet.append([f"Partnership: {partnership.partnership_id}"])
    sheet.append(["Owner:", f"{partnership.partnership_name} Healthy Places partnership board"])
    sheet.append(["Returned: 10 April 2018"])
    sheet.append(["indicator_id", "period", "value"])
    for i in indicators:
        for period, value in zip(i.periods, i.values, strict=True):
            sheet.append([i.indicator_id, datetime(period.year, period.month, 1), value])
            sheet.cell(sheet.max_row, 2).number_format = "mmm yyyy"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_xlsx_timestamps(buffer.getvalue())


def write_monitoring(data_dir: Path, partnerships: list[Partnership], seed: int = SEED) -> int:
    """Write `reference/indicator_register.csv` and one return per partnership into `monitoring/`; returns the
    number of values returned."""
    reference_dir = data_dir / "reference"
    indicators = plan(partnerships, reference_dir, seed)
    write_atomically(reference_dir / "indicator_register.csv", _register(indicators, reference_dir))
    folder = data_dir / "monitoring"
    for index, partnership in enumerate(partnerships):
        own = [i for i in indicators if i.partnership == partnership]
        stem = f"{partnership.partnership_id} {partnership.partnership_name} monitoring return"
        if index < 10:
            write_atomically(folder / f"{stem}.csv", _long_csv(own))
        elif index < 20:
            write_atomically(folder / f"{stem}.csv", _wide_csv(own))
        else:
            write_atomically(folder / f"{stem}.xlsx", _workbook(partnership, own))
    return sum(len(i.values) for i in indicators)
