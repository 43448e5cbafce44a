"""Materialisation metadata shown in the Dagster UI: row counts, schema and a preview of each table."""

from __future__ import annotations

import dagster as dg
import duckdb

from pipeline.warehouse import table_exists

PREVIEW_ROWS = 10


def table_metadata(
    con: duckdb.DuckDBPyConnection, table: str, where: str = "true", params: list | None = None
) -> dict[str, object]:
    """Row count, column schema and a Markdown preview of a warehouse table (or one partition of it)."""
    if not table_exists(con, table):
        return {"dagster/table_name": f"warehouse.{table}", "dagster/row_count": 0}
    rows = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params or []).fetchall()[0][0]
    columns = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        table.split(".", 1),
    ).fetchall()
    preview = con.execute(f"SELECT * FROM {table} WHERE {where} LIMIT {PREVIEW_ROWS}", params or []).df()
    return {
        "dagster/table_name": f"warehouse.{table}",
        "dagster/row_count": rows,
        "dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(name, dtype) for name, dtype in columns]),
        "preview": dg.MetadataValue.md(preview.to_markdown(index=False) if not preview.empty else "_empty_"),
    }
