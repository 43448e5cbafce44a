"""The report's "Social and economic benefits" section, a key finding and a line for each case page, from the
`benefits` mart (pipeline/outcomes/benefits.py).

Every value reaches a table as plain data (great-tables escapes it) and every sentence as text a template
escapes; nothing here builds markup.
"""

from __future__ import annotations

import pandas as pd
from great_tables import GT, loc, style

TOTAL = "Programme total"
# The benefits mart's note on a row whose denominator is the areas' population, capturing its year(s).
POPULATION_NOTE = r"^denominator: all-ages population from reference/area_populations\.csv, ([0-9, ]+) \("
STATUS_TEXT = {
    "no unit cost": "no unit cost",
    "no denominator": "no denominator",
    "no change": "no change",
    "no direction": "no direction",
}


def _pounds(value: float) -> str:
    """Whole pounds with a thousands separator and a real minus sign."""
    return ("\u2212" if value < 0 else "") + f"\u00a3{abs(value):,.0f}"


def _count(count: int, one: str, more: str) -> str:
    return f"{count} {one if count == 1 else more}"


def settings_text(benefits: pd.DataFrame) -> str | None:
    """The assumptions the values rest on, printed above the table: price year, attribution, deadweight and
    comparator (carried on every row of the mart); None for an empty mart."""
    if benefits.empty:
        return None
    first = benefits.iloc[0]
    price_year = first["price_year"]
    prices = (
        f"in {int(price_year)} prices (costs brought to that year with the GDP deflator, as the Green Book does)"
        if pd.notna(price_year)
        else "with no price year (no reference/deflators.csv, so no unit cost can be valued)"
    )
    return (
        f"Values are pounds a year {prices}; attribution {first['attribution']:g} (the share of the change against "
        f"{first['comparator']} credited to the programme; settings benefits_attribution) and deadweight "
        f"{first['deadweight']:g} (the share that would have happened anyway; benefits_deadweight). Events "
        "avoided are the change against England times the follow-up population; low and high come from the "
        "change's 95% interval where it has one."
    )


def programme_total(benefits: pd.DataFrame) -> dict[str, float] | None:
    """The programme's total value a year over the valued rows (low, central, high: sums of each column, so
    low and high bound the total only as the rows' own ranges do); None when no row is valued."""
    valued = benefits[benefits["status"] == "valued"]
    if valued.empty:
        return None
    return {
        "rows": len(valued),
        "value_low_gbp": valued["value_low_gbp"].sum(min_count=len(valued)),
        "value_gbp": valued["value_gbp"].sum(),
        "value_high_gbp": valued["value_high_gbp"].sum(min_count=len(valued)),
    }


def summary_text(benefits: pd.DataFrame) -> str | None:
    """One sentence rolling the benefits up to the programme (the section's lead and its key finding); None
    for an empty mart."""
    if benefits.empty:
        return None
    statuses = benefits["status"].value_counts()
    total = programme_total(benefits)
    no_cost = int(benefits["unit_cost_gbp"].isna().sum())
    prices = f" in {int(benefits['price_year'].iloc[0])} prices" if pd.notna(benefits["price_year"].iloc[0]) else ""
    parts = [
        (int(statuses.get("no change", 0)), "has no change against England", "have no change against England"),
        (
            int(statuses.get("no denominator", 0)),
            "has a change but no published denominator to turn its rate into events",
            "have a change but no published denominator to turn their rates into events",
        ),
        (no_cost, "has no documented unit cost", "have no documented unit cost"),
    ]
    said = [f"{count} {one if count == 1 else more}" for count, one, more in parts if count]
    blockers = "of the partnership indicators, " + (
        ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0] if said else "none lacks anything"
    )
    if total is None:
        return (
            f"No outcome change could be valued: "
            f"{blockers.replace('of the partnership indicators', 'of ' + _count(len(benefits), 'partnership indicator', 'partnership indicators'), 1)}. "
            "The total benefit to the programme is therefore not estimated."
        )
    ranged = pd.notna(total["value_low_gbp"]) and pd.notna(total["value_high_gbp"])
    span = f" (from {_pounds(total['value_low_gbp'])} to {_pounds(total['value_high_gbp'])})" if ranged else ""
    return (
        f"The {_count(total['rows'], 'valued change', 'valued changes')} against England are worth "
        f"{_pounds(total['value_gbp'])} a year{prices}{span} across the programme, at attribution "
        f"{benefits['attribution'].iloc[0]:g} and deadweight {benefits['deadweight'].iloc[0]:g}; {blockers}."
    )


