"""Settings come from the environment and the drop zone's settings.toml, in one place, with clear errors."""

import pytest

from pipeline.settings import SettingsError, load_settings


def test_the_disclosure_threshold_defaults_to_five_and_the_environment_changes_it(tmp_path):
    assert load_settings({"EVAL_DATA_DIR": str(tmp_path)}).disclosure_threshold == 5
    assert load_settings({"EVAL_DATA_DIR": str(tmp_path), "EVAL_DISCLOSURE_THRESHOLD": "10"}).disclosure_threshold == 10


def test_the_drop_zone_settings_file_sets_the_threshold_and_the_environment_wins(tmp_path):
    (tmp_path / "settings.toml").write_text("disclosure_threshold = 7\n")
    assert load_settings({"EVAL_DATA_DIR": str(tmp_path)}).disclosure_threshold == 7
    assert load_settings({"EVAL_DATA_DIR": str(tmp_path), "EVAL_DISCLOSURE_THRESHOLD": "3"}).disclosure_threshold == 3


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"EVAL_DISCLOSURE_THRESHOLD": "0"}, "EVAL_DISCLOSURE_THRESHOLD must be at least 1"),
        ({"EVAL_DISCLOSURE_THRESHOLD": "five"}, "EVAL_DISCLOSURE_THRESHOLD must be a int"),
        ({"EVAL_REFRESH_WAIT": "soon"}, "EVAL_REFRESH_WAIT must be a float"),
    ],
)
def test_a_setting_out_of_range_is_an_error_naming_it(tmp_path, environ, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({"EVAL_DATA_DIR": str(tmp_path), **environ})


def test_a_settings_file_that_is_not_toml_is_an_error_naming_the_file(tmp_path):
    (tmp_path / "settings.toml").write_text("disclosure_threshold = = 7\n")
    with pytest.raises(SettingsError, match="settings.toml: not valid TOML"):
        load_settings({"EVAL_DATA_DIR": str(tmp_path)})


def test_the_pseudonym_key_is_only_flagged_never_held(tmp_path):
    settings = load_settings({"EVAL_DATA_DIR": str(tmp_path), "EVAL_PSEUDONYM_KEY": "very-secret"})
    assert settings.pseudonym_key_from_environment
    assert "very-secret" not in repr(settings)


def test_the_bundled_settings_file_holds_the_defaults(tmp_path):
    from tests.conftest import DATA_DIR

    bundled = load_settings({"EVAL_DATA_DIR": str(DATA_DIR)})
    default = load_settings({"EVAL_DATA_DIR": str(tmp_path)})
    assert (bundled.disclosure_threshold, bundled.coding_case_variable, bundled.coding_source_rule) == (
        default.disclosure_threshold,
        default.coding_case_variable,
        default.coding_source_rule,
    )


def test_a_text_setting_of_the_wrong_type_is_an_error_naming_it(tmp_path):
    (tmp_path / "settings.toml").write_text("coding_source_rule = 3\n")
    with pytest.raises(SettingsError, match="coding_source_rule must be text"):
        load_settings({"EVAL_DATA_DIR": str(tmp_path)})
