"""Social and economic benefits: outcome changes against England as events avoided per year, valued at
documented unit costs brought to one price year, with attribution and deadweight printed beside them."""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipeline.methods.appraisal import additional, events_avoided, real_terms
from pipeline.outcomes.benefits import BenefitRule, benefits_frame, price_year_of
from pipeline.reference.check import check_reference
from pipeline.reports import benefits as benefit_report
from pipeline.settings import DropZone
from tests.conftest import DATA_DIR

# HM Treasury, GDP deflators at market prices, and money GDP: December 2025 (Quarterly National Accounts),
# calendar years, 2024 = 100 (as bundled in data/raw/reference/deflators.csv).
HMT_DEFLATORS = {2013: 73.4795, 2023: 96.2507, 2024: 100.0}


def test_a_cost_is_brought_to_the_price_year_with_the_gdp_deflator():
    """HM Treasury, The Green Book (2022), real prices: value x deflator(price year) / deflator(cost year).
    Worked by hand: Tsiachristas et al. (2020)'s GBP 563.85 per self-harm presentation in 2013 prices is
    563.85 x 100 / 73.4795 = GBP 767.36 in 2024 prices; the DfT TAG value of preventing a fatality,
    GBP 2,474,341 in 2023 prices, is 2,474,341 x 100 / 96.2507 = GBP 2,570,725.20 in 2024 prices."""
    assert real_terms(563.85, 2013, 2024, HMT_DEFLATORS) == pytest.approx(767.36, abs=0.005)
    assert real_terms(2_474_341, 2023, 2024, HMT_DEFLATORS) == pytest.approx(2_570_725.20, abs=0.005)
    costs = real_terms(pd.Series([563.85, 2_474_341.0]), pd.Series([2013, 2023]), 2024, HMT_DEFLATORS)
    assert costs.round(2).tolist() == [767.36, 2_570_725.20]
    assert real_terms(100.0, 2024, 2024, HMT_DEFLATORS) == 100.0  # already in the price year's prices


def test_a_year_missing_from_the_deflators_is_an_error_naming_it():
    with pytest.raises(ValueError, match="the deflator series has no year 1985"):
        real_terms(100.0, 1985, 2024, HMT_DEFLATORS)


def test_events_avoided_turn_a_change_in_a_rate_into_events_per_year():
    """Worked by hand. Admissions per 100,000 fell 20 more than England's (difference-in-differences -20) in
    an area of 250,000 people: 20 x 250,000 / 100,000 = 50 admissions avoided in the year. The same change in
    a rate pooled over three years (denominator 750,000 person-years) is 20 x 750,000 / 100,000 / 3 = 50 a year.
    A rise of 20 is 50 admissions added (-50). Where higher is better (LARC prescribed per 1,000 women), a rise
    of 5 per 1,000 among 10,000 women is 5 x 10,000 / 1,000 = 50 more prescriptions a year (+50)."""
    assert events_avoided(-20.0, 250_000, 100_000, 1, True) == pytest.approx(50.0)
    assert events_avoided(-20.0, 750_000, 100_000, 3, True) == pytest.approx(50.0)
    assert events_avoided(20.0, 250_000, 100_000, 1, True) == pytest.approx(-50.0)
    assert events_avoided(5.0, 10_000, 1_000, 1, False) == pytest.approx(50.0)


def test_attribution_and_deadweight_scale_the_gross_value():
    """Green Book (2022) additionality: gross x (1 - deadweight) x attribution; 1,000 x 0.8 x 0.5 = 400."""
    assert additional(1_000.0, attribution=0.5, deadweight=0.2) == pytest.approx(400.0)
    with pytest.raises(ValueError, match="shares from 0 to 1"):
        additional(1_000.0, attribution=1.5, deadweight=0.0)


def _inputs(**changes) -> pd.DataFrame:
    """One partnership x indicator as `benefit_inputs.sql` returns it: self-harm admissions per 100,000
    fell 20 (95% interval -35 to -5) against England over a financial year, in 250,000 people."""
    row = {
        "partnership_id": "P01",
        "indicator_id": 90813,
        "indicator_name": "Hospital admissions as a result of self-harm (10-24 years)",
        "polarity": "low_is_good",
        "classification": "improved",
        "reason": None,
        "baseline_period": "2015/16",
        "followup_period": "2018/19",
        "change_vs_england": -20.0,
        "change_ci_low": -35.0,
        "change_ci_high": -5.0,
        "denominator": 250_000.0,
        "followup_start": pd.Timestamp("2018-04-01"),
        "followup_end": pd.Timestamp("2019-03-31"),
        "multiplier": 100_000,
        "cost_gbp": 563.85,
        "cost_year": 2013,
        "cost_description": "One self-harm presentation",
        "cost_source": "Tsiachristas et al. (2020)",
        "cost_url": "https://doi.org/10.1017/S2045796020000189",
    }
    return pd.DataFrame([row | changes])


