"""How much of each source the staging layer set aside: rows quarantined against rows received.

Each source's staging tables with a quarantine twin (`quarantine.<name>`: the rows set aside, each with its
reason) are listed in `QUARANTINED`, keyed by the drop-zone folder the rows come from. A table's rows
received are its staged rows plus its quarantined rows. A source's share is the largest share of any of its
tables: tables of one source have different grains (a survey's responses and their scored answers), so
adding them up would let a mass of good answers hide most respondents being set aside.

The setting `max_quarantine_share` is the largest share a source may have: the asset check on each source
(`assets.tables.quarantine_share_check`) and the refresh's run summary compare against it.

A table none of whose rows were quarantined has a share of 0 whatever it received, so its rows received are
counted only if it is its source's first table (whose count the summary and the check show whatever was
quarantined): a survey's item scores are a view computing every answer's score again, which counting would
do for nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb

from pipeline.reference.schemas import REFERENCE_MODELS, staged_name
from pipeline.warehouse import quote_identifier, table_exists

# source (its drop-zone folder) -> its staging tables that quarantine rows, the first the one its check is on
QUARANTINED: dict[str, tuple[str, ...]] = {
    "reference": tuple(staged_name(name) for name in REFERENCE_MODELS),
    "surveys": ("survey_responses", "survey_item_scores"),
    "codings": ("coded_segments",),
    # The comment coding tables of codings/comments/, a source of their own: a coding is set aside when the
    # response it names was (survey staging), which says nothing of the site-visit codings.
    "comments": ("comment_codings",),
    "outcomes": ("outcome_values",),
    "deprivation": ("deprivation",),
    "interventions": ("interventions",),
    "assessments": ("success_assessments",),
    # The returns with the register they are checked against (reference/indicator_register.csv, optional).
    "monitoring": ("monitoring_returns", "indicator_register"),
}
# Sources written one partition at a time, with the column holding the key: their limit is judged partition
# by partition, as their asset check judges it, so one bad wave is not diluted by the good ones.
PARTITIONED: dict[str, str] = {"surveys": "wave"}


@dataclass(frozen=True)
class TableShare:
    """One staging table's rows received and quarantined, with one quarantine reason as an example."""

    source: str
    table: str
    received: int | None  # None: not counted, as none of its rows were quarantined
    quarantined: int
    example_reason: str | None = None

    @property
    def share(self) -> float:
        """Quarantined rows as a share of the rows received (0 when none were received, or none counted)."""
        return self.quarantined / self.received if self.received else 0.0


@dataclass(frozen=True)
class SourceShare:
    """A source's quarantine: its tables, its rows quarantined and its share (its worst table's)."""

    source: str
    tables: tuple[TableShare, ...]

    @property
    def quarantined(self) -> int:
        return sum(table.quarantined for table in self.tables)

    @property
    def worst(self) -> TableShare | None:
        """The table with the largest share (the first of equals), or None when the source has no table yet."""
        return max(self.tables, key=lambda table: table.share, default=None)

    @property
    def share(self) -> float:
        return self.worst.share if self.worst else 0.0

    def over(self, limit: float) -> bool:
        """Whether the source's share passes `limit` (a limit of 1 is never passed)."""
        return self.share > limit

    def limit_message(self, limit: float) -> str:
        """One line naming the source, its share, the table and counts behind it, and the limit."""
        worst = self.worst
        detail = f" ({worst.quarantined} of {worst.received} rows of {worst.table} received)" if worst else ""
        return (
            f"{self.source}: {self.share:.1%} of rows quarantined{detail}, more than max_quarantine_share ="
            f" {limit:g} (settings.toml); see {'quarantine.' + worst.table if worst else 'its quarantine tables'} for"
            " the reasons"
        )


def _count(con: duckdb.DuckDBPyConnection, table: str, where: str, params: list) -> int:
    schema, name = table.split(".", 1)
    if not table_exists(con, table):
        return 0
    return con.execute(f"SELECT count(*) FROM {schema}.{quote_identifier(name)} WHERE {where}", params).fetchall()[0][0]


def table_share(
    con: duckdb.DuckDBPyConnection,
    source: str,
    table: str,
    where: str = "true",
    params: list | None = None,
    *,
    count_clean: bool = True,
) -> TableShare:
    """The rows of `staging.<table>` and `quarantine.<table>` (0 for a table not yet written), or those of
    them `where` holds for (one partition, say); with `count_clean` false, the rows received are left uncounted
    (None) when none were quarantined."""
    params = params or []
    quarantined = _count(con, f"quarantine.{table}", where, params)
    if not quarantined and not count_clean:
        return TableShare(source, table, None, 0)
    reason = None
    if quarantined:
        reason = con.execute(
            f"SELECT any_value(reason) FROM quarantine.{quote_identifier(table)} WHERE {where}", params
        ).fetchall()[0][0]
    return TableShare(source, table, _count(con, f"staging.{table}", where, params) + quarantined, quarantined, reason)


