"""The report's "Sustainment and spread" section and its comparison of rounds: great-tables tables over the
`sustainment`, `sustainment_by_factor` and `round_comparison` marts (plain DataFrames in, tables out).

Every value shown comes from a published mart, so what the page shows is what researchers see, disclosure
control included: a count withheld in `round_comparison` prints as "not published".
"""

from __future__ import annotations

import pandas as pd
from great_tables import GT

from pipeline.reports.findings import interval, number, percent, points, share_interval

STATUS_ORDER = ["sustained", "integrated", "stopped"]
MEASURE_NAMES = {
    "success": "Judged successful (of those assessed)",
    "continued": "Work carried on after support (of those with a status)",
    "response": "Survey response (of those invited)",
    "support_useful": "Support offer rated useful (of all ratings)",
}


def sustainment_summary(sustainment: pd.DataFrame) -> str | None:
    """One paragraph: how many partnerships' work was sustained, integrated or stopped, and how far it spread;
    None when no status is recorded."""
    recorded = sustainment.dropna(subset=["status"]) if not sustainment.empty else sustainment
    if recorded.empty:
        return None
    counts = recorded["status"].value_counts()
    parts = [f"{int(counts.get(status, 0))} {status}" for status in STATUS_ORDER]
    spread = sustainment[sustainment["spread_count"] > 0]
    return (
        f"Of {len(sustainment)} partnerships, {len(recorded)} have a status recorded after support ended: "
        f"{', '.join(parts[:-1])} into other work and {parts[-1]}. The work of {len(spread)} spread to other areas,"
        f" services or programmes ({int(sustainment['spread_count'].sum())} take-ups in all)."
    )


STATUS_WORDS = {
    "sustained": "sustained by the partnership",
    "integrated": "integrated into other work",
    "stopped": "stopped",
}
SPREAD_WORDS = {"new_area": "new area", "new_service": "new service", "new_programme": "new programme"}


def case_line(sustainment: pd.DataFrame, partnership_id: str) -> str | None:
    """One sentence for a case page: what became of the partnership's work after support, on what evidence,
    and where it spread; None when no status is recorded for it."""
    rows = sustainment[sustainment["partnership_id"] == partnership_id] if not sustainment.empty else sustainment
    if rows.empty or pd.isna(rows.iloc[0]["status"]):
        return None
    row = rows.iloc[0]
    line = (
        f"After support ended, the work was {STATUS_WORDS.get(row['status'], row['status'])}"
        f" (found {row['status_date']:%Y-%m-%d}: {row['evidence']})."
    )
    if row["spread_count"] > 0:
        takes = "take-up" if row["spread_count"] == 1 else "take-ups"
        line += (
            f" It spread: {int(row['spread_count'])} {takes}; the latest: {row['latest_spread']}"
            f" ({SPREAD_WORDS.get(row['latest_spread_kind'], row['latest_spread_kind'])},"
            f" {row['latest_spread_date']:%Y-%m-%d})."
        )
    return line


def sustainment_by_factor_table(by_factor: pd.DataFrame, names: dict[str, str]) -> GT | None:
    """Work carried on (sustained or integrated) where each factor is strong and where it is weak, with Wilson
    intervals, the difference (Newcombe) and Fisher's exact p; the tested factor first. None when empty."""
    if by_factor.empty:
        return None
    rows = []
    ordered = by_factor.sort_values(["tested_factor", "factor_id"], ascending=[False, True])
    for factor, pair in ordered.groupby("factor_id", sort=False):
        levels = pair.set_index("level")
        strong, weak = levels.loc["strong"], levels.loc["weak"]
        rows.append(
            {
                "factor": names.get(factor, factor) + (" (tested)" if strong["tested_factor"] else ""),
                "strong": _share(strong),
                "weak": _share(weak),
                "difference": f"{points(strong['difference_strong_minus_weak'])} "
                f"({interval(100 * strong['difference_ci_low'], 100 * strong['difference_ci_high'], 0)})",
                "fisher": "< 0.001" if strong["fisher_p"] < 0.001 else number(strong["fisher_p"], 3),
            }
        )
    return (
        GT(pd.DataFrame(rows))
        .tab_header(
            "Sustainment by success factor",
            "Partnerships whose work was sustained or integrated after support, where the factor is strong and weak",
        )
        .cols_label(
            factor="Factor",
            strong="Strong: carried on (95% CI)",
            weak="Weak: carried on (95% CI)",
            difference="Difference, points (Newcombe 95% CI)",
            fisher="Fisher's exact p",
        )
        .tab_source_note(
            "Strong: membership in the factor's QCA condition above 0.5, among the QCA's analysed cases. Small"
            f" numbers: read as association, not effect; one p-value per factor, not adjusted for the {len(rows)}"
            " factors compared."
        )
    )


