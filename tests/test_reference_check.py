"""The reference data is checked as a whole before anything loads: every error names its file, row and
column, and a refresh on inconsistent reference data stops with nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.reference.check import check_reference
from pipeline.settings import DropZone
from tests.conftest import DATA_DIR, run_refresh


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def drop_zone(tmp_path) -> DropZone:
    for folder in ("reference", "surveys"):  # the survey exports: the waves file is checked against them
        shutil.copytree(DATA_DIR / folder, tmp_path / "raw" / folder)
    return DropZone(tmp_path / "raw")


@pytest.fixture
def three_errors(drop_zone) -> DropZone:
    reference = drop_zone.reference_dir
    edit(reference / "partnerships.csv", "P02,Thanet,E07000114,", "P02,Thanet,E0700O114,")
    edit(reference / "survey_instrument.csv", "SL1,senior_leadership,agree5,", "SL1,senior_leadership,agree7,")
    edit(reference / "qca_conditions.csv", "project_management,PM,", "project_managment,PM,")
    return drop_zone


def test_the_demo_reference_data_is_consistent(drop_zone):
    assert [f for f in check_reference(drop_zone) if f.severity == "error"] == []


def test_each_planted_error_is_named_with_its_file_row_and_column(three_errors):
    findings = check_reference(three_errors)
    errors = [str(f) for f in findings if f.severity == "error" and not f.follows_from]
    assert len(errors) == 3, errors
    # P02's invitations are rejected only because P02 is: reported as following from it, not as new errors.
    knock_on = [f for f in findings if f.follows_from]
    assert knock_on and {f.follows_from for f in knock_on} == {"partnership_id='P02'"}
    assert any("reference/partnerships.csv row 3" in e and "'area_codes'" in e and "E0700O114" in e for e in errors)
    assert any("reference/survey_instrument.csv row 4" in e and "agree7" in e for e in errors)
    assert any(
        "reference/qca_conditions.csv row 3" in e and "'factor_id'" in e and "project_managment" in e for e in errors
    )


def test_a_missing_reference_file_is_an_error_naming_it(drop_zone):
    (drop_zone.reference_dir / "success_factors.csv").unlink()
    (finding,) = check_reference(drop_zone)
    assert finding.severity == "error" and "success_factors" in finding.message


def test_a_refresh_on_inconsistent_reference_data_loads_nothing(three_errors, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    result = run_refresh(three_errors.data_dir, tmp_path, timeout=300)
    assert result.returncode == 1
    assert "3 error(s)" in result.stdout and "Nothing was loaded" in result.stderr
    assert not warehouse.exists() and not (tmp_path / "marts").exists()


def test_ids_groups_problems_and_areas_are_the_programme_s_own(drop_zone):
    """Nothing programme-specific is in code: an id of another form, a Welsh area, a renamed stakeholder
    group and a renamed problem are all consistent reference data."""
    reference = drop_zone.reference_dir
    for name in ("partnerships.csv", "survey_invitations.csv", "indicator_register.csv", "sustainment.csv"):
        text = (reference / name).read_text(encoding="utf-8")
        (reference / name).write_text(text.replace("P01,", "KIR,"), encoding="utf-8")
    edit(reference / "partnerships.csv", "KIR,Kirklees,E08000034,", "KIR,Kirklees,E08000034;W06000001,")
    for name in ("stakeholder_groups.csv", "survey_invitations.csv"):
        text = (reference / name).read_text(encoding="utf-8")
        (reference / name).write_text(
            text.replace(",other,", ",icb_and_other,").replace("\nother,", "\nicb_and_other,")
        )
    for name in ("partnerships.csv", "outcome_indicators.csv", "driver_diagrams.csv"):
        text = (reference / name).read_text(encoding="utf-8")
        (reference / name).write_text(text.replace("alcohol_harm", "alcohol_related_harm"), encoding="utf-8")
    assert [str(f) for f in check_reference(drop_zone)] == []


def test_a_template_drop_zone_describes_every_reference_column_and_passes_the_check(tmp_path):
    from pipeline.reference.schemas import REFERENCE_MODELS
    from pipeline.reference.template import write_template

    drop_zone = write_template(tmp_path / "new_programme")
    assert [f for f in check_reference(drop_zone) if f.severity == "error"] == []
    readme = (drop_zone.reference_dir / "README.md").read_text(encoding="utf-8")
    for name, model in REFERENCE_MODELS.items():
        assert f"## `{name}.csv`" in readme
        columns = [c for c in model.to_schema().columns if c not in ("source_file", "source_row")]
        assert all(f"| `{column}` |" in readme for column in columns), name
    assert (drop_zone.settings_file).read_text() == (DATA_DIR / "settings.toml").read_text()
    with pytest.raises(FileExistsError, match="is not empty"):
        write_template(drop_zone.data_dir)


def test_rating_cut_offs_outside_the_factor_items_scale_are_an_error_naming_settings_toml(drop_zone, tmp_path):
    """The demo's factor items answer on agree5 (scores 1 to 5): a cut-off of 6 no mean could reach."""
    from pipeline.settings import load_settings

    (drop_zone.data_dir / "settings.toml").write_text("survey_strong_from = 6\nsurvey_weak_to = 2.5\n")
    settings = load_settings({"EVAL_DATA_DIR": str(drop_zone.data_dir)})
    (finding,) = [f for f in check_reference(drop_zone, settings) if f.severity == "error"]
    assert str(finding) == (
        "ERROR settings.toml: survey_strong_from = 6 lies outside 1 to 5, the scores of answer scale 'agree5' "
        "(likert_scales.csv) that success-factor items use; set it between them"
    )


