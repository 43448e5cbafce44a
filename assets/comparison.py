"""Comparative analysis: which success factors, alone or together, go with success."""

import dagster as dg

from assets.checks import table_checks
from assets.marts import MARTS, publish_and_describe, success_factor_matrix
from assets.staging import stg_reference_data, stg_success_assessments, stg_survey_responses
from pipeline import comparison
from pipeline.resources import EvaluationPaths, WarehouseResource

QCA_GRAINS = {
    "qca_memberships": "one row per partnership: its fuzzy membership in each condition and the outcome, or why it was left out",
    "qca_truth_table": "one row per configuration of the conditions (remainders included), with cases, consistency, PRI and outcome code",
    "qca_solutions": "one row per solution kind x equally minimal model x term, with consistency and raw and unique coverage",
    "qca_necessity": "one row per condition and negated condition: consistency, coverage and relevance of necessity",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            name,
            description=f"QCA of success on the success factors. Grain: {grain}.",
            deps=[stg_survey_responses, stg_success_assessments, stg_reference_data, success_factor_matrix],
            group_name="marts",
            kinds={"duckdb", "parquet"},
        )
        for name, grain in QCA_GRAINS.items()
    ],
    pool="warehouse",
)
def qca(warehouse: WarehouseResource, paths: EvaluationPaths):
    """Fuzzy-set QCA: calibrated memberships, truth table, complex, parsimonious and intermediate solutions
    (every equally minimal model), and necessity, from one analysis."""
    with warehouse.get_connection() as con:
        data = comparison.build_qca_marts(con)
        for name in comparison.QCA_MARTS:
            result = publish_and_describe(con, name, paths)
            metadata = dict(result.metadata)
            if name == "qca_memberships":
                metadata["excluded_partnerships"] = dg.MetadataValue.json(data.excluded)
            yield dg.MaterializeResult(asset_key=name, metadata=metadata)


@dg.asset(deps=[stg_survey_responses, stg_reference_data], **MARTS)
def partnership_typology(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Types of partnership by their success-factor profile. Grain: one row per partnership: its cluster
    (k-means on standardised latest-wave factor scores, k chosen by silhouette, stability across seeds by
    adjusted Rand index) and the cluster's size, label and mean profile."""
    with warehouse.get_connection() as con:
        result = comparison.build_partnership_typology(con)
        published = publish_and_describe(con, "partnership_typology", paths)
    return dg.MaterializeResult(
        metadata={**published.metadata, "k": result.k, "stability_ari": float(result.stability_ari)}
    )


@dg.asset(deps=[stg_survey_responses, stg_success_assessments, stg_reference_data], **MARTS)
def factor_importance(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """A simple, interpretable model of success on the factors. Grain: one row per success factor:
    coefficient and permutation importance in a penalised logistic regression, with the model's
    leave-one-out accuracy against the baseline and an explicit small-sample caveat."""
    with warehouse.get_connection() as con:
        model = comparison.build_factor_importance(con)
        published = publish_and_describe(con, "factor_importance", paths)
    return dg.MaterializeResult(
        metadata={**published.metadata, "caveat": model.caveat, "loo_accuracy": float(model.loo_accuracy)}
    )


@dg.asset(deps=["qca_memberships", "outcome_change"], **MARTS)
def factor_outcome_comparison(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
    """Success and outcomes by factor level. Grain: one row per factor x level (strong or weak):
    partnerships, share judged successful (Wilson interval), share whose headline outcome improved against
    England, and the strong-minus-weak difference with Newcombe's interval."""
    with warehouse.get_connection() as con:
        comparison.build_factor_outcome_comparison(con)
        return publish_and_describe(con, "factor_outcome_comparison", paths)


comparison_assets = [qca, partnership_typology, factor_importance, factor_outcome_comparison]

comparison_checks = [
    *table_checks(partnership_typology, "marts.partnership_typology", unique=["partnership_id"], not_null=["cluster"]),
    *table_checks(factor_importance, "marts.factor_importance", unique=["factor_id"], not_null=["caveat"]),
    *table_checks(
        factor_outcome_comparison,
        "marts.factor_outcome_comparison",
        unique=["factor_id", "level"],
        accepted={"level": ["strong", "weak"]},
    ),
    *table_checks("qca_truth_table", "marts.qca_truth_table", unique=["row"], accepted={"OUT": ["1", "0", "C", "?"]}),
    *table_checks(
        "qca_solutions", "marts.qca_solutions", unique=["kind", "model", "term"], not_null=["solution", "term"]
    ),
    *table_checks("qca_necessity", "marts.qca_necessity", unique=["condition"]),
    *table_checks(
        "qca_memberships",
        "marts.qca_memberships",
        unique=["partnership_id"],
        references={"partnership_id": "staging.partnerships.partnership_id"},
    ),
]
