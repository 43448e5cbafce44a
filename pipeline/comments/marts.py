"""The comment marts: how often each theme comes up, by partnership and stakeholder group, and example quotes.

Counts are disclosure-controlled as a table that carries its own totals (Hundepool et al. 2012, Statistical
Disclosure Control, Wiley, ch. 4). The cells are the full grid of every theme x partnership x stakeholder group,
zeros included: were only the cells with a comment listed, each listed cell would be known to be at least 1,
and a total of 5 over five withheld cells would give each away. So a row whose comments or responses number
fewer than the threshold, zero included, is withheld (primary): a withheld cell then lies anywhere from 0 up.
While any withheld row, cell or total, could be worked out from the published cells and totals
(`pipeline.methods.disclosure.recoverable_sums`), a further row is withheld (secondary).

A quote is attributed to its theme and stakeholder group only, never its partnership, and is published only
where that theme x stakeholder group row is published: a quote from a small group could identify it. It must
also pass the personal-data scan (`pipeline.privacy.find_personal_data` finds nothing), hold no placeholder
left by redaction (a comment that held personal data is about the person, not the theme) and name no
partnership (its name or id would tie the quote to a cell the counts may withhold).
"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd

from pipeline.comments import schemas
from pipeline.methods.disclosure import recoverable_sums, sum_incidence
from pipeline.privacy import PLACEHOLDERS, find_personal_data
from pipeline.warehouse import load_sql, replace_table

DIMENSIONS = ["partnership_id", "stakeholder_group"]
# The totals of marts.comment_themes and the dimensions each adds up over (left empty in its rows).
TOTAL_LEVELS = {"theme x partnership": ["stakeholder_group"], "theme x stakeholder group": ["partnership_id"]}
TOTAL_LEVELS["theme"] = DIMENSIONS
QUOTES_PER_GROUP = 2  # example quotes per theme x stakeholder group
# Why a quote was not published, in the order they are tested.
WITHHELD = {
    "personal_data": "the personal-data scan finds personal data in it",
    "redacted": "redaction removed personal data from it",
    "names_partnership": "it names a partnership",
    "suppressed": "its theme x stakeholder group row is withheld (disclosure control)",
    "enough": f"its theme x stakeholder group already has {QUOTES_PER_GROUP} quotes",
}


def theme_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """The cells (level `cell`) and their totals per theme x partnership, theme x stakeholder group and theme."""
    parts = [cells.assign(level="cell")]
    for level, summed in TOTAL_LEVELS.items():
        keys = ["theme_code", "theme_name", *(d for d in DIMENSIONS if d not in summed)]
        part = cells.groupby(keys, as_index=False)[["comments", "responses"]].sum()
        parts.append(part.assign(level=level, **{d: None for d in summed}))
    return pd.concat(parts, ignore_index=True)[
        ["theme_code", "theme_name", "level", *DIMENSIONS, "comments", "responses"]
    ]


def withhold(rows: pd.DataFrame, threshold: int) -> np.ndarray:
    """Which rows of one theme (cells and totals, as `theme_rows`) to withhold so that no withheld count can
    be worked out from the published rows: primary where a count is under the threshold; then, while a
    withheld row is fixed by the published ones, the smallest published row sharing cells with it whose
    withholding stops that leak (the theme total last of all). Zeros are withheld with the small counts (see the
    module docstring)."""
    hidden = ((rows["comments"] < threshold) | (rows["responses"] < threshold)).to_numpy(copy=True)
    is_cell = (rows["level"] == "cell").to_numpy()
    incidence = sum_incidence(rows, rows[is_cell], DIMENSIONS)
    size = rows["comments"].to_numpy()
    overall = (rows["level"] == "theme").to_numpy()

    def leaks(withheld: np.ndarray) -> np.ndarray:
        return withheld & recoverable_sums(incidence, withheld[is_cell], ~withheld)

    leaking = leaks(hidden)
    while leaking.any():
        first = int(np.flatnonzero(leaking)[0])
        near = (incidence @ incidence[first]) > 0  # rows adding up some of the same cells
        candidates = np.flatnonzero(~hidden & near & ~overall)
        if not len(candidates):
            candidates = np.flatnonzero(~hidden)
        candidates = candidates[np.argsort(size[candidates], kind="stable")]
        chosen = candidates[0]
        for candidate in candidates:
            trial = hidden.copy()
            trial[candidate] = True
            if not leaks(trial)[first]:
                chosen = candidate
                break
        hidden[chosen] = True
        leaking = leaks(hidden)
    return hidden


def build_comment_themes(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.comment_themes`: comments and responses per theme x partnership x stakeholder group and their
    totals, disclosure-controlled theme by theme (a theme's totals add up its own cells only)."""
    counted = con.execute(load_sql(__file__, "comment_theme_cells")).df()
    grid = con.execute(load_sql(__file__, "comment_theme_grid")).df()
    cells = grid.merge(counted.drop(columns="theme_name"), how="left", on=["theme_code", *DIMENSIONS])
    cells[["comments", "responses"]] = cells[["comments", "responses"]].fillna(0).astype("int64")
    rows = theme_rows(cells)
    hidden = np.zeros(len(rows), dtype=bool)
    for theme in rows["theme_code"].unique():
        mine = (rows["theme_code"] == theme).to_numpy()
        hidden[mine] = withhold(rows[mine].reset_index(drop=True), threshold)
    frame = rows.assign(
        comments=rows["comments"].astype("Int64").mask(hidden),
        responses=rows["responses"].astype("Int64").mask(hidden),
        suppressed=hidden,
    )
    order = {"theme": 0, "theme x stakeholder group": 1, "theme x partnership": 2, "cell": 3}
    frame = frame.sort_values(
        ["theme_code", "level", *DIMENSIONS], key=lambda c: c.map(order) if c.name == "level" else c
    ).reset_index(drop=True)
    frame = schemas.CommentThemesMart.validate(frame[list(schemas.CommentThemesMart.to_schema().columns)])
    return replace_table(con, "marts.comment_themes", frame)


