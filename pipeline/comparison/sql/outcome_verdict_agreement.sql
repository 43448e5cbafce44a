-- Each partnership's success verdict (staging.success_assessments) beside the classification of its headline
-- outcome (marts.outcome_change). The rule (OutcomeVerdictAgreementMart): improved and achieved, or worsened and
-- not achieved: agree; worsened and achieved, or improved and not achieved: disagree; no clear change,
-- insufficient data, no verdict or no headline indicator: cannot tell. A "(point estimate)" class counts as its
-- direction unless $needs_interval (the setting improved_needs_interval), when it cannot tell either.
WITH headline AS (
    SELECT partnership_id, indicator_id, indicator_name, classification, reason
    FROM marts.outcome_change WHERE headline
),
joined AS (
    SELECT p.partnership_id, j.achieved_objectives, h.indicator_id, h.indicator_name, h.classification,
           h.reason AS data_reason,
           h.classification LIKE '% (point estimate)' AS point_estimate,
           CASE
               WHEN h.classification LIKE '% (point estimate)' AND $needs_interval THEN NULL
               WHEN h.classification IN ('improved', 'improved (point estimate)') THEN 'improved'
               WHEN h.classification IN ('worsened', 'worsened (point estimate)') THEN 'worsened'
           END AS direction
    FROM staging.partnerships AS p
    LEFT JOIN staging.success_assessments AS j USING (partnership_id)
    LEFT JOIN headline AS h USING (partnership_id)
)
SELECT partnership_id, achieved_objectives, indicator_id AS headline_indicator_id,
       indicator_name AS headline_indicator_name, classification,
       CASE
           WHEN achieved_objectives IS NULL OR direction IS NULL THEN 'cannot tell'
           WHEN (direction = 'improved') = achieved_objectives THEN 'agree'
           ELSE 'disagree'
       END AS agreement,
       CASE
           WHEN achieved_objectives IS NULL THEN 'no success assessment'
           WHEN indicator_id IS NULL THEN 'no headline outcome indicator for its wicked problem'
           WHEN classification = 'insufficient data'
               THEN 'the headline outcome has insufficient data' || coalesce(': ' || data_reason, '')
           WHEN classification LIKE 'no clear change%' THEN 'no clear change in the headline outcome against England'
           WHEN direction IS NULL
               THEN 'the headline outcome''s change has no 95% interval, and improved_needs_interval asks for one'
           ELSE CASE WHEN achieved_objectives THEN 'judged to have achieved its objectives'
                     ELSE 'judged not to have achieved its objectives' END
                || CASE WHEN (direction = 'improved') = achieved_objectives THEN ', and' ELSE ', yet' END
                || ' its headline outcome ' || direction || ' against England'
                || CASE WHEN point_estimate THEN ' (point estimate, without a 95% interval)' ELSE '' END
       END AS reason
FROM joined
ORDER BY partnership_id
