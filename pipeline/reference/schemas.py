"""Reference data edited by the evaluators: one pandera model per reference CSV, validated as read
(strings coerced to their types), and the partnership areas derived from them."""

from __future__ import annotations

import pandas as pd  # noqa: F401 - pandera resolves annotations by name
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.validation import Lineage

POLARITIES = ["low_is_good", "high_is_good", "no_judgement"]
INSTRUMENT_ROLES = ["partnership", "stakeholder_group", "item", "free_text"]
# What a construct's items are: a multi-item scale (its score is their mean and it gets a Cronbach's alpha), or
# separate ratings of each part of the support offer (each reported on its own in support_usefulness, no alpha).
CONSTRUCT_KINDS = ["scale", "support_offer"]
# What an outcome indicator's rate is per, where the benefits mart may take a population as its denominator.
DENOMINATOR_POPULATIONS = ["all_ages_persons"]


# Machine names the evaluators choose for problems, groups and the like.
MACHINE_NAME = r"^[a-z0-9_]+$"
# A GSS code of the Office for National Statistics: England, Wales, Scotland or Northern Ireland, eight digits.
GSS_CODE = r"[ENSW]\d{8}"

SURVEY_TOOLS = ["qualtrics", "surveymonkey", "google_forms", "microsoft_forms", "spss", "excel"]

DIRECTIONS = ["enabler", "barrier"]

# A column a reference file may leave out of its header; it then reads as empty (see reference/reader.py).
OPTIONAL_COLUMN = {"optional_column": True}


class Partnership(Lineage):
    """One row per partnership in the programme."""

    partnership_id: Series[str] = pa.Field(
        str_matches=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        unique=True,
        description="Programme identifier of the partnership: letters, digits, '_', '.' or '-', e.g. P01 or KIR",
    )
    partnership_name: Series[str] = pa.Field(
        str_length={"min_value": 2}, description="Name of the partnership as used in reports"
    )
    area_codes: Series[str] = pa.Field(
        str_matches=rf"^{GSS_CODE}(;{GSS_CODE})*$",
        description="GSS codes of the local authorities covered (any UK nation), ';'-separated",
    )
    wicked_problem: Series[str] = pa.Field(
        str_matches=MACHINE_NAME, description="The entrenched health problem the partnership tackles"
    )
    programme_round: Series[int] = pa.Field(
        ge=1, le=9, coerce=True, description="Programme round the partnership joined in"
    )
    support_start: Series[pa.DateTime] = pa.Field(coerce=True, description="First day of the programme's support")
    support_end: Series[pa.DateTime] = pa.Field(coerce=True, description="Last day of the programme's support")

    @pa.dataframe_check(description="Support must end after it starts")
    def support_period_is_ordered(cls, frame):  # noqa: N805 - pandera passes the class
        return frame["support_end"] > frame["support_start"]


class SuccessFactor(Lineage):
    """One row per success factor the evaluation asks about."""

    factor_id: Series[str] = pa.Field(
        str_matches=r"^[a-z_]+$", unique=True, description="Machine name of the success factor"
    )
    factor_name: Series[str] = pa.Field(description="Name of the factor as shown in reports")
    description: Series[str] = pa.Field(description="What the factor means in this evaluation")


class LikertAnswer(Lineage):
    """One row per answer scale x answer label."""

    scale_id: Series[str] = pa.Field(description="Answer scale the label belongs to")
    label: Series[str] = pa.Field(description="Answer text as the survey tool exports it")
    code: Series[int] = pa.Field(ge=0, coerce=True, description="Numeric code the tool exports for this answer")
    score: Series[float] = pa.Field(
        nullable=True, coerce=True, description="Score used in analysis; empty for don't know / not applicable"
    )

    class Config:
        unique = ["scale_id", "label"]


