SELECT source_file, indicator_name, count(*) AS rows
FROM raw.tidy_outcome_values
WHERE indicator_name NOT IN (SELECT source_indicator_name FROM staging.outcome_indicators WHERE source_indicator_name IS NOT NULL)
GROUP BY ALL ORDER BY ALL
