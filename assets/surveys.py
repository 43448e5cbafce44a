"""Surveys: one wave per export file, partitioned; its raw answers and columns, its staged respondents and
scores, the order of the waves, and the survey marts; with the sensor that takes a wave when it lands."""

import json

import dagster as dg

from assets.tables import (
    asset_key,
    checks_for,
    mart_asset,
    partition_filter,
    publish_and_describe,
    quarantine_of,
    quarantine_share_check,
    run_partitions,
    step_results,
    table_metadata,
    table_specs,
)
from pipeline.quarantine import PARTITIONED
from pipeline.resources import EvaluationPaths, WarehouseResource
from pipeline.settings import DropZone
from pipeline.surveys import ingest, marts, staging
from pipeline.surveys.ingest import survey_wave_files
from pipeline.warehouse import file_state

GROUP = dict(group_name="surveys")
survey_waves = dg.DynamicPartitionsDefinition(name="survey_waves")

RAW_TABLES = ["raw.survey_rows", "raw.survey_columns"]
STAGED_TABLES = ["staging.survey_responses", "staging.survey_item_scores"]
WAVE_TABLES = [
    *STAGED_TABLES,
    "staging.survey_answer_scores",
    "staging.survey_item_rejections",
    "staging.survey_respondent_scores",
    "staging.survey_construct_summaries",
    "staging.survey_construct_reliability",
    "staging.survey_support_ratings",
    "staging.survey_unmapped_columns",
    *quarantine_of(STAGED_TABLES),
]
ORDER_TABLES = ["staging.survey_waves", "staging.survey_wave_pairs", "staging.latest_factor_scores"]
REFERENCE_DEPS = ["stg_partnerships", "stg_survey_instrument", "stg_likert_scales", "stg_stakeholder_groups"]


def unregistered_waves(instance: dg.DagsterInstance, drop_zone: DropZone) -> list[str]:
    """Waves with an export in the drop zone that are not yet partitions (the sensor and `make demo` use this)."""
    known = set(instance.get_dynamic_partitions(survey_waves.name))
    return [wave for wave in survey_wave_files(drop_zone.surveys_dir) if wave not in known]


def removed_waves(instance: dg.DagsterInstance, drop_zone: DropZone) -> list[str]:
    """Partitions whose export has left the drop zone."""
    files = survey_wave_files(drop_zone.surveys_dir)
    return sorted(wave for wave in instance.get_dynamic_partitions(survey_waves.name) if wave not in files)


def register_waves(instance: dg.DagsterInstance, drop_zone: DropZone) -> list[str]:
    """Add a partition for every wave found in the drop zone and delete the partition of every wave whose
    export is gone; returns the waves added."""
    new = unregistered_waves(instance, drop_zone)
    if new:
        instance.add_dynamic_partitions(survey_waves.name, new)
    for wave in removed_waves(instance, drop_zone):
        instance.delete_dynamic_partition(survey_waves.name, wave)
    return new


@dg.multi_asset(
    name="ingest_survey_wave",
    specs=table_specs(RAW_TABLES, kinds={"csv"}, **GROUP),
    partitions_def=survey_waves,
)
def ingest_survey_wave(context: dg.AssetExecutionContext, warehouse: WarehouseResource, paths: EvaluationPaths):
    """One survey wave's export as received, in `raw.survey_rows` (one row per response, its answers as one
    list; personal-data columns never read, respondent ids as keyed pseudonyms, free text redacted), and its
    header in `raw.survey_columns` (one row per column, with each loaded column's place in that list); the
    view `raw.survey_answers` shows the answers one by one. Partition: the wave (the export's file name).

    Outside the `warehouse` pool: when another process is writing the warehouse (a wave run beside this
    one), an export the warehouse does not hold yet is read, keyed and redacted into a file of its own
    meanwhile, and only stored once the warehouse is free."""
    wave = context.partition_key
    files = survey_wave_files(paths.drop_zone.surveys_dir)
    if wave not in files:
        raise dg.Failure(
            description=f"No export for survey wave {wave!r} in {paths.drop_zone.surveys_dir}",
            metadata={"waves_found": ", ".join(files) or "none"},
        )
    data_dir, key, folder = paths.drop_zone.data_dir, paths.respondent_key(), warehouse.wave_files_dir
    read_beside = warehouse.busy() and not ingest.stored_before(folder, wave, files[wave], data_dir, paths.read_limits)
    if read_beside:
        prepared = ingest.prepare_survey_wave(
            wave, files[wave], data_dir, key, folder, warehouse.connection_config, limits=paths.read_limits
        )
        context.log.info(f"Wave {wave} read while the warehouse was busy; storing it once the warehouse is free")

        def store(con):
            return ingest.store_prepared_wave(con, prepared, data_dir), prepared.export
    else:

        def store(con):
            return ingest.load_survey_wave(con, wave, files[wave], data_dir, key, limits=paths.read_limits)

    with warehouse.get_connection() as con:
        result, export = store(con)
        ingest.record_stored(con, folder, wave, result.source_file)
        answers, columns = (table_metadata(con, table, "wave = ?", [wave], preview=False) for table in RAW_TABLES)
    yield dg.MaterializeResult(
        asset_key="raw_survey_rows",
        metadata={
            **answers,
            "source_file": result.source_file,
            "unchanged_file_skipped": result.skipped_unchanged,
            "read_while_the_warehouse_was_busy": read_beside,
            "earlier_exports_replaced": ", ".join(result.superseded) or "none",
            "tool": export.tool,
            "columns_in_export": len(export.columns),
            "personal_data_columns_never_read": ", ".join(
                c.name for c in export.columns if c.kind in ("personal", "respondent_id")
            )
            or "none",
        },
    )
    yield dg.MaterializeResult(asset_key="raw_survey_columns", metadata=columns)


