"""Cross-source comparison: success assessments, the partnership profile, the success-factor matrix and the
comparative analyses (QCA, typology, factor importance, factor-by-outcome)."""

from __future__ import annotations

import pandas as pd  # noqa: F401 - pandera resolves annotations by name
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.methods.triangulation import CONVERGENCE, RATINGS
from pipeline.outcomes.schemas import OUTCOME_CLASSES
from pipeline.validation import Lineage


class SuccessAssessment(Lineage):
    """One row per partnership: the evaluation team's judgement of whether it achieved its objectives."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, unique=True, description="Partnership"
    )
    achieved_objectives: Series[bool] = pa.Field(
        coerce=True,
        description="Whether the partnership achieved its objectives (the outcome the comparative analysis explains)",
    )
    assessed_by: Series[str] = pa.Field(description="Who made the judgement")
    assessed_on: Series[pa.DateTime] = pa.Field(coerce=True, description="When")


class PartnershipProfileMart(pa.DataFrameModel):
    """One row per partnership: who it is, where, what it tackles, and how much evidence there is."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"},
        unique=True,
        description="Programme identifier of the partnership",
    )
    partnership_name: Series[str] = pa.Field(description="Name of the partnership")
    wicked_problem: Series[str] = pa.Field(description="The entrenched health problem it tackles")
    programme_round: Series[int] = pa.Field(ge=1, description="Programme round it joined in")
    support_start: Series[pa.DateTime] = pa.Field(description="First day of programme support")
    support_end: Series[pa.DateTime] = pa.Field(description="Last day of programme support")
    area_codes: Series[str] = pa.Field(
        description="ONS codes of the districts or unitary authorities covered, ';'-separated"
    )
    areas: Series[int] = pa.Field(ge=1, description="Number of districts or unitary authorities covered")
    imd_rank_most_deprived_area: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=1,
        description="Index of Multiple Deprivation rank of average score of its most deprived area (1 = most"
        " deprived district), from the latest edition in deprivation/; empty where the index does not cover its"
        " areas (the English index has no Welsh or Scottish districts)",
    )
    imd_edition: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="Year of the index edition the rank comes from (2019 in the demo)"
    )
    survey_waves: Series[int] = pa.Field(
        ge=0, description="Survey waves with at least one valid response for the partnership"
    )
    latest_wave: Series[str] = pa.Field(nullable=True, description="Most recent survey wave with responses")
    latest_wave_respondents: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="Respondents in the latest wave; empty where 1 to threshold-1 (disclosure control)",
    )
    respondents_suppressed: Series[bool] = pa.Field(
        description="True where the respondent count was suppressed for disclosure control"
    )
    coded_passages: Series[int] = pa.Field(ge=0, description="Distinct site-visit passages coded to a success factor")
    coded_sources: Series[int] = pa.Field(ge=0, description="Site-visit documents with at least one coded passage")
    headline_indicator_id: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="Fingertips id of the problem's headline indicator"
    )
    headline_indicator_name: Series[str] = pa.Field(nullable=True, description="Name of the headline indicator")
    headline_indicator_status: Series[str] = pa.Field(
        isin=["covered", "partial", "no data bundled"],
        description="Whether outcome data for the headline indicator is available for all the partnership's areas",
    )
    achieved_objectives: Series[pd.BooleanDtype] = pa.Field(
        nullable=True,
        description="The evaluation team's success assessment (assessments/): whether the partnership achieved its"
        " objectives; empty where it has not been assessed. The outcome QCA and factor_outcome_comparison explain",
    )
    assessed_on: Series[pa.DateTime] = pa.Field(nullable=True, description="When the success assessment was made")

    class Config:
        metadata = {"disclosure": {"counts": ["latest_wave_respondents"]}}


