-- One export (the relation `_answers`, as load_answers gives it, with `_columns`: its columns) set against
-- the staged reference data: answer columns the instrument does not map, and partnership values not in
-- partnerships.csv with the responses giving each.
SELECT 'unmapped column' AS kind, c.column_name || ' (' || c.source_id || ')' AS value, NULL::BIGINT AS responses
FROM _columns AS c
WHERE c.kind = 'answer'
  AND c.source_id NOT IN (SELECT source_id FROM staging.survey_instrument WHERE tool = $tool)
UNION ALL
SELECT 'unknown partnership', a.answer, count(DISTINCT a.respondent_row)
FROM _answers AS a
JOIN staging.survey_instrument AS f ON f.tool = $tool AND f.source_id = a.source_id AND f.role = 'partnership'
WHERE a.answer NOT IN (SELECT partnership_id FROM staging.partnerships)
GROUP BY ALL
ORDER BY ALL
