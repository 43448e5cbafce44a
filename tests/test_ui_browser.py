"""The Dagster UI end to end in a real browser: every asset materialised by clicking, every check passed.

`dagster dev` serves the code location over a copy of the bundled drop zone, with its own warehouse, marts
folder and instance (the repository's `dagster.yaml`), and headless Chromium drives the UI as an evaluator
would: it switches the automations off (so the only runs are the ones launched here), registers the survey
waves with "Add a partition" in the launch dialog, and launches "Materialize all" over every wave, a backfill
that the dagster dev daemon runs. The GraphQL API is only read: to wait, and to verify that every asset (every
wave of the partitioned ones) was materialised, every run succeeded and every asset check passed. Screenshots
go to `tests/artifacts/` (git-ignored), with a screenshot and the server log there when the test fails.

Needs Chromium at /usr/bin/chromium (`.ci/run` installs Debian's package); Playwright never downloads one.
Run it alone with `pytest tests/test_ui_browser.py`, leave it out with `--deselect tests/test_ui_browser.py`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT
from tests.conftest import DATA_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"

SERVER_START_TIMEOUT = 180  # seconds for `dagster dev` to serve the UI with the code location loaded
MATERIALISE_TIMEOUT = 900  # seconds for the backfill of every asset; a few minutes on a quiet machine
UI_TIMEOUT_MS = 60_000  # for one element of the UI to appear
NUX_TIMEOUT_MS = 30_000  # for the newsletter prompt a fresh instance shows once

# Skipped on a machine without Chromium, but never in CI (CI=true), where it must run: .ci/run installs it.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; CI installs it)",
)


LANDED_FOLDERS = ("surveys", "monitoring")  # the drop-zone folders a sensor watches


@dataclass(frozen=True)
class DagsterUI:
    """A running `dagster dev` over a temporary drop zone, warehouse, marts folder and instance."""

    url: str
    data_dir: Path
    landing_dir: Path  # survey exports and monitoring returns waiting to be dropped into `data_dir`
    log: Path
    process: subprocess.Popen

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.load(response)
        assert not body.get("errors"), f"GraphQL errors: {body['errors']}"
        return body["data"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _default_sigint() -> None:
    # Ctrl-C semantics in the server even when the test runner was started with SIGINT ignored (a background
    # job): dagster dev then shuts its webserver, daemon and code server down itself.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop(process: subprocess.Popen) -> None:
    """Interrupt dagster dev's process group as Ctrl-C would, then kill whatever is left of the group."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # run workers or code servers that outlived the interrupt
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


WORKSPACE_QUERY = """{
  workspaceOrError { ... on Workspace { locationEntries {
    loadStatus
    locationOrLoadError {
      __typename
      ... on RepositoryLocation { repositories { name } }
      ... on PythonError { message }
    }
  } } }
}"""


def _wait_until_served(ui: DagsterUI) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if ui.process.poll() is not None:
            pytest.fail(f"dagster dev exited with code {ui.process.returncode}:\n{ui.log_tail()}")
        try:
            with urllib.request.urlopen(f"{ui.url}/server_info", timeout=5):
                pass
            entries = ui.graphql(WORKSPACE_QUERY)["workspaceOrError"]["locationEntries"]
            locations = [entry["locationOrLoadError"] for entry in entries if entry["loadStatus"] == "LOADED"]
            assert all(location["__typename"] != "PythonError" for location in locations), locations
            if locations and all(location.get("repositories") for location in locations):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"dagster dev did not serve the code location within {SERVER_START_TIMEOUT} s:\n{ui.log_tail()}"
            )
        time.sleep(1)


