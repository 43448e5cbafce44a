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
import re
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
from pipeline.reports import benefits as benefit_report  # noqa: E402
from pipeline.reports import challenges, comments, evidence, findings  # noqa: E402
from pipeline.reports import sustainment as sustainment_report  # noqa: E402
from pipeline.reports.marts import Marts, colour_by, factor_labels, factor_names  # noqa: E402
from pipeline.reports.monitoring import (  # noqa: E402
    monitoring_overview_table,
    monitoring_ranking,
    monitoring_summary_text,
    monitoring_table,
    spc_charts,
)
from pipeline.reports.narratives import NARRATIVE_MARKDOWN, Narratives  # noqa: E402
from pipeline.reports.provenance import Provenance, source_summary  # noqa: E402

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


def _breakable(terms: pd.Series) -> pd.Series:
    """A QCA expression with a zero-width space after each '*', where a line may break (it shows nothing)."""
    return terms.str.replace("*", "*\u200b", regex=False)


def qca_table(marts: Marts) -> GT:
    """Every equally minimal model of each solution (complex, parsimonious, intermediate), each distinct model
    once, one row per term with its consistency, coverage and unique coverage; the model's own fit, its
    simplifying assumptions and any contradictions in the group heading and notes."""
    cases = int(marts.memberships["excluded_reason"].isna().sum())
    conditions = len(
        [
            c
            for c in marts.memberships.columns
            if c not in ("partnership_id", OUTCOME, "excluded_reason", "evidence_base")
        ]
    )
    not_run = qca_not_run(cases, conditions, challenges.evidence_base_of(marts.memberships) or "survey")
    rows, notes = [], []
    for kind in ("parsimonious", "intermediate", "complex"):
        models = findings.distinct_models(marts.solutions, kind)
        repeated = marts.solutions[marts.solutions["kind"] == kind].groupby("solution", sort=False)["model"].unique()
        for model, terms in models.groupby("model", sort=False):
            first = terms.iloc[0]
            same = [m for m in repeated[first["solution"]] if m != model]
            heading = (
                f"{kind.capitalize()} {model}: {first['solution']} (consistency "
                f"{findings.number(first['solution_consistency'])}, coverage "
                f"{findings.number(first['solution_coverage'])})"
            )
            if same:
                heading += f"; the same model as {', '.join(same)}"
            for term in terms.itertuples(index=False):
                rows.append(
                    {
                        "model": heading,
                        "term": term.term,
                        "term_consistency": term.term_consistency,
                        "term_coverage": term.term_coverage,
                        "term_unique_coverage": term.term_unique_coverage,
                        # Spaced, so a long list wraps in its column.
                        "term_cases": ", ".join(str(term.term_cases).split(",")) if term.term_cases else None,
                    }
                )
            assumptions = _row_count(first["simplifying_assumptions"])
            contradictory = _row_count(first["contradictory_assumptions"])
            if assumptions:
                notes.append(
                    f"{kind.capitalize()} {model}: {assumptions} simplifying assumptions (remainder rows)"
                    + (
                        f", {contradictory} of them also used to explain failure (contradictory)"
                        if contradictory
                        else ""
                    )
                    + "."
                )
    frame = pd.DataFrame(
        rows, columns=["model", "term", "term_consistency", "term_coverage", "term_unique_coverage", "term_cases"]
    )
    contradictions = marts.truth_table.loc[marts.truth_table["contradiction"].fillna(False).astype(bool), "row"]
    if not_run:
        notes = [f"Not run: {not_run.reason}. Why each partnership was left out is in the qca_memberships mart."]
    else:
        notes.insert(0, "Every equally minimal model is shown, each distinct model once; all are in qca_solutions.")
        notes.append(
            f"Contradictory truth-table rows (successful and unsuccessful partnerships alike): "
            f"{', '.join(str(r) for r in contradictions)}."
            if len(contradictions)
            else "No truth-table row holds both successful and unsuccessful partnerships (no contradictions)."
        )
    table = (
        GT(frame, groupname_col="model")
        .tab_header(
            "Configurations sufficient for success (QCA)",
            "Each equally minimal model; NAME = factor strong, ~NAME = weak; unique coverage = success only that term explains",
        )
        .fmt_number(columns=["term_consistency", "term_coverage", "term_unique_coverage"], decimals=2)
        .cols_label(
            term="Term",
            term_consistency="Consistency",
            term_coverage="Coverage",
            term_unique_coverage="Unique coverage",
            term_cases="Partnerships",
        )
    )
    for note in notes:
        table = table.tab_source_note(note)
    return table


def _row_count(rows: object) -> int:
    """How many truth-table rows a comma-separated list in `qca_solutions` names."""
    return len([r for r in str(rows).split(",") if r.strip()]) if isinstance(rows, str) else 0


