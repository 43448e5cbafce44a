"""Staging one survey wave from wide rows, against the pipeline's staging from the long answers (issue #20).

    python bench/wide_staging.py WAREHOUSE WAVE [--repeat N]

WAREHOUSE is a warehouse the pipeline has loaded and staged WAVE into (a copy is worked on, the file is
never changed). The wave is first laid out wide, as the wide raw layer would keep it: one row per response,
its loaded answers as one list in the export's column order. Then, each timed on the same copy:

- **long**: the pipeline's own `stage_wave` and the wave's checks of the item scores (grain, required
  columns, every response staged or quarantined), as a wave's run does them;
- **wide**: the same tables from the wide rows, each answer scored in its row: the respondents' partnership,
  group and start from their columns, one pass for each column's distinct answers (scored by the pipeline's
  own answer lookup, `staging.score_answers`), the construct scores as `list_avg` over the construct's scored
  answers, the construct summaries, the reliability inputs over the complete respondents and the support
  ratings. The long item scores are never written nor read.

It prints each step's seconds and checks that the wide staging's construct summaries, reliability inputs and
support ratings equal the pipeline's. What it leaves out of the wide side (validation with quarantine of
responses and of off-scale answers, the unmapped columns, comments) is said with the figures in README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from assets.tables import data_tests, model_of, partition_filter
from pipeline.surveys import staging
from pipeline.surveys.readers.export import LOADED_KINDS, STARTED_AT_FORMATS
from pipeline.warehouse import ensure_macros

SUMMARY_COLUMNS = "partnership_id, construct, respondents, mean, sd, min_score, max_score"
RELIABILITY_COLUMNS = "construct, k_items, complete_respondents, item_variance_sum, total_variance"
SUPPORT_COLUMNS = "support_type, stakeholder_group, rated, did_not_use, mean_usefulness, sd, rated_useful"


def lay_out_wide(con: duckdb.DuckDBPyConnection, wave: str) -> list[tuple[int, str, str, str | None]]:
    """`_wide` (source_file, source_row, respondent_key, answers) from the wave's long answers, and the
    loaded columns in order: (index in `answers`, column_name, source_id, kind)."""
    columns = con.execute(
        "SELECT row_number() OVER (ORDER BY position), column_name, source_id, kind FROM raw.survey_columns"
        " WHERE wave = ? AND list_contains(?, kind) ORDER BY position",
        [wave, list(LOADED_KINDS)],
    ).fetchall()
    con.execute(
        """
        CREATE OR REPLACE TABLE _wide AS
        SELECT source_file, source_row, respondent_key, list_transform($names, lambda n: answer_of[n]) AS answers
        FROM (
            SELECT any_value(source_file) AS source_file, respondent_row AS source_row,
                   any_value(respondent_key) AS respondent_key, map_from_entries(list((column_name, answer))) AS answer_of
            FROM raw.survey_answers WHERE wave = $wave GROUP BY respondent_row
        )
        """,
        {"wave": wave, "names": [name for _, name, _, _ in columns]},
    )
    return columns


def stage_long(con: duckdb.DuckDBPyConnection, wave: str) -> dict[str, float]:
    """The pipeline's staging of the wave and its checks of the item scores, timed."""
    seconds = {}
    start = time.perf_counter()
    staging.stage_wave(con, wave)
    seconds["stage_wave"] = time.perf_counter() - start
    # The item scores' data tests as the wave's run runs them (assets.tables.model_checks).
    table = "staging.survey_item_scores"
    where, scope_params, _ = partition_filter("wave", [wave])
    for name, (_, sql, params) in data_tests(table, model_of(table)).items():
        start = time.perf_counter()
        con.execute(
            sql.replace("{rows}", f"(SELECT * FROM {table} WHERE {where})"), [*scope_params, *params]
        ).fetchall()
        seconds[name] = time.perf_counter() - start
    start = time.perf_counter()
    staging.responses_unaccounted(con, "wave = ?", [wave])
    seconds["responses accounted check"] = time.perf_counter() - start
    return seconds


