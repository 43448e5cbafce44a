"""The pipeline survives faults and concurrency: a refresh killed part-way leaves only whole marts and the
next refresh completes them; two refreshes started together never corrupt the warehouse; a researcher
querying `marts.duckdb` through a refresh sees no lock error and no torn mart.

Every test runs the real command line (`python -m pipeline.cli refresh`) on a copy of the bundled drop
zone, with the warehouse, marts and Dagster instance in a temporary folder. Their counts are printed at
the end of the run.
"""

from __future__ import annotations

import collections
import hashlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import refresh_lock_path
from pipeline.publish import write_catalog
from tests.conftest import DATA_DIR, report_counts

REFRESH_TIMEOUT = 900  # seconds; a refresh takes 15-30 s on an idle machine, minutes on a busy one
LOAD_TIME_COLUMN = re.compile(r"(loaded|published|refreshed|created|updated|materiali[sz]ed)(_at|_on)?$|^load_")
TEMPORARY = ".*.tmp*"


@dataclass
class Workspace:
    """A drop zone, warehouse, marts folder and Dagster instance of its own."""

    root: Path
    started: list[subprocess.Popen] = field(default_factory=list)

    @property
    def marts_dir(self) -> Path:
        return self.root / "marts"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "EVAL_DATA_DIR": str(self.root / "raw"),
            "EVAL_WAREHOUSE": str(self.warehouse),
            "EVAL_MARTS_DIR": str(self.marts_dir),
            "DAGSTER_HOME": str(self.root / "dagster_home"),
            "EVAL_PSEUDONYM_KEY": "fault-tests-key",
            **extra,
        }

    def start(self, label: str, **extra_env: str) -> Refresh:
        """Start `python -m pipeline.cli refresh` in its own process group, output to files."""
        out, err = self.root / f"{label}.out", self.root / f"{label}.err"
        with open(out, "w") as stdout, open(err, "w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "pipeline.cli", "refresh"],
                cwd=self.root,
                env=self.env(**extra_env),
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,  # so the process and its children can be killed as one
            )
        self.started.append(process)
        return Refresh(label, process, out, err, time.monotonic())

    def run(self, label: str) -> Refresh:
        """Run a refresh to the end and require it to succeed."""
        refresh = self.start(label)
        refresh.wait()
        assert refresh.process.returncode == 0, refresh.output()
        return refresh

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=60)


@dataclass
class Refresh:
    label: str
    process: subprocess.Popen
    out: Path
    err: Path
    began: float
    seconds: float = 0.0

    def wait(self, timeout: float = REFRESH_TIMEOUT) -> int:
        self.process.wait(timeout=timeout)
        self.seconds = time.monotonic() - self.began
        return self.process.returncode

    def stdout(self) -> str:
        return self.out.read_text()

    def stderr(self) -> str:
        return self.err.read_text()

    def output(self) -> str:
        return f"--- {self.label} stdout ---\n{self.stdout()[-3000:]}\n--- stderr ---\n{self.stderr()[-5000:]}"


def wait_for_all(refreshes: list[Refresh], timeout: float) -> None:
    """Wait for refreshes running side by side, noting when each one ended."""
    deadline = time.monotonic() + timeout
    running = list(refreshes)
    while running:
        assert time.monotonic() < deadline, "\n".join(r.output() for r in running)
        for refresh in [r for r in running if r.process.poll() is not None]:
            refresh.wait()
            running.remove(refresh)
        time.sleep(0.2)


def new_workspace(root: Path) -> Workspace:
    root.mkdir(parents=True)
    shutil.copytree(DATA_DIR, root / "raw")
    return Workspace(root)


@dataclass(frozen=True)
class Mart:
    """A mart's column names and types and its rows, sorted by every column."""

    columns: tuple[tuple[str, str], ...]
    rows: list[tuple]

    @property
    def checksum(self) -> str:
        digest = hashlib.sha256(repr(self.columns).encode())
        for row in self.rows:
            digest.update(repr(row).encode())
        return digest.hexdigest()


def read_mart(con: duckdb.DuckDBPyConnection, relation: str) -> Mart:
    result = con.execute(f"SELECT * FROM {relation} ORDER BY ALL")
    columns = tuple((d[0], str(d[1])) for d in result.description)
    return Mart(columns, result.fetchall())


def published_marts(marts_dir: Path) -> dict[str, Mart]:
    """Every published Parquet mart, read on its own."""
    with duckdb.connect() as con:
        return {path.stem: read_mart(con, f"read_parquet('{path}')") for path in sorted(marts_dir.glob("*.parquet"))}


def catalog_views(marts_dir: Path) -> dict[str, Mart]:
    """Every view in `marts.duckdb`, read as a researcher would."""
    with duckdb.connect(str(marts_dir / "marts.duckdb"), read_only=True) as con:
        views = [
            v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()
        ]
        return {view: read_mart(con, f'"{view}"') for view in views}