def factor_outcome_table(marts: Marts) -> GT:
    """Factor x success: partnerships strong and weak on each factor, the share judged successful with Wilson's
    interval, the difference with Newcombe's, and the share whose headline outcome improved."""
    names = factor_names(marts)
    rows = []
    by_factor = dict(tuple(marts.factor_outcome.groupby("factor_id", sort=False)))
    for factor_id in [f for f in names if f in by_factor] + [f for f in by_factor if f not in names]:
        levels = by_factor[factor_id].set_index("level")
        if not {"strong", "weak"} <= set(levels.index):
            continue
        strong, weak = levels.loc["strong"], levels.loc["weak"]
        rows.append(
            {
                "factor": names.get(factor_id, factor_id),
                "strong": _successes(strong),
                "strong_ci": findings.share_interval(strong["share_ci_low"], strong["share_ci_high"]),
                "weak": _successes(weak),
                "weak_ci": findings.share_interval(weak["share_ci_low"], weak["share_ci_high"]),
                "difference": findings.points(strong["difference_strong_minus_weak"]),
                "difference_ci": findings.interval(
                    100 * strong["difference_ci_low"], 100 * strong["difference_ci_high"], 0
                ),
                "improved_strong": _improved(strong),
                "improved_weak": _improved(weak),
            }
        )
    columns = ["factor", "strong", "strong_ci", "weak", "weak_ci", "difference", "difference_ci"]
    frame = pd.DataFrame(rows, columns=[*columns, "improved_strong", "improved_weak"])
    return (
        GT(frame)
        .tab_header(
            "Success by factor",
            "Partnerships judged to have achieved their objectives, by strong or weak membership in each factor",
        )
        .tab_spanner("Strong on the factor", columns=["strong", "strong_ci"])
        .tab_spanner("Weak on the factor", columns=["weak", "weak_ci"])
        .tab_spanner("Strong minus weak", columns=["difference", "difference_ci"])
        .tab_spanner("Headline outcome improved", columns=["improved_strong", "improved_weak"])
        .cols_label(
            factor="Factor",
            strong="Successful",
            strong_ci="95% CI (Wilson)",
            weak="Successful",
            weak_ci="95% CI (Wilson)",
            difference="Difference",
            difference_ci="95% CI (Newcombe)",
            improved_strong="Strong",
            improved_weak="Weak",
        )
        .tab_source_note(
            "Strong: membership above 0.5 in the factor's QCA condition. Only partnerships in the comparative "
            "analysis (see Exclusions). Small numbers: read differences as association, not effect."
        )
    )


def _successes(level: pd.Series) -> str:
    return f"{int(level['successful'])} of {int(level['partnerships'])} ({findings.percent(level['share_successful'])})"


def _improved(level: pd.Series) -> str:
    if not level["with_outcome_data"]:
        return "no outcome data"
    return f"{int(level['outcome_improved'])} of {int(level['with_outcome_data'])}"


def necessity_table(marts: Marts) -> GT:
    """Each condition (and its absence) as necessary for success: consistency, coverage and relevance, with
    the near-necessary ones (consistency 0.9 or more, Ragin 2006) marked."""
    frame = marts.necessity[["condition", "consistency", "coverage", "RoN"]].assign(
        reading=lambda f: f["consistency"].map(
            lambda c: "near-necessary" if pd.notna(c) and c >= findings.NEAR_NECESSARY else ""
        )
    )
    return (
        GT(frame)
        .tab_header("Necessary conditions", "Is a condition (or its absence) present wherever success is?")
        .fmt_number(columns=["consistency", "coverage", "RoN"], decimals=2)
        .cols_label(
            condition="Condition", consistency="Consistency", coverage="Coverage", RoN="Relevance", reading="Reading"
        )
        .tab_source_note(
            "Near-necessary: consistency 0.9 or more (Ragin 2006). Low relevance (Schneider & Wagemann 2012) warns"
            " that a condition is near-necessary only because it is common."
        )
    )


def importance_table(marts: Marts) -> GT:
    """The model of success: each factor's coefficient and permutation importance, most important first, with
    the model's accuracy and its small-sample caveat."""
    names = factor_names(marts)
    importance = marts.importance.sort_values("rank")
    frame = importance.assign(factor=importance["factor_id"].map(lambda f: names.get(f, f)))[
        ["rank", "factor", "coefficient", "importance_mean", "importance_sd"]
    ]
    table = (
        GT(frame)
        .tab_header(
            "How much each factor matters in a model of success",
            "Penalised logistic regression on the factors' calibrated memberships (the QCA's evidence); importance = loss of fit when the factor is shuffled",
        )
        .fmt_number(columns=["coefficient"], decimals=2)
        .fmt_number(columns=["importance_mean", "importance_sd"], decimals=3)
        .cols_label(
            rank="Rank",
            factor="Factor",
            coefficient="Log-odds per SD",
            importance_mean="Importance",
            importance_sd="SD",
        )
    )
    if not importance.empty:
        first = importance.iloc[0]
        table = table.tab_source_note(
            f"Leave-one-out accuracy {findings.percent(first['loo_accuracy'])}; always guessing the larger group: "
            f"{findings.percent(first['baseline_accuracy'])}. {first['caveat']}"
        )
    return table


def barrier_evidence(marts: Marts) -> pd.DataFrame:
    """Per factor and outcome group (`not`: did not succeed, `yes`: succeeded; partnerships in the comparative
    analysis only): the group's size, its partnerships with barrier passages, the passages, and the triangulated
    weak ratings."""
    names = factor_names(marts)
    outcome = marts.memberships.set_index("partnership_id")[OUTCOME]
    matrix = marts.matrix.assign(succeeded=marts.matrix["partnership_id"].map(outcome))
    groups = {"not": matrix[matrix["succeeded"] < 0.5], "yes": matrix[matrix["succeeded"] >= 0.5]}
    rows = []
    for factor_id, name in names.items():
        row = {"factor_id": factor_id, "factor": name}
        for key, group in groups.items():
            rows_of = group[group["factor_id"] == factor_id]
            row[f"{key}_size"] = group["partnership_id"].nunique()
            row[f"{key}_with_barriers"] = int((rows_of["barrier_passages"] > 0).sum())
            row[f"{key}_passages"] = int(rows_of["barrier_passages"].sum())
            row[f"{key}_weak"] = int((rows_of["triangulated_rating"] == "weak").sum())
        rows.append(row)
    return pd.DataFrame(rows)


