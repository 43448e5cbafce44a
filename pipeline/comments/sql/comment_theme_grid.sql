-- Every theme x partnership x stakeholder group, whether or not a comment was coded there: the stakeholder
-- groups of the reference data and any group the coded responses have besides ('not stated').
WITH groups AS (
    SELECT stakeholder_group FROM staging.stakeholder_groups
    UNION
    SELECT DISTINCT stakeholder_group FROM staging.comment_codings
)
SELECT t.theme_code, t.name AS theme_name, p.partnership_id, g.stakeholder_group
FROM staging.comment_themes AS t
CROSS JOIN staging.partnerships AS p
CROSS JOIN groups AS g
ORDER BY t.theme_code, p.partnership_id, g.stakeholder_group
