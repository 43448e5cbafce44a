-- Late and missing monitoring returns, latest first within each partnership, with the names a reader knows.
SELECT g.partnership_id, p.partnership_name, g.indicator_id, r.indicator_name, g.frequency, g.period, g.status
FROM staging.monitoring_gaps AS g
LEFT JOIN staging.partnerships AS p USING (partnership_id)
LEFT JOIN staging.indicator_register AS r USING (partnership_id, indicator_id)
ORDER BY g.status, g.partnership_id, g.indicator_id, g.period
