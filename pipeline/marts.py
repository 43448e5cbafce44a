"""Marts: the analytic tables researchers query, one documented grain each, built in DuckDB from staging."""

from __future__ import annotations

import duckdb

from pipeline import schemas
from pipeline.methods.disclosure import is_disclosive
from pipeline.methods.intervals import t_interval
from pipeline.methods.triangulation import converge, rate_coding, rate_survey
from pipeline.warehouse import replace_table

# Waves are ordered by when they opened (their earliest response), then by name where no tool says;
# `opened` is that order (1 = first wave).
SURVEY_WAVES_SQL = """
SELECT wave, row_number() OVER (ORDER BY min(started_at) NULLS FIRST, wave) AS opened
FROM staging.survey_responses GROUP BY wave
"""

OUTCOME_COVERAGE_SQL = """
WITH areas AS (SELECT partnership_id, count(*) AS areas FROM staging.partnership_areas GROUP BY ALL),
values_in_areas AS (
    SELECT a.partnership_id, v.indicator_id, v.area_code, v.period
    FROM staging.partnership_areas AS a
    JOIN staging.outcome_values AS v ON v.area_code = a.area_code
    WHERE v.value IS NOT NULL AND v.category IS NULL
)
SELECT p.partnership_id, p.wicked_problem, i.indicator_id, i.indicator_name, i.headline, a.areas,
       count(DISTINCT v.area_code) AS areas_with_data, count(DISTINCT v.period) AS periods_with_data,
       min(v.period) AS first_period, max(v.period) AS last_period,
       CASE WHEN count(v.period) = 0 THEN 'no data bundled'
            WHEN count(DISTINCT v.area_code) < a.areas THEN 'partial' ELSE 'covered' END AS status
FROM staging.partnerships AS p
JOIN staging.outcome_indicators AS i USING (wicked_problem)
JOIN areas AS a USING (partnership_id)
LEFT JOIN values_in_areas AS v ON v.partnership_id = p.partnership_id AND v.indicator_id = i.indicator_id
GROUP BY p.partnership_id, p.wicked_problem, i.indicator_id, i.indicator_name, i.headline, a.areas
ORDER BY p.partnership_id, NOT i.headline, i.indicator_id
"""


