"""Hand-written pandera models for every validated table, one field description each.

Reference tables are validated as read (strings coerced to their types); staging and mart tables are
validated before they are written. Rows that fail go to `quarantine.*` with the reason (see
`pipeline.validation`). The descriptions feed the Dagster UI and the data dictionary.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.methods.triangulation import CONVERGENCE, RATINGS

WICKED_PROBLEMS = [
    "teenage_pregnancy",
    "infant_mortality",
    "alcohol_harm",
    "childhood_obesity",
    "adult_smoking",
    "youth_self_harm",
]
SURVEY_TOOLS = ["qualtrics", "surveymonkey", "google_forms", "microsoft_forms", "spss", "excel"]
STAKEHOLDER_GROUPS = ["local_authority", "nhs", "voluntary_sector", "other"]
POLARITIES = ["low_is_good", "high_is_good", "no_judgement"]
DIRECTIONS = ["enabler", "barrier"]
INSTRUMENT_ROLES = ["partnership", "stakeholder_group", "item", "free_text"]
AREA_CODE = r"^E(0[6-9]|10|92)\d{6}$"  # English unitary, district, metropolitan, London borough, county, England
LINEAGE = dict(nullable=True, coerce=True)


class _Lineage(pa.DataFrameModel):
    source_file: Series[str] = pa.Field(description="File the row came from, relative to the raw drop zone")
    source_row: Series[int] = pa.Field(
        ge=1,
        description="Where the record is in the source file: the line it starts on (the response's position, for survey exports)",
        coerce=True,
    )


class Partnership(_Lineage):
    """One row per partnership in the programme."""

    partnership_id: Series[str] = pa.Field(
        str_matches=r"^P\d{2,3}$", unique=True, description="Programme identifier of the partnership, e.g. P01"
    )
    partnership_name: Series[str] = pa.Field(
        str_length={"min_value": 2}, description="Name of the partnership as used in reports"
    )
    area_codes: Series[str] = pa.Field(
        str_matches=r"^E\d{8}(;E\d{8})*$",
        description="ONS codes of the districts or unitary authorities covered, ';'-separated",
    )
    wicked_problem: Series[str] = pa.Field(
        isin=WICKED_PROBLEMS, description="The entrenched health problem the partnership tackles"
    )
    programme_round: Series[int] = pa.Field(
        ge=1, le=9, coerce=True, description="Programme round the partnership joined in"
    )
    support_start: Series[pa.DateTime] = pa.Field(coerce=True, description="First day of the programme's support")
    support_end: Series[pa.DateTime] = pa.Field(coerce=True, description="Last day of the programme's support")

    @pa.dataframe_check(description="Support must end after it starts")
    def support_period_is_ordered(cls, frame):  # noqa: N805 - pandera passes the class
        return frame["support_end"] > frame["support_start"]


class SuccessFactor(_Lineage):
    """One row per success factor the evaluation asks about."""

    factor_id: Series[str] = pa.Field(
        str_matches=r"^[a-z_]+$", unique=True, description="Machine name of the success factor"
    )
    factor_name: Series[str] = pa.Field(description="Name of the factor as shown in reports")
    description: Series[str] = pa.Field(description="What the factor means in this evaluation")


class LikertAnswer(_Lineage):
    """One row per answer scale x answer label."""

    scale_id: Series[str] = pa.Field(description="Answer scale the label belongs to")
    label: Series[str] = pa.Field(description="Answer text as the survey tool exports it")
    code: Series[int] = pa.Field(ge=0, coerce=True, description="Numeric code the tool exports for this answer")
    score: Series[float] = pa.Field(
        nullable=True, coerce=True, description="Score used in analysis; empty for don't know / not applicable"
    )

    class Config:
        unique = ["scale_id", "label"]


class StakeholderGroup(_Lineage):
    """One row per stakeholder group."""

    stakeholder_group: Series[str] = pa.Field(
        isin=STAKEHOLDER_GROUPS, unique=True, description="Stakeholder group code"
    )
    label: Series[str] = pa.Field(description="Answer text that identifies the group in survey exports")
    code: Series[int] = pa.Field(ge=0, coerce=True, description="Numeric code the tool exports for this answer")


class InstrumentField(_Lineage):
    """One row per survey tool x question id: what each survey field carries."""

    tool: Series[str] = pa.Field(isin=SURVEY_TOOLS, description="Survey tool the question id belongs to")
    source_id: Series[str] = pa.Field(description="Question id as the tool exports it (Qualtrics ImportId)")
    role: Series[str] = pa.Field(
        isin=INSTRUMENT_ROLES,
        description="What the field carries: partnership, stakeholder group, scored item or free text",
    )
    item_code: Series[str] = pa.Field(nullable=True, description="Stable code of a scored item or free-text question")
    construct: Series[str] = pa.Field(
        nullable=True, description="Construct the item measures: a success factor or support_usefulness"
    )
    scale_id: Series[str] = pa.Field(nullable=True, description="Answer scale of a scored item")
    reverse_coded: Series[bool] = pa.Field(
        nullable=True, coerce=True, description="True where agreement means the factor is weaker"
    )
    item_text: Series[str] = pa.Field(description="Question wording")

    class Config:
        unique = ["tool", "source_id"]

    @pa.dataframe_check(description="Scored items name their item code, construct and scale")
    def items_are_complete(cls, frame):  # noqa: N805
        is_item = frame["role"] == "item"
        return ~is_item | (frame["item_code"].notna() & frame["construct"].notna() & frame["scale_id"].notna())


class CodebookFactor(_Lineage):
    """One row per code of the site-visit codebook that is evidence on a success factor."""

    code_path: Series[str] = pa.Field(
        unique=True, description="Code as its path in the codebook hierarchy, '/'-separated"
    )
    factor_id: Series[str] = pa.Field(description="Success factor the code is evidence for")
    direction: Series[str] = pa.Field(
        isin=DIRECTIONS, description="Whether the code marks the factor as an enabler or a barrier"
    )


class OutcomeIndicator(_Lineage):
    """One row per wicked problem x outcome indicator measuring it."""

    wicked_problem: Series[str] = pa.Field(isin=WICKED_PROBLEMS, description="Problem the indicator measures")
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

    class Config:
        unique = ["wicked_problem", "indicator_id"]


class MarmotObjective(_Lineage):
    """One row per Marmot policy objective (Fair Society, Healthy Lives, 2010)."""

    objective_id: Series[str] = pa.Field(
        str_matches=r"^[a-z_]+$", unique=True, description="Machine name of the Marmot policy objective"
    )
    objective: Series[str] = pa.Field(
        description="The objective as worded in Fair Society, Healthy Lives (Marmot 2010)"
    )


class DriverDiagramRow(_Lineage):
    """One row per secondary driver of a wicked problem's driver diagram."""

    wicked_problem: Series[str] = pa.Field(isin=WICKED_PROBLEMS, description="Problem the driver diagram is for")
    primary_driver_id: Series[str] = pa.Field(description="Identifier of the primary driver")
    primary_driver: Series[str] = pa.Field(description="What must change to reduce the problem")
    secondary_driver_id: Series[str] = pa.Field(
        unique=True, description="Identifier of the secondary driver, which interventions name"
    )
    secondary_driver: Series[str] = pa.Field(description="A concrete area of action under the primary driver")
    marmot_objectives: Series[str] = pa.Field(
        str_matches=r"^[a-z_]+(;[a-z_]+)*$", description="Marmot objectives the secondary driver serves, ';'-separated"
    )