@pytest.fixture
def dagster_ui(tmp_path: Path) -> Iterator[DagsterUI]:
    """`dagster dev` on a free port over a copy of the demo drop zone whose survey exports are held back."""
    data_dir = tmp_path / "raw"
    shutil.copytree(DATA_DIR, data_dir)
    # The surveys and monitoring folders start empty: the drop-zone sensors find nothing until the test has
    # switched them off in the UI, and only then are the files dropped in (see the test).
    landing_dir = tmp_path / "landing"
    for folder in LANDED_FOLDERS:
        shutil.move(data_dir / folder, landing_dir / folder)
        (data_dir / folder).mkdir()

    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").symlink_to(PROJECT_ROOT / "dagster.yaml")

    env = {
        **os.environ,
        "EVAL_DATA_DIR": str(data_dir),
        "EVAL_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "EVAL_MARTS_DIR": str(tmp_path / "marts"),
        "EVAL_PSEUDONYM_KEY": "ui-browser-test-key",
        "DAGSTER_HOME": str(dagster_home),
    }
    dagster = Path(sys.executable).with_name("dagster")
    port = _free_port()
    log = tmp_path / "dagster_dev.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(dagster), "dev", "-m", "pipeline.definitions", "-h", "127.0.0.1", "-p", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the teardown reaches every child
            preexec_fn=_default_sigint,
        )
    ui = DagsterUI(f"http://127.0.0.1:{port}", data_dir, landing_dir, log, process)
    try:
        _wait_until_served(ui)
        yield ui
    finally:
        _stop(process)


AUTOMATIONS_QUERY = """{
  workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError { ... on RepositoryLocation {
    repositories {
      sensors { name sensorState { status } }
      schedules { name scheduleState { status } }
    }
  } } } } }
}"""

BACKFILLS_QUERY = """{
  partitionBackfillsOrError { ... on PartitionBackfills { results { id status error { message } } } }
  runsOrError { ... on Runs { results { runId status tags { key value } } } }
}"""

ASSETS_QUERY = """{
  assetNodes {
    assetKey { path }
    isPartitioned
    partitionKeys
    partitionStats { numMaterialized numPartitions numFailed }
    assetMaterializations(limit: 1) { runId }
    assetChecksOrError { ... on AssetChecks { checks { name } } }
  }
}"""

CHECK_EXECUTIONS_QUERY = """query ($assetKey: AssetKeyInput!, $checkName: String!) {
  assetCheckExecutions(assetKey: $assetKey, checkName: $checkName, limit: 100) {
    runId status evaluation { success }
  }
}"""


def _automation_states(ui: DagsterUI) -> dict[str, str]:
    states = {}
    for entry in ui.graphql(AUTOMATIONS_QUERY)["workspaceOrError"]["locationEntries"]:
        for repository in entry["locationOrLoadError"]["repositories"]:
            states |= {sensor["name"]: sensor["sensorState"]["status"] for sensor in repository["sensors"]}
            states |= {schedule["name"]: schedule["scheduleState"]["status"] for schedule in repository["schedules"]}
    return states


def _wait_for_backfill(ui: DagsterUI, backfill_id: str) -> tuple[dict, list[dict]]:
    """Poll until the backfill is over; fail at once when one of its runs fails."""
    deadline = time.monotonic() + MATERIALISE_TIMEOUT
    while True:
        data = ui.graphql(BACKFILLS_QUERY)
        backfill = next(b for b in data["partitionBackfillsOrError"]["results"] if b["id"] == backfill_id)
        runs = data["runsOrError"]["results"]
        failed = [run for run in runs if run["status"] in ("FAILURE", "CANCELED")]
        assert not failed, f"runs did not succeed: {failed}\n{ui.log_tail()}"
        if backfill["status"] not in ("REQUESTED", "CANCELING", "FAILING"):
            return backfill, runs
        if time.monotonic() > deadline:
            pytest.fail(
                f"backfill {backfill_id} still {backfill['status']} after {MATERIALISE_TIMEOUT} s:\n{ui.log_tail()}"
            )
        time.sleep(5)


