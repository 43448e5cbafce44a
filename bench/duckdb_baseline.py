"""The DuckDB baseline: the survey path's ingest and aggregations as one plain SQL script would do them.

For each wave's Qualtrics export: read the three header rows (the ImportId row says which columns are the
instrument's items), then one statement per wave loads the scored answers into a DuckDB file: read_csv ->
UNPIVOT the item columns -> score each answer on its scale (reverse-coded items reversed, don't know
empty, answers off the scale and partnerships outside the programme left out). A second statement per
wave loads the respondents (partnership, stakeholder group, finished). Then the aggregations: construct
means per wave x partnership (the mean of respondents' construct scores, with n and SD) and response counts
per wave x partnership x stakeholder group.

No pseudonyms, redaction, lineage, validation, quarantine, asset checks, disclosure control or
publishing: this is the floor the pipeline is measured against. Answers are scored in the wide rows and
then unpivoted by position: in DuckDB 2.0 a join on UNPIVOT's output is several times slower and holds the
long table in memory (see pipeline/surveys/readers/export.py).

    python bench/duckdb_baseline.py DATA_DIR OUT_DIR
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import duckdb


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def header(path: Path) -> tuple[list[str], list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = csv.reader(handle)
        tags, _, ids = next(rows), next(rows), next(rows)
    return tags, [json.loads(cell)["ImportId"] for cell in ids]


def score_sql(tag: str, position: int, item: tuple, scale: list[tuple[str, float]], reverse_sum: float) -> str:
    """The answer's score on the item's scale, by label (any case) or code; reverse-coded items reversed."""
    cases = " ".join(
        f"WHEN {literal(answer)} THEN {reverse_sum - value if item[3] else value}" for answer, value in scale
    )
    return f'CASE lower(trim({ident(tag)})) {cases} END AS "{position}"'


def main(data_dir: Path, out_dir: Path) -> dict[str, object]:
    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / "baseline.duckdb"
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    con.execute("SET enable_progress_bar = false")
    reference = data_dir / "reference"
    for name in ("survey_instrument", "likert_scales", "stakeholder_groups", "partnerships"):
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv({literal(str(reference / f'{name}.csv'))}, all_varchar = true)"
        )
    con.execute("""
        CREATE TABLE answer_scores AS
        WITH scored AS (SELECT scale_id, label, code, score::DOUBLE AS score FROM likert_scales WHERE score <> '')
        SELECT scale_id, lower(label) AS answer, score FROM scored UNION SELECT scale_id, code, score FROM scored;
        CREATE TABLE scale_range AS
        SELECT scale_id, min(score::DOUBLE) + max(score::DOUBLE) AS reverse_sum FROM likert_scales WHERE score <> '' GROUP BY ALL;
        CREATE TABLE answers (wave VARCHAR, respondent VARCHAR, partnership_id VARCHAR, item_code VARCHAR,
                              construct VARCHAR, score DOUBLE);
        CREATE TABLE respondents (wave VARCHAR, respondent VARCHAR, partnership_id VARCHAR,
                                  stakeholder_group VARCHAR, finished BOOLEAN);
    """)
    items = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT source_id, item_code, construct, scale_id, reverse_coded = 'true' FROM survey_instrument "
            "WHERE role = 'item' AND tool = 'qualtrics'"
        ).fetchall()
    }
    group_of = dict(
        con.execute(
            "SELECT lower(label), stakeholder_group FROM stakeholder_groups UNION ALL "
            "SELECT code, stakeholder_group FROM stakeholder_groups"
        ).fetchall()
    )
    groups = " ".join(f"WHEN {literal(answer)} THEN {literal(group)}" for answer, group in group_of.items())
    waves = sorted((data_dir / "surveys").glob("*.csv"))
    for path in waves:
        tags, ids = header(path)
        columns = "{" + ", ".join(f"{literal(tag)}: 'VARCHAR'" for tag in tags) + "}"
        source = (
            f"read_csv({literal(str(path))}, skip = 3, header = false, columns = {columns}, auto_detect = false,"
            " delim = ',', quote = '\"', escape = '\"')"
        )
        item_tags = [(tag, items[i]) for tag, i in zip(tags, ids, strict=True) if i in items]
        scales = {
            scale_id: con.execute(
                "SELECT answer, score FROM answer_scores WHERE scale_id = ? ORDER BY answer", [scale_id]
            ).fetchall()
            for scale_id in {item[2] for _, item in item_tags}
        }
        reverse_sum = dict(con.execute("SELECT scale_id, reverse_sum FROM scale_range").fetchall())
        scores = ", ".join(
            score_sql(tag, position, item, scales[item[2]], reverse_sum[item[2]])
            for position, (tag, item) in enumerate(item_tags, start=1)
        )
        unpivoted = ", ".join(f'"{n}"' for n in range(1, len(item_tags) + 1))
        item_list = "[" + ", ".join(literal(item[0]) for _, item in item_tags) + "]"
        construct_list = "[" + ", ".join(literal(item[1]) for _, item in item_tags) + "]"
        tag = {i: t for t, i in zip(tags, ids, strict=True)}
        person, partnership = ident(tag["externalDataReference"]), ident(tag["partnership_id"])
        wave = literal(path.stem)
        # Scored in the wide rows, then unpivoted: joining UNPIVOT's output to a table is several times
        # slower and holds the long table in memory (DuckDB 2.0). UNPIVOT leaves out the empty scores
        # (don't know, off the scale, unanswered).
        con.execute(f"""
            INSERT INTO answers
            WITH long AS (
                UNPIVOT (
                    SELECT {person} AS respondent, {partnership} AS partnership_id, {scores} FROM {source}
                    WHERE {partnership} IN (SELECT partnership_id FROM partnerships)
                )
                ON {unpivoted} INTO NAME position VALUE score
            )
            SELECT {wave}, respondent, partnership_id, {item_list}[position::INTEGER],
                   {construct_list}[position::INTEGER], score
            FROM long
        """)
        con.execute(f"""
            INSERT INTO respondents
            SELECT {wave}, {person}, {partnership},
                   CASE lower(trim({ident(tag["QID3"])})) {groups} END,
                   lower(trim({ident(tag["finished"])})) IN ('true', '1')
            FROM {source}
            WHERE {partnership} IN (SELECT partnership_id FROM partnerships)
        """)
    con.execute("""
        CREATE TABLE construct_means AS
        WITH respondent_scores AS (
            SELECT wave, respondent, partnership_id, construct, avg(score) AS score FROM answers GROUP BY ALL
        )
        SELECT wave, partnership_id, construct, count(*) AS respondents, avg(score) AS mean, stddev_samp(score) AS sd
        FROM respondent_scores GROUP BY ALL;
        CREATE TABLE response_counts AS
        SELECT wave, partnership_id, coalesce(stakeholder_group, 'not stated') AS stakeholder_group,
               count(*) AS respondents, count(*) FILTER (WHERE finished) AS completed
        FROM respondents GROUP BY ALL;
    """)
    con.execute(
        f"COPY (SELECT * FROM construct_means ORDER BY ALL) TO {literal(str(out_dir / 'construct_means.parquet'))}"
    )
    summary = {
        "waves": len(waves),
        "respondents": con.execute("SELECT count(*) FROM respondents").fetchall()[0][0],
        "scored_answers": con.execute("SELECT count(*) FROM answers").fetchall()[0][0],
        "construct_means": con.execute("SELECT count(*) FROM construct_means").fetchall()[0][0],
        "response_counts": con.execute("SELECT count(*) FROM response_counts").fetchall()[0][0],
    }
    con.close()
    return summary


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
