"""Comparing success factors across partnerships: the QCA conditions, outcome and analyses.

Each success factor becomes a fuzzy-set condition calibrated from the partnership's mean survey score in
its latest wave, by Ragin's (2008) direct method with the anchors in `reference/qca_conditions.csv`, or, where
that file gives `level_thresholds`, a multi-value condition whose levels 0, 1, 2, ... the thresholds cut the
score into. When any condition is multi-value the analysis is mvQCA (Cronqvist and Berg-Schlosser 2009): the
fuzzy conditions enter as crisp sets (membership above 0.5), the truth table lists every combination of
levels (`LEAD{2}*PM{0}`), the solutions are complex and parsimonious (no intermediate one for multi-value
conditions), and necessity is reported for each level (`LEAD{2}`, `~LEAD{2}`). The
outcome is the evaluation team's judgement that the partnership achieved its objectives
(`assessments/`). A partnership without a score on a factor or an assessment is left out of the analysis and
listed, never imputed. A score exactly at a fuzzy condition's crossover calibrates to 0.5, in neither the set
nor its complement; with few respondents a mean such as 3.0 is common, so by default (`crossover_rule =
"nudge"`) such a membership becomes 0.501 and the partnership keeps its place, as Fiss (2011, "Building better
causal theories: a fuzzy set approach to typologies in organization research", Academy of Management Journal
54(2):393-420) adds 0.001 to memberships; `crossover_rule = "exclude"` leaves it out and lists it instead.

Every analysis here (QCA, typology, model of success) runs on the published scores of
`marts.success_factor_matrix` only: a score suppressed there (fewer respondents than the disclosure threshold)
counts as missing. Sums and means over partnerships (cluster means, consistencies and coverages, silhouettes,
coefficients) less the other partnerships' published scores would otherwise give a suppressed score back, and a
calibrated membership is a monotone function of its score. So QCA leaves such a partnership out ("survey score
on <factor> suppressed"), without saying where the score lies; the typology imputes it as it imputes any
missing score. What these marts publish then follows from published figures alone.

One evidence base: QCA, the comparison by factor level (`factor_outcome_comparison`) and the model of success
(`factor_importance`) all analyse the QCA's analysed cases (`analysed_cases`: survey scores published on every
condition and a success assessment), so their findings are about the same partnerships; each asset records
the number of cases and the evidence base (`EVIDENCE_BASE`) in its metadata. The typology keeps every
partnership (one row each), imputing missing scores: it describes profiles and explains no outcome.

Too few cases never fail a refresh: an analysis that cannot run on the cases there are (a new programme's
first wave, a template drop zone) writes its marts empty and says why (`NotRun`), e.g. "QCA needs at least
2 partnerships with survey scores on every condition and a success assessment; 0 given". The reason goes to
the asset's metadata, and the report repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from pipeline.comparison import schemas
from pipeline.methods import qca, typology
from pipeline.methods.proportions import newcombe_difference, wilson_interval
from pipeline.validation import validate_mart
from pipeline.warehouse import replace_table

OUTCOME = "SUCCESS"
# The fewest cases each analysis runs on. QCA compares cases: with fewer than two there is nothing to compare.
# k-means with a silhouette needs k >= 2 clusters and k < n cases (Rousseeuw 1987), so three partnerships.
# The leave-one-out model needs two cases in each outcome group (see `typology.success_model`).
MIN_QCA_CASES = 2
MIN_TYPOLOGY_CASES = 3
MIN_MODEL_CASES_PER_OUTCOME = 2


@dataclass(frozen=True)
class NotRun:
    """An analysis left out for too few cases (or nothing to analyse): its marts are written empty, and
    `reason` says why, with the numbers."""

    reason: str


def qca_not_run(cases: int, conditions: int) -> NotRun | None:
    """Why QCA cannot run on `cases` complete cases and `conditions` conditions (none, or fewer cases than
    `MIN_QCA_CASES`), else None."""
    if not conditions:
        return NotRun("QCA needs at least one condition in reference/qca_conditions.csv; none given")
    if cases < MIN_QCA_CASES:
        return NotRun(
            f"QCA needs at least {MIN_QCA_CASES} partnerships with survey scores on every condition and a success"
            f" assessment; {cases} given"
        )
    return None


def _empty(model) -> pd.DataFrame:
    """A table of `model`'s columns and types with no rows."""
    return validate_mart(pd.DataFrame(columns=list(model.to_schema().columns)), model)


CROSSOVER = 0.5
# Fiss (2011, Academy of Management Journal 54(2):393-420) adds 0.001 to memberships of exactly 0.5.
NUDGED_CROSSOVER = 0.501


