-- Each indicator's main series: the sex and age England is published for most often (for an indicator without
-- England, the one its areas are published for most often), whole areas only.
WITH breakdowns AS (
    SELECT indicator_id, coalesce(sex, '') AS sex, coalesce(age, '') AS age,
           count(*) FILTER (WHERE area_code = 'E92000001') AS n_england, count(*) AS n
    FROM staging.outcome_values WHERE category IS NULL GROUP BY ALL
),
main AS (  -- ties (a file with Female, Male and Persons equally often) go to Persons, then by name
    SELECT indicator_id, sex, age FROM breakdowns
    QUALIFY row_number() OVER (PARTITION BY indicator_id ORDER BY n_england DESC, sex = 'Persons' DESC, CASE WHEN n_england = 0 THEN n ELSE 0 END DESC, sex, age) = 1
)
SELECT v.indicator_id, v.area_code, v.period, v.sex, v.period_start, v.period_end, v.period_sort_key,
       v.value, v.lower_ci95, v.upper_ci95, v.count, v.denominator, v.value_note, v.source_format
FROM staging.outcome_values AS v
JOIN main AS m ON m.indicator_id = v.indicator_id AND coalesce(v.sex, '') = m.sex AND coalesce(v.age, '') = m.age
-- A value the method withholds (a DSR from fewer than 10 events) stays, empty, with its note.
WHERE v.category IS NULL AND (v.value IS NOT NULL OR v.value_note IS NOT NULL)
ORDER BY ALL
