"""The streaming floor: one pass per wave that keeps the wave as received, then scores respondents in the wide row.

For each wave's Qualtrics export:

1. keep it as received, minus personal data, with respondents keyed: one `COPY` from the CSV to a
   zstd-compressed Parquet file (`OUT_DIR/raw/<wave>.parquet`) of every column as exported except the
   personal ones (IP address, location, recipient names and e-mail, and the identifiers once keyed), plus
   the respondent's keyed pseudonym (the pipeline's HMAC-SHA256, `pipeline.privacy.hmac_sql`, of the same
   identifier, most stable first), the file's name and each response's position in it (lineage);
2. from that Parquet file, each respondent's construct scores in the wide row: every scored item's answer
   scored on its scale (reverse-coded items reversed; don't know, off the scale and unanswered empty),
   then per construct `list_avg` over its items, unnested to one row per respondent x construct;
3. aggregated, wave by wave, per partnership x construct (respondents, mean, SD) and per wave x partnership x
   stakeholder group (responses, completed), for partnerships of the programme only.

No answer ever becomes a row. No redaction of free text, validation, quarantine, asset checks, disclosure
control or publishing: this is the least a refresh that keeps the raw waves must do, measured against
the pipeline's full refresh (issue #20).

    python bench/floor.py DATA_DIR OUT_DIR
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import duckdb

# The export header and SQL string literals as the baseline has them (both scripts run from bench/).
from duckdb_baseline import header, literal

from pipeline.privacy import hmac_sql, pseudonym_key
from pipeline.settings import PSEUDONYM_KEY_VARIABLE, load_settings
from pipeline.surveys.readers.qualtrics import PERSONAL_IMPORT_IDS, RESPONDENT_ID_IMPORT_IDS
from pipeline.warehouse import quote_identifier


def keep_wave(con: duckdb.DuckDBPyConnection, path: Path, raw: Path, key: bytes) -> tuple[list[str], list[str]]:
    """Step 1: the wave as received, minus personal data, keyed and with lineage, as zstd Parquet.
    Returns the kept columns' tags and ImportIds."""
    tags, ids = header(path)
    columns = "{" + ", ".join(f"{literal(tag)}: 'VARCHAR'" for tag in tags) + "}"
    source = (
        f"read_csv({literal(str(path))}, skip = 3, header = false, columns = {columns}, auto_detect = false,"
        " delim = ',', quote = '\"', escape = '\"')"
    )
    tag_of = dict(zip(ids, tags, strict=True))
    # The identifier a pseudonym is derived from, most stable first, as the pipeline's Qualtrics reader names it.
    parts = ", ".join(
        f"nullif(trim({quote_identifier(tag_of[i])}), '')" for i in RESPONDENT_ID_IMPORT_IDS if i in tag_of
    )
    identifier = f"coalesce({parts}, {literal(path.name)} || ':' || respondent_row::VARCHAR)"
    dropped = PERSONAL_IMPORT_IDS | set(RESPONDENT_ID_IMPORT_IDS)
    kept = [(tag, i) for tag, i in zip(tags, ids, strict=True) if i not in dropped]
    selected = ", ".join(quote_identifier(tag) for tag, _ in kept)
    con.execute(f"""
        COPY (
            WITH numbered AS (SELECT row_number() OVER () AS respondent_row, * FROM {source})
            SELECT {literal(path.stem)} AS wave, {literal(path.name)} AS file_name, respondent_row,
                   {hmac_sql(identifier, key)} AS respondent_key, {selected}
            FROM numbered
        ) TO {literal(str(raw))} (FORMAT parquet, COMPRESSION zstd)
    """)
    return [tag for tag, _ in kept], [i for _, i in kept]


def score_sql(tag: str, reverse: bool, scale: list[tuple[str, float]], reverse_sum: float) -> str:
    """The answer's score on the item's scale, by label (any case) or code; reverse-coded items reversed."""
    cases = " ".join(
        f"WHEN {literal(answer)} THEN {reverse_sum - value if reverse else value}" for answer, value in scale
    )
    return f"CASE lower(trim({quote_identifier(tag)})) {cases} END::DOUBLE"


