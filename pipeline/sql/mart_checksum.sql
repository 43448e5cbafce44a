-- A published mart's content checksum: its rows and columns, and an MD5 over its rows' text in sorted
-- order, so two refreshes that publish the same content give the same line whatever the row order.
SELECT count(*) AS rows,
       (SELECT count(*) FROM (DESCRIBE SELECT * FROM read_parquet($path))) AS columns,
       md5(coalesce(string_agg(md5(t::VARCHAR), '' ORDER BY md5(t::VARCHAR)), '')) AS checksum
FROM read_parquet($path) AS t
