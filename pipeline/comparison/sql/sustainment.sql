-- One row per partnership: its status after support (staging.sustainment), its spread (staging.spread: how many
-- took the work up, and the latest), its success assessment and its rating on the factor $factor_id.
WITH spread AS (
    SELECT partnership_id, spread_kind, description, spread_date,
           count(*) OVER (PARTITION BY partnership_id) AS spread_count,
           row_number() OVER (PARTITION BY partnership_id ORDER BY spread_date DESC, spread_kind, description) AS rank
    FROM staging.spread
)
SELECT p.partnership_id, p.partnership_name, p.programme_round, p.support_end,
       s.status, s.status_date, s.evidence,
       CASE WHEN s.status IS NULL THEN NULL ELSE s.status <> 'stopped' END AS continued,
       coalesce(sp.spread_count, 0) AS spread_count,
       sp.spread_kind AS latest_spread_kind, sp.description AS latest_spread, sp.spread_date AS latest_spread_date,
       a.achieved_objectives,
       f.factor_id, m.triangulated_rating AS factor_rating
FROM staging.partnerships AS p
LEFT JOIN staging.sustainment AS s USING (partnership_id)
LEFT JOIN spread AS sp ON sp.partnership_id = p.partnership_id AND sp.rank = 1
LEFT JOIN staging.success_assessments AS a ON a.partnership_id = p.partnership_id
LEFT JOIN staging.success_factors AS f ON f.factor_id = $factor_id
LEFT JOIN marts.success_factor_matrix AS m ON m.partnership_id = p.partnership_id AND m.factor_id = f.factor_id
ORDER BY p.partnership_id
