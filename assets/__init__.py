"""The Dagster asset graph: thin wrappers over `pipeline`, grouped by layer and source."""
