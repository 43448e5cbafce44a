"""The drop zone as a whole: the files refused on their own, with their reasons, across every source."""

import dagster as dg

from assets.tables import REFUSED_FILES, step_results, table_specs
from pipeline.resources import WarehouseResource

# The raw tables whose loads record refusals: every source but reference data (checked as a whole, a bad
# reference file stops the run) and survey waves (one partition per export: a bad one fails on its own).
INGESTED = [
    "raw_qda_segments",
    "raw_qda_case_variables",
    "raw_fingertips_values",
    "raw_tidy_outcome_values",
    "raw_fingertipsnext_values",
    "raw_age_banded_counts",
    "raw_deprivation",
    "raw_interventions",
    "raw_success_assessments",
]


@dg.multi_asset(
    name="refused_files",
    specs=table_specs([REFUSED_FILES], deps=INGESTED, group_name="drop_zone"),
    pool="warehouse",
)
def refused_files(warehouse: WarehouseResource):
    """Files of the drop zone that could not be read safely (`raw.refused_files`: one row per raw table x
    refused file, with the source, its content hash, the reason, when, and how many rows an earlier version
    of it still keeps in the raw table). Each was left out on its own; every other file of its source
    loaded. Each source's `every_<source>_file_read` check fails, without blocking, while it has one."""
    with warehouse.get_connection() as con:
        yield from step_results(con, [REFUSED_FILES])


drop_zone_assets = [refused_files]
