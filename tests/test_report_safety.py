"""The report pages show hostile names, codes and excerpts as text, in a real browser.

The whole pipeline runs on a copy of the bundled drop zone with markup planted in a partnership's name, an
outcome indicator's name, a driver diagram, a codebook code and three coded excerpts (`tests/hostile_text.py`):
script tags, `</title>`, event-handler attributes, `javascript:` URLs, Markdown, TeX and great-tables units
syntax. Headless Chromium then opens the programme report and the partnership's case-study page and checks
that no payload ran, no injected element exists, and every planted text reads literally. Screenshots go to
`tests/artifacts/` (git-ignored).

Needs Chromium at /usr/bin/chromium (`.ci/run` installs Debian's package); Playwright never downloads one.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipeline.settings import PROJECT_ROOT, Settings
from tests import hostile_text
from tests.conftest import DATA_DIR, resources_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"

# Elements or attributes only a payload would put in a page (great-tables' own markup has none of them).
INJECTED = (
    "[data-pwned], script, [onerror], [onload], [onmouseover], a[href^='javascript:' i], a[href*='__pwned'], strong, em"
)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Every asset materialised once on a copy of the demo drop zone with hostile text planted."""
    from pipeline.cli import materialise_all
    from pipeline.definitions import build_definitions

    out = tmp_path_factory.mktemp("hostile_run")
    shutil.copytree(DATA_DIR, out / "raw")
    hostile_text.plant(out / "raw")
    settings = Settings(data_dir=out / "raw", warehouse=out / "warehouse.duckdb", marts_dir=out / "marts")
    results = materialise_all(
        build_definitions(resources_for(settings)),
        dg.DagsterInstance.ephemeral(),
        settings.drop_zone,
        progress=lambda _: None,
    )
    assert all(result.success for result in results)
    return settings


def test_the_planted_text_reaches_the_pages_escaped(hostile_run):
    reports = hostile_run.marts_dir / "reports"
    case_page = (reports / "partnerships" / f"{hostile_text.PARTNERSHIP}.html").read_text()
    report = (reports / "evaluation_report.html").read_text()
    for page in (case_page, report):
        assert "data-pwned" in page  # the payloads are there, as text ...
        assert re.search(r"<(script|[a-z]+[^<>]*\sdata-pwned)", page) is None  # ... never as markup
    assert "&lt;/title&gt;&lt;script data-pwned&gt;" in case_page.split("</title>")[0]


@pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; CI installs it)",
)
def test_no_planted_markup_runs_or_renders_in_the_browser(hostile_run):
    from playwright.sync_api import sync_playwright

    reports = hostile_run.marts_dir / "reports"
    partnership = hostile_text.PARTNERSHIP
    name = hostile_text.PARTNERSHIP_NAME
    pages = {
        "report": (reports / "evaluation_report.html", "Partnership evaluation report"),
        "case_page": (reports / "partnerships" / f"{partnership}.html", f"{partnership} {name}"),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shown = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            dialogs = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for label, (path, title) in pages.items():
                page.goto(path.as_uri(), wait_until="load")
                page.hover("body")  # an onmouseover would fire now
                page.screenshot(path=ARTIFACTS / f"report_hostile_{label}.png", full_page=True)
                assert page.evaluate("typeof window.__pwned") == "undefined", label
                assert page.title() == title
                injected = page.evaluate(f"[...document.querySelectorAll({INJECTED!r})].map(e => e.outerHTML)")
                assert injected == [], label
                shown[label] = page.inner_text("body")
        finally:
            browser.close()
    assert dialogs == []
    # Every planted text reads literally: as written, markup, Markdown, '$' and '{{units}}' included.
    report, case_page = shown["report"], shown["case_page"]
    assert hostile_text.CODE in report  # the coder-agreement table
    assert hostile_text.INDICATOR_NAME in report and hostile_text.INDICATOR_NAME in case_page
    assert f"{partnership} {name}" in report and f"{partnership} {name}" in case_page
    assert hostile_text.DRIVER_NAME in case_page  # group label and cells of the driver table
    # A factor's name heads its matrix column and labels its evidence row, read from success_factors.csv.
    assert hostile_text.FACTOR_NAME in report and hostile_text.FACTOR_NAME in case_page
    assert " | ".join(hostile_text.EXCERPTS) in case_page  # the factor's three excerpts, in one cell
    assert "**bold** [link](javascript:__pwned='markdown')" in case_page
    assert "costs $5 and $_{x$ per {{m^2}}" in case_page
