WITH responded AS (
    SELECT wave, partnership_id, coalesce(stakeholder_group, 'not stated') AS stakeholder_group,
           count(*) AS respondents, count(*) FILTER (WHERE finished) AS completed
    FROM staging.survey_responses GROUP BY ALL
),
invited AS (
    SELECT i.* FROM staging.survey_invitations AS i WHERE i.wave IN (SELECT DISTINCT wave FROM staging.survey_responses)
)
SELECT coalesce(r.wave, i.wave) AS wave, coalesce(r.partnership_id, i.partnership_id) AS partnership_id,
       coalesce(r.stakeholder_group, i.stakeholder_group) AS stakeholder_group,
       i.invited, coalesce(r.respondents, 0) AS respondents, coalesce(r.completed, 0) AS completed,
       -- Why a rate may be missing: the wave, or the partnership in the wave, has no invitations at all.
       coalesce(r.wave, i.wave) IN (SELECT wave FROM invited) AS wave_invited,
       EXISTS (
           SELECT 1 FROM invited AS p
           WHERE p.wave = coalesce(r.wave, i.wave) AND p.partnership_id = coalesce(r.partnership_id, i.partnership_id)
       ) AS partnership_invited
FROM responded AS r
FULL OUTER JOIN invited AS i USING (wave, partnership_id, stakeholder_group)
ORDER BY ALL
