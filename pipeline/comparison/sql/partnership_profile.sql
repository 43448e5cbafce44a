WITH waves AS (SELECT wave, opened FROM staging.survey_waves),
areas AS (
    SELECT a.partnership_id, string_agg(a.area_code, ';' ORDER BY a.area_code) AS area_codes, count(*) AS areas,
           min(d.rank_average_score) AS imd_rank_most_deprived_area, max(d.year) AS imd_edition
    FROM staging.partnership_areas AS a
    -- The latest edition of the index in the drop zone (the English IoD 2019 in the demo).
    LEFT JOIN staging.deprivation AS d
           ON d.lad_code = a.area_code AND d.index_domain = 'Index of Multiple Deprivation'
          AND d.year = (SELECT max(year) FROM staging.deprivation WHERE index_domain = 'Index of Multiple Deprivation')
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
       a.area_codes, a.areas, a.imd_rank_most_deprived_area, a.imd_edition,
       coalesce(s.survey_waves, 0) AS survey_waves, s.latest_wave, s.latest_wave_respondents,
       coalesce(c.coded_passages, 0) AS coded_passages, coalesce(c.coded_sources, 0) AS coded_sources,
       h.headline_indicator_id, h.headline_indicator_name, coalesce(h.headline_indicator_status, 'no data bundled') AS headline_indicator_status,
       j.achieved_objectives, j.assessed_on
FROM staging.partnerships AS p
JOIN areas AS a USING (partnership_id)
LEFT JOIN survey AS s USING (partnership_id)
LEFT JOIN coding AS c USING (partnership_id)
LEFT JOIN headline AS h USING (partnership_id)
LEFT JOIN staging.success_assessments AS j USING (partnership_id)
ORDER BY p.partnership_id
