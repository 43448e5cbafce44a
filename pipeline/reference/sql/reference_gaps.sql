-- What the reference data leaves out, each with its severity: a success factor no survey item or code
-- measures (an error: the factor could only ever show "no evidence"); a QCA condition on an unknown factor
-- (an error); a partnership whose problem has no outcome indicator (a gap: reported, the run goes on).
SELECT 'error' AS severity, f.source_file, f.source_row, 'factor_id' AS column_name,
       format('success factor ''{}'' has no evidence source: no survey item in survey_instrument.csv and no code in codebook_factor_map.csv', f.factor_id) AS message
FROM staging.success_factors AS f
WHERE f.factor_id NOT IN (SELECT construct FROM staging.survey_instrument WHERE role = 'item' AND construct IS NOT NULL)
  AND f.factor_id NOT IN (SELECT factor_id FROM staging.codebook_factor_map)
UNION ALL
SELECT 'error', q.source_file, q.source_row, 'factor_id',
       format('QCA condition {} names factor ''{}'', which is not in success_factors.csv', q.condition, q.factor_id)
FROM staging.qca_conditions AS q
WHERE q.factor_id NOT IN (SELECT factor_id FROM staging.success_factors)
UNION ALL
SELECT 'gap', p.source_file, p.source_row, 'wicked_problem',
       format('partnership {} tackles ''{}'', which has no indicator in outcome_indicators.csv: its outcomes cannot be measured', p.partnership_id, p.wicked_problem)
FROM staging.partnerships AS p
WHERE p.wicked_problem NOT IN (SELECT wicked_problem FROM staging.outcome_indicators)
ORDER BY ALL
