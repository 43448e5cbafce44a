-- One row per success factor: how many reviewed items speak to it, by direction and by strength, and the
-- strongest of them (highest GRADE level, then the most recent, then the lowest evidence id). A factor no item
-- speaks to has a row with zero items.
WITH factors AS (
    SELECT factor_id, factor_name, row_number() OVER (ORDER BY source_file, source_row) AS factor_position
    FROM staging.success_factors
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY factor_id ORDER BY strength_rank, year DESC, evidence_id) AS place
    FROM marts.evidence_register
),
counts AS (
    SELECT factor_id,
           count(*) AS items,
           count(*) FILTER (WHERE direction = 'supports') AS supports,
           count(*) FILTER (WHERE direction = 'mixed') AS mixed,
           count(*) FILTER (WHERE direction = 'against') AS against,
           count(*) FILTER (WHERE strength = 'high') AS high,
           count(*) FILTER (WHERE strength = 'moderate') AS moderate,
           count(*) FILTER (WHERE strength = 'low') AS low,
           count(*) FILTER (WHERE strength = 'very_low') AS very_low
    FROM marts.evidence_register GROUP BY factor_id
)
SELECT f.factor_id, f.factor_name, f.factor_position,
       coalesce(c.items, 0) AS items, coalesce(c.supports, 0) AS supports, coalesce(c.mixed, 0) AS mixed,
       coalesce(c.against, 0) AS against, coalesce(c.high, 0) AS high, coalesce(c.moderate, 0) AS moderate,
       coalesce(c.low, 0) AS low, coalesce(c.very_low, 0) AS very_low,
       r.evidence_id AS strongest_evidence_id, r.citation AS strongest_citation, r.year AS strongest_year,
       r.strength AS strongest_strength, r.direction AS strongest_direction
FROM factors AS f
LEFT JOIN counts AS c USING (factor_id)
LEFT JOIN ranked AS r ON r.factor_id = f.factor_id AND r.place = 1
ORDER BY f.factor_position
