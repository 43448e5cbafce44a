-- The wave's loaded columns in the order of its rows' answers (raw.survey_rows.answers), with what the
-- instrument says of each.
SELECT c.answer_index, c.tool, c.source_id, c.kind, f.role, f.item_code, f.construct, f.construct_kind
FROM raw.survey_columns AS c
LEFT JOIN staging.survey_instrument AS f ON f.tool = c.tool AND f.source_id = c.source_id
WHERE c.wave = $wave AND c.answer_index IS NOT NULL
ORDER BY c.answer_index
