"""The official IoD 2019 district summaries workbook reads into the same long form as the tidy file."""

from __future__ import annotations

import pandas as pd

from pipeline.outcomes.deprivation import read_iod_workbook
from pipeline.outcomes.readers import read_iod_tidy
from tests.conftest import DATA_DIR, FIXTURES

WORKBOOK = FIXTURES / "deprivation" / "IoD2019_LAD_summaries.xlsx"


def test_published_check_values():
    # Rank of average score, IMD 2019 (MHCLG, File 10 local authority summaries): Thanet 30, Luton 70,
    # Kirklees 83, Brighton and Hove 131.
    imd = read_iod_workbook(WORKBOOK).query("index_domain == 'Index of Multiple Deprivation'").set_index("lad_name")
    assert imd.loc[["Thanet", "Luton", "Kirklees", "Brighton and Hove"], "rank_average_score"].tolist() == [
        "30",
        "70",
        "83",
        "131",
    ]
    assert len(imd) == 317 and set(imd["year"]) == {"2019"}


def test_the_workbook_and_the_tidy_file_agree_on_every_rank():
    workbook = read_iod_workbook(WORKBOOK)
    tidy = read_iod_tidy(DATA_DIR / "deprivation" / "IoD2019_lad_tidy.csv")
    assert len(workbook) == len(tidy) == 3170
    keys = ["lad_code", "index_domain"]
    merged = workbook.merge(tidy, on=keys, suffixes=("_workbook", "_tidy"))
    assert len(merged) == 3170  # the domain names line up
    for measure in ("rank_average_score", "rank_average_rank", "rank_proportion_bottom_decile"):
        assert (pd.to_numeric(merged[f"{measure}_workbook"]) == pd.to_numeric(merged[f"{measure}_tidy"])).all()
    scores = pd.to_numeric(merged["average_score_workbook"]) - pd.to_numeric(merged["average_score_tidy"])
    assert scores.abs().max() < 1e-9
