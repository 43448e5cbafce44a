"""Reference data: the evaluators' CSVs as read (`raw.reference_<name>`), validated as a whole (`staging.*`,
rejects in `quarantine.*`), and the partnership areas derived from them."""

import dagster as dg

from assets.tables import (
    checks_for,
    mart_asset,
    publish_and_describe,
    quarantine_of,
    quarantine_share_check,
    step_results,
    table_specs,
)
from pipeline.reference import ingest, marts, staging
from pipeline.reference.schemas import REFERENCE_MODELS, staged_name
from pipeline.resources import EvaluationPaths, WarehouseResource

GROUP = dict(group_name="reference")
RAW_TABLES = [f"raw.reference_{name}" for name in REFERENCE_MODELS]
REFERENCE_TABLES = [f"staging.{staged_name(name)}" for name in REFERENCE_MODELS]
STAGED_TABLES = [*REFERENCE_TABLES, "staging.partnership_areas", *quarantine_of(REFERENCE_TABLES)]


@dg.multi_asset(name="ingest_reference_data", specs=table_specs(RAW_TABLES, kinds={"csv"}, **GROUP), pool="warehouse")
def ingest_reference_data(warehouse: WarehouseResource, paths: EvaluationPaths):
    """Reference tables edited by the evaluators (partnerships, success factors, survey instrument, codebook
    map, outcome indicators, ...), one `raw.reference_<name>` table each. Grain: one row per CSV row."""
    with warehouse.get_connection() as con:
        reports = ingest.load_reference(con, paths.drop_zone.reference_dir, paths.drop_zone.data_dir, paths.read_limits)
        yield from step_results(con, RAW_TABLES, reports)


@dg.multi_asset(
    name="stage_reference_data",
    specs=table_specs(
        STAGED_TABLES, deps=[f"raw_reference_{name}" for name in REFERENCE_MODELS], kinds={"pandera"}, **GROUP
    ),
    pool="warehouse",
)
def stage_reference_data(warehouse: WarehouseResource):
    """Validated reference tables (`staging.partnerships`, `staging.success_factors`, ...) and
    `staging.partnership_areas` (one row per partnership x area). Rows that fail their schema, or name a
    factor, construct or scale the other tables do not know, go to `quarantine.<table>`."""
    with warehouse.get_connection() as con:
        reports = staging.stage_reference(con)
        yield from step_results(con, STAGED_TABLES, reports)


@mart_asset(
    deps=["stg_success_factors", "stg_qca_conditions", "stg_survey_instrument", "stg_stakeholder_groups"]
    + ["stg_partnerships", "stg_outcome_indicators", "stg_driver_diagrams", "stg_reference_survey_waves"],
    group="reference",
)
def labels(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """The names behind the ids researchers meet in the other marts. Grain: one row per kind x id: success
    factors, QCA conditions (and the outcome), survey constructs, stakeholder groups, wicked problems and
    the survey waves `survey_waves.csv` labels and the outcome indicators (with their units), each with its name
    and meaning, from the reference data."""
    with warehouse.get_connection() as con:
        marts.build_labels(con)
        return publish_and_describe(con, "labels", paths)


@mart_asset(deps=["stg_success_factors", "stg_evidence_register"], group="reference")
def evidence_register(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """The literature and documents the evaluators reviewed, beside the success factors they speak to. Grain:
    one row per document x success factor, with the citation, year, kind, finding, direction and GRADE
    strength from `reference/evidence_register.csv` (optional; empty without it)."""
    with warehouse.get_connection() as con:
        marts.build_evidence_register(con)
        return publish_and_describe(con, "evidence_register", paths)


@mart_asset(deps=["evidence_register"], group="reference")
def evidence_by_factor(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """What the reviewed literature says about each success factor. Grain: one row per success factor: the
    documents speaking to it by direction (supports, mixed, against) and by GRADE strength, and its strongest
    item (highest strength, then most recent)."""
    with warehouse.get_connection() as con:
        marts.build_evidence_by_factor(con)
        return publish_and_describe(con, "evidence_by_factor", paths)


reference_assets = [ingest_reference_data, stage_reference_data, labels, evidence_register, evidence_by_factor]
reference_checks = [
    *checks_for([*REFERENCE_TABLES, "staging.partnership_areas"], blocking=True),
    *checks_for(["marts.labels", "marts.evidence_register", "marts.evidence_by_factor"]),
    quarantine_share_check("reference"),
]
