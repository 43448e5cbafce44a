"""Names that come from files never become SQL: a drop zone whose file names, and a survey column header,
are crafted as SQL injections refreshes like any other, its tables intact and the names kept verbatim.

File and folder names reach DuckDB as bound parameters or as values of the relation API, column names
as quoted identifiers; the only SQL literals left are paths the pipeline makes itself (a view's file).
"""

from __future__ import annotations

import csv
import shutil

import duckdb

from tests.conftest import DATA_DIR, run_refresh

INJECTION = "'); DROP TABLE raw.survey_answers; --"
QUOTED_DOLLAR = '" $file_name ${x} `;'


def _add_column(path, header: tuple[str, str, str], value: str) -> None:
    """Add a column to a Qualtrics CSV export: its three header cells, and `value` in every response."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows = [[*row, header[i] if i < 3 else value] for i, row in enumerate(rows)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_file_names_and_headers_crafted_as_sql_are_data_not_statements(tmp_path):
    drop = tmp_path / "drop"
    shutil.copytree(DATA_DIR, drop)
    wave = drop / "surveys" / f"wave_3{INJECTION}.csv"
    (drop / "surveys" / "wave_3.csv").rename(wave)
    # The comment codings name the wave as the refresh will: its sanitised partition key, crafted too.
    codings = drop / "codings" / "comments" / "comment_codings.csv"
    codings.write_text(codings.read_text().replace("\nwave_3,", "\nwave_3_DROP_TABLE_raw.survey_answers_--,"))
    column = f"Q99{INJECTION}"
    _add_column(wave, (column, f"Question{QUOTED_DOLLAR}", '{"ImportId":"QID99' + INJECTION + '"}'), "x")
    tidy = drop / "outcomes" / "tidy"
    (tidy / "smoking_adults.csv").rename(tidy / f"smoking{INJECTION}{QUOTED_DOLLAR}.csv")
    interventions = drop / "interventions"
    (interventions / "P02 Thanet interventions.csv").rename(interventions / f"P02 Thanet{INJECTION} interventions.csv")
    marts_dir = tmp_path / 'it\'s "published"'
    warehouse = tmp_path / "warehouse.duckdb"

    result = run_refresh(drop, tmp_path, env={"EVAL_MARTS_DIR": str(marts_dir)}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]

    with duckdb.connect(str(warehouse), read_only=True) as con:

        def sources(table: str) -> set[str]:
            return {name for (name,) in con.execute(f"SELECT DISTINCT source_file FROM {table}").fetchall()}

        assert "surveys/" + wave.name in sources("raw.survey_answers")
        assert f"outcomes/tidy/smoking{INJECTION}{QUOTED_DOLLAR}.csv" in sources("raw.tidy_outcome_values")
        assert f"interventions/P02 Thanet{INJECTION} interventions.csv" in sources("raw.interventions")
        unmapped = con.execute(
            "SELECT column_name, question_text, source_id FROM staging.survey_unmapped_columns WHERE wave = ?",
            ["wave_3_DROP_TABLE_raw.survey_answers_--"],
        ).fetchall()
        assert (column, f"Question{QUOTED_DOLLAR}", f"QID99{INJECTION}") in unmapped
        # The three waves' answers are all there, the crafted one's under its sanitised partition key.
        waves = dict(
            con.execute("SELECT wave, count(DISTINCT respondent_key) FROM raw.survey_answers GROUP BY 1").fetchall()
        )
    assert len(waves) == 3 and all(count > 0 for count in waves.values())
    with duckdb.connect(str(marts_dir / "marts.duckdb"), read_only=True) as catalog:
        assert catalog.execute("SELECT count(*) FROM partnership_profile").fetchall() == [(30,)]
