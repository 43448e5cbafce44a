"""Reports: publication outputs built from the marts."""

import dagster as dg

from assets.comparison import comparison_assets
from assets.marts import mart_assets
from pipeline.reports.dictionary import write_data_dictionary
from pipeline.resources import EvaluationPaths

REPORTS = dict(group_name="reports", kinds={"markdown"})


@dg.asset(deps=[*mart_assets, *comparison_assets], **REPORTS)
def data_dictionary(paths: EvaluationPaths) -> dg.MaterializeResult:
    """The data dictionary (`$EVAL_MARTS_DIR/data_dictionary.md`): every validated table, its grain, and
    every column's type, rules and meaning, generated from the pandera models. Grain: one section per table."""
    path = write_data_dictionary(paths.marts_path)
    return dg.MaterializeResult(metadata={"published_to": dg.MetadataValue.path(str(path))})


report_assets = [data_dictionary]