def test_the_mart_values_events_avoided_with_a_range_from_the_interval_of_the_change():
    """50 admissions avoided a year (low: 5 x 2.5 = 12.5 at the interval's bad-side limit -5; high: 35 x 2.5
    = 87.5), at GBP 767.36 each in 2024 prices, half credited to the programme with 20% deadweight:
    50 x 767.3569 x 0.8 x 0.5 = GBP 15,347.14 a year (low 3,836.78, high 26,857.49)."""
    row = benefits_frame(_inputs(), HMT_DEFLATORS, BenefitRule(attribution=0.5, deadweight=0.2)).iloc[0]
    assert (row["events_avoided_low"], row["events_avoided"], row["events_avoided_high"]) == (12.5, 50.0, 87.5)
    assert row["unit_cost_real_gbp"] == pytest.approx(767.3569, abs=1e-4)
    assert row["value_gbp"] == pytest.approx(15_347.14, abs=0.01)
    assert row["value_low_gbp"] == pytest.approx(3_836.78, abs=0.01)
    assert row["value_high_gbp"] == pytest.approx(26_857.49, abs=0.01)
    assert (row["price_year"], row["attribution"], row["deadweight"], row["status"]) == (2024, 0.5, 0.2, "valued")
    assert row["note"] is None


def test_a_change_the_wrong_way_is_a_negative_value_with_its_range_still_ordered():
    row = benefits_frame(
        _inputs(change_vs_england=10.0, change_ci_low=2.0, change_ci_high=18.0), HMT_DEFLATORS, BenefitRule()
    ).iloc[0]
    assert row["events_avoided_low"] < row["events_avoided"] < row["events_avoided_high"] < 0
    assert row["value_low_gbp"] < row["value_gbp"] < row["value_high_gbp"] < 0


def test_an_indicator_without_a_unit_cost_is_reported_with_its_events_not_left_out():
    row = benefits_frame(
        _inputs(cost_gbp=np.nan, cost_year=np.nan, cost_description=None, cost_source=None, cost_url=None),
        HMT_DEFLATORS,
        BenefitRule(),
    ).iloc[0]
    assert row["status"] == "no unit cost"
    assert row["events_avoided"] == 50.0
    assert pd.isna(row["value_gbp"]) and pd.isna(row["unit_cost_real_gbp"])
    assert "no unit cost" in row["note"]


def test_a_change_without_an_interval_gives_a_point_value_and_says_why():
    row = benefits_frame(_inputs(change_ci_low=np.nan, change_ci_high=np.nan), HMT_DEFLATORS, BenefitRule()).iloc[0]
    assert row["status"] == "valued" and row["events_avoided"] == 50.0
    assert pd.isna(row["events_avoided_low"]) and pd.isna(row["value_high_gbp"])
    assert row["note"] == "no 95% interval for the change (values published without limits): point value only"


def test_a_price_year_the_deflators_lack_is_an_error_naming_the_setting_and_file():
    assert price_year_of(HMT_DEFLATORS, None) == 2024
    with pytest.raises(ValueError, match=r"benefits_price_year 2030 is not a year of reference/deflators.csv"):
        benefits_frame(_inputs(), HMT_DEFLATORS, BenefitRule(price_year=2030))


def _populations(*rows: tuple[str, str, int | None, int | None]) -> pd.DataFrame:
    """`partnership_populations.sql`'s rows: partnership, area, year, all-ages persons population."""
    return pd.DataFrame(rows, columns=["partnership_id", "area_code", "year", "population"])


# P01 covers two areas; populations of three years each (made up for the arithmetic).
TWO_AREAS = _populations(
    ("P01", "E07000117", 2017, 140_000),
    ("P01", "E07000117", 2018, 150_000),
    ("P01", "E07000117", 2020, 160_000),
    ("P01", "E07000120", 2017, 95_000),
    ("P01", "E07000120", 2018, 100_000),
    ("P01", "E07000120", 2020, 105_000),
)
PER_HEAD = {"denominator": np.nan, "denominator_population": "all_ages_persons"}


