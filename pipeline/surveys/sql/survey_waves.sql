-- Waves are ordered by when they opened (their earliest response), then by name where no tool says;
-- `opened` is that order (1 = first wave).
SELECT wave, row_number() OVER (ORDER BY min(started_at) NULLS FIRST, wave) AS opened
FROM staging.survey_responses GROUP BY wave
