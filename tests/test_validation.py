"""pandera schemas split good rows from bad ones, and say why each bad row was set aside."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.reference.schemas import Partnership
from pipeline.validation import SchemaValidationError, validate_frame

GOOD = {
    "partnership_id": "P01",
    "partnership_name": "Kirklees",
    "area_codes": "E08000034",
    "wicked_problem": "infant_mortality",
    "programme_round": "1",
    "support_start": "2015-04-01",
    "support_end": "2017-03-31",
    "source_file": "reference/partnerships.csv",
    "source_row": 2,
}


def test_a_bad_row_is_quarantined_with_file_row_column_and_what_was_expected():
    bad = {**GOOD, "partnership_id": "P02", "wicked_problem": "Childhood obesity", "source_row": 3}
    result = validate_frame(pd.DataFrame([GOOD, bad]), Partnership)
    assert list(result.valid["partnership_id"]) == ["P01"]
    assert result.valid["programme_round"].dtype == "int64"
    [quarantined] = result.quarantined.to_dict(orient="records")
    assert (quarantined["source_file"], quarantined["source_row"]) == ("reference/partnerships.csv", 3)
    assert "column 'wicked_problem': 'Childhood obesity' failed str_matches(" in quarantined["reason"]
    assert "^[a-z0-9_]+$" in quarantined["reason"]  # what was expected is named
    assert json.loads(quarantined["record"])["partnership_id"] == "P02"  # nothing is lost


def test_every_reason_for_a_row_is_kept_and_good_rows_survive_a_value_that_cannot_be_read():
    unreadable = {**GOOD, "partnership_id": "P03", "programme_round": "first", "area_codes": "Luton", "source_row": 4}
    result = validate_frame(pd.DataFrame([GOOD, unreadable]), Partnership)
    reason = result.quarantined.loc[0, "reason"]
    assert "'first' is not a valid int64" in reason and "column 'area_codes': 'Luton'" in reason
    assert list(result.valid["partnership_id"]) == ["P01"]


def test_duplicate_keys_are_all_set_aside_rather_than_one_chosen_silently():
    result = validate_frame(pd.DataFrame([GOOD, {**GOOD, "source_row": 5}]), Partnership)
    assert result.valid.empty
    assert list(result.quarantined["reason"]) == ["duplicate key partnership_id='P01'"] * 2


def test_a_missing_column_rejects_the_whole_table_naming_the_column():
    with pytest.raises(SchemaValidationError, match="Partnership rejected the whole table: .*wicked_problem"):
        validate_frame(pd.DataFrame([GOOD]).drop(columns="wicked_problem"), Partnership)


def test_a_cross_field_rule_names_itself():
    backwards = {**GOOD, "support_end": "2014-03-31"}
    result = validate_frame(pd.DataFrame([backwards]), Partnership)
    assert "support_period_is_ordered" in result.quarantined.loc[0, "reason"]
