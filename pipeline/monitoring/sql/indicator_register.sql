-- The indicator register as read, with the wicked problem of the partnership it names (for its drivers).
SELECT r.* EXCLUDE (loaded_at), p.wicked_problem
FROM raw.reference_indicator_register AS r
LEFT JOIN staging.partnerships AS p ON p.partnership_id = trim(r.partnership_id)
ORDER BY r.source_file, r.source_row
