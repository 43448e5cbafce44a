-- One row per theme x partnership x stakeholder group with a coded comment: the comments coded with the
-- theme (a comment is one response's answer to one free-text item, counted once whoever coded it) and the
-- responses (wave x respondent) they come from.
SELECT c.theme_code, t.name AS theme_name, c.partnership_id, c.stakeholder_group,
       count(DISTINCT (c.wave, c.respondent_key, c.item_code)) AS comments,
       count(DISTINCT (c.wave, c.respondent_key)) AS responses
FROM staging.comment_codings AS c
JOIN staging.comment_themes AS t USING (theme_code)
GROUP BY ALL
ORDER BY c.theme_code, c.partnership_id, c.stakeholder_group