class SurveyInvitation(_Lineage):
    """One row per survey wave x partnership x stakeholder group invited."""

    wave: Series[str] = pa.Field(description="Survey wave")
    partnership_id: Series[str] = pa.Field(description="Partnership")
    stakeholder_group: Series[str] = pa.Field(isin=STAKEHOLDER_GROUPS, description="Stakeholder group invited")
    invited: Series[int] = pa.Field(ge=0, coerce=True, description="People invited to answer")

    class Config:
        unique = ["wave", "partnership_id", "stakeholder_group"]


class QcaCondition(_Lineage):
    """One row per success factor used as a QCA condition, with its fuzzy-set calibration."""

    factor_id: Series[str] = pa.Field(unique=True, description="Success factor")
    condition: Series[str] = pa.Field(
        str_matches=r"^[A-Z][A-Z0-9_]*$",
        unique=True,
        description="Condition name in QCA expressions (upper case; ~NAME is its absence)",
    )
    full_non_membership: Series[float] = pa.Field(
        coerce=True, description="Mean survey score at which a partnership is fully out of the set (membership 0.05)"
    )
    crossover: Series[float] = pa.Field(
        coerce=True,
        description="Score of maximum ambiguity (membership 0.5); a partnership exactly here is left out of the analysis",
    )
    full_membership: Series[float] = pa.Field(
        coerce=True, description="Mean survey score at which a partnership is fully in the set (membership 0.95)"
    )
    expected: Series[str] = pa.Field(
        isin=["present", "absent", "either"],
        description="Directional expectation for the intermediate solution: the factor is expected to contribute to success when present",
    )


class SuccessAssessment(_Lineage):
    """One row per partnership: the evaluation team's judgement of whether it achieved its objectives."""

    partnership_id: Series[str] = pa.Field(unique=True, description="Partnership")
    achieved_objectives: Series[bool] = pa.Field(
        coerce=True,
        description="Whether the partnership achieved its objectives (the outcome the comparative analysis explains)",
    )
    assessed_by: Series[str] = pa.Field(description="Who made the judgement")
    assessed_on: Series[pa.DateTime] = pa.Field(coerce=True, description="When")


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
}


# --- Staging ---------------------------------------------------------------------------------------------


class PartnershipArea(pa.DataFrameModel):
    """One row per partnership x district or unitary authority it covers."""

    partnership_id: Series[str] = pa.Field(description="Partnership covering the area")
    area_code: Series[str] = pa.Field(
        str_matches=r"^E\d{8}$", description="ONS code of a district or unitary authority the partnership covers"
    )

    class Config:
        unique = ["partnership_id", "area_code"]