def main(data_dir: Path, out_dir: Path) -> dict[str, object]:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "raw").mkdir(exist_ok=True)
    # The pipeline's key, from where its resource takes it (the environment, else the secret file).
    key = pseudonym_key(os.environ.get(PSEUDONYM_KEY_VARIABLE, ""), load_settings().secret_file)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    reference = data_dir / "reference"
    for name in ("survey_instrument", "likert_scales", "stakeholder_groups", "partnerships"):
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv({literal(str(reference / f'{name}.csv'))}, all_varchar = true)"
        )
    items = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT source_id, construct, scale_id, reverse_coded = 'true' FROM survey_instrument "
            "WHERE role = 'item' AND tool = 'qualtrics'"
        ).fetchall()
    }
    scales: dict[str, list[tuple[str, float]]] = {}
    for scale_id, label, code, score in con.execute(
        "SELECT scale_id, label, code, score::DOUBLE FROM likert_scales WHERE score <> '' ORDER BY ALL"
    ).fetchall():
        scales.setdefault(scale_id, []).extend([(label.lower(), score), (code, score)])
    reverse_sum = {s: min(v for _, v in pairs) + max(v for _, v in pairs) for s, pairs in scales.items()}
    groups = " ".join(
        f"WHEN {literal(answer)} THEN {literal(group)}"
        for answer, group in con.execute(
            "SELECT lower(label), stakeholder_group FROM stakeholder_groups UNION ALL "
            "SELECT code, stakeholder_group FROM stakeholder_groups"
        ).fetchall()
    )
    con.execute("""
        CREATE TABLE construct_means (wave VARCHAR, partnership_id VARCHAR, construct VARCHAR,
                                      respondents BIGINT, mean DOUBLE, sd DOUBLE);
        CREATE TABLE response_counts (wave VARCHAR, partnership_id VARCHAR, stakeholder_group VARCHAR,
                                      respondents BIGINT, completed BIGINT);
    """)
    waves = sorted((data_dir / "surveys").glob("*.csv"))
    kept_bytes = 0
    for path in waves:
        raw = out_dir / "raw" / f"{path.stem}.parquet"
        tags, ids = keep_wave(con, path, raw, key)
        kept_bytes += raw.stat().st_size
        tag = dict(zip(ids, tags, strict=True))
        by_construct: dict[str, list[str]] = {}
        for t, i in zip(tags, ids, strict=True):
            if i in items:
                construct, scale_id, reverse = items[i]
                by_construct.setdefault(construct, []).append(
                    score_sql(t, reverse, scales[scale_id], reverse_sum[scale_id])
                )
        constructs = "[" + ", ".join(literal(c) for c in by_construct) + "]"
        # One list_avg per construct in the wide row (empty scores left out; NULL when none), unnested
        # beside the construct names: one row per respondent x construct, never one per answer.
        averages = "[" + ", ".join(f"list_avg([{', '.join(scored)}])" for scored in by_construct.values()) + "]"
        partnership = quote_identifier(tag["partnership_id"])
        con.execute(f"""
            INSERT INTO construct_means
            WITH wide AS (
                SELECT respondent_key, {partnership} AS partnership_id,
                       unnest({constructs}) AS construct, unnest({averages}) AS score
                FROM read_parquet({literal(str(raw))})
                WHERE {partnership} IN (SELECT partnership_id FROM partnerships)
            )
            SELECT {literal(path.stem)}, partnership_id, construct, count(*), avg(score), stddev_samp(score)
            FROM wide WHERE score IS NOT NULL
            GROUP BY ALL
        """)
        con.execute(f"""
            INSERT INTO response_counts
            SELECT {literal(path.stem)}, {partnership},
                   coalesce(CASE lower(trim({quote_identifier(tag["QID3"])})) {groups} END, 'not stated'),
                   count(*), count(*) FILTER (WHERE lower(trim({quote_identifier(tag["finished"])})) IN ('true', '1'))
            FROM read_parquet({literal(str(raw))})
            WHERE {partnership} IN (SELECT partnership_id FROM partnerships)
            GROUP BY ALL
        """)
    con.execute(
        f"COPY (SELECT * FROM construct_means ORDER BY ALL) TO {literal(str(out_dir / 'construct_means.parquet'))}"
    )
    summary = {
        "waves": len(waves),
        "respondents": con.execute("SELECT sum(respondents) FROM response_counts").fetchall()[0][0],
        "respondent_scores": con.execute("SELECT sum(respondents) FROM construct_means").fetchall()[0][0],
        "construct_means": con.execute("SELECT count(*) FROM construct_means").fetchall()[0][0],
        "response_counts": con.execute("SELECT count(*) FROM response_counts").fetchall()[0][0],
        "raw_parquet_gib": round(kept_bytes / 1024**3, 3),
    }
    con.close()
    return summary


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
