-- Ratings of the support offer by programme round and wave, for round_comparison: ratings above the middle of
-- their answer scale (reference/likert_scales.csv) of all ratings, as support_usefulness counts them.
WITH scale AS (
    SELECT scale_id, min(score) AS lowest, max(score) AS highest FROM staging.likert_scales GROUP BY scale_id
),
support AS (
    SELECT s.wave, r.partnership_id, s.score > (scale.lowest + scale.highest) / 2 AS useful
    FROM staging.survey_item_scores AS s
    JOIN staging.survey_responses AS r USING (wave, respondent_key)
    JOIN (
        SELECT DISTINCT item_code, construct, scale_id FROM staging.survey_instrument
        WHERE role = 'item' AND construct_kind = 'support_offer'
    ) AS f ON f.item_code = s.item_code AND f.construct = s.construct
    JOIN scale ON scale.scale_id = f.scale_id
    WHERE s.score IS NOT NULL
)
SELECT p.programme_round, 'support_useful' AS measure, s.wave, count(*) FILTER (WHERE s.useful) AS counted,
       count(*) AS base
FROM support AS s JOIN staging.partnerships AS p USING (partnership_id)
GROUP BY ALL
ORDER BY ALL
