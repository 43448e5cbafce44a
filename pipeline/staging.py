"""Staging layer: raw rows conformed to the reference data and validated; failures go to quarantine.

Each source's `staging.py` reads `raw.*`, writes its `staging.*` tables (or one partition of them) and their
`quarantine.*` twins through `write_validated`, and returns `StageReport`s for asset metadata. Mapping gaps
(an unmapped survey column, code or indicator; an unknown partnership or area) are tables of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pandas as pd

from pipeline.validation import Validated
from pipeline.warehouse import replace_rows


@dataclass
class StageReport:
    """Rows written, rows quarantined, and any mapping gaps found, for one staging table."""

    table: str
    rows: int
    quarantined: int
    gaps: dict[str, list[str]] = field(default_factory=dict)

    def as_metadata(self) -> dict[str, object]:
        metadata: dict[str, object] = {"rows": self.rows, "quarantined_rows": self.quarantined}
        for name, values in self.gaps.items():
            metadata[name] = ", ".join(values) if values else "none"
        return metadata


def write_validated(
    con: duckdb.DuckDBPyConnection, name: str, result: Validated, partition: tuple[str, str] | None = None
) -> StageReport:
    """Write validated rows to staging.<name> and rejects to quarantine.<name>, replacing one partition or all."""
    where, params = (f"{partition[0]} = ?", [partition[1]]) if partition else ("true", [])
    rows = len(result.quarantined)
    quarantined = result.quarantined.assign(
        table_name=pd.Series([name] * rows, dtype="string"),
        quarantined_at=pd.Series([datetime.now(UTC)] * rows, dtype="datetime64[us, UTC]"),
    )
    if partition:
        quarantined[partition[0]] = pd.Series([partition[1]] * rows, dtype="string")
    replace_rows(con, f"staging.{name}", result.valid, where, params)
    replace_rows(con, f"quarantine.{name}", quarantined, where, params)
    return StageReport(f"staging.{name}", len(result.valid), len(result.quarantined))


def read_frame(con: duckdb.DuckDBPyConnection, query: str, params: list | dict | None = None) -> pd.DataFrame:
    """Run a query and return its rows as a DataFrame."""
    return con.execute(query, params or []).df()
