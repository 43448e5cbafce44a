-- Whether two answers of one respondent could score the same item: two of the wave's columns mapped to
-- one item code, or an answer matching two rows of its scale. Without either, the item scores of the
-- wave's valid respondents (unique by pseudonym) are unique by construction and need no duplicate scan.
SELECT (SELECT count(*) FROM (
            SELECT f.item_code FROM raw.survey_columns AS c
            JOIN staging.survey_instrument AS f ON f.tool = c.tool AND f.role = 'item' AND f.source_id = c.source_id
            WHERE c.wave = $wave GROUP BY f.item_code HAVING count(*) > 1))
     + (SELECT count(*) FROM (
            SELECT scale_id, answer_key FROM (
                SELECT DISTINCT scale_id, answer_key, label FROM (
                    SELECT scale_id, lower(label) AS answer_key, label FROM staging.likert_scales
                    UNION ALL SELECT scale_id, code::VARCHAR, label FROM staging.likert_scales))
            GROUP BY ALL HAVING count(*) > 1))