def barriers_table(marts: Marts) -> GT:
    """Barrier evidence on each factor where partnerships did not succeed, beside those that did: partnerships
    with barrier passages in the site-visit codings, the passages, and triangulated weak ratings."""
    evidence = barrier_evidence(marts)
    frame = pd.DataFrame({"factor": evidence["factor"]})
    for key in ("not", "yes"):
        frame[f"{key}_partnerships"] = [
            f"{n} of {size}" for n, size in zip(evidence[f"{key}_with_barriers"], evidence[f"{key}_size"], strict=True)
        ]
        frame[f"{key}_passages"] = evidence[f"{key}_passages"]
        frame[f"{key}_weak"] = evidence[f"{key}_weak"]
    unassessed = int(marts.memberships[OUTCOME].isna().sum())
    table = (
        GT(frame)
        .tab_header(
            "Challenges and barriers",
            "Site-visit passages coding each factor as holding the work back, where partnerships did and did not succeed",
        )
        .tab_spanner("Did not succeed", columns=["not_partnerships", "not_passages", "not_weak"])
        .tab_spanner("Succeeded", columns=["yes_partnerships", "yes_passages", "yes_weak"])
        .cols_label(
            factor="Factor",
            not_partnerships="With barrier passages",
            not_passages="Passages",
            not_weak="Rated weak",
            yes_partnerships="With barrier passages",
            yes_passages="Passages",
            yes_weak="Rated weak",
        )
        .tab_source_note("The configurations of failure (QCA of the negated outcome) follow in the next table.")
    )
    if unassessed:
        table = table.tab_source_note(
            f"{unassessed} partnerships left out of the comparative analysis (see Exclusions) are in neither group."
        )
    return table


IMPROVED = ("improved", "improved (point estimate)")
WORSENED = ("worsened", "worsened (point estimate)")


def impacts_table(marts: Marts) -> GT:
    """A programme roll-up of the headline outcomes' change around support: partnerships in each classification,
    by wicked problem and in all."""
    headline = marts.change[marts.change["headline"]].merge(
        marts.profile[["partnership_id", "wicked_problem"]], on="partnership_id"
    )
    headline = headline.assign(problem=headline["wicked_problem"].str.replace("_", " ").str.capitalize())
    counts = pd.crosstab(headline["classification"], headline["problem"])
    order = [*IMPROVED, "no clear change", "no clear change (point estimate)", *WORSENED, "insufficient data"]
    counts = counts.reindex(sorted(counts.index, key=lambda c: order.index(c) if c in order else len(order)))
    counts["All partnerships"] = counts.sum(axis=1)
    frame = counts.rename_axis(index="classification", columns=None).reset_index()
    return (
        GT(frame)
        .tab_header(
            "Impacts: headline outcomes around support",
            "Partnerships by the change in their headline indicator against England, from before to after support",
        )
        .cols_label(classification="Change against England")
        .tab_source_note(
            "Improved or worsened: the 95% interval of the change lies wholly on one side; (point estimate): no "
            "interval, a change beyond the setting min_relative_change. Insufficient data: no baseline or follow-up."
        )
    )


def verdict_disagreements_table(marts: Marts) -> GT:
    """The partnerships whose headline outcome points the other way from the evaluation team's verdict
    (`outcome_verdict_agreement`), with how many agree and how many cannot tell."""
    verdicts = marts.verdicts
    counts = verdicts["agreement"].value_counts() if not verdicts.empty else pd.Series(dtype=int)
    disagree = verdicts[verdicts["agreement"] == "disagree"] if not verdicts.empty else verdicts
    names = marts.profile.set_index("partnership_id")["partnership_name"]
    frame = pd.DataFrame(
        {
            "partnership": [f"{p} {names.get(p, '')}".strip() for p in disagree.get("partnership_id", [])],
            "verdict": ["Achieved" if v else "Not achieved" for v in disagree.get("achieved_objectives", [])],
            "indicator": list(disagree.get("headline_indicator_name", [])),
            "classification": list(disagree.get("classification", [])),
            "reason": list(disagree.get("reason", [])),
        },
        columns=["partnership", "verdict", "indicator", "classification", "reason"],
    )
    table = (
        GT(frame)
        .tab_header(
            "Where the outcome statistics and the verdict disagree",
            f"{int(counts.get('disagree', 0))} disagree, {int(counts.get('agree', 0))} agree, "
            f"{int(counts.get('cannot tell', 0))} cannot tell, of {len(verdicts)} partnerships",
        )
        .cols_label(
            partnership="Partnership",
            verdict="Evaluators' verdict",
            indicator="Headline indicator",
            classification="Change against England",
            reason="Why",
        )
        .tab_source_note(
            "Agree: improved and achieved, or worsened and not achieved. Disagree: worsened and achieved, or improved "
            "and not achieved. Cannot tell: no clear change, insufficient data, or no verdict. A point estimate counts"
            " as its direction unless the setting improved_needs_interval is true."
        )
    )
    if frame.empty:
        table = table.tab_source_note("No partnership's headline outcome contradicts its verdict.")
    return table


def impacts_summary(marts: Marts) -> str:
    """One sentence rolling the headline outcome classifications up to the programme."""
    headline = marts.change[marts.change["headline"]]
    classified = headline[headline["classification"] != "insufficient data"]
    improved = int(classified["classification"].isin(IMPROVED).sum())
    worsened = int(classified["classification"].isin(WORSENED).sum())
    clear = int((classified["classification"] == "improved").sum())
    return (
        f"Of {len(headline)} partnerships' headline indicators, {len(classified)} have data before and after support: "
        f"{improved} improved against England ({clear} by their 95% interval), {worsened} worsened, and "
        f"{len(classified) - improved - worsened} showed no clear change. "
        f"{len(headline) - len(classified)} lack the data to say."
    )


