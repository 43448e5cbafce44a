-- Ratings of each part of the support offer by stakeholder group: the items of construct_kind support_offer
-- in survey_instrument.csv. A rating counts as useful above the middle of its answer scale
-- (reference/likert_scales.csv): 3 and 4 on a 1-4 scale, 5 to 7 on a 1-7 one.
INSERT INTO staging.survey_support_ratings BY NAME
SELECT s.wave, s.item_code AS support_type, f.item_text AS support_label,
       coalesce(r.stakeholder_group, 'not stated') AS stakeholder_group,
       count(s.score) AS rated, count(*) FILTER (WHERE s.score IS NULL) AS did_not_use,
       avg(s.score) AS mean_usefulness, sqrt(exact_variance(s.score)) AS sd,
       count(*) FILTER (WHERE s.score > (scale.lowest + scale.highest) / 2) AS rated_useful
FROM staging.survey_item_scores AS s
JOIN staging.survey_responses AS r ON r.wave = $wave AND r.{identity} = s.{identity}
JOIN staging.survey_instrument AS f
  ON f.item_code = s.item_code AND f.role = 'item' AND f.construct = s.construct AND f.construct_kind = 'support_offer'
JOIN (
    SELECT scale_id, min(score) AS lowest, max(score) AS highest FROM staging.likert_scales GROUP BY scale_id
) AS scale ON scale.scale_id = f.scale_id
WHERE s.wave = $wave
GROUP BY ALL