class SuccessFactorMatrixMart(pa.DataFrameModel):
    """One row per partnership x success factor: survey score beside coded site-visit evidence."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    factor_id: Series[str] = pa.Field(
        metadata={"references": "staging.success_factors.factor_id"}, description="Success factor"
    )
    factor_name: Series[str] = pa.Field(description="Name of the factor as shown in reports (success_factors.csv)")
    factor_position: Series[int] = pa.Field(
        ge=1, description="The factor's place in success_factors.csv (1 = first): the order reports show factors in"
    )
    survey_wave: Series[str] = pa.Field(
        nullable=True, description="Survey wave the score comes from (the partnership's latest)"
    )
    survey_respondents: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents scoring the factor; empty where suppressed"
    )
    survey_mean: Series[float] = pa.Field(
        nullable=True,
        description="Mean of respondents' factor scores, on the items' agreement scale (reference/likert_scales.csv:"
        " the lowest score = strongly disagree the factor is present, the highest = strongly agree)",
    )
    survey_ci_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of the 95% t confidence interval of the mean"
    )
    survey_ci_high: Series[float] = pa.Field(
        nullable=True, description="Upper limit of the 95% t confidence interval of the mean"
    )
    survey_suppressed: Series[bool] = pa.Field(
        description="True where fewer respondents than the disclosure threshold answered, so nothing is published"
    )
    enabler_passages: Series[int] = pa.Field(
        ge=0, description="Distinct site-visit passages coded as the factor enabling the work"
    )
    barrier_passages: Series[int] = pa.Field(
        ge=0, description="Distinct site-visit passages coded as the factor holding the work back"
    )
    coded_sources: Series[int] = pa.Field(ge=0, description="Site-visit documents with evidence on the factor")
    coders: Series[int] = pa.Field(ge=0, description="Coders who coded evidence on the factor")
    excerpts: Series[str] = pa.Field(
        nullable=True,
        description="Up to three short coded passages (redacted), ' | '-separated, as in a framework matrix",
    )
    enabler_excerpts: Series[str] = pa.Field(
        nullable=True,
        description="Up to three short passages (redacted) coded as the factor enabling the work, ' | '-separated",
    )
    barrier_excerpts: Series[str] = pa.Field(
        nullable=True,
        description="Up to three short passages (redacted) coded as the factor holding the work back, ' | '-separated",
    )
    survey_rating: Series[str] = pa.Field(
        nullable=True,
        isin=RATINGS,
        description="strong / mixed / weak from the survey mean (cut-offs survey_strong_from and survey_weak_to in settings.toml, by default 3.5 and 2.5)",
    )
    coding_rating: Series[str] = pa.Field(
        nullable=True,
        isin=RATINGS,
        description="strong / mixed / weak from the share of enabler passages (2/3 and 1/3 cut-offs)",
    )
    triangulated_rating: Series[str] = pa.Field(
        nullable=True,
        isin=[*RATINGS, "contested"],
        description="The factor's rating from both methods (Farmer et al. 2006 convergence coding); contested where they disagree",
    )
    convergence: Series[str] = pa.Field(
        nullable=True,
        isin=CONVERGENCE,
        description="agreement, partial agreement, silence (one method only) or dissonance",
    )
    methods_disagree: Series[bool] = pa.Field(
        description="True where survey and site-visit evidence point opposite ways (dissonance)"
    )

    class Config:
        unique = ["partnership_id", "factor_id"]


QCA_OUTCOMES = ["SUCCESS", "~SUCCESS"]
EVIDENCE_BASES = ["survey", "site_visits", "triangulated"]


class QcaTruthTableMart(pa.DataFrameModel):
    """One row per configuration of the QCA conditions (all 2^k, or every combination of levels when a condition
    is multi-value; remainders included)."""

    outcome: Series[str] = pa.Field(
        isin=QCA_OUTCOMES, description="Outcome set explained: SUCCESS, or ~SUCCESS (not achieving the objectives)"
    )
    row: Series[int] = pa.Field(
        ge=1, description="Truth-table row number, as R QCA numbers them (row 1 = every condition absent)"
    )
    configuration: Series[str] = pa.Field(
        description="The configuration: NAME = condition present, ~NAME = absent (NAME{2} = level 2 of a multi-value condition), joined by *"
    )
    OUT: Series[str] = pa.Field(
        isin=["1", "0", "C", "?"],
        description="Outcome code: 1 consistent with the outcome, 0 not, C contradictory (crisp), ? remainder (no cases)",
    )
    n: Series[int] = pa.Field(ge=0, description="Partnerships with membership above 0.5 in the configuration")
    incl: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Raw consistency of the configuration with the outcome"
    )
    PRI: Series[float] = pa.Field(nullable=True, description="Proportional reduction in inconsistency")
    cases: Series[str] = pa.Field(nullable=True, description="Partnerships in the configuration, comma-separated")
    deviant_cases: Series[str] = pa.Field(
        nullable=True, description="Partnerships in a configuration coded 1 that did not succeed (or coded 0 that did)"
    )
    contradiction: Series[bool] = pa.Field(
        description="True where the configuration holds both successful and unsuccessful partnerships"
    )

    class Config:
        unique = ["outcome", "row"]


class QcaSolutionsMart(pa.DataFrameModel):
    """One row per solution kind x equally minimal model x term."""

    outcome: Series[str] = pa.Field(
        isin=QCA_OUTCOMES, description="Outcome set explained: SUCCESS, or ~SUCCESS (not achieving the objectives)"
    )
    kind: Series[str] = pa.Field(
        isin=["complex", "parsimonious", "intermediate"],
        description="complex (no remainders), parsimonious (any remainder), intermediate (easy counterfactuals only)",
    )
    model: Series[str] = pa.Field(
        description="Model label (M1, M2, ... as R QCA prints them; C1P1-M1 for intermediate)"
    )
    n_models: Series[int] = pa.Field(ge=1, description="Equally minimal models of this kind")
    solution: Series[str] = pa.Field(description="The whole model, terms joined by +")
    term: Series[str] = pa.Field(description="One sufficient term (a conjunction of conditions)")
    term_consistency: Series[float] = pa.Field(
        nullable=True, description="Consistency of the term as sufficient for the outcome"
    )
    term_pri: Series[float] = pa.Field(nullable=True, description="PRI of the term")
    term_coverage: Series[float] = pa.Field(nullable=True, description="Raw coverage of the term")
    term_unique_coverage: Series[float] = pa.Field(
        nullable=True, description="Coverage no other term of the model provides"
    )
    term_cases: Series[str] = pa.Field(nullable=True, description="Partnerships the term covers")
    solution_consistency: Series[float] = pa.Field(nullable=True, description="Consistency of the whole model")
    solution_pri: Series[float] = pa.Field(nullable=True, description="PRI of the model")
    solution_coverage: Series[float] = pa.Field(nullable=True, description="Coverage of the model")
    simplifying_assumptions: Series[str] = pa.Field(
        nullable=True, description="Remainder rows the model assumes would show the outcome"
    )
    easy_counterfactuals: Series[str] = pa.Field(
        nullable=True,
        description="Remainder rows used by the intermediate solution (consistent with the directional expectations)",
    )
    contradictory_assumptions: Series[str] = pa.Field(
        nullable=True, description="Remainders also used to explain the outcome's absence (untenable)"
    )
    contradictory_configurations: Series[str] = pa.Field(nullable=True, description="Rows with contradictory cases")

    class Config:
        unique = ["outcome", "kind", "model", "term"]


class QcaNecessityMart(pa.DataFrameModel):
    """One row per condition and negated condition: is it necessary for the outcome?"""

    outcome: Series[str] = pa.Field(
        isin=QCA_OUTCOMES, description="Outcome set: SUCCESS, or ~SUCCESS (not achieving the objectives)"
    )
    condition: Series[str] = pa.Field(
        description="Condition, or ~condition for its absence (NAME{2} / ~NAME{2}: a level of a multi-value condition)",
    )
    consistency: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Consistency as a necessary condition")
    coverage: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Coverage as a necessary condition")
    RoN: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Relevance of necessity (Schneider & Wagemann 2012)"
    )

    class Config:
        unique = ["outcome", "condition"]


class QcaMembershipsMart(pa.DataFrameModel):
    """One row per partnership: its membership in each QCA condition and in the outcome."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, unique=True, description="Partnership"
    )
    excluded_reason: Series[str] = pa.Field(
        nullable=True,
        description='Why the partnership was left out of the analysis, if it was (a score exactly at a crossover only under crossover_rule = "exclude"; by default its membership of 0.5 is nudged to 0.501, Fiss 2011)',
    )
    evidence_base: Series[str] = pa.Field(
        isin=EVIDENCE_BASES,
        description="The calibrated evidence analysed (setting evidence_base): survey, site_visits or triangulated",
    )

    class Config:
        strict = False  # one membership column per condition in reference/qca_conditions.csv


