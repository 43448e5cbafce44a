"""Survey staging inside DuckDB: one wave's respondents and scored answers, validated where they lie.

A national wave holds about a million respondents and sixty million answers, so neither passes through
pandas, and no answer becomes a row: the wave is kept as received (`raw.survey_rows`: one row per response,
its answers as one list) and each answer is read in its row, by its place in the list
(`raw.survey_columns.answer_index`). Each is built by SQL; `pipeline.validation.suspect_rows_sql` turns the table's pandera
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
  (`staging.survey_item_rejections`). No step of a refresh reads the view: what the marts need is computed
  from the same two tables in each response's row (`_wave_scored`);
- `staging.survey_respondent_scores`: one row per wave x respondent x construct, the respondent's mean
  over the construct's scored items (derived, not validated again), and from it
  `staging.survey_construct_summaries` (one row per wave x partnership x construct) and
  `staging.survey_wave_pairs` (one row per pair of waves x partnership x construct), with
  `staging.survey_construct_reliability` and `staging.survey_support_ratings`: what the survey marts read;
- `staging.survey_unmapped_columns`: answer columns the instrument does not map.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    table_type,
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
# Each staged response's item scores are computed in its row (`_wave_scored`: one column per scored item),
# and its construct scores, the reliability inputs and the support ratings from that row.
#
# Two refreshes must publish bit-identical marts, but DuckDB adds floats up in whatever order its threads
# finish. Item scores are whole numbers on their scale, so sums of scores and of their squares are exact in
# any order, and variances are taken from those sums (the warehouse's `exact_variance` macro). Statistics of
# fractional values (respondents' construct scores) are summed in sorted order: over each distinct score with
# its count for the construct summaries (a partnership has few distinct scores), over every score in the wave
# pairs (`avg(x ORDER BY x)`: counting pairs of scores saved nothing there).


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
    if table_type(con, "staging.survey_item_scores") == "BASE TABLE":
        con.execute("DROP TABLE staging.survey_item_scores")
    if table_exists(con, "raw.survey_rows"):
        con.execute(load_sql(__file__, "answers_view"))
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


@dataclass(frozen=True)
class ScoredColumn:
    """A loaded column the instrument maps to a scored item: its place in the rows' `answers`."""

    answer_index: int
    source_id: str
    item_code: str
    construct: str
    construct_kind: str | None


@dataclass(frozen=True)
class WaveColumns:
    """Where a wave's answers are in its rows (`raw.survey_rows.answers`): the places of the columns that
    say who responded (by instrument role, or kind for the start time) and of its scored items."""

    tool: str | None
    by_role: dict[str, list[int]]
    scored: list[ScoredColumn]

    @classmethod
    def of(cls, con: duckdb.DuckDBPyConnection, wave: str) -> WaveColumns:
        rows = con.execute(load_sql(__file__, "wave_columns"), {"wave": wave}).fetchall()
        by_role: dict[str, list[int]] = {}
        scored = []
        for index, _, source_id, kind, role, item_code, construct, construct_kind in rows:
            if role == "item":
                scored.append(ScoredColumn(index, source_id, item_code, construct, construct_kind))
            elif role is not None:
                by_role.setdefault(role, []).append(index)
            # as the tools write them: the start time is a kind of column, the finished flag a column id
            if kind == "started_at":
                by_role.setdefault("started_at", []).append(index)
            if source_id == "finished":
                by_role.setdefault("finished", []).append(index)
        return cls(rows[0][1] if rows else None, by_role, scored)

    def answer_sql(self, role: str, template: str = "answers[{}]", sql_type: str = "VARCHAR") -> str:
        """SQL for a response's answer to the columns of `role` (the greatest, where several), NULL without
        one. Only the columns' places (integers) become SQL text."""
        places = self.by_role.get(role, [])
        if not places:
            return f"NULL::{sql_type}"
        return f"greatest({', '.join(template.format(int(i)) for i in places)})"

    def items(self) -> dict[str, list[ScoredColumn]]:
        """The scored columns of each item, by item code in order (two columns of one item score it where
        either is answered: a response answering both is quarantined as a duplicate)."""
        items: dict[str, list[ScoredColumn]] = {}
        for column in sorted(self.scored, key=lambda c: (c.item_code, c.answer_index)):
            items.setdefault(column.item_code, []).append(column)
        return items


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


def stage_respondents(con: duckdb.DuckDBPyConnection, wave: str, columns: WaveColumns) -> tuple[int, int]:
    """`staging.survey_responses` for one wave; returns (rows, quarantined)."""
    respondents = load_sql(__file__, "respondents").format(
        partnership=columns.answer_sql("partnership"),
        group=columns.answer_sql("stakeholder_group"),
        started=columns.answer_sql("started_at", "try_strptime(answers[{}], $formats)", "TIMESTAMP"),
        finished=columns.answer_sql("finished"),
    )
    con.execute(respondents, {"wave": wave, "formats": STARTED_AT_FORMATS})
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