@dg.multi_asset(
    name="stage_survey_wave",
    specs=table_specs(
        WAVE_TABLES, deps=["raw_survey_rows", "raw_survey_columns", *REFERENCE_DEPS], kinds={"pandera"}, **GROUP
    ),
    partitions_def=survey_waves,
    pool="warehouse",
)
def stage_survey_wave(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """One wave conformed and validated: respondents tied to a known partnership and stakeholder group
    (`staging.survey_responses`: one row per wave x response), answers scored on their scale
    (`staging.survey_item_scores`: one row per wave x respondent x item, reverse-coded items reversed,
    don't-know empty), the per-wave summaries the marts read, and unmapped answer columns. Unknown
    partnerships and off-scale answers are quarantined with their reasons."""
    wave = context.partition_key
    with warehouse.get_connection() as con:
        reports = staging.stage_wave(con, wave)
        yield from step_results(con, WAVE_TABLES, reports, "wave = ?", [wave])


@dg.multi_asset(
    name="order_survey_waves",
    specs=table_specs(
        ORDER_TABLES,
        deps=[
            "stg_survey_responses",
            "stg_survey_construct_summaries",
            "stg_survey_item_scores",
            "stg_success_factors",
            "stg_reference_survey_waves",
        ],
        **GROUP,
    ),
    pool="warehouse",
)
def order_survey_waves(warehouse: WarehouseResource, paths: EvaluationPaths):
    """Across waves: their order (`staging.survey_waves`, by the positions of `reference/survey_waves.csv`,
    then earliest response, then name; with the programme's labels and fieldwork dates), the paired
    statistics of consecutive waves (`staging.survey_wave_pairs`) and each partnership's latest-wave score on
    each success factor (`staging.latest_factor_scores`). A wave whose export has left the drop zone is
    removed here, every row of it, so the marts downstream no longer show it."""
    with warehouse.get_connection() as con:
        reports = staging.stage_wave_order(con, list(survey_wave_files(paths.drop_zone.surveys_dir)))
        yield from step_results(con, ORDER_TABLES, reports)


@mart_asset(deps=["stg_survey_responses", "stg_survey_invitations", "stg_survey_waves"], group="surveys")
def response_rates(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Who answered each wave. Grain: one row per wave x partnership x stakeholder group: invited (where
    known), respondents and completed responses, response rate; counts under the disclosure threshold
    suppressed, with secondary suppression across partnerships' and groups' totals."""
    with warehouse.get_connection() as con:
        marts.build_response_rates(con, paths.disclosure_threshold)
        return publish_and_describe(con, "response_rates", paths)


@mart_asset(
    deps=["stg_survey_construct_summaries", "stg_survey_construct_reliability", "stg_survey_waves"], group="surveys"
)
def construct_scores(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Likert construct scores. Grain: one row per wave x partnership x construct: respondents, mean
    (reverse-coded items reversed, don't know left out), SD and 95% interval, beside the construct's
    Cronbach's alpha in that wave with Feldt's 95% interval."""
    with warehouse.get_connection() as con:
        marts.build_construct_scores(con, paths.disclosure_threshold)
        return publish_and_describe(con, "construct_scores", paths)


@mart_asset(deps=["stg_survey_support_ratings", "stg_survey_waves"], group="surveys")
def support_usefulness(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """How useful stakeholders found each part of the support offer (expert support, webinars, learning
    events, peer exchange, web forum, resources). Grain: one row per wave x support type x stakeholder
    group: ratings, non-use, share rating it useful, mean usefulness with 95% interval."""
    with warehouse.get_connection() as con:
        marts.build_support_usefulness(con, paths.disclosure_threshold)
        return publish_and_describe(con, "support_usefulness", paths)


@mart_asset(deps=["stg_survey_wave_pairs", "stg_survey_waves", "stg_survey_construct_summaries"], group="surveys")
def wave_change(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Change in each construct between consecutive waves. Grain: one row per partnership x construct x
    wave pair: a paired t-test where five or more respondents (by pseudonym) answered both waves, Welch's
    two-sample t-test otherwise, naming the test used; withheld below the disclosure threshold."""
    with warehouse.get_connection() as con:
        marts.build_wave_change(con, paths.disclosure_threshold)
        return publish_and_describe(con, "wave_change", paths)


@dg.asset_check(
    asset=asset_key("staging.survey_responses"),
    description="Every response of the wave is staged or quarantined, never both and never neither",
    blocking=True,
)
def survey_responses_accounted_for(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    """The item scores keep the answers of every response not quarantined (`staging.survey_item_scores` is a
    view over the raw answers), so a response neither staged nor quarantined would have its answers scored
    without its partnership or group ever being checked. Blocking, as the wave's grain checks are: in the
    run that takes a wave as it lands (`wave_landed_job`), the marts do not build on it."""
    where, params, scope = partition_filter(PARTITIONED["surveys"], run_partitions(context))
    with warehouse.get_connection() as con:
        failures = staging.responses_unaccounted(con, where, params)
        staged, quarantined = staging.responses_staged_and_quarantined(con, where, params)
    return dg.AssetCheckResult(
        passed=not failures,
        description="; ".join(
            f"{responses} response(s) {failure}, e.g. {example}" for failure, responses, example in failures
        )
        or None,
        metadata={
            "checked": scope,
            "responses_staged": staged,
            "responses_quarantined": quarantined,
            "failures": dg.MetadataValue.json(
                [
                    {"failure": failure, "responses": responses, "example": example}
                    for failure, responses, example in failures
                ]
            ),
        },
    )


wave_assets = [ingest_survey_wave, stage_survey_wave]
survey_assets = [*wave_assets, order_survey_waves, response_rates, construct_scores, support_usefulness, wave_change]
survey_checks = [
    # A wave's run checks that wave's rows: the waves before it were checked when they were loaded.
    quarantine_share_check("surveys"),
    survey_responses_accounted_for,
    *checks_for(STAGED_TABLES, blocking=True, partition_column=PARTITIONED["surveys"]),
    *checks_for(["marts.response_rates", "marts.construct_scores", "marts.support_usefulness", "marts.wave_change"]),
]


def build_survey_drop_sensor(landed: dg.JobDefinition, removed: dg.JobDefinition) -> dg.SensorDefinition:
    """A sensor on `$EVAL_DATA_DIR/surveys/` that requests `landed` for every new or changed export and
    `removed` when an export has left the folder."""

    @dg.sensor(jobs=[landed, removed], minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
    def survey_drop_sensor(context: dg.SensorEvaluationContext, paths: EvaluationPaths) -> dg.SensorResult:
        """Adds a wave partition for each new export in the surveys folder and runs that wave and the marts
        downstream of it. The cursor keeps each wave's export as last seen (name, size, modification time and
        content hash), so dropping the same file again changes nothing, a corrected file (same name, new
        content) runs its wave again, and so does an export renamed to a name giving the same wave (its rows
        then name it); an export whose size and modification time are unchanged is not read again. An export
        deleted from the folder deletes its partition and runs the wave order and the marts, which drop it."""
        seen: dict[str, dict | str] = json.loads(context.cursor) if context.cursor else {}
        new_waves = unregistered_waves(context.instance, paths.drop_zone)
        gone = removed_waves(context.instance, paths.drop_zone)
        files = survey_wave_files(paths.drop_zone.surveys_dir)
        requests = []
        for wave, path in files.items():
            before = seen.get(wave)
            if isinstance(before, str):  # a cursor written before the name was kept holds the hash alone
                before = {"name": path.name, "sha256": before}
            state = file_state(path, before)
            if before is None or (before["name"], before["sha256"]) != (state["name"], state["sha256"]):
                requests.append(
                    dg.RunRequest(
                        job_name=landed.name,
                        partition_key=wave,
                        run_key=f"{wave}:{state['name']}:{state['sha256']}",
                        tags={"source_file": path.name},
                    )
                )
            seen[wave] = state
        if gone:
            requests.append(dg.RunRequest(job_name=removed.name, run_key=f"removed:{','.join(gone)}:{len(seen)}"))
        for wave in gone:
            seen.pop(wave, None)
        partition_requests = [survey_waves.build_add_request(new_waves)] if new_waves else []
        if gone:
            partition_requests.append(survey_waves.build_delete_request(gone))
        return dg.SensorResult(
            run_requests=requests,
            dynamic_partitions_requests=partition_requests,
            cursor=json.dumps(seen, sort_keys=True),
        )

    return survey_drop_sensor