def test_a_rate_per_head_without_a_denominator_takes_the_areas_population_and_says_so():
    """The follow-up year 2018/19 ends on 2019-03-31: the latest year at or before it is 2018, when the two
    areas held 150,000 + 100,000 = 250,000 people, so the fall of 20 per 100,000 is 20 x 250,000 / 100,000 =
    50 admissions avoided a year, as with a published denominator of 250,000."""
    row = benefits_frame(_inputs(**PER_HEAD), HMT_DEFLATORS, BenefitRule(), TWO_AREAS).iloc[0]
    assert (row["denominator"], row["events_avoided"], row["status"]) == (250_000.0, 50.0, "valued")
    assert row["note"] == (
        "denominator: all-ages population from reference/area_populations.csv, 2018 (the latest at or before the "
        "follow-up period's end, 2019-03-31)"
    )


def test_without_a_population_at_or_before_the_period_the_nearest_after_is_taken_and_named():
    """Follow-up 2015/16 (ends 2016-03-31): no year at or before 2016, so 2017's 140,000 + 95,000 = 235,000;
    a pooled period of three years counts 3 x that in person-years, so events per year are unchanged."""
    row = benefits_frame(
        _inputs(**PER_HEAD, followup_start=pd.Timestamp("2013-04-01"), followup_end=pd.Timestamp("2016-03-31")),
        HMT_DEFLATORS,
        BenefitRule(),
        TWO_AREAS,
    ).iloc[0]
    assert row["denominator"] == 3 * 235_000 and row["events_avoided"] == pytest.approx(20 * 235_000 / 100_000)
    assert row["note"].startswith(
        "denominator: all-ages population from reference/area_populations.csv, 2017 (the nearest after, as none "
        "is at or before the follow-up period's end, 2016-03-31), x 3 years of the period"
    )


def test_the_population_is_used_only_for_a_marked_indicator_and_only_without_a_denominator_of_its_own():
    unmarked = benefits_frame(
        _inputs(denominator=np.nan, denominator_population=None), HMT_DEFLATORS, BenefitRule(), TWO_AREAS
    ).iloc[0]
    assert unmarked["status"] == "no denominator" and pd.isna(unmarked["denominator"])
    assert "population" not in unmarked["note"]
    own = benefits_frame(
        _inputs(denominator=300_000.0, denominator_population="all_ages_persons"),
        HMT_DEFLATORS,
        BenefitRule(),
        TWO_AREAS,
    ).iloc[0]
    assert (own["denominator"], own["events_avoided"], own["note"]) == (300_000.0, 60.0, None)


def test_a_partnership_missing_an_areas_population_gets_none_rather_than_part_of_one():
    one_area_short = TWO_AREAS[TWO_AREAS["area_code"] == "E07000117"]
    missing = pd.concat([one_area_short, _populations(("P01", "E07000120", None, None))], ignore_index=True)
    row = benefits_frame(_inputs(**PER_HEAD), HMT_DEFLATORS, BenefitRule(), missing).iloc[0]
    assert row["status"] == "no denominator" and pd.isna(row["events_avoided"])


@pytest.fixture(scope="module")
def demo_benefits(demo_run) -> pd.DataFrame:
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        return con.execute("SELECT * FROM benefits").df()


def test_the_demo_mart_has_a_row_for_every_outcome_change(demo_run, demo_benefits):
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        change = con.execute("SELECT partnership_id, indicator_id FROM outcome_change").df()
    assert len(demo_benefits) == len(change) > 0
    assert set(demo_benefits["price_year"]) == {2024}  # the latest year of the bundled deflators
    assert set(demo_benefits["attribution"]) == {1.0} and set(demo_benefits["deadweight"]) == {0.0}


