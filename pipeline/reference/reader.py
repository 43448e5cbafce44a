"""Reference tables edited by evaluators: CSV files whose columns are the fields of a pandera model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from pipeline.csv_layout import Layout, column, read_layout
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits

LINEAGE_COLUMNS = ("source_file", "source_row")


def layout_for(name: str, model: type[pa.DataFrameModel]) -> Layout:
    """The CSV layout of a reference table: every field of its model, each required in the header."""
    fields = [field for field in model.to_schema().columns if field not in LINEAGE_COLUMNS]
    return Layout(f"{name} reference table", tuple(column(field, required=True) for field in fields))


def read_reference_csv(
    path: Path, name: str, model: type[pa.DataFrameModel], limits: ReadLimits = DEFAULT_LIMITS
) -> pd.DataFrame:
    """Read one reference CSV as received (strings, with `source_row`), once it is checked against `limits`;
    validation happens in staging."""
    return read_layout(path, layout_for(name, model), limits)
