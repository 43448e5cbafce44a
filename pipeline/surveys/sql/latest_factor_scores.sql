-- Each partnership's survey score on each success factor in its latest wave (before disclosure control):
-- the wave's summary of its respondents' factor scores (a respondent's factor score is the mean of their
-- scored items on that factor), which survey staging keeps per wave.
WITH waves AS (SELECT wave, opened FROM staging.survey_waves),
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
