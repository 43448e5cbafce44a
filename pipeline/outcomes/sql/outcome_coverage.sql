WITH areas AS (SELECT partnership_id, count(*) AS areas FROM staging.partnership_areas GROUP BY ALL),
values_in_areas AS (
    SELECT a.partnership_id, v.indicator_id, v.area_code, v.period
    FROM staging.partnership_areas AS a
    JOIN staging.outcome_values AS v ON v.area_code = a.area_code
    WHERE v.value IS NOT NULL AND v.category IS NULL
)
SELECT p.partnership_id, p.wicked_problem, i.indicator_id, i.indicator_name, i.headline, a.areas,
       count(DISTINCT v.area_code) AS areas_with_data, count(DISTINCT v.period) AS periods_with_data,
       min(v.period) AS first_period, max(v.period) AS last_period,
       CASE WHEN count(v.period) = 0 THEN 'no data bundled'
            WHEN count(DISTINCT v.area_code) < a.areas THEN 'partial' ELSE 'covered' END AS status
FROM staging.partnerships AS p
JOIN staging.outcome_indicators AS i USING (wicked_problem)
JOIN areas AS a USING (partnership_id)
LEFT JOIN values_in_areas AS v ON v.partnership_id = p.partnership_id AND v.indicator_id = i.indicator_id
GROUP BY p.partnership_id, p.wicked_problem, i.indicator_id, i.indicator_name, i.headline, a.areas
ORDER BY p.partnership_id, NOT i.headline, i.indicator_id
