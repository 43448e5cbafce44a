-- Waves are ordered by the programme's positions (reference/survey_waves.csv) where it gives them, then by
-- when they opened (their earliest response), then by name where no tool says; `opened` is that order
-- (1 = first wave). The programme's label and fieldwork dates come along (empty for a wave not in the file).
WITH responses AS (SELECT wave, min(started_at) AS first_response FROM staging.survey_responses GROUP BY wave)
SELECT r.wave,
       row_number() OVER (ORDER BY f.position NULLS LAST, r.first_response NULLS FIRST, r.wave) AS opened,
       f.label, f.fieldwork_start, f.fieldwork_end
FROM responses AS r LEFT JOIN staging.reference_survey_waves AS f USING (wave)
