"""Comment codings tied to their comment: each coding row of `raw.comment_codings` is linked to the response
it names (by pseudonym, or by its position in its wave's export) and to that response's answer to the
free-text item, and checked against the theme codebook. A coding that cannot be linked is quarantined with a
reason naming its file, row and column."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.comments import schemas
from pipeline.staging import StageReport, write_validated
from pipeline.validation import Validated, reject_where, revalidate
from pipeline.warehouse import load_sql, table_exists

COMMENT_COLUMNS = ["wave", "respondent_key", "response", "response_file", "partnership_id", "stakeholder_group"]
COMMENT_COLUMNS += ["item_code", "comment"]


def survey_comments(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every staged response's answers to the free-text questions, as redacted at ingest (none before the
    survey source has run)."""
    needed = ("raw.survey_rows", "raw.survey_columns", "staging.survey_responses", "staging.survey_instrument")
    if not all(table_exists(con, name) for name in needed):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COMMENT_COLUMNS})
    return con.execute(load_sql(__file__, "survey_comments")).df()


def survey_responses(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every staged response: wave, pseudonym, export and position in it."""
    if not table_exists(con, "staging.survey_responses"):
        return pd.DataFrame(
            {c: pd.Series(dtype="object") for c in ("wave", "respondent_key", "source_file", "source_row")}
        )
    return con.execute("SELECT wave, respondent_key, source_file, source_row FROM staging.survey_responses").df()


def _problem(
    comments: pd.DataFrame, responses: pd.DataFrame, items: set[str], themes: set[str], coding: pd.Series
) -> tuple[str, str] | None:
    """The first reason (column, problem) a coding row cannot be linked to a comment, or None."""
    wave, respondent, response = coding["wave"], coding["respondent"], coding["response"]
    in_wave = responses[responses["wave"] == wave]
    if in_wave.empty:
        return "wave", f"wave {wave!r} has no staged survey responses (no export of that name in surveys/)"
    if respondent is None and response is None:
        return "respondent", "both respondent and response are blank: name the response by pseudonym or position"
    if respondent is not None:
        column, mine = "respondent", in_wave[in_wave["respondent_key"] == respondent]
        if mine.empty:
            return column, f"no staged response of {wave} has the pseudonym {respondent!r}"
    else:
        column = "response"
        if not str(response).isdigit():
            return column, f"response {response!r} is not a whole number (its position in the export, 1 = first)"
        if in_wave["source_file"].nunique() > 1:
            return column, f"{wave} came from several files, so a position is ambiguous: give the respondent pseudonym"
        mine = in_wave[in_wave["source_row"] == int(response)]
        if mine.empty:
            return column, f"response {response} of {wave} is not staged (see quarantine.survey_responses)"
    if coding["item"] not in items:
        return "item", f"item {coding['item']!r} is not a free-text question of reference/survey_instrument.csv"
    answered = comments[(comments["wave"] == wave) & comments["respondent_key"].isin(mine["respondent_key"])]
    if coding["item"] not in set(answered["item_code"]):
        return "item", f"the response left item {coding['item']!r} blank, so there is no comment to code"
    if coding["theme"] not in themes:
        return "theme", f"theme {coding['theme']!r} is not in reference/comment_themes.csv"
    return None


def stage_comment_codings(con: duckdb.DuckDBPyConnection) -> list[StageReport]:
    """`staging.comment_codings`: each coding joined to its comment, response, partnership and group;
    codings naming an unknown wave, response, item or theme go to `quarantine.comment_codings`."""
    codings = con.execute("SELECT * FROM raw.comment_codings ORDER BY source_file, source_row").df()
    codings = codings.astype(object).where(codings.notna(), None)
    comments = survey_comments(con)
    items = set(
        con.execute("SELECT item_code FROM staging.survey_instrument WHERE role = 'free_text'").df()["item_code"]
    )
    themes = set(con.execute("SELECT theme_code FROM staging.comment_themes").df()["theme_code"])
    responses = survey_responses(con)
    problems = [_problem(comments, responses, items, themes, row) for _, row in codings.iterrows()]
    failed = pd.Series([p is not None for p in problems], index=codings.index, dtype=bool)
    where = codings.loc[failed, ["source_file", "source_row"]].itertuples(index=False)
    reasons = [
        f"{file} row {row}, column {column!r}: {problem}"
        for (file, row), (column, problem) in zip(where, [p for p in problems if p], strict=True)
    ]
    result = reject_where(Validated.passing(codings), failed, reasons)
    valid = result.valid
    # Each linked coding meets exactly one comment: by pseudonym, or by its position in the wave's one export.
    by_key = valid["respondent"].notna()
    keyed = valid[by_key].merge(
        comments, left_on=["wave", "respondent", "item"], right_on=["wave", "respondent_key", "item_code"]
    )
    placed = valid[~by_key].drop(columns="respondent").assign(response=lambda f: f["response"].astype("int64"))
    placed = placed.merge(
        comments.drop(columns="response").assign(response=comments["response"].astype("int64")),
        left_on=["wave", "response", "item"],
        right_on=["wave", "response", "item_code"],
    )
    linked = pd.concat([keyed, placed], ignore_index=True).rename(columns={"theme": "theme_code"})
    linked = linked.reindex(columns=list(schemas.CommentCoding.to_schema().columns))
    staged = revalidate(Validated(linked, result.quarantined), schemas.CommentCoding)
    return [write_validated(con, "comment_codings", staged)]
