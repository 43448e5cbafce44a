"""Survey marts: response rates, construct scores with reliability, support usefulness and change between waves.

Every published count goes through disclosure control: counts from 1 to threshold - 1 are suppressed,
with secondary suppression where a published total would reveal them, and statistics computed from
suppressed counts are withheld with them.
"""

from __future__ import annotations

import warnings

import duckdb
import pandas as pd

from pipeline import schemas
from pipeline.marts import SURVEY_WAVES_SQL
from pipeline.methods.change import compare_waves
from pipeline.methods.disclosure import is_disclosive, suppress_table
from pipeline.methods.intervals import t_interval
from pipeline.methods.reliability import alpha_by_group
from pipeline.warehouse import replace_table

NOT_STATED = "not stated"

RESPONSE_RATES_SQL = """
WITH responded AS (
    SELECT wave, partnership_id, coalesce(stakeholder_group, 'not stated') AS stakeholder_group,
           count(*) AS respondents, count(*) FILTER (WHERE finished) AS completed
    FROM staging.survey_responses GROUP BY ALL
),
invited AS (
    SELECT i.* FROM staging.survey_invitations AS i WHERE i.wave IN (SELECT DISTINCT wave FROM staging.survey_responses)
)
SELECT coalesce(r.wave, i.wave) AS wave, coalesce(r.partnership_id, i.partnership_id) AS partnership_id,
       coalesce(r.stakeholder_group, i.stakeholder_group) AS stakeholder_group,
       i.invited, coalesce(r.respondents, 0) AS respondents, coalesce(r.completed, 0) AS completed
FROM responded AS r
FULL OUTER JOIN invited AS i USING (wave, partnership_id, stakeholder_group)
ORDER BY ALL
"""

# Respondent-level construct scores: the mean of a respondent's scored items on the construct.
RESPONDENT_SCORES_SQL = """
SELECT s.wave, r.partnership_id, s.construct, s.respondent_key, avg(s.score) AS score
FROM staging.survey_item_scores AS s JOIN staging.survey_responses AS r USING (wave, respondent_key)
WHERE s.score IS NOT NULL
GROUP BY ALL
ORDER BY ALL  -- a fixed order, so the means below sum their terms in the same order every run
"""