class StakeholderGroup(Lineage):
    """One row per stakeholder group."""

    stakeholder_group: Series[str] = pa.Field(
        str_matches=MACHINE_NAME, unique=True, description="Stakeholder group code"
    )
    label: Series[str] = pa.Field(description="Answer text that identifies the group in survey exports")
    code: Series[int] = pa.Field(ge=0, coerce=True, description="Numeric code the tool exports for this answer")


class InstrumentField(Lineage):
    """One row per survey tool x question id: what each survey field carries."""

    tool: Series[str] = pa.Field(isin=SURVEY_TOOLS, description="Survey tool the question id belongs to")
    source_id: Series[str] = pa.Field(description="Question id as the tool exports it (Qualtrics ImportId)")
    role: Series[str] = pa.Field(
        isin=INSTRUMENT_ROLES,
        description="What the field carries: partnership, stakeholder group, scored item or free text",
    )
    item_code: Series[str] = pa.Field(nullable=True, description="Stable code of a scored item or free-text question")
    construct: Series[str] = pa.Field(
        nullable=True,
        description="Construct the item measures: a success factor (construct_kind scale), or the programme's name "
        "for the support-offer ratings (construct_kind support_offer)",
    )
    scale_id: Series[str] = pa.Field(nullable=True, description="Answer scale of a scored item")
    reverse_coded: Series[bool] = pa.Field(
        nullable=True, coerce=True, description="True where agreement means the factor is weaker"
    )
    item_text: Series[str] = pa.Field(description="Question wording")
    construct_kind: Series[str] = pa.Field(
        nullable=True,
        isin=CONSTRUCT_KINDS,
        metadata=OPTIONAL_COLUMN,
        description="Optional column, for scored items: scale (the default when empty) where the construct's items "
        "form one multi-item scale of a success factor (its score is their mean; it gets a Cronbach's alpha); "
        "support_offer where each item separately rates a part of the support offer (reported item by item in "
        "support_usefulness; no alpha, the ratings are not a scale). Every item of a construct has the same kind",
    )

    class Config:
        unique = ["tool", "source_id"]

    @pa.dataframe_check(description="Scored items name their item code, construct and scale")
    def items_are_complete(cls, frame):  # noqa: N805
        is_item = frame["role"] == "item"
        return ~is_item | (frame["item_code"].notna() & frame["construct"].notna() & frame["scale_id"].notna())


class CodebookFactor(Lineage):
    """One row per code of the site-visit codebook that is evidence on a success factor."""

    code_path: Series[str] = pa.Field(
        unique=True, description="Code as its path in the codebook hierarchy, '/'-separated"
    )
    factor_id: Series[str] = pa.Field(
        metadata={"references": "staging.success_factors.factor_id"},
        description="Success factor the code is evidence for",
    )
    direction: Series[str] = pa.Field(
        isin=DIRECTIONS, description="Whether the code marks the factor as an enabler or a barrier"
    )
    scale_value: Series[float] = pa.Field(
        nullable=True,
        coerce=True,
        metadata=OPTIONAL_COLUMN,
        description="Optional column: the code's level on an ordinal scale formed by it and its sibling codes (the "
        "scale is their parent code), e.g. 1, 2, 3 for weak, moderate, strong; coder agreement on the scale is then "
        "also reported with weighted kappa (setting coding_kappa_weights) and ordinal alpha. Empty: not a scale level",
    )


