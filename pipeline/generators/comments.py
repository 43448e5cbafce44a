"""Seeded demo coding of the survey's free-text comments by theme.

Written by `make demo-data` (from `pipeline.generators.demo.generate`, after the survey exports, with its
own random stream so the other demo files do not change): `codings/comments/comment_codings.csv`, one row
per comment x theme x coder, naming each comment by its wave and its position in the wave's export.

Planted truth: every comment is coded by "Comment coder 1" with the theme its text carries (`THEMES`); "Comment
coder 2" double-codes a random 40% of them, agreeing except on "We need more time from senior managers.",
which they code as capacity. A comment counts once per theme whoever codes it, so each theme's programme total
is the number of comments with its texts, except capacity, which also counts the senior-manager comments coder
2 double-coded. The contact requests, which held a phone number or e-mail address before redaction, are coded
but never quoted (redaction removed something from each).
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from pipeline.generators.files import write_atomically

SEED = 2026
CODINGS_FILE = Path("codings/comments/comment_codings.csv")
ITEM = "COMMENTS"
CODERS = ("Comment coder 1", "Comment coder 2")
DOUBLE_CODED = 0.4
# The theme each demo comment's text carries (by its opening words).
THEMES = {
    "The learning events": "support_offer",
    "The peer exchange": "support_offer",
    "We need more time": "leadership_time",
    "Data sharing": "data_sharing",
    "Capacity in the voluntary": "capacity",
    "Happy to discuss": "contact_request",
    "Please send the report": "contact_request",
}
SECOND_CODER_DISAGREES = {"leadership_time": "capacity"}
HEADER_ROWS = 3  # a Qualtrics CSV export: names, question texts, import ids
COMMENT_ID = '{"ImportId":"QID4_TEXT"}'


def theme_of(comment: str) -> str:
    """The theme a demo comment's text carries."""
    return next(theme for opening, theme in THEMES.items() if comment.startswith(opening))


def write_comment_codings(data_dir: Path, seed: int = SEED) -> int:
    """Code every comment of the demo's survey exports (`surveys/wave_*.csv`) and write the coding table;
    returns the number of codings written."""
    rng = random.Random(seed)
    rows = []
    for export in sorted((data_dir / "surveys").glob("wave_*.csv")):
        with export.open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
        column = records[HEADER_ROWS - 1].index(COMMENT_ID)
        for position, record in enumerate(records[HEADER_ROWS:], start=1):
            comment = record[column].strip()
            if not comment:
                continue
            theme = theme_of(comment)
            rows.append([export.stem, position, ITEM, theme, CODERS[0]])
            if rng.random() < DOUBLE_CODED:
                rows.append([export.stem, position, ITEM, SECOND_CODER_DISAGREES.get(theme, theme), CODERS[1]])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["wave", "response", "item", "theme", "coder"])
    writer.writerows(rows)
    write_atomically(data_dir / CODINGS_FILE, out.getvalue().encode())
    return len(rows)
