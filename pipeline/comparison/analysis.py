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
(`factor_importance`) all analyse the QCA's analysed cases (`analysed_cases`: evidence on every condition and a
success assessment) and their calibrated memberships, so their findings are about the same partnerships and
the same evidence. The setting `evidence_base` chooses that evidence, in one place (`factor_evidence`,
`calibrated_evidence`): `survey` (the published mean score, calibrated as above), `site_visits` (the share of
coded site-visit passages that are enablers, calibrated with the site-visit rating's cut-offs 1/3 and 2/3 as
anchors and 1/2 as crossover) or `triangulated` (the mean of the two memberships where both methods have
evidence, the one there is where a method is silent: the fuzzy counterpart of `success_factor_matrix`'s
triangulated rating, in which agreeing methods keep their side and opposed ones pull towards the crossover).
Each of the three marts records it in an `evidence_base` column, and each asset its cases and evidence base in
its metadata. QCA is run for success and for its negation (`~SUCCESS`, membership 1 - m: what goes with
partnerships not achieving their objectives), the `outcome` column of each QCA mart telling them apart. The
typology keeps every partnership (one row each), imputing missing scores: it describes profiles and explains
no outcome.

Too few cases never fail a refresh: an analysis that cannot run on the cases there are (a new programme's
first wave, a template drop zone) writes its marts empty and says why (`NotRun`), e.g. "QCA needs at least
2 partnerships with survey scores on every condition and a success assessment; 0 given". The reason goes to
the asset's metadata, and the report repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from pipeline.comparison import schemas
from pipeline.methods import qca
from pipeline.methods.proportions import newcombe_difference, wilson_interval
from pipeline.methods.triangulation import RatingRules
from pipeline.validation import validate_mart
from pipeline.warehouse import replace_table

if TYPE_CHECKING:
    from pipeline.methods import typology

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


def qca_not_run(cases: int, conditions: int, evidence_base: str = "survey") -> NotRun | None:
    """Why QCA cannot run on `cases` complete cases and `conditions` conditions (none, or fewer cases than
    `MIN_QCA_CASES`) on `evidence_base`, else None."""
    if not conditions:
        return NotRun("QCA needs at least one condition in reference/qca_conditions.csv; none given")
    if cases < MIN_QCA_CASES:
        return NotRun(
            f"QCA needs at least {MIN_QCA_CASES} partnerships with {EVIDENCE_WORDS[evidence_base]} on every condition"
            " and a success"
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
    consistency of 0.75 or more, the default 0.8 follows R QCA's examples), the cut for the negated outcome
    (`qca_negated_consistency_cut`; None: `incl_cut`), and what becomes of a membership of exactly 0.5
    (`crossover_rule`: "nudge" to 0.501, or "exclude" the partnership)."""

    incl_cut: float = 0.8
    negated_incl_cut: float | None = None
    n_cut: int = 1
    pri_cut: float = 0.0
    crossover_rule: str = "nudge"
    evidence_base: str = "survey"  # see `factor_evidence`

    def outcome_cut(self, outcome: str) -> float:
        """The consistency cut of the truth table of `outcome` (success, or its negation)."""
        return self.negated_incl_cut if outcome == NOT_OUTCOME and self.negated_incl_cut is not None else self.incl_cut


@dataclass(frozen=True)
class QcaData:
    """Memberships of the partnerships in each condition and the outcome, and who was left out and why."""

    memberships: pd.DataFrame  # partnership_id, one column per condition, SUCCESS
    conditions: list[str]
    directional: dict[str, object]
    excluded: dict[str, str]
    levels: dict[str, int] = field(default_factory=dict)  # multi-value conditions: their number of levels
    evidence_base: str = "survey"  # the setting `evidence_base`: what the memberships are calibrated from

    @property
    def not_run(self) -> NotRun | None:
        """Why QCA cannot run on these cases, else None (see `qca_not_run`)."""
        return qca_not_run(len(self.memberships), len(self.conditions), self.evidence_base)

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


# The evidence bases (setting `evidence_base`) and the words that say what each rests on.
EVIDENCE_BASES = ("survey", "site_visits", "triangulated")
EVIDENCE_WORDS = {
    "survey": "survey scores",
    "site_visits": "coded site-visit passages",
    "triangulated": "survey scores or coded site-visit passages",
}
# The site-visit evidence on a factor is the share of its coded passages that are enablers, calibrated by the
# direct method with the site-visit rating's cut-offs as anchors (the matrix's strong from 2/3, weak up to 1/3),
# so a strong site-visit rating is full membership as a survey mean at `full_membership` is.
SITE_VISIT_RULES = RatingRules()
SITE_VISIT_ANCHORS = (SITE_VISIT_RULES.coding_weak_to, 0.5, SITE_VISIT_RULES.coding_strong_from)


def describe_evidence_base(evidence_base: str) -> str:
    """What an evidence base means, in words, for metadata and reports."""
    return {
        "survey": "survey: the latest wave's published mean score, calibrated by reference/qca_conditions.csv",
        "site_visits": "site visits: the share of coded passages that are enablers, calibrated 1/3, 1/2, 2/3",
        "triangulated": "triangulated: the mean of the survey and site-visit memberships (the one there is where"
        " a method is silent)",
    }[evidence_base]


@dataclass(frozen=True)
class FactorEvidence:
    """The calibrated evidence on one factor under an evidence base: each partnership's membership (missing
    where there is none) and, where missing, why."""

    membership: pd.Series
    missing: pd.Series  # partnership_id -> reason, for the partnerships without evidence


def factor_evidence(
    con: duckdb.DuckDBPyConnection, evidence_base: str = "survey"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The one place the evidence of QCA, `factor_outcome_comparison` and `factor_importance` is chosen: per
    partnership x factor (wide, one column per factor, every partnership), the published survey mean, whether
    it is suppressed, and the share of coded site-visit passages that are enablers (missing where none was
    coded), all from `marts.success_factor_matrix`. `evidence_base` says which `calibrated_evidence` uses."""
    if evidence_base not in EVIDENCE_BASES:
        raise ValueError(f"evidence_base must be one of {', '.join(EVIDENCE_BASES)}, not {evidence_base!r}")
    matrix = con.execute(
        "SELECT partnership_id, factor_id, survey_mean, survey_suppressed, enabler_passages, barrier_passages"
        " FROM marts.success_factor_matrix"
    ).df()
    partnerships = con.execute("SELECT partnership_id FROM staging.partnerships ORDER BY 1").df()["partnership_id"]
    coded = matrix["enabler_passages"] + matrix["barrier_passages"]
    matrix["enabler_share"] = matrix["enabler_passages"] / coded.where(coded > 0)

    def wide(column: str) -> pd.DataFrame:
        return matrix.pivot(index="partnership_id", columns="factor_id", values=column).reindex(partnerships)

    return wide("survey_mean"), wide("survey_suppressed").fillna(False).astype(bool), wide("enabler_share")