class OutcomeIndicator(Lineage):
    """One row per wicked problem x outcome indicator measuring it."""

    wicked_problem: Series[str] = pa.Field(str_matches=MACHINE_NAME, description="Problem the indicator measures")
    indicator_id: Series[int] = pa.Field(gt=0, coerce=True, description="Fingertips indicator id")
    indicator_name: Series[str] = pa.Field(description="Indicator name as Fingertips publishes it")
    source_indicator_name: Series[str] = pa.Field(
        nullable=True, description="Name a tidy series uses for the indicator, where it has no id column"
    )
    polarity: Series[str] = pa.Field(isin=POLARITIES, description="Whether a lower or a higher value is better")
    unit: Series[str] = pa.Field(description="Unit of the value")
    headline: Series[bool] = pa.Field(coerce=True, description="True for the problem's headline indicator")
    period_type: Series[str] = pa.Field(
        isin=["calendar", "financial", "academic"],
        description="What a 'YYYY/YY' period means for this indicator: financial (April-March) or academic (September-August) year",
    )
    statistic: Series[str] = pa.Field(
        isin=["proportion", "rate", "dsr"],
        description="Kind of value: proportion (Wilson intervals), crude rate (Byar's/exact intervals) or directly standardised rate (intervals only as published)",
    )
    multiplier: Series[int] = pa.Field(
        gt=0, coerce=True, description="Scale of the value: 100 for a percentage, 1,000 or 100,000 for rates"
    )
    denominator_population: Series[str] = pa.Field(
        nullable=True,
        isin=DENOMINATOR_POPULATIONS,
        metadata=OPTIONAL_COLUMN,
        description="Optional column: all_ages_persons where the indicator's rate is per head of the whole "
        "population (all ages, persons), so the benefits mart may take area_populations.csv as its denominator "
        "where the outcome file publishes none; empty for any other denominator (children, women, births)",
    )

    class Config:
        unique = ["wicked_problem", "indicator_id"]


class MarmotObjective(Lineage):
    """One row per Marmot policy objective (Fair Society, Healthy Lives, 2010)."""

    objective_id: Series[str] = pa.Field(
        str_matches=r"^[a-z_]+$", unique=True, description="Machine name of the Marmot policy objective"
    )
    objective: Series[str] = pa.Field(
        description="The objective as worded in Fair Society, Healthy Lives (Marmot 2010)"
    )


class DriverDiagramRow(Lineage):
    """One row per secondary driver of a wicked problem's driver diagram."""

    wicked_problem: Series[str] = pa.Field(str_matches=MACHINE_NAME, description="Problem the driver diagram is for")
    primary_driver_id: Series[str] = pa.Field(description="Identifier of the primary driver")
    primary_driver: Series[str] = pa.Field(description="What must change to reduce the problem")
    secondary_driver_id: Series[str] = pa.Field(
        unique=True, description="Identifier of the secondary driver, which interventions name"
    )
    secondary_driver: Series[str] = pa.Field(description="A concrete area of action under the primary driver")
    marmot_objectives: Series[str] = pa.Field(
        str_matches=r"^[a-z_]+(;[a-z_]+)*$", description="Marmot objectives the secondary driver serves, ';'-separated"
    )


class SurveyInvitation(Lineage):
    """One row per survey wave x partnership x stakeholder group invited."""

    wave: Series[str] = pa.Field(description="Survey wave")
    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    stakeholder_group: Series[str] = pa.Field(
        metadata={"references": "staging.stakeholder_groups.stakeholder_group"}, description="Stakeholder group invited"
    )
    invited: Series[int] = pa.Field(ge=0, coerce=True, description="People invited to answer")

    class Config:
        unique = ["wave", "partnership_id", "stakeholder_group"]


