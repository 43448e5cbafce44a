"""What every source's assets share: table specs, metadata and checks generated from the pandera models.

A validated table is declared once, by its pandera model (`pipeline/<source>/schemas.py`): its columns,
types and descriptions, its grain (`Config.unique`), accepted values (`isin`), required columns (not
nullable), references (a field's `metadata={"references": "schema.table.column"}`) and, for published
counts, disclosure control (`Config.metadata = {"disclosure": {"counts": [...], "margins": [...]}}`). From
it come the asset's column schema in the UI, its asset checks (the rules of dbt's generic tests: one pass
over the rows screens every rule, and a rule that finds something counts its rows exactly and names one)
and its entry in the data dictionary.
"""

import inspect
from collections.abc import Sequence
from typing import NamedTuple

import dagster as dg
import duckdb
import pandera.pandas as pa

from pipeline.catalog import TABLES
from pipeline.errors import printable
from pipeline.methods.disclosure import recoverable_cells, recoverable_rows
from pipeline.publish import publish_mart
from pipeline.quarantine import PARTITIONED, QUARANTINED, quarantine_shares
from pipeline.resources import EvaluationPaths, WarehouseResource
from pipeline.warehouse import quote_identifier, table_exists

PREVIEW_ROWS = 10
LAYERS = {"raw": "raw", "staging": "staging", "quarantine": "quarantine", "marts": "mart"}
KEY_PREFIXES = {"raw": "raw_", "staging": "stg_", "quarantine": "quarantine_", "marts": ""}
VIEWS = "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'VIEW'"


def asset_key(table: str) -> str:
    """The asset that is a warehouse table: `raw_<name>`, `stg_<name>`, `quarantine_<name>` or the mart's name."""
    schema, name = table.split(".", 1)
    return f"{KEY_PREFIXES[schema]}{name}"


def model_of(table: str) -> type[pa.DataFrameModel] | None:
    return TABLES.get(table)


def grain(model: type[pa.DataFrameModel]) -> list[str]:
    """The model's unique key: `Config.unique`, else its one unique column."""
    key = getattr(model.Config, "unique", None)
    if key:
        return [key] if isinstance(key, str) else list(key)
    return [name for name, column in model.to_schema().columns.items() if column.unique][:1]


def column_schema(model: type[pa.DataFrameModel]) -> dg.TableSchema:
    """The UI's column table for a model: each column's type, description and constraints."""
    schema = model.to_schema()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name,
                str(column.dtype),
                description=column.description,
                constraints=dg.TableColumnConstraints(nullable=column.nullable, unique=column.unique),
            )
            for name, column in schema.columns.items()
        ]
    )


def table_spec(table: str, description: str = "", **kwargs) -> dg.AssetSpec:
    """The asset spec of one warehouse table, its layer a tag and kind, its columns from its model."""
    schema = table.split(".", 1)[0]
    model = model_of(table)
    metadata = {"dagster/table_name": f"warehouse.{table}"}
    if model is not None:
        metadata["dagster/column_schema"] = column_schema(model)
        description = description or f"`{table}`: {inspect.getdoc(model)}"
    kinds = kwargs.pop("kinds", set()) | {"duckdb"}
    return dg.AssetSpec(
        asset_key(table),
        description=description or f"`{table}`",
        metadata=metadata,
        tags={"layer": LAYERS[schema], **kwargs.pop("tags", {})},
        kinds=kinds,
        **kwargs,
    )


def table_metadata(
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: str = "true",
    params: list | None = None,
    preview: bool = True,
    rows: int | None = None,
) -> dict[str, object]:
    """Row count (counted unless given), column schema and (unless `preview` is off) a Markdown preview of a
    warehouse table, or one partition of it."""
    if not table_exists(con, table):
        return {"dagster/table_name": f"warehouse.{table}", "dagster/row_count": 0}
    if rows is None:
        rows = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params or []).fetchall()[0][0]
    model = model_of(table)
    if model is not None:
        schema = column_schema(model)
    else:
        columns = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
            " ORDER BY ordinal_position",
            table.split(".", 1),
        ).fetchall()
        schema = dg.TableSchema(columns=[dg.TableColumn(name, dtype) for name, dtype in columns])
    metadata: dict[str, object] = {
        "dagster/table_name": f"warehouse.{table}",
        "dagster/row_count": rows,
        "dagster/column_schema": schema,
    }
    if preview:
        frame = con.execute(f"SELECT * FROM {table} WHERE {where} LIMIT {PREVIEW_ROWS}", params or []).df()
        metadata["preview"] = dg.MetadataValue.md(frame.to_markdown(index=False) if not frame.empty else "_empty_")
    return metadata


