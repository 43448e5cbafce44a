-- One row per staged response of the wave with its item scores in the row ({places} and {items}: see
-- `staging._score_rows`), an answer quarantined (staging.survey_item_rejections) left unscored.
CREATE OR REPLACE TEMP TABLE _wave_scored AS
SELECT respondent_key, partnership_id, stakeholder_group, {items}
FROM (
    SELECT s.respondent_key, s.partnership_id, s.stakeholder_group, {places}
    FROM raw.survey_rows AS r
    JOIN staging.survey_responses AS s
      ON s.wave = $wave AND s.source_file = r.source_file AND s.source_row = r.respondent_row
    LEFT JOIN (
        SELECT source_file, source_row, list(source_id) AS rejected
        FROM staging.survey_item_rejections WHERE wave = $wave GROUP BY ALL
    ) AS x ON x.source_file = r.source_file AND x.source_row = r.respondent_row
    WHERE r.wave = $wave
)
