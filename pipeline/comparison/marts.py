"""Marts: the analytic tables researchers query, one documented grain each, built in DuckDB from staging."""

from __future__ import annotations

import duckdb

from pipeline.comparison import schemas
from pipeline.methods.disclosure import is_disclosive
from pipeline.methods.intervals import t_interval
from pipeline.methods.triangulation import RatingRules, converge, rate_coding, rate_survey
from pipeline.warehouse import load_sql, replace_table


def build_partnership_profile(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.partnership_profile`: one row per partnership. Needs `marts.outcome_coverage` first."""
    frame = con.execute(load_sql(__file__, "partnership_profile")).df()
    suppressed = is_disclosive(frame["latest_wave_respondents"], threshold)
    frame["latest_wave_respondents"] = frame["latest_wave_respondents"].astype("Int64").mask(suppressed)
    frame.insert(frame.columns.get_loc("latest_wave_respondents") + 1, "respondents_suppressed", suppressed)
    for column in ("imd_rank_most_deprived_area", "imd_edition", "headline_indicator_id"):
        frame[column] = frame[column].astype("Int64")
    frame["achieved_objectives"] = frame["achieved_objectives"].astype("boolean")
    return replace_table(con, "marts.partnership_profile", schemas.PartnershipProfileMart.validate(frame))


def build_success_factor_matrix(
    con: duckdb.DuckDBPyConnection, threshold: int, rules: RatingRules | None = None
) -> int:
    """`marts.success_factor_matrix`: one row per partnership x success factor, rated by `rules` (the survey
    cut-offs are the settings `survey_strong_from` and `survey_weak_to`)."""
    rules = rules or RatingRules()
    frame = con.execute(load_sql(__file__, "success_factor_matrix")).df()
    low, high = t_interval(frame["survey_mean"], frame["survey_sd"], frame["survey_respondents"])
    suppressed = is_disclosive(frame["survey_respondents"], threshold).astype(bool)
    frame = frame.drop(columns="survey_sd").assign(
        survey_respondents=frame["survey_respondents"].astype("Int64").mask(suppressed),
        survey_mean=frame["survey_mean"].mask(suppressed),
        survey_ci_low=low.mask(suppressed),
        survey_ci_high=high.mask(suppressed),
        survey_suppressed=suppressed,
    )
    frame["survey_rating"] = rate_survey(frame["survey_mean"], rules)
    frame["coding_rating"] = rate_coding(frame["enabler_passages"], frame["barrier_passages"], rules)
    frame["triangulated_rating"], frame["convergence"] = converge(frame["survey_rating"], frame["coding_rating"])
    frame["methods_disagree"] = frame["convergence"] == "dissonance"
    columns = list(schemas.SuccessFactorMatrixMart.to_schema().columns)
    return replace_table(con, "marts.success_factor_matrix", schemas.SuccessFactorMatrixMart.validate(frame[columns]))


def build_outcome_verdict_agreement(con: duckdb.DuckDBPyConnection, improved_needs_interval: bool = False) -> int:
    """`marts.outcome_verdict_agreement`: one row per partnership: its success verdict beside its headline
    outcome's classification, and whether they agree (the rule in `schemas.OutcomeVerdictAgreementMart`). A
    "(point estimate)" class counts as its direction unless `improved_needs_interval` (the setting of that
    name, as in `factor_outcome_comparison`). Needs `marts.outcome_change` first."""
    frame = con.execute(
        load_sql(__file__, "outcome_verdict_agreement"), {"needs_interval": improved_needs_interval}
    ).df()
    frame["achieved_objectives"] = frame["achieved_objectives"].astype("boolean")
    frame["headline_indicator_id"] = frame["headline_indicator_id"].astype("Int64")
    return replace_table(con, "marts.outcome_verdict_agreement", schemas.OutcomeVerdictAgreementMart.validate(frame))