def distinct_answers_sql(columns: WaveColumns) -> str:
    """A query of (tool, source_id, answer): each scored column's distinct answers in the wave (`$wave`),
    read in one pass over its rows."""
    if not columns.scored:
        return "SELECT NULL::VARCHAR AS tool, NULL::VARCHAR AS source_id, NULL::VARCHAR AS answer WHERE false"
    lists = ", ".join(f"list(DISTINCT answers[{int(c.answer_index)}])" for c in columns.scored)
    return (
        "SELECT tool, source_id, answer FROM (SELECT tool, source_id, unnest(answers) AS answer FROM ("
        f"SELECT $tool AS tool, unnest($source_ids) AS source_id, unnest(lists) AS answers FROM ("
        f"SELECT [{lists}] AS lists FROM raw.survey_rows WHERE wave = $wave))) WHERE answer IS NOT NULL"
    )


def stage_item_scores(con: duckdb.DuckDBPyConnection, wave: str, columns: WaveColumns) -> tuple[int, int]:
    """`staging.survey_item_scores` for one wave: the answers of its staged responses, scored; returns
    (rows, quarantined). Off-scale answers are quarantined with the scale's labels, then the model is
    applied to the rest. What is written is the wave's answer lookup and its quarantined answers (see
    sql/item_scores_view.sql), not the scored answers themselves.

    Only answers in doubt are read one by one: those whose lookup row the model could reject (off the scale,
    or a required value missing), as the response's own columns are its staged row's, validated already;
    and, where two answers of one response might score one item, every answer, to find them as pandera would."""
    model = schemas.SurveyItemScore
    answers_params = {"wave": wave, "tool": columns.tool, "source_ids": [c.source_id for c in columns.scored]}
    score_answers(con, distinct_answers_sql(columns), answers_params if columns.scored else None)
    params = {"wave": wave}
    suspect = f"off_scale_reason IS NOT NULL OR ({suspect_rows_sql(model)})"
    # The lookup rows in doubt, judged with stand-ins for the response's columns (validated with it).
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _wave_answers_in_doubt AS SELECT * EXCLUDE (wave, respondent_key, source_row,"
        " source_file) FROM (SELECT *, $wave AS wave, '-' AS respondent_key, 1 AS source_row, '-' AS source_file"
        f" FROM _wave_answer_lookup) WHERE {suspect}",
        params,
    )
    lookup = "_wave_answers_in_doubt"
    if _count(con, load_sql(__file__, "item_key_collisions"), params):
        lookup = "_wave_answer_lookup"
    scored = "(" + load_sql(__file__, "scored").replace("{lookup}", lookup) + ") AS scored"
    if lookup == "_wave_answer_lookup":
        # Two answers might score one item for one respondent: find them the slow way, as pandera would.
        con.execute(f"CREATE OR REPLACE TEMP TABLE _wave_scored_answers AS SELECT * FROM {scored}", params)
        scored, params = "_wave_scored_answers", None
        clean = "(SELECT * FROM _wave_scored_answers WHERE off_scale_reason IS NULL)"
        suspect = f"{suspect} OR ({_duplicates_condition(model, clean)})"
    elif not _count(con, "SELECT count(*) FROM _wave_answers_in_doubt"):
        scored = f"(SELECT * FROM {scored} LIMIT 0) AS scored"  # nothing in doubt: no answer is read
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
    return _score_rows(con, wave, columns), len(result.quarantined)


def _score_rows(con: duckdb.DuckDBPyConnection, wave: str, columns: WaveColumns) -> int:
    """`_wave_scored`: one row per staged response of the wave, with each scored item's score in the row
    (`i1`, `i2`, ... in `columns.items()` order; NULL where unanswered, answered "did not use" or the answer
    quarantined) and whether the item was answered on its scale (`a1`, `a2`, ...); returns how many item
    scores the wave has (what `staging.survey_item_scores` holds of it). Each column's scale is two
    parameters, its answers and their scores, so no answer becomes SQL text: an answer's place among the
    scale's answers (`p<column>`, NULL off the scale or quarantined) picks its score."""
    scales: dict[str, tuple[list[str], list[float | None]]] = {}
    for source_id, answer, score in con.execute(
        "SELECT source_id, answer, score FROM _wave_answer_lookup WHERE off_scale_reason IS NULL ORDER BY ALL"
    ).fetchall():
        answers, scores = scales.setdefault(source_id, ([], []))
        answers.append(answer)
        scores.append(score)
    params: dict[str, object] = {"wave": wave}
    # Most waves have no answer quarantined: their rows need no test for one.
    rejections = _count(con, "SELECT count(*) FROM staging.survey_item_rejections WHERE wave = $wave", params)
    places, items = [], []
    for n, item_columns in enumerate(columns.items().values(), start=1):
        for column in item_columns:
            i = int(column.answer_index)
            params[f"answers_{i}"], params[f"scores_{i}"] = scales.get(column.source_id, ([], []))
            place = f"list_position($answers_{i}, r.answers[{i}])"
            if rejections:
                params[f"source_id_{i}"] = column.source_id
                place = f"CASE WHEN list_contains(x.rejected, $source_id_{i}) THEN NULL ELSE {place} END"
            places.append(f"{place} AS p{i}")
        scores = ", ".join(f"$scores_{int(c.answer_index)}[p{int(c.answer_index)}]" for c in item_columns)
        answered = " OR ".join(f"p{int(c.answer_index)} IS NOT NULL" for c in item_columns)
        items.append(f"coalesce({scores})::DOUBLE AS i{n}, ({answered}) AS a{n}")
    sql = load_sql(__file__, "scored_rows").format(
        places=", ".join(places) or "NULL AS p0", items=", ".join(items) or "NULL::DOUBLE AS i0"
    )
    con.execute(sql, params)
    answered = " + ".join(f"count(*) FILTER (WHERE a{n})" for n in range(1, len(items) + 1)) or "0"
    return _count(con, f"SELECT {answered} FROM _wave_scored")


