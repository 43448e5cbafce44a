"""Reference tables edited by evaluators: CSV files whose columns are the fields of a pandera model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from pipeline.csv_layout import Layout, column, read_layout
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits

LINEAGE_COLUMNS = ("source_file", "source_row")


def optional_columns(model: type[pa.DataFrameModel]) -> list[str]:
    """Fields a reference file may leave out of its header (`metadata={"optional_column": True}`): staging
    reads a missing one as empty."""
    schema = model.to_schema()
    return [name for name, field in schema.columns.items() if (field.metadata or {}).get("optional_column")]


def layout_for(name: str, model: type[pa.DataFrameModel]) -> Layout:
    """The CSV layout of a reference table: every field of its model, each required in the header unless
    marked optional."""
    fields = [field for field in model.to_schema().columns if field not in LINEAGE_COLUMNS]
    optional = set(optional_columns(model))
    return Layout(f"{name} reference table", tuple(column(field, required=field not in optional) for field in fields))


def read_reference_csv(
    path: Path, name: str, model: type[pa.DataFrameModel], limits: ReadLimits = DEFAULT_LIMITS
) -> pd.DataFrame:
    """Read one reference CSV as received (strings, with `source_row`), once it is checked against `limits`;
    validation happens in staging."""
    return read_layout(path, layout_for(name, model), limits)
