-- Ratings of each part of the support offer by stakeholder group: the items of construct_kind support_offer
-- in survey_instrument.csv.
INSERT INTO staging.survey_support_ratings BY NAME
SELECT s.wave, s.item_code AS support_type, f.item_text AS support_label,
       coalesce(r.stakeholder_group, 'not stated') AS stakeholder_group,
       count(s.score) AS rated, count(*) FILTER (WHERE s.score IS NULL) AS did_not_use,
       avg(s.score) AS mean_usefulness, sqrt(exact_variance(s.score)) AS sd,
       count(*) FILTER (WHERE s.score >= 3) AS rated_useful
FROM staging.survey_item_scores AS s
JOIN staging.survey_responses AS r ON r.wave = $wave AND r.{identity} = s.{identity}
JOIN staging.survey_instrument AS f
  ON f.item_code = s.item_code AND f.role = 'item' AND f.construct = s.construct AND f.construct_kind = 'support_offer'
WHERE s.wave = $wave
GROUP BY ALL
