WITH survey AS (SELECT * FROM staging.latest_factor_scores),
factors AS (
    -- The factors in the order success_factors.csv lists them: the order reports show them in.
    SELECT factor_id, factor_name, row_number() OVER (ORDER BY source_file, source_row) AS factor_position
    FROM staging.success_factors
),
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
SELECT p.partnership_id, f.factor_id, f.factor_name, f.factor_position, s.survey_wave, s.survey_respondents, s.survey_mean, s.survey_sd, e.excerpts,
       coalesce(c.enabler_passages, 0) AS enabler_passages, coalesce(c.barrier_passages, 0) AS barrier_passages,
       coalesce(c.coded_sources, 0) AS coded_sources, coalesce(c.coders, 0) AS coders
FROM staging.partnerships AS p
CROSS JOIN factors AS f
LEFT JOIN survey AS s USING (partnership_id, factor_id)
LEFT JOIN coding AS c USING (partnership_id, factor_id)
LEFT JOIN excerpts AS e USING (partnership_id, factor_id)
ORDER BY p.partnership_id, f.factor_id
