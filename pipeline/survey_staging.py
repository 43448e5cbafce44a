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

from pipeline import schemas
from pipeline.readers.surveys import STARTED_AT_FORMATS
from pipeline.validation import (
    Validated,
    reject_unknown,
    reject_where,
    revalidate,
    suspect_rows_sql,
    unique_keys,
    validate_frame,
)
from pipeline.warehouse import quote_identifier, replace_rows, table_exists

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
    # What `staging.survey_item_scores` is built from (see ITEM_SCORES_VIEW_SQL): one row per wave x
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

# One row per response (not per pseudonym): a person who answered twice in a wave shows as a duplicate
# key, which validation quarantines, rather than as one respondent with merged answers.
# source_row is the response's position in the export. The wave's columns are looked up first (a few
# dozen rows), so each answer joins a tiny table; CASE rather than FILTER, so that only the start times
# are parsed (an aggregate's FILTER still computes its argument for every row).
RESPONDENTS_SQL = """
CREATE OR REPLACE TEMP TABLE _wave_respondents AS
WITH wave_columns AS (
    SELECT c.column_name, c.kind, f.role
    FROM raw.survey_columns AS c
    LEFT JOIN staging.survey_instrument AS f ON f.tool = c.tool AND f.source_id = c.source_id
    WHERE c.wave = $wave
)
SELECT a.wave, a.respondent_key, a.respondent_row AS source_row, any_value(a.source_file) AS source_file,
       max(CASE WHEN c.role = 'partnership' THEN a.answer END) AS partnership_id,
       max(CASE WHEN c.role = 'stakeholder_group' THEN a.answer END) AS group_answer,
       max(CASE WHEN c.kind = 'started_at' THEN try_strptime(a.answer, $formats) END) AS started_at,
       max(CASE WHEN a.source_id = 'finished' THEN a.answer END) AS finished_answer
FROM raw.survey_answers AS a
JOIN wave_columns AS c USING (column_name)
WHERE a.wave = $wave
GROUP BY a.wave, a.respondent_key, a.respondent_row
"""

CANDIDATES_SQL = """
CREATE OR REPLACE TEMP TABLE _wave_candidates AS
SELECT r.wave, r.respondent_key, r.source_row, r.source_file, r.partnership_id, r.started_at,
       g.stakeholder_group, f.finished
FROM _wave_respondents AS r
LEFT JOIN _group_answers AS g ON g.group_answer = r.group_answer
LEFT JOIN _finished_answers AS f ON f.finished_answer = r.finished_answer
"""

# Each answer to a scored item with its score on the item's scale (reverse-coded items reversed), or the
# reason it is not on the scale. An answer matches a scale row by its label (any case) or its code. A wave's
# answers to scored items are few distinct texts (each scale's labels or codes), so each distinct answer of
# each item is scored once into `_wave_answer_lookup`, and the wave's millions of answers join that small
# table on equality rather than each being trimmed, lower-cased and matched.
ANSWER_LOOKUP_SQL = """
CREATE OR REPLACE TEMP TABLE _wave_answer_lookup AS
WITH scale_range AS (
    SELECT scale_id, min(score) + max(score) AS reverse_sum, string_agg(label, ' / ' ORDER BY code) AS labels
    FROM staging.likert_scales GROUP BY scale_id
),
answer_keys AS (
    SELECT DISTINCT scale_id, answer_key, label, score FROM (
        SELECT scale_id, lower(label) AS answer_key, label, score FROM staging.likert_scales
        UNION ALL
        SELECT scale_id, code::VARCHAR, label, score FROM staging.likert_scales
    )
),
items AS (SELECT * FROM staging.survey_instrument WHERE role = 'item'),
answers AS (
    SELECT DISTINCT tool, source_id, answer FROM raw.survey_answers
    WHERE wave = $wave AND source_id IN (SELECT source_id FROM items)
)
SELECT a.tool, a.source_id, a.answer, f.item_code, f.construct,
       CASE WHEN f.reverse_coded THEN r.reverse_sum - s.score ELSE s.score END AS score,
       CASE WHEN s.label IS NULL THEN format('answer {} to {} is not on scale {} ({})', a.answer, f.item_code, f.scale_id, r.labels) END
           AS off_scale_reason
FROM answers AS a
JOIN items AS f ON f.tool = a.tool AND f.source_id = a.source_id
JOIN scale_range AS r ON r.scale_id = f.scale_id
LEFT JOIN answer_keys AS s ON s.scale_id = f.scale_id AND s.answer_key = lower(trim(a.answer))
"""

