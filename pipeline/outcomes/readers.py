"""Readers for outcome statistics and deprivation context: the raw layer, "as received, with lineage".

Every reader returns a pandas DataFrame whose value columns hold the cell text exactly as in the file
(`None` for an empty cell), under snake_case column names, plus `source_row`: the 1-based line number in
the file where the record starts (the header is line 1; a record can span several lines when a quoted
field holds a newline, as Fingertips' indicator names do). Nothing is dropped and nothing is converted:
typing, "NA" handling and validation belong to staging. The one documented exception is that
`read_fingertips_csv` trims the whitespace and newline that Fingertips puts around indicator names.

Header names are matched tolerantly (case, spaces and punctuation ignored, any column order), so
"Time period", "TimePeriod" and "timeperiod" are the same column. Columns a reader does not know are kept,
snake_cased, after the known ones. Bad input raises `InputFileError` naming the file, the line and what
was expected. Each reader takes the `ReadLimits` its file is checked against before it is read
(`pipeline.safe_files`: a regular file inside the drop zone, within the column limit), so an error quotes
a header only from a file that passed.

Formats:
- `read_fingertips_csv`: the Fingertips (fingertips.phe.org.uk) data download, 26 columns.
- `read_tidy_outcome_csv`: tidy per-area series as published by Trafford Data Lab
  (`area_code, area_name, period, value, indicator, ...`).
- `read_fingertipsnext`: the database-style layout of Fingertips' successor (`healthdata.csv` +
  `indicators.csv`).
- `read_iod_tidy`: English Indices of Deprivation local-authority summaries in long form.
- `read_age_banded_csv`: counts and populations by age band per area and period (the shape of
  PHEindicatormethods' DSR test data), from which staging computes directly standardised rates.
- `sniff_outcome_format`: which of the outcome formats a file's header belongs to.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.csv_layout import Layout, column, missing_required, quoted_header, read_header, read_layout
from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits

__all__ = [
    "read_age_banded_csv",
    "read_fingertips_csv",
    "read_fingertipsnext",
    "read_iod_tidy",
    "read_tidy_outcome_csv",
    "sniff_outcome_format",
]


_FINGERTIPS = Layout(
    "Fingertips data download",
    (
        column("indicator_id", "Indicator ID", required=True),
        column("indicator_name", "Indicator Name"),
        column("parent_code", "Parent Code"),
        column("parent_name", "Parent Name"),
        column("area_code", "Area Code", required=True),
        column("area_name", "Area Name"),
        column("area_type", "Area Type"),
        column("sex", "Sex"),
        column("age", "Age"),
        column("category_type", "Category Type"),
        column("category", "Category"),
        column("time_period", "Time period", required=True),
        column("value", "Value", required=True),
        column("lower_ci95", "Lower CI 95.0 limit"),
        column("upper_ci95", "Upper CI 95.0 limit"),
        column("lower_ci998", "Lower CI 99.8 limit"),
        column("upper_ci998", "Upper CI 99.8 limit"),
        column("count", "Count"),
        column("denominator", "Denominator"),
        column("value_note", "Value note"),
        column("recent_trend", "Recent Trend"),
        column("compared_to_england", "Compared to England value or percentiles"),
        column("compared_to_region", "Compared to Region value or percentiles"),
        column("time_period_sortable", "Time period Sortable"),
        column("new_data", "New data"),
        column("compared_to_goal", "Compared to goal"),
    ),
)

_TIDY = Layout(
    "tidy outcome series",
    (
        column("area_code", required=True),
        column("area_name"),
        column("area_type"),
        column("period", required=True),
        column("indicator_name", "indicator", "indicator_name", required=True),
        column("measure"),
        # Trafford Data Lab's `unit` holds the sex ("Persons", "Female"), not a unit; kept as received.
        column("unit"),
        column("value", required=True),
        # trafford_dashboard calls it `significance`, trafford_themes `compared_to_England`.
        column("compared_to_england", "significance", "compared_to_England"),
        # trafford_themes' `inequality`: deprivation quintile, or sex for life expectancy; "NA" when none.
        column("category", "inequality", "category"),
    ),
)

_FINGERTIPSNEXT = Layout(
    "FingertipsNext healthdata",
    (
        column("indicator_id", "IndicatorId", required=True),
        column("area_code", "AreaCode", required=True),
        column("year", "Year", required=True),
        column("sex", "Sex"),
        column("age", "Age"),
        column("category_type", "CategoryType"),
        column("category", "Category"),
        column("value", "Value", required=True),
        # One interval per row; the values are consistent with 95% limits (e.g. 20401 England 2018).
        column("lower_ci95", "LowerCI"),
        column("upper_ci95", "UpperCI"),
        column("count", "Count"),
        column("denominator", "Denominator"),
        column("trend", "Trend"),
    ),
)

_FINGERTIPSNEXT_INDICATORS = Layout(
    "FingertipsNext indicators lookup",
    (
        column("indicator_id", "IndicatorID", required=True),
        column("indicator_name", "IndicatorName", required=True),
    ),
)

_IOD = Layout(
    "Indices of Deprivation tidy summary",
    (
        column("lad_code", "lad19cd", "lad_code", "area_code", required=True, pattern=r"lad\d\dcd"),
        column("lad_name", "lad19nm", "lad_name", "area_name", pattern=r"lad\d\dnm"),
        column("index_domain", required=True),
        column("average_rank"),
        column("rank_average_rank"),
        column("average_score", required=True),
        column("rank_average_score", required=True),
        column("proportion_bottom_decile"),
        column("rank_proportion_bottom_decile"),
        column("year", "year", "deprivation_data_year"),
    ),
)

# Counts and populations by age band: one row per indicator x area x period (x sex) x age band. Staging turns
# each group into a directly standardised rate (pipeline.methods.dsr), by the 2013 European Standard Population
# unless the file gives its own standard population per band.
_AGE_BANDED = Layout(
    "age-banded counts",
    (
        column("indicator_id", "Indicator ID", "indicator id", required=True),
        column("area_code", "Area Code", "area", required=True),
        column("period", "period", "Time period", "year", required=True),
        column("sex", "Sex"),
        column("age_band", "age band", "ageband", "age group", required=True),
        column("count", "count", "events", "observed", "numerator", required=True),
        column("population", "population", "pop", "pops", required=True),
        column("standard_population", "standard population", "stdpop", "esp2013"),
    ),
)

# Order matters only for the message; the required sets do not overlap (Time period / Year / period; only the
# age-banded layout has no value and needs an age band).
_OUTCOME_FORMATS: dict[str, Layout] = {
    "fingertips": _FINGERTIPS,
    "tidy": _TIDY,
    "fingertipsnext": _FINGERTIPSNEXT,
    "age_banded": _AGE_BANDED,
}


# The raw table each layout is loaded into.
RAW_LAYOUTS = {
    "raw.fingertips_values": _FINGERTIPS,
    "raw.tidy_outcome_values": _TIDY,
    "raw.fingertipsnext_values": _FINGERTIPSNEXT,
    "raw.age_banded_counts": _AGE_BANDED,
    "raw.deprivation": _IOD,
}


def output_columns(table: str) -> list[str]:
    """The columns a reader writes into `table` (before lineage), for an empty raw table."""
    return [column.name for column in RAW_LAYOUTS[table].columns]


# --- public readers ---------------------------------------------------------------------------------


def read_fingertips_csv(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """Read a Fingertips data download (the 26-column "indicators-*.data.csv" format).

    Returns one row per record with columns indicator_id, indicator_name, parent_code, parent_name,
    area_code, area_name, area_type, sex, age, category_type, category, time_period, value, lower_ci95,
    upper_ci95, lower_ci998, upper_ci998, count, denominator, value_note, recent_trend,
    compared_to_england, compared_to_region, time_period_sortable, new_data, compared_to_goal, then any
    unknown columns (snake_cased), then source_row. Required: Indicator ID, Area Code, Time period, Value;
    a missing optional column is a column of None.

    Values are strings as received, except that surrounding whitespace is trimmed from indicator_name:
    Fingertips writes the name with a trailing newline inside the quotes. Data rows shorter than the
    header (Fingertips' own download writes 25 fields under its 26 names, leaving out "Compared to goal")
    read the missing trailing cells as empty.
    """
    path = Path(path)
    frame = read_layout(path, _FINGERTIPS, limits)
    frame["indicator_name"] = [(name.strip() or None) if name is not None else None for name in frame["indicator_name"]]
    return frame


def read_tidy_outcome_csv(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """Read a tidy per-area outcome series (Trafford Data Lab dashboard and themes layouts).

    Returns columns area_code, area_name, area_type, period, indicator_name (from `indicator`), measure,
    unit, value, compared_to_england (from `significance` or `compared_to_England`), category (from
    `inequality`), then any unknown columns, then source_row. Required: area_code, period, value,
    indicator. Values are kept as received: "NA" stays the string "NA", periods such as
    "2020/21 - 24/25" are not parsed, and `unit` (which in these files holds the sex) is not renamed.
    """
    return read_layout(Path(path), _TIDY, limits)


def read_fingertipsnext(
    healthdata_path: str | Path, indicators_path: str | Path, limits: ReadLimits = DEFAULT_LIMITS
) -> pd.DataFrame:
    """Read FingertipsNext's database-style `healthdata.csv`, naming indicators from `indicators.csv`.

    Returns one row per healthdata record with columns indicator_id, indicator_name, area_code, year,
    sex, age, category_type, category, value, lower_ci95, upper_ci95, count, denominator, trend, then the
    file's other columns (e.g. sex_id, age_id, category_type_id, category_id), then source_row (a line in
    healthdata.csv). Both files start with a byte-order mark and the lookups pad column names; both are
    handled. indicator_name is None for an indicator the lookup does not list (the row is kept). The
    lookup's Polarity column is deliberately not carried: its values are seed data and several are wrong.
    """
    healthdata_path, indicators_path = Path(healthdata_path), Path(indicators_path)
    indicators = read_layout(indicators_path, _FINGERTIPSNEXT_INDICATORS, limits)
    repeated = indicators[indicators["indicator_id"].duplicated()]
    if not repeated.empty:
        # Two names for one id would make the join ambiguous, so refuse rather than pick one.
        raise InputFileError(
            indicators_path,
            f"indicator {repeated['indicator_id'].iloc[0]} is listed a second time",
            row=int(repeated["source_row"].iloc[0]),
            column="IndicatorID",
            expected="one line per indicator",
        )
    names = dict(zip(indicators["indicator_id"], indicators["indicator_name"], strict=True))

    frame = read_layout(healthdata_path, _FINGERTIPSNEXT, limits)
    frame.insert(1, "indicator_name", pd.Series([names.get(i) for i in frame["indicator_id"]], dtype=object))
    return frame


def read_age_banded_csv(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """Read counts and populations by age band (`indicator_id, area_code, period, age_band, count, population`,
    optionally `sex` and `standard_population`; PHEindicatormethods' names `ageband`, `pops`, `esp2013` work too).

    Returns those columns, then any unknown columns, then source_row, as received (strings). One row per
    indicator x area x period (x sex) x age band; staging computes each group's directly standardised rate.
    """
    return read_layout(Path(path), _AGE_BANDED, limits)


def read_iod_tidy(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """Read an English Indices of Deprivation local-authority summary in long form (one row per district x domain).

    Accepts the 2019 layout (`lad19cd, lad19nm, ..., year`) and the 2025 one (`area_code, area_name,
    area_type, deprivation_data_year, ...`; any `ladNNcd` works too). Returns lad_code, lad_name,
    index_domain, average_rank, rank_average_rank, average_score, rank_average_score,
    proportion_bottom_decile, rank_proportion_bottom_decile, year, then other columns (e.g. area_type),
    then source_row. Values are as received, including float artefacts such as "0.21429999999999999";
    domain names differ between editions ("Income" in 2019, "Income Deprivation" in 2025).
    """
    return read_layout(Path(path), _IOD, limits)


def sniff_outcome_format(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Return "fingertips", "tidy", "fingertipsnext" or "age_banded" according to which format's required columns the header has.

    Only the header is read. Raises InputFileError, naming the columns each format looks for, when the
    header fits none of them, and the columns missing from the format it comes closest to (a download
    with a renamed "Value" column should say so, not only that it is unknown).
    """
    path = Path(path)
    header = read_header(path, limits)
    missing = {name: missing_required(header, layout) for name, layout in _OUTCOME_FORMATS.items()}
    for name, columns in missing.items():
        if not columns:
            return name
    wanted = "; ".join(f"{name} ({layout.describe_required()})" for name, layout in _OUTCOME_FORMATS.items())
    problem = "the header fits no known outcome format"
    closest = min(missing, key=lambda name: len(missing[name]))
    if len(missing[closest]) < len(_OUTCOME_FORMATS[closest].required):  # it has some of that format's columns
        names = ", ".join(column.aliases[0] for column in missing[closest])
        problem += f" (as a {_OUTCOME_FORMATS[closest].label} it lacks {names})"
    found = quoted_header(header)
    raise InputFileError(path, f"{problem}; header found: {found}", row=1, expected=f"one of: {wanted}")


# --- shared machinery -------------------------------------------------------------------------------
