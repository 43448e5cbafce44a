"""Reference data validated as a whole: each table against its model, then against each other."""

from __future__ import annotations

import duckdb

from pipeline.reference import schemas
from pipeline.reference.reader import optional_columns
from pipeline.staging import StageReport, read_frame, write_validated
from pipeline.validation import Validated, reject_unknown, reject_where, validate_frame
from pipeline.warehouse import replace_table


def stage_reference(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """Validate every reference table, then check that the tables agree with each other."""
    validated: dict[str, Validated] = {}
    for name, model in schemas.REFERENCE_MODELS.items():
        frame = read_frame(con, f"SELECT * EXCLUDE (loaded_at) FROM raw.reference_{name}")
        for column in optional_columns(model):  # a column the file may leave out is read as empty
            if column not in frame.columns:
                frame[column] = None
        validated[name] = validate_frame(frame, model)

    factors = set(validated["success_factors"].valid["factor_id"])
    scales = set(validated["likert_scales"].valid["scale_id"])
    validated["codebook_factor_map"] = reject_unknown(
        validated["codebook_factor_map"], "factor_id", factors, "factor {value!r} is not in success_factors.csv"
    )
    instrument = validated["survey_instrument"]
    instrument = reject_unknown(
        instrument,
        "construct",
        factors | {"support_usefulness"},
        "construct {value!r} is neither a success factor nor support_usefulness",
        applies=instrument.valid["role"] == "item",
    )
    validated["survey_instrument"] = reject_unknown(
        instrument,
        "scale_id",
        scales,
        "scale {value!r} is not in likert_scales.csv",
        applies=instrument.valid["role"] == "item",
    )

    objectives = set(validated["marmot_objectives"].valid["objective_id"])
    diagrams = validated["driver_diagrams"]
    unknown = diagrams.valid["marmot_objectives"].map(lambda listed: sorted(set(listed.split(";")) - objectives))
    validated["driver_diagrams"] = reject_where(
        diagrams,
        unknown.map(bool),
        [f"Marmot objective(s) {', '.join(u)} not in marmot_objectives.csv" for u in unknown if u],
    )
    validated["survey_invitations"] = reject_unknown(
        validated["survey_invitations"],
        "partnership_id",
        set(validated["partnerships"].valid["partnership_id"]),
        "partnership {value!r} is not in partnerships.csv",
    )
    validated["survey_invitations"] = reject_unknown(
        validated["survey_invitations"],
        "stakeholder_group",
        set(validated["stakeholder_groups"].valid["stakeholder_group"]),
        "stakeholder group {value!r} is not in stakeholder_groups.csv",
    )

    reports = [write_validated(con, name, result) for name, result in validated.items()]
    areas = (
        validated["partnerships"]
        .valid[["partnership_id", "area_codes"]]
        .assign(area_code=lambda f: f["area_codes"].str.split(";"))
    )
    areas = areas.explode("area_code")[["partnership_id", "area_code"]].reset_index(drop=True)
    rows = replace_table(con, "staging.partnership_areas", schemas.PartnershipArea.validate(areas))
    reports.append(StageReport("staging.partnership_areas", rows, 0))
    return reports
