"""Survey comments coded by theme: the codings tied to their comment, and the published theme counts and quotes."""

from __future__ import annotations

import pandas as pd  # noqa: F401 - pandera resolves annotations by name
import pandera.pandas as pa
from pandera.typing import Series

LEVELS = ["cell", "theme x partnership", "theme x stakeholder group", "theme"]


class CommentCoding(pa.DataFrameModel):
    """One row per coding of a survey comment with a theme: comment x theme x coder, tied to its response."""

    source_file: Series[str] = pa.Field(description="Comment coding table the coding came from")
    source_row: Series[int] = pa.Field(
        ge=1, coerce=True, description="Row of the coding in its table, as a spreadsheet shows it"
    )
    wave: Series[str] = pa.Field(description="Survey wave of the coded comment")
    respondent_key: Series[str] = pa.Field(description="Pseudonym of the response the comment belongs to")
    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership of the response"
    )
    stakeholder_group: Series[str] = pa.Field(description="Stakeholder group of the response ('not stated' if none)")
    item_code: Series[str] = pa.Field(description="Free-text question the comment answers")
    theme_code: Series[str] = pa.Field(
        metadata={"references": "staging.comment_themes.theme_code"}, description="Theme the coder gave the comment"
    )
    coder: Series[str] = pa.Field(description="Who coded the comment")
    comment: Series[str] = pa.Field(description="The comment, as redacted at ingest")

    class Config:
        unique = ["wave", "respondent_key", "item_code", "theme_code", "coder"]


class CommentThemesMart(pa.DataFrameModel):
    """One row per theme x partnership x stakeholder group (level `cell`; the full grid, zeros included), plus
    the totals per theme x partnership, per theme x stakeholder group and per theme (the summed dimension empty)."""

    theme_code: Series[str] = pa.Field(
        metadata={"references": "staging.comment_themes.theme_code"}, description="Theme"
    )
    theme_name: Series[str] = pa.Field(description="Name of the theme (reference/comment_themes.csv)")
    level: Series[str] = pa.Field(isin=LEVELS, description="cell, or which total the row is")
    partnership_id: Series[str] = pa.Field(nullable=True, description="Partnership; empty in a total over partnerships")
    stakeholder_group: Series[str] = pa.Field(
        nullable=True, description="Stakeholder group; empty in a total over groups"
    )
    comments: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Comments coded with the theme (by any coder); empty where withheld"
    )
    responses: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="Survey responses (wave x respondent) with a comment coded with the theme; empty where withheld",
    )
    suppressed: Series[bool] = pa.Field(
        description="True where the row's counts are withheld: under the disclosure threshold (zero included, so a"
        " withheld cell is not known to hold a comment), or one that would reveal such a count"
    )

    class Config:
        metadata = {
            "disclosure": {
                "counts": ["comments", "responses"],
                "totals_over": ["theme_code", "partnership_id", "stakeholder_group"],
            }
        }
        unique = ["theme_code", "level", "partnership_id", "stakeholder_group"]


class CommentQuotesMart(pa.DataFrameModel):
    """One row per example quote: up to a few comments per theme x stakeholder group, attributed to the group only."""

    theme_code: Series[str] = pa.Field(
        metadata={"references": "staging.comment_themes.theme_code"}, description="Theme the comment was coded with"
    )
    stakeholder_group: Series[str] = pa.Field(description="Stakeholder group of the respondent")
    quote_number: Series[int] = pa.Field(ge=1, description="Order of the quote within its theme x stakeholder group")
    quote: Series[str] = pa.Field(
        description="The comment as redacted at ingest, published only where the personal-data scan finds nothing "
        "in it, nothing was redacted from it, it names no partnership, and the theme x stakeholder group row it is "
        "attributed to is published in comment_themes (never its partnership)"
    )

    class Config:
        unique = ["theme_code", "stakeholder_group", "quote_number"]


TABLES: dict[str, type[pa.DataFrameModel]] = {
    "staging.comment_codings": CommentCoding,
    "marts.comment_themes": CommentThemesMart,
    "marts.comment_quotes": CommentQuotesMart,
}