def support_by_group_table(marts: Marts) -> GT:
    """Usefulness of each support type by stakeholder group and wave: mean rating and share rating it useful,
    where published."""
    support = marts.support.assign(
        cell=lambda f: [
            f"{findings.number(mean)} ({findings.percent(share)} useful)" if pd.notna(mean) else "not published"
            for mean, share in zip(f["mean_usefulness"], f["share_useful"], strict=True)
        ]
    )
    support = support.assign(stakeholder_group=marts.label("stakeholder_group", support["stakeholder_group"]))
    wide = support.pivot(index=["wave", "support_label"], columns="stakeholder_group", values="cell").reset_index()
    wide.columns.name = None
    wide["wave"] = marts.label("wave", wide["wave"])
    groups = [c for c in wide.columns if c not in ("wave", "support_label")]
    return (
        GT(wide, groupname_col="wave")
        .tab_header(
            "The support offer by stakeholder group",
            "Mean usefulness, 1 (not at all) to 4 (very useful), and the share rating it useful, per wave",
        )
        .tab_spanner("Stakeholder group", columns=groups)
        .cols_label(support_label="Support")
        .tab_source_note("Not published: fewer raters than the disclosure threshold.")
    )


def response_table(marts: Marts) -> GT:
    """Response per wave: the programme's rate, then each stakeholder group's, from the totals
    `response_rates` publishes under disclosure control; and how many partnerships' rates are published."""
    response = marts.response
    cells = response[response["level"] == "cell"]
    published_cells = cells.groupby("wave")["response_rate"].agg(lambda r: f"{r.notna().sum()} of {len(r)}")
    totals = response[response["level"].isin(["wave", "wave x stakeholder group"])].copy()
    totals["group"] = marts.label("stakeholder_group", totals["stakeholder_group"]).where(
        totals["level"] != "wave", "All groups"
    )
    totals["order"] = (totals["level"] != "wave").astype(int)
    frame = totals.sort_values(["wave", "order", "group"]).assign(
        counts=lambda f: [
            "not published" if withheld else f"{r:,} of {i:,}" if pd.notna(r) and pd.notna(i) else "n/a"
            for r, i, withheld in zip(f["respondents"], f["invited"], f["suppressed"], strict=True)
        ],
        rate=lambda f: [findings.percent(r) if pd.notna(r) else "n/a" for r in f["response_rate"]],
        partnerships=lambda f: [
            published_cells.get(w, "") if level == "wave" else ""
            for w, level in zip(f["wave"], f["level"], strict=True)
        ],
    )[["wave", "group", "counts", "rate", "partnerships"]]
    frame["wave"] = marts.label("wave", frame["wave"])  # sorted by id above, headed by the wave's label
    return (
        GT(frame, groupname_col="wave")
        .tab_header("Response", "Survey response by wave: the whole programme, then each stakeholder group")
        .cols_label(
            group="Stakeholder group",
            counts="Responded of invited",
            rate="Response rate",
            partnerships="Partnership x group rates published",
        )
        .tab_source_note(
            "Totals are published unless a count is under the disclosure threshold or would reveal a withheld"
            " cell; a rate is missing where invitations are not recorded (response_rates.note says which)."
        )
    )


def wave_change_table(marts: Marts) -> GT:
    """Change in each construct between waves across partnerships: how many rose or fell by their 95% interval,
    and the median change."""
    names = factor_names(marts)
    wave_names = marts.names("wave")
    construct_names = marts.names("construct")
    rows = []
    for (construct, before, after), pairs in marts.wave_change.groupby(
        ["construct", "wave_before", "wave_after"], sort=True
    ):
        known = pairs.dropna(subset=["difference"])
        rows.append(
            {
                # a factor's published name, else the construct's, else the id
                "construct": names.get(construct, construct_names.get(construct, construct)),
                "waves": f"{wave_names.get(before, before)} to {wave_names.get(after, after)}",
                "compared": len(known),
                "higher": int((known["ci_low"] > 0).sum()),
                "lower": int((known["ci_high"] < 0).sum()),
                "median": findings.number(known["difference"].median()) if len(known) else "n/a",
            }
        )
    frame = pd.DataFrame(rows, columns=["construct", "waves", "compared", "higher", "lower", "median"])
    return (
        GT(frame)
        .tab_header("Change between waves", "Mean construct scores per partnership, later wave minus earlier")
        .cols_label(
            construct="Construct",
            waves="Waves",
            compared="Partnerships compared",
            higher="Higher (95% CI above 0)",
            lower="Lower (95% CI below 0)",
            median="Median change",
        )
    )


def rounds_table(marts: Marts) -> GT | None:
    """Partnerships by programme round: judged successful (of those in the comparative analysis) and headline
    outcome improved (of those with data); None when the programme has one round."""
    profile = marts.profile
    if profile["programme_round"].nunique() < 2:
        return None
    outcome = marts.memberships.set_index("partnership_id")[OUTCOME]
    headline = marts.change[marts.change["headline"] & (marts.change["classification"] != "insufficient data")]
    improved = headline.set_index("partnership_id")["classification"].isin(IMPROVED)
    rows = []
    for round_, members in profile.groupby("programme_round", sort=True):
        ids = members["partnership_id"]
        assessed = outcome.reindex(ids).dropna()
        changed = improved.reindex(ids).dropna()
        rows.append(
            {
                "round": f"Round {round_}",
                "partnerships": len(ids),
                "successful": f"{int((assessed >= 0.5).sum())} of {len(assessed)}",
                "improved": f"{int(changed.sum())} of {len(changed)}",
            }
        )
    return (
        GT(pd.DataFrame(rows))
        .tab_header("Rounds", "Partnerships by the programme round they joined in")
        .cols_label(
            round="Round",
            partnerships="Partnerships",
            successful="Judged successful (in the comparative analysis)",
            improved="Headline outcome improved (with data)",
        )
    )


