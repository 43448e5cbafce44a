-- One row per response (not per pseudonym): a person who answered twice in a wave shows as a duplicate
-- key, which validation quarantines, rather than as one respondent with merged answers.
-- source_row is the response's position in the export. The wave's columns are looked up first (a few
-- dozen rows), so each answer joins a tiny table; CASE rather than FILTER, so that only the start times
-- are parsed (an aggregate's FILTER still computes its argument for every row).
CREATE OR REPLACE TEMP TABLE _wave_respondents AS
WITH wave_columns AS (
    SELECT c.column_name, c.kind, f.role
    FROM raw.survey_columns AS c
    LEFT JOIN staging.survey_instrument AS f ON f.tool = c.tool AND f.source_id = c.source_id
    WHERE c.wave = $wave
)
SELECT a.wave, a.respondent_key, a.respondent_row AS source_row, any_value(a.source_file) AS source_file,
       max(CASE WHEN c.role = 'partnership' THEN a.answer END) AS partnership_id,
       max(CASE WHEN c.role = 'stakeholder_group' THEN a.answer END) AS group_answer,
       max(CASE WHEN c.kind = 'started_at' THEN try_strptime(a.answer, $formats) END) AS started_at,
       max(CASE WHEN a.source_id = 'finished' THEN a.answer END) AS finished_answer
FROM raw.survey_answers AS a
JOIN wave_columns AS c USING (column_name)
WHERE a.wave = $wave
GROUP BY a.wave, a.respondent_key, a.respondent_row
