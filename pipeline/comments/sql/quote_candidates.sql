-- Each distinct comment text coded with a theme, per theme x stakeholder group, with how many responses gave it.
SELECT theme_code, stakeholder_group, comment, count(DISTINCT (wave, respondent_key)) AS responses,
       list(DISTINCT partnership_id ORDER BY partnership_id) AS partnerships
FROM staging.comment_codings
GROUP BY ALL
ORDER BY theme_code, stakeholder_group, comment
