"""Survey staging inside DuckDB: one wave's respondents and scored answers, validated where they lie.

A national wave holds about a million respondents and sixty million answers, so neither table passes
through pandas. Each is built by SQL; `pipeline.validation.suspect_rows_sql` turns the table's pandera
model into a SQL condition that holds for every row the model could reject, and only those rows (with any
row sharing a unique key, and any row failing a check across tables) are read into pandas, where
`validate_frame`, `reject_unknown` and `reject_where` judge them exactly as they judge a small table. The
rest pass straight from SQL into `staging.*`. So the staged rows, the quarantined rows, their reasons and
their records are the same as validating the whole table in pandas, at the cost of the few rows in doubt.

Tables, one partition (`wave`) at a time:
- `staging.survey_responses` / `quarantine.survey_responses`: one row per wave x response;
- `staging.survey_item_scores` / `quarantine.survey_item_scores`: one row per wave x respondent x item.
  The scored answers are not written a second time: `staging.survey_item_scores` is a view joining the
  raw answers of staged responses to `staging.survey_answer_scores` (the score each distinct answer to an
  item stands for, a few hundred rows a wave), less the answers quarantined
  (`staging.survey_item_rejections`). A national wave's sixty million answers are stored once, in `raw`;
- `staging.survey_respondent_scores`: one row per wave x respondent x construct, the respondent's mean
  over the construct's scored items (derived, not validated again), and from it
  `staging.survey_construct_summaries` (one row per wave x partnership x construct) and
  `staging.survey_wave_pairs` (one row per pair of waves x partnership x construct), with
  `staging.survey_construct_reliability` and `staging.survey_support_ratings`: what the survey marts read;
- `staging.survey_unmapped_columns`: answer columns the instrument does not map.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd

from pipeline.staging import StageReport
from pipeline.surveys import schemas
from pipeline.surveys.readers.export import STARTED_AT_FORMATS
from pipeline.validation import (
    Validated,
    reject_unknown,
    reject_where,
    revalidate,
    suspect_rows_sql,
    unique_keys,
    validate_frame,
)
from pipeline.warehouse import (
    ensure_macros,
    load_sql,
    quote_identifier,
    registered,
    replace_rows,
    replace_table,
    table_exists,
)

# The staging tables of the survey path, created with their types before the first wave is written (a
# table created from an empty first wave would otherwise have columns of no type).
TABLES = {
    "staging.survey_responses": {
        "wave": "VARCHAR",
        "respondent_key": "VARCHAR",
        "source_row": "BIGINT",
        "source_file": "VARCHAR",
        "partnership_id": "VARCHAR",
        "started_at": "TIMESTAMP",
        "stakeholder_group": "VARCHAR",
        "finished": "BOOLEAN",
    },
    # What `staging.survey_item_scores` is built from (see sql/item_scores_view.sql): one row per wave x
    # scored column x distinct answer on the item's scale, and one row per quarantined answer.
    "staging.survey_answer_scores": {
        "wave": "VARCHAR",
        "tool": "VARCHAR",
        "source_id": "VARCHAR",
        "answer": "VARCHAR",
        "item_code": "VARCHAR",
        "construct": "VARCHAR",
        "score": "DOUBLE",
    },
    "staging.survey_item_rejections": {
        "wave": "VARCHAR",
        "source_file": "VARCHAR",
        "source_row": "BIGINT",
        "source_id": "VARCHAR",
    },
    "staging.survey_respondent_scores": {
        "wave": "VARCHAR",
        "respondent_key": "VARCHAR",
        "partnership_id": "VARCHAR",
        "construct": "VARCHAR",
        "items": "BIGINT",
        "score": "DOUBLE",
    },
    "staging.survey_construct_summaries": {
        "wave": "VARCHAR",
        "partnership_id": "VARCHAR",
        "construct": "VARCHAR",
        "respondents": "BIGINT",
        "mean": "DOUBLE",
        "sd": "DOUBLE",
        "variance": "DOUBLE",
        "min_score": "DOUBLE",
        "max_score": "DOUBLE",
    },
    "staging.survey_wave_pairs": {
        "wave_before": "VARCHAR",
        "wave_after": "VARCHAR",
        "partnership_id": "VARCHAR",
        "construct": "VARCHAR",
        "n_paired": "BIGINT",
        "mean_before_paired": "DOUBLE",
        "mean_after_paired": "DOUBLE",
        "mean_diff": "DOUBLE",
        "var_diff": "DOUBLE",
        "ptp_diff": "DOUBLE",
        "peak_diff": "DOUBLE",
    },
    "staging.survey_construct_reliability": {
        "wave": "VARCHAR",
        "construct": "VARCHAR",
        "k_items": "BIGINT",
        "complete_respondents": "BIGINT",
        "item_variance_sum": "DOUBLE",
        "total_variance": "DOUBLE",
    },
    "staging.survey_support_ratings": {
        "wave": "VARCHAR",
        "support_type": "VARCHAR",
        "support_label": "VARCHAR",
        "stakeholder_group": "VARCHAR",
        "rated": "BIGINT",
        "did_not_use": "BIGINT",
        "mean_usefulness": "DOUBLE",
        "sd": "DOUBLE",
        "rated_useful": "BIGINT",
    },
    "staging.survey_unmapped_columns": {
        "wave": "VARCHAR",
        "tool": "VARCHAR",
        "column_name": "VARCHAR",
        "source_id": "VARCHAR",
        "question_text": "VARCHAR",
        "answers": "BIGINT",
    },
}
QUARANTINE_COLUMNS = {
    "source_file": "VARCHAR",
    "source_row": "BIGINT",
    "reason": "VARCHAR",
    "record": "VARCHAR",
    "table_name": "VARCHAR",
    "quarantined_at": "TIMESTAMPTZ",
    "wave": "VARCHAR",
}

# --- Per-wave summaries the survey marts read, so a mart never rescans every wave's answers -------------
# A response is named by its pseudonym, as in the marts' own definitions. Where the wave came from one file,
# its position in the file names it just as well (one to one: item scores come only from staged responses,
# unique by pseudonym), and is far cheaper to group and join on; otherwise the pseudonym is used.
#
# Two refreshes must publish bit-identical marts, but DuckDB adds floats up in whatever order its threads
# finish. Item scores are whole numbers on their scale, so sums of scores and of their squares are exact in
# any order, and variances are taken from those sums (the warehouse's `exact_variance` macro); statistics of fractional values
# (respondents' construct scores) are aggregated in sorted order (`avg(x ORDER BY x)`).


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the survey staging and quarantine tables with their types, if missing, and the item scores'
    view once there are raw answers to view."""
    ensure_macros(con)
    for table, columns in TABLES.items():
        _create(con, table, columns)
    for name in ("survey_responses", "survey_item_scores"):
        _create(con, f"quarantine.{name}", QUARANTINE_COLUMNS)
    # A warehouse staged before the item scores became a view holds them as a table: each wave is staged
    # again by the refresh that brings this in (staging always runs), which fills the view's tables.
    stored = con.execute(
        "SELECT 1 FROM information_schema.tables"
        " WHERE table_schema = 'staging' AND table_name = 'survey_item_scores' AND table_type = 'BASE TABLE'"
    ).fetchall()
    if stored:
        con.execute("DROP TABLE staging.survey_item_scores")
    if table_exists(con, "raw.survey_answers"):
        con.execute(load_sql(__file__, "item_scores_view"))


