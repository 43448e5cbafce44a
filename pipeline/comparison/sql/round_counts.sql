-- Counts by programme round for round_comparison, before disclosure control: partnerships judged successful of
-- those assessed; partnerships whose work carried on of those with a status; respondents of those invited per
-- wave (partnerships with invitations recorded for the wave). Ratings of the support offer: round_support_counts.
WITH responded AS (
    SELECT wave, partnership_id, count(*) AS respondents FROM staging.survey_responses GROUP BY ALL
),
invited AS (
    SELECT wave, partnership_id, sum(invited) AS invited FROM staging.survey_invitations GROUP BY ALL
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
ORDER BY ALL
