"""The programme is data: renaming a success factor, a stakeholder group and a wicked problem in the
reference CSVs alone carries the new ids and names through every mart and the report, losing nothing."""

from __future__ import annotations

import re
import shutil

import dagster as dg
import duckdb

from pipeline.cli import materialise_all
from pipeline.definitions import build_definitions
from pipeline.settings import Settings
from tests.conftest import DATA_DIR, resources_for

RENAMES = {
    # file -> (old id, new id); the id changes everywhere in the file, as an evaluator's find-and-replace would.
    "success_factors.csv": ("governance", "shared_governance"),
    "qca_conditions.csv": ("governance", "shared_governance"),
    "survey_instrument.csv": ("governance", "shared_governance"),
    "codebook_factor_map.csv": ("governance", "shared_governance"),
    "stakeholder_groups.csv": ("other", "icb_and_other"),
    "survey_invitations.csv": ("other", "icb_and_other"),
    "partnerships.csv": ("alcohol_harm", "alcohol_related_harm"),
    "outcome_indicators.csv": ("alcohol_harm", "alcohol_related_harm"),
    "driver_diagrams.csv": ("alcohol_harm", "alcohol_related_harm"),
}


def test_renamed_ids_reach_every_mart_and_the_report_with_nothing_quarantined(tmp_path):
    drop_zone = tmp_path / "raw"
    shutil.copytree(DATA_DIR, drop_zone)
    for name, (old, new) in RENAMES.items():
        path = drop_zone / "reference" / name
        path.write_text(re.sub(rf"\b{old}\b", new, path.read_text(encoding="utf-8")), encoding="utf-8")
    factors = drop_zone / "reference" / "success_factors.csv"
    factors.write_text(factors.read_text(encoding="utf-8").replace(",Governance,", ",Shared governance,"))
    settings = Settings(data_dir=drop_zone, warehouse=tmp_path / "warehouse.duckdb", marts_dir=tmp_path / "marts")

    results = materialise_all(
        build_definitions(resources_for(settings)), dg.DagsterInstance.ephemeral(), settings.drop_zone, print
    )

    assert all(result.success for result in results)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        quarantined = con.execute(
            "SELECT reason FROM quarantine.survey_responses UNION ALL SELECT reason FROM quarantine.coded_segments"
        ).fetchall()
    assert quarantined == [("column 'partnership_id': partnership 'P31' is not in reference/partnerships.csv",)]
    with duckdb.connect(str(settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        assert con.execute(
            "SELECT DISTINCT factor_name FROM success_factor_matrix WHERE factor_id = 'shared_governance'"
        ).fetchall() == [("Shared governance",)]
        assert con.execute("SELECT count(*) FROM response_rates WHERE stakeholder_group = 'icb_and_other'").fetchone()[
            0
        ]
        assert (
            con.execute(
                "SELECT count(*) FROM partnership_profile WHERE wicked_problem = 'alcohol_related_harm'"
            ).fetchone()[0]
            == 7
        )
    assert "Shared governance" in (settings.marts_dir / "reports" / "evaluation_report.html").read_text()
