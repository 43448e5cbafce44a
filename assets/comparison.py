"""Comparison across sources: the evaluation team's success assessments, each partnership's profile, the
success-factor matrix, and which factors, alone or together, go with success (QCA, typology, a simple
model, and success and outcomes by factor level)."""

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
from pipeline.comparison import analysis, ingest, marts, staging
from pipeline.comparison import sustainment as sustainment_module
from pipeline.methods.triangulation import RatingRules
from pipeline.resources import EvaluationPaths, WarehouseResource

GROUP = dict(group_name="comparison")


def evidence_metadata(cases: int, base: str) -> dict[str, object]:
    """What a comparative analysis rests on, for its asset's metadata: the partnerships analysed and the
    evidence their factor levels come from."""
    return {"cases": cases, "evidence_base": base}


STAGED_TABLES = ["staging.success_assessments", *quarantine_of(["staging.success_assessments"])]
QCA_TABLES = [f"marts.{name}" for name in analysis.QCA_MARTS]


@dg.multi_asset(
    name="ingest_success_assessments",
    specs=table_specs(["raw.success_assessments"], kinds={"csv"}, **GROUP),
    pool="warehouse",
)
def ingest_success_assessments(warehouse: WarehouseResource, paths: EvaluationPaths):
    """The evaluation team's judgement of whether each partnership achieved its objectives (`assessments/`),
    in `raw.success_assessments`: one row per partnership."""
    with warehouse.get_connection() as con:
        report = ingest.load_assessments(
            con, paths.drop_zone.assessments_dir, paths.drop_zone.data_dir, paths.read_limits
        )
        yield from step_results(con, ["raw.success_assessments"], [report])


@dg.multi_asset(
    name="stage_success_assessments",
    specs=table_specs(STAGED_TABLES, deps=["raw_success_assessments", "stg_partnerships"], kinds={"pandera"}, **GROUP),
    pool="warehouse",
)
def stage_success_assessments(warehouse: WarehouseResource):
    """Validated success judgements (`staging.success_assessments`: one row per partnership); unknown
    partnerships are quarantined."""
    with warehouse.get_connection() as con:
        reports = staging.stage_assessments(con)
        yield from step_results(con, STAGED_TABLES, reports)


