"""A survey export set against the reference data before it is loaded (`python -m pipeline.cli check-surveys`)."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.surveys.readers.export import SurveyExport
from pipeline.warehouse import load_sql, registered


def export_mismatches(
    con: duckdb.DuckDBPyConnection, export: SurveyExport, answers: duckdb.DuckDBPyRelation
) -> list[tuple[str, str, int | None]]:
    """(kind, value, responses) for each answer column the instrument does not map and each partnership
    not in partnerships.csv, on a connection holding the staged reference data."""
    columns = pd.DataFrame(
        {
            "column_name": [c.name for c in export.columns],
            "source_id": [c.source_id for c in export.columns],
            "kind": [c.kind for c in export.columns],
        }
    )
    with registered(con, _answers=answers.df(), _columns=columns):
        return con.execute(load_sql(__file__, "export_against_reference"), {"tool": export.tool}).fetchall()
