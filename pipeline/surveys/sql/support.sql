SELECT wave, support_type, support_label, stakeholder_group, rated, did_not_use, mean_usefulness, sd, rated_useful
FROM staging.survey_support_ratings
ORDER BY ALL