def test_a_sustainment_factor_that_is_no_success_factor_is_a_gap_naming_settings_toml(drop_zone):
    """The demo records sustainment; `integraton` (misspelt) names no factor, so the report could not test it."""
    from pipeline.settings import load_settings

    assert not [f for f in check_reference(drop_zone, load_settings({"EVAL_DATA_DIR": str(drop_zone.data_dir)}))]
    (drop_zone.data_dir / "settings.toml").write_text('sustainment_factor = "integraton"\n')
    settings = load_settings({"EVAL_DATA_DIR": str(drop_zone.data_dir)})
    (finding,) = check_reference(drop_zone, settings)
    assert (finding.severity, finding.source_file) == ("gap", "settings.toml")
    assert finding.message.startswith("sustainment_factor = 'integraton' is not a factor_id of success_factors.csv (")
    (drop_zone.reference_dir / "sustainment.csv").unlink()  # without sustainment recorded, the setting is unused
    assert check_reference(drop_zone, settings) == []


def test_rating_cut_offs_follow_the_scale_the_factor_items_use_whatever_its_length(drop_zone):
    """A 0-10 scale: cut-offs of 7 and 3 fit it, though they would not fit 1-5."""
    from pipeline.settings import load_settings

    likert = drop_zone.reference_dir / "likert_scales.csv"
    rows = "".join(f"scale11,{score} out of 10,{score + 1},{score}\n" for score in range(11))
    likert.write_text(likert.read_text(encoding="utf-8") + rows, encoding="utf-8")
    instrument = drop_zone.reference_dir / "survey_instrument.csv"
    instrument.write_text(instrument.read_text(encoding="utf-8").replace(",agree5,", ",scale11,"), encoding="utf-8")
    (drop_zone.data_dir / "settings.toml").write_text("survey_strong_from = 7\nsurvey_weak_to = 3\n")
    settings = load_settings({"EVAL_DATA_DIR": str(drop_zone.data_dir)})
    assert [str(f) for f in check_reference(drop_zone, settings) if f.severity == "error"] == []
    (drop_zone.data_dir / "settings.toml").write_text("survey_strong_from = 11\n")
    settings = load_settings({"EVAL_DATA_DIR": str(drop_zone.data_dir)})
    (finding,) = [f for f in check_reference(drop_zone, settings) if f.severity == "error"]
    assert "survey_strong_from = 11 lies outside 0 to 10" in finding.message


def test_ratings_that_are_no_success_factor_must_say_they_are_support_offer_ratings(drop_zone):
    """Without construct_kind, items are a scale of a success factor: the six support ratings are not."""
    instrument = drop_zone.reference_dir / "survey_instrument.csv"
    instrument.write_text(instrument.read_text(encoding="utf-8").replace(",support_offer\n", ",\n"), encoding="utf-8")
    errors = [f for f in check_reference(drop_zone) if f.severity == "error"]
    assert [f.row for f in errors] == [18, 19, 20, 21, 22, 23]
    assert all("construct 'support_usefulness' is not a success factor" in f.message for f in errors)
    assert "need construct_kind support_offer" in errors[0].message


