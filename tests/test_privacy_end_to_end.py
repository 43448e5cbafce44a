"""Personal data planted in the drop zone reaches no published mart, no report page and no file of the
Dagster instance, and the pseudonym key appears in none of them either.

The whole pipeline runs through `python -m pipeline.cli refresh` on a copy of the demo drop zone, with a
persistent (sqlite) Dagster instance in a temporary DAGSTER_HOME and a recognisable pseudonym key. One
survey comment and one coded excerpt carry personal data of every kind, beside figures the evaluation
needs (an indicator id, a period, an area code, a percentage), which must be published intact.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.privacy import find_personal_data, hmac_sql
from tests.conftest import DATA_DIR, run_refresh

KEY = "canary-pseudonym-key-7f3a9c41"
NEAR_MISSES = "Indicator 90323 in 2021/22 for E08000034: 45% agreed."
PERSONAL = (
    "Dr Jane Smith, NHS no 943 476 5919, NI QQ 12 34 56 C, tel (020) 7946 0958 or 0044 7700 900125,"
    " +44-7700-900126, 07700 900123, jo.bloggs@example.org, 10 Downing Street, London SW1A 1AA,"
    " ip 192.168.1.20"
)
PLANTED = [
    "Jane Smith",
    "943 476 5919",
    "QQ 12 34 56 C",
    "7946 0958",
    "7700 900125",
    "7700-900126",
    "7700 900123",
    "jo.bloggs@example.org",
    "Downing Street",
    "SW1A 1AA",
    "192.168.1.20",
]
CODE = "Success factors/Senior leadership/Visible senior sponsorship"
# More comments of the last wave (responses 2 to 6), each with a titled name, an e-mail or a phone number.
PLANTED_COMMENTS = [
    "Capacity is stretched; Dr Jane Smith knows the details.",
    "Capacity is stretched - email jo.bloggs@example.org for the figures.",
    "Capacity is stretched, ring 07700 900123 any time.",
    "Capacity is stretched; Prof Jane Smith agrees.",
    "Capacity is stretched: call +44-7700-900126.",
]


def _plant(raw: Path) -> None:
    # A survey comment: the first response of the last wave answers the free-text question Q4.
    wave = raw / "surveys" / "wave_3.csv"
    with open(wave, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    rows[3][rows[0].index("Q4")] = f"{NEAR_MISSES} {PERSONAL}"
    for offset, comment in enumerate(PLANTED_COMMENTS, start=4):
        rows[offset][rows[0].index("Q4")] = comment
    with open(wave, "w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows(rows)
    # A coded excerpt, from a coding table whose source sorts first, so that it is the one published.
    with open(raw / "codings" / "planted.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [
                ["partnership", "source", "code", "coder", "excerpt"],
                ["P01", "A planted interview", CODE, "Evaluator A", f"{NEAR_MISSES} {PERSONAL}"],
            ]
        )
    # Every planted comment coded by theme, the coder's copy of the comment (unredacted) beside each coding.
    with open(raw / "codings" / "comments" / "planted.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [
                ["wave", "response", "item", "theme", "coder", "comment"],
                *(
                    ["wave_3", str(n), "COMMENTS", "capacity", "Evaluator A", text]
                    for n, text in enumerate([f"{NEAR_MISSES} {PERSONAL}", *PLANTED_COMMENTS], start=1)
                ),
            ]
        )


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("planted")
    shutil.copytree(DATA_DIR, root / "raw")
    _plant(root / "raw")
    refresh = run_refresh(root / "raw", root, env={"EVAL_PSEUDONYM_KEY": KEY})
    assert refresh.returncode == 0, refresh.stderr[-3000:]
    return root, refresh.stdout + refresh.stderr


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _found(paths: list[Path], needles: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        data = path.read_bytes()
        for needle in needles:
            if needle.encode() in data:
                found.setdefault(needle, []).append(path.name)
    return found


def _key_forms() -> list[str]:
    """The key as text and as the hex its HMAC pads are inlined as in SQL (one of each suffices)."""
    sql = hmac_sql("x", KEY.encode())
    pads = [part.split("'")[0] for part in sql.split("unhex('")[1:]]
    return [KEY, KEY.encode().hex(), *pads]


def test_no_planted_value_is_published(planted_run):
    root, _ = planted_run
    marts = root / "marts"
    published = [p for p in _files(marts) if p.suffix in (".parquet", ".html", ".md", ".duckdb")]
    assert any(p.suffix == ".parquet" for p in published) and any(p.suffix == ".html" for p in published)
    assert _found(published, PLANTED) == {}
    # The excerpt was published, redacted, with the figures beside the personal data intact.
    excerpts = duckdb.sql(
        f"SELECT excerpts FROM read_parquet('{marts / 'success_factor_matrix.parquet'}')"
        " WHERE partnership_id = 'P01' AND factor_id = 'senior_leadership'"
    ).fetchall()[0][0]
    assert excerpts.startswith(f"{NEAR_MISSES} [name], NHS no [NHS number], NI [NI number], tel [phone]")
    pages = [p.read_text(encoding="utf-8") for p in published if p.suffix == ".html"]
    assert any(NEAR_MISSES in page and "[NHS number]" in page for page in pages)


def test_the_planted_comments_are_coded_and_counted_but_never_quoted(planted_run):
    root, _ = planted_run
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        coded = con.execute(
            "SELECT comment FROM staging.comment_codings WHERE source_file = 'codings/comments/planted.csv'"
        ).fetchall()
    assert len(coded) == 1 + len(PLANTED_COMMENTS)  # every planted coding linked to its (redacted) comment
    quotes = duckdb.sql(f"SELECT quote FROM read_parquet('{root / 'marts' / 'comment_quotes.parquet'}')").fetchall()
    assert len(quotes) > 0
    # The personal-data scan finds nothing in any published quote, and no redacted comment is quoted.
    assert [q for (q,) in quotes if find_personal_data(q) or "[" in q] == []
    assert [q for (q,) in quotes if q.startswith("Capacity is stretched") or NEAR_MISSES in q] == []
    themes = duckdb.sql(f"SELECT * FROM read_parquet('{root / 'marts' / 'comment_themes.parquet'}')").df()
    assert [c for c in themes.select_dtypes("object").stack() if isinstance(c, str) and find_personal_data(c)] == []


def test_no_planted_value_is_stored_in_the_warehouse(planted_run):
    root, _ = planted_run
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        comment = con.execute(
            "SELECT answer FROM raw.survey_answers WHERE source_id LIKE 'QID%' AND answer LIKE 'Indicator 90323%'"
        ).fetchall()
        excerpt = con.execute(
            "SELECT excerpt FROM raw.qda_segments WHERE source_name = 'A planted interview'"
        ).fetchall()
        tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        cells = "\n".join(
            str(cell)
            for schema, table in tables
            for row in con.execute(f'FROM "{schema}"."{table}"').fetchall()
            for cell in row
        )
    for rows in (comment, excerpt):
        assert len(rows) == 1 and rows[0][0].startswith(NEAR_MISSES)
        assert [value for value in PLANTED if value in rows[0][0]] == []
    assert [value for value in PLANTED if value in cells] == []


def test_the_dagster_instance_holds_neither_the_key_nor_personal_data(planted_run):
    root, output = planted_run
    storage = _files(root / "dagster_home")
    assert any(p.suffix == ".db" for p in storage), "a persistent sqlite instance"
    assert _found(storage, [*_key_forms(), *PLANTED]) == {}
    assert [needle for needle in [*_key_forms(), *PLANTED] if needle in output] == []


def test_raw_and_staging_metadata_show_no_preview(planted_run, monkeypatch):
    root, _ = planted_run
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    with dg.DagsterInstance.get() as instance:
        keys = [key for key in instance.get_asset_keys() if key.path[0].startswith(("raw_", "stg_", "quarantine_"))]
        assert any(key.path[0] == "raw_survey_rows" for key in keys)
        previews = []
        for key in keys:
            event = instance.get_latest_materialization_event(key)
            if event is not None and "preview" in event.asset_materialization.metadata:
                previews.append(key.to_user_string())
    assert previews == []


def test_the_run_summary_lists_the_personal_columns_never_read(planted_run):
    _, output = planted_run
    summary = output.split("Personal-data columns never read", 1)[1]
    assert "surveys/wave_3.csv" in summary and "IPAddress" in summary and "LocationLatitude" in summary
