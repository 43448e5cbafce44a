-- Each respondent's score on each construct: the mean of the construct's scored items in the row
-- ({by_construct}: one list of item scores per construct of $constructs, in order).
INSERT INTO staging.survey_respondent_scores BY NAME
SELECT $wave AS wave, respondent_key, partnership_id, construct, list_count(scores) AS items,
       list_avg(scores) AS score
FROM (SELECT respondent_key, partnership_id, unnest($constructs) AS construct, unnest({by_construct}) AS scores
      FROM _wave_scored)
WHERE list_count(scores) > 0
