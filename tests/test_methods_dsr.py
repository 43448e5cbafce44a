"""Directly standardised rates (pipeline.methods.dsr) against PHEindicatormethods' own published test data.

Source: the R package PHEindicatormethods (Public Health England / OHID, GPL-3), repository
publichealthengland/PHEindicatormethods (mirrored as ukhsa-collaboration/PHEindicatormethods), commit
093fd288d8f8949dbcfbed70049dbbf385b6141d, file tests/testthat/testdata_DSR_ISR.xlsx, as loaded by
data-raw/LoadTestdata.R and checked by tests/testthat/testDSRs.R (`calculate_dsr`, "dsrs and CIs calculate
correctly"):
- sheet "testdata_multiarea": three areas (testdata_big, testdata_small, testdata_tiny) with 19 age bands of
  counts and populations, joined to the package's `esp2013` (data-raw/LoadTestdata.R);
- sheet "testdata_1976": one area in 18 bands with a user-supplied standard (the 1976 European Standard);
- sheet "testresults_DSR": the expected totals, DSRs and 95% / 99.8% limits per 100,000 and per 10,000, and the
  statistic "dsr NA for total count < 10" for the tiny area. The figures are stored to double precision and are
  transcribed below to 6 decimals (the testthat comparison is expect_equal, tolerance about 1.5e-8).
The values are transcribed here rather than the workbook copied, so that no file from the fetched repository is
kept in this one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.methods.dsr import DSR_MIN_EVENTS, ESP2013, ESP2013_AGE_BANDS, dsr, dsrs

# Sheet "testdata_multiarea": the same 19 populations for each area; counts by area (testdata_tiny has a missing
# count in 10-14, which PHEindicatormethods counts as 0 events).
POPULATION = [636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123, 207]
COUNTS = {
    "testdata_big": [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91],
    "testdata_small": [12, 4, 3, 2, 3, 4, 8, 2, 2, 3, 4, 5, 6, 8, 5, 6, 5, 5, 4],
    "testdata_tiny": [0, 0, np.nan, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 2, 3],
}
MULTIAREA = pd.DataFrame(
    [
        {"area": area, "age_band": band, "count": count, "population": population, "standard_population": esp}
        for area, counts in COUNTS.items()
        for band, count, population, esp in zip(ESP2013_AGE_BANDS, counts, POPULATION, ESP2013, strict=True)
    ]
)

# Sheet "testresults_DSR", rows 5-7 (per 100,000): total_count, total_pop, value, lower95_0cl, upper95_0cl,
# lower99_8cl, upper99_8cl.
PER_100000 = {
    "testdata_big": (895, 8970, 10430.247991, 9717.709068, 11178.940915, 9323.287880, 11620.596000),
    "testdata_small": (91, 8970, 1103.212025, 877.455768, 1367.088223, 763.642036, 1530.032895),
}
# Rows 1-2 (per 10,000, "test multiplier"): value, lower95_0cl, upper95_0cl.
PER_10000 = {
    "testdata_big": (1043.024799, 971.770907, 1117.894092),
    "testdata_small": (110.321203, 87.745577, 136.708822),
}
TRANSCRIBED = 1e-6  # 6 decimals as transcribed


def test_esp2013_is_the_published_standard_population():
    # PHEindicatormethods man/esp2013.Rd (Eurostat 2013, 19 bands, 0-4 ... 85-89, 90+):
    # 5000 5500 5500 5500 6000 6000 6500 7000 7000 7000 7000 6500 6000 5500 5000 4000 2500 1500 1000
    published = "5000 5500 5500 5500 6000 6000 6500 7000 7000 7000 7000 6500 6000 5500 5000 4000 2500 1500 1000"
    assert ESP2013 == tuple(int(value) for value in published.split())
    assert sum(ESP2013) == 100_000 and len(ESP2013_AGE_BANDS) == 19
    assert (ESP2013_AGE_BANDS[0], ESP2013_AGE_BANDS[-1]) == ("0-4", "90+")


def test_dsrs_reproduce_phe_test_results_per_100000_with_both_levels():
    # testDSRs.R: calculate_dsr(test_multiarea_esp, count, pop, stdpop = esp2013, confidence = c(0.95, 0.998)).
    result = dsrs(MULTIAREA, ["area"]).set_index("area")
    for area, published in PER_100000.items():
        row = result.loc[area]
        ours = [row[c] for c in ("total_count", "total_pop", "value", "lower_ci95", "upper_ci95")]
        ours += [row["lower_ci998"], row["upper_ci998"]]
        assert np.abs(np.array(ours) - np.array(published)).max() < TRANSCRIBED, area
        assert (row["statistic"], row["method"]) == ("dsr per 100000", "Dobson")


def test_fewer_than_ten_events_give_no_dsr():
    # testdata_tiny: 9 events in total (one count missing): value and limits NA, statistic
    # "dsr NA for total count < 10", total_count and total_pop still reported (9, 8970).
    row = dsrs(MULTIAREA, ["area"]).set_index("area").loc["testdata_tiny"]
    assert (row["total_count"], row["total_pop"]) == (9, 8970)
    assert np.isnan([row["value"], row["lower_ci95"], row["upper_ci95"], row["lower_ci998"]]).all()
    assert row["statistic"] == "dsr NA for total count < 10"
    # The threshold itself: ten events give a DSR.
    assert DSR_MIN_EVENTS == 10
    ten = dsr([10, 0], [1000, 1000], [1, 1])
    assert ten["value"] == pytest.approx(500.0) and ten["statistic"] == "dsr per 100000"


def test_multiplier_reproduces_phe_test_results_per_10000():
    # testDSRs.R "test multiplier": calculate_dsr(..., multiplier = 10000, type = "standard"), 95% limits.
    result = dsrs(MULTIAREA, ["area"], multiplier=10_000, levels=0.95).set_index("area")
    for area, published in PER_10000.items():
        ours = result.loc[area, ["value", "lower_ci95", "upper_ci95"]].to_numpy(float)
        assert np.abs(ours - np.array(published)).max() < TRANSCRIBED, area
        assert result.loc[area, "statistic"] == "dsr per 10000"
    assert "lower_ci998" not in result.columns


def test_user_supplied_standard_population_reproduces_phe_test_result():
    # testDSRs.R "test with user specified stdpop": calculate_dsr(test_DSR_1976, count, pop, stdpop = esp1976)
    # against testresults_DSR row 8: 804 events, population 8763, DSR 8592.097585 (7991.160931 to 9225.253880)
    # per 100,000. (That row's 99.8% columns are not compared by testDSRs.R and are not used here.)
    counts = [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82]
    population = [636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123]
    esp1976 = [
        int(v)
        for v in "8000 7000 7000 7000 7000 7000 7000 7000 7000 7000 7000 6000 5000 4000 3000 2000 1000 1000".split()
    ]
    result = dsr(counts, population, esp1976, levels=0.95)
    ours = [result[c] for c in ("total_count", "total_pop", "value", "lower_ci95", "upper_ci95")]
    assert np.abs(np.array(ours) - np.array([804, 8763, 8592.097585, 7991.160931, 9225.253880])).max() < TRANSCRIBED


def test_dsr_refuses_impossible_input_and_names_the_group():
    with pytest.raises(ValueError, match="population is zero or negative: category 1"):
        dsr([10, 5], [100, 0], [1, 1])
    with pytest.raises(ValueError, match="one value per standardisation category"):
        dsr([10, 5], [100, 100])
    with pytest.raises(ValueError, match="a count is negative"):
        dsr([10, -1], [100, 100], [1, 1])
    broken = MULTIAREA.assign(population=MULTIAREA["population"].where(MULTIAREA.index != 40))
    with pytest.raises(ValueError, match=r"group \{'area': 'testdata_tiny'\}: a population is missing"):
        dsrs(broken, ["area"])
