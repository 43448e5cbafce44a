-- Whether a response's position in the file names it as well as its pseudonym does (see above).
SELECT (SELECT count(DISTINCT source_file) FROM raw.survey_columns WHERE wave = $wave) <= 1
   AND (SELECT count(*) = count(DISTINCT source_row) FROM staging.survey_responses WHERE wave = $wave)