def _create(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> None:
    definition = ", ".join(f"{quote_identifier(name)} {sql_type}" for name, sql_type in columns.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({definition})")


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> int:
    return int((con.execute(sql, params) if params else con.execute(sql)).fetchall()[0][0])


def _duplicates_condition(model: type, relation: str) -> str:
    """SQL true for rows of `relation` sharing a unique key of `model` with another row."""
    conditions = []
    for key in unique_keys(model):
        columns = ", ".join(quote_identifier(c) for c in key)
        conditions.append(
            f"({columns}) IN (SELECT ({columns}) FROM {relation} GROUP BY {columns} HAVING count(*) > 1)"
            if len(key) > 1
            else f"{columns} IN (SELECT {columns} FROM {relation} GROUP BY {columns} HAVING count(*) > 1)"
        )
    return " OR ".join(conditions) or "false"


def _write_quarantine(con: duckdb.DuckDBPyConnection, name: str, quarantined: pd.DataFrame, wave: str) -> None:
    rows = len(quarantined)
    frame = quarantined.assign(
        table_name=pd.Series([name] * rows, dtype="string"),
        quarantined_at=pd.Series([datetime.now(UTC)] * rows, dtype="datetime64[us, UTC]"),
        wave=pd.Series([wave] * rows, dtype="string"),
    )
    replace_rows(con, f"quarantine.{name}", frame, "wave = ?", [wave])


def _replace_partition(
    con: duckdb.DuckDBPyConnection, table: str, wave: str, select_sql: str, params: dict | None, rescued: pd.DataFrame
) -> int:
    """Replace one wave of `table` with the rows of `select_sql` and the rescued rows, in one transaction."""
    with registered(con, _rescued=rescued):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"DELETE FROM {table} WHERE wave = ?", [wave])
            written = _count(con, f"INSERT INTO {table} BY NAME {select_sql}", params)
            if len(rescued):
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rescued")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return written + len(rescued)


def _map_group_and_finished(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stakeholder group and finished flag each distinct answer stands for, read with Python's own
    string rules (strip, lower) as a frame of the same answers would be: an unknown group stays as
    answered (stripped), so validation names it; an unknown finished answer is empty."""
    groups = con.execute(
        "SELECT stakeholder_group, lower(label) AS label, code::VARCHAR AS code FROM staging.stakeholder_groups"
    ).df()
    group_by_answer = {
        **dict(zip(groups["label"], groups["stakeholder_group"], strict=False)),
        **dict(zip(groups["code"], groups["stakeholder_group"], strict=False)),
    }
    answers = [row[0] for row in con.execute("SELECT DISTINCT group_answer FROM _wave_respondents").fetchall()]
    group_rows = []
    for answer in answers:
        if answer is None:
            continue
        stripped = answer.strip()
        group_rows.append((answer, group_by_answer.get(stripped.lower(), stripped)))
    finished_by_answer = {"true": True, "1": True, "false": False, "0": False}
    finished_rows = [
        (answer, finished_by_answer.get(answer.strip().lower()))
        for (answer,) in con.execute("SELECT DISTINCT finished_answer FROM _wave_respondents").fetchall()
        if answer is not None
    ]
    return (
        pd.DataFrame(group_rows, columns=["group_answer", "stakeholder_group"], dtype="string"),
        pd.DataFrame(
            {
                "finished_answer": pd.Series([a for a, _ in finished_rows], dtype="string"),
                "finished": pd.Series([f for _, f in finished_rows], dtype="boolean"),
            }
        ),
    )


def stage_respondents(con: duckdb.DuckDBPyConnection, wave: str) -> tuple[int, int]:
    """`staging.survey_responses` for one wave; returns (rows, quarantined)."""
    con.execute(load_sql(__file__, "respondents"), {"wave": wave, "formats": STARTED_AT_FORMATS})
    group_answers, finished_answers = _map_group_and_finished(con)
    with registered(con, _group_answers=group_answers, _finished_answers=finished_answers):
        con.execute(load_sql(__file__, "candidates"))
    model = schemas.SurveyResponse
    unknown_partnership = (
        "NOT EXISTS (SELECT 1 FROM staging.partnerships AS p WHERE p.partnership_id = _wave_candidates.partnership_id)"
    )
    unknown_group = (
        "_wave_candidates.stakeholder_group IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staging.stakeholder_groups AS g"
        " WHERE g.stakeholder_group = _wave_candidates.stakeholder_group)"
    )
    suspect = (
        f"({suspect_rows_sql(model)}) OR ({unknown_partnership}) OR ({unknown_group})"
        f" OR ({_duplicates_condition(model, '_wave_candidates')})"
    )
    suspects = con.execute(f"SELECT * FROM _wave_candidates WHERE {suspect}").df()
    known = {row[0] for row in con.execute("SELECT partnership_id FROM staging.partnerships").fetchall()}
    result = validate_frame(suspects, model)
    result = reject_unknown(
        result, "partnership_id", known, "partnership {value!r} is not in reference/partnerships.csv"
    )
    groups = {row[0] for row in con.execute("SELECT stakeholder_group FROM staging.stakeholder_groups").fetchall()}
    result = reject_unknown(
        result,
        "stakeholder_group",
        groups,
        "stakeholder group {value!r} is not in reference/stakeholder_groups.csv",
        applies=result.valid["stakeholder_group"].notna(),
    )
    rows = _replace_partition(
        con,
        "staging.survey_responses",
        wave,
        f"SELECT * FROM _wave_candidates WHERE NOT ({suspect})",
        None,
        result.valid,
    )
    _write_quarantine(con, "survey_responses", result.quarantined, wave)
    return rows, len(result.quarantined)


def _rejected_answers(suspects: pd.DataFrame, valid: pd.DataFrame) -> pd.DataFrame:
    """(source_file, source_row, source_id) of the suspect answers that did not pass. Validation keeps only
    the model's columns, so rows are matched on response, item and answer: two answers of one response to
    one item with the same text would score alike and share a verdict."""
    key = ["source_file", "source_row", "item_code", "answer"]
    passed = valid[key].astype(str).drop_duplicates()
    matched = suspects[key].astype(str).merge(passed, how="left", indicator=True)["_merge"].to_numpy()
    return suspects.loc[matched == "left_only", ["source_file", "source_row", "source_id"]]


def score_answers(con: duckdb.DuckDBPyConnection, answers: str, params: dict | None = None) -> None:
    """`_wave_answer_lookup`: each distinct answer to a scored item among `answers` (a query of tool,
    source_id, answer), with its score on the item's scale or the reason it is not on it."""
    con.execute(load_sql(__file__, "answer_lookup").replace("{answers}", answers), params)


def stage_item_scores(con: duckdb.DuckDBPyConnection, wave: str) -> tuple[int, int]:
    """`staging.survey_item_scores` for one wave: the answers of its staged responses, scored; returns
    (rows, quarantined). Off-scale answers are quarantined with the scale's labels, then the model is
    applied to the rest. What is written is the wave's answer lookup and its quarantined answers (see
    sql/item_scores_view.sql), not the scored answers themselves."""
    model = schemas.SurveyItemScore
    params = {"wave": wave}
    score_answers(con, "SELECT tool, source_id, answer FROM raw.survey_answers WHERE wave = $wave", params)
    scored = "(" + load_sql(__file__, "scored") + ") AS scored"
    suspect = f"off_scale_reason IS NOT NULL OR ({suspect_rows_sql(model)})"
    if _count(con, load_sql(__file__, "item_key_collisions"), params):
        # Two answers might score one item for one respondent: find them the slow way, as pandera would.
        con.execute(f"CREATE OR REPLACE TEMP TABLE _wave_scored AS SELECT * FROM {scored}", params)
        scored, params = "_wave_scored", None
        clean = "(SELECT * FROM _wave_scored WHERE off_scale_reason IS NULL)"
        suspect = f"{suspect} OR ({_duplicates_condition(model, clean)})"
    suspects = con.execute(f"SELECT * FROM {scored} WHERE {suspect}", params).df()
    off_scale = suspects["off_scale_reason"].notna()
    result = reject_where(
        Validated.passing(suspects), off_scale, list(suspects.loc[off_scale, "off_scale_reason"].astype(str))
    )
    result = revalidate(result, model)
    rejected = _rejected_answers(suspects, result.valid).assign(wave=wave)
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("survey_answer_scores", "survey_item_rejections"):
            con.execute(f"DELETE FROM staging.{table} WHERE wave = ?", [wave])
        con.execute(
            "INSERT INTO staging.survey_answer_scores BY NAME SELECT $wave AS wave, tool, source_id, answer,"
            " item_code, construct, score FROM _wave_answer_lookup WHERE off_scale_reason IS NULL",
            {"wave": wave},
        )
        with registered(con, _rejected=rejected):
            con.execute("INSERT INTO staging.survey_item_rejections BY NAME SELECT * FROM _rejected")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    _write_quarantine(con, "survey_item_scores", result.quarantined, wave)
    rows = _count(con, "SELECT count(*) FROM staging.survey_item_scores WHERE wave = ?", [wave])
    return rows, len(result.quarantined)


def stage_summaries(con: duckdb.DuckDBPyConnection, wave: str) -> int:
    """The wave's respondent scores, construct summaries, reliability inputs and support ratings (see the
    SQL above), from its staged item scores and responses; returns the respondent scores written. Wave
    pairs that include the wave are dropped, to be compared again (`wave_pair_statistics`)."""
    identity = (
        "source_row"
        if con.execute(load_sql(__file__, "position_names_response"), {"wave": wave}).fetchall()[0][0]
        else "respondent_key"
    )
    params = {"wave": wave}
    con.execute(load_sql(__file__, "per_respondent").format(identity=quote_identifier(identity)), params)
    con.execute("BEGIN TRANSACTION")
    try:
        for table in (
            "survey_respondent_scores",
            "survey_construct_summaries",
            "survey_construct_reliability",
            "survey_support_ratings",
        ):
            con.execute(f"DELETE FROM staging.{table} WHERE wave = ?", [wave])
        con.execute("DELETE FROM staging.survey_wave_pairs WHERE ? IN (wave_before, wave_after)", [wave])
        rows = _count(con, load_sql(__file__, "respondent_scores").format(identity=quote_identifier(identity)), params)
        con.execute(load_sql(__file__, "construct_summaries"), params)
        con.execute(load_sql(__file__, "reliability").format(identity=quote_identifier(identity)), params)
        con.execute(load_sql(__file__, "support_ratings").format(identity=quote_identifier(identity)), params)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return rows


def wave_pair_statistics(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]]) -> None:
    """Make sure `staging.survey_wave_pairs` holds the paired statistics of each (before, after) pair of
    waves, computing only the pairs not already there: a new wave adds one pair, not a rescan of all."""
    ensure_tables(con)
    done = set(con.execute("SELECT DISTINCT wave_before, wave_after FROM staging.survey_wave_pairs").fetchall())
    for before, after in pairs:
        if (before, after) not in done:
            con.execute(load_sql(__file__, "wave_pair"), {"before": before, "after": after})


