"""Time-period labels as Fingertips and its tidy derivatives write them, parsed into dates.

Fingertips (fingertips.phe.org.uk) labels each value's time period with a short text, and the files derived
from it (FingertipsNext, Trafford Data Lab's tidy series) copy those labels:

| label                | kind             | start       | end         |
|----------------------|------------------|-------------|-------------|
| `2015`               | calendar year    | 1 Jan 2015  | 31 Dec 2015 |
| `2015/16`            | financial year   | 1 Apr 2015  | 31 Mar 2016 |
| `2015/16` (academic) | academic year    | 1 Sep 2015  | 31 Aug 2016 |
| `2013 - 15`, `2013-15`, `2013 - 2015` | multi-year (calendar) | 1 Jan 2013 | 31 Dec 2015 |
| `2020/21 - 24/25`    | multi-year (financial or academic years) | 1 Apr 2020 | 31 Mar 2025 |
| `2015/16 Q3`         | quarter (of a financial year: Q1 = Apr-Jun) | 1 Oct 2015 | 31 Dec 2015 |
| `2019 Q1`            | quarter (of a calendar year) | 1 Jan 2019 | 31 Mar 2019 |
| `Jan 2020`, `2020 Jan`, `January 2020` | month | 1 Jan 2020 | 31 Jan 2020 |

Financial years run April to March (HM Treasury). A `YYYY/YY` label does not say whether it is a financial
or an academic (school) year, September to August: the caller says so with `year_type`, from the
indicator's metadata (the National Child Measurement Programme, for example, reports school years).

`sort_key` orders periods by start date, then shorter before longer: it is the start date written as
YYYYMMDD, times 1,000, plus the length in months. It orders the periods of the bundled Fingertips download
exactly as its own "Time period Sortable" column does.

`parse_period` raises `PeriodError` with the reason a label cannot be read; `parse_periods` never raises
for a bad label but reports the reason in a `period_error` column, so the pipeline can quarantine the row.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import pandas as pd

__all__ = ["EARLIEST_YEAR", "Period", "PeriodError", "YearType", "parse_period", "parse_periods"]

YearType = Literal["financial", "academic"]
PeriodKind = Literal["calendar year", "financial year", "academic year", "multi-year", "quarter", "month"]

# No public-health series in scope starts before this; an earlier year is a typing error.
EARLIEST_YEAR = 1900

# First month of a "YYYY/YY" year.
_YEAR_START_MONTH: dict[str, int] = {"financial": 4, "academic": 9}

_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
    _MONTHS[calendar.month_name[_number].lower()] = _number
_MONTHS["sept"] = 9

_DASH = r"\s*[-\u2013\u2014]\s*"  # hyphen, en dash or em dash, spaced or not
_CALENDAR_YEAR = re.compile(r"(\d{4})")
_SPLIT_YEAR = re.compile(r"(\d{4})/(\d{2})")
_CALENDAR_RANGE = re.compile(rf"(\d{{4}}){_DASH}(\d{{4}}|\d{{2}})")
_SPLIT_YEAR_RANGE = re.compile(rf"(\d{{4}})/(\d{{2}}){_DASH}(\d{{4}}|\d{{2}})/(\d{{2}})")
_SPLIT_YEAR_QUARTER = re.compile(r"(\d{4})/(\d{2})\s*Q([1-4])", re.IGNORECASE)
_CALENDAR_QUARTER = re.compile(r"(\d{4})\s*Q([1-4])", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})\s+([A-Za-z]{3,9})\.?")


class PeriodError(ValueError):
    """A time-period label that cannot be read; the message gives the label and the reason."""


@dataclass(frozen=True)
class Period:
    """One parsed time period: the label as given, its first and last day, an ordering key and its kind."""

    label: str
    start: date
    end: date
    sort_key: int
    kind: PeriodKind


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _period(label: str, start: date, months: int, kind: PeriodKind) -> Period:
    end = _add_months(start, months) - timedelta(days=1)
    sort_key = int(start.strftime("%Y%m%d")) * 1000 + months
    return Period(label=label, start=start, end=end, sort_key=sort_key, kind=kind)


def _split_year(label: str, first: str, second: str) -> int:
    """The first year of a "YYYY/YY" pair, after checking that the second year follows it."""
    year = int(first)
    expected = (year + 1) % 100
    if int(second) != expected:
        raise PeriodError(f"{label!r}: {first}/{second} is not one year and the next (expected {first}/{expected:02d})")
    return year


def _range_end(label: str, start_year: int, written: str) -> int:
    """The last year of a range whose end is written with four or two digits ("2013 - 15")."""
    if len(written) == 4:
        end_year = int(written)
    else:
        end_year = start_year // 100 * 100 + int(written)
        # Only a range from the 1990s into the 2000s ("1999 - 01") crosses a century; "2015 - 14" is an error.
        if end_year <= start_year and start_year % 100 >= 90 and int(written) < 10:
            end_year += 100
    if end_year <= start_year:
        raise PeriodError(f"{label!r}: a range must end after it starts (starts {start_year}, ends {end_year})")
    return end_year


def _check_years(label: str, period: Period, latest_year: int) -> Period:
    if period.start.year < EARLIEST_YEAR:
        raise PeriodError(f"{label!r}: starts in {period.start.year}, before {EARLIEST_YEAR}")
    if period.end.year > latest_year:
        raise PeriodError(
            f"{label!r}: ends in {period.end.year}, after {latest_year}, so no statistic can have been published for it"
        )
    return period


def parse_period(label: str, year_type: YearType = "financial", latest_year: int | None = None) -> Period:
    """Parse one Fingertips time-period label (see the module docstring for the forms read).

    `year_type` says whether "YYYY/YY" labels (alone, in ranges and before quarters) are financial years
    (April-March, the default and Fingertips' usual meaning) or academic years (September-August).
    Quarters are read only for financial and calendar years. `latest_year` (default: next calendar year)
    is the last year a published period can end in. Raises PeriodError naming the label and the reason.
    """
    if year_type not in _YEAR_START_MONTH:
        raise ValueError(f"year_type must be 'financial' or 'academic', not {year_type!r}")
    if latest_year is None:
        latest_year = date.today().year + 1
    if not isinstance(label, str):
        raise PeriodError("missing period label (empty cell)")
    text = " ".join(label.split())
    if not text:
        raise PeriodError("'': empty period label")

    year_start = _YEAR_START_MONTH[year_type]
    single_kind: PeriodKind = "financial year" if year_type == "financial" else "academic year"

    if match := _CALENDAR_YEAR.fullmatch(text):
        period = _period(label, date(int(match[1]), 1, 1), 12, "calendar year")
    elif match := _SPLIT_YEAR.fullmatch(text):
        year = _split_year(label, match[1], match[2])
        period = _period(label, date(year, year_start, 1), 12, single_kind)
    elif match := _SPLIT_YEAR_RANGE.fullmatch(text):
        first = _split_year(label, match[1], match[2])
        last = _split_year(label, str(_range_end(label, first, match[3])), match[4])
        period = _period(label, date(first, year_start, 1), 12 * (last - first + 1), "multi-year")
    elif match := _CALENDAR_RANGE.fullmatch(text):
        first = int(match[1])
        last = _range_end(label, first, match[2])
        period = _period(label, date(first, 1, 1), 12 * (last - first + 1), "multi-year")
    elif match := _SPLIT_YEAR_QUARTER.fullmatch(text):
        if year_type != "financial":
            raise PeriodError(
                f"{label!r}: quarters are defined for financial and calendar years, not {year_type} years"
            )
        year = _split_year(label, match[1], match[2])
        period = _period(label, _add_months(date(year, 4, 1), 3 * (int(match[3]) - 1)), 3, "quarter")
    elif match := _CALENDAR_QUARTER.fullmatch(text):
        period = _period(label, date(int(match[1]), 3 * (int(match[2]) - 1) + 1, 1), 3, "quarter")
    elif (match := _MONTH_YEAR.fullmatch(text)) or (match := _YEAR_MONTH.fullmatch(text)):
        name, year_text = (match[1], match[2]) if match.re is _MONTH_YEAR else (match[2], match[1])
        month = _MONTHS.get(name.lower())
        if month is None:
            raise PeriodError(f"{label!r}: {name!r} is not a month name")
        period = _period(label, date(int(year_text), month, 1), 1, "month")
    else:
        raise PeriodError(
            f"{label!r}: not a period label Fingertips uses (expected e.g. 2015, 2015/16, 2013 - 15, "
            "2020/21 - 24/25, 2015/16 Q3, 2019 Q1 or Jan 2020)"
        )
    return _check_years(label, period, latest_year)


def parse_periods(labels: pd.Series, year_type: YearType = "financial", latest_year: int | None = None) -> pd.DataFrame:
    """Parse a column of period labels; never raises for a bad label.

    Returns a DataFrame on the same index with columns `period` (the label as given), `kind`, `start`,
    `end` (datetime64, NaT when unreadable), `sort_key` (nullable Int64) and `period_error` (None, or the
    reason the label cannot be read). Each distinct label is parsed once.
    """
    values = labels.astype(object)
    # Missing cells (None, NaN) share one key: NaN is not equal to itself, so it cannot be a dict key.
    keys = [None if not isinstance(label, str) and pd.isna(label) else label for label in values]
    parsed: dict[object, Period | str] = {}
    for key in dict.fromkeys(keys):
        try:
            parsed[key] = parse_period(key, year_type=year_type, latest_year=latest_year)  # type: ignore[arg-type]
        except PeriodError as error:
            parsed[key] = str(error)
    results = [parsed[key] for key in keys]

    def field(name: str) -> list[object]:
        return [getattr(result, name) if isinstance(result, Period) else None for result in results]

    return pd.DataFrame(
        {
            "period": values,
            "kind": field("kind"),
            "start": pd.to_datetime(field("start")),
            "end": pd.to_datetime(field("end")),
            "sort_key": pd.array(field("sort_key"), dtype="Int64"),
            "period_error": [result if isinstance(result, str) else None for result in results],
        },
        index=labels.index,
    )
