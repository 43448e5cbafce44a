CREATE OR REPLACE TEMP TABLE _wave_candidates AS
SELECT r.wave, r.respondent_key, r.source_row, r.source_file, r.partnership_id, r.started_at,
       g.stakeholder_group, f.finished
FROM _wave_respondents AS r
LEFT JOIN _group_answers AS g ON g.group_answer = r.group_answer
LEFT JOIN _finished_answers AS f ON f.finished_answer = r.finished_answer