class SurveyResponse(_Lineage):
    """One row per survey wave x respondent (pseudonymous)."""

    wave: Series[str] = pa.Field(description="Survey wave (partition key: the export's file name)")
    respondent_key: Series[str] = pa.Field(
        str_matches=r"^[0-9a-f]{64}$",
        description="Keyed pseudonym of the respondent (HMAC-SHA256), stable across waves",
    )
    partnership_id: Series[str] = pa.Field(description="Partnership the respondent answered about")
    stakeholder_group: Series[str] = pa.Field(
        isin=STAKEHOLDER_GROUPS, nullable=True, description="Respondent's stakeholder group; empty when not answered"
    )
    finished: Series[bool] = pa.Field(nullable=True, description="Whether the respondent reached the end of the survey")

    class Config:
        unique = ["wave", "respondent_key"]


class SurveyItemScore(_Lineage):
    """One row per survey wave x respondent x scored item. A view: the raw answers of staged responses
    joined to the score each answer stands for, so a national wave's answers are stored once."""

    wave: Series[str] = pa.Field(description="Survey wave")
    respondent_key: Series[str] = pa.Field(description="Keyed pseudonym of the respondent")
    item_code: Series[str] = pa.Field(description="Instrument item code")
    construct: Series[str] = pa.Field(description="Construct the item measures")
    answer: Series[str] = pa.Field(description="Answer as exported (label or code)")
    score: Series[float] = pa.Field(
        nullable=True, ge=1, le=5, description="Score after reverse coding; empty for don't know / did not use"
    )

    class Config:
        unique = ["wave", "respondent_key", "item_code"]


class CodedSegment(pa.DataFrameModel):
    """One row per coding of a site-visit passage x case of its source, mapped to a partnership and factor."""

    source_file: Series[str] = pa.Field(description="REFI-QDA project the coding came from")
    partnership_id: Series[str] = pa.Field(description="Partnership the coded source belongs to")
    source_name: Series[str] = pa.Field(description="Coded document (site-visit notes, interview, case-study document)")
    code_path: Series[str] = pa.Field(description="Code applied, as its codebook path")
    factor_id: Series[str] = pa.Field(description="Success factor the code is evidence for")
    direction: Series[str] = pa.Field(isin=DIRECTIONS, description="Enabler or barrier")
    coder: Series[str] = pa.Field(description="Name of the coder (the REFI-QDA user who made the coding)")
    start_position: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="First character of the coded passage"
    )
    end_position: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="Character after the coded passage")
    excerpt: Series[str] = pa.Field(
        nullable=True,
        description="The coded passage, with e-mail addresses, phone numbers and postcodes redacted; empty where the project holds no text",
    )


class Intervention(_Lineage):
    """One row per intervention x secondary driver it addresses."""

    partnership_id: Series[str] = pa.Field(description="Partnership whose inventory lists the intervention")
    intervention: Series[str] = pa.Field(description="Intervention as named in the inventory")
    commissioner: Series[str] = pa.Field(description="Organisation commissioning it")
    secondary_driver_id: Series[str] = pa.Field(
        description="Secondary driver of the partnership's driver diagram the intervention addresses"
    )
    spend: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        coerce=True,
        description="Annual spend in pounds, where given (the whole intervention's, repeated per driver)",
    )
    status: Series[str] = pa.Field(
        nullable=True,
        isin=["planned", "active", "ended"],
        description="Whether the intervention is planned, running or ended",
    )


class OutcomeValue(_Lineage):
    """One row per published outcome value: indicator x area x period x sex x age x breakdown."""

    source_format: Series[str] = pa.Field(
        isin=["fingertips", "tidy", "fingertipsnext"], description="Format of the file the value came from"
    )
    indicator_id: Series[int] = pa.Field(gt=0, coerce=True, description="Fingertips indicator id")
    area_code: Series[str] = pa.Field(
        str_matches=r"^([EWSNK]\d{8}|[A-Z0-9]{3,6})$",
        description="ONS code of the area, or the NHS (ODS) code of a practice or organisation for practice-level indicators",
    )
    period: Series[str] = pa.Field(description="Time period as published (e.g. 2015, 2015/16, 2013 - 15)")
    period_start: Series[pa.DateTime] = pa.Field(coerce=True, description="First day of the period")
    period_end: Series[pa.DateTime] = pa.Field(coerce=True, description="Last day of the period")
    period_sort_key: Series[int] = pa.Field(
        coerce=True, description="Sortable key: start date as YYYYMMDD x 1000 plus the length in months"
    )
    period_kind: Series[str] = pa.Field(
        description="calendar year, financial year, academic year, multi-year, quarter or month"
    )
    sex: Series[str] = pa.Field(nullable=True, description="Sex the value refers to (Persons, Male, Female)")
    age: Series[str] = pa.Field(nullable=True, description="Age band the value refers to")
    category_type: Series[str] = pa.Field(
        nullable=True, description="Breakdown type, e.g. a deprivation decile classification"
    )
    category: Series[str] = pa.Field(
        nullable=True, description="Breakdown category, e.g. most deprived decile; empty for the whole area"
    )
    value: Series[float] = pa.Field(
        nullable=True, coerce=True, description="Indicator value; empty where the publisher gives none"
    )
    lower_ci95: Series[float] = pa.Field(
        nullable=True, coerce=True, description="Lower 95% confidence limit as published"
    )
    upper_ci95: Series[float] = pa.Field(
        nullable=True, coerce=True, description="Upper 95% confidence limit as published"
    )
    count: Series[float] = pa.Field(nullable=True, coerce=True, ge=0, description="Numerator (events) as published")
    denominator: Series[float] = pa.Field(
        nullable=True, coerce=True, ge=0, description="Denominator (population) as published"
    )