class PartnershipTypologyMart(pa.DataFrameModel):
    """One row per partnership: its cluster of similar success-factor profiles."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, unique=True, description="Partnership"
    )
    cluster: Series[int] = pa.Field(
        ge=1, description="Cluster (1 = largest), from k-means on standardised latest-wave factor scores"
    )
    silhouette: Series[float] = pa.Field(
        ge=-1, le=1, description="The partnership's silhouette (Rousseeuw 1987): how well it sits in its cluster"
    )
    n_imputed: Series[int] = pa.Field(
        ge=0, description="Factor scores missing for the partnership and imputed with the factor's median"
    )
    cluster_size: Series[int] = pa.Field(ge=1, description="Partnerships in the cluster")
    cluster_label: Series[str] = pa.Field(description="The factors most above or below average in the cluster")
    cluster_silhouette: Series[float] = pa.Field(description="Mean silhouette of the cluster")
    k: Series[int] = pa.Field(ge=2, description="Clusters chosen, by the highest mean silhouette")
    stability_ari: Series[float] = pa.Field(
        nullable=True,
        description="Mean adjusted Rand index between the partitions from different seeds (1 = identical)",
    )
    notes: Series[str] = pa.Field(nullable=True, description="Imputation and other notes")

    class Config:
        strict = False  # one cluster_mean_<factor> column per success factor


class FactorImportanceMart(pa.DataFrameModel):
    """One row per success factor: its weight in a simple model of success, with the model's honesty checks."""

    factor_id: Series[str] = pa.Field(
        metadata={"references": "staging.success_factors.factor_id"}, unique=True, description="Success factor"
    )
    coefficient: Series[float] = pa.Field(
        description="Log-odds of success per standard deviation of the factor's calibrated membership (the QCA's, on"
        " evidence_base; L2-penalised logistic regression)"
    )
    importance_mean: Series[float] = pa.Field(
        description="Increase in Brier score when the factor is permuted (Breiman 2001), mean over permutations"
    )
    importance_sd: Series[float] = pa.Field(ge=0, description="Its standard deviation over permutations")
    rank: Series[int] = pa.Field(ge=1, description="1 = most important")
    n_cases: Series[int] = pa.Field(ge=1, description="Partnerships in the model")
    events_per_variable: Series[float] = pa.Field(
        description="Smaller outcome group per factor (Peduzzi et al. 1996 advise 10 or more)"
    )
    loo_accuracy: Series[float] = pa.Field(ge=0, le=1, description="Leave-one-out cross-validated accuracy")
    baseline_accuracy: Series[float] = pa.Field(
        ge=0, le=1, description="Accuracy of always predicting the larger group"
    )
    loo_brier: Series[float] = pa.Field(ge=0, description="Leave-one-out Brier score")
    baseline_brier: Series[float] = pa.Field(
        ge=0, description="Brier score of always forecasting the observed prevalence"
    )
    caveat: Series[str] = pa.Field(description="Small-sample caveat, to publish with any use of these figures")
    evidence_base: Series[str] = pa.Field(
        isin=EVIDENCE_BASES,
        description="The calibrated evidence analysed (setting evidence_base): survey, site_visits or triangulated",
    )