def truth_table_table(marts: Marts) -> GT:
    observed = marts.truth_table[marts.truth_table["n"] > 0][
        ["row", "configuration", "OUT", "n", "incl", "PRI", "cases"]
    ]
    observed = observed.assign(
        cases=observed["cases"].str.replace(",", ", ", regex=False), configuration=_breakable(observed["configuration"])
    )
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
        .data_color(columns="compared", fn=colour_by(COMPARISON_COLOURS))
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
    """Each part of the support offer by wave: the share of those who rated it who found it useful (above the
    middle of its answer scale, whatever its length), across the stakeholder groups whose counts are published."""
    rated = marts.support.dropna(subset=["rated", "rated_useful"])
    support = rated.groupby(["support_label", "wave"], as_index=False)[["rated_useful", "rated"]].sum()
    support["share"] = support["rated_useful"] / support["rated"]
    wide = support.pivot(index="support_label", columns="wave", values="share")
    wide = wide.reindex(columns=_wave_order(support["wave"])).reset_index()
    wide.columns.name = None
    wide = wide.rename(columns=marts.names("wave"))
    waves = [c for c in wide.columns if c != "support_label"]
    return (
        GT(wide)
        .tab_header(
            "Usefulness of the support offer",
            "Share of those rating it who found it useful, across stakeholder groups whose counts are published",
        )
        .fmt_percent(columns=waves, decimals=0)
        .data_color(columns=waves, palette=["#fc8d59", "#ffffbf", "#91cf60"], domain=[0, 1])
        .cols_label(support_label="Support")
    )


