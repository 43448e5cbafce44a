"""The indicator register checked against the reference data, the returns checked against the register, and
the returns that are late or missing."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pandas as pd

from pipeline.monitoring import schemas
from pipeline.monitoring.returns import EXPECTED_PERIOD, parse_period
from pipeline.staging import StageReport, read_frame, write_validated
from pipeline.validation import Validated, reject_unknown, reject_where, revalidate, validate_frame
from pipeline.warehouse import load_sql, replace_table, table_exists

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def stage_indicator_register(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """`staging.indicator_register`: the register validated against its model, then against the reference
    data: an unknown partnership, a driver outside the partnership's driver diagram, or an unknown Marmot
    objective sends the row to quarantine with the column and what was expected."""
    rows = read_frame(con, load_sql(__file__, "indicator_register"))
    result = validate_frame(rows.drop(columns="wicked_problem"), schemas.IndicatorRegister)
    known = read_frame(con, "SELECT partnership_id, wicked_problem FROM staging.partnerships")
    problem_of = dict(zip(known["partnership_id"], known["wicked_problem"], strict=True))
    result = Validated(
        result.valid.assign(wicked_problem=result.valid["partnership_id"].map(problem_of)), result.quarantined
    )
    result = reject_unknown(
        result, "partnership_id", set(problem_of), "partnership {value!r} is not in reference/partnerships.csv"
    )
    diagrams = read_frame(
        con, "SELECT wicked_problem, primary_driver_id, secondary_driver_id FROM staging.driver_diagrams"
    )
    drivers = {
        (r.wicked_problem, d) for r in diagrams.itertuples() for d in (r.primary_driver_id, r.secondary_driver_id)
    }
    outside = ~pd.Series(
        [
            (w, d.strip()) in drivers
            for w, d in zip(result.valid["wicked_problem"], result.valid["driver"], strict=True)
        ],
        index=result.valid.index,
        dtype=bool,
    )
    result = reject_where(
        result,
        outside,
        [
            f"column 'driver': {d!r} is not a driver of the {w} driver diagram (reference/driver_diagrams.csv)"
            for d, w in zip(
                result.valid.loc[outside, "driver"], result.valid.loc[outside, "wicked_problem"], strict=True
            )
        ],
    )
    objectives = set(read_frame(con, "SELECT objective_id FROM staging.marmot_objectives")["objective_id"])
    result = reject_unknown(
        result,
        "marmot_objective",
        objectives,
        "Marmot objective {value!r} is not in reference/marmot_objectives.csv",
        applies=result.valid["marmot_objective"].notna(),
    )
    return [write_validated(con, "indicator_register", revalidate(result, schemas.IndicatorRegister))]


def _is_percentage(unit: object) -> bool:
    return isinstance(unit, str) and ("percent" in unit.lower() or unit.strip() == "%")


def _value_problem(text: object, unit: object) -> tuple[float | None, str | None]:
    """The number a returned value holds, or why it holds none in the indicator's unit."""
    raw = "" if text is None or pd.isna(text) else str(text).strip()
    cleaned = raw.replace(",", "")
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%").strip()
    if not _NUMBER.match(cleaned):
        return None, f"column 'value': {raw!r} is not a number"
    if percent and not _is_percentage(unit):
        return None, f"column 'value': {raw!r} is a percentage but the indicator's unit is {unit!r}"
    number = float(cleaned)
    if _is_percentage(unit) and not 0 <= number <= 100:
        return None, f"column 'value': {raw!r} is outside 0-100, the range of the indicator's unit {unit!r}"
    return number, None


def _period_problem(text: object, frequency: str) -> tuple[date | None, str | None]:
    """The period a return names (its first day), or why it names none for an indicator of `frequency`."""
    period = parse_period(text)
    if period is None:
        return None, f"column 'period': {text!r} is not a period; expected {EXPECTED_PERIOD}"
    if frequency == "quarterly" and period.month not in (1, 4, 7, 10):
        return None, f"column 'period': {text!r} is not the first month of a calendar quarter (a quarterly indicator)"
    return period, None


