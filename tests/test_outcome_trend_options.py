"""Outcome trends with the new methods wired in: DSRs from age-banded counts, and the recent-trend settings.

Sources of the expected figures:
- DSRs: PHEindicatormethods' test data and results (tests/testthat/testdata_DSR_ISR.xlsx, sheets
  "testdata_multiarea" and "testresults_DSR", commit 093fd288d8f8949dbcfbed70049dbbf385b6141d; transcribed in
  tests/test_methods_dsr.py, whose constants are reused here): testdata_big 895 events in 8,970 people, DSR
  10430.247991 per 100,000 (95% 9717.709068 to 11178.940915; 99.8% 9323.287880 to 11620.596000); testdata_tiny
  9 events: "dsr NA for total count < 10".
- Trends: Fingertips' recent-trend rule (fingertips-open TrendMarkerCalculator: chi-squared of the weighted slope
  against 9.5495, the 99.8% point of chi-squared on 1 d.f.) and PHEindicatormethods' proportion markers
  (testdata_prop_trends: counts only, "Decreasing"), as tested method by method in tests/test_methods_trend.py.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipeline.methods.dsr import ESP2013, ESP2013_AGE_BANDS, dsr
from pipeline.methods.phe import TREND_CHI_SQUARE_CRITICAL, TREND_Z_EXACT, TREND_Z_FINGERTIPS
from pipeline.outcomes.ingest import load_outcomes
from pipeline.outcomes.marts import build_outcome_trends
from pipeline.outcomes.readers import sniff_outcome_format
from pipeline.outcomes.staging import stage_outcomes
from pipeline.warehouse import ensure_schemas, replace_table
from tests.test_methods_dsr import COUNTS, PER_100000, POPULATION
from tests.test_methods_trend import PROPORTIONS

DSR_INDICATOR, RATE_INDICATOR, PROPORTION_INDICATOR = 91414, 92904, 20602
BIG, SMALL, TINY, ENGLAND = "E06000001", "E06000002", "E06000003", "E92000001"


def _warehouse(tmp_path: Path, areas: dict[str, list[str]]) -> duckdb.DuckDBPyConnection:
    """A warehouse with the reference tables the outcome marts read: three indicators, partnerships and areas."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schemas(con)
    indicators = pd.DataFrame(
        {
            "wicked_problem": ["harm"] * 3,
            "indicator_id": [DSR_INDICATOR, RATE_INDICATOR, PROPORTION_INDICATOR],
            "indicator_name": ["Admissions (DSR)", "Admissions (crude rate)", "A proportion"],
            "source_indicator_name": [None, None, None],
            "polarity": ["low_is_good"] * 3,
            "headline": [True, False, False],
            "period_type": ["calendar"] * 3,
            "statistic": ["dsr", "rate", "proportion"],
            "multiplier": [100_000, 100_000, 100],
        }
    )
    replace_table(con, "staging.outcome_indicators", indicators)
    partnerships = pd.DataFrame({"partnership_id": list(areas), "wicked_problem": "harm"})
    replace_table(con, "staging.partnerships", partnerships)
    pairs = [(p, a) for p, codes in areas.items() for a in codes]
    replace_table(con, "staging.partnership_areas", pd.DataFrame(pairs, columns=["partnership_id", "area_code"]))
    return con