def _same_float(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def differences(mart: Mart, reference: Mart) -> str:
    """Where two versions of a mart differ, to say why checksums differ: columns with other values, or
    with floating-point values that differ only in the last bits (the same numbers summed in another
    order, with the largest relative difference)."""
    if mart.columns != reference.columns or len(mart.rows) != len(reference.rows):
        return "columns or row count"
    different, rounding = [], []
    for i, (name, kind) in enumerate(mart.columns):
        pairs = [(row[i], ref[i]) for row, ref in zip(mart.rows, reference.rows, strict=True)]
        unequal = [(a, b) for a, b in pairs if a != b and not (a != a and b != b)]  # NaN equals NaN here
        if not unequal:
            continue
        if kind in ("DOUBLE", "FLOAT") and all(_same_float(a, b) for a, b in unequal):
            rounding.append(f"{name} (last bits, {max(abs(a - b) / max(abs(a), abs(b)) for a, b in unequal):.0e})")
        else:
            different.append(name)
    return ", ".join(different + rounding)


@dataclass(frozen=True)
class CleanRun:
    workspace: Workspace
    marts: dict[str, Mart]
    seconds: float

    def assert_same_marts(self, marts: dict[str, Mart], *, all_of_them: bool = True) -> str:
        """Every mart has the content checksum of this run's; says how many were compared."""
        if all_of_them:
            assert sorted(marts) == sorted(self.marts)
        assert set(marts) <= set(self.marts)
        different = {
            name: differences(mart, self.marts[name])
            for name, mart in marts.items()
            if mart.checksum != self.marts[name].checksum
        }
        assert not different, f"marts differ from a clean refresh's: {different}"
        return f"{len(marts)} marts with a clean refresh's checksums"


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CleanRun]:
    """One refresh from nothing: the marts every other run is compared with."""
    workspace = new_workspace(tmp_path_factory.mktemp("faults") / "clean")
    try:
        refresh = workspace.run("clean")
    finally:
        workspace.kill_all()
    marts = published_marts(workspace.marts_dir)
    load_times = [f"{name}.{column}" for name, mart in marts.items() for column, _ in mart.columns]
    load_times = [column for column in load_times if LOAD_TIME_COLUMN.search(column)]
    assert not load_times, f"marts carry load or run times, which differ between runs: {load_times}"
    report_counts(f"\nclean refresh: {len(marts)} marts in {refresh.seconds:.0f} s")
    yield CleanRun(workspace, marts, refresh.seconds)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    workspace = new_workspace(tmp_path / "workspace")
    try:
        yield workspace
    finally:
        workspace.kill_all()  # nothing outlives a failed test


def test_a_refresh_killed_mid_publication_leaves_whole_marts_and_the_next_refresh_completes_them(
    clean_run: CleanRun, workspace: Workspace
):
    refresh = workspace.start("killed")
    # Kill while a mart or the catalog is being written (a temporary exists) once three marts are out, or
    # between two publications once eight are out, whichever comes first: mid-materialisation either way.
    moment = None
    deadline = time.monotonic() + REFRESH_TIMEOUT
    while moment is None:
        assert refresh.process.poll() is None, "the refresh ended before it could be killed\n" + refresh.output()
        assert time.monotonic() < deadline, "no mart was published in time"
        names = os.listdir(workspace.marts_dir) if workspace.marts_dir.exists() else []
        published = [n for n in names if n.endswith(".parquet")]
        writing = [n for n in names if n.startswith(".") and ".tmp" in n]
        if len(published) >= 3 and writing:
            moment = f"while writing {writing[0]}"
        elif len(published) >= 8:
            moment = "between two publications"
        else:
            time.sleep(0.002)
    os.killpg(refresh.process.pid, signal.SIGKILL)
    refresh.wait(timeout=60)
    assert refresh.process.returncode == -signal.SIGKILL
    assert workspace.warehouse.exists()
    left = sorted(p.name for p in workspace.marts_dir.glob(TEMPORARY))

    # A researcher opening the catalog now sees each mart whole (the clean run's version) or not at all.
    views = catalog_views(workspace.marts_dir)
    files = published_marts(workspace.marts_dir)
    assert views and set(views) <= set(files)
    clean_run.assert_same_marts(files, all_of_them=False)
    clean_run.assert_same_marts(views, all_of_them=False)
    absent = sorted(set(clean_run.marts) - set(views))
    report_counts(
        f"\nkilled after {refresh.seconds:.1f} s {moment}: {len(files)} of {len(clean_run.marts)} marts published, "
        f"{len(views)} views readable and whole, {len(absent)} absent, 0 partial; temporaries left: {left or 'none'}"
    )

    rerun = workspace.run("rerun")
    assert not list(workspace.marts_dir.rglob(TEMPORARY)), "temporaries left after the rerun"
    marts = published_marts(workspace.marts_dir)
    equality = clean_run.assert_same_marts(marts)
    assert {name: view.checksum for name, view in catalog_views(workspace.marts_dir).items()} == {
        name: mart.checksum for name, mart in marts.items()
    }
    # The killed refresh's run held the `warehouse` pool slot; without giving it back the rerun waits forever.
    recovered = re.search(r"Marked (\d+) run", rerun.stdout())
    assert recovered, rerun.output()
    report_counts(
        f"rerun completed in {rerun.seconds:.0f} s ({recovered[1]} abandoned run(s) marked "
        f"failed), 0 temporaries left; {len(marts)} marts equal a clean refresh's: {equality}"
    )