@mart_asset(
    deps=[
        "outcome_coverage",
        "stg_survey_responses",
        "stg_survey_waves",
        "stg_coded_segments",
        "stg_deprivation",
        "stg_partnership_areas",
        "stg_success_assessments",
    ],
    group="comparison",
)
def partnership_profile(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Who each partnership is and how much evidence there is about it. Grain: one row per partnership:
    areas and their deprivation, wicked problem and support period, survey waves and respondents
    (disclosure-controlled), coded site-visit passages, the headline outcome indicator's coverage, and the
    evaluation team's success assessment."""
    with warehouse.get_connection() as con:
        marts.build_partnership_profile(con, paths.disclosure_threshold)
        return publish_and_describe(con, "partnership_profile", paths)


@mart_asset(deps=["stg_latest_factor_scores", "stg_coded_segments", "stg_success_factors"], group="comparison")
def success_factor_matrix(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Survey and site-visit evidence on each success factor side by side. Grain: one row per partnership x
    success factor: the latest wave's mean survey score with its 95% confidence interval (suppressed
    below the disclosure threshold) beside the coded enabler and barrier passages, sources and coders."""
    with warehouse.get_connection() as con:
        rules = RatingRules(survey_strong_from=paths.survey_strong_from, survey_weak_to=paths.survey_weak_to)
        marts.build_success_factor_matrix(con, paths.disclosure_threshold, rules)
        return publish_and_describe(con, "success_factor_matrix", paths)


@dg.multi_asset(
    name="qca",
    specs=table_specs(
        QCA_TABLES,
        deps=["success_factor_matrix", "stg_success_assessments", "stg_qca_conditions"],
        kinds={"parquet"},
        group_name="comparison",
    ),
    pool="warehouse",
)
def qca(warehouse: WarehouseResource, paths: EvaluationPaths):
    """Fuzzy-set QCA: calibrated memberships (on the setting `evidence_base`), truth table, complex,
    parsimonious and intermediate solutions (every equally minimal model), and necessity, for success and for
    its negation (`outcome` = SUCCESS / ~SUCCESS), from one analysis. With too few cases the last three are
    empty and their metadata says why (`not_run`)."""
    with warehouse.get_connection() as con:
        data = analysis.build_qca_marts(
            con,
            analysis.QcaSettings(
                incl_cut=paths.qca_consistency_cut,
                negated_incl_cut=paths.qca_negated_consistency_cut,
                n_cut=paths.qca_frequency_cut,
                crossover_rule=paths.crossover_rule,
                evidence_base=paths.evidence_base,
            ),
        )
        evidence = evidence_metadata(len(data.memberships), analysis.describe_evidence_base(data.evidence_base))
        for name in analysis.QCA_MARTS:
            result = publish_and_describe(con, name, paths)
            metadata = {**result.metadata, **evidence}
            if name == "qca_memberships":
                metadata["excluded_partnerships"] = dg.MetadataValue.json(data.excluded)
            elif data.not_run:
                metadata["not_run"] = data.not_run.reason
            yield dg.MaterializeResult(asset_key=name, metadata=metadata)


@mart_asset(deps=["success_factor_matrix", "stg_success_factors"], group="comparison")
def partnership_typology(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Types of partnership by their success-factor profile. Grain: one row per partnership: its cluster
    (k-means on standardised latest-wave factor scores, k chosen by silhouette, stability across seeds by
    adjusted Rand index) and the cluster's size, label and mean profile."""
    with warehouse.get_connection() as con:
        result = analysis.build_partnership_typology(con)
        published = publish_and_describe(con, "partnership_typology", paths)
        clustered = con.execute("SELECT count(*) FROM marts.partnership_typology").fetchall()[0][0]
        evidence = evidence_metadata(clustered, analysis.TYPOLOGY_EVIDENCE_BASE)
    if isinstance(result, analysis.NotRun):
        return dg.MaterializeResult(metadata={**published.metadata, **evidence, "not_run": result.reason})
    return dg.MaterializeResult(
        metadata={**published.metadata, **evidence, "k": result.k, "stability_ari": float(result.stability_ari)}
    )


@mart_asset(deps=["qca_memberships", "success_factor_matrix", "stg_success_assessments"], group="comparison")
def factor_importance(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """A simple, interpretable model of success on the factors, fitted on the QCA's analysed cases. Grain:
    one row per success factor: coefficient and permutation importance in a penalised logistic regression,
    with the model's leave-one-out accuracy against the baseline and an explicit small-sample caveat."""
    with warehouse.get_connection() as con:
        model = analysis.build_factor_importance(con)
        published = publish_and_describe(con, "factor_importance", paths)
        evidence = evidence_metadata(
            len(analysis.analysed_cases(con)), analysis.describe_evidence_base(analysis.evidence_base_of(con))
        )
    if isinstance(model, analysis.NotRun):
        return dg.MaterializeResult(metadata={**published.metadata, **evidence, "not_run": model.reason})
    return dg.MaterializeResult(
        metadata={
            **published.metadata,
            **evidence,
            "caveat": model.caveat,
            "loo_accuracy": float(model.loo_accuracy),
        }
    )


@mart_asset(deps=["qca_memberships", "outcome_change"], group="comparison")
def factor_outcome_comparison(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Success and outcomes by factor level. Grain: one row per factor x level (strong or weak):
    partnerships, share judged successful (Wilson interval), share whose headline outcome improved against
    England, and the strong-minus-weak difference with Newcombe's interval."""
    with warehouse.get_connection() as con:
        built = analysis.build_factor_outcome_comparison(con, improved_needs_interval=paths.improved_needs_interval)
        published = publish_and_describe(con, "factor_outcome_comparison", paths)
        evidence = evidence_metadata(
            len(analysis.analysed_cases(con)), analysis.describe_evidence_base(analysis.evidence_base_of(con))
        )
    if isinstance(built, analysis.NotRun):
        return dg.MaterializeResult(metadata={**published.metadata, **evidence, "not_run": built.reason})
    return dg.MaterializeResult(metadata={**published.metadata, **evidence})


@mart_asset(deps=["outcome_change", "stg_success_assessments", "stg_partnerships"], group="comparison")
def outcome_verdict_agreement(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Does the outcome statistic bear out the evaluators' verdict? Grain: one row per partnership: its success
    assessment beside its headline outcome's classification (outcome_change), agree / disagree / cannot tell,
    and why in words."""
    with warehouse.get_connection() as con:
        marts.build_outcome_verdict_agreement(con, improved_needs_interval=paths.improved_needs_interval)
        published = publish_and_describe(con, "outcome_verdict_agreement", paths)
        counts = dict(
            con.execute("SELECT agreement, count(*) FROM marts.outcome_verdict_agreement GROUP BY ALL").fetchall()
        )
    return dg.MaterializeResult(metadata={**published.metadata, "agreement": dg.MetadataValue.json(counts)})


@mart_asset(
    deps=["qca_memberships", "success_factor_matrix", "stg_sustainment", "stg_spread", "stg_success_assessments"],
    group="comparison",
)
def sustainment(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """What became of each partnership's work after support ended. Grain: one row per partnership: its status
    (sustained, integrated into other work, stopped; date; evidence), its spread (how many areas, services or
    programmes took the work up, and the latest), its round, success assessment, and its rating and level on
    the factor the setting sustainment_factor names."""
    with warehouse.get_connection() as con:
        sustainment_module.build_sustainment(con, paths.sustainment_factor)
        published = publish_and_describe(con, "sustainment", paths)
        statuses = dict(
            con.execute(
                "SELECT coalesce(status, 'not recorded'), count(*) FROM marts.sustainment GROUP BY ALL"
            ).fetchall()
        )
    return dg.MaterializeResult(metadata={**published.metadata, "statuses": dg.MetadataValue.json(statuses)})


@mart_asset(deps=["sustainment", "qca_memberships"], group="comparison")
def sustainment_by_factor(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Does a strong factor go with work that carries on after support? Grain: one row per factor x level
    (strong or weak): partnerships whose work was sustained or integrated (Wilson interval), the strong-minus-weak
    difference (Newcombe's interval) and Fisher's exact test, on the QCA's analysed cases."""
    with warehouse.get_connection() as con:
        sustainment_module.build_sustainment_by_factor(con, paths.sustainment_factor)
        published = publish_and_describe(con, "sustainment_by_factor", paths)
        evidence = evidence_metadata(
            len(analysis.analysed_cases(con)), analysis.describe_evidence_base(analysis.evidence_base_of(con))
        )
    return dg.MaterializeResult(metadata={**published.metadata, **evidence})


@mart_asset(
    deps=["sustainment", "response_rates", "stg_survey_responses", "stg_survey_invitations"], group="comparison"
)
def round_comparison(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """The programme's rounds compared. Grain: one row per programme round x measure (success, work carried on,
    survey response, support usefulness) x wave: the share with its Wilson interval and its difference from
    the first round (Newcombe); counts of people disclosure-controlled. Empty with one round."""
    with warehouse.get_connection() as con:
        sustainment_module.build_round_comparison(con, paths.disclosure_threshold)
        return publish_and_describe(con, "round_comparison", paths)


comparison_assets = [
    ingest_success_assessments,
    stage_success_assessments,
    partnership_profile,
    success_factor_matrix,
    qca,
    partnership_typology,
    factor_importance,
    factor_outcome_comparison,
    outcome_verdict_agreement,
    sustainment,
    sustainment_by_factor,
    round_comparison,
]
comparison_checks = [
    refused_files_check("assessments", ["raw.success_assessments"]),
    quarantine_share_check("assessments"),
    *checks_for(["staging.success_assessments"]),
    *checks_for(
        [
            "marts.partnership_profile",
            "marts.success_factor_matrix",
            *QCA_TABLES,
            "marts.partnership_typology",
            "marts.factor_importance",
            "marts.factor_outcome_comparison",
            "marts.outcome_verdict_agreement",
            "marts.sustainment",
            "marts.sustainment_by_factor",
            "marts.round_comparison",
        ]
    ),
]
