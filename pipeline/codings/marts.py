"""Site-visit coding marts: how far the coders agree."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.codings import schemas
from pipeline.methods.agreement import POOLED, agreement_by_code, agreement_by_scale, coding_units, scale_units
from pipeline.warehouse import replace_table

SCALE_SUFFIX = " (ordinal scale)"


def build_coder_agreement(con: duckdb.DuckDBPyConnection, kappa_weights: str = "linear") -> int:
    """`marts.coder_agreement`: one row per code and a pooled row, at the unit source document x code
    presence, over every coded source (a document is told apart by its project file and name); and one row per
    ordinal scale of codes (codes with a `scale_value` in the codebook map, the scale being their parent code),
    at the unit source document x level, with weighted kappa (`kappa_weights`: "linear" or "quadratic")."""
    segments = con.execute(
        "SELECT source_file || ' / ' || source_name AS source_name, code_path, coder, start_position, end_position "
        "FROM (SELECT DISTINCT source_file, source_name, code_path, coder, start_position, end_position FROM raw.qda_segments)"
    ).df()
    agreement = agreement_by_code(coding_units(segments))
    codebook = con.execute("SELECT code_path, factor_id, direction, scale_value FROM staging.codebook_factor_map").df()
    frame = agreement.merge(codebook.rename(columns={"code_path": "code"}), on="code", how="left")

    levels = codebook.dropna(subset=["scale_value"]).rename(columns={"scale_value": "value"})
    if not levels.empty:
        levels = levels.assign(scale=levels["code_path"].str.rpartition("/")[0] + SCALE_SUFFIX)
        scales = agreement_by_scale(scale_units(segments, levels), kappa_weights)
        # A scale is evidence on a factor when all its levels are; its levels may be enablers or barriers.
        factors = levels.groupby("scale")["factor_id"].agg(lambda f: f.iloc[0] if f.nunique() == 1 else None)
        scales = scales.assign(factor_id=scales["code"].map(factors), direction=None)
        pooled = frame["code"] == POOLED
        frame = pd.concat([frame[~pooled], scales, frame[pooled]], ignore_index=True)

    columns = list(schemas.CoderAgreementMart.to_schema().columns)
    frame = frame.astype({"n_units": "int64", "n_coders": "int64", "fleiss_units": "Int64"})[columns]
    for text in ("note", "kappa_weights", "factor_id", "direction"):
        frame[text] = frame[text].astype(object).where(frame[text].notna() & (frame[text] != ""), None)
    return replace_table(con, "marts.coder_agreement", schemas.CoderAgreementMart.validate(pd.DataFrame(frame)))
