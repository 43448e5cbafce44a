"""One survey wave that cannot be loaded never stops the evaluation: the other waves, the codings, outcomes
and marts still run, and the run summary prints whole, naming the failure."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb

from pipeline.cli import materialise_all
from pipeline.definitions import build_definitions
from pipeline.settings import Settings
from tests.conftest import DATA_DIR, resources_for


def test_a_wave_that_fails_leaves_the_other_waves_and_every_other_source_built(tmp_path):
    drop_zone = tmp_path / "raw"
    shutil.copytree(DATA_DIR, drop_zone)
    # A survey export that fits no known tool's layout fails its wave's run as a whole.
    (drop_zone / "surveys" / "wave_2.csv").write_text("name,answer\nAlice,yes\n", encoding="utf-8")
    settings = Settings(data_dir=drop_zone, warehouse=tmp_path / "warehouse.duckdb", marts_dir=tmp_path / "marts")

    results = materialise_all(
        build_definitions(resources_for(settings)),
        dg.DagsterInstance.ephemeral(),
        settings.drop_zone,
        progress=lambda _: None,
    )

    outcome = {(r.dagster_run.job_name, r.dagster_run.tags.get("dagster/partition")): r.success for r in results}
    assert outcome == {
        ("reference_job", None): True,
        ("survey_wave_job", "wave_1"): True,
        ("survey_wave_job", "wave_2"): False,
        ("survey_wave_job", "wave_3"): True,
        ("after_waves_job", None): True,
    }
    with duckdb.connect(str(settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        assert sorted(w for (w,) in con.execute("SELECT DISTINCT wave FROM construct_scores").fetchall()) == [
            "wave_1",
            "wave_3",
        ]
        assert con.execute("SELECT count(*) FROM coder_agreement").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM outcome_trends").fetchone()[0] > 0
