-- Ratings of each part of the support offer by stakeholder group: the items of construct_kind support_offer
-- in survey_instrument.csv ({scores} and {answered}: their scores and whether answered on the scale, in
-- the order of $support_items). A rating counts as useful above the middle of its answer scale
-- (reference/likert_scales.csv): 3 and 4 on a 1-4 scale, 5 to 7 on a 1-7 one.
INSERT INTO staging.survey_support_ratings BY NAME
WITH ratings AS (
    SELECT coalesce(stakeholder_group, 'not stated') AS stakeholder_group, unnest($support_items) AS support_type,
           unnest([{scores}]::DOUBLE[]) AS score, unnest([{answered}]) AS answered
    FROM _wave_scored
),
items AS (
    SELECT f.item_code AS support_type, any_value(f.item_text) AS support_label,
           (min(s.score) + max(s.score)) / 2 AS middle
    FROM staging.survey_instrument AS f JOIN staging.likert_scales AS s USING (scale_id)
    WHERE f.tool = $tool AND f.role = 'item' AND f.construct_kind = 'support_offer'
    GROUP BY f.item_code
)
SELECT $wave AS wave, support_type, i.support_label, r.stakeholder_group, count(score) AS rated,
       count(*) FILTER (WHERE score IS NULL) AS did_not_use, avg(score) AS mean_usefulness,
       sqrt(exact_variance(score)) AS sd, count(*) FILTER (WHERE score > i.middle) AS rated_useful
FROM ratings AS r JOIN items AS i USING (support_type)
WHERE answered
GROUP BY ALL