def _share(level: pd.Series) -> str:
    if not level["partnerships"]:
        return "none"
    return (
        f"{int(level['continued'])} of {int(level['partnerships'])}, {percent(level['share_continued'])}"
        f" ({share_interval(level['share_ci_low'], level['share_ci_high'])})"
    )


def spread_table(sustainment: pd.DataFrame) -> GT | None:
    """Each partnership's status after support beside its latest spread, for the partnerships whose work spread;
    None when none did."""
    spread = sustainment[sustainment["spread_count"] > 0] if not sustainment.empty else sustainment
    if spread.empty:
        return None
    frame = pd.DataFrame(
        {
            "partnership": spread["partnership_id"] + " " + spread["partnership_name"],
            "status": spread["status"].fillna("not recorded"),
            "spread": spread["spread_count"].astype(int),
            "latest": spread["latest_spread"].fillna(""),
            "kind": spread["latest_spread_kind"].fillna("").str.replace("_", " "),
            "date": spread["latest_spread_date"].dt.strftime("%Y-%m-%d").fillna(""),
        }
    )
    return (
        GT(frame)
        .tab_header("Spread", "Areas, services and programmes that took a partnership's work up after support")
        .cols_label(
            partnership="Partnership",
            status="Status after support",
            spread="Take-ups",
            latest="Latest take-up",
            kind="Kind",
            date="Date",
        )
    )


def round_comparison_table(rounds: pd.DataFrame, wave_names: dict[str, str] | None = None) -> GT | None:
    """Each measure by programme round: the share with its Wilson interval and its difference from the first
    round (Newcombe); None when the mart is empty (one round)."""
    if rounds.empty:
        return None
    wave_names = wave_names or {}
    frame = rounds.sort_values(["measure", "wave", "programme_round"], na_position="first").assign(
        group=lambda f: [
            MEASURE_NAMES.get(m, m) + (f", {wave_names.get(w, w)}" if isinstance(w, str) else "")
            for m, w in zip(f["measure"], f["wave"], strict=True)
        ],
        round=lambda f: [f"Round {r}" for r in f["programme_round"]],
        counts=lambda f: [_counts(row) for row in f.itertuples(index=False)],
        share_text=lambda f: [
            "not published" if s else f"{percent(p)} ({share_interval(lo, hi)})"
            for s, p, lo, hi in zip(f["suppressed"], f["share"], f["ci_low"], f["ci_high"], strict=True)
        ],
        difference=lambda f: [
            "" if pd.isna(d) else f"{points(d)} ({interval(100 * lo, 100 * hi, 0)})"
            for d, lo, hi in zip(
                f["difference_from_first"], f["difference_ci_low"], f["difference_ci_high"], strict=True
            )
        ],
    )
    order = {m: i for i, m in enumerate(MEASURE_NAMES)}
    frame = frame.sort_values(
        ["measure", "wave", "programme_round"], key=lambda c: c.map(order) if c.name == "measure" else c
    )
    return (
        GT(frame[["group", "round", "counts", "share_text", "difference"]], groupname_col="group")
        .tab_header("Rounds compared", "Each measure by the programme round partnerships joined in")
        .cols_label(
            round="Round",
            counts="Counted of",
            share_text="Share (95% CI)",
            difference="Difference from round 1, points (Newcombe 95% CI)",
        )
        .tab_source_note(
            "Wilson intervals; for respondents and ratings they treat people as independent, which clustering"
            " within partnerships makes too narrow. Not published: a count under the disclosure threshold, or one"
            " that would reveal a withheld count."
        )
    )


def _counts(row: object) -> str:
    if row.suppressed:
        return "not published"
    if pd.notna(row.partnerships):
        return f"{int(row.partnerships_counted)} of {int(row.partnerships)} partnerships"
    return f"{int(row.people_counted):,} of {int(row.people):,}"
