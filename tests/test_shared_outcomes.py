"""Every real outcome file in ../shared/data/outcomes loads and stages (beside the bundled subset).

CI has the shared folder beside the repository; elsewhere this test is skipped with the reason.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipeline.outcomes.ingest import load_outcomes
from pipeline.outcomes.staging import stage_outcomes
from pipeline.reference.ingest import load_reference
from pipeline.reference.staging import stage_reference
from pipeline.settings import PROJECT_ROOT
from pipeline.warehouse import ensure_schemas
from tests.conftest import DATA_DIR, report_counts

SHARED = PROJECT_ROOT.parent / "shared" / "data" / "outcomes"
LOOKUPS = {"sex.csv", "agedata.csv"}  # FingertipsNext lookup tables, not values

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason=f"{SHARED} is not beside the repository")


def test_every_shared_outcome_file_loads_and_stages(tmp_path):
    drop = tmp_path / "raw"
    shutil.copytree(DATA_DIR / "reference", drop / "reference")
    shutil.copytree(SHARED, drop / "outcomes", ignore=shutil.ignore_patterns("*.md", "LICENSE", *LOOKUPS))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        ensure_schemas(con)
        load_reference(con, drop / "reference", drop)
        stage_reference(con)
        reports = load_outcomes(con, drop / "outcomes", drop)
        [report] = stage_outcomes(con)
        loaded = {r.source_file for table in reports for r in table.files}
        quarantined = con.execute("SELECT count(*) FROM quarantine.outcome_values").fetchall()[0][0]
        received = sum(con.execute(f"SELECT count(*) FROM {r.table}").fetchall()[0][0] for r in reports)
        unmapped = con.execute("SELECT coalesce(sum(rows), 0) FROM staging.unmapped_outcome_series").fetchall()[0][0]
    expected = {
        p.relative_to(drop).as_posix() for p in (drop / "outcomes").rglob("*.csv") if p.name != "indicators.csv"
    }
    assert loaded == expected and len(loaded) == 19  # 11 + 6 Trafford series, the Fingertips download, FingertipsNext
    report_counts(
        f"{len(loaded)} files, {received} values received, {report.rows} staged, {unmapped} in unmapped series"
    )
    # Nothing lost: every value received is staged, or belongs to a series no indicator maps (reported).
    assert report.rows + unmapped == received
    assert quarantined == 0