def publish_and_describe(
    con: duckdb.DuckDBPyConnection, name: str, paths: EvaluationPaths, status: dict[str, object] | None = None
) -> dg.MaterializeResult:
    """Publish `marts.<name>` to the marts folder and describe it for the UI, with the mart's own `status`
    figures (shown on the asset and plotted over its materialisations) where given."""
    path = publish_mart(con, name, paths.marts_path)
    return dg.MaterializeResult(
        asset_key=name,
        metadata={
            **table_metadata(con, f"marts.{name}"),
            "published_to": dg.MetadataValue.path(str(path)),
            **(status or {}),
        },
    )


# --- Checks from the models ------------------------------------------------------------------------------


class DataTest(NamedTuple):
    """One data test of a table. `sql` counts the offending rows and names one, reading the table as `{rows}`
    (before any of its `params`); `offends` is the same test of one row, for the pass that screens every
    test at once (`screening_sql`), or None for the grain, which no one row breaks."""

    description: str
    sql: str
    params: list
    offends: str | None


def data_tests(table: str, model: type[pa.DataFrameModel]) -> dict[str, DataTest]:
    """Each data test of a table, by its check's name, generated from the table's model."""
    short = table.split(".")[-1]
    schema = model.to_schema()
    tests: dict[str, DataTest] = {}
    if key := grain(model):
        columns = ", ".join(quote_identifier(c) for c in key)
        # Grouped by the key's hash first, then by the key only where a hash repeats: grouping millions of
        # rows (a survey wave's item scores) by one integer takes half the time of grouping them by strings.
        tests[f"{short}_unique_{'_'.join(key)}"] = DataTest(
            f"One row per {' x '.join(key)} in {table}",
            f"SELECT count(*), any_value(({columns})) FROM (SELECT {columns} FROM {{rows}} WHERE hash({columns}) IN"
            f" (SELECT hash({columns}) FROM {{rows}} GROUP BY ALL HAVING count(*) > 1) GROUP BY ALL HAVING count(*) > 1)",
            [],
            None,
        )
    if required := [name for name, column in schema.columns.items() if not column.nullable]:
        condition = " OR ".join(f"{quote_identifier(c)} IS NULL" for c in required)
        tests[f"{short}_required_columns_not_null"] = DataTest(
            f"{table}: {', '.join(required)} are never empty",
            f"SELECT count(*), NULL FROM {{rows}} WHERE {condition}",
            [],
            condition,
        )
    for name, column in schema.columns.items():
        field = quote_identifier(name)
        for check in column.checks:
            if check.name == "isin":
                allowed = list(check.statistics["allowed_values"])
                condition = f"NOT list_contains(?, {field}::VARCHAR)"
                tests[f"{short}_{name}_accepted_values"] = DataTest(
                    f"{table}.{name} is one of {', '.join(map(str, allowed))}",
                    f"SELECT count(*), any_value({field}::VARCHAR) FROM {{rows}} WHERE {condition}",
                    [[str(value) for value in allowed]],
                    condition,
                )
        if target := (column.metadata or {}).get("references"):
            target_table, target_column = target.rsplit(".", 1)
            condition = f"{field} NOT IN (SELECT {quote_identifier(target_column)} FROM {target_table})"
            tests[f"{short}_{name}_in_{target_table.split('.')[-1]}"] = DataTest(
                f"{table}.{name} exists in {target}",
                f"SELECT count(*), any_value({field}) FROM {{rows}} WHERE {condition}",
                [],
                condition,
            )
    return tests


