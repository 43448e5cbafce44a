"""Reference marts: the programme's names for the ids the other marts carry."""

from __future__ import annotations

import duckdb

from pipeline.comparison.analysis import OUTCOME
from pipeline.reference import schemas
from pipeline.warehouse import load_sql, replace_table


def build_labels(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.labels`: one row per kind x id (factors, QCA conditions, survey constructs, stakeholder groups,
    wicked problems, survey waves the programme labels, outcome indicators with their units) with its name, from
    the reference data."""
    frame = con.execute(load_sql(__file__, "labels"), {"outcome": OUTCOME}).df()
    return replace_table(con, "marts.labels", schemas.LabelsMart.validate(frame))
