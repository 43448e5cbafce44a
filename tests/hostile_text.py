"""Hostile text planted in a copy of the demo drop zone: markup, script, event handlers, `javascript:` URLs,
Markdown, TeX and great-tables units syntax, in every kind of name and free text that reaches a page.

Each payload, if it ran, would set `window.__pwned`; each injected element carries `data-pwned`, so a page
that shows the text literally has neither. `plant(data_dir)` writes them into a copied drop zone: one
partnership's name, the names of its problem's outcome indicators and driver diagram, a success factor's name,
a codebook code and three coded excerpts.
"""

from __future__ import annotations

import csv
from pathlib import Path

PAYLOADS = (
    "<script>__pwned='script'</script>",
    "</title><script data-pwned>__pwned='title'</script>",
    "<img data-pwned src=x onerror=\"__pwned='onerror'\">",
    "<svg data-pwned onload=\"__pwned='svg'\"></svg>",
    "<a data-pwned href=\"javascript:__pwned='href'\">link</a>",
    '"><b data-pwned onmouseover="__pwned=\'attribute\'">',
    "**bold** [link](javascript:__pwned='markdown')",
    "javascript:__pwned='url'",
    "costs $5 and $_{x$ per {{m^2}}",
)


def hostile(label: str) -> str:
    """A label followed by every payload: what a page must show, character for character."""
    return f"ZZ {label} " + " ".join(PAYLOADS)


PARTNERSHIP = "P04"  # Brighton and Hove: has survey answers, codings and outcome data
PARTNERSHIP_NAME = hostile("partnership")
FACTOR_NAME = hostile("factor")  # the pages head factor columns and rows with it
INDICATOR_NAME = hostile("indicator")
DRIVER_NAME = hostile("driver")
CODE = "Success factors/Governance/" + hostile("code")
# A page shows at most three excerpts per partnership and factor, each cut at 160 characters: three
# passages carry the payloads between them.
EXCERPTS = tuple(f"ZZ excerpt {i} " + " ".join(PAYLOADS[i::3]) for i in range(3))


def _rewrite(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    fields = list(rows[0])
    for row in rows:
        change(row)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def plant(data_dir: Path) -> None:
    """Write the hostile texts into the drop zone at `data_dir` (a copy of `data/raw`)."""
    reference = data_dir / "reference"
    problem = {}

    def partnership(row: dict) -> None:
        if row["partnership_id"] == PARTNERSHIP:
            row["partnership_name"] = PARTNERSHIP_NAME
            problem["wicked_problem"] = row["wicked_problem"]

    _rewrite(reference / "partnerships.csv", partnership)
    _rewrite(
        reference / "success_factors.csv",
        lambda row: row.update(factor_name=FACTOR_NAME) if row["factor_id"] == "governance" else None,
    )
    _rewrite(
        reference / "outcome_indicators.csv",
        lambda row: (
            row.update(indicator_name=INDICATOR_NAME) if row["wicked_problem"] == problem["wicked_problem"] else None
        ),
    )
    _rewrite(
        reference / "driver_diagrams.csv",
        lambda row: (
            row.update(secondary_driver=DRIVER_NAME, primary_driver=DRIVER_NAME)
            if row["wicked_problem"] == problem["wicked_problem"]
            else None
        ),
    )
    with (reference / "codebook_factor_map.csv").open("a", newline="", encoding="utf-8") as file:
        csv.writer(file).writerow([CODE, "governance", "enabler"])
    # Two coders apply the code to each passage, in sources that sort first among the partnership's.
    with (data_dir / "codings" / "planted.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["partnership", "source", "code", "coder", "excerpt", "start", "end"])
        for number, excerpt in enumerate(EXCERPTS):
            for coder in ("Site visit coder 1", "Site visit coder 2"):  # the demo's coders
                writer.writerow(
                    [PARTNERSHIP, f"{PARTNERSHIP} 0 planted notes {number}", CODE, coder, excerpt, 0, len(excerpt)]
                )
