"""Shared fixtures: the bundled drop zone, and one full pipeline run into a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from pipeline.settings import PROJECT_ROOT, Settings

FIXTURES = Path(__file__).parent / "fixtures"
DATA_DIR = PROJECT_ROOT / "data" / "raw"


def pytest_configure(config: pytest.Config) -> None:
    # A fixed pseudonym key: tests never create the local key file, and pseudonyms are reproducible.
    os.environ.setdefault("EVAL_PSEUDONYM_KEY", "test-suite-key")


# Lines of counts the tests report (queries made, cases walked, ...), printed at the end of the run.
COUNTS: list[str] = []


def report_counts(text: str) -> None:
    """Keep lines of counts for the summary at the end of the run, shown even when pytest captures the
    tests' output (as in CI)."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    COUNTS.extend(f"{test}: {line}" for line in text.strip().splitlines())


def pytest_terminal_summary(terminalreporter) -> None:
    if COUNTS:
        terminalreporter.section("counts reported by the tests")
        for line in COUNTS:
            terminalreporter.write_line(line)


def run_refresh(
    drop: Path,
    root: Path,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path = PROJECT_ROOT,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m pipeline.cli refresh` as a user does, on the drop zone `drop`, with the warehouse
    (`root/warehouse.duckdb`), the marts (`root/marts`) and the Dagster instance (`root/dagster_home`) under
    `root`. `args` go to the command, `env` adds or overrides variables, and `cwd` is where it runs: this
    checkout's code runs wherever that is (PYTHONPATH), not whichever checkout the environment installed."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        "EVAL_DATA_DIR": str(drop),
        "EVAL_WAREHOUSE": str(root / "warehouse.duckdb"),
        "EVAL_MARTS_DIR": str(root / "marts"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "EVAL_PSEUDONYM_KEY": "test-suite-key",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "refresh", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def resources_for(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    from pipeline.resources import EvaluationPaths, WarehouseResource

    return {
        "warehouse": WarehouseResource(database=str(settings.warehouse)),
        "paths": EvaluationPaths(
            data_dir=str(settings.data_dir), marts_dir=str(settings.marts_dir), pseudonym_key="test-suite-key"
        ),
    }


@dataclass(frozen=True)
class PipelineRun:
    settings: Settings
    results: list
    instance: dg.DagsterInstance


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    """Every asset materialised once on the bundled demo data, into a temporary warehouse and marts folder."""
    from pipeline.cli import materialise_all
    from pipeline.definitions import build_definitions

    out = tmp_path_factory.mktemp("demo_run")
    settings = Settings(data_dir=DATA_DIR, warehouse=out / "warehouse.duckdb", marts_dir=out / "marts")
    instance = dg.DagsterInstance.ephemeral()
    results = materialise_all(
        build_definitions(resources_for(settings)), instance, settings.drop_zone, progress=lambda _: None
    )
    return PipelineRun(settings, results, instance)
