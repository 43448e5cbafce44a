-- The survey's comments: one row per response x free-text question answered, the text as redacted at ingest
-- (pipeline.privacy), with the response's pseudonym, its position in its export, partnership and group.
SELECT r.wave, r.respondent_key, r.source_row AS response, r.source_file AS response_file, r.partnership_id,
       coalesce(r.stakeholder_group, 'not stated') AS stakeholder_group, i.item_code, a.answer AS comment
FROM raw.survey_answers AS a
JOIN raw.survey_columns AS c ON c.wave = a.wave AND c.column_name = a.column_name
JOIN staging.survey_instrument AS i ON i.tool = c.tool AND i.source_id = c.source_id AND i.role = 'free_text'
JOIN staging.survey_responses AS r
    ON r.wave = a.wave AND r.respondent_key = a.respondent_key AND r.source_row = a.respondent_row
       AND r.source_file = a.source_file
ORDER BY r.wave, r.source_file, r.source_row, i.item_code