class Deprivation(_Lineage):
    """One row per district x deprivation domain x edition of the indices."""

    lad_code: Series[str] = pa.Field(
        str_matches=r"^E0[6-9]\d{6}$", description="ONS code of the local authority district"
    )
    lad_name: Series[str] = pa.Field(description="District name")
    index_domain: Series[str] = pa.Field(description="Index of Multiple Deprivation or one of its domains")
    average_score: Series[float] = pa.Field(
        coerce=True, description="Population-weighted average score of the district's small areas"
    )
    rank_average_score: Series[int] = pa.Field(
        coerce=True, ge=1, description="Rank of the average score (1 = most deprived)"
    )
    year: Series[int] = pa.Field(coerce=True, ge=2000, le=2100, description="Edition of the indices")

    class Config:
        unique = ["lad_code", "index_domain", "year"]


# --- Marts -----------------------------------------------------------------------------------------------


class PartnershipProfileMart(pa.DataFrameModel):
    """One row per partnership: who it is, where, what it tackles, and how much evidence there is."""

    partnership_id: Series[str] = pa.Field(unique=True, description="Programme identifier of the partnership")
    partnership_name: Series[str] = pa.Field(description="Name of the partnership")
    wicked_problem: Series[str] = pa.Field(isin=WICKED_PROBLEMS, description="The entrenched health problem it tackles")
    programme_round: Series[int] = pa.Field(ge=1, description="Programme round it joined in")
    support_start: Series[pa.DateTime] = pa.Field(description="First day of programme support")
    support_end: Series[pa.DateTime] = pa.Field(description="Last day of programme support")
    area_codes: Series[str] = pa.Field(
        description="ONS codes of the districts or unitary authorities covered, ';'-separated"
    )
    areas: Series[int] = pa.Field(ge=1, description="Number of districts or unitary authorities covered")
    imd2019_rank_most_deprived_area: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=1,
        description="IMD 2019 rank of average score of its most deprived area (1 = most deprived of 317 districts)",
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


