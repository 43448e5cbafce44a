SELECT wave, partnership_id, construct, respondents, mean, sd
FROM staging.survey_construct_summaries
ORDER BY wave, partnership_id, construct
