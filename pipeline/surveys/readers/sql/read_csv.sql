-- RFC 4180, every column text: values stay as exported. `skip` counts CSV records, so a header cell
-- holding a newline still counts once. The file and column names are bound parameters, never SQL text.
SELECT * FROM read_csv($path, header = false, skip = $skip, auto_detect = false,
                       delim = ',', quote = '"', escape = '"', columns = $columns, encoding = $encoding)
