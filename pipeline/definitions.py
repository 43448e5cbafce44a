"""The Dagster code location: every asset, check, job and resource of the evaluation pipeline."""

from __future__ import annotations

import dagster as dg

from assets.comparison import comparison_assets, comparison_checks
from assets.ingest import ingest_assets, raw_reference_data, raw_survey_answers
from assets.marts import mart_assets, mart_checks
from assets.partitions import register_waves, survey_waves
from assets.reports import report_assets
from assets.sensors import build_survey_drop_sensor, build_weekly_refresh
from assets.staging import staging_assets, staging_checks, stg_reference_data, stg_survey_responses
from pipeline.resources import default_resources

__all__ = ["build_definitions", "defs", "register_waves", "survey_waves"]

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


defs = build_definitions()