def benefits_table(benefits: pd.DataFrame, names: pd.Series) -> GT | None:
    """Partnership, indicator, events avoided a year (low, central, high), unit cost with its price year, and
    value a year (low, central, high), with a programme total row; each unit cost's source is a lettered
    footnote, once however many rows use it. Rows without a change against England are counted in a note
    rather than listed. None for an empty mart."""
    if benefits.empty:
        return None
    shown = benefits[benefits["status"] != "no change"].copy()
    price_year = benefits["price_year"].iloc[0]
    shown["partnership"] = shown["partnership_id"].map(lambda p: f"{p} {names.get(p, '')}".strip())
    shown["indicator"] = shown["indicator_id"].astype(str) + " " + shown["indicator_name"]
    shown["unit_cost"] = [
        f"{_pounds(real)} ({int(price_year)} prices; published {_pounds(cost)}, {int(year)} prices)"
        if pd.notna(real)
        else "no unit cost"
        for real, cost, year in zip(
            shown["unit_cost_real_gbp"], shown["unit_cost_gbp"], shown["cost_year"], strict=True
        )
    ]
    shown["source"] = [
        "" if pd.isna(text) else f"{text}. {url}" if pd.notna(url) else str(text)
        for text, url in zip(shown["cost_source"], shown["cost_url"], strict=True)
    ]
    shown["status"] = shown["status"].map(lambda s: STATUS_TEXT.get(s, s))
    # A denominator taken from the areas' population (the mart's note says so, with its year) is said beside
    # the status, so a reader sees which events rest on that approximation.
    years = shown["note"].fillna("").str.extract(POPULATION_NOTE, expand=False)
    shown["status"] = [
        status if pd.isna(year) else f"{status}; denominator: all-ages population, {year}"
        for status, year in zip(shown["status"], years, strict=True)
    ]
    borrowed = int(years.notna().sum())
    columns = [
        "partnership",
        "indicator",
        "status",
        "change_vs_comparator",
        "events_avoided_low",
        "events_avoided",
        "events_avoided_high",
        "unit_cost",
        "source",
        "value_low_gbp",
        "value_gbp",
        "value_high_gbp",
    ]
    frame = shown[columns].reset_index(drop=True)
    total = programme_total(benefits)
    if total is not None:
        row = (
            dict.fromkeys(columns, None)
            | dict.fromkeys(["indicator", "unit_cost", "source"], "")
            | {
                "partnership": TOTAL,
                "status": f"{total['rows']} valued",
                **{k: total[k] for k in ("value_low_gbp", "value_gbp", "value_high_gbp")},
            }
        )
        total_row = pd.DataFrame([row], columns=columns).astype(frame.dtypes.to_dict())
        frame = pd.concat([frame, total_row], ignore_index=True)
    left_out = int((benefits["status"] == "no change").sum())
    table = (
        GT(frame)
        .tab_header(
            "Social and economic benefits",
            "Change against England as events avoided a year, valued at documented unit costs",
        )
        .fmt_number(
            columns=["change_vs_comparator", "events_avoided_low", "events_avoided", "events_avoided_high"], decimals=1
        )
        .fmt_currency(columns=["value_low_gbp", "value_gbp", "value_high_gbp"], currency="GBP", decimals=0)
        .sub_missing(missing_text="—")
        .cols_label(
            partnership="Partnership",
            indicator="Indicator",
            status="Status",
            change_vs_comparator="Change vs England",
            events_avoided_low="Low",
            events_avoided="Central",
            events_avoided_high="High",
            unit_cost="Unit cost",
            source="Source",
            value_low_gbp="Low",
            value_gbp="Central",
            value_high_gbp="High",
        )
        .tab_spanner("Events avoided a year", columns=["events_avoided_low", "events_avoided", "events_avoided_high"])
        .tab_spanner("Value a year", columns=["value_low_gbp", "value_gbp", "value_high_gbp"])
        .cols_hide("source")
        .cols_width({"indicator": "20%", "unit_cost": "18%"})
        .tab_source_note(
            "Change vs England: the difference-in-differences in the indicator's units (outcome_change). "
            "Negative events or value: events added, a cost. Low and high: at the limits of the change's 95% interval; '—' where the "
            "change has none (values published without limits). No denominator: the area's rate was published "
            "without its population, so it cannot become events. No unit cost: no published cost of one event in "
            f"reference/unit_costs.csv (sources in data/raw/SOURCES.md). Not listed: "
            f"{_count(left_out, 'partnership indicator', 'partnership indicators')} with no change against England "
            "(outcome_change). The total sums the valued rows; its low and high sum the rows' limits, as if every "
            "row were at its limit at once, so they are wider than a 95% interval for the total."
            + (
                f" Denominator: all-ages population ({_count(borrowed, 'row', 'rows')}): the partnership's all-ages "
                "population (reference/area_populations.csv, in the year shown) stands in for the denominator the "
                "outcome file did not publish; a directly standardised rate applied to a crude population is an "
                "approximation."
                if borrowed
                else ""
            )
        )
    )
    # A long citation once, under the table, rather than in every row that uses it.
    for source in dict.fromkeys(text for text in frame["source"] if text):
        citing = [i for i, text in enumerate(frame["source"]) if text == source]
        table = table.tab_footnote(source, locations=loc.body(columns="unit_cost", rows=citing), placement="right")
    table = table.opt_footnote_marks("letters")
    # A signed figure on one line: a minus sign left alone above "£43,124,640" reads as a dash.
    figures = [*columns[3:7], *columns[9:]]
    table = table.tab_style(style=style.css("white-space: nowrap"), locations=loc.body(columns=figures))
    if total is not None:
        table = table.tab_style(style=style.text(weight="bold"), locations=loc.body(rows=[len(frame) - 1]))
    return table