def agreement_table(marts: Marts) -> GT:
    agreement = marts.agreement[
        ["code", "n_units", "percent_agreement", "cohens_kappa", "krippendorff_alpha", "alpha_ci_low", "alpha_ci_high"]
    ].assign(
        alpha_ci_low=lambda f: [
            findings.interval(lo, hi) for lo, hi in zip(f["alpha_ci_low"], f["alpha_ci_high"], strict=True)
        ]
    )
    return (
        GT(agreement)
        .tab_header("Agreement between site-visit coders", "Per code and pooled; unit: source document x code presence")
        .fmt_number(
            columns=["percent_agreement", "cohens_kappa", "krippendorff_alpha"],
            decimals=2,
        )
        .cols_hide("alpha_ci_high")
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
    indicator = change.iloc[0].copy()
    # The y axis reads in the indicator's unit, as the labels mart describes it.
    units = marts.labels[marts.labels["kind"] == "outcome_indicator"].set_index("id")["description"]
    indicator["unit"] = units.get(str(indicator["indicator_id"]))
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
    figure = trend_figure(series, indicator, partnership_id)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def trend_figure(series: pd.DataFrame, indicator: pd.Series, partnership_id: str) -> plt.Figure:
    """The headline indicator's series (`outcome_trends` rows) beside England, with a title, axis labels and
    the support period (from `outcome_change`'s `indicator` row) shaded."""
    figure, axis = plt.subplots(figsize=(7, 3.4), dpi=110)
    # Periods on a time axis (each at its start), so the support period can be marked where it fell.
    when = pd.to_datetime(series["period_start"])
    support = pd.to_datetime(indicator["support_start"]), pd.to_datetime(indicator["support_end"])
    axis.axvspan(*support, color="#f0b429", alpha=0.18, label="Programme support")
    axis.plot(when, series["value"], marker="o", color="#1f4e79", label=partnership_id)
    if series[["lower_ci95", "upper_ci95"]].notna().all(axis=None):
        axis.fill_between(
            when, series["lower_ci95"], series["upper_ci95"], color="#1f4e79", alpha=0.15, label="95% interval"
        )
    axis.plot(when, series["england_value"], linestyle="--", color="#7b8794", label="England")
    axis.set_xticks(when, series["period"])
    axis.set_title(f"{indicator['indicator_name']}: {partnership_id} beside England", fontsize=10)
    axis.set_xlabel("Period (programme support shaded)", fontsize=8)
    axis.set_ylabel(indicator.get("unit") or "Indicator value", fontsize=8)
    axis.tick_params(axis="x", labelrotation=45, labelsize=8)
    axis.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.tight_layout()
    return figure


def _wave_order(waves: pd.Series) -> list[str]:
    """Wave names in order, numbers compared as numbers ('wave_2' before 'wave_10')."""

    def key(wave: str) -> list[object]:
        return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", wave)]

    return sorted(waves.dropna().unique(), key=key)


WITHHELD = "withheld"  # what a page shows for a count or score disclosure control withheld


def respondents_table(marts: Marts, partnership_id: str) -> GT:
    """Respondents per survey wave and stakeholder group, and the partnership's total (`response_rates`),
    withheld where disclosure control withheld them, beside the most respondents scoring any one factor that
    wave (`construct_scores`)."""
    rates = marts.response[
        (marts.response["partnership_id"] == partnership_id)
        & marts.response["level"].isin(["cell", "wave x partnership"])
    ]
    shown = rates.assign(
        group=marts.label("stakeholder_group", rates["stakeholder_group"]).where(
            rates["level"] == "cell", "All groups"
        ),
        cell=[
            WITHHELD if withheld else ("-" if pd.isna(n) else str(int(n)))
            for n, withheld in zip(rates["respondents"], rates["suppressed"], strict=True)
        ],
    )
    waves = _wave_order(pd.concat([rates["wave"], _scores(marts, partnership_id)["wave"]]))
    wide = shown.pivot(index="wave", columns="group", values="cell").reindex(waves)
    scores = _scores(marts, partnership_id)
    most = scores[~scores["suppressed"]].groupby("wave")["respondents"].max()
    wide["Most scoring one factor"] = [str(int(most[w])) if w in most.index else WITHHELD for w in waves]
    wide = wide.fillna("-").rename_axis(index=None, columns=None).reset_index(names="Wave")
    wide["Wave"] = marts.label("wave", wide["Wave"])
    note = (
        "No survey responses from this partnership."
        if wide.empty
        else "Counts under the disclosure threshold, and counts that would reveal them, are withheld. The last"
        " column is the largest number of respondents scoring any one success factor in the wave."
    )
    return (
        GT(wide)
        .tab_header("Survey respondents per wave", "By stakeholder group, as the response_rates mart publishes them")
        .tab_source_note(note)
    )


def _scores(marts: Marts, partnership_id: str) -> pd.DataFrame:
    return marts.construct_scores[marts.construct_scores["partnership_id"] == partnership_id]


def construct_scores_table(marts: Marts, partnership_id: str) -> GT:
    """Each survey construct's mean score in each wave (`construct_scores`), withheld where suppressed, with
    the published means as a line across the waves."""
    scores = _scores(marts, partnership_id)
    waves = _wave_order(scores["wave"])
    cells = scores.assign(
        cell=[
            WITHHELD if withheld else ("-" if pd.isna(mean) else f"{mean:.2f}")
            for mean, withheld in zip(scores["mean"], scores["suppressed"], strict=True)
        ]
    )
    wide = cells.pivot(index="construct", columns="wave", values="cell").reindex(columns=waves).fillna("-")
    means = scores[~scores["suppressed"]].pivot(index="construct", columns="wave", values="mean")
    means = means.reindex(index=wide.index, columns=waves)
    wide["Across waves"] = [
        " ".join(f"{v:.3g}" for v in row if pd.notna(v)) or None for row in means.itertuples(index=False)
    ]
    factors = marts.matrix.drop_duplicates("factor_id").set_index("factor_id")["factor_position"]
    order = sorted(wide.index, key=lambda c: (factors.get(c, len(factors) + 1), c))
    wide = wide.loc[order]
    wide.insert(0, "Construct", list(marts.label("construct", pd.Series(wide.index, dtype="object"))))
    wide = wide.rename_axis(index=None, columns=None).reset_index(drop=True)
    wide = wide.rename(columns=marts.names("wave"))
    table = (
        GT(wide)
        .tab_header("Survey scores across waves", "Mean score of each construct per wave (agreement scale)")
        .tab_source_note("Means of fewer respondents than the disclosure threshold are withheld.")
    )
    if wide["Across waves"].notna().any():
        table = table.fmt_nanoplot(columns="Across waves", plot_type="line")
    return table.sub_missing(missing_text="-")


def marmot_table(marts: Marts, partnership_id: str) -> GT:
    """The partnership's drivers and interventions by Marmot policy objective (`marmot_coverage`)."""
    marmot = marts.marmot[marts.marmot["partnership_id"] == partnership_id][
        ["objective", "drivers", "drivers_covered", "interventions"]
    ]
    return (
        GT(marmot)
        .tab_header("Marmot policy objectives", "Secondary drivers serving each objective, and how many are covered")
        .cols_label(
            objective="Objective",
            drivers="Drivers",
            drivers_covered="Drivers covered",
            interventions="Interventions",
        )
    )


def inequality_table(marts: Marts, partnership_id: str) -> GT:
    """The inequality gradient within the partnership's areas (`outcome_inequality`): the Slope and Relative
    Index of Inequality across deprivation quantiles, latest period of every indicator broken down by
    deprivation for its areas, its own problem's indicators first."""
    profile = marts.profile.set_index("partnership_id").loc[partnership_id]
    areas = str(profile["area_codes"]).split(";")
    names = marts.change.drop_duplicates("indicator_id").set_index("indicator_id")["indicator_name"]
    own = set(marts.change.loc[marts.change["partnership_id"] == partnership_id, "indicator_id"])
    rows = marts.inequality[marts.inequality["area_code"].isin(areas)]
    key = ["area_code", "indicator_id", "sex", "age", "category_type"]
    latest = rows.sort_values("period").groupby(key, dropna=False).tail(1)
    latest = latest.assign(theirs=~latest["indicator_id"].isin(own)).sort_values(["theirs", *key])
    shown = latest.assign(
        indicator=[
            f"{names.get(i, f'Fingertips indicator {i}')}{'' if i in own else ' (not its problem)'}"
            for i in latest["indicator_id"]
        ]
    )[
        ["indicator", "area_code", "period", "category_type", "sii", "sii_ci_low", "sii_ci_high", "rii"]
        + ["rii_ci_low", "rii_ci_high"]
    ]
    table = (
        GT(shown.reset_index(drop=True))
        .tab_header(
            "Inequality gradient within the area",
            "Slope and Relative Index of Inequality across deprivation quantiles, latest period",
        )
        .fmt_number(columns=["sii", "sii_ci_low", "sii_ci_high", "rii", "rii_ci_low", "rii_ci_high"], decimals=2)
        .cols_merge_range(col_begin="sii_ci_low", col_end="sii_ci_high", sep=" to ")
        .cols_merge_range(col_begin="rii_ci_low", col_end="rii_ci_high", sep=" to ")
        .cols_label(
            indicator="Indicator",
            area_code="Area",
            period="Period",
            category_type="Deprivation breakdown",
            sii="SII",
            sii_ci_low="SII 95% interval",
            rii="RII",
            rii_ci_low="RII 95% interval",
        )
    )
    if shown.empty:
        table = table.tab_source_note("No deprivation breakdown of any indicator is published for its areas.")
    else:
        table = table.tab_source_note(
            "SII: modelled gap from the most to the least deprived, in the indicator's units; RII: the same as a"
            " ratio (PHE methods)."
        )
    return table


def _verdict(profile: pd.Series) -> str:
    """The evaluation team's success assessment as a sentence, from `partnership_profile`."""
    achieved = profile["achieved_objectives"]
    if pd.isna(achieved):
        return "Not yet assessed by the evaluation team."
    when = str(profile["assessed_on"])[:10] if pd.notna(profile["assessed_on"]) else "undated"
    outcome = "achieved its objectives" if achieved else "did not achieve its objectives"
    return f"The evaluation team judged that the partnership {outcome} (assessed {when})."


def narrative_markup(text: str) -> Markup:
    """An evaluator's Markdown as page markup: markdown-it-py escapes every character of text and refuses raw
    HTML, images and unsafe link schemes (`javascript:`, `data:` ...), so nothing in it becomes active."""
    return _trusted_markup(NARRATIVE_MARKDOWN.render(text))


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, path)


