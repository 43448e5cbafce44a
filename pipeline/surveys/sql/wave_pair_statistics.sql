-- For each pair of consecutive waves and each partnership x construct scored in either: each wave's
-- respondents' scores summarised, and the respondents (same pseudonym) scored in both, with the summary of
-- their differences: what `compare_waves_from_statistics` needs to run `compare_waves` on every group.
WITH pairs AS (
    SELECT * FROM (
        SELECT opened - 1 AS pair, wave AS wave_before, lead(wave) OVER (ORDER BY opened) AS wave_after
        FROM staging.survey_waves
    ) WHERE wave_after IS NOT NULL
),
sides AS (
    SELECT wave, partnership_id, construct, respondents AS n, mean, variance AS var,
           max_score - min_score AS ptp, greatest(abs(min_score), abs(max_score)) AS peak
    FROM staging.survey_construct_summaries
),
keys AS (
    SELECT DISTINCT p.pair, s.partnership_id, s.construct
    FROM pairs AS p JOIN sides AS s ON s.wave IN (p.wave_before, p.wave_after)
)
SELECT k.pair, p.wave_before, p.wave_after, k.partnership_id, k.construct,
       coalesce(b.n, 0) AS n_before, b.mean AS mean_before, b.var AS var_before, b.ptp AS ptp_before, b.peak AS peak_before,
       coalesce(a.n, 0) AS n_after, a.mean AS mean_after, a.var AS var_after, a.ptp AS ptp_after, a.peak AS peak_after,
       coalesce(d.n_paired, 0) AS n_paired, d.mean_before_paired, d.mean_after_paired,
       d.mean_diff, d.var_diff, d.ptp_diff, d.peak_diff
FROM keys AS k
JOIN pairs AS p USING (pair)
LEFT JOIN sides AS b ON b.wave = p.wave_before AND b.partnership_id = k.partnership_id AND b.construct = k.construct
LEFT JOIN sides AS a ON a.wave = p.wave_after AND a.partnership_id = k.partnership_id AND a.construct = k.construct
LEFT JOIN staging.survey_wave_pairs AS d
       ON d.wave_before = p.wave_before AND d.wave_after = p.wave_after
      AND d.partnership_id = k.partnership_id AND d.construct = k.construct
ORDER BY k.pair, k.partnership_id, k.construct
