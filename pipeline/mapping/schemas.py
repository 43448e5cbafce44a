"""Information mapping: interventions on driver diagrams and their coverage marts."""

from __future__ import annotations

import pandas as pd  # noqa: F401 - pandera resolves annotations by name
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.validation import Lineage


class Intervention(Lineage):
    """One row per intervention x secondary driver it addresses."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"},
        description="Partnership whose inventory lists the intervention",
    )
    intervention: Series[str] = pa.Field(description="Intervention as named in the inventory")
    commissioner: Series[str] = pa.Field(description="Organisation commissioning it")
    secondary_driver_id: Series[str] = pa.Field(
        description="Secondary driver of the partnership's driver diagram the intervention addresses"
    )
    spend: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        coerce=True,
        description="Annual spend in pounds, where given (the whole intervention's, repeated per driver)",
    )
    status: Series[str] = pa.Field(
        nullable=True,
        isin=["planned", "active", "ended"],
        description="Whether the intervention is planned, running or ended",
    )


class DriverCoverageMart(pa.DataFrameModel):
    """One row per partnership x secondary driver of its wicked problem's driver diagram."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    wicked_problem: Series[str] = pa.Field(description="Its wicked problem, whose driver diagram applies")
    primary_driver_id: Series[str] = pa.Field(description="Primary driver the secondary driver sits under")
    primary_driver: Series[str] = pa.Field(description="Primary driver")
    secondary_driver_id: Series[str] = pa.Field(
        metadata={"references": "staging.driver_diagrams.secondary_driver_id"}, description="Secondary driver"
    )
    secondary_driver: Series[str] = pa.Field(description="Secondary driver")
    marmot_objectives: Series[str] = pa.Field(description="Marmot objectives it serves, ';'-separated")
    interventions: Series[int] = pa.Field(ge=0, description="Planned or active interventions addressing the driver")
    commissioners: Series[int] = pa.Field(ge=0, description="Distinct commissioners of those interventions")
    ended_interventions: Series[int] = pa.Field(ge=0, description="Interventions on the driver that have ended")
    annual_spend: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        description="Annual spend of the planned or active interventions, in pounds, where given (an intervention on several drivers counts on each)",
    )
    coverage: Series[str] = pa.Field(
        isin=["gap", "covered", "duplication"],
        description="gap: no planned or active intervention; duplication: two or more from different commissioners; covered otherwise",
    )

    class Config:
        unique = ["partnership_id", "secondary_driver_id"]


class MarmotCoverageMart(pa.DataFrameModel):
    """One row per partnership x Marmot policy objective."""

    partnership_id: Series[str] = pa.Field(
        metadata={"references": "staging.partnerships.partnership_id"}, description="Partnership"
    )
    objective_id: Series[str] = pa.Field(
        metadata={"references": "staging.marmot_objectives.objective_id"}, description="Marmot policy objective"
    )
    objective: Series[str] = pa.Field(description="The objective's wording")
    drivers: Series[int] = pa.Field(
        ge=0, description="Secondary drivers of the partnership's diagram serving the objective"
    )
    drivers_covered: Series[int] = pa.Field(
        ge=0, description="Of those, drivers with at least one planned or active intervention"
    )
    interventions: Series[int] = pa.Field(
        ge=0, description="Distinct planned or active interventions serving the objective"
    )

    class Config:
        unique = ["partnership_id", "objective_id"]


TABLES: dict[str, type[pa.DataFrameModel]] = {
    "staging.interventions": Intervention,
    "marts.driver_coverage": DriverCoverageMart,
    "marts.marmot_coverage": MarmotCoverageMart,
}
