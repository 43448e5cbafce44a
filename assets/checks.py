"""Data tests declared as Dagster asset checks: unique keys, required values, accepted values, relationships.

Each check is one SQL query counting offending rows in the warehouse, in the manner of dbt's generic
tests, so it reads the table as it is after the asset ran.
"""

from collections.abc import Sequence

import dagster as dg

from pipeline.methods.disclosure import recoverable_cells
from pipeline.resources import EvaluationPaths, WarehouseResource
from pipeline.warehouse import quote_identifier


def _check(
    asset: dg.AssetsDefinition, name: str, description: str, sql: str, params: list, blocking: bool
) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset, name=name, description=description, blocking=blocking)
    def _sql_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as con:
            offending, sample = con.execute(sql, params).fetchall()[0]
        return dg.AssetCheckResult(
            passed=offending == 0,
            metadata={"offending_rows": offending, "sample": str(sample) if offending else "none"},
        )

    return _sql_check


def table_checks(
    asset: dg.AssetsDefinition | str,
    table: str,
    *,
    unique: Sequence[str] = (),
    not_null: Sequence[str] = (),
    accepted: dict[str, Sequence[str]] | None = None,
    references: dict[str, str] | None = None,
    blocking: bool = False,
) -> list[dg.AssetChecksDefinition]:
    """Checks for one warehouse table: `unique` (the grain), `not_null` columns, `accepted` values and
    `references` (column -> `schema.table.column` it must be found in)."""
    short = table.split(".")[-1]
    checks = []
    if unique:
        key = ", ".join(quote_identifier(c) for c in unique)
        sql = f"SELECT count(*), any_value(({key})) FROM (SELECT {key} FROM {table} GROUP BY {key} HAVING count(*) > 1)"
        checks.append(
            _check(
                asset,
                f"{short}_unique_{'_'.join(unique)}",
                f"One row per {' x '.join(unique)} in {table}",
                sql,
                [],
                blocking,
            )
        )
    for column in not_null:
        sql = f"SELECT count(*), NULL FROM {table} WHERE {quote_identifier(column)} IS NULL"
        checks.append(
            _check(asset, f"{short}_{column}_not_null", f"{table}.{column} is never empty", sql, [], blocking)
        )
    for column, values in (accepted or {}).items():
        sql = f"SELECT count(*), any_value({quote_identifier(column)}) FROM {table} WHERE NOT list_contains(?, {quote_identifier(column)})"
        checks.append(
            _check(
                asset,
                f"{short}_{column}_accepted_values",
                f"{table}.{column} is one of {', '.join(map(str, values))}",
                sql,
                [list(values)],
                blocking,
            )
        )
    for column, target in (references or {}).items():
        target_table, target_column = target.rsplit(".", 1)
        sql = (
            f"SELECT count(*), any_value({quote_identifier(column)}) FROM {table} "
            f"WHERE {quote_identifier(column)} NOT IN (SELECT {quote_identifier(target_column)} FROM {target_table})"
        )
        checks.append(
            _check(
                asset,
                f"{short}_{column}_in_{target_table.split('.')[-1]}",
                f"{table}.{column} exists in {target}",
                sql,
                [],
                blocking,
            )
        )
    return checks


def disclosure_check(
    asset: dg.AssetsDefinition, table: str, count_columns: Sequence[str], margins: Sequence[Sequence[str]] = ()
) -> dg.AssetChecksDefinition:
    """No published count lies from 1 to threshold - 1, and (given `margins`, the groupings whose totals
    are published) no suppressed count can be worked out from the published ones."""

    @dg.asset_check(asset=asset, name=f"{table.split('.')[-1]}_disclosure_control", blocking=True)
    def _disclosure(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.AssetCheckResult:
        with warehouse.get_connection() as con:
            frame = con.execute(f"SELECT * FROM {table}").df()
        threshold = paths.disclosure_threshold
        small = {c: int(frame[c].between(1, threshold - 1).sum()) for c in count_columns}
        recoverable = (
            {c: int(recoverable_cells(frame, c, list(margins)).sum()) for c in count_columns} if margins else {}
        )
        return dg.AssetCheckResult(
            passed=not any(small.values()) and not any(recoverable.values()),
            metadata={
                "threshold": threshold,
                "small_counts_published": small,
                "recoverable_suppressed_counts": recoverable,
            },
        )

    return _disclosure
