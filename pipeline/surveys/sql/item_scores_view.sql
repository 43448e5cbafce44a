-- The staged item scores of every wave, as scored.sql finds them, less the answers quarantined.
-- Every response of a wave is either staged or quarantined, so "of a staged response" is "not of a
-- quarantined one": joining the few quarantined responses keeps the join's small side small whatever
-- DuckDB estimates. An inner join with the staged responses was planned with a wave's answers (58 million
-- at 1,000,000 respondents) as the side held in memory, and ran out of it.
CREATE OR REPLACE VIEW staging.survey_item_scores AS
SELECT a.source_file, a.respondent_row AS source_row, a.wave, a.respondent_key, s.item_code, s.construct,
       a.answer, s.score
FROM raw.survey_answers AS a
ANTI JOIN quarantine.survey_responses AS q
  ON q.wave = a.wave AND q.source_file = a.source_file AND q.source_row = a.respondent_row
JOIN staging.survey_answer_scores AS s
  ON s.wave = a.wave AND s.tool = a.tool AND s.source_id = a.source_id AND s.answer = a.answer
ANTI JOIN staging.survey_item_rejections AS x
  ON x.wave = a.wave AND x.source_file = a.source_file AND x.source_row = a.respondent_row
 AND x.source_id = a.source_id
