"""What the literature says, in the evaluation report: beside the success factors, the reviewed documents that
speak to each (`marts.evidence_by_factor`), and in an appendix the whole evidence register
(`marts.evidence_register`).

Built from plain DataFrames of the two marts. Citations, findings and factor names are data: they go into the
tables' cells as plain strings, which great-tables escapes; every column label is written here.
"""

from __future__ import annotations

import re

import pandas as pd
from great_tables import GT, loc, style

DIRECTION_COLOURS = {"supports": "#1a9850", "mixed": "#fee08b", "against": "#d73027"}
STRENGTH_LABELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very_low": "Very low"}
KIND_LABELS = {
    "systematic_review": "Systematic review",
    "literature_review": "Literature review",
    "evaluation": "Evaluation",
    "guidance": "Guidance",
    "policy_report": "Policy report",
    "local_document": "Local document",
}
GRADE_NOTE = (
    "Strength: the GRADE levels of certainty (Balshem et al. 2011, J Clin Epidemiol 64:401-406), high, moderate, "
    "low or very low, as the evaluators judge each document's evidence for its finding."
)
_INITIALS = re.compile(r"^[A-Z]{1,3}$")


def short_reference(citation: str, year: int) -> str:
    """An author-year reference from a Vancouver-style citation ("Hayes SL, Mann MK, ... Title."): one author's
    surname, two joined by 'and', three or more as 'et al.'; a corporate author (no initials) stays whole."""
    authors = citation.split(". ", 1)[0].rstrip(".")
    names = [name.strip() for name in authors.split(",")]
    if not all(_INITIALS.match(name.split()[-1]) for name in names if name):
        return f"{authors} ({year})"  # a corporate author, or an author list that is not 'Surname AB, ...'
    surnames = [" ".join(name.split()[:-1]) for name in names]
    if len(surnames) == 1:
        who = surnames[0]
    elif len(surnames) == 2:
        who = f"{surnames[0]} and {surnames[1]}"
    else:
        who = f"{surnames[0]} et al."
    return f"{who} ({year})"


def literature_by_factor_table(by_factor: pd.DataFrame) -> GT | None:
    """Each success factor beside what the reviewed literature says about it: the documents speaking to it,
    how many support it, are mixed or go against, and the strongest of them (highest GRADE level, then the most
    recent) with its strength and direction. None when the programme keeps no evidence register."""
    if by_factor.empty or int(by_factor["items"].sum()) == 0:
        return None
    frame = by_factor.sort_values("factor_position")
    rows = pd.DataFrame(
        {
            "factor": frame["factor_name"],
            "items": frame["items"].astype(int),
            "supports": frame["supports"].astype(int),
            "mixed": frame["mixed"].astype(int),
            "against": frame["against"].astype(int),
            "strongest": [
                short_reference(citation, int(year)) if isinstance(citation, str) else "no document reviewed"
                for citation, year in zip(frame["strongest_citation"], frame["strongest_year"], strict=True)
            ],
            "strength": frame["strongest_strength"].map(STRENGTH_LABELS).fillna(""),
            "direction": frame["strongest_direction"].fillna(""),
        }
    ).reset_index(drop=True)
    table = (
        GT(rows)
        .tab_header(
            "What the literature says",
            "Documents in the evidence register that speak to each success factor, and the strongest of them",
        )
        .tab_spanner("Documents", columns=["items", "supports", "mixed", "against"])
        .tab_spanner("Strongest document", columns=["strongest", "strength", "direction"])
        .cols_label(
            factor="Factor",
            items="All",
            supports="Support",
            mixed="Mixed",
            against="Against",
            strongest="Reference",
            strength="Strength",
            direction="Finding",
        )
        .tab_source_note(
            GRADE_NOTE + " Strongest: the highest strength, then the most recent. The appendix lists every document."
        )
    )
    return _colour_directions(table, rows, "direction")


def evidence_register_table(register: pd.DataFrame) -> GT | None:
    """The evidence register in full, one row per document: reference, year, kind, finding, the factors it
    speaks to (by name), direction and strength. None when the programme keeps no evidence register."""
    if register.empty:
        return None
    order = register.drop_duplicates("evidence_id").sort_values("evidence_id")[
        ["evidence_id", "citation", "year", "kind", "finding", "direction", "strength"]
    ]
    factors = register.groupby("evidence_id", sort=False)["factor_name"].agg("; ".join)
    rows = order.assign(
        factors=order["evidence_id"].map(factors),
        kind=order["kind"].map(KIND_LABELS).fillna(order["kind"]),
        strength=order["strength"].map(STRENGTH_LABELS).fillna(order["strength"]),
        year=order["year"].astype(int).astype(str),
    )[["evidence_id", "citation", "year", "kind", "finding", "factors", "direction", "strength"]].reset_index(drop=True)
    table = (
        GT(rows)
        .tab_header(
            "Evidence register", "The literature and documents reviewed, and the success factors each speaks to"
        )
        .cols_label(
            evidence_id="ID",
            citation="Reference",
            year="Year",
            kind="Kind",
            finding="Finding",
            factors="Factors",
            direction="Direction",
            strength="Strength",
        )
        .cols_width({"citation": "24%", "finding": "34%"})
        .tab_source_note(GRADE_NOTE + " Findings are the evaluators' paraphrases, not quotations.")
    )
    return _colour_directions(table, rows, "direction")


def _colour_directions(table: GT, rows: pd.DataFrame, column: str) -> GT:
    for direction, colour in DIRECTION_COLOURS.items():
        matching = [i for i, value in enumerate(rows[column]) if value == direction]
        if matching:
            text = "white" if direction in ("supports", "against") else "#1f2933"
            table = table.tab_style(
                style=[style.fill(color=colour), style.text(color=text)],
                locations=loc.body(columns=column, rows=matching),
            )
    return table