def calibrated_evidence(
    scores: pd.Series,
    suppressed: pd.Series,
    share: pd.Series,
    factor: str,
    anchors: pd.Series,
    evidence_base: str,
    cuts: list[float] | None = None,
) -> FactorEvidence:
    """One factor's membership under `evidence_base`: the survey mean calibrated by the condition's anchors
    (or cut into levels by `cuts`, a multi-value condition), the enabler share calibrated by
    `SITE_VISIT_ANCHORS`, or the mean of the two where both exist (triangulated). A suppressed survey score is
    no evidence (its reason says so, and nothing of its value); the triangulated membership then rests on the
    site visits alone, so it says nothing of the suppressed score either."""
    if cuts is not None:
        if evidence_base != "survey":
            raise ValueError(
                f"{factor}: level_thresholds in reference/qca_conditions.csv cut survey scores; a multi-value"
                f" condition needs evidence_base = 'survey', not {evidence_base!r}"
            )
        survey = qca.calibrate_crisp(scores, cuts)
    else:
        survey = qca.calibrate_fuzzy(
            scores, anchors["full_non_membership"], anchors["crossover"], anchors["full_membership"]
        )
    visits = qca.calibrate_fuzzy(share, *SITE_VISIT_ANCHORS)
    if evidence_base == "survey":
        membership = survey
    elif evidence_base == "site_visits":
        membership = visits
    else:
        membership = pd.concat([survey, visits], axis=1).mean(axis=1)
    reasons = {}
    for partnership in membership.index[membership.isna()]:
        withheld = bool(suppressed.get(partnership, False))
        no_survey = (
            f"survey score on {factor} suppressed (disclosure control)" if withheld else f"no survey score on {factor}"
        )
        reasons[partnership] = {
            "survey": no_survey,
            "site_visits": f"no coded site-visit passages on {factor}",
            "triangulated": f"{no_survey} and no coded site-visit passages on it",
        }[evidence_base]
    return FactorEvidence(membership, pd.Series(reasons, dtype="object"))


