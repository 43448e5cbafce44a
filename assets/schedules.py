"""The weekly refresh of everything not partitioned by survey wave (new waves are taken by the sensor)."""

import dagster as dg


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
