"""Interventions tied to the secondary drivers of their partnership's driver diagram."""

from __future__ import annotations

import duckdb

from pipeline.mapping import schemas
from pipeline.staging import StageReport, read_frame, write_validated
from pipeline.validation import Validated, reject_where, revalidate
from pipeline.warehouse import load_sql


def stage_interventions(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """One row per intervention x secondary driver it addresses, checked against the partnership's diagram."""
    rows = read_frame(con, load_sql(__file__, "interventions"))
    result = reject_where(
        Validated.passing(rows),
        ~rows["known_partnership"],
        [
            f"partnership {p!r} is not in reference/partnerships.csv"
            for p in rows.loc[~rows["known_partnership"], "partnership_id"]
        ],
    )
    outside = ~result.valid["driver_in_diagram"]
    result = reject_where(
        result,
        outside,
        [
            f"driver {d!r} is not in the {w} driver diagram (reference/driver_diagrams.csv)"
            for d, w in zip(
                result.valid.loc[outside, "secondary_driver_id"],
                result.valid.loc[outside, "wicked_problem"],
                strict=True,
            )
        ],
    )
    return [write_validated(con, "interventions", revalidate(result, schemas.Intervention))]
