-- The staged item scores of every wave, as SCORED_SQL finds them, less the answers quarantined.
CREATE OR REPLACE VIEW staging.survey_item_scores AS
SELECT a.source_file, a.respondent_row AS source_row, a.wave, a.respondent_key, s.item_code, s.construct,
       a.answer, s.score
FROM raw.survey_answers AS a
JOIN staging.survey_responses AS r
  ON r.wave = a.wave AND r.source_file = a.source_file AND r.source_row = a.respondent_row
JOIN staging.survey_answer_scores AS s
  ON s.wave = a.wave AND s.tool = a.tool AND s.source_id = a.source_id AND s.answer = a.answer
ANTI JOIN staging.survey_item_rejections AS x
  ON x.wave = a.wave AND x.source_file = a.source_file AND x.source_row = a.respondent_row
 AND x.source_id = a.source_id
