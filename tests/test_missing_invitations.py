"""A survey wave without invitations (for a partnership, or the whole wave) is a warning in the run summary,
and `marts.response_rates` says why each missing response rate is missing, saying nothing more of a
withheld row."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.cli import print_missing_invitations
from pipeline.surveys.marts import build_response_rates, missing_invitations
from pipeline.warehouse import ensure_schemas, registered

# wave x partnership x stakeholder group (None: not stated) -> respondents, every count at or above 5
RESPONSES = {
    ("wave_1", "P01", "local_authority"): 10,
    ("wave_1", "P01", "nhs"): 6,
    ("wave_1", "P01", None): 5,
    ("wave_1", "P02", "local_authority"): 8,
    ("wave_2", "P01", "local_authority"): 7,
}
# wave_1 has invitations, but none for P02 (nor for P01's nhs group); wave_2 has none at all.
INVITATIONS = [("wave_1", "P01", "local_authority", 20), ("wave_1", "P01", "other", 0)]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    responses = pd.DataFrame(
        [
            {"wave": wave, "partnership_id": partnership, "stakeholder_group": group, "finished": True}
            for (wave, partnership, group), n in RESPONSES.items()
            for _ in range(n)
        ]
    ).astype({"stakeholder_group": "string"})
    invitations = pd.DataFrame(INVITATIONS, columns=["wave", "partnership_id", "stakeholder_group", "invited"])
    with duckdb.connect(str(path)) as con:
        ensure_schemas(con)
        with registered(con, responses=responses, invitations=invitations):
            con.execute("CREATE TABLE staging.survey_responses AS SELECT * FROM responses")
            con.execute("CREATE TABLE staging.survey_invitations AS SELECT * FROM invitations")
    return path


def _rates(warehouse: Path, threshold: int) -> pd.DataFrame:
    with duckdb.connect(str(warehouse)) as con:
        build_response_rates(con, threshold)
        frame = con.execute("SELECT * FROM marts.response_rates").df()
    return frame.set_index(["wave", "partnership_id", "stakeholder_group"])


def test_each_missing_response_rate_says_why(warehouse: Path):
    rates = _rates(warehouse, threshold=5)
    assert not rates["suppressed"].any()
    published = rates.loc[("wave_1", "P01", "local_authority")]
    assert published["response_rate"] == 0.5 and pd.isna(published["note"])
    expected = {
        (
            "wave_1",
            "P01",
            "nhs",
        ): "no invitations for this stakeholder group in this wave in reference/survey_invitations.csv",
        ("wave_1", "P01", "not stated"): "respondents who did not state their stakeholder group",
        ("wave_1", "P01", "other"): "no one invited in reference/survey_invitations.csv (invited is 0)",
        ("wave_1", "P02", "local_authority"): "no invitations for this partnership in this wave",
        ("wave_2", "P01", "local_authority"): "no invitations for this wave in reference/survey_invitations.csv",
    }
    for key, reason in expected.items():
        assert pd.isna(rates.loc[key, "response_rate"]), key
        assert rates.loc[key, "note"].startswith(reason), (key, rates.loc[key, "note"])
    assert rates["note"].isna().sum() == 1  # only the published rate has no note


@pytest.mark.filterwarnings("ignore:suppress_table")  # every cell withheld: the totals' warning is expected
def test_a_withheld_row_says_only_that_it_is_withheld(warehouse: Path):
    rates = _rates(warehouse, threshold=100)  # every count below the threshold: every row withheld
    assert rates["suppressed"].all()
    assert rates["note"].str.startswith("withheld: disclosure control").all()
    assert rates["note"].nunique() == 1  # whether a row's invitations are known is never told apart


def test_waves_and_partnerships_without_invitations_are_listed_and_warned_of(warehouse: Path, capsys):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert missing_invitations(con) == [("wave_1", "P02"), ("wave_2", None)]
    assert print_missing_invitations(warehouse) == 2
    out = capsys.readouterr().out.splitlines()
    assert (
        "WARNING: survey wave wave_2 has no invitations in reference/survey_invitations.csv: its response rates"
        " are missing (marts.response_rates.note says why)"
    ) in out
    assert (
        "WARNING: survey wave wave_1 has no invitations in reference/survey_invitations.csv for P02: their"
        " response rates are missing"
    ) in out


def test_the_demo_has_invitations_for_every_wave_and_partnership(demo_run):
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        assert missing_invitations(con) == []
        notes = con.execute("SELECT DISTINCT note FROM marts.response_rates WHERE response_rate IS NULL").fetchall()
    assert {note for (note,) in notes} <= {
        "withheld: disclosure control (a count under the threshold, or one that would reveal it)",
        "respondents who did not state their stakeholder group: no invitations to set them against",
    }
