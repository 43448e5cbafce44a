"""Where the pipeline reads and writes, from environment variables with repository-relative defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DropZone:
    """The raw drop zone and the folder each kind of evidence is dropped into."""

    data_dir: Path

    @property
    def reference_dir(self) -> Path:
        return self.data_dir / "reference"

    @property
    def surveys_dir(self) -> Path:
        return self.data_dir / "surveys"

    @property
    def codings_dir(self) -> Path:
        return self.data_dir / "codings"

    @property
    def outcomes_dir(self) -> Path:
        return self.data_dir / "outcomes"

    @property
    def deprivation_dir(self) -> Path:
        return self.data_dir / "deprivation"

    @property
    def assessments_dir(self) -> Path:
        return self.data_dir / "assessments"

    @property
    def interventions_dir(self) -> Path:
        return self.data_dir / "interventions"


@dataclass(frozen=True)
class Settings:
    """Locations of the raw drop zone, the warehouse and the published marts."""

    data_dir: Path
    warehouse: Path
    marts_dir: Path

    @property
    def drop_zone(self) -> DropZone:
        return DropZone(self.data_dir)


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    path = Path(value).expanduser() if value else default
    return path if path.is_absolute() else (Path.cwd() / path)


def load_settings() -> Settings:
    """Read `EVAL_DATA_DIR`, `EVAL_WAREHOUSE` and `EVAL_MARTS_DIR`; relative values are taken from the working directory."""
    return Settings(
        data_dir=_path_from_env("EVAL_DATA_DIR", PROJECT_ROOT / "data" / "raw"),
        warehouse=_path_from_env("EVAL_WAREHOUSE", PROJECT_ROOT / "data" / "warehouse.duckdb"),
        marts_dir=_path_from_env("EVAL_MARTS_DIR", PROJECT_ROOT / "data" / "marts"),
    )
