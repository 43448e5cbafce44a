"""Information-mapping marts: interventions laid over each partnership's driver diagram."""

from __future__ import annotations

import duckdb

from pipeline import schemas
from pipeline.warehouse import replace_table

DRIVER_COVERAGE_SQL = """
WITH current AS (SELECT * FROM staging.interventions WHERE coalesce(status, 'active') <> 'ended')
SELECT p.partnership_id, p.wicked_problem, d.primary_driver_id, d.primary_driver, d.secondary_driver_id,
       d.secondary_driver, d.marmot_objectives,
       count(c.intervention) AS interventions, count(DISTINCT c.commissioner) AS commissioners,
       (SELECT count(*) FROM staging.interventions AS e
        WHERE e.partnership_id = p.partnership_id AND e.secondary_driver_id = d.secondary_driver_id AND e.status = 'ended')
           AS ended_interventions,
       sum(c.spend) AS annual_spend,
       CASE WHEN count(c.intervention) = 0 THEN 'gap'
            WHEN count(DISTINCT c.commissioner) >= 2 THEN 'duplication' ELSE 'covered' END AS coverage
FROM staging.partnerships AS p
JOIN staging.driver_diagrams AS d USING (wicked_problem)
LEFT JOIN current AS c ON c.partnership_id = p.partnership_id AND c.secondary_driver_id = d.secondary_driver_id
GROUP BY ALL
ORDER BY p.partnership_id, d.secondary_driver_id
"""

MARMOT_COVERAGE_SQL = """
WITH driver_objectives AS (
    SELECT c.partnership_id, c.secondary_driver_id, c.interventions, trim(o.unnest) AS objective_id
    FROM marts.driver_coverage AS c CROSS JOIN unnest(string_split(c.marmot_objectives, ';')) AS o
),
interventions AS (
    SELECT DISTINCT i.partnership_id, i.intervention, i.commissioner, trim(o.unnest) AS objective_id
    FROM staging.interventions AS i
    JOIN staging.driver_diagrams AS d USING (secondary_driver_id)
    CROSS JOIN unnest(string_split(d.marmot_objectives, ';')) AS o
    WHERE coalesce(i.status, 'active') <> 'ended'
)
SELECT p.partnership_id, m.objective_id, m.objective,
       count(DISTINCT d.secondary_driver_id) AS drivers,
       count(DISTINCT d.secondary_driver_id) FILTER (WHERE d.interventions > 0) AS drivers_covered,
       (SELECT count(*) FROM interventions AS i WHERE i.partnership_id = p.partnership_id AND i.objective_id = m.objective_id)
           AS interventions
FROM staging.partnerships AS p
CROSS JOIN staging.marmot_objectives AS m
LEFT JOIN driver_objectives AS d ON d.partnership_id = p.partnership_id AND d.objective_id = m.objective_id
GROUP BY ALL
ORDER BY p.partnership_id, m.objective_id
"""


def build_driver_coverage(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.driver_coverage`: one row per partnership x secondary driver, with gaps and duplication."""
    frame = schemas.DriverCoverageMart.validate(con.execute(DRIVER_COVERAGE_SQL).df())
    return replace_table(con, "marts.driver_coverage", frame)


def build_marmot_coverage(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.marmot_coverage`: one row per partnership x Marmot objective. Needs `marts.driver_coverage`."""
    frame = schemas.MarmotCoverageMart.validate(con.execute(MARMOT_COVERAGE_SQL).df())
    return replace_table(con, "marts.marmot_coverage", frame)