def case_study_page(marts: Marts, partnership_id: str, narrative: str | None = None) -> str:
    """One partnership's page as a case study: the verdict, the evaluators' narrative (Markdown, if given),
    survey respondents and scores across waves, each factor's evidence with enabler and barrier excerpts, the
    outcome trend, the inequality gradient, and Marmot and driver coverage. Reads only the published marts."""
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
                    "enabler_excerpts",
                    "barrier_excerpts",
                ]
            ]
        )
        .tab_header("Evidence on each success factor")
        .fmt_number(columns=["survey_mean", "survey_ci_low", "survey_ci_high"], decimals=2)
        .cols_merge_range(col_begin="survey_ci_low", col_end="survey_ci_high", sep=" to ")
        .sub_missing(missing_text="-")
        .data_color(columns="triangulated_rating", fn=colour_by(RATING_COLOURS))
        .cols_label(
            factor="Factor",
            survey_mean="Survey mean",
            survey_ci_low="95% interval",
            enabler_passages="Enabler passages",
            barrier_passages="Barrier passages",
            triangulated_rating="Rating",
            convergence="Methods",
            enabler_excerpts="Enabling the work (site visits)",
            barrier_excerpts="Holding it back (site visits)",
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
            columns="coverage", fn=colour_by({"gap": "#f4a582", "covered": "#d1e5f0", "duplication": "#fddbc7"})
        )
        .cols_label(
            secondary_driver="Secondary driver",
            interventions="Interventions",
            commissioners="Commissioners",
            annual_spend="Annual spend",
            coverage="Coverage",
        )
    )
    imd_rank = profile["imd_rank_most_deprived_area"]
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
        imd_edition=profile["imd_edition"] if pd.notna(profile["imd_edition"]) else None,
        verdict=_verdict(profile),
        narrative=narrative_markup(narrative) if narrative and narrative.strip() else None,
        trend_png=trend_plot(marts, partnership_id),
        spc_charts=spc_charts(marts, partnership_id),
        monitoring=_table_markup(table) if (table := monitoring_table(marts, partnership_id)) is not None else None,
        benefits=benefit_report.case_line(marts.benefits, partnership_id),
        sustainment=sustainment_report.case_line(marts.sustainment, partnership_id),
        tables={
            "respondents": _table_markup(respondents_table(marts, partnership_id)),
            "scores": _table_markup(construct_scores_table(marts, partnership_id)),
            "evidence": _table_markup(evidence_table),
            "outcomes": _table_markup(outcome_table(marts, [partnership_id])),
            "inequality": _table_markup(inequality_table(marts, partnership_id)),
            "marmot": _table_markup(marmot_table(marts, partnership_id)),
            "drivers": _table_markup(driver_table),
        },
    )


def exclusions(marts: Marts) -> list[dict[str, str]]:
    """Partnerships left out of the comparative analyses, with the reason from `qca_memberships`."""
    names = marts.profile.set_index("partnership_id")["partnership_name"]
    left_out = marts.memberships.dropna(subset=["excluded_reason"])
    return [
        {
            "partnership": f"{row.partnership_id} {names.get(row.partnership_id, '')}".strip(),
            "reason": row.excluded_reason,
        }
        for row in left_out.itertuples(index=False)
    ]


def wave_labels(marts: Marts) -> dict[str, str]:
    """The programme's label of each survey wave the `labels` mart names (survey_waves.csv)."""
    waves = marts.labels[marts.labels["kind"] == "wave"]
    return dict(zip(waves["id"], waves["name"], strict=True))


def report_findings(marts: Marts) -> list[findings.Finding]:
    """The report's key findings, from the marts (see `pipeline.reports.findings`)."""
    return [
        *findings.key_findings(
            marts.factor_outcome, marts.solutions, marts.necessity, marts.importance, factor_names(marts)
        ),
        *findings.negated_qca_findings(marts.negated_solutions, marts.negated_truth_table, marts.negated_necessity),
        *findings.barrier_findings(barrier_evidence(marts)),
        findings.Finding("What the outcome statistics show", impacts_summary(marts)),
        *(
            [findings.Finding("Social and economic benefits", text)]
            if (text := benefit_report.summary_text(marts.benefits))
            else []
        ),
        *findings.response_findings(marts.response, marts.names("wave")),
        *findings.sustainment_findings(marts.sustainment_by_factor, factor_names(marts)),
    ]