def test_materialise_every_asset_from_the_ui_and_every_check_passes(dagster_ui: DagsterUI) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect, sync_playwright

    from pipeline.definitions import defs
    from pipeline.surveys.ingest import survey_wave_files

    asset_graph = defs.resolve_asset_graph()
    expected_assets = {key.to_user_string() for key in asset_graph.get_all_asset_keys()}
    partitioned = {
        key.to_user_string() for key in asset_graph.get_all_asset_keys() if asset_graph.get(key).is_partitioned
    }
    expected_checks = {(key.asset_key.to_user_string(), key.name) for key in asset_graph.asset_check_keys}
    assert partitioned and expected_checks

    ARTIFACTS.mkdir(exist_ok=True)
    for stale in ARTIFACTS.glob("ui_*"):
        stale.unlink()
    ui = dagster_ui
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        context.route(lambda url: not url.startswith(ui.url), lambda route: route.abort())  # nothing leaves the machine
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        expect.set_options(timeout=UI_TIMEOUT_MS)
        # A fresh instance greets its first visitor with a newsletter prompt a moment after the page loads:
        # skip it before anything else (were it to open over a menu, dismissing it would close the menu too),
        # and whenever it shows up later.
        nux = page.get_by_text("Join the Dagster community")
        skip_nux = page.get_by_role("dialog").filter(has=nux).get_by_role("button", name="Skip")
        page.add_locator_handler(nux, lambda: skip_nux.click())
        try:
            # 1. Switch the survey-drop sensor and the weekly schedule off, so every run is one launched here.
            page.goto(f"{ui.url}/automation")
            with contextlib.suppress(PlaywrightTimeoutError):
                nux.wait_for(timeout=NUX_TIMEOUT_MS)
            if nux.is_visible():
                skip_nux.click()
                expect(nux).to_be_hidden()
            for name in _automation_states(ui):
                expect(page.get_by_text(name, exact=True)).to_be_visible()
            page.get_by_text("Select all", exact=True).click()
            page.get_by_role("button", name="Actions").click()
            stop = re.compile(r"Stop \d+ automations?")
            page.get_by_role("menuitem", name=stop).click()
            confirm = page.get_by_role("dialog").filter(has_text="Stop automations")
            confirm.get_by_role("button", name=stop).click()
            expect(confirm.get_by_text("Successfully stopped")).to_be_visible()
            confirm.get_by_role("button", name="Done").click()
            states = _automation_states(ui)
            assert states and set(states.values()) == {"STOPPED"}, states

            # 2. The survey exports (one wave per file) and the monitoring returns land in the drop zone.
            for folder in LANDED_FOLDERS:
                for landed in (ui.landing_dir / folder).iterdir():
                    shutil.copy2(landed, ui.data_dir / folder / landed.name)
            waves = sorted(survey_wave_files(ui.data_dir / "surveys"))
            assert waves

            # 3. Global asset lineage -> "Materialize all": register each wave in the launch dialog, select
            #    every partition and launch the backfill.
            page.goto(f"{ui.url}/asset-groups")
            expect(page.get_by_text("Global asset lineage")).to_be_visible()
            page.get_by_role("button", name=re.compile(r"Materialize all")).click()
            launch = page.get_by_role("dialog").filter(has_text="Launch runs to materialize")
            expect(launch).to_contain_text(f"materialize {len(expected_assets)} assets")
            for wave in waves:
                launch.get_by_text("Add a partition", exact=True).click()
                add = page.get_by_role("dialog").filter(has_text="Add a partition for")
                add.get_by_role("textbox").fill(wave)
                add.get_by_role("button", name="Save").click()
                expect(add).to_be_hidden()
            launch.get_by_role("button", name="All", exact=True).click()
            expect(launch.get_by_text(f"{len(waves)} partitions", exact=True)).to_be_visible()
            launch.get_by_role("button", name="Launch backfill").click()
            expect(page.get_by_text("Created backfill")).to_be_visible()

            backfills = ui.graphql(BACKFILLS_QUERY)["partitionBackfillsOrError"]["results"]
            assert len(backfills) == 1, backfills
            backfill_id = backfills[0]["id"]
            page.goto(f"{ui.url}/runs/b/{backfill_id}")

            # 4. Wait for the daemon to run it; every run must succeed and belong to that backfill.
            backfill, runs = _wait_for_backfill(ui, backfill_id)
            assert backfill["status"] == "COMPLETED_SUCCESS", f"{backfill}\n{ui.log_tail()}"
            assert runs and all(run["status"] == "SUCCESS" for run in runs), runs
            for run in runs:
                assert {"key": "dagster/backfill", "value": backfill_id} in run["tags"], run
            page.reload()
            expect(page.get_by_text("Succeeded").first).to_be_visible()
            page.screenshot(path=ARTIFACTS / "ui_backfill.png", full_page=True)

            # 5. Every asset materialised, each partitioned one in every wave.
            nodes = {"/".join(node["assetKey"]["path"]): node for node in ui.graphql(ASSETS_QUERY)["assetNodes"]}
            assert set(nodes) == expected_assets
            for name, node in nodes.items():
                assert node["assetMaterializations"], f"{name} was not materialised"
                if name in partitioned:
                    assert sorted(node["partitionKeys"]) == waves, name
                    stats = node["partitionStats"]
                    assert stats["numMaterialized"] == stats["numPartitions"] == len(waves), (name, stats)
                    assert stats["numFailed"] == 0, (name, stats)

            # 6. Every asset check ran and passed, on every wave for the partitioned assets.
            checks = {
                (name, check["name"]) for name, node in nodes.items() for check in node["assetChecksOrError"]["checks"]
            }
            assert checks == expected_checks
            for asset, check in sorted(checks):
                executions = ui.graphql(CHECK_EXECUTIONS_QUERY, {"assetKey": {"path": [asset]}, "checkName": check})[
                    "assetCheckExecutions"
                ]
                assert len(executions) >= (len(waves) if asset in partitioned else 1), (asset, check, executions)
                for execution in executions:
                    assert execution["status"] == "SUCCEEDED" and execution["evaluation"]["success"], (
                        asset,
                        check,
                        execution,
                    )

            # 7. The UI says so too: the lineage graph, and the Checks tab of a partitioned asset and of the asset
            #    with the most checks, every check "Succeeded" and the selected one's evaluation "Passed".
            page.goto(f"{ui.url}/asset-groups")
            expect(page.get_by_role("button", name=re.compile(r"Materialize all"))).to_be_visible()
            # The lineage polls asset statuses, so the network never idles: wait for the groups instead.
            expect(page.get_by_text("surveys", exact=True).first).to_be_visible()
            expect(page.get_by_text("fetching statuses")).to_have_count(0)
            page.screenshot(path=ARTIFACTS / "ui_asset_graph.png")

            checks_by_asset: dict[str, int] = {}
            for asset, _ in checks:
                checks_by_asset[asset] = checks_by_asset.get(asset, 0) + 1
            most_checked = max(checks_by_asset, key=checks_by_asset.get)
            partitioned_checked = [asset for asset in sorted(checks_by_asset) if asset in partitioned]
            shown = sorted({most_checked, *partitioned_checked[:1]})
            for asset in shown:
                page.goto(f"{ui.url}/assets/{asset}?view=checks")
                expect(page.get_by_text(f"Checks ({checks_by_asset[asset]})", exact=True)).to_be_visible()
                expect(page.get_by_text("Succeeded", exact=True)).to_have_count(checks_by_asset[asset])
                expect(page.get_by_text("Passed", exact=True)).to_be_visible()
                expect(page.get_by_text("Failed", exact=True)).to_have_count(0)
                page.screenshot(path=ARTIFACTS / f"ui_checks_{asset}.png")

            # 8. The lineage reads by source: one group per kind of evidence, then comparison and reports.
            page.goto(f"{ui.url}/asset-groups")
            for group in ("reference", "surveys", "codings", "outcomes", "mapping", "comparison", "reports"):
                expect(page.get_by_text(group, exact=True).first).to_be_visible()
            page.screenshot(path=ARTIFACTS / "ui_lineage_by_source.png")

            # 9. A mart's page shows its columns with the descriptions its pandera model gives them.
            from pipeline.comparison.schemas import SuccessFactorMatrixMart

            page.goto(f"{ui.url}/assets/success_factor_matrix")
            description = SuccessFactorMatrixMart.to_schema().columns["survey_mean"].description
            expect(page.get_by_text(description, exact=True).first).to_be_visible()
            page.screenshot(path=ARTIFACTS / "ui_mart_columns.png", full_page=True)
        except BaseException:
            with contextlib.suppress(Exception):  # the failure itself is what matters
                page.screenshot(path=ARTIFACTS / "ui_failure.png")
            shutil.copy2(ui.log, ARTIFACTS / "ui_failure_dagster_dev.log")
            raise
        finally:
            browser.close()
