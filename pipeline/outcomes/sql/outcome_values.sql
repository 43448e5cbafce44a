-- Every published outcome format conformed to one long table; publishers' missing markers ($missing_markers) become NULL.
-- (Rates computed from age-banded counts are added in Python: pipeline/outcomes/staging.py.)

WITH fingertips AS (
    SELECT 'fingertips' AS source_format, source_file, source_row, indicator_id, area_code, time_period AS period,
           sex, age, category_type, category, value, lower_ci95, upper_ci95, count, denominator,
           NULL::VARCHAR AS value_note
    FROM raw.fingertips_values
),
tidy AS (
    -- Tidy series carry an indicator name, not an id (mapped through outcome_indicators.csv);
    -- their `unit` column holds the sex.
    SELECT 'tidy', t.source_file, t.source_row, i.indicator_id::VARCHAR, t.area_code, t.period,
           t.unit, NULL, CASE WHEN t.category IS NOT NULL AND lower(t.category) <> 'na' THEN 'inequality' END,
           nullif(t.category, 'NA'), t.value, NULL, NULL, NULL, NULL, NULL
    FROM raw.tidy_outcome_values AS t
    JOIN (SELECT DISTINCT indicator_id, source_indicator_name FROM staging.outcome_indicators) AS i
      ON i.source_indicator_name = t.indicator_name
),
fingertipsnext AS (
    SELECT 'fingertipsnext', source_file, source_row, indicator_id, area_code, year, sex, age,
           nullif(category_type, ''), nullif(category, ''), value, lower_ci95, upper_ci95, count, denominator, NULL
    FROM raw.fingertipsnext_values
),
unioned AS (
    SELECT * FROM fingertips UNION ALL SELECT * FROM tidy UNION ALL SELECT * FROM fingertipsnext
)
SELECT * REPLACE (
    CASE WHEN list_contains($missing_markers, lower(trim(value))) THEN NULL ELSE trim(value) END AS value,
    CASE WHEN list_contains($missing_markers, lower(trim(lower_ci95))) THEN NULL ELSE trim(lower_ci95) END AS lower_ci95,
    CASE WHEN list_contains($missing_markers, lower(trim(upper_ci95))) THEN NULL ELSE trim(upper_ci95) END AS upper_ci95,
    CASE WHEN list_contains($missing_markers, lower(trim(count))) THEN NULL ELSE trim(count) END AS count,
    CASE WHEN list_contains($missing_markers, lower(trim(denominator))) THEN NULL ELSE trim(denominator) END AS denominator
)
FROM unioned
