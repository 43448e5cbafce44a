"""The evaluation report: publication-quality tables (great-tables) and plots over the published marts.

`build_reports` writes `reports/evaluation_report.html` (the programme view: success-factor matrix, QCA,
outcomes, support offer, coder agreement) and one case-study page per partnership under
`reports/partnerships/`, each file written beside its final name and renamed into place. It reads the
marts through a DuckDB connection, so it shows exactly what researchers see.

Names, codes and excerpts are data, shown as text, never read as markup. Pages are Jinja2 templates in
`templates/`, rendered with autoescaping on, so every value put in a page is escaped; the only markup a page
takes unescaped is a great-tables table (`_table_markup`). Inside a table, every value from the marts is a
plain string or number in the table's data or a plain-string header or note: great-tables escapes those
(`fmt_markdown`, `md()`, `html()` and `fmt_units` would read them as markup, so none is used on data, and
column labels given to `cols_label`, which parses `{{units}}`, are written here, never taken from data: a
column named by data, such as a success factor's name, carries the name as its column name, which great-tables
shows as escaped text).
Charts draw names with matplotlib's mathtext off, so a '$' is a dollar sign.
"""

from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import jinja2
import matplotlib

matplotlib.use("Agg")  # files only: no display on a server
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from great_tables import GT, loc, style  # noqa: E402
from markupsafe import Markup  # noqa: E402

from pipeline.comparison.analysis import OUTCOME, qca_not_run  # noqa: E402

RATING_COLOURS = {"strong": "#1a9850", "mixed": "#fee08b", "weak": "#d73027", "contested": "#9e9ac8"}
COMPARISON_COLOURS = {"Better": "#92d050", "Similar": "#ffc000", "Worse": "#c00000", "Not compared": "#ffffff"}
TEMPLATES = Path(__file__).parent / "templates"
# Autoescaping for every template, whatever its name: a value reaches a page as text unless it is Markup.
PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Marts:
    """The marts a report needs, read once."""

    profile: pd.DataFrame
    matrix: pd.DataFrame
    trends: pd.DataFrame
    change: pd.DataFrame
    support: pd.DataFrame
    agreement: pd.DataFrame
    solutions: pd.DataFrame
    truth_table: pd.DataFrame
    memberships: pd.DataFrame
    drivers: pd.DataFrame
    wave_change: pd.DataFrame
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)  # indicator_progress (local monitoring)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, schema: str = "marts") -> Marts:
        def table(name: str) -> pd.DataFrame:
            return con.execute(f"SELECT * FROM {schema}.{name}").df()

        return cls(
            profile=table("partnership_profile"),
            matrix=table("success_factor_matrix"),
            trends=table("outcome_trends"),
            change=table("outcome_change"),
            support=table("support_usefulness"),
            agreement=table("coder_agreement"),
            solutions=table("qca_solutions"),
            truth_table=table("qca_truth_table"),
            memberships=table("qca_memberships"),
            drivers=table("driver_coverage"),
            wave_change=table("wave_change"),
            progress=table("indicator_progress"),
        )


def _colour_by(mapping: dict[str, str]):
    return lambda values: [mapping.get(value) if isinstance(value, str) else None for value in values]


def factor_labels(matrix: pd.DataFrame, taken: tuple[str, ...] = ()) -> dict[str, str]:
    """Each success factor's name as `success_factor_matrix` publishes it (from `success_factors.csv`), in the
    reference file's order: factor id -> a column heading. A name shared with another factor or with a column
    in `taken` gets its id in brackets, so every heading is distinct."""
    factors = (
        matrix[["factor_id", "factor_name", "factor_position"]]
        .drop_duplicates("factor_id")
        .sort_values(["factor_position", "factor_id"])
    )
    counts = factors["factor_name"].value_counts()
    return {
        row.factor_id: (
            row.factor_name
            if counts[row.factor_name] == 1 and row.factor_name not in taken
            else f"{row.factor_name} ({row.factor_id})"
        )
        for row in factors.itertuples(index=False)
    }


