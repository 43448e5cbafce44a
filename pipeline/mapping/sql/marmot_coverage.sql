WITH driver_objectives AS (
    SELECT c.partnership_id, c.secondary_driver_id, c.interventions, trim(o.unnest) AS objective_id
    FROM marts.driver_coverage AS c CROSS JOIN unnest(string_split(c.marmot_objectives, ';')) AS o
),
interventions AS (
    SELECT DISTINCT i.partnership_id, i.intervention, i.commissioner, trim(o.unnest) AS objective_id
    FROM staging.interventions AS i
    JOIN staging.driver_diagrams AS d USING (secondary_driver_id)
    CROSS JOIN unnest(string_split(d.marmot_objectives, ';')) AS o
    WHERE coalesce(i.status, 'active') <> 'ended'
)
SELECT p.partnership_id, m.objective_id, m.objective,
       count(DISTINCT d.secondary_driver_id) AS drivers,
       count(DISTINCT d.secondary_driver_id) FILTER (WHERE d.interventions > 0) AS drivers_covered,
       (SELECT count(*) FROM interventions AS i WHERE i.partnership_id = p.partnership_id AND i.objective_id = m.objective_id)
           AS interventions
FROM staging.partnerships AS p
CROSS JOIN staging.marmot_objectives AS m
LEFT JOIN driver_objectives AS d ON d.partnership_id = p.partnership_id AND d.objective_id = m.objective_id
GROUP BY ALL
ORDER BY p.partnership_id, m.objective_id
