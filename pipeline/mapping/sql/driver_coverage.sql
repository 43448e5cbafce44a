WITH current AS (SELECT * FROM staging.interventions WHERE coalesce(status, 'active') <> 'ended')
SELECT p.partnership_id, p.wicked_problem, d.primary_driver_id, d.primary_driver, d.secondary_driver_id,
       d.secondary_driver, d.marmot_objectives,
       count(c.intervention) AS interventions, count(DISTINCT c.commissioner) AS commissioners,
       (SELECT count(*) FROM staging.interventions AS e
        WHERE e.partnership_id = p.partnership_id AND e.secondary_driver_id = d.secondary_driver_id AND e.status = 'ended')
           AS ended_interventions,
       sum(c.spend) AS annual_spend,
       CASE WHEN count(c.intervention) = 0 THEN 'gap'
            WHEN count(DISTINCT c.commissioner) >= 2 THEN 'duplication' ELSE 'covered' END AS coverage
FROM staging.partnerships AS p
JOIN staging.driver_diagrams AS d USING (wicked_problem)
LEFT JOIN current AS c ON c.partnership_id = p.partnership_id AND c.secondary_driver_id = d.secondary_driver_id
GROUP BY ALL
ORDER BY p.partnership_id, d.secondary_driver_id
