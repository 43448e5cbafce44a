"""Ingest: every file in the drop zone into `raw.*`, as received, with lineage; unchanged files are skipped."""

import dagster as dg

from assets.metadata import table_metadata
from assets.partitions import survey_waves
from pipeline import ingest
from pipeline.ingest import survey_wave_files
from pipeline.resources import EvaluationPaths, WarehouseResource

INGEST = dict(group_name="ingest", pool="warehouse")


def _reports_metadata(reports: list[ingest.IngestReport]) -> dict[str, object]:
    return {f"{report.table}": dg.MetadataValue.json(report.as_metadata()) for report in reports}


@dg.asset(kinds={"duckdb", "csv"}, **INGEST)
def raw_reference_data(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Reference tables edited by the evaluators (partnerships, success factors, survey instrument,
    codebook map, outcome indicators), one `raw.reference_<name>` table each. Grain: one row per CSV row."""
    with warehouse.get_connection() as con:
        reports = ingest.load_reference(con, paths.drop_zone.reference_dir, paths.drop_zone.data_dir)
    return dg.MaterializeResult(metadata=_reports_metadata(reports))


@dg.asset(kinds={"duckdb", "qualtrics"}, partitions_def=survey_waves, **INGEST)
def raw_survey_answers(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, paths: EvaluationPaths
) -> dg.MaterializeResult:
    """One survey wave's export, unpivoted to `raw.survey_answers`: one row per respondent x answered
    column, personal-data columns never read, respondent ids as keyed pseudonyms, free text redacted.
    The export's header goes to `raw.survey_columns`. Partition: the wave (the export's file name)."""
    wave = context.partition_key
    files = survey_wave_files(paths.drop_zone.surveys_dir)
    if wave not in files:
        raise dg.Failure(
            description=f"No export for survey wave {wave!r} in {paths.drop_zone.surveys_dir}",
            metadata={"waves_found": ", ".join(files) or "none"},
        )
    with warehouse.get_connection() as con:
        result, export = ingest.load_survey_wave(con, wave, files[wave], paths.drop_zone.data_dir)
        metadata = table_metadata(con, "raw.survey_answers", "wave = ?", [wave])
    return dg.MaterializeResult(
        metadata={
            **metadata,
            "source_file": result.source_file,
            "unchanged_file_skipped": result.skipped_unchanged,
            "tool": export.tool,
            "columns_in_export": len(export.columns),
            "personal_data_columns_never_read": ", ".join(
                c.name for c in export.columns if c.kind in ("personal", "respondent_id")
            )
            or "none",
        }
    )


@dg.asset(kinds={"duckdb", "refi-qda"}, **INGEST)
def raw_site_visit_codings(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Site-visit codings from REFI-QDA projects (.qdpx/.qde): `raw.qda_segments`, one row per coding x case
    of its source, and `raw.qda_case_variables`, one row per case x variable."""
    with warehouse.get_connection() as con:
        reports = ingest.load_codings(con, paths.drop_zone.codings_dir, paths.drop_zone.data_dir)
        metadata = table_metadata(con, "raw.qda_segments")
    return dg.MaterializeResult(metadata={**metadata, **_reports_metadata(reports)})


@dg.asset(kinds={"duckdb", "csv"}, **INGEST)
def raw_outcome_values(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Outcome statistics as published: Fingertips downloads (`raw.fingertips_values`), tidy series
    (`raw.tidy_outcome_values`) and FingertipsNext extracts (`raw.fingertipsnext_values`), one row per
    published value, every cell as text."""
    with warehouse.get_connection() as con:
        reports = ingest.load_outcomes(con, paths.drop_zone.outcomes_dir, paths.drop_zone.data_dir)
    return dg.MaterializeResult(metadata=_reports_metadata(reports))


@dg.asset(kinds={"duckdb", "csv"}, **INGEST)
def raw_deprivation(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """English Indices of Deprivation district summaries in `raw.deprivation`: one row per district x domain."""
    with warehouse.get_connection() as con:
        report = ingest.load_deprivation(con, paths.drop_zone.deprivation_dir, paths.drop_zone.data_dir)
        metadata = table_metadata(con, "raw.deprivation")
    return dg.MaterializeResult(metadata={**metadata, **_reports_metadata([report])})


ingest_assets = [raw_reference_data, raw_survey_answers, raw_site_visit_codings, raw_outcome_values, raw_deprivation]


@dg.asset(kinds={"duckdb", "excel"}, **INGEST)
def raw_interventions(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Each partnership's inventory of commissioned interventions (CSV or Excel, one file per partnership),
    in `raw.interventions`: one row per inventory row."""
    with warehouse.get_connection() as con:
        report = ingest.load_interventions(con, paths.drop_zone.interventions_dir, paths.drop_zone.data_dir)
        metadata = table_metadata(con, "raw.interventions")
    return dg.MaterializeResult(metadata={**metadata, **_reports_metadata([report])})


ingest_assets.append(raw_interventions)


@dg.asset(kinds={"duckdb", "csv"}, **INGEST)
def raw_success_assessments(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """The evaluation team's judgement of whether each partnership achieved its objectives (`assessments/`),
    in `raw.success_assessments`: one row per partnership."""
    with warehouse.get_connection() as con:
        report = ingest.load_assessments(con, paths.drop_zone.assessments_dir, paths.drop_zone.data_dir)
        metadata = table_metadata(con, "raw.success_assessments")
    return dg.MaterializeResult(metadata={**metadata, **_reports_metadata([report])})


ingest_assets.append(raw_success_assessments)
