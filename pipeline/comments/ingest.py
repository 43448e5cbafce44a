"""Comment coding tables into the raw layer.

Evaluators code the survey's free-text comments (already redacted at ingest) by theme and drop the coding
tables in `codings/comments/` (CSV or Excel, first sheet), one row per comment x theme x coder:

| column     | content                                                                                     |
|------------|---------------------------------------------------------------------------------------------|
| wave       | the survey wave of the response (its export's file stem, e.g. wave_1); required              |
| respondent | the response's pseudonym (`respondent_key`), or blank where `response` is given              |
| response   | the response's position in its wave's export (1 = first response), or blank                  |
| item       | the free-text question's item code in reference/survey_instrument.csv, e.g. COMMENTS; required |
| theme      | a theme code of reference/comment_themes.csv; required                                        |
| coder      | who coded the comment; required                                                               |

The file is read with the shared layout reader (`pipeline.csv_layout`): any case, spacing or order of the
header, common synonyms accepted. Linking each coding to its comment is staging's job, so that a coding
naming an unknown response, item or theme is quarantined with its reason rather than refusing the file.
Any comment text a coder copied into the table is never read: only the redacted text stored at ingest is used.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipeline.csv_layout import Layout, column, read_layout
from pipeline.ingest import IngestReport, ensure_raw_table, files_in, load_folder
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits

COMMENTS_FOLDER = "comments"  # under the drop zone's codings/ folder
RAW_TABLE = "raw.comment_codings"
SUFFIXES = (".csv", ".xlsx")
LAYOUT = Layout(
    "comment coding table",
    (
        column("wave", "wave", "survey wave", required=True),
        column("respondent", "respondent", "respondent key", "pseudonym", "response pseudonym"),
        column("response", "response", "response number", "response row", "row"),
        column("item", "item", "item code", "question", required=True),
        column("theme", "theme", "theme code", "code", required=True),
        column("coder", "coder", "coded by", "rater", required=True),
    ),
)
RAW_COLUMNS = [c.name for c in LAYOUT.columns]


def read_comment_codings(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """The layout's columns of one comment coding table (cells as text, blank as missing) and `source_row`;
    any other column (such as a copy of the comment) is left out, so no unredacted text is stored."""
    frame = read_layout(path, LAYOUT, limits)
    kept = frame[[*(c for c in RAW_COLUMNS if c in frame.columns), "source_row"]].copy()
    for name in RAW_COLUMNS:
        values = kept[name] if name in kept else pd.Series([None] * len(kept), dtype="object")
        kept[name] = values.map(lambda v: v.strip() if isinstance(v, str) and v.strip() else None)
    return kept[[*RAW_COLUMNS, "source_row"]]


def load_comment_codings(
    con: duckdb.DuckDBPyConnection, codings_dir: Path, data_dir: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> IngestReport:
    """Load every comment coding table of `codings/comments/` into `raw.comment_codings`, each file on its
    own: one that cannot be read is refused with its reason and the others load."""
    limits = limits.within(data_dir)
    paths = files_in(codings_dir / COMMENTS_FOLDER, SUFFIXES)
    report = load_folder(
        con, RAW_TABLE, paths, data_dir, lambda path: read_comment_codings(path, limits), limits=limits
    )
    ensure_raw_table(con, RAW_TABLE, RAW_COLUMNS)
    return report