WAITING = re.compile(r"Another refresh is writing the warehouse .* \(pid (\d+)\); waiting up to")
GAVE_UP = re.compile(r"Another refresh is writing the warehouse .* \(pid (\d+)\); gave up after waiting")
RAW_ERRORS = ("Traceback", "IOException", "Could not set lock", "Conflicting lock")


def test_two_refreshes_started_together_take_turns_and_never_corrupt_the_warehouse(
    clean_run: CleanRun, workspace: Workspace
):
    first, second = workspace.start("first"), workspace.start("second")
    pids = {first.process.pid, second.process.pid}
    # Once one of them is waiting, a third that will not wait long is refused with the reason.
    deadline = time.monotonic() + REFRESH_TIMEOUT
    while not any(WAITING.search(r.stdout()) for r in (first, second)):
        assert time.monotonic() < deadline, first.output() + second.output()
        both_ended = first.process.poll() is not None and second.process.poll() is not None
        assert not both_ended, "the two refreshes did not overlap\n" + first.output() + second.output()
        time.sleep(0.2)
    # The holder is paused while the impatient one tries, so it cannot end (and hand the lock on) meanwhile.
    holder = int(refresh_lock_path(workspace.warehouse).read_text())
    assert holder in pids
    os.killpg(holder, signal.SIGSTOP)
    try:
        impatient = workspace.start("impatient", EVAL_REFRESH_WAIT="1")
        assert impatient.wait(timeout=300) == 1, impatient.output()
    finally:
        os.killpg(holder, signal.SIGCONT)
    refusal = GAVE_UP.search(impatient.stderr())
    assert refusal and int(refusal[1]) in pids, impatient.output()
    assert not any(marker in impatient.stderr() for marker in RAW_ERRORS), impatient.output()

    wait_for_all([first, second], timeout=2 * REFRESH_TIMEOUT)
    outcomes = []
    for refresh in (first, second):
        code = refresh.process.returncode
        text = refresh.stdout() + refresh.stderr()
        assert not any(marker in text for marker in RAW_ERRORS), refresh.output()
        waited = WAITING.search(text)
        if waited:
            assert int(waited[1]) in pids - {refresh.process.pid}, refresh.output()
        if code != 0:  # allowed only as a clean refusal after waiting the whole time
            assert GAVE_UP.search(text), refresh.output()
        outcomes.append(f"{refresh.label} {'waited, then ' if waited else ''}exit {code} after {refresh.seconds:.0f} s")
    assert any(WAITING.search(r.stdout()) for r in (first, second)), "the two refreshes did not overlap"
    assert first.process.returncode == 0 or second.process.returncode == 0

    third = workspace.run("third")
    marts = published_marts(workspace.marts_dir)
    equality = clean_run.assert_same_marts(marts)
    assert not list(workspace.marts_dir.rglob(TEMPORARY))
    report_counts(
        f"\ntwo refreshes at once: {'; '.join(outcomes)}; one asked to wait 1 s was refused in "
        f"{impatient.seconds:.1f} s naming pid {refusal[1]}; 0 DuckDB lock errors; then a third refresh in "
        f"{third.seconds:.0f} s: {len(marts)} marts equal a clean refresh's: {equality}"
    )


READER = textwrap.dedent(
    """
    import collections, json, pathlib, sys, duckdb
    catalog, stop, mode = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
    held = duckdb.connect(catalog, read_only=True) if mode == "held" else None  # a notebook left open
    seen = collections.defaultdict(collections.Counter)  # view -> {"rows checksum": reads}
    queries = 0
    errors = collections.Counter()
    ready = pathlib.Path(f"{stop}.{mode}.ready")
    while True:
        last = stop.exists()  # one more pass after the refresh has ended, to read the final version
        try:
            # Fresh: a new connection, so a new database instance reading the catalog file as it is now.
            con = held if held is not None else duckdb.connect(catalog, read_only=True)
            views = [v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
            for view in views:
                queries += 1
                rows, checksum = con.execute(f'SELECT count(*), sum(hash(t))::VARCHAR FROM "{view}" t').fetchall()[0]
                seen[view][f"{rows} {checksum}"] += 1
            if con is not held:
                con.close()
        except Exception as error:  # a lock error, or a query that read part of each version, fails here
            errors[str(error).splitlines()[0][:160]] += 1
        ready.touch()
        if last:
            break
    print(json.dumps({"queries": queries, "errors": errors, "seen": seen}))
    """
)
# What DuckDB says when one query reads a Parquet file's footer from one version and its pages from another.
MIXED_VERSIONS = re.compile(
    r"TProtocolException|don't know what type|Variable-length int|bytes outside file|Could not read enough bytes"
)