def unmapped_columns(con: duckdb.DuckDBPyConnection, wave: str) -> pd.DataFrame:
    """The wave's answer columns the instrument does not map, written to `staging.survey_unmapped_columns`."""
    unmapped = con.execute(load_sql(__file__, "unmapped_columns"), [wave]).df()
    replace_rows(con, "staging.survey_unmapped_columns", unmapped, "wave = ?", [wave])
    return unmapped


def drop_temporary(con: duckdb.DuckDBPyConnection) -> None:
    for name in (
        "_wave_respondents",
        "_wave_candidates",
        "_wave_scored",
        "_wave_answer_lookup",
        "_wave_per_respondent",
    ):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def stage_wave(con: duckdb.DuckDBPyConnection, wave: str) -> list[StageReport]:
    """Stage one wave: its respondents tied to a partnership and group (`staging.survey_responses`), its
    answers scored on their scales (`staging.survey_item_scores`), the per-wave summaries the marts read,
    and the answer columns the instrument does not map (`staging.survey_unmapped_columns`)."""
    ensure_tables(con)
    try:
        responses, rejected = stage_respondents(con, wave)
        scores, off_scale = stage_item_scores(con, wave)
        summaries = stage_summaries(con, wave)
        unmapped = unmapped_columns(con, wave)
    finally:
        drop_temporary(con)
    score_report = StageReport("staging.survey_item_scores", scores, off_scale)
    score_report.gaps["unmapped_columns"] = [f"{row.column_name} ({row.source_id})" for row in unmapped.itertuples()]
    return [
        StageReport("staging.survey_responses", responses, rejected),
        score_report,
        StageReport("staging.survey_respondent_scores", summaries, 0),
        StageReport("staging.survey_unmapped_columns", len(unmapped), 0),
    ]


