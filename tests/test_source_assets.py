"""Each source's assets materialise on their own, on a temporary warehouse, with their generated checks,
as Dagster's own teaching projects test assets: `dg.materialize` over the source's assets and resources."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from assets import codings, comparison, mapping, outcomes, reference, surveys
from pipeline.settings import Settings
from tests.conftest import DATA_DIR, resources_for


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=DATA_DIR, warehouse=tmp_path / "warehouse.duckdb", marts_dir=tmp_path / "marts")


def materialise(settings: Settings, assets: list, checks: list = (), **kwargs) -> dg.ExecuteInProcessResult:
    result = dg.materialize([*assets, *checks], resources=resources_for(settings), **kwargs)
    assert result.success
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed == []
    return result


def counts(settings: Settings, *tables: str) -> dict[str, int]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] for table in tables}


def test_reference_data_stages_every_table_and_derives_the_areas(settings):
    result = materialise(settings, reference.reference_assets, reference.reference_checks)
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {
        "raw_reference_partnerships",
        "stg_partnerships",
        "stg_partnership_areas",
        "quarantine_partnerships",
    } <= materialised
    assert counts(settings, "staging.partnerships", "quarantine.partnerships") == {
        "staging.partnerships": 30,
        "quarantine.partnerships": 0,
    }


def test_a_survey_wave_is_one_partition_and_the_marts_follow(settings):
    materialise(settings, reference.reference_assets)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(surveys.survey_waves.name, ["wave_1"])
    materialise(
        settings,
        surveys.wave_assets,
        instance=instance,
        partition_key="wave_1",
        selection=dg.AssetSelection.assets(*surveys.wave_assets),
    )
    later = [a for a in surveys.survey_assets if a not in surveys.wave_assets]
    materialise(settings, later, selection=dg.AssetSelection.assets(*later), instance=instance)
    found = counts(settings, "staging.survey_responses", "staging.survey_waves", "marts.construct_scores")
    assert found["staging.survey_waves"] == 1
    assert found["staging.survey_responses"] > 0 and found["marts.construct_scores"] > 0


def test_site_visit_codings_stage_and_their_agreement_is_published(settings):
    materialise(settings, reference.reference_assets)
    materialise(settings, codings.coding_assets, codings.coding_checks)
    found = counts(settings, "raw.qda_segments", "staging.coded_segments", "marts.coder_agreement")
    assert found["staging.coded_segments"] > 0 and found["marts.coder_agreement"] > 0
    assert (settings.marts_dir / "coder_agreement.parquet").exists()


def test_outcome_statistics_stage_and_the_outcome_marts_are_published(settings):
    materialise(settings, reference.reference_assets)
    materialise(settings, outcomes.outcome_assets, outcomes.outcome_checks)
    found = counts(settings, "staging.outcome_values", "marts.outcome_trends", "marts.outcome_change")
    assert all(found.values()), found


def test_interventions_map_onto_driver_diagrams(settings):
    materialise(settings, reference.reference_assets)
    materialise(settings, mapping.mapping_assets, mapping.mapping_checks)
    found = counts(settings, "staging.interventions", "marts.driver_coverage", "marts.marmot_coverage")
    assert found["marts.driver_coverage"] == 180 and found["marts.marmot_coverage"] == 180


def test_success_assessments_stage_on_their_own(settings):
    materialise(settings, reference.reference_assets)
    staged = [comparison.ingest_success_assessments, comparison.stage_success_assessments]
    materialise(settings, staged, selection=dg.AssetSelection.assets(*staged))
    assert counts(settings, "staging.success_assessments")["staging.success_assessments"] == 30
