"""Survey marts: response rates, construct scores with reliability, support usefulness and change between waves.

Every published count goes through disclosure control: counts from 1 to threshold - 1 are suppressed,
with secondary suppression where a published total would reveal them, and statistics computed from
suppressed counts are withheld with them.

The marts aggregate in DuckDB and read the per-wave summaries staging writes with each wave
(`staging.survey_construct_summaries`, `staging.survey_wave_pairs`, `staging.survey_construct_reliability`,
`staging.survey_support_ratings`, see `pipeline.surveys.staging`), so a refresh never rescans every wave's
answers; pandas only sees the published tables (a row per wave x partnership x construct, or fewer).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.methods.change import compare_waves_from_statistics
from pipeline.methods.disclosure import is_disclosive, suppress_table
from pipeline.methods.intervals import t_interval
from pipeline.methods.reliability import ALPHA_COLUMNS, alpha_from_variances
from pipeline.surveys import schemas
from pipeline.validation import validate_mart
from pipeline.warehouse import load_sql, replace_table

NOT_STATED = "not stated"
NOT_A_SCALE = "not a scale: its items are separate ratings (construct_kind in survey_instrument.csv), so no alpha"


def build_response_rates(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.response_rates`: one row per wave x partnership x stakeholder group."""
    frame = con.execute(load_sql(__file__, "response_rates")).df()
    margins = [["wave", "partnership_id"], ["wave", "stakeholder_group"]]
    respondents = suppress_table(frame, "respondents", margins, threshold)
    completed = suppress_table(frame, "completed", margins, threshold)
    # completed <= respondents <= invited: a count published beside a suppressed one bounds it (a published
    # 0 respondents pins a suppressed completed count to 0; one invitee pins a suppressed respondent count to
    # 1). So a row is withheld whole: both counts and the invitations, wherever either count is suppressed.
    # Withholding more cells than the two patterns never makes a cell recoverable from the margins.
    suppressed = respondents["suppression"].notna() | completed["suppression"].notna()
    frame = frame.assign(
        respondents=respondents["respondents"].mask(suppressed),
        completed=completed["completed"].mask(suppressed),
        invited=frame["invited"].astype("Int64").where(~suppressed, pd.NA).astype("Int64"),
        suppressed=suppressed,
    )
    frame["response_rate"] = (
        frame["respondents"].astype("Float64") / frame["invited"].where(frame["invited"] > 0)
    ).round(4)
    frame["note"] = response_rate_notes(frame)
    frame = schemas.ResponseRatesMart.validate(frame[list(schemas.ResponseRatesMart.to_schema().columns)])
    return replace_table(con, "marts.response_rates", frame)


INVITATIONS_FILE = "reference/survey_invitations.csv"


def response_rate_notes(frame: pd.DataFrame) -> pd.Series:
    """Why each row's response rate is missing (empty where it is published), first reason found.

    A withheld row says only that it is withheld: whether its invitations are known is never set against
    its counts, the same for every suppressed row (the invitations are withheld there too).
    """
    reasons = [
        (
            frame["suppressed"],
            "withheld: disclosure control (a count under the threshold, or one that would reveal it)",
        ),
        (~frame["wave_invited"], f"no invitations for this wave in {INVITATIONS_FILE}"),
        (~frame["partnership_invited"], f"no invitations for this partnership in this wave in {INVITATIONS_FILE}"),
        (
            frame["invited"].isna() & frame["stakeholder_group"].eq(NOT_STATED),
            "respondents who did not state their stakeholder group: no invitations to set them against",
        ),
        (frame["invited"].isna(), f"no invitations for this stakeholder group in this wave in {INVITATIONS_FILE}"),
        (frame["invited"].eq(0).fillna(False), f"no one invited in {INVITATIONS_FILE} (invited is 0)"),
    ]
    note = pd.Series(pd.NA, index=frame.index, dtype="string")
    for applies, reason in reversed(reasons):  # the first reason that applies is the one kept
        note = note.mask(applies.astype(bool), reason)
    return note


def missing_invitations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    """(wave, None) for each survey wave with responses but no invitations at all, and (wave, partnership)
    for each partnership with responses in a wave whose invitations leave it out: their response rates
    are missing (`marts.response_rates.note` says why)."""
    return [
        (wave, partnership) for wave, partnership in con.execute(load_sql(__file__, "missing_invitations")).fetchall()
    ]


