-- Returned values as read, with the register's frequency and unit for the indicator they name (NULL: unknown).
SELECT m.source_file, m.source_row, trim(m.partnership_id) AS partnership_id, trim(m.indicator_id) AS indicator_id,
       m.period, m.value, m.layout, r.frequency, r.unit
FROM raw.monitoring_returns AS m
LEFT JOIN staging.indicator_register AS r
       ON r.partnership_id = trim(m.partnership_id) AND r.indicator_id = trim(m.indicator_id)
ORDER BY m.source_file, m.source_row, m.period
