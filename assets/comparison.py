"""Comparative analysis: which success factors, alone or together, go with success."""

import dagster as dg

from assets.checks import table_checks
from assets.marts import publish_and_describe, success_factor_matrix
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


comparison_assets = [qca]

comparison_checks = [
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