def qca_data(con: duckdb.DuckDBPyConnection, crossover_rule: str = "nudge", evidence_base: str = "survey") -> QcaData:
    """Calibrated memberships, on `evidence_base` (see `factor_evidence`), for every partnership with evidence
    on every condition and an assessment. A fuzzy membership of exactly 0.5 is nudged to 0.501
    (`crossover_rule` "nudge", Fiss 2011) or its partnership left out with the reason ("exclude")."""
    if crossover_rule not in ("nudge", "exclude"):
        raise ValueError(f"crossover_rule must be 'nudge' or 'exclude', not {crossover_rule!r}")
    wide, withheld, shares = factor_evidence(con, evidence_base)
    settings = con.execute("SELECT * FROM staging.qca_conditions ORDER BY condition").df()
    assessed = con.execute("SELECT partnership_id, achieved_objectives FROM staging.success_assessments").df()
    members = pd.DataFrame(index=wide.index)
    order = (
        settings.set_index("factor_id")
        .reindex(con.execute("SELECT factor_id FROM staging.success_factors").df()["factor_id"])
        .dropna(subset=["condition"])
    )
    excluded: dict[str, str] = {}
    levels: dict[str, int] = {}
    thresholds = order["level_thresholds"] if "level_thresholds" in order else pd.Series(None, index=order.index)
    missing = pd.Series(float("nan"), index=wide.index)
    for factor, row in order.iterrows():
        cuts = [float(cut) for cut in thresholds[factor].split(";")] if isinstance(thresholds[factor], str) else None
        evidence = calibrated_evidence(
            wide[factor] if factor in wide else missing,
            withheld[factor] if factor in withheld else pd.Series(False, index=wide.index),
            shares[factor] if factor in shares else missing,
            factor,
            row,
            evidence_base,
            cuts,
        )
        membership = evidence.membership
        if cuts is not None:
            levels[row["condition"]] = len(cuts) + 1
        elif crossover_rule == "nudge":
            membership = membership.mask(membership == CROSSOVER, NUDGED_CROSSOVER)
        members[row["condition"]] = membership
        # The reason for a suppressed score says nothing of its value (not even that it sits at the crossover).
        for partnership, reason in evidence.missing.items():
            excluded.setdefault(partnership, reason)
        if row["condition"] not in levels and crossover_rule == "exclude":
            at = (
                f"score exactly at the crossover ({row['crossover']})"
                if evidence_base == "survey"
                else "evidence exactly at the crossover"
            )
            for partnership in membership.index[membership == CROSSOVER]:
                excluded.setdefault(partnership, f"{factor} {at}")
    outcome = assessed.set_index("partnership_id")["achieved_objectives"].reindex(members.index)
    for partnership in outcome.index[outcome.isna()]:
        excluded.setdefault(partnership, "no success assessment")
    members[OUTCOME] = outcome.astype("float")
    members = members.drop(index=list(excluded)).reset_index()
    conditions = list(order["condition"])
    directional = {
        row["condition"]: {"present": 1, "absent": 0, "either": "-"}[row["expected"]] for _, row in order.iterrows()
    }
    return QcaData(members, conditions, directional, excluded, levels, evidence_base)


NOT_OUTCOME = f"~{OUTCOME}"
# The outcomes each QCA mart explains: success, and its negation (R QCA's outcome = "~SUCCESS", membership
# 1 - m), which shows the configurations that go with partnerships not achieving their objectives.
OUTCOMES = (OUTCOME, NOT_OUTCOME)


def _negated_expectations(directional: dict[str, object]) -> dict[str, object]:
    """Directional expectations for the negated outcome: a condition expected present for success is expected
    absent for its absence, and the reverse ("-" stays)."""
    return {name: {1: 0, 0: 1}.get(value, value) for name, value in directional.items()}


def qca_tables(data: QcaData, settings: QcaSettings = QcaSettings()) -> dict[str, pd.DataFrame]:
    """The three QCA marts: truth table, solutions (complex, parsimonious, intermediate) and necessity, each for
    success and for its negation (`OUTCOMES`, told apart by their `outcome` column)."""
    frame = data.memberships
    tables: dict[str, list[pd.DataFrame]] = {"qca_truth_table": [], "qca_solutions": [], "qca_necessity": []}
    for outcome in OUTCOMES:
        cuts = {
            "incl_cut": settings.outcome_cut(outcome),
            "n_cut": settings.n_cut,
            "pri_cut": settings.pri_cut,
            "case_id": "partnership_id",
        }
        if data.multi_value:
            built = _mv_tables(data, cuts, outcome)
        else:
            directional = data.directional if outcome == OUTCOME else _negated_expectations(data.directional)
            built = {
                "qca_truth_table": qca.qca_truth_table(frame, data.conditions, outcome, **cuts),
                "qca_solutions": qca.qca_solutions(frame, data.conditions, outcome, directional=directional, **cuts),
                "qca_necessity": qca.qca_necessity(frame, data.conditions, outcome, case_id="partnership_id"),
            }
        for name, table in built.items():
            tables[name].append(table)
    return {
        name: pd.concat([t for t in parts if not t.empty] or parts[:1], ignore_index=True)
        for name, parts in tables.items()
    }


