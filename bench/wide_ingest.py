"""Ingesting one survey export wide, against the pipeline's long ingest (issue #20).

    python bench/wide_ingest.py EXPORT [--repeat N]

Both sides read the export the pipeline's way (`read_survey`: the tool's reader, personal-data columns found
by header and by value) and write into a fresh DuckDB file, alternating, each with an empty redaction cache:

- **long**: the pipeline's own `load_answers` (respondents numbered in file order, keyed pseudonyms, free
  text redacted, one row per answer) written as a table;
- **wide**: the same columns, keys and redaction, one row per response with its loaded answers as one list
  in the export's order, as the wide raw layer would keep it.

Prints each side's seconds and rows as JSON lines, then a summary line. Only the statement that writes the
wave is timed on each side; reading the header (the same for both) is timed once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from pipeline import privacy
from pipeline.surveys.readers.detect import read_survey
from pipeline.surveys.readers.export import (
    LOADED_KINDS,
    SurveyExport,
    load_answers,
    loaded_value_sql,
    respondent_identifier_sql,
)

KEY = b"benchmark"


def write_long(con: duckdb.DuckDBPyConnection, export: SurveyExport) -> int:
    load_answers(con, export, KEY).create("answers")
    return con.execute("SELECT count(*) FROM answers").fetchall()[0][0]


def write_wide(con: duckdb.DuckDBPyConnection, export: SurveyExport) -> int:
    """The wave as one row per response: its position, pseudonym and loaded answers (redacted as the long
    side redacts them), with the identifier chosen as `load_answers` chooses it."""
    con.register("_responses", export.responses.relation(con))
    privacy.register_redaction(con)
    identifier = respondent_identifier_sql(export)
    answers = ", ".join(loaded_value_sql(c) for c in export.columns if c.kind in LOADED_KINDS)
    con.execute(
        f"""
        CREATE TABLE answers AS
        WITH source AS (SELECT row_number() OVER () AS respondent_row, * FROM _responses)
        SELECT respondent_row, {privacy.hmac_sql(identifier, KEY)} AS respondent_key, [{answers}] AS answers
        FROM source
        """,
        {"file_name": export.path.name},
    )
    return con.execute("SELECT count(*) FROM answers").fetchall()[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="times each side runs, alternating")
    parser.add_argument("--memory-limit", default="3GB")
    args = parser.parse_args()
    start = time.perf_counter()
    export = read_survey(args.export)
    read_seconds = time.perf_counter() - start
    runs = []
    with tempfile.TemporaryDirectory() as work:
        for attempt in range(args.repeat):
            for side, write in (("long", write_long), ("wide", write_wide)):
                database = Path(work) / f"{side}_{attempt}.duckdb"
                con = duckdb.connect(str(database), config={"memory_limit": args.memory_limit})
                privacy._redact.cache_clear()  # each side redacts every distinct text itself
                start = time.perf_counter()
                rows = write(con, export)
                con.execute("CHECKPOINT")
                seconds = time.perf_counter() - start
                con.close()
                runs.append(
                    {
                        "side": side,
                        "attempt": attempt + 1,
                        "seconds": seconds,
                        "rows": rows,
                        "file_mib": database.stat().st_size / 2**20,
                    }
                )
                database.unlink()
                print(json.dumps(runs[-1], default=lambda v: round(v, 3)), flush=True)
    medians = {
        side: statistics.median(run["seconds"] for run in runs if run["side"] == side) for side in ("long", "wide")
    }
    print(
        json.dumps(
            {
                "export": str(args.export),
                "header_seconds": read_seconds,
                "runs": runs,
                "median_seconds": medians,
                "wide_over_long": medians["wide"] / medians["long"],
            },
            default=lambda v: round(v, 3),
        )
    )


if __name__ == "__main__":
    main()
