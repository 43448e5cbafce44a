"""The report's "What stakeholders said" section: the themes of the survey's free-text comments, by stakeholder
group, with example quotes, from the published `comment_themes` and `comment_quotes` marts (both already under
disclosure control and the personal-data scan; nothing here reads anything else)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from great_tables import GT

NOT_PUBLISHED = "not published"
ALL_GROUPS = "All groups"
NO_QUOTE = "none that passes the tests below"


def _count(comments: object, responses: object, withheld: bool) -> str:
    if withheld or pd.isna(comments):
        return NOT_PUBLISHED
    if int(responses) == int(comments):
        return f"{int(comments):,}"
    return f"{int(comments):,} ({int(responses):,} responses)"


def comment_themes_frame(
    themes: pd.DataFrame, quotes: pd.DataFrame, group_label: Callable[[pd.Series], pd.Series] = lambda s: s
) -> pd.DataFrame:
    """One row per theme, most comments first: the programme's count, each stakeholder group's (as
    `comment_themes` publishes them) and the example quotes, each with its group's label."""
    if themes.empty:
        return pd.DataFrame()
    overall = themes[themes["level"] == "theme"].copy()
    overall["order"] = overall["comments"].astype("Float64").fillna(-1)
    frame = overall.sort_values(["order", "theme_name"], ascending=[False, True])[["theme_code", "theme_name"]]
    frame[ALL_GROUPS] = [
        _count(c, r, s)
        for c, r, s in overall.set_index("theme_code")
        .loc[frame["theme_code"], ["comments", "responses", "suppressed"]]
        .itertuples(index=False)
    ]
    by_group = themes[themes["level"] == "theme x stakeholder group"].assign(
        group=lambda f: group_label(f["stakeholder_group"]),
        cell=lambda f: [
            _count(c, r, s) for c, r, s in zip(f["comments"], f["responses"], f["suppressed"], strict=True)
        ],
    )
    wide = by_group.pivot(index="theme_code", columns="group", values="cell")
    frame = frame.join(wide, on="theme_code")
    groups = list(wide.columns)
    frame[groups] = frame[groups].fillna("0")
    if quotes.empty:
        frame["quotes"] = NO_QUOTE
    else:
        # A text quoted for several groups is shown once, with each group that gave it.
        labelled = quotes.sort_values(["theme_code", "stakeholder_group", "quote_number"]).assign(
            group=lambda f: group_label(f["stakeholder_group"])
        )
        distinct = labelled.groupby(["theme_code", "quote"], sort=False)["group"].agg(", ".join).reset_index()
        distinct["text"] = [f"\u201c{q}\u201d ({g})" for q, g in zip(distinct["quote"], distinct["group"], strict=True)]
        joined = distinct.groupby("theme_code")["text"].agg(" \u00b7 ".join)
        frame["quotes"] = frame["theme_code"].map(joined).fillna(NO_QUOTE)
    return frame.drop(columns="theme_code").reset_index(drop=True)


def comment_themes_table(
    themes: pd.DataFrame, quotes: pd.DataFrame, group_label: Callable[[pd.Series], pd.Series] = lambda s: s
) -> GT | None:
    """Themes of the survey's comments by stakeholder group, with example quotes; None without any coding."""
    frame = comment_themes_frame(themes, quotes, group_label)
    if frame.empty:
        return None
    groups = [c for c in frame.columns if c not in ("theme_name", ALL_GROUPS, "quotes")]
    return (
        GT(frame)
        .tab_header(
            "What stakeholders said",
            "Survey comments coded by theme, by stakeholder group (and the responses they come from, where fewer)",
        )
        .tab_spanner("Stakeholder group", columns=groups)
        .cols_label(theme_name="Theme", quotes="Example quotes")
        .cols_align("right", columns=[ALL_GROUPS, *groups])
        .cols_width({"quotes": "40%"})
        .tab_source_note(
            "Not published: a count under the disclosure threshold, or one that would reveal it. A quote is shown"
            " with its stakeholder group only, where that group's count is published, the personal-data scan"
            " finds nothing in it, redaction removed nothing from it and it names no partnership."
        )
    )


def comment_summary(themes: pd.DataFrame, quotes: pd.DataFrame) -> str | None:
    """One sentence: how many comments were coded into how many themes, and how many quotes are shown."""
    overall = themes[themes["level"] == "theme"] if not themes.empty else themes
    if overall.empty:
        return None
    shown = 0 if quotes.empty else len(quotes.drop_duplicates(["theme_code", "quote"]))
    return (
        f"{len(overall)} themes in the survey's coded comments; {shown} example quotes are shown,"
        " chosen only from comments that pass disclosure control and the personal-data scan."
    )