class QcaCondition(Lineage):
    """One row per success factor used as a QCA condition, with its fuzzy-set calibration, or its level thresholds
    for a multi-value condition."""

    factor_id: Series[str] = pa.Field(unique=True, description="Success factor")
    condition: Series[str] = pa.Field(
        str_matches=r"^[A-Z][A-Z0-9_]*$",
        unique=True,
        description="Condition name in QCA expressions (upper case; ~NAME is its absence, NAME{2} a level of a multi-value condition)",
    )
    full_non_membership: Series[float] = pa.Field(
        nullable=True,
        coerce=True,
        description="Mean survey score at which a partnership is fully out of the set (membership 0.05); may be empty for a multi-value condition",
    )
    crossover: Series[float] = pa.Field(
        nullable=True,
        coerce=True,
        description="Score of maximum ambiguity (membership 0.5); a partnership exactly here is left out of the analysis",
    )
    full_membership: Series[float] = pa.Field(
        nullable=True,
        coerce=True,
        description="Mean survey score at which a partnership is fully in the set (membership 0.95)",
    )
    expected: Series[str] = pa.Field(
        isin=["present", "absent", "either"],
        description="Directional expectation for the intermediate solution: the factor is expected to contribute to success when present",
    )
    level_thresholds: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^\s*-?\d+(\.\d+)?(\s*;\s*-?\d+(\.\d+)?)*\s*$",
        metadata=OPTIONAL_COLUMN,
        description="Optional column: scores (';'-separated, ascending) cutting the mean survey score into levels "
        "0, 1, 2, ... (a score on a threshold goes to the level above), making the condition multi-value (mvQCA); "
        "empty: a fuzzy set calibrated by the three anchors",
    )

    @pa.dataframe_check(
        description="Each condition has its three fuzzy anchors, or level thresholds in ascending order"
    )
    def calibrated(cls, frame):  # noqa: N805
        anchors = frame[["full_non_membership", "crossover", "full_membership"]].notna().all(axis=1)
        thresholds = frame["level_thresholds"].map(
            lambda text: [float(x) for x in text.split(";")] if isinstance(text, str) else None
        )
        ascending = thresholds.map(lambda cuts: cuts is not None and cuts == sorted(set(cuts)))
        return (anchors & frame["level_thresholds"].isna()) | ascending


class SurveyWave(Lineage):
    """One row per survey wave the programme runs: its label, fieldwork dates and place in the order of waves.

    Optional file: without it a wave is named by its export's file stem and the waves are ordered by their
    earliest response."""

    wave: Series[str] = pa.Field(
        unique=True,
        description="The wave as the survey exports name it: the export's file name without its extension, "
        "e.g. wave_1 for surveys/wave_1.csv",
    )
    label: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="Name of the wave as reports show it, e.g. Baseline (2016)"
    )
    fieldwork_start: Series[pa.DateTime] = pa.Field(
        nullable=True, coerce=True, metadata=OPTIONAL_COLUMN, description="Optional column: first day of fieldwork"
    )
    fieldwork_end: Series[pa.DateTime] = pa.Field(
        nullable=True,
        coerce=True,
        metadata=OPTIONAL_COLUMN,
        description="Optional column: last day of fieldwork, not before its first day",
    )
    position: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        coerce=True,
        gt=0,
        metadata=OPTIONAL_COLUMN,
        description="Optional column: the wave's place in the order of waves (1 = first), a positive whole number "
        "unique among the waves; the wave_change mart pairs consecutive waves in this order. Waves without one "
        "follow, in the order they opened (earliest response)",
    )

    @pa.check("position", description="No two waves share a position")
    def position_is_unique(cls, series):  # noqa: N805
        return series.isna() | ~series.duplicated(keep=False)


class UnitCost(Lineage):
    """One row per outcome indicator with a documented unit cost: what one event the indicator counts costs.

    Optional file: without it, or for an indicator it does not list, the `benefits` mart reports the indicator
    as having no unit cost rather than leaving it out."""

    indicator_id: Series[int] = pa.Field(
        gt=0,
        coerce=True,
        unique=True,
        metadata={"references": "staging.outcome_indicators.indicator_id"},
        description="Fingertips indicator id of an indicator in outcome_indicators.csv: the event it counts is what"
        " the cost is for",
    )
    cost_gbp: Series[float] = pa.Field(
        gt=0, coerce=True, description="Cost of one event in pounds, in the prices of cost_year, as published"
    )
    cost_year: Series[int] = pa.Field(
        ge=1900,
        le=2100,
        coerce=True,
        description="Price base year of cost_gbp (a calendar year): a year deflators.csv lists, so the cost can be"
        " brought to the benefits price year",
    )
    description: Series[str] = pa.Field(
        str_length={"min_value": 2},
        description="What the cost covers, e.g. 'hospital costs of one self-harm presentation'",
    )
    source: Series[str] = pa.Field(
        str_length={"min_value": 2}, description="Published source of the figure: author, title, table, year"
    )
    url: Series[str] = pa.Field(
        nullable=True, metadata=OPTIONAL_COLUMN, description="Optional column: where the source is published"
    )


