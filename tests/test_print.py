"""The report and a case-study page print on A4 with every table inside the page.

Headless Chromium lays each page out for print (print media, at the width A4 leaves inside the margins of
the pages' `@page` rule: 210 mm - 2 x 12 mm = 186 mm, about 703 CSS px at 96 px per inch) and measures every
table, chart and the page itself; it then prints each page to PDF and every PDF page must be A4 (595 x 842
points, ISO 216). The PDFs go to `tests/artifacts/` (git-ignored).

Needs Chromium at /usr/bin/chromium (`.ci/run` installs Debian's package); Playwright never downloads one.
"""

from __future__ import annotations

import os
import re

import pytest

from pipeline.settings import PROJECT_ROOT
from tests.test_report_safety import CHROMIUM, CHROMIUM_ARGS

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
PRINTABLE_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)  # A4 less the @page side margins in base.html
A4_POINTS = (595.28, 841.89)
# Every element that could run past the right edge of the printed page: tables, their cells, charts, images.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('table, img, figure, svg, pre')]
    .filter(e => e.getBoundingClientRect().right > width + 1 || e.scrollWidth > e.clientWidth + 1 && e.tagName === 'TABLE')
    .map(e => `${e.tagName} ${Math.round(e.getBoundingClientRect().right)}px: ${(e.innerText || '').slice(0, 60)}`);
  return {width, scroll: document.documentElement.scrollWidth, tables: document.querySelectorAll('table').length, wide};
}"""

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; CI installs it)",
)


def _pages(demo_run) -> dict[str, object]:
    reports = demo_run.settings.marts_dir / "reports"
    return {"report": reports / "evaluation_report.html", "case_page": reports / "partnerships" / "P04.html"}


def test_every_table_fits_the_width_of_an_a4_page(demo_run):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": PRINTABLE_WIDTH_PX, "height": 1000})
            page.emulate_media(media="print")
            for label, path in _pages(demo_run).items():
                page.goto(path.as_uri(), wait_until="load")
                measured = page.evaluate(MEASURE)
                assert measured["tables"] >= 5, label  # the page's tables are there to be measured
                assert measured["width"] == PRINTABLE_WIDTH_PX
                assert measured["wide"] == [], label
                assert measured["scroll"] <= measured["width"], label  # nothing else widens the page either
        finally:
            browser.close()


def test_the_pages_print_to_a4_pdfs(demo_run):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for label, path in _pages(demo_run).items():
                page.goto(path.as_uri(), wait_until="load")
                pdf = page.pdf(path=ARTIFACTS / f"print_{label}.pdf", prefer_css_page_size=True, print_background=True)
                boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
                assert len(boxes) >= 2, label  # sections start new pages: more than one page
                for width, height in boxes:
                    assert (float(width), float(height)) == pytest.approx(A4_POINTS, abs=1.5), label
        finally:
            browser.close()
