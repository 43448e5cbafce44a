"""Survey comments coded by theme: each coding tied back to its redacted comment by response, the theme
counts published under disclosure control, and example quotes that hold no personal data."""

from __future__ import annotations

import csv
import shutil

import duckdb
import pandas as pd
import pytest

from pipeline.comments import ingest, marts, staging
from pipeline.generators.comments import CODERS, HEADER_ROWS, theme_of
from pipeline.methods.disclosure import recoverable_rows
from pipeline.privacy import PLACEHOLDERS, find_personal_data, redact_text
from tests.conftest import DATA_DIR

THRESHOLD = 5  # the demo's disclosure threshold (settings default)


@pytest.fixture(scope="module")
def published(demo_run) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        return {name: con.execute(f"SELECT * FROM {name}").df() for name in ("comment_themes", "comment_quotes")}


def _demo_comments() -> list[tuple[str, int, str]]:
    """(wave, position in the export, comment) of every comment in the demo's survey exports."""
    found = []
    for path in sorted((DATA_DIR / "surveys").glob("wave_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
        column = records[0].index("Q4")
        found += [
            (path.stem, n, r[column].strip()) for n, r in enumerate(records[HEADER_ROWS:], start=1) if r[column].strip()
        ]
    return found


def test_each_coding_is_tied_to_its_comment_by_response(demo_run):
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        staged = con.execute("SELECT * FROM staging.comment_codings").df()
        quarantined = con.execute("SELECT source_row, reason FROM quarantine.comment_codings").df()
    # Every coded comment carries the theme its text carries (coder 1) and the redacted text, never the original.
    first = staged[staged["coder"] == CODERS[0]]
    assert (first["comment"].map(theme_of) == first["theme_code"]).all()
    assert staged["comment"].str.contains("@").sum() == 0
    assert staged["comment"].str.contains(r"\[email\]|\[phone\]").sum() > 0
    # Response 236 of wave 3 names partnership P31, unknown, so survey staging set it aside: its codings cannot link.
    assert len(quarantined) == 2
    assert set(quarantined["reason"]) == {
        "codings/comments/comment_codings.csv row 246, column 'response': response 236 of wave_3 is not staged"
        " (see quarantine.survey_responses)",
        "codings/comments/comment_codings.csv row 247, column 'response': response 236 of wave_3 is not staged"
        " (see quarantine.survey_responses)",
    }


def test_theme_totals_count_each_comment_once_whoever_coded_it(published):
    # The planted truth (pipeline/generators/comments.py): coder 1 codes each comment with its text's theme;
    # coder 2's double-coding agrees except that senior-manager comments also count as capacity.
    codings = pd.read_csv(DATA_DIR / "codings" / "comments" / "comment_codings.csv")
    comments = pd.DataFrame(_demo_comments(), columns=["wave", "response", "comment"])
    comments = comments[~((comments["wave"] == "wave_3") & (comments["response"] == 236))]  # quarantined above
    expected = comments["comment"].map(theme_of).value_counts().to_dict()
    second = codings[(codings["coder"] == CODERS[1]) & (codings["theme"] == "capacity")].merge(
        codings[(codings["coder"] == CODERS[0]) & (codings["theme"] == "leadership_time")][["wave", "response"]]
    )
    second = second[~((second["wave"] == "wave_3") & (second["response"] == 236))]
    expected["capacity"] += len(second)
    assert len(second) > 0
    totals = published["comment_themes"].query("level == 'theme'").set_index("theme_code")["comments"]
    assert totals.astype(int).to_dict() == expected


def test_no_theme_count_is_small_or_recoverable(published):
    themes = published["comment_themes"]
    for count in ("comments", "responses"):
        assert not themes[count].between(1, THRESHOLD - 1).any()
        assert not recoverable_rows(themes, count, ["theme_code", "partnership_id", "stakeholder_group"]).any()
    # The demo's comments are spread thin: nearly every partnership x group cell is withheld, the group totals mostly not.
    cells = themes[themes["level"] == "cell"]
    groups = themes[themes["level"] == "theme x stakeholder group"]
    assert cells["suppressed"].mean() > 0.9 and not groups["suppressed"].all() and groups["suppressed"].any()


def test_published_quotes_hold_no_personal_data_and_come_from_published_groups(published):
    quotes, themes = published["comment_quotes"], published["comment_themes"]
    assert len(quotes) > 0
    assert [q for q in quotes["quote"] if find_personal_data(q)] == []
    assert not quotes["quote"].map(lambda q: any(p in q for p in PLACEHOLDERS.values())).any()
    open_groups = themes[(themes["level"] == "theme x stakeholder group") & ~themes["suppressed"]]
    attributed = quotes.merge(open_groups, on=["theme_code", "stakeholder_group"], how="left", indicator=True)
    assert (attributed["_merge"] == "both").all()
    assert quotes.groupby(["theme_code", "stakeholder_group"]).size().max() <= marts.QUOTES_PER_GROUP
    # The contact requests held an e-mail address or phone number before redaction: coded, counted, never quoted.
    assert "contact_request" in set(themes["theme_code"]) and "contact_request" not in set(quotes["theme_code"])


PLANTED_COMMENTS = [
    "Dr Jane Smith held the partnership together when capacity was stretched.",
    "Capacity is stretched - ring Cllr Patel on 07700 900123 for details.",
    "Email jo.bloggs@example.org: we have no capacity for this.",
    "In Kirklees the voluntary sector has no capacity left.",
    "Capacity in the voluntary sector is stretched.",
    "Staff are stretched across too many boards.",
    "Workload has doubled since the programme started.",
]


def test_quotes_are_withheld_for_personal_data_redaction_a_named_partnership_or_a_withheld_group():
    candidates = pd.DataFrame(
        {
            "theme_code": "capacity",
            "stakeholder_group": ["nhs"] * 6 + ["other"],
            "comment": PLANTED_COMMENTS[:1] + [redact_text(c) for c in PLANTED_COMMENTS[1:3]] + PLANTED_COMMENTS[3:],
        }
    )
    verdicts = marts.quote_verdicts(candidates, {("capacity", "nhs")}, ["P01", "Kirklees"])
    # An unredacted titled name (as if redaction had been skipped) is caught by the scan; the redacted
    # comments keep their placeholders, so are not used; the group "other" is withheld in the counts.
    assert verdicts == [
        "personal_data",
        "redacted",
        "redacted",
        "names_partnership",
        "published",
        "published",
        "suppressed",
    ]


def test_a_coding_naming_an_unknown_response_item_or_theme_is_quarantined_naming_file_row_and_column(
    demo_run, tmp_path
):
    shutil.copy(demo_run.settings.warehouse, tmp_path / "warehouse.duckdb")
    folder = tmp_path / "raw" / "codings" / "comments"
    folder.mkdir(parents=True)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        known = con.execute(
            "SELECT wave, respondent_key FROM staging.comment_codings ORDER BY wave, respondent_key LIMIT 1"
        ).fetchall()[0]
        (folder / "bad.csv").write_text(
            "Wave,Respondent,Response,Item,Theme,Coded by\n"
            f"{known[0]},{known[1]},,COMMENTS,capacity,A\n"
            f"{known[0]},{'0' * 64},,COMMENTS,capacity,A\n"
            f"{known[0]},{known[1]},,SL1,capacity,A\n"
            f"{known[0]},{known[1]},,COMMENTS,no_such_theme,A\n"
            "wave_9,,1,COMMENTS,capacity,A\n"
            f"{known[0]},,,COMMENTS,capacity,A\n"
        )
        ingest.load_comment_codings(con, tmp_path / "raw" / "codings", tmp_path / "raw")
        (report,) = staging.stage_comment_codings(con)
        reasons = [
            r for (r,) in con.execute("SELECT reason FROM quarantine.comment_codings ORDER BY source_row").fetchall()
        ]
    assert (report.rows, report.quarantined) == (1, 5)
    assert reasons == [
        f"codings/comments/bad.csv row 3, column 'respondent': no staged response of {known[0]} has the pseudonym"
        f" '{'0' * 64}'",
        "codings/comments/bad.csv row 4, column 'item': item 'SL1' is not a free-text question of"
        " reference/survey_instrument.csv",
        "codings/comments/bad.csv row 5, column 'theme': theme 'no_such_theme' is not in reference/comment_themes.csv",
        "codings/comments/bad.csv row 6, column 'wave': wave 'wave_9' has no staged survey responses (no export of"
        " that name in surveys/)",
        "codings/comments/bad.csv row 7, column 'respondent': both respondent and response are blank: name the"
        " response by pseudonym or position",
    ]
