"""Reference marts: the programme's names for the ids the other marts carry."""

from __future__ import annotations

import duckdb

from pipeline.comparison.analysis import OUTCOME
from pipeline.reference import schemas
from pipeline.warehouse import load_sql, replace_table


def build_labels(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.labels`: one row per kind x id (factors, QCA conditions, survey constructs, stakeholder groups,
    wicked problems, survey waves the programme labels, outcome indicators with their units) with its name, from
    the reference data."""
    frame = con.execute(load_sql(__file__, "labels"), {"outcome": OUTCOME}).df()
    return replace_table(con, "marts.labels", schemas.LabelsMart.validate(frame))


def build_evidence_register(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.evidence_register`: one row per reviewed document x success factor it speaks to (from
    `reference/evidence_register.csv`), with the factor's name; empty when the drop zone has no register."""
    frame = con.execute(load_sql(__file__, "evidence_register"), {"strengths": schemas.EVIDENCE_STRENGTHS}).df()
    return replace_table(con, "marts.evidence_register", schemas.EvidenceRegisterMart.validate(frame))


def build_evidence_by_factor(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.evidence_by_factor`: one row per success factor, with the number of reviewed documents speaking to
    it by direction and by strength, and the strongest of them. Reads `marts.evidence_register`."""
    frame = con.execute(load_sql(__file__, "evidence_by_factor")).df()
    return replace_table(con, "marts.evidence_by_factor", schemas.EvidenceByFactorMart.validate(frame))