def view_versions(marts_dir: Path) -> dict[str, str]:
    """Each view's row count and checksum, as the reader computes them."""
    with duckdb.connect(str(marts_dir / "marts.duckdb"), read_only=True) as con:
        views = [
            v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()
        ]
        return {
            view: " ".join(
                str(value)
                for value in con.execute(f'SELECT count(*), sum(hash(t))::VARCHAR FROM "{view}" t').fetchall()[0]
            )
            for view in views
        }


def test_a_researcher_querying_the_marts_through_a_refresh_sees_no_lock_error_and_no_torn_mart(
    clean_run: CleanRun, tmp_path: Path
):
    # Start from the marts a refresh has already published (a copy of the clean run, its catalog pointed
    # at the copied files), then change a partnership's name so the refresh publishes new versions.
    workspace = Workspace(tmp_path / "workspace")
    shutil.copytree(clean_run.workspace.root, workspace.root, symlinks=True)
    write_catalog(workspace.marts_dir)
    partnerships = workspace.root / "raw" / "reference" / "partnerships.csv"
    partnerships.write_text(partnerships.read_text().replace("P01,Kirklees,", "P01,Kirklees Council,", 1))
    old = view_versions(workspace.marts_dir)

    stop = tmp_path / "stop"
    readers = {
        mode: subprocess.Popen(
            [sys.executable, "-c", READER, str(workspace.marts_dir / "marts.duckdb"), str(stop), mode],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode in ("held", "fresh")
    }
    reports = {}
    try:
        deadline = time.monotonic() + 120
        for mode, reader in readers.items():  # each reader has made a first pass over every view
            while not Path(f"{stop}.{mode}.ready").exists():
                assert reader.poll() is None and time.monotonic() < deadline, reader.communicate()
                time.sleep(0.05)
        refresh = workspace.run("refresh")
    finally:
        stop.touch()
        workspace.kill_all()
        for mode, reader in readers.items():
            try:
                output, errors = reader.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                reader.kill()
                output, errors = reader.communicate()
            assert reader.returncode == 0, errors
            reports[mode] = json.loads(output)

    new = view_versions(workspace.marts_dir)
    assert set(new) == set(old)
    changed = sorted(view for view in new if new[view] != old[view])
    queries = sum(report["queries"] for report in reports.values())
    errors = collections.Counter()
    seen = collections.defaultdict(collections.Counter)
    for report in reports.values():
        errors.update(report["errors"])
        for view, versions in report["seen"].items():
            seen[view].update(versions)
    lock_errors = sum(n for message, n in errors.items() if "lock" in message.lower())
    mixed = sum(n for message, n in errors.items() if MIXED_VERSIONS.search(message))
    other_errors = sum(errors.values()) - lock_errors - mixed
    silent = {
        view: {version: n for version, n in versions.items() if version not in (old[view], new[view])}
        for view, versions in seen.items()
    }
    silent_torn = sum(n for versions in silent.values() for n in versions.values())
    both_seen = [view for view in changed if set(seen[view]) == {old[view], new[view]}]
    report_counts(
        f"\nreaders during a {refresh.seconds:.0f} s refresh: {queries} queries "
        f"({reports['held']['queries']} on a held connection, {reports['fresh']['queries']} on fresh ones), "
        f"{lock_errors} lock errors, {silent_torn + mixed} torn reads ({silent_torn} silent, {mixed} failed reading "
        f"two versions of one file), {other_errors} other errors; {len(new)} marts re-published, {len(changed)} "
        f"changed ({', '.join(changed)}), old and new version each read whole in {len(both_seen)}"
    )
    assert lock_errors == 0, errors
    assert other_errors == 0, errors
    assert silent_torn == 0, silent
    assert changed, "the changed partnership name reached no mart"
    assert both_seen == changed, "the readers did not read through the re-publication"
    # DuckDB opens a Parquet file more than once in a query; each view reads a file that never changes.
    assert mixed == 0, errors
    assert min(report["queries"] for report in reports.values()) >= 20 * len(new)
    # A connection held open through the refresh keeps the marts as they were when it connected.
    assert all(set(versions) == {old[view]} for view, versions in reports["held"]["seen"].items())