def build_outcome_coverage(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.outcome_coverage`: one row per partnership x indicator of its wicked problem."""
    frame = schemas.OutcomeCoverageMart.validate(con.execute(OUTCOME_COVERAGE_SQL).df())
    return replace_table(con, "marts.outcome_coverage", frame)


PROFILE_SQL = f"""
WITH waves AS ({SURVEY_WAVES_SQL}),
areas AS (
    SELECT a.partnership_id, string_agg(a.area_code, ';' ORDER BY a.area_code) AS area_codes, count(*) AS areas,
           min(d.rank_average_score) AS imd2019_rank_most_deprived_area
    FROM staging.partnership_areas AS a
    LEFT JOIN staging.deprivation AS d
           ON d.lad_code = a.area_code AND d.index_domain = 'Index of Multiple Deprivation' AND d.year = 2019
    GROUP BY ALL
),
respondents AS (
    SELECT r.partnership_id, r.wave, w.opened, count(*) AS respondents
    FROM staging.survey_responses AS r JOIN waves AS w USING (wave) GROUP BY ALL
),
survey AS (
    SELECT partnership_id, count(*) AS survey_waves, arg_max(wave, opened) AS latest_wave,
           arg_max(respondents, opened) AS latest_wave_respondents
    FROM respondents GROUP BY ALL
),
coding AS (
    SELECT partnership_id, count(DISTINCT (source_name, start_position, end_position)) AS coded_passages,
           count(DISTINCT source_name) AS coded_sources
    FROM staging.coded_segments GROUP BY ALL
),
headline AS (
    SELECT partnership_id, indicator_id AS headline_indicator_id, indicator_name AS headline_indicator_name,
           status AS headline_indicator_status
    FROM marts.outcome_coverage WHERE headline
)
SELECT p.partnership_id, p.partnership_name, p.wicked_problem, p.programme_round, p.support_start, p.support_end,
       a.area_codes, a.areas, a.imd2019_rank_most_deprived_area,
       coalesce(s.survey_waves, 0) AS survey_waves, s.latest_wave, s.latest_wave_respondents,
       coalesce(c.coded_passages, 0) AS coded_passages, coalesce(c.coded_sources, 0) AS coded_sources,
       h.headline_indicator_id, h.headline_indicator_name, coalesce(h.headline_indicator_status, 'no data bundled') AS headline_indicator_status
FROM staging.partnerships AS p
JOIN areas AS a USING (partnership_id)
LEFT JOIN survey AS s USING (partnership_id)
LEFT JOIN coding AS c USING (partnership_id)
LEFT JOIN headline AS h USING (partnership_id)
ORDER BY p.partnership_id
"""


def build_partnership_profile(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.partnership_profile`: one row per partnership. Needs `marts.outcome_coverage` first."""
    frame = con.execute(PROFILE_SQL).df()
    suppressed = is_disclosive(frame["latest_wave_respondents"], threshold)
    frame["latest_wave_respondents"] = frame["latest_wave_respondents"].astype("Int64").mask(suppressed)
    frame.insert(frame.columns.get_loc("latest_wave_respondents") + 1, "respondents_suppressed", suppressed)
    for column in ("imd2019_rank_most_deprived_area", "headline_indicator_id"):
        frame[column] = frame[column].astype("Int64")
    return replace_table(con, "marts.partnership_profile", schemas.PartnershipProfileMart.validate(frame))


# Each partnership's survey score on each success factor in its latest wave (before disclosure control):
# the wave's summary of its respondents' factor scores (a respondent's factor score is the mean of their
# scored items on that factor), which survey staging keeps per wave.
LATEST_FACTOR_SCORES_SQL = f"""
WITH waves AS ({SURVEY_WAVES_SQL}),
factor_scores AS (
    SELECT * FROM staging.survey_construct_summaries
    WHERE construct IN (SELECT factor_id FROM staging.success_factors)
),
latest AS (
    SELECT partnership_id, arg_max(wave, opened) AS wave
    FROM (SELECT DISTINCT partnership_id, wave FROM factor_scores) JOIN waves USING (wave)
    GROUP BY ALL
)
SELECT partnership_id, construct AS factor_id, wave AS survey_wave, respondents AS survey_respondents,
       mean AS survey_mean, sd AS survey_sd
FROM factor_scores JOIN latest USING (partnership_id, wave)
"""

MATRIX_SQL = f"""
WITH survey AS ({LATEST_FACTOR_SCORES_SQL}),
coding AS (
    SELECT partnership_id, factor_id,
           count(DISTINCT (source_name, start_position, end_position)) FILTER (WHERE direction = 'enabler') AS enabler_passages,
           count(DISTINCT (source_name, start_position, end_position)) FILTER (WHERE direction = 'barrier') AS barrier_passages,
           count(DISTINCT source_name) AS coded_sources, count(DISTINCT coder) AS coders
    FROM staging.coded_segments GROUP BY ALL
),
passages AS (
    -- The same words in two documents are one excerpt, shown where they first occur.
    SELECT partnership_id, factor_id, excerpt, min(source_name) AS source_name, min(start_position) AS start_position
    FROM (SELECT partnership_id, factor_id, source_name, start_position,
                 CASE WHEN length(excerpt) > 160 THEN left(excerpt, 157) || '...' ELSE excerpt END AS excerpt
          FROM staging.coded_segments WHERE excerpt IS NOT NULL)
    GROUP BY ALL
),
excerpts AS (
    SELECT partnership_id, factor_id,
           string_agg(excerpt, ' | ' ORDER BY source_name, start_position) FILTER (WHERE rank <= 3) AS excerpts
    FROM (SELECT *, row_number() OVER (PARTITION BY partnership_id, factor_id ORDER BY source_name, start_position) AS rank
          FROM passages)
    GROUP BY ALL
)
SELECT p.partnership_id, f.factor_id, s.survey_wave, s.survey_respondents, s.survey_mean, s.survey_sd, e.excerpts,
       coalesce(c.enabler_passages, 0) AS enabler_passages, coalesce(c.barrier_passages, 0) AS barrier_passages,
       coalesce(c.coded_sources, 0) AS coded_sources, coalesce(c.coders, 0) AS coders
FROM staging.partnerships AS p
CROSS JOIN staging.success_factors AS f
LEFT JOIN survey AS s USING (partnership_id, factor_id)
LEFT JOIN coding AS c USING (partnership_id, factor_id)
LEFT JOIN excerpts AS e USING (partnership_id, factor_id)
ORDER BY p.partnership_id, f.factor_id
"""


def build_success_factor_matrix(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.success_factor_matrix`: one row per partnership x success factor."""
    frame = con.execute(MATRIX_SQL).df()
    low, high = t_interval(frame["survey_mean"], frame["survey_sd"], frame["survey_respondents"])
    suppressed = is_disclosive(frame["survey_respondents"], threshold)
    frame = frame.drop(columns="survey_sd").assign(
        survey_respondents=frame["survey_respondents"].astype("Int64").mask(suppressed),
        survey_mean=frame["survey_mean"].mask(suppressed),
        survey_ci_low=low.mask(suppressed),
        survey_ci_high=high.mask(suppressed),
        survey_suppressed=suppressed,
    )
    frame["survey_rating"] = rate_survey(frame["survey_mean"])
    frame["coding_rating"] = rate_coding(frame["enabler_passages"], frame["barrier_passages"])
    frame["triangulated_rating"], frame["convergence"] = converge(frame["survey_rating"], frame["coding_rating"])
    frame["methods_disagree"] = frame["convergence"] == "dissonance"
    columns = list(schemas.SuccessFactorMatrixMart.to_schema().columns)
    return replace_table(con, "marts.success_factor_matrix", schemas.SuccessFactorMatrixMart.validate(frame[columns]))


MART_NAMES = ("outcome_coverage", "partnership_profile", "success_factor_matrix")