def case_line(benefits: pd.DataFrame, partnership_id: str) -> str | None:
    """One sentence for a partnership's case page; None when the mart has no row for it."""
    mine = benefits[benefits["partnership_id"] == partnership_id]
    if mine.empty:
        return None
    valued = mine[mine["status"] == "valued"]
    if valued.empty:
        reasons = sorted(set(mine["status"]))
        return (
            f"Social and economic benefits: none valued for its {_count(len(mine), 'indicator', 'indicators')} "
            f"({', '.join(reasons)}; see the programme report)."
        )
    prices = f"{int(mine['price_year'].iloc[0])} prices"
    ranged = valued["value_low_gbp"].notna().all() and valued["value_high_gbp"].notna().all()
    span = (
        f" (from {_pounds(valued['value_low_gbp'].sum())} to {_pounds(valued['value_high_gbp'].sum())})"
        if ranged
        else ""
    )
    return (
        f"Social and economic benefits: {_pounds(valued['value_gbp'].sum())} a year in {prices}{span} from "
        f"{valued['events_avoided'].sum():,.1f} events avoided a year on "
        f"{_count(len(valued), 'valued indicator', 'valued indicators')}, at attribution "
        f"{mine['attribution'].iloc[0]:g} and deadweight {mine['deadweight'].iloc[0]:g}."
    )
