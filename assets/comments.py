"""Survey comments coded by theme: the coding tables as read, each coding tied to its (redacted) comment and
response, and the published theme counts and example quotes."""

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
from pipeline.comments import ingest, marts, staging
from pipeline.resources import EvaluationPaths, WarehouseResource

GROUP = dict(group_name="comments")
RAW_TABLES = [ingest.RAW_TABLE]
STAGED_TABLES = ["staging.comment_codings", *quarantine_of(["staging.comment_codings"])]


@dg.multi_asset(name="ingest_comment_codings", specs=table_specs(RAW_TABLES, kinds={"csv"}, **GROUP), pool="warehouse")
def ingest_comment_codings(warehouse: WarehouseResource, paths: EvaluationPaths):
    """Comment coding tables (`codings/comments/*.csv|xlsx`): `raw.comment_codings`, one row per coding of a
    survey comment with a theme, as the evaluators wrote it."""
    with warehouse.get_connection() as con:
        report = ingest.load_comment_codings(
            con, paths.drop_zone.codings_dir, paths.drop_zone.data_dir, paths.read_limits
        )
        yield from step_results(con, RAW_TABLES, [report])


@dg.multi_asset(
    name="stage_comment_codings",
    specs=table_specs(
        STAGED_TABLES,
        deps=["raw_comment_codings", "stg_survey_responses", "stg_survey_instrument", "stg_comment_themes"],
        kinds={"pandera"},
        **GROUP,
    ),
    pool="warehouse",
)
def stage_comment_codings(warehouse: WarehouseResource):
    """Each comment coding tied to its comment (as redacted at ingest), response, partnership and stakeholder
    group (`staging.comment_codings`: one row per comment x theme x coder). Codings naming an unknown wave,
    response, item or theme are quarantined with the file, row and column."""
    with warehouse.get_connection() as con:
        yield from step_results(con, STAGED_TABLES, staging.stage_comment_codings(con))


@mart_asset(deps=["stg_comment_codings"], group="comments")
def comment_themes(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """How often each theme comes up in the survey's comments. Grain: one row per theme x partnership x
    stakeholder group, plus totals per theme x partnership, theme x stakeholder group and theme; comments and
    responses withheld where under the disclosure threshold or where they would reveal such a count."""
    with warehouse.get_connection() as con:
        marts.build_comment_themes(con, paths.disclosure_threshold)
        return publish_and_describe(con, "comment_themes", paths)


@mart_asset(deps=["comment_themes", "stg_partnerships"], group="comments")
def comment_quotes(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Example quotes of each theme. Grain: one row per theme x stakeholder group x quote (up to two), only
    comments the personal-data scan finds nothing in, that lost nothing to redaction, name no partnership, and
    whose theme x stakeholder group row of comment_themes is published."""
    with warehouse.get_connection() as con:
        verdicts = marts.build_comment_quotes(con)
        return publish_and_describe(
            con, "comment_quotes", paths, status={"quote_verdicts": dg.MetadataValue.json(verdicts)}
        )


comment_assets = [ingest_comment_codings, stage_comment_codings, comment_themes, comment_quotes]
comment_checks = [
    refused_files_check("comments", RAW_TABLES),
    quarantine_share_check("comments"),
    *checks_for(["staging.comment_codings"], blocking=True),
    *checks_for(["marts.comment_themes", "marts.comment_quotes"]),
]
