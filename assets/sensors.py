"""Automation: a sensor that takes each new or corrected survey wave, and a weekly full refresh."""

import json

import dagster as dg

from assets.partitions import survey_waves, unregistered_waves
from pipeline.ingest import survey_wave_files
from pipeline.resources import EvaluationPaths
from pipeline.warehouse import file_hash


def build_survey_drop_sensor(job: dg.JobDefinition | str) -> dg.SensorDefinition:
    """A sensor on `$EVAL_DATA_DIR/surveys/` that requests `job` for every new or changed export."""

    @dg.sensor(job=job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
    def survey_drop_sensor(context: dg.SensorEvaluationContext, paths: EvaluationPaths) -> dg.SensorResult:
        """Adds a wave partition for each new export in the surveys folder and runs that wave and the marts
        downstream of it. The cursor maps every export seen to its content hash, so dropping the same file
        again changes nothing and a corrected file (same name, new content) runs its wave again."""
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        new_waves = unregistered_waves(context.instance, paths.drop_zone)
        requests = []
        for wave, path in survey_wave_files(paths.drop_zone.surveys_dir).items():
            digest = file_hash(path)
            if seen.get(wave) != digest:
                requests.append(
                    dg.RunRequest(partition_key=wave, run_key=f"{wave}:{digest}", tags={"source_file": path.name})
                )
                seen[wave] = digest
        return dg.SensorResult(
            run_requests=requests,
            dynamic_partitions_requests=[survey_waves.build_add_request(new_waves)] if new_waves else [],
            cursor=json.dumps(seen, sort_keys=True),
        )

    return survey_drop_sensor


def build_weekly_refresh(job: dg.JobDefinition | str) -> dg.ScheduleDefinition:
    """Every Monday at 06:00: reference data, codings, outcome statistics and every mart, from the drop zone."""
    return dg.ScheduleDefinition(
        name="weekly_refresh",
        job=job,
        cron_schedule="0 6 * * 1",
        execution_timezone="Europe/London",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Weekly refresh of everything not partitioned by survey wave (new waves are taken by the sensor).",
    )
