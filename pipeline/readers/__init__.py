"""Readers: one per source format. Each turns a file as the tool wrote it into DataFrames with lineage."""