def construct_alpha(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Cronbach's alpha of every scale construct in every wave, as `alpha_by_group` computes it from the item
    scores (listwise complete respondents), from the per-wave summaries in
    `staging.survey_construct_reliability`: one row per wave x construct; empty, with a note, for a construct
    whose items are separate ratings rather than a scale."""
    inputs = con.execute("SELECT * FROM staging.survey_construct_reliability ORDER BY wave, construct").df()
    rows = [
        (
            row.wave,
            row.construct,
            int(row.complete_respondents),
            int(row.k_items),
            *alpha_from_variances(
                int(row.k_items), int(row.complete_respondents), row.item_variance_sum, row.total_variance
            ),
        )
        for row in inputs.itertuples(index=False)
    ]
    frame = pd.DataFrame(rows, columns=["wave", "construct", *ALPHA_COLUMNS])
    # Alpha measures how far items hang together as one scale: separate ratings (construct_kind other than
    # scale in survey_instrument.csv, e.g. of each part of the support offer) get none.
    kinds = con.execute(
        "SELECT DISTINCT construct, construct_kind FROM staging.survey_instrument WHERE role = 'item'"
    ).df()
    not_scales = frame["construct"].isin(kinds.loc[kinds["construct_kind"] != "scale", "construct"])
    frame[["n_respondents", "alpha", "alpha_ci_low", "alpha_ci_high"]] = frame[
        ["n_respondents", "alpha", "alpha_ci_low", "alpha_ci_high"]
    ].mask(not_scales)
    frame["note"] = frame["note"].mask(not_scales, NOT_A_SCALE)
    # Typed even when there is no wave yet, so an empty programme still validates.
    return frame.astype({"alpha": float, "alpha_ci_low": float, "alpha_ci_high": float})


def build_construct_scores(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.construct_scores`: one row per wave x partnership x construct, with the construct's
    reliability in that wave (Cronbach's alpha over all partnerships' respondents) beside it."""
    summary = con.execute(load_sql(__file__, "construct_summary")).df()
    summary["ci_low"], summary["ci_high"] = t_interval(summary["mean"], summary["sd"], summary["respondents"])
    alpha = construct_alpha(con).rename(
        columns={"n_respondents": "alpha_respondents", "k_items": "alpha_items", "note": "alpha_note"}
    )
    frame = summary.merge(alpha, on=["wave", "construct"], how="left")
    suppressed = is_disclosive(frame["respondents"], threshold)
    frame = withhold_revealing_alpha_totals(frame, suppressed, threshold)
    frame["respondents"] = frame["respondents"].astype("Int64").mask(suppressed)
    frame[["mean", "sd", "ci_low", "ci_high"]] = frame[["mean", "sd", "ci_low", "ci_high"]].mask(suppressed)
    frame["suppressed"] = suppressed
    frame["alpha_respondents"] = frame["alpha_respondents"].astype("Int64")
    frame = validate_mart(frame[list(schemas.ConstructScoresMart.to_schema().columns)], schemas.ConstructScoresMart)
    return replace_table(con, "marts.construct_scores", frame)


def withhold_revealing_alpha_totals(frame: pd.DataFrame, suppressed: pd.Series, threshold: int) -> pd.DataFrame:
    """Withhold `alpha_respondents` and Feldt's interval (which gives the count back from alpha and the
    number of items) in every wave x construct where they narrow a suppressed respondent count.

    `alpha_respondents` counts the listwise complete respondents over all partnerships: at most the sum of the
    partnerships' counts, and equal to it when nobody skipped an item. Less the published counts it bounds
    the suppressed ones from below; each is known anyway to lie from 1 to threshold - 1, so the total tells
    nothing more while the others' largest values, (hidden - 1) x (threshold - 1), leave at most 1 for each
    (Hundepool et al. 2012, ch. 4: a published total must not fix or narrow a suppressed cell).
    """
    frame = frame.copy()
    by = [frame["wave"], frame["construct"]]
    published = frame["respondents"].where(~suppressed, 0).groupby(by).transform("sum")
    hidden = suppressed.astype(int).groupby(by).transform("sum")
    lowest = frame["alpha_respondents"] - published - (hidden - 1) * (threshold - 1)
    revealing = (hidden > 0) & (lowest > 1)
    for column in ("alpha_respondents", "alpha_ci_low", "alpha_ci_high"):
        frame[column] = frame[column].mask(revealing)
    frame["alpha_note"] = frame["alpha_note"].mask(
        revealing, "respondent count and interval withheld: they would narrow a suppressed count"
    )
    return frame


def build_support_usefulness(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.support_usefulness`: one row per wave x support type x stakeholder group."""
    frame = con.execute(load_sql(__file__, "support")).df()
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
    """`marts.wave_change`: one row per partnership x construct x pair of consecutive waves (from
    `staging.survey_wave_pairs`, which survey staging keeps for the waves in `staging.survey_waves`)."""
    groups = con.execute(load_sql(__file__, "wave_pair_statistics")).df()
    # The pairs' means sit beside every respondent's mean in construct_scores: n x mean - n_paired x paired
    # mean gives the scores of those who answered one wave only. Where they (or the pairs) number 1 to
    # threshold - 1, the pairs are withheld and both waves compared whole (Welch), from figures already public.
    unpaired = pd.concat([groups["n_before"] - groups["n_paired"], groups["n_after"] - groups["n_paired"]], axis=1)
    pairs_withheld = is_disclosive(groups["n_paired"], threshold) | unpaired.apply(
        lambda side: is_disclosive(side, threshold)
    ).any(axis=1)
    groups.loc[pairs_withheld, "n_paired"] = 0
    frame = pd.concat(
        [groups[["partnership_id", "construct", "wave_before", "wave_after"]], compare_waves_from_statistics(groups)],
        axis=1,
    )
    disclosive = {count: is_disclosive(frame[count], threshold) for count in ("n_before", "n_after")}
    disclosive["n_paired"] = pairs_withheld
    withheld = disclosive["n_before"] | disclosive["n_after"]
    for count, mask in disclosive.items():
        frame[count] = frame[count].astype("Int64").mask(mask)
    statistics = ["mean_before", "mean_after", "difference", "ci_low", "ci_high", "statistic", "df", "p_value"]
    frame[statistics] = frame[statistics].mask(withheld)
    frame["test"] = frame["test"].mask(withheld, f"withheld: fewer than {threshold} respondents")
    frame = schemas.WaveChangeMart.validate(frame[list(schemas.WaveChangeMart.to_schema().columns)])
    return replace_table(con, "marts.wave_change", frame)
