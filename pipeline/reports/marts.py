"""The marts a report reads, read once through a DuckDB connection, and the names they publish.

Every page and table of the reports (`pipeline.reports.evaluation_report` and the section modules beside it)
takes a `Marts`, so each shows exactly what researchers see in the published marts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from pipeline.comparison.analysis import NOT_OUTCOME, OUTCOME


@dataclass(frozen=True)
class Marts:
    """The marts a report needs, read once."""

    profile: pd.DataFrame
    matrix: pd.DataFrame
    trends: pd.DataFrame
    change: pd.DataFrame
    support: pd.DataFrame
    agreement: pd.DataFrame
    solutions: pd.DataFrame
    truth_table: pd.DataFrame
    memberships: pd.DataFrame
    drivers: pd.DataFrame
    wave_change: pd.DataFrame
    factor_outcome: pd.DataFrame
    importance: pd.DataFrame
    necessity: pd.DataFrame
    response: pd.DataFrame
    construct_scores: pd.DataFrame
    marmot: pd.DataFrame
    inequality: pd.DataFrame
    labels: pd.DataFrame
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)  # indicator_progress (local monitoring)
    verdicts: pd.DataFrame = field(default_factory=pd.DataFrame)  # outcome_verdict_agreement
    monitoring: pd.DataFrame = field(default_factory=pd.DataFrame)  # monitoring_summary
    benefits: pd.DataFrame = field(default_factory=pd.DataFrame)  # benefits
    sustainment: pd.DataFrame = field(default_factory=pd.DataFrame)  # sustainment
    sustainment_by_factor: pd.DataFrame = field(default_factory=pd.DataFrame)  # sustainment_by_factor
    round_comparison: pd.DataFrame = field(default_factory=pd.DataFrame)  # round_comparison
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)  # evidence_by_factor
    evidence_register: pd.DataFrame = field(default_factory=pd.DataFrame)  # evidence_register
    negated_solutions: pd.DataFrame = field(default_factory=pd.DataFrame)  # qca_solutions of ~SUCCESS
    negated_truth_table: pd.DataFrame = field(default_factory=pd.DataFrame)  # qca_truth_table of ~SUCCESS
    negated_necessity: pd.DataFrame = field(default_factory=pd.DataFrame)  # qca_necessity of ~SUCCESS
    comment_themes: pd.DataFrame = field(default_factory=pd.DataFrame)
    comment_quotes: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, schema: str = "marts") -> Marts:
        def table(name: str) -> pd.DataFrame:
            return con.execute(f"SELECT * FROM {schema}.{name}").df()

        def of_outcome(name: str, outcome: str) -> pd.DataFrame:
            # The QCA marts explain success and its negation; each table of the report shows one.
            frame = table(name)
            return frame[frame["outcome"] == outcome].reset_index(drop=True)

        return cls(
            profile=table("partnership_profile"),
            matrix=table("success_factor_matrix"),
            trends=table("outcome_trends"),
            change=table("outcome_change"),
            support=table("support_usefulness"),
            agreement=table("coder_agreement"),
            solutions=of_outcome("qca_solutions", OUTCOME),
            truth_table=of_outcome("qca_truth_table", OUTCOME),
            memberships=table("qca_memberships"),
            drivers=table("driver_coverage"),
            wave_change=table("wave_change"),
            factor_outcome=table("factor_outcome_comparison"),
            importance=table("factor_importance"),
            necessity=of_outcome("qca_necessity", OUTCOME),
            response=table("response_rates"),
            construct_scores=table("construct_scores"),
            marmot=table("marmot_coverage"),
            inequality=table("outcome_inequality"),
            labels=table("labels"),
            progress=table("indicator_progress"),
            verdicts=table("outcome_verdict_agreement"),
            monitoring=table("monitoring_summary"),
            benefits=table("benefits"),
            sustainment=table("sustainment"),
            sustainment_by_factor=table("sustainment_by_factor"),
            round_comparison=table("round_comparison"),
            evidence=table("evidence_by_factor"),
            evidence_register=table("evidence_register"),
            negated_solutions=of_outcome("qca_solutions", NOT_OUTCOME),
            negated_truth_table=of_outcome("qca_truth_table", NOT_OUTCOME),
            negated_necessity=of_outcome("qca_necessity", NOT_OUTCOME),
            comment_themes=table("comment_themes"),
            comment_quotes=table("comment_quotes"),
        )

    def names(self, kind: str) -> dict[str, str]:
        """id -> name, as `labels` publishes them for ids of one kind (e.g. "wave": "wave_1" -> "Baseline (2016)")."""
        return self.labels[self.labels["kind"] == kind].set_index("id")["name"].to_dict()

    def label(self, kind: str, ids: pd.Series) -> pd.Series:
        """The names `labels` publishes for ids of one kind; an id it does not name keeps its id."""
        return ids.map(self.names(kind)).fillna(ids)


def colour_by(mapping: dict[str, str]):
    """For great-tables' `data_color`-style styling: each value's colour in `mapping` (none for a value not in it)."""
    return lambda values: [mapping.get(value) if isinstance(value, str) else None for value in values]


def factor_labels(matrix: pd.DataFrame, taken: tuple[str, ...] = ()) -> dict[str, str]:
    """Each success factor's name as `success_factor_matrix` publishes it (from `success_factors.csv`), in the
    reference file's order: factor id -> a column heading. A name shared with another factor or with a column
    in `taken` gets its id in brackets, so every heading is distinct."""
    factors = (
        matrix[["factor_id", "factor_name", "factor_position"]]
        .drop_duplicates("factor_id")
        .sort_values(["factor_position", "factor_id"])
    )
    counts = factors["factor_name"].value_counts()
    return {
        row.factor_id: (
            row.factor_name
            if counts[row.factor_name] == 1 and row.factor_name not in taken
            else f"{row.factor_name} ({row.factor_id})"
        )
        for row in factors.itertuples(index=False)
    }


def factor_names(marts: Marts) -> dict[str, str]:
    """Factor id -> the factor's name as `success_factor_matrix` publishes it."""
    return factor_labels(marts.matrix)