def stage_summaries(con: duckdb.DuckDBPyConnection, wave: str, columns: WaveColumns) -> int:
    """The wave's respondent scores, construct summaries, reliability inputs and support ratings, from its
    staged responses' rows (`_wave_scored`); returns the respondent scores written. Wave pairs that include
    the wave are dropped, to be compared again (`wave_pair_statistics`)."""
    items = list(columns.items().items())
    counts = ", ".join(f"count(i{n})" for n in range(1, len(items) + 1))
    answered = con.execute(f"SELECT [{counts}] FROM _wave_scored").fetchall()[0][0] if items else []
    # An item nobody answered is not among its construct's, as it would have no row in a long table of scores.
    constructs: dict[str, list[str]] = {}
    for n, (_, item_columns) in enumerate(items, start=1):
        if answered[n - 1]:
            constructs.setdefault(item_columns[0].construct, []).append(f"i{n}")
    support = [
        n for n, (_, item_columns) in enumerate(items, start=1) if item_columns[0].construct_kind == "support_offer"
    ]
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
        rows = 0
        if constructs:
            by_construct = "[" + ", ".join(f"[{', '.join(scores)}]" for scores in constructs.values()) + "]::DOUBLE[][]"
            respondent_scores = load_sql(__file__, "respondent_scores").format(by_construct=by_construct)
            rows = _count(con, respondent_scores, {"wave": wave, "constructs": list(constructs)})
            con.execute(load_sql(__file__, "construct_summaries"), {"wave": wave})
            reliability = load_sql(__file__, "reliability").format(
                constructs=" UNION ALL ".join(
                    _reliability_sql(c, scores) for c, scores in enumerate(constructs.values())
                )
            )
            con.execute(reliability, {"wave": wave, **{f"construct_{c}": name for c, name in enumerate(constructs)}})
        if support:
            support_ratings = load_sql(__file__, "support_ratings").format(
                scores=", ".join(f"i{n}" for n in support), answered=", ".join(f"a{n}" for n in support)
            )
            con.execute(
                support_ratings,
                {"wave": wave, "tool": columns.tool, "support_items": [items[n - 1][0] for n in support]},
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return rows


def _reliability_sql(number: int, scores: list[str]) -> str:
    """One construct's reliability inputs from `_wave_scored` (see sql/reliability.sql): `scores` are its
    answered items' columns, in item order; the construct's name is the parameter `$construct_<number>`."""
    listed = ", ".join(scores)
    item_variances = " + ".join(f"exact_variance(CASE WHEN complete THEN {score} END)" for score in scores)
    return (
        f"SELECT $construct_{number} AS construct, {len(scores)} AS k_items,"
        f" count(*) FILTER (WHERE complete) AS complete_respondents, {item_variances} AS item_variance_sum,"
        f" exact_variance(CASE WHEN complete THEN total END) AS total_variance"
        f" FROM (SELECT {listed}, list_count([{listed}]) = {len(scores)} AS complete, {' + '.join(scores)} AS total"
        f" FROM _wave_scored)"
    )


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
        "_wave_scored_answers",
        "_wave_answer_lookup",
        "_wave_answers_in_doubt",
    ):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def stage_wave(con: duckdb.DuckDBPyConnection, wave: str) -> list[StageReport]:
    """Stage one wave: its respondents tied to a partnership and group (`staging.survey_responses`), its
    answers scored on their scales (`staging.survey_item_scores`), the per-wave summaries the marts read,
    and the answer columns the instrument does not map (`staging.survey_unmapped_columns`)."""
    ensure_tables(con)
    columns = WaveColumns.of(con, wave)
    try:
        responses, rejected = stage_respondents(con, wave, columns)
        scores, off_scale = stage_item_scores(con, wave, columns)
        summaries = stage_summaries(con, wave, columns)
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
    "raw.survey_rows",
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
            "DELETE FROM raw._load_ledger WHERE table_name IN ('raw.survey_rows', 'raw.survey_columns')"
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
