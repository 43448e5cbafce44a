-- Survey waves with responses but no row in reference/survey_invitations.csv (partnership_id empty), and
-- partnerships with responses in a wave that has invitations for other partnerships but none for them.
WITH responded AS (SELECT DISTINCT wave, partnership_id FROM staging.survey_responses),
invited AS (SELECT DISTINCT wave, partnership_id FROM staging.survey_invitations)
SELECT DISTINCT r.wave, NULL::VARCHAR AS partnership_id
FROM responded AS r ANTI JOIN invited AS i USING (wave)
UNION ALL
SELECT r.wave, r.partnership_id
FROM responded AS r SEMI JOIN invited AS w USING (wave)
ANTI JOIN invited AS i USING (wave, partnership_id)
ORDER BY wave, partnership_id NULLS FIRST
