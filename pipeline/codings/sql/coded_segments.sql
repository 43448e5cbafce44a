-- A coding's partnership, first found wins: the case's partnership variable ($case_variable); the case's
-- name being a partnership's id or name; the source's name: by the source-naming rule $source_rule (its
-- first group an id) where one is set, else by starting with a partnership's id (the longest that fits)
-- followed by anything but a letter or digit.

WITH case_partnership AS (
    SELECT DISTINCT source_file, case_name, value AS partnership_id
    FROM raw.qda_case_variables WHERE lower(variable_name) = lower($case_variable)
)
SELECT s.source_file, s.source_name, s.case_name, s.code_path, s.coder,
       s.start_position, s.end_position, redact(s.excerpt) AS excerpt,
       coalesce(
           cp.partnership_id,
           p.partnership_id,
           CASE WHEN $source_rule <> '' THEN nullif(regexp_extract(s.source_name, $source_rule, 1), '')
                ELSE (SELECT max_by(n.partnership_id, length(n.partnership_id)) FROM staging.partnerships AS n
                      WHERE starts_with(s.source_name, n.partnership_id)
                        AND NOT regexp_matches(substr(s.source_name, length(n.partnership_id) + 1, 1), '[[:alnum:]]'))
           END
       )
           AS partnership_id,
       m.factor_id, m.direction
FROM raw.qda_segments AS s
LEFT JOIN case_partnership AS cp ON cp.source_file = s.source_file AND cp.case_name = s.case_name
LEFT JOIN staging.partnerships AS p
       ON lower(s.case_name) IN (lower(p.partnership_id), lower(p.partnership_name))
LEFT JOIN staging.codebook_factor_map AS m ON m.code_path = s.code_path