def programme_report(marts: Marts, provenance: Provenance | None = None) -> str:
    """The programme page, organised by the evaluation's questions: a header (build date, sources, settings,
    exclusions), key findings first, then which factors go with success (with what the literature says beside
    them), challenges and barriers, impacts, local monitoring, the support offer, response, rounds and coder
    agreement, and the evidence register in an appendix."""
    rounds = rounds_table(marts)
    monitoring = monitoring_overview_table(marts)
    benefits = benefit_report.benefits_table(
        marts.benefits, marts.profile.set_index("partnership_id")["partnership_name"]
    )
    optional = {
        "sustainment_factors": sustainment_report.sustainment_by_factor_table(
            marts.sustainment_by_factor, factor_names(marts)
        ),
        "spread": sustainment_report.spread_table(marts.sustainment),
        "round_comparison": sustainment_report.round_comparison_table(marts.round_comparison, wave_labels(marts)),
    }
    themes = comments.comment_themes_table(
        marts.comment_themes, marts.comment_quotes, lambda ids: marts.label("stakeholder_group", ids)
    )
    return _render(
        "evaluation_report.html",
        partnerships=list(marts.profile["partnership_id"]),
        built_at=provenance.built_at.strftime("%Y-%m-%d %H:%M UTC") if provenance else None,
        sources=source_summary(provenance.files) if provenance else [],
        refused=provenance.refused.to_dict("records") if provenance else [],
        settings=provenance.settings if provenance else (),
        exclusions=exclusions(marts),
        findings=report_findings(marts),
        impacts=impacts_summary(marts),
        monitoring=monitoring_summary_text(marts),
        benefits=benefit_report.summary_text(marts.benefits),
        benefits_settings=benefit_report.settings_text(marts.benefits),
        sustainment=sustainment_report.sustainment_summary(marts.sustainment),
        sustainment_finding=next(
            iter(findings.sustainment_findings(marts.sustainment_by_factor, factor_names(marts))), None
        ),
        evidence_base=challenges.evidence_statement(marts.memberships),
        comments=comments.comment_summary(marts.comment_themes, marts.comment_quotes),
        tables={
            "factor_outcome": _table_markup(factor_outcome_table(marts)),
            "factor_matrix": _table_markup(factor_matrix_table(marts)),
            "qca": _table_markup(qca_table(marts)),
            "truth_table": _table_markup(truth_table_table(marts)),
            "necessity": _table_markup(necessity_table(marts)),
            "importance": _table_markup(importance_table(marts)),
            "barriers": _table_markup(barriers_table(marts)),
            "negated_qca": _table_markup(
                challenges.negated_qca_table(marts.negated_solutions, marts.negated_truth_table)
            ),
            "impacts": _table_markup(impacts_table(marts)),
            "verdicts": _table_markup(verdict_disagreements_table(marts)),
            "outcomes": _table_markup(outcome_table(marts)),
            "support": _table_markup(support_table(marts)),
            "support_groups": _table_markup(support_by_group_table(marts)),
            "response": _table_markup(response_table(marts)),
            "wave_change": _table_markup(wave_change_table(marts)),
            "rounds": _table_markup(rounds) if rounds is not None else None,
            "agreement": _table_markup(agreement_table(marts)),
            "monitoring": _table_markup(monitoring) if monitoring is not None else None,
            "benefits": _table_markup(benefits) if benefits is not None else None,
            **{name: _table_markup(table) if table is not None else None for name, table in optional.items()},
            **{
                name: _table_markup(table) if table is not None else None
                for name, table in {
                    "literature": evidence.literature_by_factor_table(marts.evidence),
                    "evidence_register": evidence.evidence_register_table(marts.evidence_register),
                }.items()
            },
            "comments": _table_markup(themes) if themes is not None else None,
        },
    )


def _table_markup(table: GT) -> Markup:
    """A great-tables table as markup for a page. great-tables escapes the text it is given (see the module
    docstring)."""
    return _trusted_markup(table.as_raw_html())


def _trusted_markup(html: str) -> Markup:
    """The one place a page takes HTML it does not escape: a great-tables table or a narrative rendered by
    markdown-it-py with raw HTML off, both of which escape the text they are given."""
    return Markup(html)


def _render(template: str, **values: object) -> str:
    return PAGES.get_template(template).render(**values)


def build_reports(
    con: duckdb.DuckDBPyConnection,
    marts_dir: Path,
    provenance: Provenance | None = None,
    narratives: Narratives | None = None,
) -> list[Path]:
    """Write the programme report (with `provenance` in its header) and every case-study page (with its
    narrative from `narratives`, if any); returns the files written."""
    marts = Marts.read(con)
    texts = narratives.texts if narratives else {}
    reports = marts_dir / "reports"
    written = [reports / "evaluation_report.html"]
    _write(written[0], programme_report(marts, provenance))
    for partnership_id in marts.profile["partnership_id"]:
        path = reports / "partnerships" / f"{partnership_id}.html"
        _write(path, case_study_page(marts, partnership_id, texts.get(partnership_id)))
        written.append(path)
    return written


def markdown_tables(marts: Marts) -> dict[str, pd.DataFrame]:
    """The report's main tables as plain frames, for the Dagster UI (which shows Markdown, not HTML)."""
    labels = factor_labels(marts.matrix, taken=("partnership_id",))
    matrix = marts.matrix.pivot(index="partnership_id", columns="factor_id", values="triangulated_rating")[list(labels)]
    solutions = pd.concat(
        [findings.distinct_models(marts.solutions, kind) for kind in ("parsimonious", "intermediate")]
    )
    monitoring = monitoring_ranking(marts)
    return {
        "key_findings": pd.DataFrame([vars(f) for f in report_findings(marts)], columns=["question", "text"]),
        "success_factor_matrix": matrix.rename(columns=labels).rename_axis(columns=None).reset_index(),
        "qca_solutions": solutions[
            ["kind", "model", "solution", "term", "term_consistency", "term_coverage", "term_unique_coverage"]
        ].round(2),
        "coder_agreement": marts.agreement[["code", "percent_agreement", "krippendorff_alpha"]].round(2),
        **(
            {"local_monitoring": monitoring.drop(columns=["partnership_name"]).round({"share_on_track": 2})}
            if not monitoring.empty
            else {}
        ),
    }
