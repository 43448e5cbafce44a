"""Comparing success factors across partnerships: the QCA conditions, outcome and analyses.

Each success factor becomes a fuzzy-set condition calibrated from the partnership's mean survey score in
its latest wave, by Ragin's (2008) direct method with the anchors in `reference/qca_conditions.csv`. The
outcome is the evaluation team's judgement that the partnership achieved its objectives
(`assessments/`). A partnership at a crossover exactly, or without a score on a factor or an
assessment, is left out of the analysis and listed, never imputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from pipeline import schemas
from pipeline.marts import LATEST_FACTOR_SCORES_SQL
from pipeline.methods import qca
from pipeline.warehouse import replace_table

OUTCOME = "SUCCESS"


@dataclass(frozen=True)
class QcaSettings:
    """Truth-table cut-offs (Ragin 2008: raw consistency of 0.75 or more; here 0.8, as R QCA's examples)."""

    incl_cut: float = 0.8
    n_cut: int = 1
    pri_cut: float = 0.0


@dataclass(frozen=True)
class QcaData:
    """Memberships of the partnerships in each condition and the outcome, and who was left out and why."""

    memberships: pd.DataFrame  # partnership_id, one column per condition, SUCCESS
    conditions: list[str]
    directional: dict[str, object]
    excluded: dict[str, str]


def qca_data(con: duckdb.DuckDBPyConnection) -> QcaData:
    """Calibrated memberships for every partnership with a complete set of scores and an assessment."""
    scores = con.execute(f"SELECT partnership_id, factor_id, survey_mean FROM ({LATEST_FACTOR_SCORES_SQL})").df()
    settings = con.execute("SELECT * FROM staging.qca_conditions ORDER BY condition").df()
    assessed = con.execute("SELECT partnership_id, achieved_objectives FROM staging.success_assessments").df()
    partnerships = con.execute("SELECT partnership_id FROM staging.partnerships ORDER BY 1").df()["partnership_id"]
    wide = scores.pivot(index="partnership_id", columns="factor_id", values="survey_mean").reindex(partnerships)
    members = pd.DataFrame(index=wide.index)
    order = (
        settings.set_index("factor_id")
        .reindex(con.execute("SELECT factor_id FROM staging.success_factors").df()["factor_id"])
        .dropna(subset=["condition"])
    )
    excluded: dict[str, str] = {}
    for factor, row in order.iterrows():
        score = wide[factor] if factor in wide else pd.Series(float("nan"), index=wide.index)
        members[row["condition"]] = qca.calibrate_fuzzy(
            score, row["full_non_membership"], row["crossover"], row["full_membership"]
        )
        for partnership in score.index[score.isna()]:
            excluded.setdefault(partnership, f"no survey score on {factor}")
        for partnership in score.index[score == row["crossover"]]:
            excluded.setdefault(partnership, f"{factor} score exactly at the crossover ({row['crossover']})")
    outcome = assessed.set_index("partnership_id")["achieved_objectives"].reindex(members.index)
    for partnership in outcome.index[outcome.isna()]:
        excluded.setdefault(partnership, "no success assessment")
    members[OUTCOME] = outcome.astype("float")
    members = members.drop(index=list(excluded)).reset_index()
    conditions = list(order["condition"])
    directional = {
        row["condition"]: {"present": 1, "absent": 0, "either": "-"}[row["expected"]] for _, row in order.iterrows()
    }
    return QcaData(members, conditions, directional, excluded)


def qca_tables(data: QcaData, settings: QcaSettings = QcaSettings()) -> dict[str, pd.DataFrame]:
    """The three QCA marts: truth table, solutions (complex, parsimonious, intermediate) and necessity."""
    cuts = {
        "incl_cut": settings.incl_cut,
        "n_cut": settings.n_cut,
        "pri_cut": settings.pri_cut,
        "case_id": "partnership_id",
    }
    frame = data.memberships
    return {
        "qca_truth_table": qca.qca_truth_table(frame, data.conditions, OUTCOME, **cuts),
        "qca_solutions": qca.qca_solutions(frame, data.conditions, OUTCOME, directional=data.directional, **cuts),
        "qca_necessity": qca.qca_necessity(frame, data.conditions, OUTCOME, case_id="partnership_id"),
    }


def memberships_table(con: duckdb.DuckDBPyConnection, data: QcaData) -> pd.DataFrame:
    """Every partnership with its condition memberships and outcome, and why any was left out."""
    partnerships = con.execute("SELECT partnership_id FROM staging.partnerships ORDER BY 1").df()
    table = partnerships.merge(data.memberships, on="partnership_id", how="left")
    table["excluded_reason"] = table["partnership_id"].map(data.excluded)
    return table


QCA_MARTS = ("qca_memberships", "qca_truth_table", "qca_solutions", "qca_necessity")


def build_qca_marts(con: duckdb.DuckDBPyConnection, settings: QcaSettings = QcaSettings()) -> QcaData:
    """Write the four QCA marts (memberships, truth table, solutions, necessity); returns the data used."""
    data = qca_data(con)
    tables = {"qca_memberships": memberships_table(con, data), **qca_tables(data, settings)}
    models = {
        "qca_memberships": schemas.QcaMembershipsMart,
        "qca_truth_table": schemas.QcaTruthTableMart,
        "qca_solutions": schemas.QcaSolutionsMart,
        "qca_necessity": schemas.QcaNecessityMart,
    }
    for name in QCA_MARTS:
        replace_table(con, f"marts.{name}", models[name].validate(tables[name]))
    return data