class Deflator(Lineage):
    """One row per calendar year of the price index that brings unit costs to one price year.

    Optional file (needed once unit_costs.csv is given): the GDP deflator at market prices is HM Treasury's
    series for converting costs to real terms (Green Book, 2022)."""

    year: Series[int] = pa.Field(ge=1900, le=2100, coerce=True, unique=True, description="Calendar year")
    index: Series[float] = pa.Field(
        gt=0, coerce=True, description="Price index for the year (any base year, e.g. 2024 = 100)"
    )
    source: Series[str] = pa.Field(
        str_length={"min_value": 2}, description="Published series and release the index is from"
    )


SUSTAINMENT_STATUSES = ["sustained", "integrated", "stopped"]
SPREAD_KINDS = ["new_area", "new_service", "new_programme"]


class Sustainment(Lineage):
    """One row per partnership: what became of its work after the programme's support ended.

    Optional file: without it the sustainment mart lists each partnership with no status recorded."""

    partnership_id: Series[str] = pa.Field(
        unique=True,
        metadata={"references": "staging.partnerships.partnership_id"},
        description="Partnership (partnerships.csv)",
    )
    status: Series[str] = pa.Field(
        isin=SUSTAINMENT_STATUSES,
        description="What became of the work after support ended: sustained (the partnership carries it on as its"
        " own work), integrated (taken into other strategies, services or workstreams, e.g. commissioned by the"
        " council) or stopped",
    )
    status_date: Series[pa.DateTime] = pa.Field(
        coerce=True,
        description="When the status was found (YYYY-MM-DD): on or after the day the partnership's support ended",
    )
    evidence: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="What the status rests on, e.g. a commissioning decision, a board paper or a follow-up"
        " interview; no personal data",
    )


