-- The answers of the wave's staged responses that {lookup} (rows of _wave_answer_lookup) scores, each with
-- its score or the reason it has none (a rejected response's answers stay with its quarantine record).
-- Staged is "not quarantined", as in item_scores_view.sql, so the join held in memory is the small one.
SELECT a.wave, a.respondent_key, a.respondent_row AS source_row, a.source_file, a.source_id, l.item_code,
       l.construct, a.answer, l.score, l.off_scale_reason
FROM raw.survey_answers AS a
ANTI JOIN quarantine.survey_responses AS q
  ON q.wave = a.wave AND q.source_file = a.source_file AND q.source_row = a.respondent_row
JOIN {lookup} AS l ON l.tool = a.tool AND l.source_id = a.source_id AND l.answer = a.answer
WHERE a.wave = $wave
