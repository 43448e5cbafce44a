"""Partnership evaluation pipeline: readers, schemas, methods and publishing, free of Dagster."""