class FactorOutcomeComparisonMart(pa.DataFrameModel):
    """One row per success factor x level (strong or weak)."""

    factor_id: Series[str] = pa.Field(
        metadata={"references": "staging.success_factors.factor_id"}, description="Success factor"
    )
    level: Series[str] = pa.Field(
        isin=["strong", "weak"], description="Membership in the factor's QCA condition above (strong) or below 0.5"
    )
    partnerships: Series[int] = pa.Field(ge=0, description="Partnerships at this level")
    successful: Series[int] = pa.Field(ge=0, description="Of those, judged to have achieved their objectives")
    share_successful: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="successful / partnerships")
    share_ci_low: Series[float] = pa.Field(nullable=True, description="Lower limit of Wilson's 95% interval")
    share_ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit of Wilson's 95% interval")
    with_outcome_data: Series[int] = pa.Field(
        ge=0, description="Partnerships with a classified change in their headline outcome"
    )
    outcome_improved: Series[int] = pa.Field(
        ge=0,
        description="Of those, improved against England: by the 95% interval, or also by a point estimate unless the setting improved_needs_interval is true",
    )
    share_outcome_improved: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="outcome_improved / with_outcome_data"
    )
    difference_strong_minus_weak: Series[float] = pa.Field(
        nullable=True, description="Share successful when strong minus when weak (same on both rows)"
    )
    difference_ci_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of Newcombe's (1998) hybrid score 95% interval"
    )
    difference_ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit")
    evidence_base: Series[str] = pa.Field(
        isin=EVIDENCE_BASES,
        description="The calibrated evidence analysed (setting evidence_base): survey, site_visits or triangulated",
    )

    class Config:
        unique = ["factor_id", "level"]


AGREEMENT = ["agree", "disagree", "cannot tell"]