def test_the_demo_says_why_each_row_is_or_is_not_valued(demo_benefits):
    """The demo's outcome series are published without counts or denominators. The all-ages alcohol rates
    (91414, 91382) of the partnerships in counties and unitary authorities take their population from
    reference/area_populations.csv (Fingertips' 2016 denominators, the latest at or before follow-up), and say
    so; every other change has no denominator and says that. Alcohol-related mortality is valued at the DfT
    value of preventing a fatality; admissions, without a unit cost, are counted, not valued."""
    assert demo_benefits["note"].notna().all()
    with_change = demo_benefits[demo_benefits["change_vs_comparator"].notna()]
    per_head = with_change["indicator_id"].isin([91414, 91382])
    assert per_head.sum() == 14 and with_change.loc[per_head, "denominator"].notna().all()
    assert (
        with_change.loc[per_head, "note"]
        .str.startswith(
            "denominator: all-ages population from reference/area_populations.csv, 2016 (the latest at or before "
        )
        .all()
    )
    assert (with_change.loc[~per_head, "status"] == "no denominator").all() and (~per_head).sum() > 0
    # Middlesbrough (P12, E06000002): 2016 population 140,398 (Fingertips 93356's denominator); alcohol
    # mortality 13.5 per 100,000 lower against England: 13.5 x 140,398 / 100,000 = 18.95 deaths avoided a year.
    middlesbrough = with_change.set_index(["partnership_id", "indicator_id"]).loc[("P12", 91382)]
    assert middlesbrough["denominator"] == 140_398 and middlesbrough["events_avoided"] == pytest.approx(18.95373)
    valued = demo_benefits[demo_benefits["status"] == "valued"]
    assert set(valued["indicator_id"]) == {91382} and len(valued) == 7
    alcohol_admissions = demo_benefits[demo_benefits["indicator_id"] == 91414]
    assert len(alcohol_admissions) > 0 and alcohol_admissions["unit_cost_gbp"].isna().all()
    mortality = demo_benefits[demo_benefits["indicator_id"] == 91382]
    assert mortality["unit_cost_real_gbp"].round(2).eq(2_570_725.20).all()
    # Where there is an interval the range is ordered; where there is none, low and high are empty.
    ranged = demo_benefits.dropna(subset=["events_avoided_low", "events_avoided_high", "events_avoided"])
    assert (ranged["events_avoided_low"] <= ranged["events_avoided"]).all()
    assert (ranged["events_avoided"] <= ranged["events_avoided_high"]).all()
    no_interval = demo_benefits["change_ci_low"].isna()
    assert demo_benefits.loc[no_interval, "events_avoided_low"].isna().all()


def test_the_demo_has_a_programme_total_in_the_price_year(demo_benefits):
    """Seven changes in alcohol-related mortality valued at GBP 2,570,725.20 a death (2024 prices): the total is
    the sum of their values, with no range, as the tidy series publish no limits."""
    total = benefit_report.programme_total(demo_benefits)
    assert total["rows"] == 7
    assert total["value_gbp"] == pytest.approx(27_994_516, abs=1)
    assert pd.isna(total["value_low_gbp"]) and pd.isna(total["value_high_gbp"])


@pytest.fixture
def drop_zone(tmp_path) -> DropZone:
    shutil.copytree(DATA_DIR / "reference", tmp_path / "raw" / "reference")
    return DropZone(tmp_path / "raw")


def test_check_names_file_row_and_column_of_a_bad_unit_cost(drop_zone):
    costs = drop_zone.reference_dir / "unit_costs.csv"
    text = costs.read_text(encoding="utf-8").replace("90813,563.85,2013,", "99999,563.85,2013,", 1)
    costs.write_text(text.replace("91382,2474341,2023,", "91382,2474341,1985,", 1), encoding="utf-8")
    errors = [str(f) for f in check_reference(drop_zone) if f.severity == "error"]
    assert errors == [
        "ERROR reference/unit_costs.csv row 2: column 'indicator_id': indicator 99999 is not in outcome_indicators.csv",
        "ERROR reference/unit_costs.csv row 4: column 'cost_year': price year 1985 is not in deflators.csv "
        "(expected a year it lists, 1990 to 2024)",
    ]


def test_without_the_benefits_files_the_check_finds_nothing(drop_zone):
    """Both files are optional: a programme that values nothing leaves them out."""
    (drop_zone.reference_dir / "unit_costs.csv").unlink()
    (drop_zone.reference_dir / "deflators.csv").unlink()
    assert [str(f) for f in check_reference(drop_zone) if f.severity == "error"] == []