# The answers of the wave's staged responses to scored items (a rejected response's answers stay with its
# quarantine record), each with its score or the reason it has none.
SCORED_SQL = """
SELECT a.wave, a.respondent_key, a.respondent_row AS source_row, a.source_file, a.source_id, l.item_code,
       l.construct, a.answer, l.score, l.off_scale_reason
FROM raw.survey_answers AS a
JOIN staging.survey_responses AS r
  ON r.wave = a.wave AND r.source_file = a.source_file AND r.source_row = a.respondent_row
JOIN _wave_answer_lookup AS l ON l.tool = a.tool AND l.source_id = a.source_id AND l.answer = a.answer
WHERE a.wave = $wave
"""

# The staged item scores of every wave, as SCORED_SQL finds them, less the answers quarantined.
ITEM_SCORES_VIEW_SQL = """
CREATE OR REPLACE VIEW staging.survey_item_scores AS
SELECT a.source_file, a.respondent_row AS source_row, a.wave, a.respondent_key, s.item_code, s.construct,
       a.answer, s.score
FROM raw.survey_answers AS a
JOIN staging.survey_responses AS r
  ON r.wave = a.wave AND r.source_file = a.source_file AND r.source_row = a.respondent_row
JOIN staging.survey_answer_scores AS s
  ON s.wave = a.wave AND s.tool = a.tool AND s.source_id = a.source_id AND s.answer = a.answer
ANTI JOIN staging.survey_item_rejections AS x
  ON x.wave = a.wave AND x.source_file = a.source_file AND x.source_row = a.respondent_row
 AND x.source_id = a.source_id
"""

# Whether two answers of one respondent could score the same item: two of the wave's columns mapped to
# one item code, or an answer matching two rows of its scale. Without either, the item scores of the
# wave's valid respondents (unique by pseudonym) are unique by construction and need no duplicate scan.
ITEM_KEY_COLLISIONS_SQL = """
SELECT (SELECT count(*) FROM (
            SELECT f.item_code FROM raw.survey_columns AS c
            JOIN staging.survey_instrument AS f ON f.tool = c.tool AND f.role = 'item' AND f.source_id = c.source_id
            WHERE c.wave = $wave GROUP BY f.item_code HAVING count(*) > 1))
     + (SELECT count(*) FROM (
            SELECT scale_id, answer_key FROM (
                SELECT DISTINCT scale_id, answer_key, label FROM (
                    SELECT scale_id, lower(label) AS answer_key, label FROM staging.likert_scales
                    UNION ALL SELECT scale_id, code::VARCHAR, label FROM staging.likert_scales))
            GROUP BY ALL HAVING count(*) > 1))
"""

UNMAPPED_COLUMNS_SQL = """
SELECT c.wave, c.tool, c.column_name, c.source_id, c.question_text,
       (SELECT count(*) FROM raw.survey_answers AS a WHERE a.wave = c.wave AND a.column_name = c.column_name) AS answers
FROM raw.survey_columns AS c
WHERE c.wave = ? AND c.kind = 'answer'
  AND c.source_id NOT IN (SELECT source_id FROM staging.survey_instrument AS f WHERE f.tool = c.tool)
ORDER BY c.position
"""

