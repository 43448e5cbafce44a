-- The survey answers one by one: each loaded column's answer of each response kept in raw.survey_rows, with
-- the column's name and source id from raw.survey_columns. Nothing in a refresh reads it (staging reads the
-- rows); it is there for whoever wants the answers long, in SQL or a notebook.
CREATE OR REPLACE VIEW raw.survey_answers AS
SELECT r.wave, r.tool, r.respondent_row, r.respondent_key, c.column_name, c.source_id,
       r.answers[c.answer_index] AS answer, r.source_file, r.loaded_at
FROM raw.survey_rows AS r
JOIN raw.survey_columns AS c ON c.wave = r.wave AND c.answer_index IS NOT NULL
WHERE r.answers[c.answer_index] IS NOT NULL