def factor_matrix_table(marts: Marts) -> GT:
    """Partnership x factor: triangulated rating, colour-coded, with the survey mean in brackets; one column
    per success factor, headed by its name, in the order of `success_factors.csv`."""
    matrix = marts.matrix.assign(
        cell=lambda f: (
            f["triangulated_rating"].fillna("no evidence")
            + f["survey_mean"].map(lambda m: f" ({m:.1f})" if pd.notna(m) else "")
        )
    )
    # Headings are the factors' names as column names: great-tables shows a column name as escaped text,
    # while `cols_label` would read '{{...}}' in a name as units.
    labels = factor_labels(matrix, taken=("partnership",))
    wide = matrix.pivot(index="partnership_id", columns="factor_id", values="cell")[list(labels)].rename(columns=labels)
    ratings = matrix.pivot(index="partnership_id", columns="factor_id", values="triangulated_rating")[
        list(labels)
    ].rename(columns=labels)
    names = marts.profile.set_index("partnership_id")["partnership_name"]
    wide.insert(0, "partnership", [f"{pid} {names.get(pid, '')}" for pid in wide.index])
    wide.columns.name = None
    table = (
        GT(wide.reset_index(drop=True))
        .tab_header(
            "Success factors by partnership",
            "Triangulated rating from the stakeholder survey and site-visit codings (survey mean in brackets)",
        )
        .tab_source_note(
            "Ratings: strong, mixed or weak per method, combined by convergence coding (Farmer et al. 2006); contested where survey and site visits disagree. Survey means under the disclosure threshold are not shown."
        )
    )
    for factor in labels.values():
        for rating, colour in RATING_COLOURS.items():
            rows = [i for i, value in enumerate(ratings[factor]) if value == rating]
            if rows:
                text = "white" if rating in ("strong", "weak") else "#1f2933"
                table = table.tab_style(
                    style=[style.fill(color=colour), style.text(color=text)],
                    locations=loc.body(columns=factor, rows=rows),
                )
    return table


def qca_table(marts: Marts) -> GT:
    """The parsimonious and intermediate solutions, one row per term."""
    solutions = marts.solutions[marts.solutions["kind"].isin(["parsimonious", "intermediate"])]
    solutions = solutions[solutions["model"].isin(["M1", "C1P1-M1"])]
    shown = solutions[
        [
            "kind",
            "solution",
            "term",
            "term_consistency",
            "term_coverage",
            "term_unique_coverage",
            "term_cases",
            "solution_consistency",
            "solution_coverage",
        ]
    ]
    models = marts.solutions.groupby("kind")["n_models"].first().to_dict()
    cases = int(marts.memberships["excluded_reason"].isna().sum())
    conditions = len([c for c in marts.memberships.columns if c not in ("partnership_id", OUTCOME, "excluded_reason")])
    not_run = qca_not_run(cases, conditions)
    note = (
        f"Not run: {not_run.reason}. Why each partnership was left out is in the qca_memberships mart."
        if not_run
        else f"Equally minimal models: {', '.join(f'{kind} {n}' for kind, n in models.items())}. All are in the qca_solutions mart."
    )
    return (
        GT(shown, groupname_col="kind")
        .tab_header(
            "Configurations sufficient for success (QCA)",
            "First equally minimal model of each solution; NAME = factor strong, ~NAME = weak",
        )
        .fmt_number(
            columns=[
                "term_consistency",
                "term_coverage",
                "term_unique_coverage",
                "solution_consistency",
                "solution_coverage",
            ],
            decimals=2,
        )
        .cols_label(
            term="Term",
            solution="Model",
            term_consistency="Consistency",
            term_coverage="Coverage",
            term_unique_coverage="Unique coverage",
            term_cases="Partnerships",
            solution_consistency="Model consistency",
            solution_coverage="Model coverage",
        )
        .tab_source_note(note)
    )


def truth_table_table(marts: Marts) -> GT:
    observed = marts.truth_table[marts.truth_table["n"] > 0][
        ["row", "configuration", "OUT", "n", "incl", "PRI", "cases"]
    ]
    return (
        GT(observed)
        .tab_header("QCA truth table", "Observed configurations of the success factors, with consistency with success")
        .fmt_number(columns=["incl", "PRI"], decimals=2)
        .data_color(columns="incl", palette=["#d73027", "#fee08b", "#1a9850"], domain=[0, 1])
        .cols_label(cases={"OUT": "Outcome", "n": "Cases", "incl": "Consistency", "cases": "Partnerships"})
    )