def quote_verdicts(candidates: pd.DataFrame, published_groups: set[tuple[str, str]], names: list[str]) -> list[str]:
    """For each candidate quote (theme_code, stakeholder_group, comment; in order), "published" or the key of
    `WITHHELD` saying why not."""
    placeholders = tuple(PLACEHOLDERS.values())
    naming = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE) if names else None
    taken: dict[tuple[str, str], int] = {}
    verdicts = []
    for theme, group, text in candidates[["theme_code", "stakeholder_group", "comment"]].itertuples(index=False):
        if find_personal_data(text):
            verdict = "personal_data"
        elif any(p in text for p in placeholders):
            verdict = "redacted"
        elif naming is not None and naming.search(text):
            verdict = "names_partnership"
        elif (theme, group) not in published_groups:
            verdict = "suppressed"
        elif taken.get((theme, group), 0) >= QUOTES_PER_GROUP:
            verdict = "enough"
        else:
            taken[(theme, group)] = taken.get((theme, group), 0) + 1
            verdict = "published"
        verdicts.append(verdict)
    return verdicts


def build_comment_quotes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """`marts.comment_quotes`: up to `QUOTES_PER_GROUP` distinct comments per theme x stakeholder group that
    pass every test above (the most often given first, then in text order); returns how many distinct comment
    texts were published and how many were withheld for each reason."""
    themes = con.execute(
        "SELECT theme_code, stakeholder_group FROM marts.comment_themes"
        " WHERE level = 'theme x stakeholder group' AND NOT suppressed"
    ).fetchall()
    names = [
        name
        for (pid, pname) in con.execute("SELECT partnership_id, partnership_name FROM staging.partnerships").fetchall()
        for name in (pid, pname)
        if name
    ]
    candidates = con.execute(load_sql(__file__, "quote_candidates")).df()
    candidates = candidates.sort_values(
        ["theme_code", "stakeholder_group", "responses", "comment"], ascending=[True, True, False, True], kind="stable"
    ).reset_index(drop=True)
    verdicts = pd.Series(quote_verdicts(candidates, set(themes), names), index=candidates.index, dtype=object)
    chosen = candidates[verdicts == "published"].copy()
    chosen["quote_number"] = chosen.groupby(["theme_code", "stakeholder_group"]).cumcount() + 1
    frame = chosen.rename(columns={"comment": "quote"})[list(schemas.CommentQuotesMart.to_schema().columns)]
    replace_table(con, "marts.comment_quotes", schemas.CommentQuotesMart.validate(frame.reset_index(drop=True)))
    return {"published": int((verdicts == "published").sum())} | {
        f"withheld_{key}": int((verdicts == key).sum()) for key in WITHHELD
    }
