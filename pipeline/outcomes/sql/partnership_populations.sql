-- Each partnership's areas with the all-ages persons population reference/area_populations.csv gives for each
-- year (an area without one is kept, with no year, so a partnership missing an area gets no population).
SELECT a.partnership_id, a.area_code, p.year, p.population
FROM staging.partnership_areas a
LEFT JOIN staging.area_populations p
       ON p.area_code = a.area_code AND lower(p.age) = 'all ages' AND p.sex = 'Persons'
ORDER BY a.partnership_id, a.area_code, p.year
