"""Site-visit codings: REFI-QDA projects and coding tables as read, coded segments tied to a partnership
and a success factor, and how far the coders agree."""

import dagster as dg

from assets.tables import (
    checks_for,
    mart_asset,
    publish_and_describe,
    quarantine_of,
    quarantine_share_check,
    refused_files_check,
    step_results,
    table_specs,
)
from pipeline.codings import ingest, marts, staging
from pipeline.resources import EvaluationPaths, WarehouseResource

GROUP = dict(group_name="codings")
RAW_TABLES = ["raw.qda_segments", "raw.qda_case_variables"]
STAGED_TABLES = ["staging.coded_segments", "staging.unmapped_codes", *quarantine_of(["staging.coded_segments"])]


@dg.multi_asset(
    name="ingest_site_visit_codings", specs=table_specs(RAW_TABLES, kinds={"refi-qda"}, **GROUP), pool="warehouse"
)
def ingest_site_visit_codings(warehouse: WarehouseResource, paths: EvaluationPaths):
    """Site-visit codings from REFI-QDA projects (.qdpx/.qde) and coding tables: `raw.qda_segments`, one row
    per coding x case of its source, and `raw.qda_case_variables`, one row per case x variable."""
    with warehouse.get_connection() as con:
        reports = ingest.load_codings(con, paths.drop_zone.codings_dir, paths.drop_zone.data_dir, paths.read_limits)
        yield from step_results(con, RAW_TABLES, reports)


@dg.multi_asset(
    name="stage_site_visit_codings",
    specs=table_specs(
        STAGED_TABLES,
        deps=[*(f"raw_{t.split('.')[1]}" for t in RAW_TABLES), "stg_partnerships", "stg_codebook_factor_map"],
        kinds={"pandera"},
        **GROUP,
    ),
    pool="warehouse",
)
def stage_site_visit_codings(warehouse: WarehouseResource, paths: EvaluationPaths):
    """Coded site-visit passages tied to a partnership and a success factor (`staging.coded_segments`: one
    row per coding x case). Unmapped codes are listed in `staging.unmapped_codes`; codings whose case names
    no known partnership are quarantined."""
    with warehouse.get_connection() as con:
        links = staging.CodingLinks(paths.coding_case_variable, paths.coding_source_rule)
        reports = staging.stage_codings(con, links)
        yield from step_results(con, STAGED_TABLES, reports)


@mart_asset(deps=["stg_coded_segments"], group="codings")
def coder_agreement(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """How far the site-visit coders agree. Grain: one row per code plus a pooled row: percentage
    agreement, Cohen's kappa (two coders; 95% bootstrap and asymptotic intervals) or Fleiss' kappa with its z
    test (more coders), and Krippendorff's alpha with a 95% bootstrap interval, at the unit source document x
    code presence; plus one row per ordinal scale of codes (codebook `scale_value`) with weighted kappa
    (setting `coding_kappa_weights`) and ordinal alpha."""
    with warehouse.get_connection() as con:
        marts.build_coder_agreement(con, paths.coding_kappa_weights)
        return publish_and_describe(con, "coder_agreement", paths)


coding_assets = [ingest_site_visit_codings, stage_site_visit_codings, coder_agreement]
coding_checks = [
    refused_files_check("codings", RAW_TABLES),
    quarantine_share_check("codings"),
    *checks_for(["staging.coded_segments"], blocking=True),
    *checks_for(["marts.coder_agreement"]),
]