# --- Per-wave summaries the survey marts read, so a mart never rescans every wave's answers -------------
# A response is named by its pseudonym, as in the marts' own definitions. Where the wave came from one file,
# its position in the file names it just as well (one to one: item scores come only from staged responses,
# unique by pseudonym), and is far cheaper to group and join on; otherwise the pseudonym is used.
#
# Two refreshes must publish bit-identical marts, but DuckDB adds floats up in whatever order its threads
# finish. Item scores are whole numbers on their scale, so sums of scores and of their squares are exact in
# any order, and variances are taken from those sums (`EXACT_VARIANCE`); statistics of fractional values
# (respondents' construct scores) are aggregated in sorted order (`avg(x ORDER BY x)`).

# The sample variance of {x} from exact sums: (n * sum(x^2) - sum(x)^2) / (n * (n - 1)), NULL below two values.
EXACT_VARIANCE = (
    "CASE WHEN count({x}) > 1 THEN (count({x}) * sum({x} * {x}) - sum({x}) * sum({x}))"
    " / (count({x}) * (count({x}) - 1)) END"
)

# Each respondent's scored items per construct: how many, their mean (the respondent's construct score)
# and their total (for reliability).
PER_RESPONDENT_SQL = """
CREATE OR REPLACE TEMP TABLE _wave_per_respondent AS
SELECT {identity} AS identity, construct, count(*) AS items, avg(score) AS score, sum(score) AS total
FROM staging.survey_item_scores
WHERE wave = $wave AND score IS NOT NULL
GROUP BY ALL
"""

RESPONDENT_SCORES_SQL = """
INSERT INTO staging.survey_respondent_scores BY NAME
SELECT r.wave, r.respondent_key, r.partnership_id, p.construct, p.items, p.score
FROM _wave_per_respondent AS p
JOIN staging.survey_responses AS r ON r.wave = $wave AND r.{identity} = p.identity
"""

# Each partnership's respondents' construct scores in the wave, summarised for `marts.construct_scores`,
# `marts.success_factor_matrix` and `marts.wave_change` (the two sides of a comparison).
CONSTRUCT_SUMMARIES_SQL = """
INSERT INTO staging.survey_construct_summaries BY NAME
SELECT wave, partnership_id, construct, count(*) AS respondents, avg(score ORDER BY score) AS mean,
       stddev_samp(score ORDER BY score) AS sd, var_samp(score ORDER BY score) AS variance,
       min(score) AS min_score, max(score) AS max_score
FROM staging.survey_respondent_scores
WHERE wave = $wave
GROUP BY ALL
"""

# Cronbach's alpha of each construct in the wave needs, over the respondents who answered every item of
# the construct that anyone answered (listwise): the sum of the item variances and the variance of the
# total score (see pipeline.methods.reliability; the marts finish the computation).
RELIABILITY_SQL = f"""
INSERT INTO staging.survey_construct_reliability BY NAME
WITH construct_items AS MATERIALIZED (
    SELECT construct, count(DISTINCT item_code) AS k_items
    FROM staging.survey_item_scores WHERE wave = $wave AND score IS NOT NULL GROUP BY construct
),
complete AS MATERIALIZED (
    SELECT p.identity, p.construct, p.total
    FROM _wave_per_respondent AS p JOIN construct_items AS i USING (construct)
    WHERE p.items = i.k_items
),
item_variances AS (
    SELECT s.construct, s.item_code, {EXACT_VARIANCE.format(x="s.score")} AS variance
    FROM staging.survey_item_scores AS s
    JOIN complete AS c ON c.construct = s.construct AND c.identity = s.{{identity}}
    WHERE s.wave = $wave AND s.score IS NOT NULL
    GROUP BY ALL
)
SELECT $wave AS wave, i.construct, i.k_items, coalesce(t.respondents, 0) AS complete_respondents,
       v.item_variance_sum, t.total_variance
FROM construct_items AS i
LEFT JOIN (
    SELECT construct, count(*) AS respondents, {EXACT_VARIANCE.format(x="total")} AS total_variance
    FROM complete GROUP BY ALL
) AS t USING (construct)
LEFT JOIN (
    SELECT construct, sum(variance ORDER BY item_code) AS item_variance_sum FROM item_variances GROUP BY ALL
) AS v USING (construct)
"""