class Spread(Lineage):
    """One row per partnership x spread: an area, service or programme beyond the partnership that took its
    work up after support ended (e.g. a county-wide roll-out).

    Optional file: without it no partnership has spread recorded."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"},
        description="Partnership whose work spread (partnerships.csv)",
    )
    spread_kind: Series[str] = pa.Field(
        isin=SPREAD_KINDS,
        description="What took the work up: new_area (another area, e.g. the rest of the county), new_service (a"
        " service the partnership did not run) or new_programme (another programme or strategy)",
    )
    description: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="Who took the work up and how, in words"
    )
    spread_date: Series[pa.DateTime] = pa.Field(
        coerce=True,
        description="When the work was taken up (YYYY-MM-DD): on or after the day the partnership's support ended",
    )

    class Config:
        unique = ["partnership_id", "spread_kind", "description"]


# What kind of document an evidence-register entry is.
EVIDENCE_KINDS = [
    "systematic_review",
    "literature_review",
    "evaluation",
    "guidance",
    "policy_report",
    "local_document",
]
# Whether an entry's finding supports the factor going with success, is mixed, or goes against it.
EVIDENCE_DIRECTIONS = ["supports", "mixed", "against"]
# The four GRADE levels of certainty (Balshem et al. 2011, "GRADE guidelines: 3. Rating the quality of evidence",
# J Clin Epidemiol 64:401-406), strongest first; GRADE-CERQual uses the same four for qualitative findings.
EVIDENCE_STRENGTHS = ["high", "moderate", "low", "very_low"]


class EvidenceItem(Lineage):
    """One row per document of the literature and local documents the evaluators reviewed: what it found and
    which success factors it speaks to.

    Optional file: without it the report shows no literature beside the factors."""

    evidence_id: Series[str] = pa.Field(
        str_matches=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        unique=True,
        description="The evaluators' identifier of the document: letters, digits, '_', '.' or '-', e.g. E01",
    )
    citation: Series[str] = pa.Field(
        str_length={"min_value": 5},
        description="The full reference: authors, year, title, publisher or journal (volume, pages), as reports show it",
    )
    year: Series[int] = pa.Field(
        ge=1900, le=2100, coerce=True, description="Year of publication, four digits (1900 to 2100)"
    )
    kind: Series[str] = pa.Field(
        isin=EVIDENCE_KINDS,
        description="What the document is: systematic_review, literature_review (a review that is not systematic), "
        "evaluation (of a programme or partnership), guidance (e.g. a NICE guideline), policy_report (a national "
        "review, audit or think-tank report) or local_document (a partnership's own papers)",
    )
    finding: Series[str] = pa.Field(
        str_length={"min_value": 10},
        description="What the document found about the factors, as a short fair paraphrase in the evaluators' words",
    )
    factors: Series[str] = pa.Field(
        str_matches=r"^[a-z_]+(;[a-z_]+)*$",
        description="The success factors the finding speaks to: factor ids of success_factors.csv, ';'-separated",
    )
    direction: Series[str] = pa.Field(
        isin=EVIDENCE_DIRECTIONS,
        description="Whether the finding supports the factors going with success, is mixed (or finds the "
        "evidence wanting), or goes against",
    )
    strength: Series[str] = pa.Field(
        isin=EVIDENCE_STRENGTHS,
        description="Strength of the evidence the document gives for its finding, on the four GRADE levels of "
        "certainty (Balshem et al. 2011): high, moderate, low or very_low, as the evaluators judge it (randomised "
        "evidence starts high; observational, qualitative and documentary evidence starts low; each is rated down "
        "for risk of bias, inconsistency, indirectness or imprecision)",
    )
    url: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^https?://\S+$",
        metadata=OPTIONAL_COLUMN,
        description="Optional column: where the document can be read (an http or https address)",
    )


class AreaPopulation(Lineage):
    """One row per area x year x age group x sex: the population of a partnership's area (e.g. ONS mid-year
    estimates).

    Optional file: the benefits mart takes the all-ages persons population as the denominator of an indicator
    marked `denominator_population` all_ages_persons in outcome_indicators.csv, only where the outcome file
    publishes no denominator, and says so in the row's note."""

    area_code: Series[str] = pa.Field(
        str_matches=rf"^{GSS_CODE}$",
        description="ONS code of a district or unitary authority that partnerships.csv lists in area_codes",
    )
    year: Series[int] = pa.Field(
        ge=1900, le=2100, coerce=True, description="Calendar year of the estimate (mid-year, 30 June)"
    )
    population: Series[int] = pa.Field(gt=0, coerce=True, description="Number of people")
    age: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="Age group as the source names it, e.g. 'All ages'"
    )
    sex: Series[str] = pa.Field(isin=["Persons", "Male", "Female"], description="Persons, Male or Female")
    source: Series[str] = pa.Field(
        str_length={"min_value": 2}, description="Published source of the estimate: publisher, series, release"
    )

    class Config:
        unique = ["area_code", "year", "age", "sex"]


class CommentTheme(Lineage):
    """One row per theme the evaluators code the survey's free-text comments with (the comment codebook).

    Optional file: without it no comment coding can be linked, and the comment marts are empty."""

    theme_code: Series[str] = pa.Field(
        str_matches=MACHINE_NAME, unique=True, description="Theme code as the comment codings name it"
    )
    name: Series[str] = pa.Field(str_length={"min_value": 1}, description="Name of the theme as reports show it")
    description: Series[str] = pa.Field(
        nullable=True, metadata=OPTIONAL_COLUMN, description="Optional column: what a comment on this theme says"
    )


