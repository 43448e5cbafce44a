"""Fingertips time-period labels: every label in the bundled outcome files, the documented forms, bad labels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.outcomes.periods import Period, PeriodError, parse_period, parse_periods
from pipeline.outcomes.readers import read_fingertips_csv, read_fingertipsnext, read_tidy_outcome_csv
from pipeline.settings import PROJECT_ROOT

OUTCOMES = PROJECT_ROOT / "data" / "raw" / "outcomes"
FINGERTIPS = OUTCOMES / "fingertips" / "indicators-CountyUA.data.csv"


def _bundled_labels() -> dict[str, set[str]]:
    """Every distinct period label in the bundled outcome files, by file."""
    labels = {FINGERTIPS.name: set(read_fingertips_csv(FINGERTIPS)["time_period"])}
    next_dir = OUTCOMES / "fingertipsnext"
    labels["healthdata.csv"] = set(
        read_fingertipsnext(next_dir / "healthdata.csv", next_dir / "indicators.csv")["year"]
    )
    for path in sorted((OUTCOMES / "tidy").glob("*.csv")):
        labels[path.name] = set(read_tidy_outcome_csv(path)["period"])
    return labels


BUNDLED = _bundled_labels()
ALL_LABELS = sorted(set().union(*BUNDLED.values()))


def test_the_bundled_files_hold_the_label_forms_fingertips_uses():
    assert len(BUNDLED) == 11
    assert {"2015", "2008/09", "2020/21 - 24/25", "2022/23 - 24/25"} <= set(ALL_LABELS)


@pytest.mark.parametrize("label", ALL_LABELS)
def test_every_bundled_label_parses(label: str):
    period = parse_period(label)
    assert period.label == label
    assert period.start < period.end
    if "-" in label:
        assert period.kind == "multi-year"
    elif "/" in label:
        assert period.kind == "financial year"
        assert (period.start, period.end) == (date(int(label[:4]), 4, 1), date(int(label[:4]) + 1, 3, 31))
    else:
        assert period.kind == "calendar year"
        assert (period.start, period.end) == (date(int(label), 1, 1), date(int(label), 12, 31))


def test_no_bundled_label_is_quarantined():
    frame = parse_periods(pd.Series(ALL_LABELS))
    assert frame["period_error"].isna().all(), frame[frame["period_error"].notna()]


def test_sort_key_orders_the_fingertips_download_as_its_time_period_sortable():
    # Fingertips writes "Time period Sortable" beside each label (20150000 for 2015); ordering by our key
    # must give the same order, ties included, on every row of the real download.
    download = read_fingertips_csv(FINGERTIPS)
    ours = parse_periods(download["time_period"])["sort_key"].astype("int64").to_numpy()
    theirs = download["time_period_sortable"].astype("int64").to_numpy()
    assert (np.sign(ours[:, None] - ours[None, :]) == np.sign(theirs[:, None] - theirs[None, :])).all()
    assert set(download["time_period_sortable"]) == {"20150000", "20160000", "20170000"}


@pytest.mark.parametrize(
    ("label", "year_type", "start", "end", "kind"),
    [
        ("2015", "financial", date(2015, 1, 1), date(2015, 12, 31), "calendar year"),
        ("2015/16", "financial", date(2015, 4, 1), date(2016, 3, 31), "financial year"),
        ("2015/16", "academic", date(2015, 9, 1), date(2016, 8, 31), "academic year"),
        ("1999/00", "financial", date(1999, 4, 1), date(2000, 3, 31), "financial year"),
        ("2013 - 15", "financial", date(2013, 1, 1), date(2015, 12, 31), "multi-year"),
        ("2013-15", "financial", date(2013, 1, 1), date(2015, 12, 31), "multi-year"),
        ("2013 - 2015", "financial", date(2013, 1, 1), date(2015, 12, 31), "multi-year"),
        ("2023 - 25", "financial", date(2023, 1, 1), date(2025, 12, 31), "multi-year"),
        ("2020/21 - 24/25", "financial", date(2020, 4, 1), date(2025, 3, 31), "multi-year"),
        ("2020/21 - 24/25", "academic", date(2020, 9, 1), date(2025, 8, 31), "multi-year"),
        ("2022/23 - 24/25", "financial", date(2022, 4, 1), date(2025, 3, 31), "multi-year"),
        ("2015/16 Q1", "financial", date(2015, 4, 1), date(2015, 6, 30), "quarter"),
        ("2015/16 Q3", "financial", date(2015, 10, 1), date(2015, 12, 31), "quarter"),
        ("2015/16 Q4", "financial", date(2016, 1, 1), date(2016, 3, 31), "quarter"),
        ("2019 Q1", "financial", date(2019, 1, 1), date(2019, 3, 31), "quarter"),
        ("Jan 2020", "financial", date(2020, 1, 1), date(2020, 1, 31), "month"),
        ("2020 Jan", "financial", date(2020, 1, 1), date(2020, 1, 31), "month"),
        ("February 2020", "financial", date(2020, 2, 1), date(2020, 2, 29), "month"),
    ],
)
def test_documented_forms(label: str, year_type, start: date, end: date, kind: str):
    period = parse_period(label, year_type=year_type)
    assert (period.start, period.end, period.kind) == (start, end, kind)


def test_sort_key_orders_by_start_then_length():
    labels = ["2016", "2015/16 Q4", "2015/16", "2015", "2013 - 15", "2015/16 Q3", "Jan 2016"]
    ordered = sorted((parse_period(label) for label in labels), key=lambda p: p.sort_key)
    assert [p.label for p in ordered] == [
        "2013 - 15",
        "2015",
        "2015/16",
        "2015/16 Q3",
        "Jan 2016",
        "2015/16 Q4",
        "2016",
    ]
    assert parse_period("2015").sort_key == 20150101012
    assert isinstance(parse_period("2015"), Period)


@pytest.mark.parametrize(
    ("label", "reason"),
    [
        ("2015/17", "is not one year and the next (expected 2015/16)"),
        ("next year", "not a period label Fingertips uses"),
        ("", "empty period label"),
        ("   ", "empty period label"),
        ("2099/00", "ends in 2100"),
        ("2015 - 14", "a range must end after it starts"),
        ("2020/21 - 19/20", "a range must end after it starts"),
        ("2015/16 Q5", "not a period label Fingertips uses"),
        ("Foo 2020", "'Foo' is not a month name"),
        ("1850", "before 1900"),
    ],
)
def test_bad_labels_are_reported_not_raised(label: str, reason: str):
    frame = parse_periods(pd.Series(["2015", label], index=[10, 11]))
    assert frame.loc[10, "period_error"] is None
    assert reason in frame.loc[11, "period_error"]
    assert pd.isna(frame.loc[11, "start"]) and pd.isna(frame.loc[11, "sort_key"])
    with pytest.raises(PeriodError, match="expected|empty|ends|before|must|month"):
        parse_period(label)


def test_missing_cells_are_reported():
    frame = parse_periods(pd.Series([None, np.nan, "2015"]))
    assert list(frame["period_error"][:2]) == ["missing period label (empty cell)"] * 2
    assert frame["period_error"][2] is None


def test_quarters_of_academic_years_are_refused():
    with pytest.raises(PeriodError, match="quarters are defined for financial and calendar years"):
        parse_period("2015/16 Q3", year_type="academic")


def test_latest_year_is_a_parameter():
    assert parse_period("2099/00", latest_year=2100).end == date(2100, 3, 31)
    with pytest.raises(ValueError, match="year_type"):
        parse_period("2015/16", year_type="calendar")  # type: ignore[arg-type]


def test_parse_periods_keeps_the_index_and_types():
    frame = parse_periods(pd.Series(["2015/16", "2015/16", "2013 - 15"], index=list("abc")), year_type="academic")
    assert list(frame.index) == list("abc")
    assert str(frame["start"].dtype).startswith("datetime64") and str(frame["sort_key"].dtype) == "Int64"
    assert list(frame["kind"]) == ["academic year", "academic year", "multi-year"]
    assert frame.loc["a", "end"] == pd.Timestamp("2016-08-31")


def test_module_has_no_dagster_import():
    source = (Path(__file__).parents[1] / "pipeline" / "outcomes" / "periods.py").read_text()
    assert "dagster" not in source
