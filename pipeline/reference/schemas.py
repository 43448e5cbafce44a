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
    "comment_themes": CommentTheme,
}

# Reference files a drop zone may leave out: a missing one loads as an empty table with its model's columns.
OPTIONAL_REFERENCE: set[str] = {"survey_waves", "comment_themes"}

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


LABEL_KINDS = ["factor", "qca_condition", "construct", "stakeholder_group", "wicked_problem", "wave"]


class LabelsMart(pa.DataFrameModel):
    """One row per kind x id: the name of each id the other marts carry, for researchers to join."""

    kind: Series[str] = pa.Field(
        isin=LABEL_KINDS,
        description="What the id names: factor (factor_id), qca_condition (a column of qca_memberships, the"
        " outcome SUCCESS included), construct (construct_scores.construct), stakeholder_group, wicked_problem or"
        " wave (a survey wave named in reference/survey_waves.csv)",
    )
    id: Series[str] = pa.Field(description="The id as the other marts carry it")
    name: Series[str] = pa.Field(
        description="Its name as reports show it (from the reference files; a wicked problem's from its id; a wave's"
        " its label)"
    )
    description: Series[str] = pa.Field(nullable=True, description="What it means in this evaluation")

    class Config:
        unique = ["kind", "id"]


# Every table of this source by its qualified name (the data dictionary, checks and UI schemas come from these).
TABLES: dict[str, type[pa.DataFrameModel]] = {
    **{f"staging.{staged_name(name)}": model for name, model in REFERENCE_MODELS.items()},
    "staging.partnership_areas": PartnershipArea,
    "marts.labels": LabelsMart,
}
