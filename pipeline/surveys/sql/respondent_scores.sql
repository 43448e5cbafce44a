INSERT INTO staging.survey_respondent_scores BY NAME
SELECT r.wave, r.respondent_key, r.partnership_id, p.construct, p.items, p.score
FROM _wave_per_respondent AS p
JOIN staging.survey_responses AS r ON r.wave = $wave AND r.{identity} = p.identity
