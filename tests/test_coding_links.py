"""Codings are tied to partnerships by a case variable, a case named after the partnership, or a
source-naming rule; whatever names no known partnership is quarantined with the reason."""

from __future__ import annotations

import duckdb

from pipeline.codings.ingest import load_codings
from pipeline.codings.staging import CodingLinks, stage_codings
from pipeline.reference.ingest import load_reference
from pipeline.reference.staging import stage_reference
from pipeline.warehouse import ensure_schemas
from tests.conftest import DATA_DIR

TABLE = """partnership,source,code,coder,excerpt
Luton Borough Council,P03 site visit notes,Success factors/Integration/Embedded in wider strategy,Coder 1,Built into the plan.
Luton Borough Council,Visit notes without an id,Success factors/Integration/Embedded in wider strategy,Coder 1,Also built in.
Thanet,Interview,Success factors/Governance/Unclear accountability,Coder 2,Nobody owns it.
"""


def _stage(tmp_path, links: CodingLinks | None = None):
    drop = tmp_path / "raw"
    (drop / "codings").mkdir(parents=True)
    (drop / "codings" / "coding_table.csv").write_text(TABLE)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_schemas(con)
        load_reference(con, DATA_DIR / "reference", DATA_DIR)
        stage_reference(con)
        load_codings(con, drop / "codings", drop)
        stage_codings(con, links or CodingLinks())
        linked = con.execute("SELECT source_name, partnership_id FROM staging.coded_segments ORDER BY 1").fetchall()
        reasons = [row[0] for row in con.execute("SELECT reason FROM quarantine.coded_segments").fetchall()]
    return linked, reasons


def test_a_case_name_or_the_source_naming_rule_links_a_coding(tmp_path):
    linked, reasons = _stage(tmp_path)
    assert linked == [("Interview", "P02"), ("P03 site visit notes", "P03")]  # Thanet by name; P03 by the rule
    assert reasons == [
        "case 'Luton Borough Council' of source 'Visit notes without an id' names no partnership in reference/partnerships.csv"
    ]


def test_the_source_naming_rule_is_configurable(tmp_path):
    linked, reasons = _stage(tmp_path, CodingLinks(source_rule=r"^(\bnever\b)"))
    assert linked == [("Interview", "P02")]
    assert len(reasons) == 2
