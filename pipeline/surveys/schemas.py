"""Survey tables: staged respondents and item scores, and the survey marts."""

from __future__ import annotations

import pandas as pd  # noqa: F401 - pandera resolves annotations by name
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.validation import Lineage


class SurveyResponse(Lineage):
    """One row per survey wave x respondent (pseudonymous)."""

    wave: Series[str] = pa.Field(description="Survey wave (partition key: the export's file name)")
    respondent_key: Series[str] = pa.Field(
        str_matches=r"^[0-9a-f]{64}$",
        description="Keyed pseudonym of the respondent (HMAC-SHA256), stable across waves",
    )
    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"},
        description="Partnership the respondent answered about",
    )
    stakeholder_group: Series[str] = pa.Field(
        nullable=True,
        metadata={"references": "staging.stakeholder_groups.stakeholder_group"},
        description="Respondent's stakeholder group; empty when not answered",
    )
    finished: Series[bool] = pa.Field(nullable=True, description="Whether the respondent reached the end of the survey")

    class Config:
        unique = ["wave", "respondent_key"]


class SurveyItemScore(Lineage):
    """One row per survey wave x respondent x scored item. A view: the raw answers of staged responses
    joined to the score each answer stands for, so a national wave's answers are stored once."""

    wave: Series[str] = pa.Field(description="Survey wave")
    respondent_key: Series[str] = pa.Field(description="Keyed pseudonym of the respondent")
    item_code: Series[str] = pa.Field(description="Instrument item code")
    construct: Series[str] = pa.Field(description="Construct the item measures")
    answer: Series[str] = pa.Field(description="Answer as exported (label or code)")
    score: Series[float] = pa.Field(
        nullable=True,
        description="Score on the item's scale (reference/likert_scales.csv; an answer off the scale is quarantined"
        " before this) after reverse coding; empty for don't know / did not use",
    )

    class Config:
        unique = ["wave", "respondent_key", "item_code"]


class ResponseRatesMart(pa.DataFrameModel):
    """One row per survey wave x partnership x stakeholder group (`level` "cell"), and the totals per wave,
    per wave x partnership and per wave x stakeholder group, the dimension a total adds up over left empty."""

    wave: Series[str] = pa.Field(description="Survey wave")
    level: Series[str] = pa.Field(
        isin=["wave", "wave x partnership", "wave x stakeholder group", "cell"],
        description="What the row counts: the whole wave, one partnership in the wave (all its groups), one"
        " stakeholder group in the wave (all partnerships), or one partnership's group (a cell)",
    )
    partnership_id: Series[str] = pa.Field(
        nullable=True,
        metadata={"references": "staging.partnerships.partnership_id"},
        description="Partnership; empty on a total over all partnerships (level wave, wave x stakeholder group)",
    )
    stakeholder_group: Series[str] = pa.Field(
        nullable=True,
        description="Stakeholder group ('not stated' where the respondent did not say); empty on a total over all"
        " groups (level wave, wave x partnership)",
    )
    invited: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="People invited, where reference/survey_invitations.csv records it (a total adds up the cells"
        " with invitations); empty where the row's counts are withheld",
    )
    respondents: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Valid responses; empty where withheld (disclosure control)"
    )
    completed: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Responses that reached the end of the survey; empty where withheld"
    )
    response_rate: Series[pd.Float64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="respondents / invited; empty where either is unknown or withheld, or (a total) where some of"
        " its respondents have no invitations to set them against",
    )
    suppressed: Series[bool] = pa.Field(
        description="True where the row's counts are withheld: a count under the threshold, or one (of a cell or"
        " a total) that would reveal one"
    )
    note: Series[pd.StringDtype] = pa.Field(
        nullable=True,
        description="Why response_rate is empty: withheld by disclosure control (nothing more is said of a"
        " withheld row), no invitations in reference/survey_invitations.csv for the wave, for the partnership in"
        " that wave or for the stakeholder group, respondents who did not state their group, or no one invited;"
        " empty where the rate is published",
    )

    class Config:
        metadata = {
            "disclosure": {
                "counts": ["respondents", "completed"],
                # The table carries its own totals: a row with a dimension empty adds up the cells over it.
                "totals_over": ["wave", "partnership_id", "stakeholder_group"],
            }
        }
        unique = ["wave", "partnership_id", "stakeholder_group"]