def screening_sql(key: Sequence[str], tests: Sequence[DataTest]) -> tuple[str, list]:
    """One pass over the rows (`{rows}`, read before the parameters returned) counting, for each test in
    order, the rows it may find offending: exactly, for a test of one row; for the grain, the rows whose
    key hashes as the one before it in hash order (a key held twice, or two keys with one hash). A wave's
    item scores are a view computed afresh by each read, so the tests read them once, and a sort of the
    key's hashes finds repeats in two thirds of the time of grouping by them."""
    flags = [f"({test.offends}) AS offends_{i}" for i, test in enumerate(tests) if test.offends is not None]
    counts = [
        "count(*) FILTER (WHERE key_hash = previous_key_hash)"
        if test.offends is None
        else f"count(*) FILTER (WHERE offends_{i})"
        for i, test in enumerate(tests)
    ]
    columns = ", ".join(quote_identifier(c) for c in key)
    hashes = [f"hash({columns}) AS key_hash"] if key else []
    ordered = ", lag(key_hash) OVER (ORDER BY key_hash) AS previous_key_hash" if key else ""
    sql = (
        f"WITH checked AS {{rows}}, flagged AS (SELECT {', '.join([*hashes, *flags]) or 'true'} FROM checked)"
        f" SELECT {', '.join(counts)} FROM (SELECT *{ordered} FROM flagged)"
    )
    return sql, [param for test in tests if test.offends is not None for param in test.params]


def run_partitions(context: dg.AssetCheckExecutionContext) -> list[str] | None:
    """The partitions the run materialises (its key, or the keys of its range), or None for a run that is
    not partitioned."""
    if context.has_partition_key:
        return [context.partition_key]
    if context.has_partition_key_range:
        return list(context.partition_keys)
    return None


def partition_filter(column: str | None, partitions: list[str] | None) -> tuple[str, list, str]:
    """The condition picking the rows of the partitions a run wrote (`column` holds the key), its parameter,
    and the scope in words for a check's metadata; every row where the run is not partitioned."""
    if column is None or partitions is None:
        return "true", [], "whole table"
    if len(partitions) == 1:  # a plain comparison, so the filter reaches the tables under a view
        (key,) = partitions
        return f"{quote_identifier(column)} = ?", [key], f"{column} = {key}"
    return f"list_contains(?, {quote_identifier(column)})", [partitions], f"{column} in {', '.join(partitions)}"


