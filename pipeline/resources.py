"""Dagster resources: the warehouse connection and where the drop zone and published marts live."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipeline.config import DropZone, Settings, load_settings
from pipeline.methods.disclosure import disclosure_threshold
from pipeline.warehouse import ensure_schemas


class WarehouseResource(DuckDBResource):
    """The one DuckDB warehouse, with its layers created on first use. Only the pipeline writes it."""

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with super().get_connection() as con:
            con.execute("SET enable_progress_bar = false")  # run logs, not a terminal
            ensure_schemas(con)
            yield con


def warehouse_config() -> dict[str, str]:
    """DuckDB settings for the warehouse: its memory limit (`EVAL_DUCKDB_MEMORY_LIMIT`, default 3GB), so
    the pipeline keeps to about 4 GB however large a wave is (DuckDB spills to disk beyond it)."""
    return {"memory_limit": os.environ.get("EVAL_DUCKDB_MEMORY_LIMIT", "").strip() or DEFAULT_MEMORY_LIMIT}


DEFAULT_MEMORY_LIMIT = "3GB"


class EvaluationPaths(dg.ConfigurableResource):
    """The raw drop zone, the published marts folder and the disclosure threshold for published counts."""

    data_dir: str
    marts_dir: str
    disclosure_threshold: int = 5

    @property
    def drop_zone(self) -> DropZone:
        return DropZone(Path(self.data_dir))

    @property
    def marts_path(self) -> Path:
        return Path(self.marts_dir)


def default_resources(settings: Settings | None = None) -> dict[str, dg.ConfigurableResource]:
    """Resources for the configured locations (`EVAL_DATA_DIR`, `EVAL_WAREHOUSE`, `EVAL_MARTS_DIR`)."""
    settings = settings or load_settings()
    return {
        "warehouse": WarehouseResource(database=str(settings.warehouse), connection_config=warehouse_config()),
        "paths": EvaluationPaths(
            data_dir=str(settings.data_dir),
            marts_dir=str(settings.marts_dir),
            disclosure_threshold=disclosure_threshold(),
        ),
    }
