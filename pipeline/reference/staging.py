"""Reference data validated as a whole: each table against its model, then against each other."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.reference import schemas
from pipeline.reference.reader import optional_columns
from pipeline.staging import StageReport, read_frame, write_validated
from pipeline.validation import Validated, reject_unknown, reject_where, validate_frame
from pipeline.warehouse import replace_table


def with_construct_kinds(instrument: Validated) -> Validated:
    """Scored items with an empty `construct_kind` are scale items (the default); the other rows have none.
    A construct whose items give it more than one kind is rejected whole: its kind would be ambiguous."""
    frame = instrument.valid.copy()
    items = frame["role"] == "item"
    frame["construct_kind"] = frame["construct_kind"].where(~items, frame["construct_kind"].fillna("scale"))
    frame.loc[~items, "construct_kind"] = None
    kinds = frame[items].groupby("construct")["construct_kind"].nunique()
    mixed = items & frame["construct"].isin(kinds.index[kinds > 1])
    return reject_where(
        Validated(frame, instrument.quarantined),
        mixed,
        [
            f"column 'construct_kind': the items of construct {construct!r} give it more than one kind "
            f"({', '.join(sorted(frame.loc[items & (frame['construct'] == construct), 'construct_kind'].unique()))})"
            for construct in frame.loc[mixed, "construct"]
        ],
    )


def after_support(result: Validated, date_column: str, support_end: pd.Series) -> Validated:
    """Rows dated before their partnership's support ended are rejected: what became of the work after support
    (sustainment, spread) cannot be found while the support still runs. `support_end` is indexed by partnership."""
    frame = result.valid
    ended = frame["partnership_id"].map(support_end)
    early = frame[date_column] < ended  # false where the partnership is unknown (rejected before)
    return reject_where(
        result,
        early,
        [
            f"column {date_column!r}: {date:%Y-%m-%d} is before {partnership}'s support ended ({end:%Y-%m-%d},"
            " partnerships.csv); what became of the work after support is dated on or after that day"
            for partnership, date, end in zip(
                frame.loc[early, "partnership_id"], frame.loc[early, date_column], ended[early], strict=True
            )
        ],
    )


def with_known_factors(register: Validated, factors: set[str]) -> Validated:
    """Evidence-register rows whose `factors` all name success factors; a row naming one the programme does not
    have is rejected whole, naming the unknown id(s) (one id in the wording the check links to a rejected
    factor row)."""
    unknown = register.valid["factors"].map(lambda listed: sorted(set(listed.split(";")) - factors))
    reasons = [
        f"column 'factors': factor {ids[0]!r} is not in success_factors.csv"
        if len(ids) == 1
        else f"column 'factors': factors {', '.join(map(repr, ids))} are not in success_factors.csv"
        for ids in unknown
        if ids
    ]
    return reject_where(register, unknown.map(bool).astype(bool), reasons)


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
    instrument = with_construct_kinds(validated["survey_instrument"])
    items = instrument.valid["role"] == "item"
    instrument = reject_unknown(
        instrument,
        "construct",
        factors,
        "construct {value!r} is not a success factor (success_factors.csv); items that rate parts of the "
        "support offer one by one need construct_kind support_offer",
        applies=items & (instrument.valid["construct_kind"] == "scale"),
    )
    items = instrument.valid["role"] == "item"
    instrument = reject_where(
        instrument,
        items & (instrument.valid["construct_kind"] == "support_offer") & instrument.valid["construct"].isin(factors),
        [
            f"column 'construct_kind': construct {construct!r} is a success factor, whose items form a scale: "
            "construct_kind must be scale (or empty)"
            for construct in instrument.valid.loc[
                items
                & (instrument.valid["construct_kind"] == "support_offer")
                & instrument.valid["construct"].isin(factors),
                "construct",
            ]
        ],
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

    waves = validated["survey_waves"].valid
    backwards = waves["fieldwork_end"] < waves["fieldwork_start"]  # false where either date is empty
    validated["survey_waves"] = reject_where(
        validated["survey_waves"],
        backwards,
        [
            f"column 'fieldwork_end': {end:%Y-%m-%d} is before fieldwork_start {start:%Y-%m-%d}; fieldwork cannot "
            "end before it starts"
            for start, end in waves.loc[backwards, ["fieldwork_start", "fieldwork_end"]].itertuples(index=False)
        ],
    )

    validated["unit_costs"] = reject_unknown(
        validated["unit_costs"],
        "indicator_id",
        set(validated["outcome_indicators"].valid["indicator_id"]),
        "indicator {value} is not in outcome_indicators.csv",
    )
    years = set(validated["deflators"].valid["year"])
    validated["unit_costs"] = reject_unknown(
        validated["unit_costs"],
        "cost_year",
        years,
        "price year {value} is not in deflators.csv (expected a year it lists, "
        + (f"{min(years)} to {max(years)})" if years else "and the file has none)"),
    )
    partnerships = validated["partnerships"].valid.set_index("partnership_id")["support_end"]
    for name, date_column in (("sustainment", "status_date"), ("spread", "spread_date")):
        validated[name] = after_support(
            reject_unknown(
                validated[name],
                "partnership_id",
                set(partnerships.index),
                "partnership {value!r} is not in partnerships.csv",
            ),
            date_column,
            partnerships,
        )
    validated["evidence_register"] = with_known_factors(validated["evidence_register"], factors)

    # A population is only ever a partnership's denominator: a code no partnership covers is a mistyped one.
    partnership_areas = {
        code for codes in validated["partnerships"].valid["area_codes"] for code in str(codes).split(";")
    }
    validated["area_populations"] = reject_unknown(
        validated["area_populations"],
        "area_code",
        partnership_areas,
        "area {value} is not an area of partnerships.csv (expected a code its area_codes lists)",
    )

    reports = [write_validated(con, schemas.staged_name(name), result) for name, result in validated.items()]
    areas = (
        validated["partnerships"]
        .valid[["partnership_id", "area_codes"]]
        .assign(area_code=lambda f: f["area_codes"].str.split(";"))
    )
    areas = areas.explode("area_code")[["partnership_id", "area_code"]].reset_index(drop=True)
    rows = replace_table(con, "staging.partnership_areas", schemas.PartnershipArea.validate(areas))
    reports.append(StageReport("staging.partnership_areas", rows, 0))
    return reports
