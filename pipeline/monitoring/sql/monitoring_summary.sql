-- One row per partnership with a register: indicators, status at each indicator's latest return, special
-- causes, and late and missing returns.
WITH latest AS (
    SELECT * FROM marts.indicator_progress
    QUALIFY row_number() OVER (PARTITION BY partnership_id, indicator_id ORDER BY period DESC) = 1
),
special AS (
    SELECT partnership_id, indicator_id FROM marts.indicator_progress
    GROUP BY ALL HAVING bool_or(coalesce(variation, 'common_cause') <> 'common_cause')
)
SELECT r.partnership_id,
       count(*) AS indicators,
       count(l.indicator_id) AS with_returns,
       count(*) FILTER (WHERE l.status = 'on_track') AS on_track,
       count(*) FILTER (WHERE l.status = 'off_track') AS off_track,
       count(*) FILTER (WHERE l.status = 'no_target') AS no_target,
       count(s.indicator_id) AS with_special_cause,
       (SELECT count(*) FROM staging.monitoring_gaps AS g WHERE g.partnership_id = r.partnership_id AND g.status = 'late')
           AS late_returns,
       (SELECT count(*) FROM staging.monitoring_gaps AS g WHERE g.partnership_id = r.partnership_id AND g.status = 'missing')
           AS missing_returns
FROM staging.indicator_register AS r
LEFT JOIN latest AS l USING (partnership_id, indicator_id)
LEFT JOIN special AS s USING (partnership_id, indicator_id)
GROUP BY r.partnership_id
ORDER BY r.partnership_id