class OutcomeVerdictAgreementMart(pa.DataFrameModel):
    """One row per partnership: the evaluation team's success verdict beside the classification of its headline
    outcome, and whether they agree.

    The rule: a headline outcome that improved against England agrees with a verdict of achieved and disagrees
    with one of not achieved; one that worsened agrees with not achieved and disagrees with achieved; no clear
    change or insufficient data (or no verdict, or no headline indicator) cannot tell. An "(point estimate)"
    class counts as its direction, unless the setting improved_needs_interval asks for a 95% interval."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, unique=True, description="Partnership"
    )
    achieved_objectives: Series[pd.BooleanDtype] = pa.Field(
        nullable=True,
        description="The evaluation team's verdict (assessments/): whether the partnership achieved its objectives;"
        " empty where it has not been assessed",
    )
    headline_indicator_id: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="Fingertips id of the wicked problem's headline indicator"
    )
    headline_indicator_name: Series[str] = pa.Field(nullable=True, description="Name of the headline indicator")
    classification: Series[str] = pa.Field(
        nullable=True,
        isin=OUTCOME_CLASSES,
        description="The headline outcome's change against England as outcome_change classifies it; empty where the"
        " problem has no headline indicator",
    )
    agreement: Series[str] = pa.Field(
        isin=AGREEMENT,
        description="agree: improved and achieved, or worsened and not achieved; disagree: worsened and achieved, or"
        " improved and not achieved; cannot tell: no clear change, insufficient data, no verdict or no headline"
        " indicator",
    )
    reason: Series[str] = pa.Field(description="Why, in words")

    class Config:
        unique = ["partnership_id"]


SUSTAINMENT_STATUSES = ["sustained", "integrated", "stopped"]


class SustainmentMart(pa.DataFrameModel):
    """One row per partnership: what became of its work after support ended, where it spread, and what the
    evaluation found about it (success assessment, the level of the setting sustainment_factor)."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, unique=True, description="Partnership"
    )
    partnership_name: Series[str] = pa.Field(description="Name of the partnership")
    programme_round: Series[int] = pa.Field(ge=1, description="Programme round it joined in")
    support_end: Series[pa.DateTime] = pa.Field(description="Last day of programme support")
    status: Series[str] = pa.Field(
        nullable=True,
        isin=SUSTAINMENT_STATUSES,
        description="After support ended (reference/sustainment.csv): sustained, integrated into other work, or"
        " stopped; empty where no status is recorded",
    )
    status_date: Series[pa.DateTime] = pa.Field(nullable=True, description="When the status was found")
    evidence: Series[str] = pa.Field(nullable=True, description="What the status rests on")
    continued: Series[pd.BooleanDtype] = pa.Field(
        nullable=True,
        description="True where the work carried on (sustained or integrated), false where it stopped, empty where"
        " no status is recorded",
    )
    spread_count: Series[int] = pa.Field(
        ge=0,
        description="Areas, services or programmes that took the work up (reference/spread.csv); counts of"
        " organisations' decisions, not of people, so not disclosure-controlled",
    )
    latest_spread_kind: Series[str] = pa.Field(
        nullable=True, description="Kind of the latest spread: new_area, new_service or new_programme"
    )
    latest_spread: Series[str] = pa.Field(nullable=True, description="The latest spread, in words")
    latest_spread_date: Series[pa.DateTime] = pa.Field(nullable=True, description="When the latest spread happened")
    achieved_objectives: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="The evaluation team's success assessment; empty where not assessed"
    )
    factor_id: Series[str] = pa.Field(
        nullable=True,
        description="The success factor the setting sustainment_factor names (integration by default): the one"
        " the evaluation expects to go with sustainment",
    )
    factor_rating: Series[str] = pa.Field(
        nullable=True,
        isin=RATINGS,
        description="Its triangulated rating in success_factor_matrix (survey and site-visit evidence together)",
    )
    factor_level: Series[str] = pa.Field(
        nullable=True,
        isin=["strong", "weak"],
        description="Its level as the comparisons use it: membership in its QCA condition above 0.5 (strong) or"
        " not (weak), among the QCA's analysed cases (published scores only); empty for a partnership left out",
    )