def model_checks(
    table: str, *, blocking: bool = False, partition_column: str | None = None
) -> list[dg.AssetChecksDefinition]:
    """The asset checks of one table, generated from its model: unique grain, required columns, accepted
    values and references in one step, and (blocking) disclosure control where it publishes counts.

    A table written one partition at a time names the column holding the partition key
    (`partition_column`): in a partitioned run its data tests read only the partitions the run wrote, as
    the ones before were checked when they were written; in any other run they read the whole table."""
    model = model_of(table)
    if model is None:
        raise KeyError(f"{table} has no pandera model in pipeline.catalog.TABLES")
    key = asset_key(table)
    tests = data_tests(table, model)
    checks = []
    if tests:
        screening, screening_params = screening_sql(grain(model), list(tests.values()))

        @dg.multi_asset_check(
            specs=[
                dg.AssetCheckSpec(name, asset=key, description=test.description, blocking=blocking)
                for name, test in tests.items()
            ],
            name=f"{key}_data_tests",
        )
        def _data_tests(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
            # A wave's run reads that wave: the ones before it were checked when they were written.
            where, scope_params, scope = partition_filter(partition_column, run_partitions(context))
            rows = f"(SELECT * FROM {table} WHERE {where})"
            with warehouse.get_connection() as con:
                screened = con.execute(screening.replace("{rows}", rows), [*scope_params, *screening_params])
                # A test the screening finds nothing for passes; the others count exactly and name a row.
                for (name, test), candidates in zip(tests.items(), screened.fetchall()[0], strict=True):
                    offending, sample = 0, None
                    if candidates:
                        # The rows' parameters come first: they are read before anything else in the SQL.
                        scopes = scope_params * test.sql.count("{rows}")
                        sql = test.sql.replace("{rows}", rows)
                        offending, sample = con.execute(sql, [*scopes, *test.params]).fetchall()[0]
                    yield dg.AssetCheckResult(
                        asset_key=key,
                        check_name=name,
                        passed=offending == 0,
                        metadata={
                            "offending_rows": offending,
                            "sample": str(sample) if offending else "none",
                            "checked": scope,
                        },
                    )

        checks.append(_data_tests)
    disclosure = ((model.Config.metadata or {}) if hasattr(model.Config, "metadata") else {}).get("disclosure")
    if disclosure:
        checks.append(
            disclosure_check(
                key, table, disclosure["counts"], disclosure.get("margins", ()), disclosure.get("totals_over", ())
            )
        )
    return checks


def disclosure_check(
    key: str,
    table: str,
    count_columns: Sequence[str],
    margins: Sequence[Sequence[str]] = (),
    totals_over: Sequence[str] = (),
) -> dg.AssetChecksDefinition:
    """No published count lies from 1 to threshold - 1, and no suppressed count can be worked out from the
    published ones: given `margins` (the groupings whose totals are published elsewhere), or, for a table
    that carries its own totals, `totals_over` (its dimensions; a row with some of them empty adds up the
    cells over those), from the published cells and totals in the table."""

    @dg.asset_check(asset=key, name=f"{table.split('.')[-1]}_disclosure_control", blocking=True)
    def _disclosure(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.AssetCheckResult:
        with warehouse.get_connection() as con:
            frame = con.execute(f"SELECT * FROM {table}").df()
        threshold = paths.disclosure_threshold
        small = {c: int(frame[c].between(1, threshold - 1).sum()) for c in count_columns}
        if totals_over:
            recoverable = {c: int(recoverable_rows(frame, c, totals_over).sum()) for c in count_columns}
        elif margins:
            recoverable = {c: int(recoverable_cells(frame, c, [list(m) for m in margins]).sum()) for c in count_columns}
        else:
            recoverable = {}
        return dg.AssetCheckResult(
            passed=not any(small.values()) and not any(recoverable.values()),
            metadata={
                "threshold": threshold,
                "small_counts_published": small,
                "recoverable_suppressed_counts": recoverable,
            },
        )

    return _disclosure


REFUSED_FILES = "raw.refused_files"


def refused_files_check(source: str, tables: Sequence[str]) -> dg.AssetChecksDefinition:
    """A check on the first of a source's raw tables that fails, without blocking anything downstream,
    while any file of the source is refused (`raw.refused_files`): the other files load and the marts
    build, and the refusal shows on the source in the UI with each file's reason."""
    key = asset_key(tables[0])

    @dg.asset_check(
        asset=key,
        name=f"every_{source}_file_read",
        description=f"Every file of the drop zone's {source}/ folder was read ({', '.join(tables)})",
        blocking=False,
    )
    def _every_file_read(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as con:
            rows = con.execute(
                f"SELECT DISTINCT source_file, reason, rows_kept FROM {REFUSED_FILES}"
                " WHERE list_contains(?, table_name) ORDER BY source_file",
                [list(tables)],
            ).fetchall()
        return dg.AssetCheckResult(
            passed=not rows,
            metadata={
                "files_refused": len({file for file, _, _ in rows}),
                "refused": dg.MetadataValue.json(
                    [{"file": printable(f), "reason": printable(r), "earlier_rows_kept": k} for f, r, k in rows]
                ),
            },
        )

    return _every_file_read


def quarantine_share_check(source: str) -> dg.AssetChecksDefinition:
    """A check on a source's first staging table that fails, with error severity, when the share of the
    source's rows quarantined passes the setting `max_quarantine_share` (`pipeline.quarantine`). For a
    source written one partition at a time (`pipeline.quarantine.PARTITIONED`, see `model_checks`), a
    partitioned run counts the rows of the partitions it wrote, as the refresh's summary judges them.

    Not blocking: the other sources and the marts still build, as they do for a refused file, while the
    refresh exits non-zero naming the source; the marts built on the rows that passed are there to inspect.
    """
    tables = QUARANTINED[source]
    partition_column = PARTITIONED.get(source)

    @dg.asset_check(
        asset=asset_key(f"staging.{tables[0]}"),
        name=f"{source}_quarantine_share_within_limit",
        description=f"At most max_quarantine_share of the rows of any of {', '.join(tables)} is quarantined",
        blocking=False,
    )
    def _quarantine_share(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, paths: EvaluationPaths
    ) -> dg.AssetCheckResult:
        limit = paths.max_quarantine_share
        where, params, scope = partition_filter(partition_column, run_partitions(context))
        with warehouse.get_connection() as con:
            (share,) = quarantine_shares(con, {source: tables}, where, params)
        over = share.over(limit)
        message = share.limit_message(limit)
        if scope != "whole table":  # a wave's run names the wave: the share is that wave's
            message = f"{scope}: {message}"
        return dg.AssetCheckResult(
            passed=not over,
            severity=dg.AssetCheckSeverity.ERROR,
            description=message if over else None,
            metadata={
                "max_quarantine_share": limit,
                "quarantine_share": round(share.share, 4),
                "quarantined_rows": share.quarantined,
                "checked": scope,
                "tables": dg.MetadataValue.json(
                    [
                        {
                            "table": t.table,
                            "received": "not counted: none quarantined" if t.received is None else t.received,
                            "quarantined": t.quarantined,
                            "share": round(t.share, 4),
                        }
                        for t in share.tables
                    ]
                ),
            },
        )

    return _quarantine_share


def checks_for(
    tables: Sequence[str], *, blocking: bool = False, partition_column: str | None = None
) -> list[dg.AssetChecksDefinition]:
    """The generated checks of several tables (`partition_column`: see `model_checks`)."""
    return [
        check for table in tables for check in model_checks(table, blocking=blocking, partition_column=partition_column)
    ]


def table_specs(tables: Sequence[str], *, deps: Sequence[str] = (), **kwargs) -> list[dg.AssetSpec]:
    """The specs of the tables one step writes, each depending on `deps`."""
    return [table_spec(table, deps=list(deps), **kwargs) for table in tables]


def quarantine_of(tables: Sequence[str]) -> list[str]:
    """The quarantine twin of each staging table (`quarantine.<name>`: rows set aside with their reason)."""
    return [f"quarantine.{table.split('.', 1)[1]}" for table in tables]


def step_results(
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[str],
    reports: Sequence[object] = (),
    where: str = "true",
    params: list | None = None,
) -> list[dg.MaterializeResult]:
    """One result per table a step wrote: its metadata (previews for marts only, so no free text from raw or
    staging rows reaches the run storage), with the step's report for the table where there is one."""
    by_table = {getattr(report, "table", None): report for report in reports}
    # Counting a view computes it again (the survey item scores: a wave's answers); its report has the count.
    views = {schema + "." + name for schema, name in con.execute(VIEWS).fetchall()}
    results = []
    for table in tables:
        report = by_table.get(table)
        rows = report.rows if table in views and report is not None else None
        metadata = table_metadata(con, table, where, params, preview=table.startswith("marts."), rows=rows)
        if report is not None:
            metadata.update({k: _metadata_value(v) for k, v in report.as_metadata().items()})
        results.append(dg.MaterializeResult(asset_key=asset_key(table), metadata=metadata))
    return results


def _metadata_value(value: object) -> object:
    return value if isinstance(value, int | float | str | bool) else dg.MetadataValue.json(value)


def mart_metadata(name: str) -> dict[str, object]:
    """The definition metadata of the mart asset `name`: its table and its columns with descriptions."""
    return dict(table_spec(f"marts.{name}").metadata)


def mart_asset(*, group: str, deps: Sequence[object]):
    """Declare a mart asset: published as Parquet, tagged with the mart layer, its columns from its model."""

    def decorate(build):
        return dg.asset(
            name=build.__name__,
            deps=list(deps),
            group_name=group,
            pool="warehouse",
            kinds={"duckdb", "parquet"},
            tags={"layer": "mart"},
            metadata=mart_metadata(build.__name__),
        )(build)

    return decorate
