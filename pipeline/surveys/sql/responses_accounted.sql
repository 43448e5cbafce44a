-- Each response of the waves picked by {where} (a respondent row of an export, as raw.survey_rows holds
-- it) is staged or quarantined, never both and never neither. The item scores (item_scores_view.sql) keep
-- the answers of every response not quarantined, so a response neither staged nor quarantined would leak
-- its answers into the scores. One row per way this fails, with how many responses and one example.
WITH received AS (
    SELECT wave, source_file, respondent_row AS source_row FROM raw.survey_rows WHERE {where}
),
staged AS (SELECT wave, source_file, source_row FROM staging.survey_responses WHERE {where}),
quarantined AS (SELECT DISTINCT wave, source_file, source_row FROM quarantine.survey_responses WHERE {where}),
failures AS (
    SELECT 'neither staged nor quarantined' AS failure, *
    FROM received
    ANTI JOIN staged USING (wave, source_file, source_row)
    ANTI JOIN quarantined USING (wave, source_file, source_row)
    UNION ALL
    SELECT 'both staged and quarantined', * FROM staged SEMI JOIN quarantined USING (wave, source_file, source_row)
    UNION ALL
    SELECT 'staged or quarantined but not among the raw answers', *
    FROM (FROM staged UNION FROM quarantined) ANTI JOIN received USING (wave, source_file, source_row)
)
SELECT failure, count(*) AS responses, min(concat_ws(', ', wave, source_file, 'row ' || source_row)) AS example
FROM failures
GROUP BY failure
ORDER BY failure
