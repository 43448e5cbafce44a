"""Command line: `python -m pipeline.cli refresh` registers the survey waves found in the drop zone,
materialises every asset (each wave's partition, then everything else) in the Dagster instance, and says
where the published marts are. `make demo` runs it on the bundled demo data."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC
from functools import partial
from pathlib import Path

from pipeline.errors import printable
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits
from pipeline.settings import PROJECT_ROOT, DropZone, Settings, SettingsError, load_settings


def use_project_instance(settings: Settings) -> Path:
    """Point Dagster at the project's instance (as `make` does) unless DAGSTER_HOME names another.

    The instance folder (default `.dagster/`, git-ignored) gets a link to the versioned `dagster.yaml`.
    """
    home = settings.dagster_home
    os.environ["DAGSTER_HOME"] = str(home)  # where Dagster itself looks for its instance
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
            # One line per failure, whatever the message holds: a file name in it is data (see `printable`).
            lines.append(f"  {event.step_key}: {printable(error.message.strip())}")
    return "\n".join(lines) or "  (see the run's logs in the Dagster UI: make dev)"


# Step logs go to the run history (see them in the UI with `make dev`); the terminal shows progress only.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# Each run a refresh starts carries its process id, so a later refresh can tell the runs of one that was
# killed from runs launched in the UI.
REFRESH_TAG = "evaluation/refresh_pid"


def print_quarantine(settings: Settings) -> list[str]:
    """Print, for each source, the rows quarantined and their share of the rows received (its worst staging
    table's; see `pipeline.quarantine`) with an example reason; returns one line for each source whose share
    passes the setting `max_quarantine_share`, a survey wave by wave as its check judges it."""
    import duckdb

    from pipeline.quarantine import refresh_summary
    from pipeline.resources import warehouse_config

    limit = settings.max_quarantine_share
    # Counting a national survey's quarantined item scores reads every wave's: within the pipeline's memory.
    with duckdb.connect(str(settings.warehouse), read_only=True, config=warehouse_config(settings)) as con:
        shares, over = refresh_summary(con, limit)
    print(
        "Quarantine by source (rows set aside with their reason; query quarantine.<table> in the warehouse;"
        f" max_quarantine_share = {limit:g}):"
    )
    for source in shares:
        worst = source.worst
        received = (
            f" (largest: {worst.quarantined} of {worst.received} rows of {worst.table} received)"
            if worst and worst.received
            else " (no rows received)"
        )
        print(f"  {source.source}: {source.quarantined} row(s) quarantined, {source.share:.1%}{received}")
        for table in source.tables:
            if table.quarantined:
                print(
                    f"    quarantine.{table.table}: {table.quarantined} of {table.received} row(s), e.g."
                    f" {printable(table.example_reason)}"
                )
    return over


def print_missing_invitations(warehouse: Path) -> int:
    """Warn of each survey wave, or partnership in a wave, with responses but no invitations (its response
    rates are missing); returns how many warnings."""
    import duckdb

    from pipeline.surveys.marts import INVITATIONS_FILE, missing_invitations
    from pipeline.warehouse import table_exists

    with duckdb.connect(str(warehouse), read_only=True) as con:
        if not (table_exists(con, "staging.survey_responses") and table_exists(con, "staging.survey_invitations")):
            return 0
        missing = missing_invitations(con)
    waves = [wave for wave, partnership in missing if partnership is None]
    partnerships: dict[str, list[str]] = {}
    for wave, partnership in missing:
        if partnership is not None:
            partnerships.setdefault(wave, []).append(partnership)
    for wave in waves:
        print(
            f"WARNING: survey wave {printable(wave)} has no invitations in {INVITATIONS_FILE}: its response rates"
            " are missing (marts.response_rates.note says why)"
        )
    for wave, names in partnerships.items():
        print(
            f"WARNING: survey wave {printable(wave)} has no invitations in {INVITATIONS_FILE} for"
            f" {', '.join(printable(name) for name in names)}: their response rates are missing"
        )
    return len(waves) + len(partnerships)


MONITORING_LINES = 20
"""At most this many late or missing monitoring returns are listed in the run summary; the rest are counted."""


def print_returns_due(warehouse: Path, limit: int = MONITORING_LINES) -> int:
    """Print each late or missing monitoring return (`staging.monitoring_gaps`), one line each, at most `limit`
    lines and then how many more; returns how many there are."""
    import duckdb
    import pandas as pd

    from pipeline.monitoring.staging import returns_due

    if not warehouse.exists():
        return 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        due = returns_due(con)
    if due.empty:
        return 0
    counts = due["status"].value_counts()
    print(
        f"Monitoring returns due: {counts.get('late', 0)} late, {counts.get('missing', 0)} missing"
        " (query staging.monitoring_gaps):"
    )
    for row in due.head(limit).itertuples():
        period = pd.Timestamp(row.period)
        when = f"{period:%Y} Q{period.quarter}" if row.frequency == "quarterly" else f"{period:%b %Y}"
        partnership = " ".join(printable(v) for v in (row.partnership_id, row.partnership_name) if pd.notna(v))
        indicator = printable(row.indicator_id) + (
            f" ({printable(row.indicator_name)})" if pd.notna(row.indicator_name) else ""
        )
        print(f"  {row.status.upper()}: {partnership}: {indicator}, {when}")
    if len(due) > limit:
        print(f"  ... and {len(due) - limit} more")
    return len(due)


def refused_files(warehouse: Path) -> list[tuple[str, str, str, int, object]]:
    """The files the last loads refused, once each: (source, file, reason, rows an earlier version of the
    file still keeps in the raw layer, when that version loaded)."""
    import duckdb

    if not warehouse.exists():
        return []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if not con.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = 'refused_files'"
        ).fetchall():
            return []
        return con.execute(
            "SELECT source, source_file, reason, max(rows_kept), max(kept_loaded_at) FROM raw.refused_files"
            " GROUP BY ALL ORDER BY source, source_file"
        ).fetchall()


def print_refused_files(warehouse: Path) -> int:
    """Print the files refused on their own, each with its reason, names and reasons escaped (`printable`);
    returns how many."""
    refused = refused_files(warehouse)
    if not refused:
        return 0
    files = {(source, name) for source, name, *_ in refused}
    print(
        f"Refused files: {len(files)} (each left out on its own, every other file of its source loaded;"
        " query raw.refused_files):"
    )
    for source, name, reason, rows_kept, kept_loaded_at in refused:
        print(f"  {source}: {printable(name)}: {printable(reason)}")
        if rows_kept:
            print(
                f"    STALE: {rows_kept} row(s) of an earlier version of this file, loaded {kept_loaded_at.astimezone(UTC):%Y-%m-%d %H:%M}"
                " UTC, are still in use; fix or remove the file to replace them"
            )
    return len(files)


def materialise_all(
    defs,
    instance,
    drop_zone: DropZone,
    progress=print,
    wave_processes: int = 1,
    definitions: Callable[[], object] | None = None,
) -> list:
    """Register the waves in the drop zone, then run reference data, each wave, and everything else.

    Returns each run's result. A wave that fails does not stop the others, nor the codings, outcomes and
    marts, which are then built from the waves that loaded; only a failed reference run stops the rest.
    With `wave_processes` above 1, that many waves run side by side, each run in a process of its own
    (`definitions` builds `defs` there again: a picklable callable, such as a partial of a module-level
    function; the instance must be persistent, as the command line's is). Each wave's ingest reads its
    export while another process writes the warehouse, and every step that writes waits its turn.
    """
    from assets.surveys import register_waves
    from pipeline.surveys.ingest import survey_wave_files

    added = register_waves(instance, drop_zone)
    waves = list(survey_wave_files(drop_zone.surveys_dir))
    progress(
        f"Survey waves found: {', '.join(waves) or 'none'}"
        + (f" (newly registered: {', '.join(added)})" if added else "")
    )
    tags = {REFRESH_TAG: str(os.getpid())}
    total = len(waves) + 2

    def run(job_name: str, partition: str | None = None):
        return defs.resolve_job_def(job_name).execute_in_process(
            run_config=QUIET, instance=instance, partition_key=partition, raise_on_error=False, tags=tags
        )

    progress(f"[1/{total}] reference_job: reference data ...")
    results = [run("reference_job")]
    if not results[0].success:
        return results
    if wave_processes > 1 and len(waves) > 1:
        if definitions is None:
            raise ValueError("waves side by side need `definitions`, to build the definitions in each process")
        progress(f"[2-{total - 1}/{total}] survey_wave_job: {len(waves)} waves, {wave_processes} side by side ...")
        finished = waves_side_by_side(definitions, instance, waves, wave_processes, tags, progress)
        # A wave whose process stopped before its run ended (killed, out of memory) runs again here.
        results += [finished[wave] if wave in finished else run("survey_wave_job", wave) for wave in waves]
    else:
        for step, wave in enumerate(waves, start=2):
            progress(f"[{step}/{total}] survey_wave_job: wave {wave} ...")
            results.append(run("survey_wave_job", wave))
    progress(f"[{total}/{total}] after_waves_job: codings, outcomes and marts ...")
    results.append(run("after_waves_job"))
    return results


def waves_side_by_side(
    definitions: Callable[[], object], instance, waves: list[str], processes: int, tags: dict[str, str], progress=print
) -> dict:
    """Each wave's run (`survey_wave_job`) in one of `processes` worker processes; the result of each run
    that ended, by wave, read back from the instance. A wave whose process stopped first is left out."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    if instance.is_ephemeral:
        raise ValueError("waves side by side need a persistent Dagster instance (DAGSTER_HOME), not an ephemeral one")
    # Spawned, not forked: the parent holds DuckDB's and Dagster's threads, which a fork would copy mid-work.
    context = multiprocessing.get_context("spawn")
    finished = {}
    with ProcessPoolExecutor(max_workers=min(processes, len(waves)), mp_context=context) as pool:
        futures = {pool.submit(_run_wave, definitions, instance.get_ref(), wave, tags): wave for wave in waves}
        for done, future in enumerate(as_completed(futures), start=1):
            wave = futures[future]
            try:
                finished[wave] = RecordedRun(instance, future.result())
                outcome = "done" if finished[wave].success else "FAILED"
            except Exception as error:  # the process itself, not the run: a run's own failure is its result
                outcome = f"its process stopped ({type(error).__name__}: {error}); it runs again after the others"
            progress(f"  wave {wave}: {outcome} ({done}/{len(waves)})")
    return finished


def _run_wave(definitions: Callable[[], object], instance_ref, wave: str, tags: dict[str, str]) -> str:
    """One wave's run in a worker process; its run id."""
    import dagster as dg

    with dg.DagsterInstance.from_ref(instance_ref) as instance:
        result = (
            definitions()
            .resolve_job_def("survey_wave_job")
            .execute_in_process(
                run_config=QUIET, instance=instance, partition_key=wave, raise_on_error=False, tags=tags
            )
        )
        return result.run_id


class RecordedRun:
    """A run made in another process, read back from the instance: what a refresh reads of a run's result
    (`success`, `run_id`, `all_events`, `get_asset_materialization_events()`)."""

    def __init__(self, instance, run_id: str):
        import dagster as dg

        self.run_id = run_id
        self.success = instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
        self.all_events = [entry.dagster_event for entry in instance.all_logs(run_id) if entry.dagster_event]

    def get_asset_materialization_events(self) -> list:
        return [event for event in self.all_events if event.is_step_materialization]


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


def personal_columns_dropped(results) -> list[str]:
    """One line per survey wave loaded in these runs: its file and the personal-data columns never read."""
    lines = []
    for result in results:
        for event in result.get_asset_materialization_events():
            materialization = event.step_materialization_data.materialization
            if materialization.asset_key.to_user_string() != "raw_survey_rows":
                continue
            metadata = materialization.metadata
            source = metadata["source_file"].value if "source_file" in metadata else event.partition
            never_read = metadata["personal_data_columns_never_read"].value
            lines.append(f"  {source}: {never_read}")
    return lines


def analyses_not_run(results) -> list[str]:
    """One line per mart an analysis left empty for too few cases, with its reason (metadata `not_run`)."""
    lines = {}
    for result in results:
        for event in result.get_asset_materialization_events():
            materialization = event.step_materialization_data.materialization
            if "not_run" in materialization.metadata:
                lines[materialization.asset_key.to_user_string()] = materialization.metadata["not_run"].value
    return [f"  {name}: {printable(reason)}" for name, reason in lines.items()]


def refresh_lock_path(warehouse: Path) -> Path:
    """The file a refresh locks while it writes `warehouse`; it holds that refresh's process id."""
    return warehouse.with_name(f"{warehouse.name}.lock")


def _lock_warehouse(warehouse: Path, wait_seconds: float) -> int | None:
    """Take an exclusive lock on `<warehouse>.lock` and write this process id into it.

    Waits up to `wait_seconds` while another refresh holds it, saying so once; returns the open lock file
    (closing it releases the lock, as the end of the process does), or None when the wait ran out.
    """
    import fcntl

    lock_path = refresh_lock_path(warehouse)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    waiting = False
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = os.pread(lock, 32, 0).decode(errors="replace").strip()
            if not holder and time.monotonic() < deadline:
                time.sleep(0.05)  # the holder has just taken the lock and is about to write its pid
                continue
            holder = holder or "unknown"
            if time.monotonic() >= deadline:
                print(
                    f"Another refresh is writing the warehouse {warehouse} (pid {holder}); gave up after waiting "
                    f"{wait_seconds:g} s. Run the refresh again when it has finished, or set EVAL_REFRESH_WAIT "
                    "to wait longer.",
                    file=sys.stderr,
                )
                os.close(lock)
                return None
            if not waiting:
                print(
                    f"Another refresh is writing the warehouse {warehouse} (pid {holder}); "
                    f"waiting up to {wait_seconds:g} s for it to finish ...",
                    flush=True,
                )
                waiting = True
            time.sleep(0.5)
    os.ftruncate(lock, 0)
    os.pwrite(lock, f"{os.getpid()}\n".encode(), 0)
    return lock


def _fail_abandoned_runs(instance) -> list[str]:
    """Mark as failed the runs left in progress by a refresh that was killed, and free their pool slots.

    Without this, the `warehouse` pool slot the dead run holds is never given back and every later run
    waits for it forever (no daemon runs here to clean up after an in-process run).
    """
    import dagster as dg

    from pipeline.publish import process_running

    in_progress = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    abandoned = [
        run
        for run in instance.get_runs(filters=dg.RunsFilter(statuses=in_progress))
        if run.tags.get(REFRESH_TAG, "").isdigit() and not process_running(int(run.tags[REFRESH_TAG]))
    ]
    for run in abandoned:
        instance.report_run_failed(
            run, message=f"The refresh that started this run (pid {run.tags[REFRESH_TAG]}) stopped before it ended."
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    return [run.run_id for run in abandoned]


def refresh() -> int:
    """Materialise every asset on the data in the drop zone; returns a process exit code.

    One refresh writes a warehouse at a time: it holds an exclusive lock on `<warehouse>.lock` throughout.
    A second refresh of the same warehouse says it is waiting for the first (and its pid) and starts when
    the lock is free, or exits with code 1 and that message after `EVAL_REFRESH_WAIT` seconds (default
    600). Runs left in progress by a refresh that was killed are then marked failed, so their slot in the
    `warehouse` pool is given back; the marts it had not yet published are rebuilt by this refresh.
    """
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    wait_seconds = settings.refresh_wait_seconds
    print(f"Drop zone:  {settings.data_dir}")
    print(f"Warehouse:  {settings.warehouse}", flush=True)
    if check(settings):
        print("Nothing was loaded: the reference data has errors (see above).", file=sys.stderr)
        return 1
    lock = _lock_warehouse(settings.warehouse, wait_seconds)
    if lock is None:
        return 1
    try:
        return _refresh_locked(settings)
    finally:
        os.close(lock)


def _refresh_locked(settings: Settings) -> int:
    use_project_instance(settings)
    import dagster as dg

    from pipeline.definitions import definitions_for

    defs = definitions_for(settings)

    instance = dg.DagsterInstance.get()
    abandoned = _fail_abandoned_runs(instance)
    if abandoned:
        print(f"Marked {len(abandoned)} run(s) of a refresh that was stopped as failed: {', '.join(abandoned)}")
    results = materialise_all(
        defs,
        instance,
        settings.drop_zone,
        progress=lambda line: print(line, flush=True),
        wave_processes=settings.wave_processes,
        definitions=partial(definitions_for, settings),
    )
    print_refused_files(settings.warehouse)
    failed = [result for result in results if not result.success]
    for result in failed:
        print(f"FAILED (run {result.run_id}):\n{_failure_summary(result)}", file=sys.stderr)
    bad_checks = [name for result in results for name in failed_checks(result)]
    if bad_checks:
        # Non-blocking checks (a refused file, a mart's data test): the run went on and published.
        print(f"Asset checks failed: {', '.join(bad_checks)}", file=sys.stderr)
    elif not failed:
        print(f"All {sum(checks_run(result) for result in results)} asset checks passed.")
    dropped = personal_columns_dropped(results)
    if dropped:
        print("Personal-data columns never read (identifiers only pseudonymised):")
        print("\n".join(dropped))
    over_limit = print_quarantine(settings)
    print_missing_invitations(settings.warehouse)
    print_returns_due(settings.warehouse)
    if not_run := analyses_not_run(results):
        print("Analyses not run (their marts are published empty):")
        print("\n".join(not_run))
    marts_dir = settings.marts_dir
    print(f"\nMarts published in {marts_dir}:")
    if failed:
        print("  (a mart whose step failed is the one its last successful refresh published)")
    for parquet in sorted(marts_dir.glob("*.parquet")):
        print(f"  {parquet.name}")
    catalog = marts_dir / "marts.duckdb"
    print(f"  marts.duckdb  (views over the Parquet files: duckdb.connect('{catalog}', read_only=True))")
    for document in ("data_dictionary.md", "reports/evaluation_report.html"):
        if (marts_dir / document).exists():
            print(f"  {document}")
    for line in over_limit:
        print(f"QUARANTINE OVER LIMIT: {printable(line)}", file=sys.stderr)
    return 1 if failed or bad_checks or over_limit else 0


def check(settings: Settings) -> int:
    """Check the drop zone's reference data as a whole and print the report; 1 when it has errors."""
    from pipeline.reference.check import check_reference, report

    findings = check_reference(settings.drop_zone, settings)
    print(report(findings, settings.drop_zone))
    return 1 if any(finding.severity == "error" for finding in findings) else 0


def init_drop_zone(folder: Path) -> int:
    """Write a template drop zone into `folder` and say what to do next."""
    from pipeline.reference.template import write_template

    try:
        drop_zone = write_template(folder)
    except FileExistsError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Template drop zone written to {drop_zone.data_dir}:")
    print(f"  {drop_zone.reference_dir}/  every reference CSV with example rows; its README.md describes each column")
    print(f"  {drop_zone.settings_file}  every setting with its default")
    print("  surveys/ codings/ outcomes/ deprivation/ interventions/ assessments/  each with a note on what goes there")
    print(f"Replace the examples with your programme's, then: EVAL_DATA_DIR={drop_zone.data_dir} make check")
    return 0


def check_surveys(paths: list[Path], drop_zone: DropZone, limits: ReadLimits = DEFAULT_LIMITS) -> int:
    """Read every survey export under `paths` with the reader its content calls for, without a warehouse,
    and set it against the drop zone's reference data. Each file is checked against `limits` (the read
    limits of the settings; files named here may be anywhere) before it is read.

    Prints one line per file: the tool detected, responses, columns loaded and personal-data columns
    never read, then any answer column the instrument does not map and any partnership not in
    partnerships.csv; or why the file was refused. Returns 1 when any file was refused or the reference
    data has errors.
    """
    import duckdb

    from pipeline.errors import InputFileError
    from pipeline.reference.check import stage_and_check
    from pipeline.surveys.check import export_mismatches
    from pipeline.surveys.readers.detect import SURVEY_SUFFIXES, read_survey
    from pipeline.surveys.readers.export import LOADED_KINDS, load_answers

    files = sorted(
        f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.suffix.lower() in SURVEY_SUFFIXES
    )
    refused = 0
    with duckdb.connect() as con:
        reference_errors = [f for f in stage_and_check(con, drop_zone) if f.severity == "error"]
        if reference_errors:
            print(
                f"The reference data in {drop_zone.reference_dir} has errors (run `make check`): exports are read only."
            )
        for path in files:
            try:
                export = read_survey(path, limits)
                answers = load_answers(con, export, b"survey-check")
                responses = answers.aggregate("count(DISTINCT respondent_row)").fetchall()[0][0]
            except InputFileError as error:
                refused += 1
                print(f"REFUSED          {printable(error)}")
                continue
            loaded = sum(c.kind in LOADED_KINDS for c in export.columns)
            personal = sum(c.kind in ("personal", "respondent_id") for c in export.columns)
            print(
                f"{export.tool:<16} {printable(path)}: {responses} responses, {loaded} columns loaded, {personal} personal-data columns never read"
            )
            if reference_errors:
                continue
            for kind, value, count in export_mismatches(con, export, answers):
                print(f"{'':<16}   {kind}: {value!r}" + (f" ({count} responses)" if count is not None else ""))
    print(f"{len(files) - refused} of {len(files)} files read.")
    return 1 if refused or reference_errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("refresh", help="materialise every asset on the data in $EVAL_DATA_DIR")
    commands.add_parser("check", help="check the reference data in $EVAL_DATA_DIR as a whole, writing nothing")
    sums = commands.add_parser("checksums", help="print each published mart's rows, columns and content checksum")
    sums.add_argument("marts_dir", type=Path, nargs="?", help="a marts folder (default: $EVAL_MARTS_DIR)")
    init = commands.add_parser("init", help="write a template drop zone for a new programme into DIR")
    init.add_argument("folder", type=Path, help="a new or empty folder")
    surveys = commands.add_parser(
        "check-surveys", help="detect the tool of each survey export and read it, writing nothing"
    )
    surveys.add_argument("paths", nargs="+", type=Path, help="files or folders (searched recursively)")
    arguments = parser.parse_args(argv)
    if arguments.command == "refresh":
        return refresh()
    if arguments.command == "check":
        try:
            return check(load_settings())
        except SettingsError as error:
            print(error, file=sys.stderr)
            return 2
    if arguments.command == "checksums":
        from pipeline.publish import content_checksums

        for name, (rows, columns, checksum) in content_checksums(
            arguments.marts_dir or load_settings().marts_dir
        ).items():
            print(f"{name:<30} {rows:>7} rows {columns:>3} columns  {checksum}")
        return 0
    if arguments.command == "init":
        return init_drop_zone(arguments.folder)
    if arguments.command == "check-surveys":
        settings = load_settings()
        return check_surveys(arguments.paths, settings.drop_zone, replace(settings.read_limits, inside=None))
    return 2


if __name__ == "__main__":
    sys.exit(main())
