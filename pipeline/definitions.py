"""The Dagster code location: every asset, check, job and resource of the evaluation pipeline."""

from __future__ import annotations

import dagster as dg

from assets.comparison import comparison_assets, comparison_checks
from assets.ingest import ingest_assets, raw_reference_data, raw_survey_answers
from assets.marts import construct_scores, mart_assets, mart_checks, response_rates, support_usefulness, wave_change
from assets.partitions import register_waves, survey_waves
from assets.reports import report_assets
from assets.sensors import build_survey_drop_sensor, build_weekly_refresh
from assets.staging import staging_assets, staging_checks, stg_reference_data, stg_survey_responses
from pipeline.resources import default_resources

__all__ = ["build_definitions", "build_survey_definitions", "defs", "register_waves", "survey_waves"]

wave_assets = dg.AssetSelection.assets(raw_survey_answers, stg_survey_responses)
reference_assets = dg.AssetSelection.assets(raw_reference_data, stg_reference_data)

# Reference data first: every wave is conformed to it.
reference_job = dg.define_asset_job("reference_job", selection=reference_assets)
# One wave's ingest and staging, run per partition when an export lands.
survey_wave_job = dg.define_asset_job("survey_wave_job", selection=wave_assets)
# A wave that lands: its partition, then every mart downstream of it, in one run (the sensor's job).
wave_landed_job = dg.define_asset_job(
    "wave_landed_job", selection=wave_assets | wave_assets.downstream(include_self=False)
)
# Everything that is not partitioned by wave: reference data, codings, outcomes and all marts.
refresh_job = dg.define_asset_job("refresh_job", selection=dg.AssetSelection.all() - wave_assets)


def build_definitions(resources: dict[str, dg.ConfigurableResource] | None = None) -> dg.Definitions:
    """The code location over the given resources (default: the locations configured by environment)."""
    return dg.Definitions(
        assets=[*ingest_assets, *staging_assets, *mart_assets, *comparison_assets, *report_assets],
        asset_checks=[*staging_checks, *mart_checks, *comparison_checks],
        jobs=[reference_job, survey_wave_job, wave_landed_job, refresh_job],
        sensors=[build_survey_drop_sensor(wave_landed_job)],
        schedules=[build_weekly_refresh(refresh_job)],
        resources=resources or default_resources(),
        # One DuckDB writer anyway: running steps in the run's own process avoids a process per step.
        executor=dg.in_process_executor,
    )


# The survey path alone: reference data, the survey waves and the survey marts.
SURVEY_PATH = [
    raw_reference_data,
    stg_reference_data,
    raw_survey_answers,
    stg_survey_responses,
    response_rates,
    construct_scores,
    support_usefulness,
    wave_change,
]


def build_survey_definitions(resources: dict[str, dg.ConfigurableResource] | None = None) -> dg.Definitions:
    """A code location of the survey path only, with the same jobs, checks and sensor, for a drop zone that
    holds reference data and survey waves and nothing else (the benchmark's: `pipeline.generators.national`)."""
    keys = {key for asset in SURVEY_PATH for key in asset.keys}
    checks = [
        check
        for check in [*staging_checks, *mart_checks]
        if all(check_key.asset_key in keys for check_key in check.check_keys)
    ]
    return dg.Definitions(
        assets=SURVEY_PATH,
        asset_checks=checks,
        jobs=[reference_job, survey_wave_job, wave_landed_job, refresh_job],
        sensors=[build_survey_drop_sensor(wave_landed_job)],
        resources=resources or default_resources(),
        executor=dg.in_process_executor,
    )


defs = build_definitions()
