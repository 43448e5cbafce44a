-- Each partnership's respondents' construct scores in the wave, summarised for `marts.construct_scores`,
-- `marts.success_factor_matrix` and `marts.wave_change` (the two sides of a comparison).
INSERT INTO staging.survey_construct_summaries BY NAME
SELECT wave, partnership_id, construct, count(*) AS respondents, avg(score ORDER BY score) AS mean,
       stddev_samp(score ORDER BY score) AS sd, var_samp(score ORDER BY score) AS variance,
       min(score) AS min_score, max(score) AS max_score
FROM staging.survey_respondent_scores
WHERE wave = $wave
GROUP BY ALL
