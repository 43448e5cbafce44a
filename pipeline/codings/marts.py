"""Site-visit coding marts: how far the coders agree."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.codings import schemas
from pipeline.methods.agreement import agreement_by_code, coding_units
from pipeline.warehouse import replace_table


def build_coder_agreement(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.coder_agreement`: one row per code and a pooled row, at the unit source document x code
    presence, over every coded source (a document is told apart by its project file and name)."""
    segments = con.execute(
        "SELECT source_file || ' / ' || source_name AS source_name, code_path, coder, start_position, end_position "
        "FROM (SELECT DISTINCT source_file, source_name, code_path, coder, start_position, end_position FROM raw.qda_segments)"
    ).df()
    agreement = agreement_by_code(coding_units(segments))
    codebook = con.execute("SELECT code_path AS code, factor_id, direction FROM staging.codebook_factor_map").df()
    frame = agreement.merge(codebook, on="code", how="left")
    columns = list(schemas.CoderAgreementMart.to_schema().columns)
    frame = frame.astype({"n_units": "int64", "n_coders": "int64"})[columns]
    frame["note"] = frame["note"].where(frame["note"].notna() & (frame["note"] != ""), None)
    return replace_table(con, "marts.coder_agreement", schemas.CoderAgreementMart.validate(pd.DataFrame(frame)))
