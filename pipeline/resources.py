"""Dagster resources: the warehouse connection and where the drop zone and published marts live."""

from __future__ import annotations

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
            ensure_schemas(con)
            yield con


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
        "warehouse": WarehouseResource(database=str(settings.warehouse)),
        "paths": EvaluationPaths(
            data_dir=str(settings.data_dir),
            marts_dir=str(settings.marts_dir),
            disclosure_threshold=disclosure_threshold(),
        ),
    }
