-- marts.indicator_progress at a glance: indicators by status at their latest return, and points flagged by
-- each Making Data Count rule.
WITH latest AS (
    SELECT * FROM marts.indicator_progress
    QUALIFY row_number() OVER (PARTITION BY partnership_id, indicator_id ORDER BY period DESC) = 1
)
SELECT (SELECT count(*) FROM latest) AS indicators,
       (SELECT count(*) FROM latest WHERE status = 'on_track') AS on_track,
       (SELECT count(*) FROM latest WHERE status = 'off_track') AS off_track,
       (SELECT count(*) FROM latest WHERE status = 'no_target') AS no_target,
       count(*) FILTER (WHERE beyond_limit) AS points_beyond_limit,
       count(*) FILTER (WHERE shift) AS points_in_shift,
       count(*) FILTER (WHERE trend) AS points_in_trend,
       count(*) FILTER (WHERE two_of_three) AS points_two_of_three,
       count(*) FILTER (WHERE variation = 'improvement') AS points_improvement,
       count(*) FILTER (WHERE variation = 'concern') AS points_concern,
       count(DISTINCT (partnership_id, indicator_id)) FILTER (WHERE coalesce(variation, 'common_cause') <> 'common_cause')
           AS indicators_with_special_cause,
       count(*) FILTER (WHERE value_suppressed) AS values_suppressed
FROM marts.indicator_progress