REFERENCE_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "partnerships": Partnership,
    "success_factors": SuccessFactor,
    "likert_scales": LikertAnswer,
    "stakeholder_groups": StakeholderGroup,
    "survey_instrument": InstrumentField,
    "codebook_factor_map": CodebookFactor,
    "outcome_indicators": OutcomeIndicator,
    "marmot_objectives": MarmotObjective,
    "driver_diagrams": DriverDiagramRow,
    "survey_invitations": SurveyInvitation,
    "qca_conditions": QcaCondition,
    "survey_waves": SurveyWave,
    "unit_costs": UnitCost,
    "deflators": Deflator,
    "sustainment": Sustainment,
    "spread": Spread,
    "evidence_register": EvidenceItem,
    "area_populations": AreaPopulation,
    "comment_themes": CommentTheme,
}

# Reference files a drop zone may leave out: a missing one loads as an empty table with its model's columns.
OPTIONAL_REFERENCE: set[str] = {
    "survey_waves",
    "unit_costs",
    "deflators",
    "sustainment",
    "spread",
    "evidence_register",
    "area_populations",
    "comment_themes",
}

# A reference file whose staged table would take the name of another source's table is staged under another:
# `staging.survey_waves` is the survey source's order of the waves that have exports.
STAGED_AS: dict[str, str] = {"survey_waves": "reference_survey_waves"}


def staged_name(name: str) -> str:
    """The name of reference file `name`'s staging (and quarantine) table: its own, unless `STAGED_AS` says."""
    return STAGED_AS.get(name, name)


