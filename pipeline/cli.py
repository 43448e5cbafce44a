"""Command line: `python -m pipeline.cli refresh` registers the survey waves found in the drop zone,
materialises every asset (each wave's partition, then everything else) in the Dagster instance, and says
where the published marts are. `make demo` runs it on the bundled demo data."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipeline.config import PROJECT_ROOT, DropZone, load_settings


def use_project_instance() -> Path:
    """Point Dagster at the project's instance (as `make` does) unless DAGSTER_HOME names another.

    The instance folder (default `.dagster/`, git-ignored) gets a link to the versioned `dagster.yaml`.
    """
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() and not config.is_symlink():
        config.symlink_to(PROJECT_ROOT / "dagster.yaml")
    return home


def _failure_summary(result) -> str:
    lines = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None:  # the user-code error, not Dagster's wrapper around it
                error = error.cause
            lines.append(f"  {event.step_key}: {error.message.strip()}")
    return "\n".join(lines) or "  (see the run's logs in the Dagster UI: make dev)"


# Step logs go to the run history (see them in the UI with `make dev`); the terminal shows progress only.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _print_quarantine(warehouse: Path) -> None:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'quarantine' ORDER BY 1"
            ).fetchall()
        ]
        counts = {t: con.execute(f'SELECT count(*) FROM quarantine."{t}"').fetchall()[0][0] for t in tables}
        reasons = {
            t: con.execute(f'SELECT any_value(reason) FROM quarantine."{t}"').fetchall()[0][0]
            for t, n in counts.items()
            if n
        }
    if not reasons:
        print("Quarantine: empty (every row passed validation).")
        return
    print("Quarantine (rows set aside with their reason; query quarantine.<table> in the warehouse):")
    for table, reason in reasons.items():
        print(f"  quarantine.{table}: {counts[table]} row(s), e.g. {reason}")


def materialise_all(defs, instance, drop_zone: DropZone, progress=print) -> list:
    """Register the waves in the drop zone, then run reference data, each wave, and everything else.

    Returns each run's result; stops at the first run that fails.
    """
    from pipeline.definitions import register_waves
    from pipeline.ingest import survey_wave_files

    added = register_waves(instance, drop_zone)
    waves = list(survey_wave_files(drop_zone.surveys_dir))
    progress(
        f"Survey waves found: {', '.join(waves) or 'none'}"
        + (f" (newly registered: {', '.join(added)})" if added else "")
    )
    runs = [("reference_job", None), *[("survey_wave_job", wave) for wave in waves], ("refresh_job", None)]
    results = []
    for step, (job_name, partition) in enumerate(runs, start=1):
        label = {"reference_job": "reference data", "refresh_job": "codings, outcomes and marts"}.get(
            job_name, f"wave {partition}"
        )
        progress(f"[{step}/{len(runs)}] {job_name}: {label} ...")
        result = defs.resolve_job_def(job_name).execute_in_process(
            run_config=QUIET, instance=instance, partition_key=partition, raise_on_error=False
        )
        results.append(result)
        if not result.success:
            break
    return results


def failed_checks(result) -> list[str]:
    """Names of the asset checks that did not pass in a run."""
    import dagster as dg

    evaluations = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    return [evaluation.check_name for evaluation in evaluations if not evaluation.passed]


def checks_run(result) -> int:
    import dagster as dg

    return sum(e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION for e in result.all_events)


def refresh() -> int:
    """Materialise every asset on the data in the drop zone; returns a process exit code."""
    use_project_instance()
    import dagster as dg

    from pipeline.definitions import defs

    settings = load_settings()
    print(f"Drop zone:  {settings.data_dir}")
    print(f"Warehouse:  {settings.warehouse}")
    results = materialise_all(
        defs, dg.DagsterInstance.get(), settings.drop_zone, progress=lambda line: print(line, flush=True)
    )
    failed = [result for result in results if not result.success]
    if failed:
        print(f"FAILED (run {failed[0].run_id}):\n{_failure_summary(failed[0])}", file=sys.stderr)
        return 1
    bad_checks = [name for result in results for name in failed_checks(result)]
    if bad_checks:
        print(f"Asset checks failed: {', '.join(bad_checks)}", file=sys.stderr)
        return 1
    print(f"All {sum(checks_run(result) for result in results)} asset checks passed.")
    _print_quarantine(settings.warehouse)
    marts_dir = settings.marts_dir
    print(f"\nMarts published in {marts_dir}:")
    for parquet in sorted(marts_dir.glob("*.parquet")):
        print(f"  {parquet.name}")
    catalog = marts_dir / "marts.duckdb"
    print(f"  marts.duckdb  (views over the Parquet files: duckdb.connect('{catalog}', read_only=True))")
    for document in ("data_dictionary.md", "reports/evaluation_report.html"):
        if (marts_dir / document).exists():
            print(f"  {document}")
    return 0


def check_surveys(paths: list[Path]) -> int:
    """Read every survey export under `paths` with the reader its content calls for, without a warehouse.

    Prints one line per file: the tool detected, responses, columns loaded and personal-data columns
    never read; or why the file was refused. Returns 1 when any file was refused.
    """
    import duckdb

    from pipeline.errors import InputFileError
    from pipeline.readers.survey_formats import SURVEY_SUFFIXES, read_survey
    from pipeline.readers.surveys import LOADED_KINDS, load_answers

    files = sorted(
        f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.suffix.lower() in SURVEY_SUFFIXES
    )
    refused = 0
    with duckdb.connect() as con:
        for path in files:
            try:
                export = read_survey(path)
                answers = load_answers(con, export, b"survey-check")
                responses = answers.aggregate("count(DISTINCT respondent_row)").fetchall()[0][0]
            except InputFileError as error:
                refused += 1
                print(f"REFUSED          {error}")
                continue
            loaded = sum(c.kind in LOADED_KINDS for c in export.columns)
            personal = sum(c.kind in ("personal", "respondent_id") for c in export.columns)
            print(
                f"{export.tool:<16} {path}: {responses} responses, {loaded} columns loaded, {personal} personal-data columns never read"
            )
    print(f"{len(files) - refused} of {len(files)} files read.")
    return 1 if refused else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("refresh", help="materialise every asset on the data in $EVAL_DATA_DIR")
    check = commands.add_parser(
        "check-surveys", help="detect the tool of each survey export and read it, writing nothing"
    )
    check.add_argument("paths", nargs="+", type=Path, help="files or folders (searched recursively)")
    arguments = parser.parse_args(argv)
    if arguments.command == "refresh":
        return refresh()
    if arguments.command == "check-surveys":
        return check_surveys(arguments.paths)
    return 2


if __name__ == "__main__":
    sys.exit(main())
