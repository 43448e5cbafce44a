"""Information mapping: interventions over driver diagrams, gaps, duplication and Marmot coverage."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipeline.errors import InputFileError
from pipeline.mapping.ingest import load_interventions
from pipeline.mapping.interventions import read_interventions
from pipeline.mapping.staging import stage_interventions
from pipeline.reference.ingest import load_reference
from pipeline.reference.staging import stage_reference
from pipeline.warehouse import ensure_schemas
from tests.conftest import DATA_DIR


def test_driver_coverage_agrees_with_the_inventories(demo_run):
    inventory = pd.concat(read_interventions(p) for p in sorted((DATA_DIR / "interventions").iterdir()))
    current = inventory[inventory["status"] != "ended"].assign(driver=lambda f: f["drivers_addressed"].str.split(";"))
    current = current.explode("driver").assign(driver=lambda f: f["driver"].str.strip())
    commissioners = current.groupby(["partnership_id", "driver"])["commissioner"].nunique()
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        coverage = con.execute(
            "SELECT partnership_id, secondary_driver_id, commissioners, coverage FROM driver_coverage"
        ).df()
    diagrams = pd.read_csv(DATA_DIR / "reference" / "driver_diagrams.csv")
    problems = pd.read_csv(DATA_DIR / "reference" / "partnerships.csv")["wicked_problem"].value_counts()
    assert len(coverage) == sum(problems[p] * n for p, n in diagrams["wicked_problem"].value_counts().items())
    for row in coverage.itertuples():
        expected = commissioners.get((row.partnership_id, row.secondary_driver_id), 0)
        assert row.commissioners == expected
        assert row.coverage == ("gap" if expected == 0 else "duplication" if expected >= 2 else "covered")
    assert set(coverage["coverage"]) == {"gap", "covered", "duplication"}


def test_every_partnership_has_all_six_marmot_objectives(demo_run):
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        counts = con.execute(
            "SELECT count(DISTINCT objective_id), count(DISTINCT partnership_id), count(*) FROM marmot_coverage"
        ).fetchall()
    assert counts == [(6, 30, 180)]


def test_an_intervention_on_a_driver_outside_the_diagram_is_quarantined(tmp_path):
    drop = tmp_path / "raw"
    (drop / "interventions").mkdir(parents=True)
    (drop / "interventions" / "P03 Luton interventions.csv").write_text(
        "Intervention,Commissioner,Drivers addressed,Annual spend (GBP),Status\n"
        "School meals,Luton Council,CO1a,12000,active\n"
        "Licensing,Luton Council,AH1a,5000,active\n"
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_schemas(con)
        load_reference(con, DATA_DIR / "reference", DATA_DIR)
        stage_reference(con)
        load_interventions(con, drop / "interventions", drop)
        [report] = stage_interventions(con)
        reason, row = con.execute("SELECT reason, source_row FROM quarantine.interventions").fetchall()[0]
    assert (report.rows, report.quarantined) == (1, 1)
    assert reason == "driver 'AH1a' is not in the childhood_obesity driver diagram (reference/driver_diagrams.csv)"
    assert row == 3


def test_an_inventory_names_its_partnership_by_the_first_word_of_its_file_name(tmp_path):
    from pipeline.mapping.interventions import partnership_of

    assert partnership_of(tmp_path / "P01 Kirklees interventions.csv") == "P01"
    assert partnership_of(tmp_path / "KIR.xlsx") == "KIR"
    with pytest.raises(InputFileError, match="does not start with a partnership id"):
        partnership_of(tmp_path / "(draft) interventions.csv")
