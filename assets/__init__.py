"""The Dagster asset graph, one module per kind of evidence: thin wrappers over `pipeline/<source>/`."""