def _age_banded_file(folder: Path) -> Path:
    """PHEindicatormethods' multi-area test data as a drop-zone file, in its own column names (ageband, pops,
    esp2013; "NA" for the tiny area's missing count), England given testdata_big's counts."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "admissions_by_age.csv"
    areas = {BIG: "testdata_big", SMALL: "testdata_small", TINY: "testdata_tiny", ENGLAND: "testdata_big"}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator_id", "area", "year", "sex", "ageband", "pops", "count", "esp2013"])
        for code, name in areas.items():
            for band, count, population, esp in zip(ESP2013_AGE_BANDS, COUNTS[name], POPULATION, ESP2013, strict=True):
                shown = "NA" if np.isnan(count) else int(count)
                writer.writerow([DSR_INDICATOR, code, 2020, "Persons", band, population, shown, esp])
    return path


def test_age_banded_counts_reach_the_trend_mart_as_phe_dsrs_with_dobson_limits(tmp_path: Path):
    raw = tmp_path / "raw"
    path = _age_banded_file(raw / "outcomes")
    assert sniff_outcome_format(path) == "age_banded"
    con = _warehouse(tmp_path, {"P1": [BIG], "P2": [TINY], "P3": [SMALL, TINY]})
    load_outcomes(con, raw / "outcomes", raw)
    stage_outcomes(con)
    build_outcome_trends(con, threshold=5)
    trends = con.execute("SELECT * FROM marts.outcome_trends").df().set_index("partnership_id")

    big = trends.loc["P1"]
    published = PER_100000["testdata_big"]
    assert big["aggregation"] == "single area" and pd.isna(big["note"])
    assert (big["count"], big["denominator"]) == (published[0], published[1])
    ours = [big[c] for c in ("value", "lower_ci95", "upper_ci95", "lower_ci998", "upper_ci998")]
    assert ours == pytest.approx(published[2:], abs=1e-6)
    assert big["england_value"] == pytest.approx(published[2], abs=1e-6)
    assert big["compared_to_england_95"] == "Similar"

    # Nine events: PHE publishes no DSR, and the mart says why.
    tiny = trends.loc["P2"]
    assert np.isnan(tiny["value"]) and np.isnan(tiny["lower_ci95"])
    assert tiny["note"] == "dsr NA for total count < 10"
    assert (tiny["count"], tiny["count_suppressed"]) == (9, False)  # the events themselves are not withheld
    # Two areas are pooled band by band, then standardised: one DSR of their summed counts and populations.
    pooled = trends.loc["P3"]
    summed = np.nan_to_num(COUNTS["testdata_small"]) + np.nan_to_num(COUNTS["testdata_tiny"])
    expected = dsr(summed, 2 * np.array(POPULATION), ESP2013)
    assert pooled["aggregation"] == "pooled over 2 areas by age band"
    assert (pooled["value"], pooled["lower_ci95"]) == pytest.approx((expected["value"], expected["lower_ci95"]))
    assert pooled["count"] == 100 and pooled["denominator"] == 2 * sum(POPULATION)


def _staged_series(con: duckdb.DuckDBPyConnection, indicator: int, frame: pd.DataFrame) -> None:
    """Put one area's annual series into staging.outcome_values (and England, for the main-series choice)."""
    years = frame["year"].astype(int)
    rows = pd.DataFrame(
        {
            "source_format": "fingertips",
            "indicator_id": indicator,
            "area_code": BIG,
            "period": years.astype(str),
            "period_start": pd.to_datetime(years.astype(str) + "-01-01"),
            "period_end": pd.to_datetime(years.astype(str) + "-12-31"),
            "period_sort_key": (years * 10000 + 101) * 1000 + 12,
            "period_kind": "calendar year",
            "sex": "Persons",
            "age": None,
            "category_type": None,
            "category": None,
            "value": frame["value"],
            "lower_ci95": frame.get("lower"),
            "upper_ci95": frame.get("upper"),
            "count": frame["count"],
            "denominator": frame["denominator"],
            "value_note": None,
        }
    )
    rows = pd.concat([rows, rows.assign(area_code=ENGLAND)], ignore_index=True)
    replace_table(con, "staging.outcome_values", rows)
    replace_table(con, "staging.outcome_age_bands", pd.DataFrame(columns=["indicator_id", "sex", "area_code"]))


def _latest_trend(con: duckdb.DuckDBPyConnection, **settings: object) -> str:
    build_outcome_trends(con, threshold=5, **settings)
    rows = con.execute("SELECT recent_trend FROM marts.outcome_trends ORDER BY period_sort_key").fetchall()
    return rows[-1][0]


def test_trend_points_and_the_z_convention_are_settings(tmp_path: Path):
    con = _warehouse(tmp_path, {"P1": [BIG]})
    # Eight years of a crude rate with narrow limits: falling for three years, then flat for the last five.
    values = np.array([70.0, 60.0, 50.0, 30.1, 30.4, 29.7, 30.2, 30.0])
    series = pd.DataFrame(
        {"year": range(2013, 2021), "value": values, "lower": values - 1, "upper": values + 1, "count": 300.0}
    ).assign(denominator=lambda f: f["count"] / f["value"] * 100_000)
    _staged_series(con, RATE_INDICATOR, series)
    assert _latest_trend(con) == "No significant change"  # Fingertips: the five most recent points
    assert _latest_trend(con, trend_points=None) == "Decreasing and getting better"  # the whole run of eight
    assert _latest_trend(con, trend_points=8) == "Decreasing and getting better"

    # A series whose chi-squared (with qnorm(0.975)) sits just below 9.5495: not significant by the exact z, but
    # significant by Fingertips' 1.96, whose narrower standard errors give a chi-squared larger by (1.96 / 1.959964)^2.
    t = np.arange(1, 6, dtype=float)
    values = 20 + 0.5 * t
    half = np.sqrt((0.5**2 * ((t - t.mean()) ** 2).sum()) / TREND_CHI_SQUARE_CRITICAL / (1 - 1.8e-5)) * TREND_Z_EXACT
    series = pd.DataFrame(
        {"year": range(2016, 2021), "value": values, "lower": values - half, "upper": values + half, "count": 300.0}
    ).assign(denominator=lambda f: f["count"] / f["value"] * 100_000)
    _staged_series(con, RATE_INDICATOR, series)
    assert _latest_trend(con, trend_z="exact") == "No significant change"
    assert _latest_trend(con, trend_z="fingertips") == _latest_trend(con) == "Increasing and getting worse"
    assert TREND_Z_FINGERTIPS > TREND_Z_EXACT
    with pytest.raises(ValueError, match="trend_z"):
        build_outcome_trends(con, threshold=5, trend_z="3.92")


