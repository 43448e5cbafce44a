"""Reports: publication outputs built from the marts of every source."""

import dagster as dg

from pipeline.reports.dictionary import write_data_dictionary
from pipeline.reports.marts import Marts
from pipeline.reports.narratives import read_narratives
from pipeline.resources import EvaluationPaths, WarehouseResource

REPORT = dict(group_name="reports", kinds={"html"}, tags={"layer": "report"})


def report_assets_over(marts: list[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """The report assets, downstream of every mart asset given."""
    mart_keys = [
        key for asset in marts for key in asset.keys if not key.path[-1].startswith(("raw_", "stg_", "quarantine_"))
    ]

    @dg.asset(deps=mart_keys, group_name="reports", kinds={"markdown"}, tags={"layer": "report"})
    def data_dictionary(paths: EvaluationPaths) -> dg.MaterializeResult:
        """The data dictionary (`$EVAL_MARTS_DIR/data_dictionary.md`): every validated table, its grain, and
        every column's type, rules and meaning, generated from the pandera models. Grain: one section per
        table."""
        path = write_data_dictionary(paths.marts_path)
        return dg.MaterializeResult(
            metadata={
                "published_to": dg.MetadataValue.path(str(path)),
                "link": dg.MetadataValue.url(path.resolve().as_uri()),
            }
        )

    @dg.asset(deps=mart_keys, pool="warehouse", **REPORT)
    def evaluation_report(warehouse: WarehouseResource, paths: EvaluationPaths) -> dg.MaterializeResult:
        """The evaluation report (`$EVAL_MARTS_DIR/reports/evaluation_report.html`, HTML, print-ready on A4)
        and one case-study page per partnership (`reports/partnerships/<id>.html`): great-tables tables of the
        success-factor matrix, QCA, outcomes with nanoplots, support usefulness and coder agreement, key
        findings first; each case page with the success verdict, the evaluators' narrative
        (`narratives/<id>.md` in the drop zone), survey respondents and scores by wave, factor evidence,
        outcomes, inequality and driver coverage. Grain: one page per partnership plus the programme page. The
        tables and key findings are repeated here as Markdown. The report's header names the files loaded (the
        load ledger) and the settings in force (`paths`)."""
        # matplotlib and great-tables load in about a second: imported here, so that only the runs that
        # build the report pay it, not every run's process and the UI's code server.
        from pipeline.reports.evaluation_report import build_reports, markdown_tables
        from pipeline.reports.provenance import read_provenance

        with warehouse.get_connection() as con:
            partnerships = con.execute("SELECT partnership_id FROM marts.partnership_profile").df()
            narratives = read_narratives(paths.drop_zone.narratives_dir, list(partnerships["partnership_id"]))
            written = build_reports(con, paths.marts_path, read_provenance(con, paths), narratives)
            marts_read = Marts.read(con)
        return dg.MaterializeResult(
            metadata={
                "report": dg.MetadataValue.url(written[0].resolve().as_uri()),
                "report_path": dg.MetadataValue.path(str(written[0])),
                "case_study_pages": len(written) - 1,
                "case_study_folder": dg.MetadataValue.url(
                    written[0].parent.joinpath("partnerships").resolve().as_uri()
                ),
                "narratives": len(narratives.texts),
                "narratives_refused": dg.MetadataValue.json(narratives.refused),
                **{
                    name: dg.MetadataValue.md(frame.to_markdown(index=False))
                    for name, frame in markdown_tables(marts_read).items()
                },
            }
        )

    return [data_dictionary, evaluation_report]