def responses_unaccounted(con: duckdb.DuckDBPyConnection, where: str, params: list) -> list[tuple[str, int, str]]:
    """(failure, responses, example) for each way the responses of the waves `where` picks fail to be
    staged or quarantined exactly once (see sql/responses_accounted.sql); empty when every one is."""
    return con.execute(load_sql(__file__, "responses_accounted").format(where=where), params * 3).fetchall()


def responses_staged_and_quarantined(con: duckdb.DuckDBPyConnection, where: str, params: list) -> tuple[int, int]:
    """How many responses of the waves `where` picks are staged, and how many quarantined."""
    staged, quarantined = con.execute(
        f"SELECT (SELECT count(*) FROM staging.survey_responses WHERE {where}),"
        f" (SELECT count(DISTINCT (source_file, source_row)) FROM quarantine.survey_responses WHERE {where})",
        params * 2,
    ).fetchall()[0]
    return staged, quarantined


# Every table holding rows of one wave, by its `wave` column (the item scores are a view over them).
WAVE_TABLES = (
    "raw.survey_answers",
    "raw.survey_columns",
    *(table for table in TABLES if table != "staging.survey_wave_pairs"),
    "quarantine.survey_responses",
    "quarantine.survey_item_scores",
)


def drop_waves_not_in(con: duckdb.DuckDBPyConnection, waves: list[str]) -> list[str]:
    """Remove every row of each wave whose export has left the drop zone (raw, staging, quarantine, its
    wave pairs and its files' ledger entries), so a deleted export takes its wave with it; returns them."""
    ensure_tables(con)
    present = [t for t in WAVE_TABLES if table_exists(con, t)]
    held = {row[0] for table in present for row in con.execute(f"SELECT DISTINCT wave FROM {table}").fetchall()}
    gone = sorted(held - set(waves))
    if not gone:
        return []
    files = []
    if table_exists(con, "raw.survey_columns"):
        files = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT source_file FROM raw.survey_columns WHERE list_contains(?, wave)", [gone]
            ).fetchall()
        ]
    con.execute("BEGIN TRANSACTION")
    try:
        for table in present:
            con.execute(f"DELETE FROM {table} WHERE list_contains(?, wave)", [gone])
        con.execute(
            "DELETE FROM staging.survey_wave_pairs WHERE list_contains(?, wave_before) OR list_contains(?, wave_after)",
            [gone, gone],
        )
        con.execute(
            "DELETE FROM raw._load_ledger WHERE table_name IN ('raw.survey_answers', 'raw.survey_columns')"
            " AND list_contains(?, source_file)",
            [files],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return gone


def stage_wave_order(con: duckdb.DuckDBPyConnection, waves: list[str]) -> list[StageReport]:
    """Across the waves whose exports are in the drop zone (`waves`; the rows of any other wave are removed
    first): their order (`staging.survey_waves`: the positions the programme gives them in
    `reference/survey_waves.csv`, then by earliest response; with its labels and fieldwork dates), the paired statistics of each pair of consecutive waves
    (`staging.survey_wave_pairs`, computing only the pairs not already there), and each partnership's
    latest-wave score on each success factor (`staging.latest_factor_scores`)."""
    removed = drop_waves_not_in(con, waves)
    waves_staged = replace_table(con, "staging.survey_waves", load_sql(__file__, "survey_waves"))
    order = [row[0] for row in con.execute("SELECT wave FROM staging.survey_waves ORDER BY opened").fetchall()]
    wave_pair_statistics(con, list(zip(order, order[1:], strict=False)))
    pairs = con.execute("SELECT count(*) FROM staging.survey_wave_pairs").fetchall()[0][0]
    scores = replace_table(con, "staging.latest_factor_scores", load_sql(__file__, "latest_factor_scores"))
    order_report = StageReport("staging.survey_waves", waves_staged, 0)
    order_report.gaps["waves_removed_with_their_exports"] = removed
    return [
        order_report,
        StageReport("staging.survey_wave_pairs", pairs, 0),
        StageReport("staging.latest_factor_scores", scores, 0),
    ]
