"""Social and economic benefits: each partnership's change in its outcomes against England, as events avoided
per year and their value at documented unit costs.

For each partnership x outcome indicator of its wicked problem (`marts.outcome_change`):

- events avoided per year = the difference-in-differences against England (in the rate's units) x the
  partnership's denominator in the follow-up period / the indicator's multiplier / the years that period spans,
  signed by polarity: a fall in a rate where lower is better is events avoided (positive), a rise events added
  (negative); where higher is better a rise counts as positive (`pipeline.methods.appraisal.events_avoided`).
  A directly standardised rate is applied to the crude population, an approximation that holds while the
  area's age structure is close to the standard's.
- low and high are the same arithmetic at the limits of the change's 95% interval (the MOVER's, from
  `outcome_change`): low at the limit on the bad side, high at the limit on the good side. Where the change has
  no interval (values published without limits, as in the demo's tidy series), low and high are empty and the
  note says so; the point value stands alone.
- value = events avoided x the unit cost in the prices of one year (`reference/unit_costs.csv`, brought to the
  price year with `reference/deflators.csv`: cost x deflator(price year) / deflator(cost year), the Green Book's
  real-terms conversion) x (1 - deadweight) x attribution (settings `benefits_deadweight`,
  `benefits_attribution`; Green Book 2022 and Magenta Book 2020 additionality). Both shares are carried on each
  row, so the result always prints with them.

The comparator is England, as in `outcome_change` (the outcome files carry no other benchmark the change is
computed against). An indicator without a unit cost is kept, with its events avoided and status "no unit cost";
a change without a denominator cannot become events and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from pipeline.methods.appraisal import additional, events_avoided, real_terms
from pipeline.outcomes import schemas
from pipeline.warehouse import load_sql, replace_table


@dataclass(frozen=True)
class BenefitRule:
    """How changes are valued (settings `benefits_attribution`, `benefits_deadweight`, `benefits_price_year`).

    Defaults: attribution 1 and deadweight 0, because the difference-in-differences against England is already
    the change net of what England saw over the same years (the counterfactual the Green Book asks for); a
    programme that shares the credit with other local work sets attribution below 1. `price_year` None: the
    latest year of the deflator series."""

    attribution: float = 1.0
    deadweight: float = 0.0
    price_year: int | None = None


def _years_spanned(start: pd.Series, end: pd.Series) -> pd.Series:
    """Whole years a period spans (at least 1): a financial year is 1, a three-year pooled period 3."""
    days = (pd.to_datetime(end) - pd.to_datetime(start)).dt.days + 1
    return (days / 365.25).round().clip(lower=1)


def price_year_of(index: dict[int, float], wanted: int | None) -> int | None:
    """The price year values are given in: `wanted`, or the latest year of the deflator series. A wanted year
    the series lacks is an error naming the setting and the file."""
    if wanted is None:
        return max(index) if index else None
    if wanted not in index:
        listed = f"{min(index)} to {max(index)}" if index else "no years"
        raise ValueError(
            f"settings.toml: benefits_price_year {wanted} is not a year of reference/deflators.csv ({listed})"
        )
    return wanted


def benefits_frame(inputs: pd.DataFrame, index: dict[int, float], rule: BenefitRule) -> pd.DataFrame:
    """The benefits mart from `benefit_inputs.sql`'s rows and the deflator series (year -> index)."""
    frame = inputs.copy()
    price_year = price_year_of(index, rule.price_year)
    lower_better = frame["polarity"] == "low_is_good"
    directional = frame["polarity"] != "no_judgement"
    frame["followup_years"] = _years_spanned(frame["followup_start"], frame["followup_end"])
    common = (frame["denominator"], frame["multiplier"], frame["followup_years"], lower_better)
    frame["events_avoided"] = events_avoided(frame["change_vs_england"], *common).where(directional)
    # The good-side limit gives the most events avoided: the lower limit where lower is better.
    good = frame["change_ci_low"].where(lower_better, frame["change_ci_high"])
    bad = frame["change_ci_high"].where(lower_better, frame["change_ci_low"])
    frame["events_avoided_high"] = events_avoided(good, *common).where(directional)
    frame["events_avoided_low"] = events_avoided(bad, *common).where(directional)

    costed = frame["cost_gbp"].notna()
    frame["unit_cost_real_gbp"] = np.nan
    if costed.any():
        frame.loc[costed, "unit_cost_real_gbp"] = real_terms(
            frame.loc[costed, "cost_gbp"], frame.loc[costed, "cost_year"].astype(int), price_year, index
        )
    for events, value in (
        ("events_avoided_low", "value_low_gbp"),
        ("events_avoided", "value_gbp"),
        ("events_avoided_high", "value_high_gbp"),
    ):
        frame[value] = additional(frame[events] * frame["unit_cost_real_gbp"], rule.attribution, rule.deadweight)

    no_change = frame["change_vs_england"].isna()
    no_denominator = frame["denominator"].isna()
    frame["status"] = np.select(
        [no_change, ~directional, no_denominator, ~costed],
        ["no change", "no direction", "no denominator", "no unit cost"],
        "valued",
    )
    no_interval = frame["change_ci_low"].isna() | frame["change_ci_high"].isna()
    frame["note"] = np.select(
        [
            no_change,
            ~directional,
            no_denominator,
            ~costed,
            no_interval,
        ],
        [
            "outcome_change has no change against England: " + frame["reason"].fillna("insufficient data"),
            "the indicator's polarity is no_judgement: neither direction is a benefit",
            "no denominator published for the follow-up period: a rate cannot become events without one",
            "no unit cost in reference/unit_costs.csv: events avoided counted, not valued",
            "no 95% interval for the change (values published without limits): point value only",
        ],
        None,
    )
    frame["note"] = frame["note"].where(frame["note"].notna() & (frame["note"] != "None"), None)
    frame = frame.rename(columns={"change_vs_england": "change_vs_comparator", "cost_gbp": "unit_cost_gbp"})
    frame["comparator"] = "England"
    frame["price_year"] = pd.array([price_year] * len(frame), dtype="Int64")
    frame["cost_year"] = frame["cost_year"].astype("Int64")
    frame["attribution"] = float(rule.attribution)
    frame["deadweight"] = float(rule.deadweight)
    for column in ("denominator", "multiplier"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    for column in ("indicator_name", "baseline_period", "followup_period", "cost_description", "cost_source"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame["cost_url"] = frame["cost_url"].astype(object).where(frame["cost_url"].notna(), None)
    frame["indicator_id"] = frame["indicator_id"].astype("int64")
    return frame[list(schemas.BenefitsMart.to_schema().columns)].reset_index(drop=True)


def build_benefits(con: duckdb.DuckDBPyConnection, rule: BenefitRule = BenefitRule()) -> int:
    """`marts.benefits`: one row per partnership x outcome indicator of its wicked problem (see the module
    docstring for the arithmetic)."""
    inputs = con.execute(load_sql(__file__, "benefit_inputs")).df()
    index = {int(y): float(i) for y, i in con.execute('SELECT year, "index" FROM staging.deflators').fetchall()}
    frame = benefits_frame(inputs, index, rule)
    return replace_table(con, "marts.benefits", schemas.BenefitsMart.validate(frame))