def stage_wide(con: duckdb.DuckDBPyConnection, wave: str, columns: list) -> dict[str, float]:
    """The wave's responses, respondent scores, construct summaries, reliability inputs and support ratings
    from `_wide`, timed (into tables `_wide_*`)."""
    seconds = {}
    tool = con.execute("SELECT any_value(tool) FROM raw.survey_columns WHERE wave = ?", [wave]).fetchall()[0][0]
    roles = dict(
        con.execute(
            "SELECT source_id, role FROM staging.survey_instrument WHERE tool = ? AND role <> 'item'", [tool]
        ).fetchall()
    )
    index_of = {source_id: index for index, _, source_id, _ in columns}
    role_index = {role: index_of[source_id] for source_id, role in roles.items() if source_id in index_of}
    started = next(index for index, _, _, kind in columns if kind == "started_at")

    start = time.perf_counter()
    con.execute(
        f"""
        CREATE OR REPLACE TABLE _wide_responses AS
        SELECT source_file, source_row, respondent_key, answers[{role_index["partnership"]}] AS partnership_id,
               coalesce(g.stakeholder_group, 'not stated') AS stakeholder_group,
               try_strptime(answers[{started}], $formats) AS started_at
        FROM _wide
        LEFT JOIN (
            SELECT stakeholder_group, lower(label) AS answer FROM staging.stakeholder_groups
            UNION ALL SELECT stakeholder_group, code::VARCHAR FROM staging.stakeholder_groups
        ) AS g ON g.answer = lower(trim(answers[{role_index["stakeholder_group"]}]))
        -- validation's verdicts are the pipeline's: responses it quarantined are left out here too
        ANTI JOIN quarantine.survey_responses AS q ON q.wave = $wave AND q.source_row = _wide.source_row
        """,
        {"formats": STARTED_AT_FORMATS, "wave": wave},
    )
    seconds["responses from their columns"] = time.perf_counter() - start

    # Each scored column's distinct answers in one pass.
    items = con.execute(
        "SELECT source_id, item_code, construct, construct_kind FROM staging.survey_instrument"
        " WHERE tool = ? AND role = 'item' ORDER BY item_code",
        [tool],
    ).fetchall()
    scored = [(index_of[s], s, item, construct, kind) for s, item, construct, kind in items if s in index_of]
    start = time.perf_counter()
    distinct = con.execute(
        "SELECT " + ", ".join(f"list_distinct(list(DISTINCT answers[{i}]))" for i, *_ in scored) + " FROM _wide"
    ).fetchall()[0]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _wide_distinct AS SELECT * FROM (VALUES "
        + ", ".join("(?, ?, ?, ?)" for _ in scored)
        + ") AS t(position, tool, source_id, answers)",
        [
            value
            for (i, source_id, *_), answers in zip(scored, distinct, strict=True)
            for value in (i, tool, source_id, answers)
        ],
    )
    # Scored as the pipeline scores a wave's distinct answers, from the wide rows' distinct answers.
    staging.score_answers(con, "SELECT tool, source_id, unnest(answers) AS answer FROM _wide_distinct")
    lookup = con.execute(
        "SELECT source_id, answer, score FROM _wave_answer_lookup WHERE off_scale_reason IS NULL"
    ).fetchall()
    seconds["each column's answers scored"] = time.perf_counter() - start
    # Each column's answers on its scale, with their scores (NULL for a label without one, "did not use").
    scores_of: dict[int, dict[str, float | None]] = {}
    for source_id, answer, score in lookup:
        scores_of.setdefault(index_of[source_id], {})[answer] = score

    def scale_map(position: int) -> str:
        entries = scores_of.get(position, {})
        keys = ", ".join("'" + answer.replace("'", "''") + "'" for answer in entries)
        values = ", ".join("NULL" if score is None else repr(float(score)) for score in entries.values())
        return f"MAP([{keys}]::VARCHAR[], [{values}]::DOUBLE[])"

    def score_sql(position: int) -> str:
        return f"map_extract_value({scale_map(position)}, answers[{position}])"

    constructs: dict[str, list[int]] = {}
    for position, _, _, construct, _ in scored:
        constructs.setdefault(construct, []).append(position)
    start = time.perf_counter()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _wide_scored AS SELECT source_row, "
        + ", ".join(f"{score_sql(i)} AS s{i}" for i, *_ in scored)
        + " FROM _wide SEMI JOIN _wide_responses USING (source_row)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE _wide_respondent_scores AS "
        + " UNION ALL ".join(
            f"SELECT source_row, '{c}' AS construct, list_count(l) AS items, list_avg(l) AS score, list_sum(l) AS total"
            f" FROM (SELECT source_row, [{', '.join(f's{i}' for i in positions)}] AS l FROM _wide_scored)"
            f" WHERE list_count(l) > 0"
            for c, positions in constructs.items()
        )
    )
    seconds["respondent scores in the row"] = time.perf_counter() - start

    start = time.perf_counter()
    con.execute(
        """
        CREATE OR REPLACE TABLE _wide_construct_summaries AS
        SELECT r.partnership_id, s.construct, count(*) AS respondents, avg(score ORDER BY score) AS mean,
               stddev_samp(score ORDER BY score) AS sd, min(score) AS min_score, max(score) AS max_score
        FROM _wide_respondent_scores AS s JOIN _wide_responses AS r USING (source_row)
        GROUP BY ALL
        """
    )
    seconds["construct summaries"] = time.perf_counter() - start

    start = time.perf_counter()
    k_items = {
        c: con.execute(
            "SELECT " + " + ".join(f"(count(s{i}) > 0)::INTEGER" for i in positions) + " FROM _wide_scored"
        ).fetchall()[0][0]
        for c, positions in constructs.items()
    }
    parts = []
    for c, positions in constructs.items():
        complete = f"list_count([{', '.join(f's{i}' for i in positions)}]) = {k_items[c]}"
        # exact_variance is a macro, so no FILTER: an aggregate skips the NULLs of the incomplete rows
        variances = " + ".join(f"coalesce(exact_variance(CASE WHEN {complete} THEN s{i} END), 0)" for i in positions)
        total = "CASE WHEN " + complete + " THEN " + " + ".join(f"s{i}" for i in positions) + " END"
        parts.append(
            f"SELECT '{c}' AS construct, {k_items[c]} AS k_items, count(*) FILTER (WHERE {complete}) AS complete_respondents,"
            f" {variances} AS item_variance_sum, exact_variance({total}) AS total_variance"
            f" FROM _wide_scored"
        )
    con.execute("CREATE OR REPLACE TABLE _wide_reliability AS " + " UNION ALL ".join(parts))
    seconds["reliability inputs"] = time.perf_counter() - start

    start = time.perf_counter()
    support = [(i, item) for i, _, item, _, kind in scored if kind == "support_offer"]
    middle = dict(
        con.execute(
            "SELECT f.item_code, (min(s.score) + max(s.score)) / 2 FROM staging.survey_instrument AS f"
            " JOIN staging.likert_scales AS s USING (scale_id) WHERE f.tool = ? GROUP BY ALL",
            [tool],
        ).fetchall()
    )
    con.execute(
        "CREATE OR REPLACE TABLE _wide_support AS WITH ratings AS ("
        + " UNION ALL ".join(
            f"SELECT '{item}' AS support_type, source_row, s{i} AS score, s{i} > {middle[item]} AS useful,"
            f" map_contains({scale_map(i)}, answers[{i}]) AS on_scale FROM _wide_scored JOIN _wide USING (source_row)"
            for i, item in support
        )
        + """)
        SELECT support_type, r.stakeholder_group, count(score) AS rated, count(*) FILTER (WHERE score IS NULL) AS did_not_use,
               avg(score) AS mean_usefulness, sqrt(exact_variance(score)) AS sd,
               count(*) FILTER (WHERE useful) AS rated_useful
        FROM ratings JOIN _wide_responses AS r USING (source_row) WHERE on_scale GROUP BY ALL
        """
    )
    seconds["support ratings"] = time.perf_counter() - start
    return seconds


