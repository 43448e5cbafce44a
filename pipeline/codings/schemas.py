"""Site-visit coding tables: coded segments and coder agreement."""

from __future__ import annotations

import pandas as pd  # noqa: F401 - pandera resolves annotations by name
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.reference.schemas import DIRECTIONS


class CodedSegment(pa.DataFrameModel):
    """One row per coding of a site-visit passage x case of its source, mapped to a partnership and factor."""

    source_file: Series[str] = pa.Field(description="REFI-QDA project the coding came from")
    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"},
        description="Partnership the coded source belongs to",
    )
    source_name: Series[str] = pa.Field(description="Coded document (site-visit notes, interview, case-study document)")
    code_path: Series[str] = pa.Field(description="Code applied, as its codebook path")
    factor_id: Series[str] = pa.Field(
        metadata={"references": "staging.success_factors.factor_id"},
        description="Success factor the code is evidence for",
    )
    direction: Series[str] = pa.Field(isin=DIRECTIONS, description="Enabler or barrier")
    coder: Series[str] = pa.Field(description="Name of the coder (the REFI-QDA user who made the coding)")
    start_position: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="First character of the coded passage"
    )
    end_position: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="Character after the coded passage")
    excerpt: Series[str] = pa.Field(
        nullable=True,
        description="The coded passage, with e-mail addresses, phone numbers and postcodes redacted; empty where the project holds no text",
    )


class CoderAgreementMart(pa.DataFrameModel):
    """One row per code, plus one pooled row: how far the site-visit coders agree."""

    code: Series[str] = pa.Field(unique=True, description="Code path, or '(pooled)' for all codes together")
    factor_id: Series[str] = pa.Field(
        nullable=True, description="Success factor the code is evidence for, where mapped"
    )
    direction: Series[str] = pa.Field(nullable=True, isin=DIRECTIONS, description="Enabler or barrier, where mapped")
    unit: Series[str] = pa.Field(
        isin=["source_code", "segment", "source_scale"],
        description="Unit of analysis: source_code (source document x code presence); source_scale (source document "
        "x the level each coder gave it on an ordinal scale of codes); segment (passage x code)",
    )
    n_units: Series[int] = pa.Field(ge=0, description="Units rated by at least two coders")
    n_coders: Series[int] = pa.Field(ge=0, description="Coders who rated any unit")
    percent_agreement: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Share of coder pairs giving the same value (observed agreement)"
    )
    cohens_kappa: Series[float] = pa.Field(nullable=True, description="Cohen's (1960) kappa, when exactly two coders")
    kappa_ci_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of the 95% bootstrap interval of kappa"
    )
    kappa_ci_high: Series[float] = pa.Field(
        nullable=True, description="Upper limit of the 95% bootstrap interval of kappa"
    )
    kappa_se: Series[float] = pa.Field(
        nullable=True,
        description="Asymptotic standard error of Cohen's kappa (Fleiss, Cohen and Everitt 1969; SAS's ASE), two coders",
    )
    kappa_ase_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of the 95% asymptotic interval of kappa (kappa - 1.96 ASE)"
    )
    kappa_ase_high: Series[float] = pa.Field(
        nullable=True, description="Upper limit of the 95% asymptotic interval of kappa (kappa + 1.96 ASE)"
    )
    fleiss_kappa: Series[float] = pa.Field(
        nullable=True, description="Fleiss' (1971) kappa, when more than two coders rated the code"
    )
    fleiss_z: Series[float] = pa.Field(
        nullable=True, description="z test of Fleiss' kappa = 0 (Fleiss, Nee and Landis 1979; as irr's kappam.fleiss)"
    )
    fleiss_p_value: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Two-sided p-value of the z test of Fleiss' kappa"
    )
    fleiss_units: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Units Fleiss' kappa is computed on: those every coder rated"
    )
    weighted_kappa: Series[float] = pa.Field(
        nullable=True,
        description="Cohen's (1968) weighted kappa on an ordinal scale of codes (two coders), weights per kappa_weights",
    )
    weighted_kappa_se: Series[float] = pa.Field(
        nullable=True, description="Asymptotic standard error of the weighted kappa (Fleiss, Cohen and Everitt 1969)"
    )
    weighted_kappa_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of the 95% asymptotic interval of the weighted kappa"
    )
    weighted_kappa_high: Series[float] = pa.Field(
        nullable=True, description="Upper limit of the 95% asymptotic interval of the weighted kappa"
    )
    kappa_weights: Series[str] = pa.Field(
        nullable=True,
        isin=["linear", "quadratic"],
        description="Agreement weights of the weighted kappa (setting coding_kappa_weights): linear "
        "(Cicchetti-Allison) or quadratic (Fleiss-Cohen)",
    )
    krippendorff_alpha: Series[float] = pa.Field(
        nullable=True, description="Krippendorff's (2011) alpha, at the level of measurement in alpha_metric"
    )
    alpha_metric: Series[str] = pa.Field(
        isin=["nominal", "ordinal"], description="Level of measurement of alpha: nominal, or ordinal for a scale"
    )
    alpha_ci_low: Series[float] = pa.Field(
        nullable=True, description="Lower limit of the 95% bootstrap interval of alpha (units resampled)"
    )
    alpha_ci_high: Series[float] = pa.Field(
        nullable=True, description="Upper limit of the 95% bootstrap interval of alpha"
    )
    note: Series[str] = pa.Field(nullable=True, description="Why a statistic is undefined, where it is")

    class Config:
        unique = ["code"]


TABLES: dict[str, type[pa.DataFrameModel]] = {
    "staging.coded_segments": CodedSegment,
    "marts.coder_agreement": CoderAgreementMart,
}