def test_a_construct_whose_items_disagree_on_its_kind_is_rejected_whole(drop_zone):
    edit(drop_zone.reference_dir / "survey_instrument.csv", "Expert support,support_offer", "Expert support,scale")
    errors = [f for f in check_reference(drop_zone) if f.severity == "error"]
    assert len(errors) == 6
    assert "construct 'support_usefulness' more than one kind (scale, support_offer)" in errors[0].message.replace(
        "give it ", ""
    ).replace("the items of ", "")


def test_the_indicator_register_is_checked_with_the_reference_data(drop_zone):
    register = drop_zone.reference_dir / "indicator_register.csv"
    edit(register, "P03,P03-PRO1,", "P99,P03-PRO1,")
    edit(register, "alcohol treatment,output,AH3a,", "alcohol treatment,output,ZZ9,")
    edit(register, "primary care,process,AH2a,ill_health_prevention,interventions,higher_is_better,150,2015-03-31,260,2017-03-31,monthly,Blackpool",
         "primary care,process,AH2a,world_peace,interventions,higher_is_better,150,2015-03-31,260,2017-03-31,monthly,Blackpool")  # fmt: skip
    edit(register, "interventions,higher_is_better,150,2015-03-31,260,2017-03-31,monthly,Liverpool",
         "interventions,up,150,2015-03-31,260,2017-03-31,monthly,Liverpool")  # fmt: skip
    edit(register, ",monthly,Knowsley Council school sport", ",weekly,Knowsley Council school sport")
    errors = [str(f) for f in check_reference(drop_zone) if f.severity == "error"]
    file = "ERROR reference/indicator_register.csv"
    assert errors == [
        f"{file} row 6: column 'partnership_id': partnership 'P99' is not in reference/partnerships.csv",
        f"{file} row 9: column 'driver': 'ZZ9' is not a driver of the alcohol_harm driver diagram (reference/driver_diagrams.csv)",
        f"{file} row 10: column 'marmot_objective': Marmot objective 'world_peace' is not in reference/marmot_objectives.csv",
        f"{file} row 18: column 'polarity': 'up' failed isin(['higher_is_better', 'lower_is_better'])",
        f"{file} row 20: column 'frequency': 'weekly' failed isin(['monthly', 'quarterly'])",
    ]  # fmt: skip


def test_a_register_naming_a_rejected_partnership_follows_from_that_partnership(three_errors):
    knock_on = [f for f in check_reference(three_errors) if f.source_file == "reference/indicator_register.csv"]
    assert [(f.row, f.follows_from) for f in knock_on] == [(4, "partnership_id='P02'"), (5, "partnership_id='P02'")]


def test_a_bad_row_of_the_waves_file_is_an_error_naming_file_row_and_column(drop_zone):
    waves = drop_zone.reference_dir / "survey_waves.csv"
    edit(waves, "wave_2,Midpoint (2017),2017-06-05,2017-06-25,2", "wave_2,Midpoint (2017),2017-06-25,2017-06-05,2")
    edit(waves, "wave_3,Final (2018),2018-06-04,2018-06-24,3", "wave_3,Final (2018),2018-06-04,2018-06-24,1")
    errors = [str(f) for f in check_reference(drop_zone) if f.severity == "error"]
    assert errors == [
        "ERROR reference/survey_waves.csv row 2: column 'position': 1 failed position_is_unique",
        "ERROR reference/survey_waves.csv row 3: column 'fieldwork_end': 2017-06-05 is before fieldwork_start "
        "2017-06-25; fieldwork cannot end before it starts",
        "ERROR reference/survey_waves.csv row 4: column 'position': 1 failed position_is_unique",
    ]