class SuccessFactorMatrixMart(pa.DataFrameModel):
    """One row per partnership x success factor: survey score beside coded site-visit evidence."""

    partnership_id: Series[str] = pa.Field(description="Partnership")
    factor_id: Series[str] = pa.Field(description="Success factor")
    survey_wave: Series[str] = pa.Field(
        nullable=True, description="Survey wave the score comes from (the partnership's latest)"
    )
    survey_respondents: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents scoring the factor; empty where suppressed"
    )
    survey_mean: Series[float] = pa.Field(
        nullable=True,
        ge=1,
        le=5,
        description="Mean of respondents' factor scores (1 = strongly disagree the factor is present, 5 = strongly agree)",
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
    survey_rating: Series[str] = pa.Field(
        nullable=True, isin=RATINGS, description="strong / mixed / weak from the survey mean (3.5 and 2.5 cut-offs)"
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


class OutcomeCoverageMart(pa.DataFrameModel):
    """One row per partnership x outcome indicator of its wicked problem: is the data there?"""

    partnership_id: Series[str] = pa.Field(description="Partnership")
    wicked_problem: Series[str] = pa.Field(isin=WICKED_PROBLEMS, description="Its wicked problem")
    indicator_id: Series[int] = pa.Field(description="Fingertips indicator id measuring the problem")
    indicator_name: Series[str] = pa.Field(description="Indicator name")
    headline: Series[bool] = pa.Field(description="True for the problem's headline indicator")
    areas: Series[int] = pa.Field(ge=1, description="Areas the partnership covers")
    areas_with_data: Series[int] = pa.Field(ge=0, description="Of those, areas with at least one published value")
    periods_with_data: Series[int] = pa.Field(ge=0, description="Distinct periods with a value for any of its areas")
    first_period: Series[str] = pa.Field(nullable=True, description="Earliest period with a value, as published")
    last_period: Series[str] = pa.Field(nullable=True, description="Latest period with a value, as published")
    status: Series[str] = pa.Field(
        isin=["covered", "partial", "no data bundled"],
        description="covered: every area has data; partial: some areas lack it; no data bundled: none (a coverage gap, never filled with invented numbers)",
    )

    class Config:
        unique = ["partnership_id", "indicator_id"]


class DriverCoverageMart(pa.DataFrameModel):
    """One row per partnership x secondary driver of its wicked problem's driver diagram."""

    partnership_id: Series[str] = pa.Field(description="Partnership")
    wicked_problem: Series[str] = pa.Field(
        isin=WICKED_PROBLEMS, description="Its wicked problem, whose driver diagram applies"
    )
    primary_driver_id: Series[str] = pa.Field(description="Primary driver the secondary driver sits under")
    primary_driver: Series[str] = pa.Field(description="Primary driver")
    secondary_driver_id: Series[str] = pa.Field(description="Secondary driver")
    secondary_driver: Series[str] = pa.Field(description="Secondary driver")
    marmot_objectives: Series[str] = pa.Field(description="Marmot objectives it serves, ';'-separated")
    interventions: Series[int] = pa.Field(ge=0, description="Planned or active interventions addressing the driver")
    commissioners: Series[int] = pa.Field(ge=0, description="Distinct commissioners of those interventions")
    ended_interventions: Series[int] = pa.Field(ge=0, description="Interventions on the driver that have ended")
    annual_spend: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        description="Annual spend of the planned or active interventions, in pounds, where given (an intervention on several drivers counts on each)",
    )
    coverage: Series[str] = pa.Field(
        isin=["gap", "covered", "duplication"],
        description="gap: no planned or active intervention; duplication: two or more from different commissioners; covered otherwise",
    )

    class Config:
        unique = ["partnership_id", "secondary_driver_id"]


class MarmotCoverageMart(pa.DataFrameModel):
    """One row per partnership x Marmot policy objective."""

    partnership_id: Series[str] = pa.Field(description="Partnership")
    objective_id: Series[str] = pa.Field(description="Marmot policy objective")
    objective: Series[str] = pa.Field(description="The objective's wording")
    drivers: Series[int] = pa.Field(
        ge=0, description="Secondary drivers of the partnership's diagram serving the objective"
    )
    drivers_covered: Series[int] = pa.Field(
        ge=0, description="Of those, drivers with at least one planned or active intervention"
    )
    interventions: Series[int] = pa.Field(
        ge=0, description="Distinct planned or active interventions serving the objective"
    )

    class Config:
        unique = ["partnership_id", "objective_id"]


class CoderAgreementMart(pa.DataFrameModel):
    """One row per code, plus one pooled row: how far the site-visit coders agree."""

    code: Series[str] = pa.Field(unique=True, description="Code path, or '(pooled)' for all codes together")
    factor_id: Series[str] = pa.Field(
        nullable=True, description="Success factor the code is evidence for, where mapped"
    )
    direction: Series[str] = pa.Field(nullable=True, isin=DIRECTIONS, description="Enabler or barrier, where mapped")
    unit: Series[str] = pa.Field(description="Unit of analysis: source document x code presence, unless stated")
    n_units: Series[int] = pa.Field(ge=0, description="Units rated by at least two coders")
    n_coders: Series[int] = pa.Field(ge=0, description="Coders who rated any unit")
    percent_agreement: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Share of coder pairs giving the same value (observed agreement)"
    )
    cohens_kappa: Series[float] = pa.Field(nullable=True, description="Cohen's (1960) kappa, when exactly two coders")
    kappa_ci_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of the 95% bootstrap interval of kappa"
    )
    kappa_ci_high: Series[float] = pa.Field(
        nullable=True, description="Upper limit of the 95% bootstrap interval of kappa"
    )
    krippendorff_alpha: Series[float] = pa.Field(nullable=True, description="Krippendorff's (2011) alpha, nominal")
    alpha_ci_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of the 95% bootstrap interval of alpha (units resampled)"
    )
    alpha_ci_high: Series[float] = pa.Field(
        nullable=True, description="Upper limit of the 95% bootstrap interval of alpha"
    )
    note: Series[str] = pa.Field(nullable=True, description="Why a statistic is undefined, where it is")


OUTCOME_CLASSES = [
    "improved",
    "worsened",
    "no clear change",
    "improved (point estimate)",
    "worsened (point estimate)",
    "no clear change (point estimate)",
    "insufficient data",
]
GROUPS_OR_NOT_STATED = [*STAKEHOLDER_GROUPS, "not stated"]


class ResponseRatesMart(pa.DataFrameModel):
    """One row per survey wave x partnership x stakeholder group."""

    wave: Series[str] = pa.Field(description="Survey wave")
    partnership_id: Series[str] = pa.Field(description="Partnership")
    stakeholder_group: Series[str] = pa.Field(
        isin=GROUPS_OR_NOT_STATED, description="Stakeholder group ('not stated' where the respondent did not say)"
    )
    invited: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="People invited, where reference/survey_invitations.csv records it"
    )
    respondents: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Valid responses; empty where suppressed (disclosure control)"
    )
    completed: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Responses that reached the end of the survey; empty where suppressed"
    )
    response_rate: Series[pd.Float64Dtype] = pa.Field(
        nullable=True, ge=0, description="respondents / invited; empty where either is unknown or suppressed"
    )
    suppressed: Series[bool] = pa.Field(
        description="True where a count in the row was suppressed (primary or secondary)"
    )

    class Config:
        unique = ["wave", "partnership_id", "stakeholder_group"]


