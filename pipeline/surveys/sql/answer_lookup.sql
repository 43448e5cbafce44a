-- Each answer to a scored item with its score on the item's scale (reverse-coded items reversed), or the
-- reason it is not on the scale. An answer matches a scale row by its label (any case) or its code. A wave's
-- answers to scored items are few distinct texts (each scale's labels or codes), so each distinct answer of
-- each item is scored once into `_wave_answer_lookup`, and the wave's millions of answers are found in that
-- small table by equality rather than each being trimmed, lower-cased and matched. The wave's answers are a
-- query of (tool, source_id, answer) given by the caller (`pipeline.surveys.staging.score_answers`).
CREATE OR REPLACE TEMP TABLE _wave_answer_lookup AS
WITH scale_range AS (
    SELECT scale_id, min(score) + max(score) AS reverse_sum, string_agg(label, ' / ' ORDER BY code) AS labels
    FROM staging.likert_scales GROUP BY scale_id
),
answer_keys AS (
    SELECT DISTINCT scale_id, answer_key, label, score FROM (
        SELECT scale_id, lower(label) AS answer_key, label, score FROM staging.likert_scales
        UNION ALL
        SELECT scale_id, code::VARCHAR, label, score FROM staging.likert_scales
    )
),
items AS (SELECT * FROM staging.survey_instrument WHERE role = 'item'),
answers AS (
    SELECT DISTINCT tool, source_id, answer FROM ({answers}) WHERE source_id IN (SELECT source_id FROM items)
)
SELECT a.tool, a.source_id, a.answer, f.item_code, f.construct,
       CASE WHEN f.reverse_coded THEN r.reverse_sum - s.score ELSE s.score END AS score,
       CASE WHEN s.label IS NULL THEN format('answer {} to {} is not on scale {} ({})', a.answer, f.item_code, f.scale_id, r.labels) END
           AS off_scale_reason
FROM answers AS a
JOIN items AS f ON f.tool = a.tool AND f.source_id = a.source_id
JOIN scale_range AS r ON r.scale_id = f.scale_id
LEFT JOIN answer_keys AS s ON s.scale_id = f.scale_id AND s.answer_key = lower(trim(a.answer))