@dataclass(frozen=True)
class QcaSettings:
    """Truth-table cut-offs (settings `qca_consistency_cut`, `qca_frequency_cut`; Ragin 2008 asks a raw
    consistency of 0.75 or more, the default 0.8 follows R QCA's examples) and what becomes of a membership
    of exactly 0.5 (`crossover_rule`: "nudge" to 0.501, or "exclude" the partnership)."""

    incl_cut: float = 0.8
    n_cut: int = 1
    pri_cut: float = 0.0
    crossover_rule: str = "nudge"


@dataclass(frozen=True)
class QcaData:
    """Memberships of the partnerships in each condition and the outcome, and who was left out and why."""

    memberships: pd.DataFrame  # partnership_id, one column per condition, SUCCESS
    conditions: list[str]
    directional: dict[str, object]
    excluded: dict[str, str]
    levels: dict[str, int] = field(default_factory=dict)  # multi-value conditions: their number of levels

    @property
    def not_run(self) -> NotRun | None:
        """Why QCA cannot run on these cases, else None (see `qca_not_run`)."""
        return qca_not_run(len(self.memberships), len(self.conditions))

    @property
    def multi_value(self) -> bool:
        """True when any condition is multi-value: the analysis is then mvQCA."""
        return bool(self.levels)


def published_scores(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each partnership's latest-wave mean score on each factor as `marts.success_factor_matrix` publishes it
    (missing where suppressed), with `survey_suppressed`."""
    return con.execute(
        "SELECT partnership_id, factor_id, survey_mean, survey_suppressed FROM marts.success_factor_matrix"
    ).df()


def qca_data(con: duckdb.DuckDBPyConnection, crossover_rule: str = "nudge") -> QcaData:
    """Calibrated memberships for every partnership with a complete set of published scores and an assessment.
    A fuzzy membership of exactly 0.5 is nudged to 0.501 (`crossover_rule` "nudge", Fiss 2011) or its
    partnership left out with the reason ("exclude")."""
    if crossover_rule not in ("nudge", "exclude"):
        raise ValueError(f"crossover_rule must be 'nudge' or 'exclude', not {crossover_rule!r}")
    scores = published_scores(con)
    withheld = scores.loc[scores["survey_suppressed"], ["partnership_id", "factor_id"]]
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
    levels: dict[str, int] = {}
    thresholds = order["level_thresholds"] if "level_thresholds" in order else pd.Series(None, index=order.index)
    for factor, row in order.iterrows():
        score = wide[factor] if factor in wide else pd.Series(float("nan"), index=wide.index)
        if isinstance(thresholds[factor], str):
            cuts = [float(cut) for cut in thresholds[factor].split(";")]
            members[row["condition"]] = qca.calibrate_crisp(score, cuts)
            levels[row["condition"]] = len(cuts) + 1
        else:
            membership = qca.calibrate_fuzzy(
                score, row["full_non_membership"], row["crossover"], row["full_membership"]
            )
            if crossover_rule == "nudge":
                membership = membership.mask(membership == CROSSOVER, NUDGED_CROSSOVER)
            members[row["condition"]] = membership
        # The reason for a suppressed score says nothing of its value (not even that it sits at the crossover).
        for partnership in withheld.loc[withheld["factor_id"] == factor, "partnership_id"]:
            excluded.setdefault(partnership, f"survey score on {factor} suppressed (disclosure control)")
        for partnership in score.index[score.isna()]:
            excluded.setdefault(partnership, f"no survey score on {factor}")
        if row["condition"] not in levels and crossover_rule == "exclude":
            for partnership in score.index[members[row["condition"]] == CROSSOVER]:
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
    return QcaData(members, conditions, directional, excluded, levels)


def qca_tables(data: QcaData, settings: QcaSettings = QcaSettings()) -> dict[str, pd.DataFrame]:
    """The three QCA marts: truth table, solutions (complex, parsimonious, intermediate) and necessity."""
    cuts = {
        "incl_cut": settings.incl_cut,
        "n_cut": settings.n_cut,
        "pri_cut": settings.pri_cut,
        "case_id": "partnership_id",
    }
    frame = data.memberships
    if data.multi_value:
        return _mv_tables(data, cuts)
    return {
        "qca_truth_table": qca.qca_truth_table(frame, data.conditions, OUTCOME, **cuts),
        "qca_solutions": qca.qca_solutions(frame, data.conditions, OUTCOME, directional=data.directional, **cuts),
        "qca_necessity": qca.qca_necessity(frame, data.conditions, OUTCOME, case_id="partnership_id"),
    }


def _mv_tables(data: QcaData, cuts: dict[str, object]) -> dict[str, pd.DataFrame]:
    """mvQCA: fuzzy conditions as crisp sets (membership above 0.5; none sits at 0.5: nudged to 0.501 or left
    out, by `crossover_rule`)."""
    frame = data.memberships.copy()
    levels = {name: data.levels.get(name, 2) for name in data.conditions}
    for name in data.conditions:
        if name not in data.levels:
            frame[name] = (frame[name] > 0.5).astype(int)
    frame[data.conditions] = frame[data.conditions].astype(int)
    # Necessity of each level of each condition: its cases as a crisp set.
    dummies = pd.DataFrame({"partnership_id": frame["partnership_id"], OUTCOME: frame[OUTCOME]})
    names = []
    for name in data.conditions:
        for level in range(levels[name]):
            names.append(f"{name}{{{level}}}")
            dummies[names[-1]] = (frame[name] == level).astype(float)
    return {
        "qca_truth_table": qca.qca_mv_truth_table(frame, data.conditions, OUTCOME, levels=levels, **cuts),
        "qca_solutions": qca.qca_mv_solutions(frame, data.conditions, OUTCOME, levels=levels, **cuts),
        "qca_necessity": qca.qca_necessity(dummies, names, OUTCOME, case_id="partnership_id"),
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
    data = qca_data(con, settings.crossover_rule)
    models = {
        "qca_memberships": schemas.QcaMembershipsMart,
        "qca_truth_table": schemas.QcaTruthTableMart,
        "qca_solutions": schemas.QcaSolutionsMart,
        "qca_necessity": schemas.QcaNecessityMart,
    }
    if data.not_run:
        analysed = {name: _empty(models[name]) for name in QCA_MARTS[1:]}
    else:
        analysed = qca_tables(data, settings)
    tables = {"qca_memberships": memberships_table(con, data), **analysed}
    for name in QCA_MARTS:
        replace_table(con, f"marts.{name}", validate_mart(tables[name], models[name]))
    return data


# --- Typology, association model and factor-outcome comparison -------------------------------------------

# What the comparative analyses rest on, recorded in their assets' metadata beside the number of cases.
EVIDENCE_BASE = "survey means, latest wave, published"
TYPOLOGY_EVIDENCE_BASE = f"{EVIDENCE_BASE}; a missing or suppressed score imputed with the factor's median"


def analysed_cases(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The QCA's analysed cases (`marts.qca_memberships` rows without an `excluded_reason`): the one evidence
    base of QCA, `factor_outcome_comparison` and `factor_importance`, so their findings are about the same
    partnerships."""
    return con.execute("SELECT * FROM marts.qca_memberships WHERE excluded_reason IS NULL ORDER BY partnership_id").df()


def _factor_scores(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Partnership x factor mean survey scores (latest wave) as published, one column per factor; a suppressed
    score is missing."""
    scores = published_scores(con)
    partnerships = con.execute("SELECT partnership_id FROM staging.partnerships ORDER BY 1").df()["partnership_id"]
    factors = con.execute("SELECT factor_id FROM staging.success_factors").df()["factor_id"]
    return scores.pivot(index="partnership_id", columns="factor_id", values="survey_mean").reindex(
        index=partnerships, columns=factors
    )


def build_partnership_typology(con: duckdb.DuckDBPyConnection) -> typology.TypologyResult | NotRun:
    """`marts.partnership_typology`: one row per partnership: its cluster of similar factor profiles
    (k-means on standardised scores, k by silhouette, stability across seeds) and the cluster's profile.
    Empty, with the reason returned, below `MIN_TYPOLOGY_CASES` partnerships with scores."""
    scores = _factor_scores(con)
    scored = int(scores.notna().any(axis=1).sum())
    if scored < MIN_TYPOLOGY_CASES:
        replace_table(con, "marts.partnership_typology", _empty(schemas.PartnershipTypologyMart))
        return NotRun(
            f"the typology needs at least {MIN_TYPOLOGY_CASES} partnerships with published survey scores;"
            f" {scored} given"
        )
    result = typology.cluster_partnerships(scores)
    notes = list(result.notes)
    withheld = int(published_scores(con)["survey_suppressed"].sum())
    if withheld:
        notes.append(f"{withheld} scores suppressed for disclosure control count as missing.")
    profile = result.profiles.pivot(index="cluster", columns="factor", values="mean_raw").add_prefix("cluster_mean_")
    frame = (
        result.assignments.rename_axis("partnership_id")
        .reset_index()
        .merge(
            result.clusters[["size", "label", "mean_silhouette"]].rename(
                columns={"size": "cluster_size", "label": "cluster_label", "mean_silhouette": "cluster_silhouette"}
            ),
            left_on="cluster",
            right_index=True,
        )
        .merge(profile, left_on="cluster", right_index=True)
        .assign(k=result.k, stability_ari=result.stability_ari, notes="; ".join(notes) or None)
        .sort_values("partnership_id")
    )
    replace_table(
        con, "marts.partnership_typology", schemas.PartnershipTypologyMart.validate(frame.reset_index(drop=True))
    )
    return result


def build_factor_importance(con: duckdb.DuckDBPyConnection) -> typology.ModelResult | NotRun:
    """`marts.factor_importance`: one row per success factor: its coefficient and permutation importance in
    a penalised logistic model of success, with the model's leave-one-out accuracy and a small-sample caveat.

    The model fits the QCA's analysed cases (`analysed_cases`), so it and the QCA explain the same
    partnerships. Empty, with the reason returned, below `MIN_MODEL_CASES_PER_OUTCOME` of those cases in
    either outcome group. Needs `marts.qca_memberships` first."""
    outcome = analysed_cases(con).set_index("partnership_id")[OUTCOME].astype(int)
    features = _factor_scores(con).reindex(outcome.index)
    successes, others = int(outcome.sum()), int((outcome == 0).sum())
    if min(successes, others) < MIN_MODEL_CASES_PER_OUTCOME:
        replace_table(con, "marts.factor_importance", _empty(schemas.FactorImportanceMart))
        return NotRun(
            f"the model of success needs at least {MIN_MODEL_CASES_PER_OUTCOME} partnerships judged successful and"
            f" {MIN_MODEL_CASES_PER_OUTCOME} not among the QCA's analysed cases (survey scores on every condition"
            f" and a success assessment, see qca_memberships.excluded_reason); {successes} and {others} given"
        )
    model = typology.success_model(features, outcome)
    frame = (
        model.importance.rename_axis("factor_id")
        .reset_index()
        .assign(
            n_cases=model.n_cases,
            events_per_variable=model.events_per_variable,
            loo_accuracy=model.loo_accuracy,
            baseline_accuracy=model.baseline_accuracy,
            loo_brier=model.loo_brier,
            baseline_brier=model.baseline_brier,
            caveat=model.caveat,
        )
    )
    replace_table(con, "marts.factor_importance", schemas.FactorImportanceMart.validate(frame))
    return model


def build_factor_outcome_comparison(
    con: duckdb.DuckDBPyConnection, improved_needs_interval: bool = False
) -> int | NotRun:
    """`marts.factor_outcome_comparison`: one row per factor x level (strong / weak membership): partnerships,
    share judged successful with its Wilson interval, share whose headline outcome improved against
    England, and the difference in success between the levels (Newcombe's hybrid score interval). Empty, with
    the reason returned, when no partnership has memberships.

    A headline outcome counts as improved when `marts.outcome_change` classifies it "improved" (its 95%
    interval wholly on the good side) or, unless `improved_needs_interval` (the setting of that name),
    "improved (point estimate)" (beyond the setting `min_relative_change`, without limits)."""
    improved_classes = ["improved"] if improved_needs_interval else ["improved", "improved (point estimate)"]
    members = analysed_cases(con)
    if members.empty:
        replace_table(con, "marts.factor_outcome_comparison", _empty(schemas.FactorOutcomeComparisonMart))
        return NotRun(
            "the comparison by factor level needs partnerships with survey scores on every condition and a success"
            " assessment (see qca_memberships.excluded_reason); 0 given"
        )
    conditions = con.execute("SELECT factor_id, condition FROM staging.qca_conditions").df()
    improved = (
        con.execute(
            "SELECT partnership_id, classification FROM marts.outcome_change WHERE headline AND classification <> 'insufficient data'"
        )
        .df()
        .set_index("partnership_id")["classification"]
        .isin(improved_classes)
    )
    rows = []
    for factor, condition in conditions.itertuples(index=False):
        strong = members[condition] > 0.5
        counts = {}
        for level, mask in (("strong", strong), ("weak", ~strong)):
            group = members[mask]
            outcome = improved.reindex(group["partnership_id"]).dropna()
            counts[level] = (int(group[OUTCOME].sum()), len(group))
            low, high = wilson_interval(*counts[level])
            rows.append(
                {
                    "factor_id": factor,
                    "level": level,
                    "partnerships": len(group),
                    "successful": int(group[OUTCOME].sum()),
                    "share_successful": group[OUTCOME].mean() if len(group) else None,
                    "share_ci_low": low,
                    "share_ci_high": high,
                    "with_outcome_data": len(outcome),
                    "outcome_improved": int(outcome.sum()),
                    "share_outcome_improved": outcome.mean() if len(outcome) else None,
                }
            )
        difference, low, high = newcombe_difference(*counts["strong"], *counts["weak"])
        for row in rows[-2:]:
            row |= {"difference_strong_minus_weak": difference, "difference_ci_low": low, "difference_ci_high": high}
    frame = pd.DataFrame(rows)
    return replace_table(con, "marts.factor_outcome_comparison", schemas.FactorOutcomeComparisonMart.validate(frame))