class ConstructScoresMart(pa.DataFrameModel):
    """One row per survey wave x partnership x construct (a success factor or support usefulness)."""

    wave: Series[str] = pa.Field(description="Survey wave")
    partnership_id: Series[str] = pa.Field(description="Partnership")
    construct: Series[str] = pa.Field(description="Construct: a success factor, or support_usefulness")
    respondents: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents with a score on the construct; empty where suppressed"
    )
    mean: Series[float] = pa.Field(
        nullable=True,
        description="Mean of respondents' construct scores (mean of their items, reverse-coded items reversed)",
    )
    sd: Series[float] = pa.Field(nullable=True, ge=0, description="Standard deviation of the respondents' scores")
    ci_low: Series[float] = pa.Field(nullable=True, description="Lower limit of the 95% t interval of the mean")
    ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit of the 95% t interval of the mean")
    suppressed: Series[bool] = pa.Field(
        description="True where fewer respondents than the disclosure threshold: nothing is published"
    )
    alpha: Series[float] = pa.Field(
        nullable=True,
        le=1,
        description="Cronbach's (1951) alpha of the construct's items in this wave, over all partnerships' complete respondents",
    )
    alpha_ci_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of Feldt's (1965) 95% interval of alpha"
    )
    alpha_ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit of Feldt's 95% interval of alpha")
    alpha_respondents: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents answering every item of the construct in the wave (listwise)"
    )
    alpha_items: Series[int] = pa.Field(ge=0, description="Items of the construct")
    alpha_note: Series[str] = pa.Field(nullable=True, description="Why alpha is missing, where it is")

    class Config:
        unique = ["wave", "partnership_id", "construct"]


class SupportUsefulnessMart(pa.DataFrameModel):
    """One row per survey wave x support type x stakeholder group."""

    wave: Series[str] = pa.Field(description="Survey wave")
    support_type: Series[str] = pa.Field(
        description="Item code of the support type (expert support, webinars, learning events, peer exchange, web forum, resources)"
    )
    support_label: Series[str] = pa.Field(description="The support type as the survey names it")
    stakeholder_group: Series[str] = pa.Field(isin=GROUPS_OR_NOT_STATED, description="Stakeholder group")
    rated: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents rating its usefulness; empty where suppressed"
    )
    did_not_use: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents who did not use it; empty where suppressed"
    )
    rated_useful: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents rating it quite or very useful; empty where suppressed"
    )
    share_useful: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0, le=1, description="rated_useful / rated")
    mean_usefulness: Series[float] = pa.Field(
        nullable=True, ge=1, le=4, description="Mean usefulness (1 not at all useful to 4 very useful)"
    )
    ci_low: Series[float] = pa.Field(nullable=True, description="Lower limit of the 95% t interval of the mean")
    ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit of the 95% t interval of the mean")
    suppressed: Series[bool] = pa.Field(
        description="True where a count in the row was suppressed (primary or secondary)"
    )

    class Config:
        unique = ["wave", "support_type", "stakeholder_group"]


class WaveChangeMart(pa.DataFrameModel):
    """One row per partnership x construct x pair of consecutive survey waves."""

    partnership_id: Series[str] = pa.Field(description="Partnership")
    construct: Series[str] = pa.Field(description="Construct")
    wave_before: Series[str] = pa.Field(description="Earlier wave")
    wave_after: Series[str] = pa.Field(description="Later wave")
    n_before: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents scored in the earlier wave; empty where suppressed"
    )
    n_after: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents scored in the later wave; empty where suppressed"
    )
    n_paired: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents (same pseudonym) scored in both; empty where suppressed"
    )
    mean_before: Series[float] = pa.Field(
        nullable=True, description="Mean score of the respondents the test used, earlier wave"
    )
    mean_after: Series[float] = pa.Field(
        nullable=True, description="Mean score of the respondents the test used, later wave"
    )
    difference: Series[float] = pa.Field(nullable=True, description="mean_after - mean_before")
    ci_low: Series[float] = pa.Field(nullable=True, description="Lower limit of the 95% interval of the difference")
    ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit of the 95% interval of the difference")
    statistic: Series[float] = pa.Field(nullable=True, description="t statistic")
    df: Series[float] = pa.Field(nullable=True, description="Degrees of freedom")
    p_value: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Two-sided p-value")
    test: Series[str] = pa.Field(
        description="The test used: paired t-test (5 or more respondents in both waves), Welch two-sample t-test, too few respondents, or withheld"
    )

    class Config:
        unique = ["partnership_id", "construct", "wave_before", "wave_after"]