def test_a_proportion_with_counts_alone_is_tested_on_its_counts(tmp_path: Path):
    # PHEindicatormethods' testdata_prop_trends: counts and denominators, no limits: "Decreasing" by the
    # chi-squared test for trend in proportions (Significance 12.5688). Limits computed here (Wilson) are not used.
    con = _warehouse(tmp_path, {"P1": [BIG]})
    _staged_series(con, PROPORTION_INDICATOR, PROPORTIONS.astype(float).assign(lower=np.nan, upper=np.nan))
    assert _latest_trend(con) == "Decreasing and getting better"  # the indicator is low_is_good
    # Published limits take precedence: with them the confidence-interval method runs, as Fingertips does.
    values = PROPORTIONS["value"].to_numpy(float)
    _staged_series(con, PROPORTION_INDICATOR, PROPORTIONS.astype(float).assign(lower=values - 20, upper=values + 20))
    assert _latest_trend(con) == "No significant change"


def test_suppressed_counts_do_not_break_the_run_of_points_the_trend_is_tested_on(tmp_path: Path):
    # A count of 3 in one year is published as suppressed, but the test still uses it (Fingertips tests its
    # own data before disclosure control): a run of five valid points, not two.
    con = _warehouse(tmp_path, {"P1": [BIG]})
    values = np.array([10.0, 8.0, 6.0, 4.0, 2.0])
    series = pd.DataFrame(
        {"year": range(2016, 2021), "value": values, "lower": values - 0.5, "upper": values + 0.5}
    ).assign(count=[50.0, 40.0, 3.0, 20.0, 10.0], denominator=500_000.0)
    _staged_series(con, RATE_INDICATOR, series)
    assert _latest_trend(con) == "Decreasing and getting better"
    published = con.execute("SELECT count, count_suppressed FROM marts.outcome_trends WHERE period = '2018'").fetchall()
    assert published == [(None, True)]


def test_age_bands_that_cannot_be_standardised_are_quarantined_with_the_reason(tmp_path: Path):
    raw = tmp_path / "raw"
    (raw / "outcomes").mkdir(parents=True)
    (raw / "outcomes" / "bands.csv").write_text(
        "indicator_id,area_code,period,age_band,count,population\n"
        f"{DSR_INDICATOR},{BIG},2020,0-15,12,1000\n{DSR_INDICATOR},{BIG},2020,16+,30,4000\n"
        f"{DSR_INDICATOR},{SMALL},2020,0-15,12,1000\n{DSR_INDICATOR},{SMALL},2020,16+,30,4000\n",
        encoding="utf-8",
    )
    (raw / "outcomes" / "bands_with_standard.csv").write_text(
        "indicator_id,area_code,period,age_band,count,population,standard_population\n"
        f"{DSR_INDICATOR},{TINY},2020,0-15,12,1000,20000\n{DSR_INDICATOR},{TINY},2020,16+,30,0,80000\n",
        encoding="utf-8",
    )
    con = _warehouse(tmp_path, {"P1": [BIG]})
    load_outcomes(con, raw / "outcomes", raw)
    (report,) = stage_outcomes(con)
    assert report.rows == 0 and report.quarantined == 3
    reasons = con.execute("SELECT * FROM quarantine.outcome_values").df()["reason"].astype(str)
    assert reasons.str.contains("are not the 19 bands of the 2013 European Standard Population").sum() == 2
    assert reasons.str.contains("no DSR: a population is zero or negative").sum() == 1


def test_pooled_areas_give_the_same_bits_whatever_order_the_warehouse_stores_them_in(tmp_path: Path):
    # Three areas' values without counts are pooled as their unweighted mean. Added in two orders, 0.1, 0.2 and
    # 0.3 give 0.6000000000000001 and 0.6: two refreshes of the same data must publish the same figure.
    areas = [BIG, SMALL, TINY]
    con = _warehouse(tmp_path, {"P1": areas})
    rows = pd.DataFrame(
        {
            "source_format": "fingertips",
            "indicator_id": RATE_INDICATOR,
            "area_code": [*areas, ENGLAND],
            "period": "2020",
            "period_start": pd.Timestamp("2020-01-01"),
            "period_end": pd.Timestamp("2020-12-31"),
            "period_sort_key": 20200101012,
            "period_kind": "calendar year",
            "sex": "Persons",
            "age": None,
            "category_type": None,
            "category": None,
            "value": [0.1, 0.2, 0.3, 0.2],
            "lower_ci95": np.nan,
            "upper_ci95": np.nan,
            "count": np.nan,
            "denominator": np.nan,
            "value_note": None,
        }
    )
    replace_table(con, "staging.outcome_values", rows)
    replace_table(con, "staging.outcome_age_bands", pd.DataFrame(columns=["indicator_id", "sex", "area_code"]))
    published = []
    for order in (areas, areas[::-1]):
        stored = pd.DataFrame({"partnership_id": "P1", "area_code": order})
        replace_table(con, "staging.partnership_areas", stored)
        build_outcome_trends(con, threshold=5)
        published.append(con.execute("SELECT aggregation, value FROM marts.outcome_trends").fetchall())
    assert published[0] == published[1]
    assert published[0][0][0] == "unweighted mean of 3 areas (no limits)"
