SELECT c.wave, c.tool, c.column_name, c.source_id, c.question_text,
       (SELECT count(r.answers[c.answer_index]) FROM raw.survey_rows AS r WHERE r.wave = c.wave) AS answers
FROM raw.survey_columns AS c
WHERE c.wave = ? AND c.kind = 'answer'
  AND c.source_id NOT IN (SELECT source_id FROM staging.survey_instrument AS f WHERE f.tool = c.tool)
ORDER BY c.position