class OutcomeTrendsMart(pa.DataFrameModel):
    """One row per partnership x outcome indicator x period, with England beside it."""

    partnership_id: Series[str] = pa.Field(description="Partnership")
    indicator_id: Series[int] = pa.Field(description="Fingertips indicator id")
    period: Series[str] = pa.Field(description="Period as published")
    period_start: Series[pa.DateTime] = pa.Field(description="First day of the period")
    period_end: Series[pa.DateTime] = pa.Field(description="Last day of the period")
    period_sort_key: Series[int] = pa.Field(description="Sortable period key")
    areas_with_data: Series[int] = pa.Field(
        ge=1, description="Of the partnership's areas, those with a value this period"
    )
    aggregation: Series[str] = pa.Field(
        description="single area; pooled over n areas (summed counts over summed denominators); or unweighted mean of n areas (no limits)"
    )
    value: Series[float] = pa.Field(description="Indicator value for the partnership's area(s)")
    lower_ci95: Series[float] = pa.Field(
        nullable=True, description="Lower 95% confidence limit (published, or computed from count and denominator)"
    )
    upper_ci95: Series[float] = pa.Field(nullable=True, description="Upper 95% confidence limit")
    lower_ci998: Series[float] = pa.Field(nullable=True, description="Lower 99.8% confidence limit")
    upper_ci998: Series[float] = pa.Field(nullable=True, description="Upper 99.8% confidence limit")
    count: Series[float] = pa.Field(
        nullable=True, ge=0, description="Events (numerator); empty where unknown or under the disclosure threshold"
    )
    count_suppressed: Series[bool] = pa.Field(description="True where the count was suppressed for disclosure control")
    denominator: Series[float] = pa.Field(nullable=True, ge=0, description="Population (denominator), where published")
    england_value: Series[float] = pa.Field(
        nullable=True, description="England's value for the same indicator and period"
    )
    england_lower_ci95: Series[float] = pa.Field(
        nullable=True, description="England's lower 95% limit, where published"
    )
    england_upper_ci95: Series[float] = pa.Field(
        nullable=True, description="England's upper 95% limit, where published"
    )
    compared_to_england_95: Series[str] = pa.Field(
        isin=["Better", "Similar", "Worse", "Lower", "Higher", "Not compared"],
        description="Fingertips' benchmark comparison at 95% (by confidence interval, with the indicator's polarity)",
    )
    compared_to_england_998: Series[str] = pa.Field(
        isin=["Better", "Similar", "Worse", "Lower", "Higher", "Not compared"], description="The same at 99.8%"
    )
    recent_trend: Series[str] = pa.Field(
        nullable=True, description="Fingertips' recent-trend test over the last five points, on the latest period's row"
    )

    class Config:
        unique = ["partnership_id", "indicator_id", "period"]


class OutcomeChangeMart(pa.DataFrameModel):
    """One row per partnership x outcome indicator of its wicked problem: change around the support period."""

    partnership_id: Series[str] = pa.Field(description="Partnership")
    indicator_id: Series[int] = pa.Field(description="Fingertips indicator id")
    indicator_name: Series[str] = pa.Field(description="Indicator name")
    headline: Series[bool] = pa.Field(description="True for the problem's headline indicator")
    polarity: Series[str] = pa.Field(isin=POLARITIES, description="Whether low or high is good")
    support_start: Series[pa.DateTime] = pa.Field(description="Support began")
    support_end: Series[pa.DateTime] = pa.Field(description="Support ended")
    baseline_period: Series[str] = pa.Field(
        nullable=True, description="Latest period ending on or before support began"
    )
    followup_period: Series[str] = pa.Field(nullable=True, description="Latest period starting after support began")
    followup_after_support: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="True when the follow-up period starts after support ended"
    )
    baseline_value: Series[float] = pa.Field(nullable=True, description="Partnership's value at baseline")
    followup_value: Series[float] = pa.Field(nullable=True, description="Partnership's value at follow-up")
    baseline_england: Series[float] = pa.Field(nullable=True, description="England at baseline")
    followup_england: Series[float] = pa.Field(nullable=True, description="England at follow-up")
    change_vs_england: Series[float] = pa.Field(
        nullable=True, description="Difference-in-differences: (follow-up - England) - (baseline - England)"
    )
    change_ci_low: Series[float] = pa.Field(
        nullable=True,
        description="Lower 95% limit of the change (standard errors from the published limits, combined as independent)",
    )
    change_ci_high: Series[float] = pa.Field(nullable=True, description="Upper 95% limit of the change")
    classification: Series[str] = pa.Field(
        isin=OUTCOME_CLASSES,
        description="Outcome-based success classification (see SuccessRule in pipeline/outcome_marts.py)",
    )

    class Config:
        unique = ["partnership_id", "indicator_id"]


class QcaTruthTableMart(pa.DataFrameModel):
    """One row per configuration of the QCA conditions (all 2^k, remainders included)."""

    outcome: Series[str] = pa.Field(description="Outcome set explained")
    row: Series[int] = pa.Field(
        ge=1, unique=True, description="Truth-table row number, as R QCA numbers them (row 1 = every condition absent)"
    )
    configuration: Series[str] = pa.Field(
        description="The configuration: NAME = condition present, ~NAME = absent, joined by *"
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


class QcaSolutionsMart(pa.DataFrameModel):
    """One row per solution kind x equally minimal model x term."""

    outcome: Series[str] = pa.Field(description="Outcome set explained")
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


class QcaNecessityMart(pa.DataFrameModel):
    """One row per condition and negated condition: is it necessary for the outcome?"""

    outcome: Series[str] = pa.Field(description="Outcome set")
    condition: Series[str] = pa.Field(unique=True, description="Condition, or ~condition for its absence")
    consistency: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Consistency as a necessary condition")
    coverage: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Coverage as a necessary condition")
    RoN: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Relevance of necessity (Schneider & Wagemann 2012)"
    )