def test_check_names_file_row_and_column_of_a_bad_area_population(drop_zone):
    populations = drop_zone.reference_dir / "area_populations.csv"
    lines = populations.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("E06000002,2015,")  # Middlesbrough (P12), as Fingertips published it
    lines[1] = lines[1].replace("E06000002,", "E06000099,", 1)
    lines[2] = lines[2].replace(",2016,", ",1850,", 1)
    populations.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = [str(f) for f in check_reference(drop_zone) if f.severity == "error"]
    assert errors == [
        "ERROR reference/area_populations.csv row 2: column 'area_code': area E06000099 is not an area of "
        "partnerships.csv (expected a code its area_codes lists)",
        "ERROR reference/area_populations.csv row 3: column 'year': 1850 failed greater_than_or_equal_to(1900)",
    ]


def _programme() -> pd.DataFrame:
    """P01's fall of 20 (valued, GBP 15,347 a year), P02's rise of 10 (a cost of GBP 7,674 a year), P03 without
    a unit cost: at attribution 0.5 and deadweight 0.2."""
    rows = pd.concat(
        [
            _inputs(),
            _inputs(partnership_id="P02", change_vs_england=10.0, change_ci_low=2.0, change_ci_high=18.0),
            _inputs(partnership_id="P03", cost_gbp=np.nan, cost_year=np.nan, cost_source=None, cost_url=None),
        ],
        ignore_index=True,
    )
    return benefits_frame(rows, HMT_DEFLATORS, BenefitRule(attribution=0.5, deadweight=0.2))


def test_the_report_table_ends_with_the_programme_total_of_the_valued_rows():
    frame = _programme()
    total = benefit_report.programme_total(frame)
    # 15,347.14 - 7,673.57 = 7,673.57; low 3,836.78 - 13,812.42; high 26,857.49 - 1,534.71.
    assert total["rows"] == 2
    assert total["value_gbp"] == pytest.approx(7_673.57, abs=0.01)
    assert total["value_low_gbp"] == pytest.approx(3_836.78 - 13_812.42, abs=0.02)
    html = benefit_report.benefits_table(frame, pd.Series({"P01": "Kirklees"})).as_raw_html()
    assert "Programme total" in html and "&#163;7,674" in html and "no unit cost" in html
    assert "Tsiachristas et al. (2020)" in html and "2024 prices" in html
    # P01 and P02 cite one source: one lettered footnote under the table, its mark on both unit costs.
    assert html.count("Tsiachristas et al. (2020)") == 1
    assert html.count('class="gt_footnote_marks"') == 3


def test_the_report_table_says_which_rows_rest_on_a_population_denominator():
    frame = benefits_frame(_inputs(**PER_HEAD), HMT_DEFLATORS, BenefitRule(), TWO_AREAS)
    html = benefit_report.benefits_table(frame, pd.Series({"P01": "Kirklees"})).as_raw_html()
    assert "valued; denominator: all-ages population, 2018" in html
    assert "Denominator: all-ages population (1 row)" in html and "approximation" in html
    assert "all-ages population" not in benefit_report.benefits_table(_programme(), pd.Series()).as_raw_html()


def test_the_key_finding_and_case_line_print_the_settings_with_the_result():
    frame = _programme()
    text = benefit_report.summary_text(frame)
    assert text.startswith("The 2 valued changes against England are worth £7,674 a year in 2024 prices")
    assert "attribution 0.5 and deadweight 0.2" in text and "1 has no documented unit cost" in text
    assert benefit_report.case_line(frame, "P01") == (
        "Social and economic benefits: £15,347 a year in 2024 prices (from £3,837 to £26,857) from 50.0 events "
        "avoided a year on 1 valued indicator, at attribution 0.5 and deadweight 0.2."
    )
    assert "none valued" in benefit_report.case_line(frame, "P03")
    assert benefit_report.case_line(frame, "P99") is None


def test_the_demo_report_has_the_section_and_each_case_page_a_line(demo_run):
    reports = demo_run.settings.marts_dir / "reports"
    page = (reports / "evaluation_report.html").read_text(encoding="utf-8")
    assert '<section id="benefits">' in page and "Social and economic benefits" in page
    assert "The 7 valued changes against England are worth £27,994,516 a year in 2024 prices" in page
    assert "attribution 1" in page and "denominator: all-ages population, 2016" in page
    case = (reports / "partnerships" / "P12.html").read_text(encoding="utf-8")
    assert '<p class="benefits">Social and economic benefits: £48,724,831 a year in 2024 prices' in case
    case = (reports / "partnerships" / "P02.html").read_text(encoding="utf-8")
    assert '<p class="benefits">Social and economic benefits: none valued' in case
