"""One bad file never stops a source, through the whole pipeline as `python -m pipeline.cli refresh` runs it.

A copy of the demo drop zone gets, beside its good files, a real NVivo project (the good one) and a
hostile REFI-QDA project (a DTD with entity declarations) in `codings/`, an outcome file that is not UTF-8,
an interventions inventory without its columns (named with a newline and a forged summary line), and a
deprivation workbook and an assessment workbook that are not workbooks. One refresh runs over it: each bad
file is refused on its own with its reason, every other file loads, the marts build and are published, the
summary lists the refusals, and each source's refusal check fails without blocking anything.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import DATA_DIR, FIXTURES, run_refresh

NVIVO_PROJECT = FIXTURES / "qualitative" / "oltas_teszt.qdpx"
FORGED = "All 88 asset checks passed."
BAD_INVENTORY = f"P03 notes\n{FORGED}\n.csv"


@dataclass(frozen=True)
class Refresh:
    drop: Path
    warehouse: Path
    marts: Path
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def refresh(tmp_path_factory: pytest.TempPathFactory) -> Refresh:
    root = tmp_path_factory.mktemp("refused_files")
    drop = root / "raw"
    shutil.copytree(DATA_DIR, drop)
    shutil.copyfile(NVIVO_PROJECT, drop / "codings" / "vaccination_nvivo.qdpx")
    shutil.copyfile(FIXTURES / "bad" / "codings" / "billion_laughs.qdpx", drop / "codings" / "hostile.qdpx")
    shutil.copyfile(FIXTURES / "bad" / "outcomes" / "fingertips_cp1252.csv", drop / "outcomes" / "tidy" / "cp1252.csv")
    (drop / "interventions" / BAD_INVENTORY).write_text("Programme,Budget\nHealthy homes,12000\n", encoding="utf-8")
    (drop / "deprivation" / "iod_2019_summaries.xlsx").write_bytes(b"not a workbook")
    (drop / "assessments" / "late_assessments.xlsx").write_bytes(b"not a workbook")
    done = run_refresh(drop, root)
    return Refresh(drop, root / "warehouse.duckdb", root / "marts", done.returncode, done.stdout, done.stderr)


def _query(refresh: Refresh, sql: str) -> list[tuple]:
    with duckdb.connect(str(refresh.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_bad_file_is_refused_on_its_own_with_its_reason(refresh: Refresh):
    refused = dict(_query(refresh, "SELECT DISTINCT source_file, reason FROM raw.refused_files"))
    assert sorted(refused) == sorted(
        [
            "assessments/late_assessments.xlsx",
            "codings/hostile.qdpx",
            "deprivation/iod_2019_summaries.xlsx",
            f"interventions/{BAD_INVENTORY}",
            "outcomes/tidy/cp1252.csv",
        ]
    ), refresh.stdout + refresh.stderr
    assert "contains a DTD or entity declarations" in refused["codings/hostile.qdpx"]
    assert "refused as unsafe" in refused["codings/hostile.qdpx"]
    assert "byte 0xe9 is not valid UTF-8" in refused["outcomes/tidy/cp1252.csv"]
    assert "missing required column(s) Intervention" in refused[f"interventions/{BAD_INVENTORY}"]
    sources = dict(_query(refresh, "SELECT DISTINCT source_file, source FROM raw.refused_files"))
    assert sources["codings/hostile.qdpx"] == "codings" and sources["outcomes/tidy/cp1252.csv"] == "outcomes"


def test_the_good_nvivo_project_beside_a_hostile_one_loads_and_the_coding_marts_build(refresh: Refresh):
    loaded = _query(refresh, "SELECT source_file, count(*) FROM raw.qda_segments GROUP BY ALL ORDER BY source_file")
    assert [name for name, _ in loaded] == ["codings/site_visits.qdpx", "codings/vaccination_nvivo.qdpx"]
    assert dict(loaded)["codings/vaccination_nvivo.qdpx"] >= 330  # its 330 coded passages, one row per case
    unmapped = [code for (code,) in _query(refresh, "SELECT code_path FROM staging.unmapped_codes")]
    assert len(unmapped) > 10, "the NVivo project's codes, which the codebook does not map, are listed"
    assert _query(refresh, "SELECT count(*) > 0 FROM staging.coded_segments") == [(True,)]
    for mart in ("coder_agreement", "success_factor_matrix"):
        assert (refresh.marts / f"{mart}.parquet").exists(), refresh.stdout + refresh.stderr


def test_the_other_outcome_and_intervention_files_load_and_their_marts_build(refresh: Refresh):
    demo_inventories = len(list((DATA_DIR / "interventions").iterdir()))
    assert _query(refresh, "SELECT count(DISTINCT source_file) FROM raw.interventions") == [(demo_inventories,)]
    tidy = _query(refresh, "SELECT count(DISTINCT source_file) FROM raw.tidy_outcome_values")[0][0]
    assert tidy == len(list((DATA_DIR / "outcomes" / "tidy").glob("*.csv")))
    assert _query(refresh, "SELECT count(*) > 0 FROM raw.deprivation") == [(True,)]
    assert _query(refresh, "SELECT count(*) > 0 FROM raw.success_assessments") == [(True,)]
    for mart in ("outcome_trends", "outcome_change", "driver_coverage", "marmot_coverage", "partnership_profile"):
        assert (refresh.marts / f"{mart}.parquet").exists(), refresh.stdout + refresh.stderr


def test_the_run_summary_lists_each_refusal_and_the_failed_non_blocking_checks(refresh: Refresh):
    assert refresh.returncode == 1, refresh.stdout + refresh.stderr
    assert "Refused files: 5 (each left out on its own" in refresh.stdout
    assert "  codings: codings/hostile.qdpx: project.qde contains a DTD or entity declarations" in refresh.stdout
    failed = next(line for line in refresh.stderr.splitlines() if line.startswith("Asset checks failed:"))
    for source in ("codings", "outcomes", "interventions", "deprivation", "assessments"):
        assert f"every_{source}_file_read" in failed
    assert "Marts published in" in refresh.stdout  # the run went on: non-blocking checks stop nothing


def test_a_file_name_with_a_newline_cannot_forge_a_line_of_the_summary(refresh: Refresh):
    lines = (refresh.stdout + refresh.stderr).splitlines()
    assert FORGED not in [line.strip() for line in lines]
    assert "  interventions: interventions/P03 notes\\nAll 88 asset checks passed.\\n.csv: " in refresh.stdout
