"""Coded segments tied to a partnership and a success factor; unmapped codes and cases reported."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.codings import schemas
from pipeline.staging import StageReport, read_frame, write_validated
from pipeline.validation import Validated, reject_where, revalidate
from pipeline.warehouse import ensure_macros, load_sql, replace_table


@dataclass(frozen=True)
class CodingLinks:
    """How codings are tied to partnerships (configurable per evaluation; see sql/coded_segments.sql)."""

    case_variable: str = "partnership_id"  # the REFI-QDA case variable holding the partnership id
    # A source-naming rule (a regular expression whose first group is the partnership id); empty: a source
    # whose name starts with a partnership's id, then anything but a letter or digit, is that partnership's.
    source_rule: str = ""


def stage_codings(con: duckdb.DuckDBPyConnection, links: CodingLinks = CodingLinks()) -> list[StageReport]:
    """Tie each coded segment to a partnership and a success factor; report unmapped codes and cases."""
    ensure_macros(con)
    segments = con.execute(
        load_sql(__file__, "coded_segments"), {"case_variable": links.case_variable, "source_rule": links.source_rule}
    ).df()
    unmapped_codes = segments[segments["factor_id"].isna()].groupby("code_path").size().rename("segments").reset_index()
    replace_table(con, "staging.unmapped_codes", unmapped_codes)
    mapped = segments[segments["factor_id"].notna()].reset_index(drop=True)

    known = set(read_frame(con, "SELECT partnership_id FROM staging.partnerships")["partnership_id"])
    unlinked = mapped["partnership_id"].isna() | ~mapped["partnership_id"].isin(known)
    reasons = [
        f"case {case!r} of source {source!r} names no partnership in reference/partnerships.csv"
        for case, source in zip(mapped.loc[unlinked, "case_name"], mapped.loc[unlinked, "source_name"], strict=False)
    ]
    result = revalidate(reject_where(Validated.passing(mapped), unlinked, reasons), schemas.CodedSegment)
    report = write_validated(con, "coded_segments", result)
    report.gaps["unmapped_codes"] = list(unmapped_codes["code_path"])
    return [report]
