-- Each indicator's main series: the sex and age England is published for most often, whole areas only.
WITH breakdowns AS (
    SELECT indicator_id, coalesce(sex, '') AS sex, coalesce(age, '') AS age, count(*) AS n
    FROM staging.outcome_values WHERE area_code = 'E92000001' AND category IS NULL GROUP BY ALL
),
main AS (  -- ties (a file with Female, Male and Persons equally often) go to Persons, then by name
    SELECT indicator_id, sex, age FROM breakdowns
    QUALIFY row_number() OVER (PARTITION BY indicator_id ORDER BY n DESC, sex = 'Persons' DESC, sex, age) = 1
)
SELECT v.indicator_id, v.area_code, v.period, v.period_start, v.period_end, v.period_sort_key,
       v.value, v.lower_ci95, v.upper_ci95, v.count, v.denominator
FROM staging.outcome_values AS v
JOIN main AS m ON m.indicator_id = v.indicator_id AND coalesce(v.sex, '') = m.sex AND coalesce(v.age, '') = m.age
WHERE v.category IS NULL AND v.value IS NOT NULL
ORDER BY ALL
