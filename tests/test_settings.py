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
        ({"EVAL_WAVE_PROCESSES": "0"}, "EVAL_WAVE_PROCESSES must be at least 1"),
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
    names = [
        "disclosure_threshold",
        "coding_case_variable",
        "coding_source_rule",
        "coding_kappa_weights",
        "trend_points",
        "trend_z",
    ]
    assert [getattr(bundled, name) for name in names] == [getattr(default, name) for name in names]
    assert (default.coding_kappa_weights, default.trend_points, default.trend_z) == ("linear", 5, "fingertips")


def test_a_text_setting_of_the_wrong_type_is_an_error_naming_it(tmp_path):
    (tmp_path / "settings.toml").write_text("coding_source_rule = 3\n")
    with pytest.raises(SettingsError, match="coding_source_rule must be text"):
        load_settings({"EVAL_DATA_DIR": str(tmp_path)})


def test_the_method_settings_come_from_the_settings_file_and_reach_the_resources(tmp_path):
    from pipeline.resources import default_resources

    (tmp_path / "settings.toml").write_text(
        'coding_kappa_weights = "quadratic"\ntrend_points = "all"\ntrend_z = "exact"\n'
    )
    settings = load_settings({"EVAL_DATA_DIR": str(tmp_path)})
    assert (settings.coding_kappa_weights, settings.trend_points, settings.trend_z) == ("quadratic", None, "exact")
    paths = default_resources(settings)["paths"]
    assert (paths.coding_kappa_weights, paths.trend_points, paths.trend_z) == ("quadratic", None, "exact")
    (tmp_path / "settings.toml").write_text("trend_points = 7\n")
    assert load_settings({"EVAL_DATA_DIR": str(tmp_path)}).trend_points == 7


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("trend_points = 4", "trend_points must be at least 5"),
        ("trend_points = 5.5", "trend_points must be a whole number"),
        ('trend_z = "3.92"', "trend_z must be one of fingertips, exact"),
        ('coding_kappa_weights = "squared"', "coding_kappa_weights must be one of linear, quadratic"),
    ],
)
def test_a_method_setting_out_of_range_is_an_error_naming_it(tmp_path, line, message):
    (tmp_path / "settings.toml").write_text(line + "\n")
    with pytest.raises(SettingsError, match=message):
        load_settings({"EVAL_DATA_DIR": str(tmp_path)})


def test_the_analysis_rules_default_to_todays_values(tmp_path):
    from tests.conftest import DATA_DIR

    settings = load_settings({"EVAL_DATA_DIR": str(tmp_path)})
    assert (settings.survey_strong_from, settings.survey_weak_to) == (3.5, 2.5)
    assert (settings.qca_consistency_cut, settings.qca_frequency_cut, settings.crossover_rule) == (0.8, 1, "nudge")
    assert settings.qca_negated_consistency_cut is None  # the cut for success
    assert (settings.min_relative_change, settings.improved_needs_interval) == (0.05, False)
    assert settings.evidence_base == "survey"
    bundled = load_settings({"EVAL_DATA_DIR": str(DATA_DIR)})
    names = [
        "survey_strong_from",
        "survey_weak_to",
        "qca_consistency_cut",
        "qca_frequency_cut",
        "crossover_rule",
        "evidence_base",
        "min_relative_change",
        "improved_needs_interval",
        "benefits_attribution",
        "benefits_deadweight",
        "benefits_price_year",
    ]
    assert (settings.benefits_attribution, settings.benefits_deadweight, settings.benefits_price_year) == (
        1.0,
        0.0,
        None,
    )
    assert [getattr(bundled, n) for n in names] == [getattr(settings, n) for n in names]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("qca_consistency_cut = 1.2", "qca_consistency_cut must be a number from 0 to 1, not 1.2"),
        ("qca_consistency_cut = 0", "qca_consistency_cut must be above 0 and at most 1"),
        ("qca_negated_consistency_cut = 0", "qca_negated_consistency_cut must be above 0 and at most 1"),
        ('qca_negated_consistency_cut = "same"', "qca_negated_consistency_cut must be a number from 0 to 1"),
        ("qca_frequency_cut = 0", "qca_frequency_cut must be a whole number of at least 1, not 0"),
        ('crossover_rule = "drop"', "crossover_rule must be one of nudge, exclude, not 'drop'"),
        ('evidence_base = "codings"', "evidence_base must be one of survey, site_visits, triangulated, not 'codings'"),
        ("min_relative_change = -0.1", "min_relative_change must be a number of at least 0, not -0.1"),
        ('improved_needs_interval = "yes"', "improved_needs_interval must be true or false"),
        ('survey_strong_from = "high"', "survey_strong_from must be a number, not 'high'"),
        ("survey_weak_to = 4.0", r"survey_weak_to \(4\) must be below survey_strong_from \(3.5\)"),
        ("benefits_attribution = 1.5", "benefits_attribution must be a number from 0 to 1, not 1.5"),
        ("benefits_deadweight = -0.1", "benefits_deadweight must be a number from 0 to 1, not -0.1"),
        ('benefits_price_year = "2024"', "benefits_price_year must be a calendar year or \"latest\", not '2024'"),
    ],
)
def test_an_analysis_rule_out_of_range_is_an_error_naming_settings_toml_and_the_key(tmp_path, line, message):
    (tmp_path / "settings.toml").write_text(line + "\n")
    with pytest.raises(SettingsError, match=rf"settings.toml: {message}"):
        load_settings({"EVAL_DATA_DIR": str(tmp_path)})


def test_every_evaluation_setting_reaches_the_resource_with_the_same_default():
    from dataclasses import MISSING, fields

    from pipeline.resources import EvaluationPaths
    from pipeline.settings import Settings

    # Settings that only the command line and the warehouse connection use, not the assets.
    process_only = {"warehouse", "duckdb_memory_limit", "refresh_wait_seconds", "pseudonym_key_from_environment"}
    process_only |= {"dagster_home", "wave_processes"}
    resource_fields = EvaluationPaths.model_fields
    for setting in fields(Settings):
        if setting.name in process_only:
            continue
        assert setting.name in resource_fields, f"{setting.name} is read but never passed to the assets"
        if setting.default is not MISSING and setting.name != "secret_file":
            assert resource_fields[setting.name].default == setting.default, setting.name


@pytest.mark.parametrize("base", ["survey", "site_visits", "triangulated"])
def test_the_evidence_base_is_read_from_settings_toml(tmp_path, base):
    (tmp_path / "settings.toml").write_text(f'evidence_base = "{base}"\n')
    assert load_settings({"EVAL_DATA_DIR": str(tmp_path)}).evidence_base == base