# Ratings of each part of the support offer by stakeholder group.
SUPPORT_RATINGS_SQL = f"""
INSERT INTO staging.survey_support_ratings BY NAME
SELECT s.wave, s.item_code AS support_type, f.item_text AS support_label,
       coalesce(r.stakeholder_group, 'not stated') AS stakeholder_group,
       count(s.score) AS rated, count(*) FILTER (WHERE s.score IS NULL) AS did_not_use,
       avg(s.score) AS mean_usefulness, sqrt({EXACT_VARIANCE.format(x="s.score")}) AS sd,
       count(*) FILTER (WHERE s.score >= 3) AS rated_useful
FROM staging.survey_item_scores AS s
JOIN staging.survey_responses AS r ON r.wave = $wave AND r.{{identity}} = s.{{identity}}
JOIN staging.survey_instrument AS f ON f.item_code = s.item_code AND f.role = 'item'
WHERE s.wave = $wave AND s.construct = 'support_usefulness'
GROUP BY ALL
"""

# The respondents (same pseudonym) scored on a construct in both waves of a pair, and the summary of their
# differences (after - before): the paired side of `marts.wave_change`, one row per partnership x
# construct scored in the earlier wave. Computed once per pair and kept until either wave is staged again.
WAVE_PAIR_SQL = """
INSERT INTO staging.survey_wave_pairs BY NAME
WITH paired AS (
    SELECT b.partnership_id, b.construct, b.score AS before, a.score AS after, a.score - b.score AS diff
    FROM staging.survey_respondent_scores AS b
    JOIN staging.survey_respondent_scores AS a
      ON a.wave = $after AND a.partnership_id = b.partnership_id AND a.construct = b.construct
     AND a.respondent_key = b.respondent_key
    WHERE b.wave = $before
),
statistics AS (
    SELECT partnership_id, construct, count(*) AS n_paired,
           avg(before ORDER BY before) AS mean_before_paired, avg(after ORDER BY after) AS mean_after_paired,
           avg(diff ORDER BY diff) AS mean_diff, var_samp(diff ORDER BY diff) AS var_diff,
           max(diff) - min(diff) AS ptp_diff, max(abs(diff)) AS peak_diff
    FROM paired GROUP BY ALL
)
SELECT $before AS wave_before, $after AS wave_after, s.partnership_id, s.construct,
       coalesce(p.n_paired, 0) AS n_paired, p.mean_before_paired, p.mean_after_paired,
       p.mean_diff, p.var_diff, p.ptp_diff, p.peak_diff
FROM staging.survey_construct_summaries AS s
LEFT JOIN statistics AS p USING (partnership_id, construct)
WHERE s.wave = $before
"""