def quarantine_shares(
    con: duckdb.DuckDBPyConnection,
    sources: Mapping[str, Sequence[str]] = QUARANTINED,
    where: str = "true",
    params: list | None = None,
) -> list[SourceShare]:
    """Each source's quarantine, in the order of `sources` (default: every source); `where` limits the rows
    counted (one wave of the surveys, when the check runs with that wave's partition). A table other than its
    source's first is counted only if some of its rows were quarantined."""
    return [
        SourceShare(
            source,
            tuple(
                table_share(con, source, table, where, params, count_clean=position == 0)
                for position, table in enumerate(tables)
            ),
        )
        for source, tables in sources.items()
    ]


def _grouped(con: duckdb.DuckDBPyConnection, table: str, column: str) -> dict[str, tuple[int, str | None]]:
    """Rows of `table` by partition (`column`): how many, and one reason as an example where it has reasons."""
    schema, name = table.split(".", 1)
    if not table_exists(con, table):
        return {}
    reason = "any_value(reason)" if schema == "quarantine" else "NULL"
    rows = con.execute(
        f"SELECT {quote_identifier(column)}, count(*), {reason} FROM {schema}.{quote_identifier(name)} GROUP BY 1"
    )
    return {key: (count, example) for key, count, example in rows.fetchall()}


def shares_by_partition(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, SourceShare]:
    """A partitioned source's quarantine (`PARTITIONED`), partition by partition: one grouped count of each
    table rather than a scan per partition, a table other than the first counted only if some of its rows
    were quarantined (in any partition)."""
    column = PARTITIONED[source]
    tables = {}
    for position, table in enumerate(QUARANTINED[source]):
        quarantined = _grouped(con, f"quarantine.{table}", column)
        staged = _grouped(con, f"staging.{table}", column) if quarantined or position == 0 else None
        tables[table] = (staged, quarantined)
    keys = sorted({key for staged, quarantined in tables.values() for key in (*(staged or {}), *quarantined)})
    return {
        key: SourceShare(source, tuple(_share(source, table, *tables[table], key) for table in tables)) for key in keys
    }


def _share(source: str, table: str, staged: dict | None, quarantined: dict, key: str) -> TableShare:
    """One table's rows in one partition, from the grouped counts of its staging (None: not counted) and
    quarantine tables."""
    set_aside, reason = quarantined.get(key, (0, None))
    received = None if staged is None else staged.get(key, (0, None))[0] + set_aside
    return TableShare(source, table, received, set_aside, reason)


def _added_up(source: str, parts: Sequence[SourceShare]) -> SourceShare:
    """A partitioned source's quarantine over all its partitions: each table's partitions added up."""
    tables = []
    for position, table in enumerate(QUARANTINED[source]):
        by_part = [part.tables[position] for part in parts]
        reason = next((share.example_reason for share in by_part if share.example_reason), None)
        counted = all(share.received is not None for share in by_part)
        received = sum(share.received for share in by_part) if counted else None
        quarantined = sum(share.quarantined for share in by_part)
        tables.append(TableShare(source, table, received, quarantined, reason))
    return SourceShare(source, tuple(tables))


def refresh_summary(con: duckdb.DuckDBPyConnection, limit: float) -> tuple[list[SourceShare], list[str]]:
    """What a refresh reports of the quarantine: each source's over all its rows, in the order of
    `QUARANTINED`, and one line for each source whose share passes `limit`, a partitioned source naming each
    partition over it (as its check judges it). A partitioned source is counted once, partition by partition,
    its whole their sum (`shares_by_partition`)."""
    shares, over = [], []
    for source, tables in QUARANTINED.items():
        if source in PARTITIONED:
            parts = shares_by_partition(con, source)
            shares.append(_added_up(source, list(parts.values())))
            over += [
                f"{PARTITIONED[source]} = {key}: {part.limit_message(limit)}"
                for key, part in parts.items()
                if part.over(limit)
            ]
        else:
            (share,) = quarantine_shares(con, {source: tables})
            shares.append(share)
            over += [share.limit_message(limit)] if share.over(limit) else []
    return shares, over