def disagreements(con: duckdb.DuckDBPyConnection, wave: str) -> dict[str, dict[str, int]]:
    """For each table: the pipeline's rows, and the rows of either side not in the other (to 1e-9, the
    variances to 1e-6)."""
    rounded = "round(mean, 9), round(sd, 9), min_score, max_score"
    pairs = {
        "construct summaries": (
            f"SELECT partnership_id, construct, respondents, {rounded} FROM staging.survey_construct_summaries WHERE wave = $wave",
            f"SELECT partnership_id, construct, respondents, {rounded} FROM _wide_construct_summaries",
        ),
        "reliability inputs": (
            "SELECT construct, k_items, complete_respondents, round(item_variance_sum, 6), round(total_variance, 6)"
            " FROM staging.survey_construct_reliability WHERE wave = $wave",
            "SELECT construct, k_items, complete_respondents, round(item_variance_sum, 6), round(total_variance, 6)"
            " FROM _wide_reliability",
        ),
        "support ratings": (
            "SELECT support_type, stakeholder_group, rated, did_not_use, round(mean_usefulness, 9), round(sd, 9),"
            " rated_useful FROM staging.survey_support_ratings WHERE wave = $wave",
            "SELECT support_type, stakeholder_group, rated, did_not_use, round(mean_usefulness, 9), round(sd, 9),"
            " rated_useful FROM _wide_support",
        ),
    }
    compared = {}
    for name, (pipeline, wide) in pairs.items():
        rows, differing = con.execute(
            f"SELECT (SELECT count(*) FROM ({pipeline})),"
            f" (SELECT count(*) FROM ({pipeline} EXCEPT ALL {wide})) + (SELECT count(*) FROM ({wide} EXCEPT ALL {pipeline}))",
            {"wave": wave},
        ).fetchall()[0]
        compared[name] = {"rows": rows, "differing": differing}
    return compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("wave")
    parser.add_argument("--repeat", type=int, default=2, help="times each side runs, alternating")
    parser.add_argument("--memory-limit", default="3GB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "warehouse.duckdb"
        shutil.copy(args.warehouse, copy)
        con = duckdb.connect(str(copy), config={"memory_limit": args.memory_limit})
        ensure_macros(con)
        start = time.perf_counter()
        columns = lay_out_wide(con, args.wave)
        print(f"laid out wide in {time.perf_counter() - start:.1f} s", flush=True)
        runs = []
        for attempt in range(args.repeat):
            for side in ("long", "wide"):
                seconds = stage_long(con, args.wave) if side == "long" else stage_wide(con, args.wave, columns)
                runs.append({"side": side, "attempt": attempt + 1, "total": sum(seconds.values()), "steps": seconds})
                print(json.dumps(runs[-1], default=lambda v: round(v, 3)), flush=True)
        print(json.dumps({"runs": runs, "compared": disagreements(con, args.wave)}, default=lambda v: round(v, 3)))
        con.close()


if __name__ == "__main__":
    main()
