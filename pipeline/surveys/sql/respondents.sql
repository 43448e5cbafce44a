-- One row per response (not per pseudonym): a person who answered twice in a wave shows as a duplicate
-- key, which validation quarantines, rather than as one respondent with merged answers.
-- source_row is the response's position in the export. Each answer is read by its place in the row's
-- answers ({partnership}, ...: SQL of `staging.WaveColumns.answer_sql`).
CREATE OR REPLACE TEMP TABLE _wave_respondents AS
SELECT wave, respondent_key, respondent_row AS source_row, source_file, {partnership} AS partnership_id,
       {group} AS group_answer, {started} AS started_at, {finished} AS finished_answer
FROM raw.survey_rows
WHERE wave = $wave
