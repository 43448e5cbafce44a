"""Survey waves as dynamic partitions: one per export file dropped into `$EVAL_DATA_DIR/surveys/`."""

from __future__ import annotations

import dagster as dg

from pipeline.config import DropZone
from pipeline.ingest import survey_wave_files

survey_waves = dg.DynamicPartitionsDefinition(name="survey_waves")


def unregistered_waves(instance: dg.DagsterInstance, drop_zone: DropZone) -> list[str]:
    """Waves with an export in the drop zone that are not yet partitions (the sensor and `make demo` use this)."""
    known = set(instance.get_dynamic_partitions(survey_waves.name))
    return [wave for wave in survey_wave_files(drop_zone.surveys_dir) if wave not in known]


def register_waves(instance: dg.DagsterInstance, drop_zone: DropZone) -> list[str]:
    """Add a partition for every wave found in the drop zone; returns the waves added."""
    new = unregistered_waves(instance, drop_zone)
    if new:
        instance.add_dynamic_partitions(survey_waves.name, new)
    return new