def outcome_table(marts: Marts, partnerships: list[str] | None = None) -> GT:
    """Headline indicator per partnership: the series as a nanoplot, the latest value beside England."""
    headline = marts.change[marts.change["headline"]][
        ["partnership_id", "indicator_id", "indicator_name", "classification"]
    ]
    if partnerships is not None:
        headline = headline[headline["partnership_id"].isin(partnerships)]
    trends = marts.trends.sort_values("period_sort_key")
    rows = []
    for item in headline.itertuples():
        series = trends[
            (trends["partnership_id"] == item.partnership_id) & (trends["indicator_id"] == item.indicator_id)
        ]
        latest = series.iloc[-1] if not series.empty else None
        rows.append(
            {
                "partnership": item.partnership_id,
                "indicator": item.indicator_name,
                "trend": " ".join(f"{v:.4g}" for v in series["value"]) if not series.empty else None,
                "period": latest["period"] if latest is not None else None,
                "value": latest["value"] if latest is not None else None,
                "england": latest["england_value"] if latest is not None else None,
                "compared": latest["compared_to_england_95"] if latest is not None else "Not compared",
                "change": item.classification,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["partnership", "indicator", "trend", "period", "value", "england", "compared", "change"]
    )
    table = (
        GT(frame)
        .tab_header(
            "Headline outcome indicators",
            "Fingertips values for the partnership's area(s), latest period beside England",
        )
        .fmt_number(columns=["value", "england"], decimals=1)
        .sub_missing(missing_text="no data")
        .data_color(columns="compared", fn=_colour_by(COMPARISON_COLOURS))
        .cols_label(
            trend="Trend",
            period="Latest period",
            value="Value",
            england="England",
            compared="vs England (95%)",
            change="Change around support, vs England",
        )
    )
    if note := _outcome_gap_note(frame, partnerships):
        table = table.tab_source_note(note)
    if frame["trend"].notna().any():
        table = table.fmt_nanoplot(columns="trend", plot_type="line")
    return table


def _outcome_gap_note(frame: pd.DataFrame, partnerships: list[str] | None) -> str | None:
    """What the outcome table lacks, from the data it shows: rows without data, or no headline indicator at
    all; None when every row has data."""
    if frame.empty:
        return (
            "No headline outcome indicator is defined for this problem (outcome_indicators.csv)."
            if (partnerships is not None)
            else "No headline outcome indicators are defined (outcome_indicators.csv)."
        )
    missing = frame["trend"].isna()
    if not missing.any():
        return None
    if missing.all():
        return "No outcome data for the headline indicator: the gap is shown, never filled."
    return (
        f"No outcome data for {int(missing.sum())} of {len(frame)} headline indicator series "
        f"({', '.join(sorted(set(frame.loc[missing, 'partnership'])))}): the gap is shown, never filled."
    )


def support_table(marts: Marts) -> GT:
    rated = marts.support.dropna(subset=["rated", "mean_usefulness"]).assign(
        total=lambda f: f["mean_usefulness"] * f["rated"]
    )
    support = rated.groupby(["support_label", "wave"], as_index=False)[["total", "rated"]].sum()
    support["mean"] = support["total"] / support["rated"]
    wide = support.pivot(index="support_label", columns="wave", values="mean").reset_index()
    waves = [c for c in wide.columns if c != "support_label"]
    return (
        GT(wide)
        .tab_header(
            "Usefulness of the support offer",
            "Mean rating, 1 (not at all useful) to 4 (very useful), across stakeholder groups whose counts are published",
        )
        .fmt_number(columns=waves, decimals=2)
        .data_color(columns=waves, palette=["#fc8d59", "#ffffbf", "#91cf60"], domain=[1, 4])
        .cols_label(support_label="Support")
    )


def agreement_table(marts: Marts) -> GT:
    agreement = marts.agreement[
        ["code", "n_units", "percent_agreement", "cohens_kappa", "krippendorff_alpha", "alpha_ci_low", "alpha_ci_high"]
    ]
    return (
        GT(agreement)
        .tab_header("Agreement between site-visit coders", "Per code and pooled; unit: source document x code presence")
        .fmt_number(
            columns=["percent_agreement", "cohens_kappa", "krippendorff_alpha", "alpha_ci_low", "alpha_ci_high"],
            decimals=2,
        )
        .cols_merge_range(col_begin="alpha_ci_low", col_end="alpha_ci_high")
        .data_color(columns="krippendorff_alpha", palette=["#d73027", "#fee08b", "#1a9850"], domain=[0, 1])
        .cols_label(
            code="Code",
            n_units="Units",
            percent_agreement="Agreement",
            cohens_kappa="Cohen's kappa",
            krippendorff_alpha="Krippendorff's alpha",
            alpha_ci_low="95% interval",
        )
    )


def trend_plot(marts: Marts, partnership_id: str) -> str | None:
    """PNG (base64) of the headline indicator over time beside England, or None without data."""
    change = marts.change[(marts.change["partnership_id"] == partnership_id) & marts.change["headline"]]
    if change.empty:
        return None
    indicator = change.iloc[0]
    series = marts.trends[
        (marts.trends["partnership_id"] == partnership_id) & (marts.trends["indicator_id"] == indicator["indicator_id"])
    ]
    if series.empty:
        return None
    series = series.sort_values("period_sort_key")
    # Names are data: a '$' in an indicator's name is a dollar sign, never the start of matplotlib's mathtext.
    with plt.rc_context({"text.parse_math": False}):
        return _trend_png(series, indicator, partnership_id)


def _trend_png(series: pd.DataFrame, indicator: pd.Series, partnership_id: str) -> str:
    figure, axis = plt.subplots(figsize=(7, 3.2), dpi=110)
    axis.plot(series["period"], series["value"], marker="o", color="#1f4e79", label=partnership_id)
    if series[["lower_ci95", "upper_ci95"]].notna().all(axis=None):
        axis.fill_between(
            series["period"],
            series["lower_ci95"],
            series["upper_ci95"],
            color="#1f4e79",
            alpha=0.15,
            label="95% interval",
        )
    axis.plot(series["period"], series["england_value"], linestyle="--", color="#7b8794", label="England")
    start = str(indicator["support_start"])[:4]
    axis.set_title(f"{indicator['indicator_name']} (support from {start})", fontsize=10)
    axis.tick_params(axis="x", labelrotation=45, labelsize=8)
    axis.legend(fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


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
        .data_color(columns="status", fn=_colour_by({"on track": "#d1e5f0", "off track": "#f4a582"}))
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


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, path)


def case_study_page(marts: Marts, partnership_id: str) -> str:
    """One partnership's page: profile, factor evidence with excerpts, outcome trend, drivers, change."""
    profile = marts.profile.set_index("partnership_id").loc[partnership_id]
    evidence = (
        marts.matrix[marts.matrix["partnership_id"] == partnership_id]
        .sort_values(["factor_position", "factor_id"])
        .assign(factor=lambda f: f["factor_name"])
    )
    evidence_table = (
        GT(
            evidence[
                [
                    "factor",
                    "survey_mean",
                    "survey_ci_low",
                    "survey_ci_high",
                    "enabler_passages",
                    "barrier_passages",
                    "triangulated_rating",
                    "convergence",
                    "excerpts",
                ]
            ]
        )
        .tab_header("Evidence on each success factor")
        .fmt_number(columns=["survey_mean", "survey_ci_low", "survey_ci_high"], decimals=2)
        .cols_merge_range(col_begin="survey_ci_low", col_end="survey_ci_high")
        .sub_missing(missing_text="-")
        .data_color(columns="triangulated_rating", fn=_colour_by(RATING_COLOURS))
        .cols_label(
            factor="Factor",
            survey_mean="Survey mean",
            survey_ci_low="95% interval",
            enabler_passages="Enabler passages",
            barrier_passages="Barrier passages",
            triangulated_rating="Rating",
            convergence="Methods",
            excerpts="From the site visits",
        )
    )
    drivers = marts.drivers[marts.drivers["partnership_id"] == partnership_id]
    driver_table = (
        GT(
            drivers[
                ["primary_driver", "secondary_driver", "interventions", "commissioners", "annual_spend", "coverage"]
            ],
            groupname_col="primary_driver",
        )
        .tab_header("Driver diagram coverage", "Planned or active interventions on each secondary driver")
        .fmt_currency(columns="annual_spend", currency="GBP", decimals=0)
        .sub_missing(missing_text="-")
        .data_color(
            columns="coverage", fn=_colour_by({"gap": "#f4a582", "covered": "#d1e5f0", "duplication": "#fddbc7"})
        )
        .cols_label(
            secondary_driver="Secondary driver",
            interventions="Interventions",
            commissioners="Commissioners",
            annual_spend="Annual spend",
            coverage="Coverage",
        )
    )
    imd_rank = profile["imd2019_rank_most_deprived_area"]
    return _render(
        "case_study.html",
        partnership_id=partnership_id,
        name=profile["partnership_name"],
        problem=profile["wicked_problem"].replace("_", " ").capitalize(),
        round=profile["programme_round"],
        support_start=str(profile["support_start"])[:10],
        support_end=str(profile["support_end"])[:10],
        area_codes=profile["area_codes"],
        # English indices only: an area elsewhere (or missing from the file) has none, a gap said as such.
        imd_rank=imd_rank if pd.notna(imd_rank) else "none (no deprivation data for its areas)",
        trend_png=trend_plot(marts, partnership_id),
        spc_charts=spc_charts(marts, partnership_id),
        monitoring=_table_markup(table) if (table := monitoring_table(marts, partnership_id)) is not None else None,
        tables={
            "evidence": _table_markup(evidence_table),
            "outcomes": _table_markup(outcome_table(marts, [partnership_id])),
            "drivers": _table_markup(driver_table),
        },
    )


def programme_report(marts: Marts) -> str:
    """The programme page: the success-factor matrix, QCA, outcomes, support offer and coder agreement."""
    return _render(
        "evaluation_report.html",
        partnerships=list(marts.profile["partnership_id"]),
        tables={
            "factor_matrix": _table_markup(factor_matrix_table(marts)),
            "qca": _table_markup(qca_table(marts)),
            "truth_table": _table_markup(truth_table_table(marts)),
            "outcomes": _table_markup(outcome_table(marts)),
            "support": _table_markup(support_table(marts)),
            "agreement": _table_markup(agreement_table(marts)),
        },
    )


def _table_markup(table: GT) -> Markup:
    """A great-tables table as markup for a page: the one place a page takes HTML it does not escape.
    great-tables escapes the text it is given (see the module docstring)."""
    return Markup(table.as_raw_html())


def _render(template: str, **values: object) -> str:
    return PAGES.get_template(template).render(**values)


def build_reports(con: duckdb.DuckDBPyConnection, marts_dir: Path) -> list[Path]:
    """Write the programme report and every case-study page; returns the files written."""
    marts = Marts.read(con)
    reports = marts_dir / "reports"
    written = [reports / "evaluation_report.html"]
    _write(written[0], programme_report(marts))
    for partnership_id in marts.profile["partnership_id"]:
        path = reports / "partnerships" / f"{partnership_id}.html"
        _write(path, case_study_page(marts, partnership_id))
        written.append(path)
    return written


def markdown_tables(marts: Marts) -> dict[str, pd.DataFrame]:
    """The report's main tables as plain frames, for the Dagster UI (which shows Markdown, not HTML)."""
    labels = factor_labels(marts.matrix, taken=("partnership_id",))
    matrix = marts.matrix.pivot(index="partnership_id", columns="factor_id", values="triangulated_rating")[list(labels)]
    solutions = marts.solutions[marts.solutions["model"].isin(["M1", "C1P1-M1"])]
    return {
        "success_factor_matrix": matrix.rename(columns=labels).rename_axis(columns=None).reset_index(),
        "qca_solutions": solutions[["kind", "solution", "term", "term_consistency", "term_coverage"]].round(2),
        "coder_agreement": marts.agreement[["code", "percent_agreement", "krippendorff_alpha"]].round(2),
    }
