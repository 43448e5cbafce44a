-- Each partnership x indicator's change against England, with the follow-up period's denominator and length,
-- the indicator's multiplier, whether its rate is per head of the whole population (denominator_population)
-- and its unit cost (if reference/unit_costs.csv gives one).
SELECT c.partnership_id, c.indicator_id, c.indicator_name, c.polarity, c.classification, c.reason,
       c.baseline_period, c.followup_period, c.change_vs_england, c.change_ci_low, c.change_ci_high,
       t.denominator, t.period_start AS followup_start, t.period_end AS followup_end,
       i.multiplier, i.denominator_population,
       u.cost_gbp, u.cost_year, u.description AS cost_description, u.source AS cost_source, u.url AS cost_url
FROM marts.outcome_change c
LEFT JOIN marts.outcome_trends t
       ON t.partnership_id = c.partnership_id AND t.indicator_id = c.indicator_id AND t.period = c.followup_period
LEFT JOIN (SELECT indicator_id, max(multiplier) AS multiplier, max(denominator_population) AS denominator_population
           FROM staging.outcome_indicators GROUP BY indicator_id) i
       ON i.indicator_id = c.indicator_id
LEFT JOIN staging.unit_costs u ON u.indicator_id = c.indicator_id
ORDER BY c.partnership_id, c.indicator_id
