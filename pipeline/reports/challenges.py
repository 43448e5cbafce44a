"""Challenges and barriers: what goes with partnerships not achieving their objectives.

The QCA of the negated outcome (`qca_solutions` rows with `outcome` = `~SUCCESS`, R QCA's `outcome = "~SUCCESS"`:
membership 1 - m) on the same cases and calibrated evidence as the analysis of success, beside the site-visit
barrier evidence (`evaluation_report.barriers_table`). Also the sentence saying which evidence the comparative
analyses rest on (the setting `evidence_base`), for the "Which factors go with success" section.
"""

from __future__ import annotations

import pandas as pd
from great_tables import GT

from pipeline.comparison.analysis import describe_evidence_base
from pipeline.reports import findings

# How the report's header names each value of the setting `evidence_base`.
EVIDENCE_BASE_LABELS = {
    "survey": "survey (latest wave's published mean scores)",
    "site_visits": "site visits (share of coded passages that are enablers)",
    "triangulated": "triangulated (mean of the survey and site-visit memberships)",
}


def evidence_base_of(memberships: pd.DataFrame) -> str | None:
    """The evidence base `qca_memberships` records (the setting `evidence_base`), or None if it says none."""
    if "evidence_base" not in memberships or memberships["evidence_base"].dropna().empty:
        return None
    return str(memberships["evidence_base"].dropna().iloc[0])


def evidence_statement(memberships: pd.DataFrame) -> str:
    """One sentence for the report: which partnerships and which evidence QCA, success by factor level and the
    model of success all analyse."""
    base = evidence_base_of(memberships)
    cases = int(memberships["excluded_reason"].isna().sum()) if "excluded_reason" in memberships else 0
    if base is None:
        return "The comparative analyses did not record their evidence base."
    return (
        f"QCA, success by factor level and the model of success all analyse the same {cases} partnerships on the"
        f" same calibrated evidence (setting evidence_base = {base}; {describe_evidence_base(base).split(': ', 1)[1]})."
        " The success-factor matrix shows both methods side by side whatever this setting."
    )


def negated_qca_table(solutions: pd.DataFrame, truth_table: pd.DataFrame | None = None) -> GT:
    """The configurations that go with not succeeding: every distinct equally minimal parsimonious and
    intermediate model of the negated outcome, one row per term with its consistency and coverage. Where no
    configuration passes the consistency cut, the observed configurations of the negated outcome's truth table
    with consistency above 0.5 instead, closest first, so the reader sees how near they come."""
    rows = []
    for kind in ("parsimonious", "intermediate"):
        models = findings.distinct_models(solutions, kind) if not solutions.empty else solutions
        for model, terms in models.groupby("model", sort=False) if not models.empty else ():
            first = terms.iloc[0]
            heading = (
                f"{kind.capitalize()} {model}: {first['solution']} (consistency "
                f"{findings.number(first['solution_consistency'])}, coverage "
                f"{findings.number(first['solution_coverage'])})"
            )
            for term in terms.itertuples(index=False):
                rows.append(
                    {
                        "model": heading,
                        "term": term.term,
                        "term_consistency": term.term_consistency,
                        "term_coverage": term.term_coverage,
                        "term_cases": _spaced(term.term_cases),
                    }
                )
    note = (
        "Failure is analysed in its own right (Ragin 2008): its configurations need not mirror those of success."
        " All models are in qca_solutions (outcome ~SUCCESS)."
    )
    if not rows and truth_table is not None and not truth_table.empty:
        closest = truth_table[(truth_table["n"] > 0) & (truth_table["incl"] > 0.5)].sort_values("incl", ascending=False)
        for row in closest.itertuples(index=False):
            rows.append(
                {
                    "model": "No configuration passes the consistency cut; the observed ones closest to it",
                    "term": row.configuration,
                    "term_consistency": row.incl,
                    "term_coverage": None,
                    "term_cases": _spaced(row.cases),
                }
            )
        note = (
            "No configuration is consistent enough with not succeeding to be sufficient for it (the consistency cut"
            " is the setting qca_negated_consistency_cut, or qca_consistency_cut where that is not set). The truth"
            " table for ~SUCCESS is in qca_truth_table."
        )
    frame = pd.DataFrame(rows, columns=["model", "term", "term_consistency", "term_coverage", "term_cases"])
    table = (
        GT(frame, groupname_col="model")
        .tab_header(
            "Configurations that go with not succeeding (QCA of the negated outcome)",
            "The same cases and evidence as the analysis of success; NAME = factor strong, ~NAME = weak",
        )
        .fmt_number(columns=["term_consistency", "term_coverage"], decimals=2)
        .sub_missing(columns=["term_coverage"], missing_text="")
        .cols_label(
            term="Configuration", term_consistency="Consistency", term_coverage="Coverage", term_cases="Partnerships"
        )
    )
    if frame["term_coverage"].isna().all():
        table = table.cols_hide(columns=["term_coverage"])  # truth-table rows have no coverage of their own
    if frame.empty:
        note = "QCA did not run on these data (see Exclusions), so there are no configurations of failure."
    return table.tab_source_note(note)


def _spaced(cases: object) -> str | None:
    """A comma-separated list of partnerships, spaced so it wraps in its column."""
    return ", ".join(str(cases).split(",")) if isinstance(cases, str) and cases else None
