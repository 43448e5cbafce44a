-- Cronbach's alpha of each construct in the wave needs, over the respondents who answered every item of
-- the construct that anyone answered (listwise): the sum of the item variances and the variance of the
-- total score (see pipeline.methods.reliability; the marts finish the computation).
INSERT INTO staging.survey_construct_reliability BY NAME
WITH construct_items AS MATERIALIZED (
    SELECT construct, count(DISTINCT item_code) AS k_items
    FROM staging.survey_item_scores WHERE wave = $wave AND score IS NOT NULL GROUP BY construct
),
complete AS MATERIALIZED (
    SELECT p.identity, p.construct, p.total
    FROM _wave_per_respondent AS p JOIN construct_items AS i USING (construct)
    WHERE p.items = i.k_items
),
item_variances AS (
    SELECT s.construct, s.item_code, exact_variance(s.score) AS variance
    FROM staging.survey_item_scores AS s
    JOIN complete AS c ON c.construct = s.construct AND c.identity = s.{identity}
    WHERE s.wave = $wave AND s.score IS NOT NULL
    GROUP BY ALL
)
SELECT $wave AS wave, i.construct, i.k_items, coalesce(t.respondents, 0) AS complete_respondents,
       v.item_variance_sum, t.total_variance
FROM construct_items AS i
LEFT JOIN (
    SELECT construct, count(*) AS respondents, exact_variance(total) AS total_variance
    FROM complete GROUP BY ALL
) AS t USING (construct)
LEFT JOIN (
    SELECT construct, sum(variance ORDER BY item_code) AS item_variance_sum FROM item_variances GROUP BY ALL
) AS v USING (construct)
