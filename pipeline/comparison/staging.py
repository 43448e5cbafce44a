"""The evaluation team's success judgements, validated; unknown partnerships quarantined."""

from __future__ import annotations

import duckdb

from pipeline.comparison import schemas
from pipeline.staging import StageReport, read_frame, write_validated
from pipeline.validation import reject_unknown, validate_frame


def stage_assessments(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """Validate the evaluation team's success judgements; unknown partnerships are quarantined."""
    frame = read_frame(con, "SELECT * EXCLUDE (loaded_at) FROM raw.success_assessments")
    known = set(read_frame(con, "SELECT partnership_id FROM staging.partnerships")["partnership_id"])
    result = validate_frame(frame, schemas.SuccessAssessment)
    result = reject_unknown(
        result, "partnership_id", known, "partnership {value!r} is not in reference/partnerships.csv"
    )
    return [write_validated(con, "success_assessments", result)]
