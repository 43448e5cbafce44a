-- The range of scores of each answer scale the success-factor items use: the survey rating cut-offs
-- (settings survey_strong_from, survey_weak_to) must lie inside it.
SELECT l.scale_id, min(l.score) AS lowest, max(l.score) AS highest
FROM staging.likert_scales AS l
WHERE l.score IS NOT NULL
  AND l.scale_id IN (
      SELECT scale_id FROM staging.survey_instrument
      WHERE role = 'item' AND construct IN (SELECT factor_id FROM staging.success_factors)
  )
GROUP BY l.scale_id
ORDER BY l.scale_id
