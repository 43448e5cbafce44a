-- One row per kind x id: the names researchers join to the ids other marts carry.
WITH factors AS (SELECT factor_id, factor_name, description FROM staging.success_factors),
constructs AS (
    SELECT construct, min(construct_kind) AS construct_kind
    FROM staging.survey_instrument WHERE construct IS NOT NULL GROUP BY ALL
),
problems AS (
    SELECT wicked_problem FROM staging.partnerships
    UNION SELECT wicked_problem FROM staging.outcome_indicators
    UNION SELECT wicked_problem FROM staging.driver_diagrams
)
SELECT 'factor' AS kind, factor_id AS id, factor_name AS name, description FROM factors
UNION ALL
SELECT 'qca_condition', q.condition, f.factor_name,
       'QCA condition: the partnership''s membership in strong ' || f.factor_name || ' (success factor ' || q.factor_id || ')'
FROM staging.qca_conditions AS q JOIN factors AS f USING (factor_id)
UNION ALL
SELECT 'qca_condition', $outcome, 'Success', 'QCA outcome: the evaluation team''s assessment that the partnership achieved its objectives'
UNION ALL
SELECT 'construct', c.construct,
       coalesce(f.factor_name, upper(left(c.construct, 1)) || replace(substr(c.construct, 2), '_', ' ')),
       CASE c.construct_kind
           WHEN 'support_offer' THEN 'Survey ratings of each part of the support offer (scored item by item)'
           ELSE 'Survey scale: mean of its items' || coalesce(' on success factor ' || f.factor_id, '')
       END
FROM constructs AS c LEFT JOIN factors AS f ON f.factor_id = c.construct
UNION ALL
SELECT 'stakeholder_group', stakeholder_group, label, 'Stakeholder group, as survey exports name it' FROM staging.stakeholder_groups
UNION ALL
SELECT 'wicked_problem', wicked_problem, upper(left(wicked_problem, 1)) || replace(substr(wicked_problem, 2), '_', ' '),
       'Wicked problem partnerships tackle (named from its id)'
FROM problems
UNION ALL
SELECT 'wave', wave, label,
       'Survey wave' || coalesce(', fieldwork ' || strftime(fieldwork_start, '%Y-%m-%d') || ' to ' || strftime(fieldwork_end, '%Y-%m-%d'), '')
FROM staging.reference_survey_waves
UNION ALL
-- An indicator listed under several wicked problems is named once; its description is its unit.
SELECT 'outcome_indicator', indicator_id::VARCHAR, min(indicator_name), min(unit)
FROM staging.outcome_indicators GROUP BY indicator_id
ORDER BY kind, id
