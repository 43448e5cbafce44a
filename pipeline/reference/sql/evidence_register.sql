-- One row per evidence item x success factor it speaks to, with the factor's name (staging has rejected any
-- item naming a factor success_factors.csv does not have).
WITH items AS (
    SELECT e.*, trim(factor_id) AS factor_id
    FROM staging.evidence_register AS e, unnest(string_split(e.factors, ';')) AS listed(factor_id)
)
SELECT i.evidence_id, i.factor_id, f.factor_name, i.citation, i.year, i.kind, i.finding, i.direction, i.strength,
       list_position($strengths, i.strength) AS strength_rank, i.url
FROM items AS i JOIN staging.success_factors AS f USING (factor_id)
ORDER BY f.source_row, strength_rank, i.year DESC, i.evidence_id
