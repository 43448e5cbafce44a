-- Each partnership's respondents' construct scores in the wave, summarised for `marts.construct_scores`,
-- `marts.success_factor_matrix` and `marts.wave_change` (the two sides of a comparison).
-- A construct score is a mean of whole-number item scores, so a partnership has few distinct ones: they are
-- counted by value (exact in any order), and the mean and variance summed over those values in sorted order
-- (the variance about the mean, in a second pass), so two refreshes give bit-identical figures without
-- sorting every respondent's score.
INSERT INTO staging.survey_construct_summaries BY NAME
WITH by_value AS (
    SELECT partnership_id, construct, score, count(*) AS n
    FROM staging.survey_respondent_scores
    WHERE wave = $wave
    GROUP BY ALL
),
means AS (
    SELECT partnership_id, construct, sum(n)::BIGINT AS respondents,
           sum(n * score ORDER BY score) / sum(n) AS mean, min(score) AS min_score, max(score) AS max_score
    FROM by_value
    GROUP BY ALL
),
summaries AS (
    SELECT partnership_id, construct, m.respondents, m.mean, m.min_score, m.max_score,
           CASE WHEN m.respondents > 1
                THEN sum(n * (score - m.mean) ** 2 ORDER BY score) / (m.respondents - 1) END AS variance
    FROM by_value JOIN means AS m USING (partnership_id, construct)
    GROUP BY partnership_id, construct, m.respondents, m.mean, m.min_score, m.max_score
)
SELECT $wave AS wave, partnership_id, construct, respondents, mean, sqrt(variance) AS sd, variance,
       min_score, max_score
FROM summaries
