-- One row per partnership x indicator x period returned, with change from baseline and progress to target.
-- expected_progress: the share of the baseline-to-target time elapsed by the end of the period, clamped to 0-1.
SELECT m.partnership_id, m.indicator_id, r.indicator_name, r.indicator_type, r.unit, r.polarity, m.period, m.value,
       r.baseline_value, m.value - r.baseline_value AS change_from_baseline, r.target_value,
       CASE WHEN r.target_value <> r.baseline_value
            THEN (m.value - r.baseline_value) / (r.target_value - r.baseline_value) END AS progress_to_target,
       CASE WHEN r.target_date > r.baseline_date
            THEN greatest(0.0, least(1.0,
                 date_diff('day', r.baseline_date::DATE,
                           (m.period + CASE WHEN r.frequency = 'quarterly' THEN INTERVAL 3 MONTH ELSE INTERVAL 1 MONTH END)::DATE - 1)
                 / date_diff('day', r.baseline_date::DATE, r.target_date::DATE)::DOUBLE)) END AS expected_progress,
       r.baseline_date IS NOT NULL AND r.target_date IS NOT NULL AND r.baseline_value IS NOT NULL
           AND r.target_value IS NOT NULL AND r.target_value <> r.baseline_value AS has_target
FROM staging.monitoring_returns AS m
JOIN staging.indicator_register AS r USING (partnership_id, indicator_id)
ORDER BY m.partnership_id, m.indicator_id, m.period
