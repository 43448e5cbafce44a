-- The respondents (same pseudonym) scored on a construct in both waves of a pair, and the summary of their
-- differences (after - before): the paired side of `marts.wave_change`, one row per partnership x
-- construct scored in the earlier wave. Computed once per pair and kept until either wave is staged again.
INSERT INTO staging.survey_wave_pairs BY NAME
WITH paired AS (
    SELECT b.partnership_id, b.construct, b.score AS before, a.score AS after, a.score - b.score AS diff
    FROM staging.survey_respondent_scores AS b
    JOIN staging.survey_respondent_scores AS a
      ON a.wave = $after AND a.partnership_id = b.partnership_id AND a.construct = b.construct
     AND a.respondent_key = b.respondent_key
    WHERE b.wave = $before
),
statistics AS (
    SELECT partnership_id, construct, count(*) AS n_paired,
           avg(before ORDER BY before) AS mean_before_paired, avg(after ORDER BY after) AS mean_after_paired,
           avg(diff ORDER BY diff) AS mean_diff, var_samp(diff ORDER BY diff) AS var_diff,
           max(diff) - min(diff) AS ptp_diff, max(abs(diff)) AS peak_diff
    FROM paired GROUP BY ALL
)
SELECT $before AS wave_before, $after AS wave_after, s.partnership_id, s.construct,
       coalesce(p.n_paired, 0) AS n_paired, p.mean_before_paired, p.mean_after_paired,
       p.mean_diff, p.var_diff, p.ptp_diff, p.peak_diff
FROM staging.survey_construct_summaries AS s
LEFT JOIN statistics AS p USING (partnership_id, construct)
WHERE s.wave = $before