class SustainmentByFactorMart(pa.DataFrameModel):
    """One row per success factor x level (strong or weak): how often the work carried on after support."""

    factor_id: Series[str] = pa.Field(
        metadata={"references": "staging.success_factors.factor_id"}, description="Success factor"
    )
    level: Series[str] = pa.Field(
        isin=["strong", "weak"], description="Membership in the factor's QCA condition above (strong) or below 0.5"
    )
    tested_factor: Series[bool] = pa.Field(
        description="True for the factor the setting sustainment_factor names, whose link with sustainment the"
        " evaluation asserts and the report tests"
    )
    partnerships: Series[int] = pa.Field(
        ge=0, description="Partnerships at this level with a sustainment status (the QCA's analysed cases)"
    )
    continued: Series[int] = pa.Field(ge=0, description="Of those, whose work was sustained or integrated")
    share_continued: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="continued / partnerships")
    share_ci_low: Series[float] = pa.Field(nullable=True, description="Lower limit of Wilson's 95% interval")
    share_ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit of Wilson's 95% interval")
    difference_strong_minus_weak: Series[float] = pa.Field(
        nullable=True, description="Share continued when strong minus when weak (same on both rows)"
    )
    difference_ci_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of Newcombe's (1998) hybrid score 95% interval"
    )
    difference_ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit")
    fisher_p: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        le=1,
        description="Two-sided p-value of Fisher's exact test of the 2 x 2 table level x continued (same on both"
        " rows); exact at any size, as a programme has few partnerships",
    )

    class Config:
        unique = ["factor_id", "level"]


ROUND_MEASURES = ["success", "continued", "response", "support_useful"]


class RoundComparisonMart(pa.DataFrameModel):
    """One row per programme round x measure x survey wave (empty for a measure of partnerships): a share, its
    Wilson interval and its difference from the first round with Newcombe's interval."""

    programme_round: Series[int] = pa.Field(ge=1, description="Programme round")
    measure: Series[str] = pa.Field(
        isin=ROUND_MEASURES,
        description="success: partnerships judged to have achieved their objectives, of those assessed;"
        " continued: partnerships whose work was sustained or integrated after support, of those with a status;"
        " response: survey respondents, of those invited (partnerships with invitations recorded); support_useful:"
        " ratings of the support offer above the middle of their scale, of all ratings",
    )
    wave: Series[str] = pa.Field(nullable=True, description="Survey wave, for response and support_useful")
    partnerships_counted: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="For success and continued: partnerships counted in the share (judged successful; work carried"
        " on). Partnerships are organisations, not people, so their counts are published whatever their size",
    )
    partnerships: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="For success and continued: partnerships the share is out of"
    )
    people_counted: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="For response and support_useful: respondents, or ratings rated useful; empty where it or"
        " people lies from 1 to threshold - 1, where the wave's other round is withheld (the wave's total is"
        " published), or, for response, where a partnership of the round has its wave total withheld in"
        " response_rates (the round's total would give it back)",
    )
    people: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="For response and support_useful: people invited, or ratings given"
    )
    share: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="partnerships_counted / partnerships, or people_counted / people"
    )
    ci_low: Series[float] = pa.Field(
        nullable=True,
        description="Lower limit of Wilson's 95% interval (respondents and ratings treated as independent, which"
        " clustering within partnerships makes too narrow)",
    )
    ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit of Wilson's 95% interval")
    difference_from_first: Series[float] = pa.Field(
        nullable=True, description="share minus the first round's share for the same measure and wave"
    )
    difference_ci_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of Newcombe's (1998) hybrid score 95% interval of the difference"
    )
    difference_ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit")
    suppressed: Series[bool] = pa.Field(description="True where the counts are withheld (disclosure control)")

    class Config:
        unique = ["programme_round", "measure", "wave"]
        metadata = {"disclosure": {"counts": ["people_counted", "people"]}}


TABLES: dict[str, type[pa.DataFrameModel]] = {
    "staging.success_assessments": SuccessAssessment,
    "marts.partnership_profile": PartnershipProfileMart,
    "marts.success_factor_matrix": SuccessFactorMatrixMart,
    "marts.qca_truth_table": QcaTruthTableMart,
    "marts.qca_solutions": QcaSolutionsMart,
    "marts.qca_necessity": QcaNecessityMart,
    "marts.qca_memberships": QcaMembershipsMart,
    "marts.partnership_typology": PartnershipTypologyMart,
    "marts.factor_importance": FactorImportanceMart,
    "marts.factor_outcome_comparison": FactorOutcomeComparisonMart,
    "marts.outcome_verdict_agreement": OutcomeVerdictAgreementMart,
    "marts.sustainment": SustainmentMart,
    "marts.sustainment_by_factor": SustainmentByFactorMart,
    "marts.round_comparison": RoundComparisonMart,
}