class PartnershipArea(pa.DataFrameModel):
    """One row per partnership x district or unitary authority it covers."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership covering the area"
    )
    area_code: Series[str] = pa.Field(
        str_matches=rf"^{GSS_CODE}$", description="GSS code of a local authority the partnership covers"
    )

    class Config:
        unique = ["partnership_id", "area_code"]


LABEL_KINDS = [
    "factor",
    "qca_condition",
    "construct",
    "stakeholder_group",
    "wicked_problem",
    "wave",
    "outcome_indicator",
]


class LabelsMart(pa.DataFrameModel):
    """One row per kind x id: the name of each id the other marts carry, for researchers to join."""

    kind: Series[str] = pa.Field(
        isin=LABEL_KINDS,
        description="What the id names: factor (factor_id), qca_condition (a column of qca_memberships, the"
        " outcome SUCCESS included), construct (construct_scores.construct), stakeholder_group, wicked_problem,"
        " wave (a survey wave named in reference/survey_waves.csv) or outcome_indicator (the indicator_id of the"
        " outcome marts)",
    )
    id: Series[str] = pa.Field(description="The id as the other marts carry it")
    name: Series[str] = pa.Field(
        description="Its name as reports show it (from the reference files; a wicked problem's from its id; a wave's"
        " its label)"
    )
    description: Series[str] = pa.Field(
        nullable=True,
        description="What it means in this evaluation; for an outcome_indicator, its unit as"
        " reference/outcome_indicators.csv gives it (e.g. 'Percentage'), for a chart's axis",
    )

    class Config:
        unique = ["kind", "id"]


class EvidenceRegisterMart(pa.DataFrameModel):
    """One row per reviewed document x success factor it speaks to: the evidence register beside the factors.

    Counts of published documents, not of people: no disclosure control applies."""

    evidence_id: Series[str] = pa.Field(description="The evaluators' identifier of the document")
    factor_id: Series[str] = pa.Field(
        metadata={"references": "staging.success_factors.factor_id"}, description="A success factor it speaks to"
    )
    factor_name: Series[str] = pa.Field(description="The factor's name as reports show it")
    citation: Series[str] = pa.Field(description="The full reference")
    year: Series[int] = pa.Field(coerce=True, ge=1900, le=2100, description="Year of publication")
    kind: Series[str] = pa.Field(isin=EVIDENCE_KINDS, description="What the document is")
    finding: Series[str] = pa.Field(description="What it found, paraphrased by the evaluators")
    direction: Series[str] = pa.Field(
        isin=EVIDENCE_DIRECTIONS, description="Whether the finding supports the factor, is mixed, or goes against"
    )
    strength: Series[str] = pa.Field(
        isin=EVIDENCE_STRENGTHS,
        description="GRADE level of certainty (Balshem et al. 2011), as the evaluators judge it",
    )
    strength_rank: Series[int] = pa.Field(
        coerce=True,
        ge=1,
        le=len(EVIDENCE_STRENGTHS),
        description="The strength as a rank: 1 high, 2 moderate, 3 low, 4 very_low",
    )
    url: Series[str] = pa.Field(nullable=True, description="Where the document can be read, if given")

    class Config:
        unique = ["evidence_id", "factor_id"]


class EvidenceByFactorMart(pa.DataFrameModel):
    """One row per success factor: what the reviewed literature says about it, counted by direction and strength,
    with its strongest item (highest GRADE level, then the most recent, then the lowest evidence id).

    Counts of published documents, not of people: no disclosure control applies."""

    factor_id: Series[str] = pa.Field(
        unique=True, metadata={"references": "staging.success_factors.factor_id"}, description="Success factor"
    )
    factor_name: Series[str] = pa.Field(description="The factor's name as reports show it")
    factor_position: Series[int] = pa.Field(coerce=True, ge=1, description="The factor's place in success_factors.csv")
    items: Series[int] = pa.Field(coerce=True, ge=0, description="Reviewed documents that speak to the factor")
    supports: Series[int] = pa.Field(coerce=True, ge=0, description="Of them, those whose finding supports the factor")
    mixed: Series[int] = pa.Field(coerce=True, ge=0, description="Of them, those whose finding is mixed")
    against: Series[int] = pa.Field(
        coerce=True, ge=0, description="Of them, those whose finding goes against the factor"
    )
    high: Series[int] = pa.Field(coerce=True, ge=0, description="Of them, those of high strength (GRADE)")
    moderate: Series[int] = pa.Field(coerce=True, ge=0, description="Of them, those of moderate strength")
    low: Series[int] = pa.Field(coerce=True, ge=0, description="Of them, those of low strength")
    very_low: Series[int] = pa.Field(coerce=True, ge=0, description="Of them, those of very low strength")
    strongest_evidence_id: Series[str] = pa.Field(
        nullable=True, description="The strongest item's evidence id; empty where no item speaks to the factor"
    )
    strongest_citation: Series[str] = pa.Field(nullable=True, description="The strongest item's citation")
    strongest_year: Series[pd.Int64Dtype] = pa.Field(
        coerce=True, nullable=True, description="The strongest item's year"
    )
    strongest_strength: Series[str] = pa.Field(
        nullable=True, isin=EVIDENCE_STRENGTHS, description="The strongest item's strength"
    )
    strongest_direction: Series[str] = pa.Field(
        nullable=True, isin=EVIDENCE_DIRECTIONS, description="The strongest item's direction"
    )

    @pa.dataframe_check(description="Items add up by direction and by strength")
    def counts_add_up(cls, frame):  # noqa: N805
        by_direction = frame[["supports", "mixed", "against"]].sum(axis=1)
        by_strength = frame[["high", "moderate", "low", "very_low"]].sum(axis=1)
        return (by_direction == frame["items"]) & (by_strength == frame["items"])


# Every table of this source by its qualified name (the data dictionary, checks and UI schemas come from these).
TABLES: dict[str, type[pa.DataFrameModel]] = {
    **{f"staging.{staged_name(name)}": model for name, model in REFERENCE_MODELS.items()},
    "staging.partnership_areas": PartnershipArea,
    "marts.labels": LabelsMart,
    "marts.evidence_register": EvidenceRegisterMart,
    "marts.evidence_by_factor": EvidenceByFactorMart,
}
