"""The evidence register: the literature reviewed, beside the success factors it speaks to.

The marts are built here from the demo drop zone's reference data alone (staged in a private warehouse, as
`check` stages it), so the counts below can be read off `data/raw/reference/evidence_register.csv` by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.generators.evidence import REGISTER, register_csv
from pipeline.reference import marts
from pipeline.reference.check import stage_and_check
from pipeline.reports.evidence import evidence_register_table, literature_by_factor_table, short_reference
from pipeline.settings import DropZone
from tests.conftest import DATA_DIR


def built(reference: Path) -> dict[str, pd.DataFrame]:
    """The two evidence marts over the reference data of `reference`'s drop zone."""
    with duckdb.connect() as con:
        assert [f for f in stage_and_check(con, DropZone(reference.parent)) if f.severity == "error"] == []
        marts.build_evidence_register(con)
        marts.build_evidence_by_factor(con)
        return {
            name: con.execute(f"SELECT * FROM marts.{name}").df()
            for name in ("evidence_register", "evidence_by_factor")
        }


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return built(DATA_DIR / "reference")


def test_the_register_mart_has_one_row_per_document_and_factor_it_speaks_to(demo):
    register = demo["evidence_register"]
    expected = sum(len(entry.factors.split(";")) for entry in REGISTER)
    assert len(register) == expected == 23
    assert set(register["evidence_id"]) == {entry.evidence_id for entry in REGISTER}
    hayes = register[register["evidence_id"] == "E04"]
    assert hayes[["factor_id", "factor_name", "direction", "strength", "strength_rank"]].values.tolist() == [
        ["partnership_engagement", "Partnership engagement", "against", "low", 3]
    ]


def test_each_factor_counts_its_documents_by_direction_and_strength(demo):
    by_factor = demo["evidence_by_factor"].set_index("factor_id")
    # Partnership engagement: E02 and E03 support, E05 and E07 are mixed, E04 (the Cochrane review) is against.
    engagement = by_factor.loc["partnership_engagement"]
    assert engagement[["items", "supports", "mixed", "against", "low", "very_low"]].tolist() == [5, 2, 2, 1, 3, 2]
    # Three of them are low (E03 2016, E04 2012, E07 2005): the strongest is the most recent of those.
    assert engagement["strongest_evidence_id"] == "E03"
    # Prior experience: E01 (OPM's HPHL evaluation, 2011) and E12 (Mattessich and Monsey, 1992), both low.
    assert by_factor.loc["prior_experience", ["items", "strongest_evidence_id"]].tolist() == [2, "E01"]
    assert list(by_factor.index) == [
        "senior_leadership",
        "project_management",
        "governance",
        "prior_experience",
        "integration",
        "partnership_engagement",
        "support_offer_use",
    ]


def test_a_factor_no_document_speaks_to_has_a_row_of_zeros(tmp_path):
    reference = tmp_path / "raw" / "reference"
    shutil.copytree(DATA_DIR / "reference", reference)
    kept = [line for line in register_csv().decode().splitlines() if "prior_experience" not in line]
    (reference / "evidence_register.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    row = built(reference)["evidence_by_factor"].set_index("factor_id").loc["prior_experience"]
    assert row[["items", "supports", "mixed", "against"]].tolist() == [0, 0, 0, 0]
    assert pd.isna(row["strongest_citation"])


def test_without_a_register_the_marts_are_empty_and_the_report_shows_no_literature(tmp_path):
    reference = tmp_path / "raw" / "reference"
    shutil.copytree(DATA_DIR / "reference", reference)
    (reference / "evidence_register.csv").unlink()
    result = built(reference)
    assert result["evidence_register"].empty
    assert result["evidence_by_factor"]["items"].tolist() == [0] * 7
    assert literature_by_factor_table(result["evidence_by_factor"]) is None
    assert evidence_register_table(result["evidence_register"]) is None


def test_the_literature_table_puts_each_factor_beside_its_counts_and_strongest_document(demo):
    html = literature_by_factor_table(demo["evidence_by_factor"]).as_raw_html()
    assert "What the literature says" in html
    for name in ("Senior leadership", "Partnership engagement", "Use of the support offer"):
        assert name in html
    assert "National Institute for Health and Care Excellence (2016)" in html  # partnership engagement's strongest


def test_the_appendix_lists_every_document_once_with_the_names_of_its_factors(demo):
    html = evidence_register_table(demo["evidence_register"]).as_raw_html()
    for entry in REGISTER:
        assert html.count(f">{entry.evidence_id}<") == 1
    assert "Senior leadership; Project management; Governance; Prior experience" in html  # E01, in factor order


def test_a_citation_in_the_register_escapes_as_text():
    frame = pd.DataFrame(
        {
            "factor_id": ["senior_leadership"],
            "factor_name": ["<b>Lead</b>"],
            "factor_position": [1],
            "items": [1],
            "supports": [1],
            "mixed": [0],
            "against": [0],
            "strongest_citation": ["<script>alert(1)</script> Smith J. A title."],
            "strongest_year": [2020],
            "strongest_strength": ["low"],
            "strongest_direction": ["supports"],
        }
    )
    html = literature_by_factor_table(frame).as_raw_html()
    assert "<script>" not in html and "<b>Lead</b>" not in html
    assert "&lt;b&gt;Lead&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("citation", "year", "expected"),
    [
        (
            "Hayes SL, Mann MK, Morgan FM, Kelly MJ, Weightman AL. Collaboration between ...",
            2012,
            "Hayes et al. (2012)",
        ),
        ("Mattessich PW, Monsey BR. Collaboration: what makes it work.", 1992, "Mattessich and Monsey (1992)"),
        ("de Silva D. Improvement collaboratives in health care.", 2014, "de Silva (2014)"),
        ("Audit Commission. Governing partnerships: bridging the accountability gap.", 2005, "Audit Commission (2005)"),
    ],
)
def test_a_short_reference_names_the_authors_as_an_author_year_citation_would(citation, year, expected):
    assert short_reference(citation, year) == expected
