-- Each respondent's scored items per construct: how many, their mean (the respondent's construct score)
-- and their total (for reliability).
CREATE OR REPLACE TEMP TABLE _wave_per_respondent AS
SELECT {identity} AS identity, construct, count(*) AS items, avg(score) AS score, sum(score) AS total
FROM staging.survey_item_scores
WHERE wave = $wave AND score IS NOT NULL
GROUP BY ALL
