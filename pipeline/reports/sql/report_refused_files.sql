-- Files of the drop zone refused at the last load, with the reason, for the report's header.
SELECT source_file, table_name, reason, refused_at
FROM raw.refused_files
ORDER BY source_file, table_name
