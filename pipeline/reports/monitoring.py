"""Local monitoring in the reports: each partnership's process and output indicators against their targets,
as SPC charts and a table on its case-study page, and a ranking and summary for the programme report."""

from __future__ import annotations

import pandas as pd
from great_tables import GT, loc, style

from pipeline.reports.marts import Marts, colour_by

# The SPC chart of one indicator, drawn by the template as SVG from these coordinates (numbers only).
CHART_WIDTH, CHART_HEIGHT, CHART_MARGIN = 640, 180, 36
VARIATION_COLOURS = {
    "improvement": "#2166ac",
    "concern": "#e08214",
    "neutral_high": "#762a83",
    "neutral_low": "#762a83",
}


def spc_charts(marts: Marts, partnership_id: str) -> list[dict[str, object]]:
    """Per indicator of the partnership's register with returns: its name, status at its latest return, and
    the SVG coordinates of its values, XmR mean and limits (from 12 points) and target. Suppressed values
    (counts of people below the disclosure threshold) are not drawn."""
    progress = marts.progress
    if progress.empty:
        return []
    charts = []
    own = progress[progress["partnership_id"] == partnership_id].sort_values(["indicator_id", "period"])
    for indicator_id, series in own.groupby("indicator_id", sort=True):
        shown = series[series["value"].notna()]
        first = series.iloc[0]
        levels = {name: first[name] for name in ("spc_mean", "spc_lower", "spc_upper", "target_value")}
        levels = {name: float(value) for name, value in levels.items() if pd.notna(value)}
        values = [*shown["value"].astype(float), *levels.values()]
        if not values:
            continue
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        periods = list(series["period"])

        def x(period: object, periods: list = periods) -> float:
            position = periods.index(period) / max(len(periods) - 1, 1)
            return round(CHART_MARGIN + position * (CHART_WIDTH - 2 * CHART_MARGIN), 1)

        def y(value: float, low: float = low, span: float = span) -> float:
            return round(CHART_HEIGHT - CHART_MARGIN / 2 - (value - low) / span * (CHART_HEIGHT - CHART_MARGIN), 1)

        points = [
            {
                "x": x(row.period),
                "y": y(float(row.value)),
                "label": f"{pd.Timestamp(row.period):%b %Y}: {row.value:g}",
                "colour": VARIATION_COLOURS.get(str(row.variation), "#7b8794"),
            }
            for row in shown.itertuples()
        ]
        latest = series.iloc[-1]
        charts.append(
            {
                "indicator_id": indicator_id,
                "name": first["indicator_name"],
                "unit": first["unit"],
                "polarity": first["polarity"].replace("_", " "),
                "status": latest["status"].replace("_", " "),
                "latest": f"{pd.Timestamp(latest['period']):%b %Y}",
                "points": points,
                "path": " ".join(f"{p['x']},{p['y']}" for p in points),
                "lines": {name: y(value) for name, value in levels.items()},
                "labels": {name: f"{value:.1f}" for name, value in levels.items()},
                "first": f"{pd.Timestamp(periods[0]):%b %Y}",
                "last": f"{pd.Timestamp(periods[-1]):%b %Y}",
                "n": len(series),
                "width": CHART_WIDTH,
                "height": CHART_HEIGHT,
                "margin": CHART_MARGIN,
            }
        )
    return charts


def monitoring_table(marts: Marts, partnership_id: str) -> GT | None:
    """The partnership's indicators at their latest return: value, target, progress, status and SPC reading."""
    progress = marts.progress
    if progress.empty or not (progress["partnership_id"] == partnership_id).any():
        return None
    own = progress[progress["partnership_id"] == partnership_id].sort_values(["indicator_id", "period"])
    special = own.groupby("indicator_id")["variation"].agg(
        lambda v: ", ".join(sorted({str(x).replace("_", " ") for x in v.dropna() if x != "common_cause"})) or None
    )
    latest = own.groupby("indicator_id").tail(1).set_index("indicator_id")
    table = latest.assign(
        special_cause=special,
        period=latest["period"].dt.strftime("%b %Y"),
        status=latest["status"].str.replace("_", " "),
        assurance=latest["assurance"].str.replace("_", " "),
    ).reset_index()
    return (
        GT(
            table[
                [
                    "indicator_id",
                    "indicator_name",
                    "unit",
                    "period",
                    "value",
                    "target_value",
                    "progress_to_target",
                    "status",
                    "points",
                    "special_cause",
                    "assurance",
                ]
            ]
        )  # fmt: skip
        .tab_header("Indicators at their latest return", "SPC (limits and special causes) from 12 points")
        .fmt_number(columns=["value", "target_value"], decimals=1)
        .fmt_percent(columns="progress_to_target", decimals=0)
        .sub_missing(missing_text="-")
        .data_color(columns="status", fn=colour_by({"on track": "#d1e5f0", "off track": "#f4a582"}))
        .cols_label(
            indicator_id="Indicator",
            indicator_name="Measures",
            unit="Unit",
            period="Latest return",
            value="Value",
            target_value="Target",
            progress_to_target="Progress to target",
            status="Status",
            points="Points",
            special_cause="Special cause",
            assurance="Assurance",
        )
    )