class ConstructScoresMart(pa.DataFrameModel):
    """One row per survey wave x partnership x construct (a success factor, or the support-offer ratings)."""

    wave: Series[str] = pa.Field(description="Survey wave")
    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    construct: Series[str] = pa.Field(
        description="Construct: a success factor, or the support-offer ratings (construct_kind in survey_instrument.csv)"
    )
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
        description="Cronbach's (1951) alpha of the construct's items in this wave, over all partnerships' complete respondents; empty for a construct that is not a scale (construct_kind support_offer in survey_instrument.csv: separate ratings of each part of the support offer, which alpha does not describe)",
    )
    alpha_ci_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of Feldt's (1965) 95% interval of alpha"
    )
    alpha_ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit of Feldt's 95% interval of alpha")
    alpha_respondents: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="Respondents answering every item of the construct in the wave (listwise); empty where it would narrow a suppressed count",
    )
    alpha_items: Series[int] = pa.Field(ge=0, description="Items of the construct")
    alpha_note: Series[str] = pa.Field(nullable=True, description="Why alpha is missing, where it is")

    class Config:
        metadata = {"disclosure": {"counts": ["respondents"]}}
        unique = ["wave", "partnership_id", "construct"]


class SupportUsefulnessMart(pa.DataFrameModel):
    """One row per survey wave x support type x stakeholder group."""

    wave: Series[str] = pa.Field(description="Survey wave")
    support_type: Series[str] = pa.Field(
        description="Item code of the support type (expert support, webinars, learning events, peer exchange, web forum, resources)"
    )
    support_label: Series[str] = pa.Field(description="The support type as the survey names it")
    stakeholder_group: Series[str] = pa.Field(description="Stakeholder group")
    rated: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents rating its usefulness; empty where suppressed"
    )
    did_not_use: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Respondents who did not use it; empty where suppressed"
    )
    rated_useful: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="Respondents rating it useful: above the middle of its answer scale (quite or very useful on"
        " the demo's 1-4 scale); empty where suppressed",
    )
    share_useful: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0, le=1, description="rated_useful / rated")
    mean_usefulness: Series[float] = pa.Field(
        nullable=True,
        description="Mean usefulness score on the item's answer scale (the demo's: 1 not at all useful to 4 very useful)",
    )
    ci_low: Series[float] = pa.Field(nullable=True, description="Lower limit of the 95% t interval of the mean")
    ci_high: Series[float] = pa.Field(nullable=True, description="Upper limit of the 95% t interval of the mean")
    suppressed: Series[bool] = pa.Field(
        description="True where a count in the row was suppressed (primary or secondary)"
    )

    class Config:
        metadata = {
            "disclosure": {"counts": ["rated", "did_not_use", "rated_useful"], "margins": [["wave", "support_type"]]}
        }
        unique = ["wave", "support_type", "stakeholder_group"]


class WaveChangeMart(pa.DataFrameModel):
    """One row per partnership x construct x pair of consecutive survey waves."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
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
        nullable=True,
        ge=0,
        description="Respondents (same pseudonym) scored in both; empty where they, or those scored in one wave only, number 1 to threshold - 1 (then the pairs are not used)",
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
        description="The test used: paired t-test (5 or more respondents in both waves, and none or 5 or more in one wave only), Welch two-sample t-test, too few respondents, or withheld"
    )

    class Config:
        metadata = {"disclosure": {"counts": ["n_before", "n_after", "n_paired"]}}
        unique = ["partnership_id", "construct", "wave_before", "wave_after"]


TABLES: dict[str, type[pa.DataFrameModel]] = {
    "staging.survey_responses": SurveyResponse,
    "staging.survey_item_scores": SurveyItemScore,
    "marts.response_rates": ResponseRatesMart,
    "marts.construct_scores": ConstructScoresMart,
    "marts.support_usefulness": SupportUsefulnessMart,
    "marts.wave_change": WaveChangeMart,
}