# Whether a response's position in the file names it as well as its pseudonym does (see above).
POSITION_NAMES_RESPONSE_SQL = """
SELECT (SELECT count(DISTINCT source_file) FROM raw.survey_columns WHERE wave = $wave) <= 1
   AND (SELECT count(*) = count(DISTINCT source_row) FROM staging.survey_responses WHERE wave = $wave)
"""


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the survey staging and quarantine tables with their types, if missing, and the item scores'
    view once there are raw answers to view."""
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
        con.execute(ITEM_SCORES_VIEW_SQL)


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
    frame = rescued  # noqa: F841 - named for DuckDB's replacement scan
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {table} WHERE wave = ?", [wave])
        written = _count(con, f"INSERT INTO {table} BY NAME {select_sql}", params)
        if len(rescued):
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
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
    con.execute(RESPONDENTS_SQL, {"wave": wave, "formats": STARTED_AT_FORMATS})
    _group_answers, _finished_answers = _map_group_and_finished(con)  # noqa: F841 - read by CANDIDATES_SQL
    con.execute(CANDIDATES_SQL)
    model = schemas.SurveyResponse
    unknown_partnership = (
        "NOT EXISTS (SELECT 1 FROM staging.partnerships AS p WHERE p.partnership_id = _wave_candidates.partnership_id)"
    )
    suspect = f"({suspect_rows_sql(model)}) OR ({unknown_partnership}) OR ({_duplicates_condition(model, '_wave_candidates')})"
    suspects = con.execute(f"SELECT * FROM _wave_candidates WHERE {suspect}").df()
    known = {row[0] for row in con.execute("SELECT partnership_id FROM staging.partnerships").fetchall()}
    result = validate_frame(suspects, model)
    result = reject_unknown(
        result, "partnership_id", known, "partnership {value!r} is not in reference/partnerships.csv"
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


def stage_item_scores(con: duckdb.DuckDBPyConnection, wave: str) -> tuple[int, int]:
    """`staging.survey_item_scores` for one wave: the answers of its staged responses, scored; returns
    (rows, quarantined). Off-scale answers are quarantined with the scale's labels, then the model is
    applied to the rest. What is written is the wave's answer lookup and its quarantined answers (see
    ITEM_SCORES_VIEW_SQL), not the scored answers themselves."""
    model = schemas.SurveyItemScore
    params = {"wave": wave}
    con.execute(ANSWER_LOOKUP_SQL, params)
    scored = f"({SCORED_SQL}) AS scored"
    suspect = f"off_scale_reason IS NOT NULL OR ({suspect_rows_sql(model)})"
    if _count(con, ITEM_KEY_COLLISIONS_SQL, params):
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
    rejected = _rejected_answers(suspects, result.valid).assign(wave=wave)  # noqa: F841 - read below
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("survey_answer_scores", "survey_item_rejections"):
            con.execute(f"DELETE FROM staging.{table} WHERE wave = ?", [wave])
        con.execute(
            "INSERT INTO staging.survey_answer_scores BY NAME SELECT $wave AS wave, tool, source_id, answer,"
            " item_code, construct, score FROM _wave_answer_lookup WHERE off_scale_reason IS NULL",
            {"wave": wave},
        )
        con.execute("INSERT INTO staging.survey_item_rejections BY NAME SELECT * FROM rejected")
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
        "source_row" if con.execute(POSITION_NAMES_RESPONSE_SQL, {"wave": wave}).fetchall()[0][0] else "respondent_key"
    )
    params = {"wave": wave}
    con.execute(PER_RESPONDENT_SQL.format(identity=identity), params)
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
        rows = _count(con, RESPONDENT_SCORES_SQL.format(identity=identity), params)
        con.execute(CONSTRUCT_SUMMARIES_SQL, params)
        con.execute(RELIABILITY_SQL.format(identity=identity), params)
        con.execute(SUPPORT_RATINGS_SQL.format(identity=identity), params)
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
            con.execute(WAVE_PAIR_SQL, {"before": before, "after": after})


def unmapped_columns(con: duckdb.DuckDBPyConnection, wave: str) -> pd.DataFrame:
    """The wave's answer columns the instrument does not map, written to `staging.survey_unmapped_columns`."""
    unmapped = con.execute(UNMAPPED_COLUMNS_SQL, [wave]).df()
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


def stage_wave(con: duckdb.DuckDBPyConnection, wave: str) -> tuple[tuple[int, int], tuple[int, int], pd.DataFrame]:
    """Stage one wave: ((responses, quarantined), (item scores, quarantined), unmapped columns)."""
    ensure_tables(con)
    try:
        respondents = stage_respondents(con, wave)
        scores = stage_item_scores(con, wave)
        stage_summaries(con, wave)
        unmapped = unmapped_columns(con, wave)
    finally:
        drop_temporary(con)
    return respondents, scores, unmapped