def test_waves_the_file_lists_without_an_export_and_exports_it_does_not_list_are_gaps(drop_zone):
    (drop_zone.surveys_dir / "wave_3.csv").unlink()
    edit(drop_zone.reference_dir / "survey_waves.csv", "wave_1,", "wave_0,")
    gaps = [str(f) for f in check_reference(drop_zone) if f.severity == "gap"]
    assert gaps == [
        "GAP   reference/survey_waves.csv: the export of wave 'wave_1' (surveys/) has no row here: it keeps its file "
        "name as its label and follows the listed waves in the order they opened",
        "GAP   reference/survey_waves.csv row 2: column 'wave': wave 'wave_0' has no export in surveys/ (expected a "
        "file such as surveys/wave_0.csv)",
        "GAP   reference/survey_waves.csv row 4: column 'wave': wave 'wave_3' has no export in surveys/ (expected a "
        "file such as surveys/wave_3.csv)",
    ]


def test_without_the_waves_file_the_check_finds_nothing_new(drop_zone):
    """The file is optional: leaving it out is no error, and the exports are not compared with anything."""
    (drop_zone.reference_dir / "survey_waves.csv").unlink()
    assert [str(f) for f in check_reference(drop_zone)] == []


def test_bad_rows_of_the_sustainment_and_spread_files_are_errors_naming_file_row_and_column(drop_zone):
    reference = drop_zone.reference_dir
    edit(reference / "sustainment.csv", "P03,stopped,2018-07-31,", "P03,paused,2018-07-31,")
    edit(reference / "sustainment.csv", "P05,stopped,2018-02-28,", "P05,stopped,2016-02-28,")
    edit(reference / "spread.csv", "P12,new_service,", "P99,new_service,")
    edit(
        reference / "spread.csv",
        "P13,new_programme,The approach was taken into the area's wider prevention programme,2018-02-28",
        "P13,new_programme,The approach was taken into the area's wider prevention programme,2017-03-30",
    )
    errors = [str(f) for f in check_reference(drop_zone) if f.severity == "error"]
    assert errors == [
        "ERROR reference/spread.csv row 3: column 'partnership_id': partnership 'P99' is not in partnerships.csv",
        "ERROR reference/spread.csv row 4: column 'spread_date': 2017-03-30 is before P13's support ended"
        " (2017-03-31, partnerships.csv); what became of the work after support is dated on or after that day",
        "ERROR reference/sustainment.csv row 4: column 'status': 'paused' failed isin(['sustained', 'integrated',"
        " 'stopped'])",
        "ERROR reference/sustainment.csv row 6: column 'status_date': 2016-02-28 is before P05's support ended"
        " (2017-03-31, partnerships.csv); what became of the work after support is dated on or after that day",
    ]


def test_without_the_sustainment_and_spread_files_the_check_finds_nothing_new(drop_zone):
    """Both files are optional: a programme that has not followed its partnerships up yet leaves them out."""
    (drop_zone.reference_dir / "sustainment.csv").unlink()
    (drop_zone.reference_dir / "spread.csv").unlink()
    assert [str(f) for f in check_reference(drop_zone)] == []


def test_bad_rows_of_the_evidence_register_are_errors_naming_file_row_and_column(drop_zone):
    register = drop_zone.reference_dir / "evidence_register.csv"
    edit(register, "senior_leadership;project_management;governance;prior_experience,", "senior_leadership;leadrship,")
    edit(register, ",2016,guidance,", ",2016,blog_post,")
    edit(register, ",mixed,very_low,", ",mixed,weak,")
    edit(register, ",1992,literature_review,", ",19922,literature_review,")
    errors = [str(f) for f in check_reference(drop_zone) if f.severity == "error"]
    assert errors == [
        "ERROR reference/evidence_register.csv row 2: column 'factors': factor 'leadrship' is not in "
        "success_factors.csv",
        "ERROR reference/evidence_register.csv row 4: column 'kind': 'blog_post' failed isin(['systematic_review', "
        "'literature_review', 'evaluation', 'guidance', 'policy_report', 'local_document'])",
        "ERROR reference/evidence_register.csv row 6: column 'strength': 'weak' failed isin(['high', 'moderate', "
        "'low', 'very_low'])",
        "ERROR reference/evidence_register.csv row 13: column 'year': 19922 failed less_than_or_equal_to(2100)",
    ]


def test_without_the_evidence_register_the_check_finds_nothing_new(drop_zone):
    (drop_zone.reference_dir / "evidence_register.csv").unlink()
    assert [str(f) for f in check_reference(drop_zone)] == []
