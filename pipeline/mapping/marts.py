"""Information-mapping marts: interventions laid over each partnership's driver diagram."""

from __future__ import annotations

import duckdb

from pipeline.mapping import schemas
from pipeline.warehouse import load_sql, replace_table


def build_driver_coverage(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.driver_coverage`: one row per partnership x secondary driver, with gaps and duplication."""
    frame = schemas.DriverCoverageMart.validate(con.execute(load_sql(__file__, "driver_coverage")).df())
    return replace_table(con, "marts.driver_coverage", frame)


def build_marmot_coverage(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.marmot_coverage`: one row per partnership x Marmot objective. Needs `marts.driver_coverage`."""
    frame = schemas.MarmotCoverageMart.validate(con.execute(load_sql(__file__, "marmot_coverage")).df())
    return replace_table(con, "marts.marmot_coverage", frame)
