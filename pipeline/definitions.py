"""The Dagster code location: every asset, check, job and resource of the evaluation pipeline."""

from __future__ import annotations

import gc

import dagster as dg

from assets.codings import coding_assets, coding_checks
from assets.comments import comment_assets, comment_checks
from assets.comparison import comparison_assets, comparison_checks
from assets.drop_zone import drop_zone_assets
from assets.mapping import mapping_assets, mapping_checks
from assets.monitoring import build_monitoring_drop_sensor, ingest_monitoring, monitoring_assets, monitoring_checks
from assets.outcomes import outcome_assets, outcome_checks
from assets.reference import reference_assets, reference_checks
from assets.reports import report_assets_over
from assets.schedules import build_weekly_refresh
from assets.surveys import (
    build_survey_drop_sensor,
    order_survey_waves,
    register_waves,
    survey_assets,
    survey_checks,
    survey_waves,
    wave_assets,
)
from pipeline.resources import default_resources
from pipeline.settings import Settings

__all__ = ["build_definitions", "build_survey_definitions", "defs", "register_waves", "survey_waves"]

SOURCE_ASSETS = [
    *reference_assets,
    *survey_assets,
    *coding_assets,
    *comment_assets,
    *outcome_assets,
    *mapping_assets,
    *monitoring_assets,
    *comparison_assets,
    *drop_zone_assets,
]
ALL_ASSETS = [*SOURCE_ASSETS, *report_assets_over(SOURCE_ASSETS)]
ALL_CHECKS = [
    *reference_checks,
    *survey_checks,
    *coding_checks,
    *comment_checks,
    *outcome_checks,
    *mapping_checks,
    *monitoring_checks,
    *comparison_checks,
]

waves = dg.AssetSelection.assets(*wave_assets)
reference = dg.AssetSelection.assets(*reference_assets)
# Reference data first: every wave is conformed to it.
reference_job = dg.define_asset_job("reference_job", selection=reference)
# One wave's ingest and staging, run per partition when an export lands.
survey_wave_job = dg.define_asset_job("survey_wave_job", selection=waves)
# A wave that lands: its partition, then everything downstream of it, in one run (the sensor's job).
wave_landed_job = dg.define_asset_job("wave_landed_job", selection=waves | waves.downstream(include_self=False))
# A wave whose export was deleted: the wave order (which drops its rows) and everything downstream of it.
wave_order = dg.AssetSelection.assets(order_survey_waves)
waves_removed_job = dg.define_asset_job("waves_removed_job", selection=wave_order | wave_order.downstream())
# Everything that is not partitioned by wave: reference data, codings, outcomes and all marts.
refresh_job = dg.define_asset_job("refresh_job", selection=dg.AssetSelection.all() - waves)
# The same less reference data: a refresh's last run, after reference_job and each wave's run
# (`pipeline.cli.materialise_all`), so reference data is not staged and checked a second time.
after_waves_job = dg.define_asset_job("after_waves_job", selection=dg.AssetSelection.all() - waves - reference)
# A monitoring return that lands: the monitoring assets, their marts and the report pages (the sensor's job).
monitoring = dg.AssetSelection.assets(ingest_monitoring)
monitoring_job = dg.define_asset_job("monitoring_job", selection=monitoring | monitoring.downstream())
JOBS = [reference_job, survey_wave_job, wave_landed_job, waves_removed_job, refresh_job, after_waves_job]


def build_definitions(resources: dict[str, dg.ConfigurableResource] | None = None) -> dg.Definitions:
    """The code location over the given resources (default: `default_resources()`, from the settings)."""
    return dg.Definitions(
        assets=ALL_ASSETS,
        asset_checks=ALL_CHECKS,
        jobs=[*JOBS, monitoring_job],
        sensors=[
            build_survey_drop_sensor(wave_landed_job, waves_removed_job),
            build_monitoring_drop_sensor(monitoring_job),
        ],
        schedules=[build_weekly_refresh(refresh_job)],
        resources=resources or default_resources(),
        # One DuckDB writer anyway: running steps in the run's own process avoids a process per step.
        executor=dg.in_process_executor,
    )


def build_survey_definitions(resources: dict[str, dg.ConfigurableResource] | None = None) -> dg.Definitions:
    """A code location of the survey path only (reference data, the survey waves and the survey marts), with
    the same jobs, checks and sensor, for a drop zone that holds nothing else (the benchmark's:
    `pipeline.generators.national`)."""
    assets = [*reference_assets, *survey_assets]
    keys = {key for asset in assets for key in asset.keys}
    checks = [check for check in ALL_CHECKS if all(check_key.asset_key in keys for check_key in check.check_keys)]
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=JOBS,
        sensors=[build_survey_drop_sensor(wave_landed_job, waves_removed_job)],
        resources=resources or default_resources(),
        executor=dg.in_process_executor,
    )


def definitions_for(settings: Settings, surveys_only: bool = False) -> dg.Definitions:
    """The code location over the resources of `settings` (`surveys_only`: the survey path's), as a process
    running survey waves beside others builds it again (`pipeline.cli.materialise_all`)."""
    build = build_survey_definitions if surveys_only else build_definitions
    return build(default_resources(settings))


defs = build_definitions()

# What is loaded by now (the libraries, the definitions) lives as long as the process. Frozen, the garbage
# collector never walks it again: a run's process spent about a second doing so as it exited.
gc.freeze()
