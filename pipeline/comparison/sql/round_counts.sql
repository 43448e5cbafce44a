-- Counts by programme round for round_comparison, before disclosure control: partnerships judged successful of
-- those assessed; partnerships whose work carried on of those with a status; respondents of those invited per
-- wave (partnerships with invitations recorded for the wave); ratings of the support offer rated useful (above
-- the middle of their answer scale) of all ratings per wave.
WITH responded AS (
    SELECT wave, partnership_id, count(*) AS respondents FROM staging.survey_responses GROUP BY ALL
),
invited AS (
    SELECT wave, partnership_id, sum(invited) AS invited FROM staging.survey_invitations GROUP BY ALL
),
scale AS (
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
SELECT p.programme_round, 'success' AS measure, NULL AS wave,
       count(*) FILTER (WHERE a.achieved_objectives) AS counted, count(a.partnership_id) AS base
FROM staging.partnerships AS p LEFT JOIN staging.success_assessments AS a USING (partnership_id)
GROUP BY p.programme_round
UNION ALL
SELECT p.programme_round, 'continued', NULL,
       count(*) FILTER (WHERE s.status <> 'stopped'), count(s.partnership_id)
FROM staging.partnerships AS p LEFT JOIN staging.sustainment AS s USING (partnership_id)
GROUP BY p.programme_round
UNION ALL
SELECT p.programme_round, 'response', i.wave, coalesce(sum(r.respondents), 0), sum(i.invited)
FROM invited AS i
JOIN staging.partnerships AS p USING (partnership_id)
LEFT JOIN responded AS r USING (wave, partnership_id)
WHERE i.wave IN (SELECT wave FROM responded)
GROUP BY ALL
UNION ALL
SELECT p.programme_round, 'support_useful', s.wave, count(*) FILTER (WHERE s.useful), count(*)
FROM support AS s JOIN staging.partnerships AS p USING (partnership_id)
GROUP BY ALL
ORDER BY ALL