def _mv_tables(data: QcaData, cuts: dict[str, object], outcome: str = OUTCOME) -> dict[str, pd.DataFrame]:
    """mvQCA of `outcome` (success or its negation): fuzzy conditions as crisp sets (membership above 0.5; none
    sits at 0.5: nudged to 0.501 or left out, by `crossover_rule`)."""
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
        "qca_truth_table": qca.qca_mv_truth_table(frame, data.conditions, outcome, levels=levels, **cuts),
        "qca_solutions": qca.qca_mv_solutions(frame, data.conditions, outcome, levels=levels, **cuts),
        "qca_necessity": qca.qca_necessity(dummies, names, outcome, case_id="partnership_id"),
    }


def memberships_table(con: duckdb.DuckDBPyConnection, data: QcaData) -> pd.DataFrame:
    """Every partnership with its condition memberships and outcome, and why any was left out."""
    partnerships = con.execute("SELECT partnership_id FROM staging.partnerships ORDER BY 1").df()
    table = partnerships.merge(data.memberships, on="partnership_id", how="left")
    table["excluded_reason"] = table["partnership_id"].map(data.excluded)
    table["evidence_base"] = data.evidence_base
    return table


QCA_MARTS = ("qca_memberships", "qca_truth_table", "qca_solutions", "qca_necessity")


def build_qca_marts(con: duckdb.DuckDBPyConnection, settings: QcaSettings = QcaSettings()) -> QcaData:
    """Write the four QCA marts (memberships, truth table, solutions, necessity); returns the data used."""
    data = qca_data(con, settings.crossover_rule, settings.evidence_base)
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

# What the typology rests on, recorded in its asset's metadata beside the number of cases. The QCA, the
# comparison by factor level and the model of success rest on the setting `evidence_base` instead
# (`describe_evidence_base`), recorded in their marts' `evidence_base` column.
TYPOLOGY_EVIDENCE_BASE = (
    "survey means, latest wave, published; a missing or suppressed score imputed with the factor's median"
)


def analysed_cases(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The QCA's analysed cases (`marts.qca_memberships` rows without an `excluded_reason`): the one evidence
    base of QCA, `factor_outcome_comparison` and `factor_importance`, so their findings are about the same
    partnerships and the same calibrated evidence (the memberships, on the setting `evidence_base`)."""
    return con.execute("SELECT * FROM marts.qca_memberships WHERE excluded_reason IS NULL ORDER BY partnership_id").df()


def evidence_base_of(con: duckdb.DuckDBPyConnection) -> str:
    """The evidence base `marts.qca_memberships` was calibrated from (the setting `evidence_base`)."""
    rows = con.execute("SELECT DISTINCT evidence_base FROM marts.qca_memberships").fetchall()
    return rows[0][0] if rows else "survey"


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
    from pipeline.methods import typology  # scikit-learn loads in about 0.4 s: only the runs that model pay it

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
    cases = analysed_cases(con).set_index("partnership_id")
    outcome = cases[OUTCOME].astype(int)
    conditions = con.execute(
        "SELECT c.factor_id, c.condition FROM staging.success_factors AS f"
        " JOIN staging.qca_conditions AS c USING (factor_id) ORDER BY f.source_file, f.source_row"
    ).fetchall()
    # The calibrated evidence QCA analyses (memberships, or levels of a multi-value condition), one column per factor.
    features = pd.DataFrame({factor: cases[condition] for factor, condition in conditions}, index=cases.index)
    successes, others = int(outcome.sum()), int((outcome == 0).sum())
    if min(successes, others) < MIN_MODEL_CASES_PER_OUTCOME:
        replace_table(con, "marts.factor_importance", _empty(schemas.FactorImportanceMart))
        return NotRun(
            f"the model of success needs at least {MIN_MODEL_CASES_PER_OUTCOME} partnerships judged successful and"
            f" {MIN_MODEL_CASES_PER_OUTCOME} not among the QCA's analysed cases ({EVIDENCE_WORDS[evidence_base_of(con)]}"
            " on every condition and a success assessment, see qca_memberships.excluded_reason);"
            f" {successes} and {others} given"
        )
    from pipeline.methods import typology  # as in build_partnership_typology

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
            evidence_base=evidence_base_of(con),
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
            f"the comparison by factor level needs partnerships with {EVIDENCE_WORDS[evidence_base_of(con)]} on every"
            " condition and a success assessment (see qca_memberships.excluded_reason); 0 given"
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
    frame = pd.DataFrame(rows).assign(evidence_base=evidence_base_of(con))
    return replace_table(con, "marts.factor_outcome_comparison", schemas.FactorOutcomeComparisonMart.validate(frame))