class QcaMembershipsMart(pa.DataFrameModel):
    """One row per partnership: its membership in each QCA condition and in the outcome."""

    partnership_id: Series[str] = pa.Field(unique=True, description="Partnership")
    excluded_reason: Series[str] = pa.Field(
        nullable=True, description="Why the partnership was left out of the analysis, if it was"
    )

    class Config:
        strict = False  # one membership column per condition in reference/qca_conditions.csv


class OutcomeInequalityMart(pa.DataFrameModel):
    """One row per area x indicator x period x deprivation breakdown: the inequality gradient."""

    area_code: Series[str] = pa.Field(description="Area (England, or an area with deprivation quantiles within it)")
    indicator_id: Series[int] = pa.Field(description="Fingertips indicator id")
    period: Series[str] = pa.Field(description="Period as published")
    sex: Series[str] = pa.Field(nullable=True, description="Sex")
    age: Series[str] = pa.Field(nullable=True, description="Age band")
    category_type: Series[str] = pa.Field(description="The deprivation breakdown, as published")
    quantiles: Series[int] = pa.Field(isin=[5, 10], description="Quintiles or deciles")
    population: Series[str] = pa.Field(
        isin=["published denominators", "equal shares assumed"],
        description="Population weights used for the relative ranks",
    )
    sii: Series[float] = pa.Field(
        description="Slope Index of Inequality: modelled gap from most to least deprived, in the indicator's units (PHEindicatormethods phe_sii)"
    )
    sii_ci_low: Series[float] = pa.Field(description="Lower 95% limit of the SII (simulation)")
    sii_ci_high: Series[float] = pa.Field(description="Upper 95% limit of the SII")
    rii: Series[float] = pa.Field(description="Relative Index of Inequality")
    rii_ci_low: Series[float] = pa.Field(description="Lower 95% limit of the RII")
    rii_ci_high: Series[float] = pa.Field(description="Upper 95% limit of the RII")


class PartnershipTypologyMart(pa.DataFrameModel):
    """One row per partnership: its cluster of similar success-factor profiles."""

    partnership_id: Series[str] = pa.Field(unique=True, description="Partnership")
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

    factor_id: Series[str] = pa.Field(unique=True, description="Success factor")
    coefficient: Series[float] = pa.Field(
        description="Log-odds of success per standard deviation of the factor (L2-penalised logistic regression)"
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


class FactorOutcomeComparisonMart(pa.DataFrameModel):
    """One row per success factor x level (strong or weak)."""

    factor_id: Series[str] = pa.Field(description="Success factor")
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
        ge=0, description="Of those, improved against England (interval or point estimate)"
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

    class Config:
        unique = ["factor_id", "level"]


# Every validated table of the warehouse by its qualified name (the data dictionary is built from this).
TABLES: dict[str, type[pa.DataFrameModel]] = {
    **{f"staging.{name}": model for name, model in REFERENCE_MODELS.items()},
    "staging.partnership_areas": PartnershipArea,
    "staging.success_assessments": SuccessAssessment,
    "staging.survey_responses": SurveyResponse,
    "staging.survey_item_scores": SurveyItemScore,
    "staging.coded_segments": CodedSegment,
    "staging.interventions": Intervention,
    "staging.outcome_values": OutcomeValue,
    "staging.deprivation": Deprivation,
    "marts.partnership_profile": PartnershipProfileMart,
    "marts.success_factor_matrix": SuccessFactorMatrixMart,
    "marts.outcome_coverage": OutcomeCoverageMart,
    "marts.driver_coverage": DriverCoverageMart,
    "marts.marmot_coverage": MarmotCoverageMart,
    "marts.coder_agreement": CoderAgreementMart,
    "marts.response_rates": ResponseRatesMart,
    "marts.construct_scores": ConstructScoresMart,
    "marts.support_usefulness": SupportUsefulnessMart,
    "marts.wave_change": WaveChangeMart,
    "marts.outcome_trends": OutcomeTrendsMart,
    "marts.outcome_change": OutcomeChangeMart,
    "marts.outcome_inequality": OutcomeInequalityMart,
    "marts.qca_truth_table": QcaTruthTableMart,
    "marts.qca_solutions": QcaSolutionsMart,
    "marts.qca_necessity": QcaNecessityMart,
    "marts.qca_memberships": QcaMembershipsMart,
    "marts.partnership_typology": PartnershipTypologyMart,
    "marts.factor_importance": FactorImportanceMart,
    "marts.factor_outcome_comparison": FactorOutcomeComparisonMart,
}
