-- One row per intervention x secondary driver it addresses, with whether the partnership and driver are known.

SELECT i.source_file, i.source_row, i.partnership_id, trim(i.intervention) AS intervention,
       trim(i.commissioner) AS commissioner, trim(driver.unnest) AS secondary_driver_id,
       replace(replace(trim(i.spend), ',', ''), '£', '') AS spend, lower(trim(i.status)) AS status,
       p.partnership_id IS NOT NULL AS known_partnership,
       d.secondary_driver_id IS NOT NULL AS driver_in_diagram, p.wicked_problem
FROM raw.interventions AS i
CROSS JOIN unnest(string_split(i.drivers_addressed, ';')) AS driver
LEFT JOIN staging.partnerships AS p USING (partnership_id)
LEFT JOIN staging.driver_diagrams AS d
       ON d.secondary_driver_id = trim(driver.unnest) AND d.wicked_problem = p.wicked_problem
WHERE trim(driver.unnest) <> ''