def build_response_rates(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.response_rates`: one row per wave x partnership x stakeholder group."""
    frame = con.execute(RESPONSE_RATES_SQL).df()
    margins = [["wave", "partnership_id"], ["wave", "stakeholder_group"]]
    respondents = suppress_table(frame, "respondents", margins, threshold)
    completed = suppress_table(frame, "completed", margins, threshold)
    frame = frame.assign(
        respondents=respondents["respondents"],
        completed=completed["completed"],
        suppressed=respondents["suppression"].notna() | completed["suppression"].notna(),
    )
    frame["invited"] = frame["invited"].astype("Int64")
    frame["response_rate"] = (
        frame["respondents"].astype("Float64") / frame["invited"].where(frame["invited"] > 0)
    ).round(4)
    frame = schemas.ResponseRatesMart.validate(frame[list(schemas.ResponseRatesMart.to_schema().columns)])
    return replace_table(con, "marts.response_rates", frame)


def build_construct_scores(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.construct_scores`: one row per wave x partnership x construct, with the construct's
    reliability in that wave (Cronbach's alpha over all partnerships' respondents) beside it."""
    scores = con.execute(RESPONDENT_SCORES_SQL).df()
    summary = scores.groupby(["wave", "partnership_id", "construct"], as_index=False).agg(
        respondents=("score", "size"), mean=("score", "mean"), sd=("score", "std")
    )
    summary["ci_low"], summary["ci_high"] = t_interval(summary["mean"], summary["sd"], summary["respondents"])
    items = con.execute(
        "SELECT wave, construct, respondent_key, item_code, score FROM staging.survey_item_scores "
        "WHERE score IS NOT NULL ORDER BY ALL"
    ).df()
    alpha = alpha_by_group(items, ["wave", "construct"], "item_code", "respondent_key", "score").rename(
        columns={"n_respondents": "alpha_respondents", "k_items": "alpha_items", "note": "alpha_note"}
    )
    frame = summary.merge(alpha, on=["wave", "construct"], how="left")
    suppressed = is_disclosive(frame["respondents"], threshold)
    frame["respondents"] = frame["respondents"].astype("Int64").mask(suppressed)
    frame[["mean", "sd", "ci_low", "ci_high"]] = frame[["mean", "sd", "ci_low", "ci_high"]].mask(suppressed)
    frame["suppressed"] = suppressed
    frame["alpha_respondents"] = frame["alpha_respondents"].astype("Int64")
    frame = schemas.ConstructScoresMart.validate(frame[list(schemas.ConstructScoresMart.to_schema().columns)])
    return replace_table(con, "marts.construct_scores", frame)


SUPPORT_SQL = """
SELECT s.wave, s.item_code AS support_type, f.item_text AS support_label,
       coalesce(r.stakeholder_group, 'not stated') AS stakeholder_group,
       count(s.score) AS rated, count(*) FILTER (WHERE s.score IS NULL) AS did_not_use,
       avg(s.score) AS mean_usefulness, stddev_samp(s.score ORDER BY s.respondent_key) AS sd,  -- same order every run
       count(*) FILTER (WHERE s.score >= 3) AS rated_useful
FROM staging.survey_item_scores AS s
JOIN staging.survey_responses AS r USING (wave, respondent_key)
JOIN staging.survey_instrument AS f ON f.item_code = s.item_code AND f.role = 'item'
WHERE s.construct = 'support_usefulness'
GROUP BY ALL
ORDER BY ALL
"""


def build_support_usefulness(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.support_usefulness`: one row per wave x support type x stakeholder group."""
    frame = con.execute(SUPPORT_SQL).df()
    frame["ci_low"], frame["ci_high"] = t_interval(frame["mean_usefulness"], frame["sd"], frame["rated"])
    margins = [["wave", "support_type"]]
    suppressed = pd.Series(False, index=frame.index)
    for count in ("rated", "did_not_use", "rated_useful"):
        result = suppress_table(frame, count, margins, threshold)
        frame[count] = result[count]
        suppressed |= result["suppression"].notna()
    withheld = frame["rated"].isna()
    frame[["mean_usefulness", "ci_low", "ci_high"]] = frame[["mean_usefulness", "ci_low", "ci_high"]].mask(withheld)
    frame["share_useful"] = (
        frame["rated_useful"].astype("Float64") / frame["rated"].astype("Float64").where(frame["rated"] > 0)
    ).round(4)
    frame["suppressed"] = suppressed
    frame = schemas.SupportUsefulnessMart.validate(frame[list(schemas.SupportUsefulnessMart.to_schema().columns)])
    return replace_table(con, "marts.support_usefulness", frame)


def build_wave_change(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.wave_change`: one row per partnership x construct x pair of consecutive waves."""
    scores = con.execute(RESPONDENT_SCORES_SQL).df()
    waves = con.execute(f"SELECT wave FROM ({SURVEY_WAVES_SQL}) ORDER BY opened").df()["wave"].tolist()
    rows = []
    for before, after in zip(waves, waves[1:], strict=False):
        pair = scores[scores["wave"].isin([before, after])]
        for (partnership, construct), group in pair.groupby(["partnership_id", "construct"]):
            with warnings.catch_warnings():
                # scipy warns when scores are all but identical; compare_waves reports such cases itself.
                warnings.simplefilter("ignore", RuntimeWarning)
                result = compare_waves(
                    group[group["wave"] == before], group[group["wave"] == after], "respondent_key", "score"
                )
            rows.append(
                {
                    "partnership_id": partnership,
                    "construct": construct,
                    "wave_before": before,
                    "wave_after": after,
                    **result,
                }
            )
    frame = pd.DataFrame(rows)
    disclosive = {count: is_disclosive(frame[count], threshold) for count in ("n_before", "n_after", "n_paired")}
    paired = frame["test"] == "paired t-test"
    withheld = disclosive["n_before"] | disclosive["n_after"] | (paired & disclosive["n_paired"])
    for count, mask in disclosive.items():
        frame[count] = frame[count].astype("Int64").mask(mask)
    statistics = ["mean_before", "mean_after", "difference", "ci_low", "ci_high", "statistic", "df", "p_value"]
    frame[statistics] = frame[statistics].mask(withheld)
    frame["test"] = frame["test"].mask(withheld, f"withheld: fewer than {threshold} respondents")
    frame = schemas.WaveChangeMart.validate(frame[list(schemas.WaveChangeMart.to_schema().columns)])
    return replace_table(con, "marts.wave_change", frame)
