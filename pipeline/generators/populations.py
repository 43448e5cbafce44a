"""The demo's `reference/area_populations.csv`: each partnership area's all-ages population, taken from the
denominators of the bundled real Fingertips download.

Written by `make demo-data` (from `pipeline.generators.demo.generate`; nothing is drawn at random, so the other
demo files do not change). `outcomes/fingertips/indicators-CountyUA.data.csv` (indicator 93356, Campylobacter
incidence per 100,000, 2015-2017) publishes, for every county and unitary authority, the population its rate is
per: all ages, persons, the ONS mid-year estimate OHID used. The rows without a category (not a deprivation
decile) of each partnership's areas that the file covers are copied as they are published, except that a year
whose population repeats the year before's exactly is left out: the file's 2017 rows carry the 2016 estimate
forward (every area's 2017 denominator equals its 2016 one; 2017's estimates were not yet out), and writing it
as 2017's would date it wrongly. District partnerships (E07 codes) are not in a county/UA file and get no row.
Provenance: `data/raw/SOURCES.md`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from pipeline.generators.files import write_atomically
from pipeline.outcomes.readers import read_fingertips_csv

FINGERTIPS_FILE = Path("outcomes") / "fingertips" / "indicators-CountyUA.data.csv"
SOURCE = (
    "ONS mid-year population estimate, as the denominator of OHID Fingertips indicator 93356 "
    "(Campylobacter incidence, all ages, persons)"
)
COLUMNS = ["area_code", "year", "population", "age", "sex", "source"]


def area_populations(fingertips: pd.DataFrame, area_codes: set[str]) -> pd.DataFrame:
    """The all-ages persons denominators of a Fingertips download (as `read_fingertips_csv` returns it) for
    `area_codes`, one row per area x year, in the columns of `reference/area_populations.csv`; a year whose
    population repeats the area's previous year exactly (an estimate carried forward) is left out."""
    rows = fingertips[
        fingertips["area_code"].isin(area_codes)
        & fingertips["category_type"].isna()
        & fingertips["age"].eq("All ages")
        & fingertips["sex"].eq("Persons")
        & fingertips["denominator"].notna()
    ]
    frame = pd.DataFrame(
        {
            "area_code": rows["area_code"],
            "year": rows["time_period"].astype(int),
            # Published as a float text (e.g. "330218"); a population is a whole number of people.
            "population": pd.to_numeric(rows["denominator"]).round().astype(int),
            "age": rows["age"],
            "sex": rows["sex"],
            "source": SOURCE,
        }
    )
    frame = frame.drop_duplicates().sort_values(["area_code", "year"]).reset_index(drop=True)
    carried_forward = frame["population"].eq(frame.groupby("area_code")["population"].shift())
    return frame[~carried_forward].reset_index(drop=True)[COLUMNS]


def write_area_populations(data_dir: Path) -> int:
    """Write `reference/area_populations.csv` for the partnerships of `data_dir`; returns the rows written."""
    partnerships = pd.read_csv(data_dir / "reference" / "partnerships.csv", dtype=str)
    codes = {code for codes in partnerships["area_codes"] for code in codes.split(";")}
    frame = area_populations(read_fingertips_csv(data_dir / FINGERTIPS_FILE), codes)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    write_atomically(data_dir / "reference" / "area_populations.csv", buffer.getvalue().encode())
    return len(frame)