def monitoring_ranking(marts: Marts) -> pd.DataFrame:
    """Each partnership with an indicator register, ranked by the share of its indicators with a target that
    are on track at their latest return (then fewer late and missing returns): its counts from
    `monitoring_summary` and the special causes in `indicator_progress`, each as indicator: variation."""
    summary = marts.monitoring
    if summary.empty:
        return pd.DataFrame()
    names = marts.profile.set_index("partnership_id")["partnership_name"]
    assessed = summary["on_track"] + summary["off_track"]
    special = pd.Series(dtype="object")
    if not marts.progress.empty:
        flagged = marts.progress[marts.progress["variation"].notna() & (marts.progress["variation"] != "common_cause")]
        special = (
            flagged.drop_duplicates(["partnership_id", "indicator_id", "variation"])
            .assign(cause=lambda f: f["indicator_name"] + ": " + f["variation"].str.replace("_", " "))
            .groupby("partnership_id")["cause"]
            .agg("; ".join)
        )
    ranked = summary.assign(
        partnership_name=summary["partnership_id"].map(names).fillna(summary["partnership_id"]),
        share_on_track=(summary["on_track"] / assessed.where(assessed > 0)).astype("float64"),
        special_causes=summary["partnership_id"].map(special),
        due=summary["late_returns"] + summary["missing_returns"],
    ).sort_values(["share_on_track", "due", "partnership_id"], ascending=[False, True, True], na_position="last")
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    return ranked.drop(columns="due").reset_index(drop=True)


def monitoring_overview_table(marts: Marts) -> GT | None:
    """The programme's local monitoring at a glance: partnerships ranked by share of indicators on track, with
    their special causes and late and missing returns; None without any indicator register."""
    ranked = monitoring_ranking(marts)
    if ranked.empty:
        return None
    ranked = ranked.assign(partnership=ranked["partnership_name"] + " (" + ranked["partnership_id"] + ")")
    columns = [
        "rank",
        "partnership",
        "indicators",
        "on_track",
        "off_track",
        "no_target",
        "share_on_track",
        "special_causes",
        "late_returns",
        "missing_returns",
    ]
    table = GT(ranked[columns])
    for column in ("late_returns", "missing_returns"):
        due = [int(i) for i in ranked.index[ranked[column] > 0]]
        if due:
            table = table.tab_style(style=style.fill(color="#f4a582"), locations=loc.body(columns=column, rows=due))
    return (
        table.tab_header(
            "Local monitoring: partnerships by share of indicators on track",
            "Each partnership's own process and output indicators at their latest return",
        )
        .fmt_percent(columns="share_on_track", decimals=0)
        .sub_missing(missing_text="-")
        .cols_label(
            rank="#",
            partnership="Partnership",
            indicators="All",
            on_track="On track",
            off_track="Off track",
            no_target="No target",
            share_on_track="Share on track",
            special_causes="Special causes",
            late_returns="Late",
            missing_returns="Missing",
        )
        .tab_spanner("Indicators", columns=["indicators", "on_track", "off_track", "no_target", "share_on_track"])
        .tab_spanner("Returns", columns=["late_returns", "missing_returns"])
        # The names and causes wrap; the counts keep room for their one-word headings on an A4 page.
        .cols_width({"partnership": "17%", "special_causes": "26%"})
        .tab_source_note(
            "On track: progress from baseline to target at least the share of the time to the target date elapsed. "
            "Share on track: of the indicators with a baseline and target. Special causes: Making Data Count rules "
            "on XmR charts of 12 or more points. Late: due since the indicator's last return; missing: a gap before it."
        )
    )


def monitoring_summary_text(marts: Marts) -> str | None:
    """One sentence rolling local monitoring up to the programme; None without any indicator register."""
    summary = marts.monitoring
    if summary.empty:
        return None
    total = summary[
        ["indicators", "on_track", "off_track", "with_special_cause", "late_returns", "missing_returns"]
    ].sum()
    due = int((summary["late_returns"] + summary["missing_returns"] > 0).sum())

    def many(count: object, one: str, more: str) -> str:
        return f"{int(count)} {one if int(count) == 1 else more}"

    return (
        f"{many(len(summary), 'partnership monitors', 'partnerships monitor')} "
        f"{many(total['indicators'], 'indicator', 'indicators')} of their own: at the latest return, "
        f"{int(total['on_track'])} are on track and {int(total['off_track'])} off track; "
        f"{many(total['with_special_cause'], 'shows', 'show')} a special cause. "
        f"{many(total['late_returns'], 'return is', 'returns are')} late and {int(total['missing_returns'])} "
        f"missing, from {many(due, 'partnership', 'partnerships')}."
    )