def stage_returns(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """`staging.monitoring_returns` (one row per partnership x indicator x period) and `staging.monitoring_gaps`.

    Quarantined with the reason: an indicator not in the partnership's register, a period that is not one, a
    value that is not a number in the indicator's unit, and every return of a period returned more than once."""
    rows = read_frame(con, load_sql(__file__, "monitoring_returns"))
    unknown = rows["frequency"].isna()
    result = reject_where(
        Validated.passing(rows),
        unknown,
        [
            f"column 'indicator_id': {i!r} is not in {p!r}'s indicator register (reference/indicator_register.csv)"
            for p, i in zip(rows.loc[unknown, "partnership_id"], rows.loc[unknown, "indicator_id"], strict=True)
        ],
    )
    frame = result.valid
    parsed = [_period_problem(t, f) for t, f in zip(frame["period"], frame["frequency"], strict=True)]
    values = [_value_problem(t, u) for t, u in zip(frame["value"], frame["unit"], strict=True)]
    reasons = ["; ".join(r for r in (p[1], v[1]) if r) for p, v in zip(parsed, values, strict=True)]
    bad = pd.Series([bool(r) for r in reasons], index=frame.index, dtype=bool)
    frame = frame.assign(period=[p[0] for p in parsed], value=[v[0] for v in values])
    result = reject_where(Validated(frame, result.quarantined), bad, [r for r in reasons if r])
    frame = result.valid
    repeated = frame.duplicated(["partnership_id", "indicator_id", "period"], keep=False)
    result = reject_where(
        result,
        repeated,
        [
            f"column 'period': {p:%Y-%m} is returned more than once for {pid}/{ind}; which value holds is for the partnership to say"
            for pid, ind, p in frame.loc[repeated, ["partnership_id", "indicator_id", "period"]].itertuples(index=False)
        ],
    )
    report = write_validated(con, "monitoring_returns", revalidate(result, schemas.MonitoringReturn))
    gaps = return_gaps(
        read_frame(
            con, "SELECT partnership_id, indicator_id, frequency, baseline_date FROM staging.indicator_register"
        ),
        read_frame(con, "SELECT partnership_id, indicator_id, period FROM staging.monitoring_returns"),
    )
    rows_written = replace_table(con, "staging.monitoring_gaps", schemas.ReturnGap.validate(gaps))
    report.gaps["late_returns"] = sorted(
        f"{r.partnership_id}/{r.indicator_id} {r.period:%Y-%m}" for r in gaps[gaps.status == "late"].itertuples()
    )
    return [report, StageReport("staging.monitoring_gaps", rows_written, 0)]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months(start: date, end: date, step: int) -> list[date]:
    """First days of every `step`-th month from `start` to `end` inclusive."""
    out = []
    while start <= end:
        out.append(start)
        start = _add_months(start, step)
    return out


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def return_gaps(register: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """Periods due but not returned, per indicator of `register` given the valid `returns`.

    The current period is the latest month any partnership returned. Due: every month (monthly) or every
    calendar quarter that has ended by the current period (quarterly), from the one after the baseline date
    (or, without one, the indicator's first return). A due period after the indicator's last return is
    `late`; one before it is `missing`."""
    columns = ["partnership_id", "indicator_id", "frequency", "period", "status"]
    out = []
    if not returns.empty:
        current = pd.Timestamp(returns["period"].max()).date().replace(day=1)
        received = returns.assign(period=pd.to_datetime(returns["period"]).dt.date)
        periods = {key: set(group) for key, group in received.groupby(["partnership_id", "indicator_id"])["period"]}
        for row in register.itertuples(index=False):
            got = periods.get((row.partnership_id, row.indicator_id), set())
            quarterly = row.frequency == "quarterly"
            step = 3 if quarterly else 1
            if pd.notna(row.baseline_date):
                baseline = pd.Timestamp(row.baseline_date).date()
                first = _add_months(_quarter_start(baseline) if quarterly else baseline.replace(day=1), step)
            elif got:
                first = min(got)
            else:
                continue
            # A quarter is due once its last month has come.
            last_due = (
                (_quarter_start(current) if current.month % 3 == 0 else _add_months(_quarter_start(current), -3))
                if quarterly
                else current
            )
            last_returned = max(got) if got else None
            for period in _months(first, last_due, step):
                if period not in got:
                    status = "late" if last_returned is None or period > last_returned else "missing"
                    out.append((row.partnership_id, row.indicator_id, row.frequency, pd.Timestamp(period), status))
    frame = pd.DataFrame(out, columns=columns)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def returns_due(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The late and missing returns (`staging.monitoring_gaps`), late first, with the partnership's and the
    indicator's names; no rows before the monitoring assets have run."""
    if not table_exists(con, "staging.monitoring_gaps"):
        return pd.DataFrame(columns=list(schemas.ReturnGap.to_schema().columns))
    return con.execute(load_sql(__file__, "returns_due")).df()
