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

Where the outcome file publishes no denominator (tidy series carry a value only) and outcome_indicators.csv marks
the indicator `denominator_population` all_ages_persons (a rate per head of the whole population, as the
all-ages directly standardised rates of alcohol admissions and mortality are), the denominator is the
partnership's all-ages persons population from the optional `reference/area_populations.csv`, summed over its
areas, in the latest year at or before the follow-up period's end (else the nearest year after), times the
years the period spans (person-years, as a pooled rate's denominator is). The row's note names the file and
the year. This applies a directly standardised rate to a crude population: the events are those the area
would see at its population's size with the standard population's age structure, an approximation (like the
one above) that is closer the nearer the area's age structure is to the standard's. An indicator not marked,
or a row with its own denominator, never takes the population.

The comparator is England, as in `outcome_change` (the outcome files carry no other benchmark the change is
computed against). An indicator without a unit cost is kept, with its events avoided and status "no unit cost";
a change without a denominator (its own or a population's) cannot become events and says so.
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


POPULATION_FILE = "reference/area_populations.csv"


def _population_in(areas: pd.DataFrame, end: pd.Timestamp) -> tuple[float, str] | None:
    """One partnership's all-ages population (its areas' rows of `partnership_populations.sql`) for a period
    ending on `end`: each area's latest year at or before `end`'s year, else its earliest year after; None when
    an area has no population at all. Returns the summed population and the note's words for the year(s)."""
    total, years, after = 0.0, set(), False
    for _, rows in areas.dropna(subset=["year"]).groupby("area_code"):
        before = rows[rows["year"] <= end.year]
        chosen = before.loc[before["year"].idxmax()] if len(before) else rows.loc[rows["year"].idxmin()]
        after |= chosen["year"] > end.year
        total += float(chosen["population"])
        years.add(int(chosen["year"]))
    if areas["area_code"].nunique() != areas.dropna(subset=["year"])["area_code"].nunique() or not years:
        return None
    listed = ", ".join(str(year) for year in sorted(years))
    rule = "the nearest after, as none is at or before" if after else "the latest at or before"
    return total, f"{listed} ({rule} the follow-up period's end, {end:%Y-%m-%d})"


def with_population_denominators(frame: pd.DataFrame, populations: pd.DataFrame) -> pd.DataFrame:
    """`frame` (with `followup_years`) whose rows without a denominator, of indicators marked
    `denominator_population` all_ages_persons, take the partnership's all-ages population x the years the
    follow-up period spans; `population_note` says so on those rows (None elsewhere)."""
    frame = frame.copy()
    frame["population_note"] = None
    wanted = (
        frame["denominator"].isna()
        & frame["denominator_population"].eq("all_ages_persons")
        & frame["followup_end"].notna()
    )
    by_partnership = dict(tuple(populations.groupby("partnership_id"))) if len(populations) else {}
    for position in frame.index[wanted]:
        row = frame.loc[position]
        areas = by_partnership.get(row["partnership_id"])
        found = None if areas is None else _population_in(areas, pd.Timestamp(row["followup_end"]))
        if found is None:
            continue
        population, when = found
        years = int(row["followup_years"])
        frame.loc[position, "denominator"] = population * years
        frame.loc[position, "population_note"] = f"denominator: all-ages population from {POPULATION_FILE}, {when}" + (
            f", x {years} years of the period" if years > 1 else ""
        )
    return frame


def benefits_frame(
    inputs: pd.DataFrame, index: dict[int, float], rule: BenefitRule, populations: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The benefits mart from `benefit_inputs.sql`'s rows, the deflator series (year -> index) and, optionally,
    the partnerships' populations (`partnership_populations.sql`'s rows: partnership_id, area_code, year,
    population) for indicators whose rate is per head of the whole population."""
    frame = inputs.copy()
    price_year = price_year_of(index, rule.price_year)
    lower_better = frame["polarity"] == "low_is_good"
    directional = frame["polarity"] != "no_judgement"
    frame["followup_years"] = _years_spanned(frame["followup_start"], frame["followup_end"])
    if "denominator_population" not in frame.columns:
        frame["denominator_population"] = None
    frame["denominator"] = pd.to_numeric(frame["denominator"]).astype(float)
    frame = with_population_denominators(
        frame, populations if populations is not None else pd.DataFrame(columns=["partnership_id"])
    )
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
    # A population taken as the denominator is said first, before whatever else the row has to say.
    borrowed = frame["population_note"].notna()
    frame.loc[borrowed, "note"] = [
        population if note is None else f"{population}; {note}"
        for population, note in zip(frame.loc[borrowed, "population_note"], frame.loc[borrowed, "note"], strict=True)
    ]
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
    populations = con.execute(load_sql(__file__, "partnership_populations")).df()
    frame = benefits_frame(inputs, index, rule, populations)
    return replace_table(con, "marts.benefits", schemas.BenefitsMart.validate(frame))
