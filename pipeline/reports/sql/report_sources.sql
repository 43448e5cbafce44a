-- The drop zone's files as the pipeline loaded them, for the report's header: one row per file and raw table.
SELECT source_file, table_name, rows_loaded, loaded_at
FROM raw._load_ledger
ORDER BY source_file, table_name
