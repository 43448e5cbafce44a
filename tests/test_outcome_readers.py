"""Outcome and deprivation readers, tested on the real files bundled in data/raw (provenance in data/raw/SOURCES.md)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.errors import InputFileError
from pipeline.outcomes.readers import (
    read_fingertips_csv,
    read_fingertipsnext,
    read_iod_tidy,
    read_tidy_outcome_csv,
    sniff_outcome_format,
)
from pipeline.settings import PROJECT_ROOT

RAW = PROJECT_ROOT / "data" / "raw"
FINGERTIPS = RAW / "outcomes" / "fingertips" / "indicators-CountyUA.data.csv"
TIDY_DIR = RAW / "outcomes" / "tidy"
TIDY_FILES = sorted(TIDY_DIR.glob("*.csv"))
HEALTHDATA = RAW / "outcomes" / "fingertipsnext" / "healthdata.csv"
INDICATORS = RAW / "outcomes" / "fingertipsnext" / "indicators.csv"
IOD_2019 = RAW / "deprivation" / "IoD2019_lad_tidy.csv"


def csv_records(path: Path) -> list[list[str]]:
    """An independent parse: every non-blank record, header first."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.reader(handle) if row]


def write_csv(path: Path, rows: list[list[str]], *, bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return path


def test_bundled_files_are_present() -> None:
    assert FINGERTIPS.is_file() and HEALTHDATA.is_file() and INDICATORS.is_file() and IOD_2019.is_file()
    assert len(TIDY_FILES) == 9


# --- Fingertips download ------------------------------------------------------------------------------


def test_fingertips_reads_every_record_once() -> None:
    frame = read_fingertips_csv(FINGERTIPS)
    assert len(frame) == len(csv_records(FINGERTIPS)) - 1 == 852


def test_fingertips_columns_are_the_documented_snake_case_names() -> None:
    assert list(read_fingertips_csv(FINGERTIPS).columns) == [
        "indicator_id", "indicator_name", "parent_code", "parent_name", "area_code", "area_name",
        "area_type", "sex", "age", "category_type", "category", "time_period", "value", "lower_ci95",
        "upper_ci95", "lower_ci998", "upper_ci998", "count", "denominator", "value_note", "recent_trend",
        "compared_to_england", "compared_to_region", "time_period_sortable", "new_data", "compared_to_goal",
        "source_row",
    ]  # fmt: skip


def test_fingertips_england_2015_value_is_kept_as_received_text() -> None:
    frame = read_fingertips_csv(FINGERTIPS)
    england = frame[
        (frame.area_code == "E92000001")
        & (frame.time_period == "2015")
        & (frame.age == "All ages")
        & frame.category.isna()
    ]
    assert len(england) == 1
    row = england.iloc[0]
    assert row.indicator_id == "93356"
    assert row.value == "94.7261896202678"
    assert row["count"] == "51897"  # attribute access would give DataFrame.count
    assert row.lower_ci998 is None  # empty cell -> None, not ""
    assert row.source_row == 2


def test_fingertips_indicator_name_newline_is_trimmed() -> None:
    # Fingertips writes "Campylobacter incidence rate/100,000\n" inside the quotes; the reader trims it.
    names = set(read_fingertips_csv(FINGERTIPS).indicator_name)
    assert names == {"Campylobacter incidence rate/100,000"}


def test_fingertips_source_row_is_the_line_where_each_two_line_record_starts() -> None:
    frame = read_fingertips_csv(FINGERTIPS)
    # Every record spans two lines (the quoted name holds a newline), so records start on lines 2, 4, 6, ...
    assert list(frame.source_row) == list(range(2, 2 * len(frame) + 1, 2))

    lines = FINGERTIPS.read_bytes().split(b"\n")
    kirklees = frame[(frame.area_code == "E08000034") & (frame.time_period == "2017")].iloc[0]
    assert kirklees.source_row > 1000
    assert lines[kirklees.source_row - 1].startswith(b'93356,"Campylobacter')
    assert lines[kirklees.source_row].startswith(b'",E12000003,Yorkshire and the Humber region,E08000034,Kirklees,')
    assert kirklees.value.encode() in lines[kirklees.source_row]


def test_fingertips_short_rows_read_missing_compared_to_goal_as_none() -> None:
    # The download names 26 columns but writes 25 fields per row: the last column is absent.
    frame = read_fingertips_csv(FINGERTIPS)
    assert frame.compared_to_goal.isna().all()
    assert set(frame.time_period_sortable) == {"20150000", "20160000", "20170000"}
    assert set(frame.new_data) == {None, "New data"}


def test_fingertips_header_without_spaces_in_another_order_with_bom_reads_the_same(tmp_path: Path) -> None:
    header, *rows = csv_records(FINGERTIPS)
    rows = [row + [""] * (len(header) - len(row)) for row in rows]
    order = list(reversed(range(len(header))))
    variant = write_csv(
        tmp_path / "variant.csv",
        [[header[i].replace(" ", "") for i in order]] + [[row[i] for i in order] for row in rows],
        bom=True,
    )
    assert csv_records(variant)[0][:3] == ["Comparedtogoal", "Newdata", "TimeperiodSortable"]

    assert read_fingertips_csv(variant).equals(read_fingertips_csv(FINGERTIPS))


def test_fingertips_lowercase_header_and_unknown_extra_column_are_accepted(tmp_path: Path) -> None:
    header, *rows = csv_records(FINGERTIPS)[:3]
    variant = write_csv(
        tmp_path / "extra.csv",
        [[name.lower() for name in header] + ["Time period range"]] + [row + ["", "1y"] for row in rows],
    )
    frame = read_fingertips_csv(variant)
    assert frame.columns[-2:].tolist() == ["time_period_range", "source_row"]
    assert frame.time_period_range.tolist() == ["1y", "1y"]
    assert frame.value.tolist() == ["94.7261896202678", "69.6234924331395"]


def test_fingertips_missing_optional_columns_become_none(tmp_path: Path) -> None:
    minimal = write_csv(
        tmp_path / "minimal.csv",
        [["IndicatorID", "AreaCode", "TimePeriod", "Value"], ["93356", "E92000001", "2015", "94.7"]],
    )
    frame = read_fingertips_csv(minimal)
    assert frame.loc[0, "value"] == "94.7"
    assert frame.loc[0, "lower_ci95"] is None and frame.loc[0, "indicator_name"] is None


def test_missing_required_column_raises_naming_the_column_and_file(tmp_path: Path) -> None:
    header, *rows = csv_records(FINGERTIPS)[:3]
    drop = header.index("Time period")
    broken = write_csv(
        tmp_path / "no_time_period.csv",
        [[c for i, c in enumerate(row) if i != drop] for row in [header, *rows]],
    )
    with pytest.raises(InputFileError) as caught:
        read_fingertips_csv(broken)
    assert caught.value.path == broken
    assert caught.value.column == "Time period"
    assert "no_time_period.csv" in str(caught.value)
    assert "Time period" in str(caught.value) and "Indicator ID" in str(caught.value)


def test_row_with_more_fields_than_the_header_raises_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "wide.csv"
    bad.write_text("area_code,period,value,indicator\nE1,2020,1,x\nE2,2020,2,x,surplus\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_tidy_outcome_csv(bad)
    assert caught.value.row == 3


def test_row_too_short_to_hold_a_required_cell_raises(tmp_path: Path) -> None:
    bad = tmp_path / "short.csv"
    bad.write_text("area_code,period,value,indicator\nE1,2020\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_tidy_outcome_csv(bad)
    assert (caught.value.row, caught.value.column) == (2, "value")


def test_file_that_is_not_utf8_raises_saying_utf8_is_expected(tmp_path: Path) -> None:
    bad = tmp_path / "cp1252.csv"
    bad.write_bytes("area_code,period,value,indicator\nE1,2020,1,caf\u00e9\n".encode("cp1252"))
    with pytest.raises(InputFileError, match="UTF-8") as caught:
        read_tidy_outcome_csv(bad)
    assert caught.value.row == 2


def test_unclosed_quote_raises_at_the_line_where_the_record_starts(tmp_path: Path) -> None:
    bad = tmp_path / "unclosed.csv"
    bad.write_text('area_code,period,value,indicator\nE1,2020,1,x\nE2,2020,2,"never closed\nE3,2020,3,x\n')
    with pytest.raises(InputFileError) as caught:
        read_tidy_outcome_csv(bad)
    assert caught.value.row == 3


# --- tidy series (Trafford Data Lab) ------------------------------------------------------------------


@pytest.mark.parametrize("path", TIDY_FILES, ids=lambda p: p.name)
def test_tidy_reads_every_record_with_its_line(path: Path) -> None:
    frame = read_tidy_outcome_csv(path)
    assert len(frame) == len(csv_records(path)) - 1
    # No quoted newlines in these files, so record n starts on line n + 1.
    assert list(frame.source_row) == list(range(2, len(frame) + 2))
    assert list(frame.columns) == [
        "area_code", "area_name", "area_type", "period", "indicator_name", "measure", "unit", "value",
        "compared_to_england", "category", "source_row",
    ]  # fmt: skip


def test_tidy_keeps_na_as_received() -> None:
    frame = read_tidy_outcome_csv(TIDY_DIR / "admissions_self_harm_young_people.csv")
    first = frame.iloc[0]
    assert (first.area_name, first.period, first.value) == ("Greater Manchester", "2011/12", "NA")
    assert (frame.value == "NA").sum() == 17


def test_tidy_keeps_pooled_period_ranges_as_received() -> None:
    # The "2023 - 25" period is in trafford_themes/life_expectancy.csv (not bundled); the bundled obesity
    # files use the same spaced-hyphen style for pooled years.
    periods = set(read_tidy_outcome_csv(TIDY_DIR / "obese_reception.csv").period)
    assert {"2020/21 - 24/25", "2022/23 - 24/25", "2024/25"} <= periods


def test_tidy_dashboard_significance_becomes_compared_to_england() -> None:
    frame = read_tidy_outcome_csv(TIDY_DIR / "alcohol_related_admissions.csv")
    assert frame.loc[0, "compared_to_england"] == "Worse"
    assert set(frame.compared_to_england) == {"Better", "Worse", "Similar", "Not compared"}
    assert frame.area_type.isna().all() and frame.category.isna().all()


def test_tidy_themes_compared_to_england_and_inequality_are_mapped() -> None:
    frame = read_tidy_outcome_csv(TIDY_DIR / "obese_reception.csv")
    first = frame.iloc[0]
    assert (first.compared_to_england, first.category) == ("Worse", "Most deprived quintile")
    assert first.area_type == "Country"
    assert first.indicator_name == "Reception prevalence of obesity (including severe obesity), 5 years data combined"
    larc = read_tidy_outcome_csv(TIDY_DIR / "contraception_larc.csv")
    assert larc.loc[0, "compared_to_england"] == "Not compared"
    assert larc.loc[0, "unit"] == "Female"  # Trafford's `unit` column holds the sex


# --- FingertipsNext -----------------------------------------------------------------------------------


def test_fingertipsnext_reads_every_healthdata_record() -> None:
    frame = read_fingertipsnext(HEALTHDATA, INDICATORS)
    assert len(frame) == len(csv_records(HEALTHDATA)) - 1 == 5538
    assert list(frame.source_row) == list(range(2, len(frame) + 2))
    assert set(frame.indicator_id) == {"20401", "92026", "92033", "92904"}


def test_fingertipsnext_under_18_conceptions_carry_their_name() -> None:
    frame = read_fingertipsnext(HEALTHDATA, INDICATORS)
    conceptions = frame[frame.indicator_id == "20401"]
    assert len(conceptions) == 208
    assert set(conceptions.indicator_name) == {"Conception rate in females aged 17 years and under"}
    england = conceptions[
        (conceptions.area_code == "E92000001") & (conceptions.year == "2018") & conceptions.category.isna()
    ]
    assert len(england) == 1
    england_2018 = england.iloc[0]
    assert england_2018.value == "16.61293"
    assert (england_2018.lower_ci95, england_2018.upper_ci95) == ("16.34577", "16.88336")
    assert (england_2018["count"], england_2018.denominator, england_2018.age) == ("14736", "887020", "<18 yrs")


def test_fingertipsnext_indicator_missing_from_lookup_is_kept_without_name() -> None:
    frame = read_fingertipsnext(HEALTHDATA, INDICATORS)
    reception = frame[frame.indicator_id == "92026"]
    assert len(reception) == 2264 and reception.indicator_name.isna().all()


def test_fingertipsnext_bom_and_padded_column_names_are_handled(tmp_path: Path) -> None:
    header, *rows = csv_records(INDICATORS)
    padded = write_csv(tmp_path / "indicators.csv", [[f"{name}   " for name in header], *rows], bom=True)
    frame = read_fingertipsnext(HEALTHDATA, padded)
    assert "indicator_id" in frame.columns and not any("\ufeff" in c for c in frame.columns)
    assert frame.equals(read_fingertipsnext(HEALTHDATA, INDICATORS))


def test_fingertipsnext_duplicate_indicator_in_lookup_raises(tmp_path: Path) -> None:
    header, *rows = csv_records(INDICATORS)
    doubled = write_csv(tmp_path / "indicators.csv", [header, *rows, rows[0]])
    with pytest.raises(InputFileError, match="41101") as caught:
        read_fingertipsnext(HEALTHDATA, doubled)
    assert caught.value.row == len(rows) + 2


# --- Indices of Deprivation ---------------------------------------------------------------------------


def test_iod_reads_every_district_and_domain() -> None:
    frame = read_iod_tidy(IOD_2019)
    assert len(frame) == len(csv_records(IOD_2019)) - 1 == 317 * 10


@pytest.mark.parametrize(
    ("code", "name", "rank"),
    [("E07000114", "Thanet", "30"), ("E08000034", "Kirklees", "83")],
)
def test_iod_2019_rank_of_average_score_matches_published_check_values(code: str, name: str, rank: str) -> None:
    # Check values from the official IoD2019 LAD summaries workbook (see /work/shared/data/SOURCES.md).
    frame = read_iod_tidy(IOD_2019)
    imd = frame[(frame.lad_code == code) & (frame.index_domain == "Index of Multiple Deprivation")]
    assert len(imd) == 1
    assert (imd.iloc[0].lad_name, imd.iloc[0].rank_average_score, imd.iloc[0].year) == (name, rank, "2019")


def test_iod_2025_layout_maps_area_code_and_data_year(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "IoD2025_lad_tidy.csv",
        [
            ["area_code", "area_name", "area_type", "deprivation_data_year", "index_domain", "average_rank",
             "rank_average_rank", "average_score", "rank_average_score", "proportion_bottom_decile",
             "rank_proportion_bottom_decile"],
            ["E07000114", "Thanet", "Local Authority District (2024)", "2025", "Index of Multiple Deprivation",
             "22856.68", "32", "32.017", "26", "0.186", "45"],
        ],
    )  # fmt: skip
    row = read_iod_tidy(path).iloc[0]
    assert (row.lad_code, row.lad_name, row.year, row.rank_average_score) == ("E07000114", "Thanet", "2025", "26")
    assert row.area_type == "Local Authority District (2024)"


# --- format sniffing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [(FINGERTIPS, "fingertips"), (HEALTHDATA, "fingertipsnext"), *[(p, "tidy") for p in TIDY_FILES]],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_sniff_recognises_each_bundled_outcome_file(path: Path, expected: str) -> None:
    assert sniff_outcome_format(path) == expected


def test_sniff_names_what_each_format_looks_for_when_nothing_matches() -> None:
    with pytest.raises(InputFileError) as caught:
        sniff_outcome_format(IOD_2019)
    message = str(caught.value)
    assert "IoD2019_lad_tidy.csv" in message
    for looked_for in ("fingertips (Indicator ID", "tidy (area_code", "fingertipsnext (IndicatorId"):
        assert looked_for in message
