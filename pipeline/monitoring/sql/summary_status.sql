-- marts.monitoring_summary at a glance: its totals over the partnerships.
SELECT count(*) AS partnerships,
       coalesce(sum(indicators), 0) AS indicators,
       coalesce(sum(on_track), 0) AS on_track,
       coalesce(sum(off_track), 0) AS off_track,
       coalesce(sum(no_target), 0) AS no_target,
       coalesce(sum(with_special_cause), 0) AS with_special_cause,
       coalesce(sum(late_returns), 0) AS late_returns,
       coalesce(sum(missing_returns), 0) AS missing_returns,
       count(*) FILTER (WHERE late_returns + missing_returns > 0) AS partnerships_with_late_or_missing_returns
FROM marts.monitoring_summary
