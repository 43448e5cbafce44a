"""Dagster resources: the warehouse connection and the evaluation's settings, built from `Settings`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipeline.privacy import pseudonym_key
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits
from pipeline.settings import PSEUDONYM_KEY_VARIABLE, DropZone, Settings, load_settings
from pipeline.warehouse import ensure_schemas

# DuckDB lets one process at a time open a database file to write; another process's connect fails with
# this until the first closes it.
_LOCK_HELD = "Conflicting lock is held"


class WarehouseResource(DuckDBResource):
    """The one DuckDB warehouse, with its layers created on first use. Only the pipeline writes it.

    One process writes it at a time: a step that finds another process writing it waits, up to
    `lock_wait_seconds`, for that process to close it (wave runs side by side: `pipeline.cli.materialise_all`)."""

    lock_wait_seconds: float = 600.0

    @property
    def wave_files_dir(self) -> Path:
        """Where a survey wave read while another process writes the warehouse waits to be stored in it
        (`<warehouse>.waves/`, beside the warehouse file)."""
        return Path(self.database).with_suffix(".waves")

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._connect(wait=True)
        # Closed on failure too, or the failed step's open connection keeps the database busy for the run
        # summary that follows in the same process.
        try:
            con.execute("SET enable_progress_bar = false")  # run logs, not a terminal
            ensure_schemas(con)
            yield con
        finally:
            con.close()

    def busy(self) -> bool:
        """Whether another process has the warehouse open now."""
        con = self._connect(wait=False)
        if con is None:
            return True
        con.close()
        return False

    def _connect(self, wait: bool) -> duckdb.DuckDBPyConnection | None:
        """A connection; while another process holds the warehouse, None, or (`wait`) one once it is free."""
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_wait_seconds
        while True:
            try:
                return duckdb.connect(self.database, config=self.connection_config)
            except duckdb.IOException as error:
                if _LOCK_HELD not in str(error):
                    raise
                if not wait:
                    return None
                if time.monotonic() >= deadline:
                    raise RuntimeError(
                        f"The warehouse {self.database} stayed in use by another process for "
                        f"{self.lock_wait_seconds:g} s (EVAL_REFRESH_WAIT): {error}"
                    ) from error
            time.sleep(0.1)


class EvaluationPaths(dg.ConfigurableResource):
    """The raw drop zone, the published marts folder, the disclosure threshold for published counts, the
    read limits (`read_limits`), where the pseudonym key comes from (`pseudonym_key` is set as `dg.EnvVar`,
    never as the key itself), and the evaluation's method settings (see `pipeline.settings`)."""

    data_dir: str
    marts_dir: str
    disclosure_threshold: int = 5
    secret_file: str = str(Path(__file__).resolve().parent.parent / ".eval_secret")
    pseudonym_key: str = ""
    coding_case_variable: str = "partnership_id"
    coding_source_rule: str = ""
    coding_kappa_weights: str = "linear"
    trend_points: int | None = 5
    trend_z: str = "fingertips"
    survey_strong_from: float = 3.5
    survey_weak_to: float = 2.5
    qca_consistency_cut: float = 0.8
    qca_negated_consistency_cut: float | None = None
    qca_frequency_cut: int = 1
    crossover_rule: str = "nudge"
    evidence_base: str = "survey"
    min_relative_change: float = 0.05
    outcome_baseline_years: float = 0.0
    outcome_followup_years: float | None = None
    improved_needs_interval: bool = False
    benefits_attribution: float = 1.0
    benefits_deadweight: float = 0.0
    benefits_price_year: int | None = None
    sustainment_factor: str = "integration"
    max_quarantine_share: float = 0.2
    max_unpacked_bytes: int = DEFAULT_LIMITS.max_unpacked_bytes
    max_shared_strings_bytes: int = DEFAULT_LIMITS.max_shared_strings_bytes
    max_rows: int = DEFAULT_LIMITS.max_rows
    max_columns: int = DEFAULT_LIMITS.max_columns

    @property
    def read_limits(self) -> ReadLimits:
        """What a file in the drop zone may be and declare before a reader allocates (`pipeline.safe_files`)."""
        return ReadLimits(
            inside=Path(self.data_dir),
            max_unpacked_bytes=self.max_unpacked_bytes,
            max_shared_strings_bytes=self.max_shared_strings_bytes,
            max_rows=self.max_rows,
            max_columns=self.max_columns,
        )

    @property
    def drop_zone(self) -> DropZone:
        return DropZone(Path(self.data_dir))

    @property
    def marts_path(self) -> Path:
        return Path(self.marts_dir)

    def respondent_key(self) -> bytes:
        """The secret key for respondent pseudonyms."""
        return pseudonym_key(self.pseudonym_key, Path(self.secret_file))


def warehouse_config(settings: Settings) -> dict[str, str]:
    """DuckDB settings for the warehouse: its memory limit, so the pipeline keeps to about 4 GB however
    large a wave is (DuckDB spills to disk beyond it)."""
    return {"memory_limit": settings.duckdb_memory_limit}


def shared_settings(settings: Settings) -> dict[str, object]:
    """The evaluation's rules and read limits, passed on by name: every `EvaluationPaths` field that is also a
    `Settings` field, so a setting is declared on `Settings` and the resource and never forgotten between them."""
    passed_by_hand = {"data_dir", "marts_dir", "secret_file", "pseudonym_key"}
    names = set(EvaluationPaths.model_fields) & {field.name for field in fields(Settings)}
    return {name: getattr(settings, name) for name in sorted(names - passed_by_hand)}


def default_resources(settings: Settings | None = None) -> dict[str, dg.ConfigurableResource]:
    """Resources for the given settings (default: `load_settings()`, the environment and the drop zone)."""
    settings = settings or load_settings()
    return {
        "warehouse": WarehouseResource(
            database=str(settings.warehouse),
            connection_config=warehouse_config(settings),
            lock_wait_seconds=settings.refresh_wait_seconds,
        ),
        "paths": EvaluationPaths(
            data_dir=str(settings.data_dir),
            marts_dir=str(settings.marts_dir),
            secret_file=str(settings.secret_file),
            pseudonym_key=dg.EnvVar(PSEUDONYM_KEY_VARIABLE) if settings.pseudonym_key_from_environment else "",
            **shared_settings(settings),
        ),
    }
