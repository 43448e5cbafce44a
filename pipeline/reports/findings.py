"""Key findings of the evaluation, written as sentences from the published marts, and the number formats the
report prints.

Every finding is one sentence (or two) that carries its numbers, its interval and its caveat, so a reader can
quote it on its own: which factors go with success (`factor_outcome_comparison`: shares successful with
Wilson intervals, the difference with Newcombe's interval), the QCA solutions (`qca_solutions`: every
equally minimal parsimonious model with its consistency and coverage), necessity (`qca_necessity`: a
condition with consistency of 0.9 or more is "near-necessary", after Ragin 2006, "Set relations in social
research: evaluating their consistency and coverage", Political Analysis 14(3):291-310, who reads
consistency at or above 0.9 as a condition almost always necessary) and the model of success
(`factor_importance`, with its small-sample caveat in plain words).

Findings are programme-level: they name factors and conditions, never a partnership's survey score, so no value
suppressed in one mart reaches a sentence (tests/test_disclosure_routes.py reads them as an intruder would).

Numbers print as a reader expects them on paper: intervals as "0.12 to 0.34" (never "-0.14--0.03"), with a
real minus sign (U+2212), percentages rounded to whole numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

MINUS = "\u2212"
# Ragin (2006): consistency as a necessary condition of 0.9 or more reads as "almost always necessary".
NEAR_NECESSARY = 0.9
SMALL_NUMBERS = "Small numbers: read as association, not effect."


@dataclass(frozen=True)
class Finding:
    """One key finding: the question it answers and the sentence that answers it."""

    question: str
    text: str


def number(value: float, decimals: int = 2) -> str:
    """`value` to `decimals` places with a real minus sign; "n/a" when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "n/a"
    text = f"{float(value):.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")  # no "-0.00"
    return text.replace("-", MINUS)


def interval(low: float, high: float, decimals: int = 2, unit: str = "") -> str:
    """A confidence interval as words: "0.12 to 0.34" ("12% to 34%" with unit "%"); "n/a" when missing."""
    if pd.isna(low) or pd.isna(high):
        return "n/a"
    return f"{number(low, decimals)}{unit} to {number(high, decimals)}{unit}"


def percent(share: float) -> str:
    """A share (0 to 1) as a whole percentage with a real minus sign: "86%"."""
    return "n/a" if pd.isna(share) else f"{number(100 * share, 0)}%"


def share_interval(low: float, high: float) -> str:
    """A share's interval in whole percentages: "60% to 96%"."""
    return "n/a" if pd.isna(low) or pd.isna(high) else interval(100 * low, 100 * high, 0, "%")


def points(difference: float) -> str:
    """A difference of two shares in percentage points: "47 points", "\u221212 points", "1 point"."""
    shown = number(100 * difference, 0)
    return f"{shown} {'point' if shown.lstrip(MINUS) == '1' else 'points'}"


def factor_success_findings(comparison: pd.DataFrame, names: dict[str, str]) -> list[Finding]:
    """One sentence per factor whose difference in success (strong minus weak) has a Newcombe interval clear of
    zero, largest first; when none is, one sentence naming the largest difference and saying its interval
    spans zero."""
    question = "Which factors go with success"
    if comparison.empty:
        return []
    pairs = []
    for factor_id, rows in comparison.groupby("factor_id", sort=False):
        levels = rows.set_index("level")
        if not {"strong", "weak"} <= set(levels.index):
            continue
        pairs.append((factor_id, levels.loc["strong"], levels.loc["weak"]))
    clear = [p for p in pairs if p[1]["difference_ci_low"] > 0 or p[1]["difference_ci_high"] < 0]
    clear.sort(key=lambda p: -abs(p[1]["difference_strong_minus_weak"]))
    findings = [
        Finding(question, _comparison_sentence(names.get(f, f), s, w) + " " + SMALL_NUMBERS) for f, s, w in clear
    ]
    if not findings:
        known = [p for p in pairs if pd.notna(p[1]["difference_strong_minus_weak"])]
        if not known:
            return []
        factor_id, strong, weak = max(known, key=lambda p: abs(p[1]["difference_strong_minus_weak"]))
        findings.append(
            Finding(
                question,
                "No factor's difference in success is clear of chance: the largest is on "
                f"{names.get(factor_id, factor_id).lower()}. "
                + _comparison_sentence(names.get(factor_id, factor_id), strong, weak)
                + " The interval spans zero. "
                + SMALL_NUMBERS,
            )
        )
    return findings


def _comparison_sentence(name: str, strong: pd.Series, weak: pd.Series) -> str:
    """ "Partnerships strong on X succeeded more often: a of b (p%, 95% CI l% to h%) against c of d (...);
    difference e points (Newcombe 95% CI l to h)."""
    difference = strong["difference_strong_minus_weak"]
    direction = "more" if difference > 0 else "less" if difference < 0 else "as"
    return (
        f"Partnerships strong on {name.lower()} succeeded {direction} often"
        f"{' as the others' if direction == 'as' else ''}: "
        f"{_count(strong)} against {_count(weak)} of those weak on it; "
        f"difference {points(difference)} (Newcombe 95% CI "
        f"{interval(100 * strong['difference_ci_low'], 100 * strong['difference_ci_high'], 0)})."
    )


def _count(level: pd.Series) -> str:
    return (
        f"{int(level['successful'])} of {int(level['partnerships'])} "
        f"({percent(level['share_successful'])}, 95% CI {share_interval(level['share_ci_low'], level['share_ci_high'])})"
    )


def distinct_models(solutions: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The models of one solution kind, each distinct model (the same terms) once, in the mart's order: the
    intermediate solution repeats one model under every pair of complex and parsimonious model (C1P1-M1,
    C1P2-M1, ...), which is one finding, not many."""
    rows = solutions[solutions["kind"] == kind]
    first = rows.drop_duplicates("solution")["model"]
    return rows[rows["model"].isin(first)]


def qca_findings(solutions: pd.DataFrame) -> list[Finding]:
    """The parsimonious solution: every equally minimal model with its consistency and coverage, and the terms
    the models share or not (their unique coverage), in one finding."""
    question = "Which configurations are sufficient for success (QCA)"
    models = distinct_models(solutions, "parsimonious")
    if models.empty:
        return []
    described = []
    for solution, terms in models.groupby("solution", sort=False):
        first = terms.iloc[0]
        described.append(
            f"{solution} (consistency {number(first['solution_consistency'])}, coverage "
            f"{number(first['solution_coverage'])})"
        )
    count = len(described)
    if count == 1:
        text = f"One configuration model is sufficient for success (parsimonious solution): {described[0]}."
    else:
        shared = set.intersection(*(set(terms["term"]) for _, terms in models.groupby("solution", sort=False)))
        in_all = (
            f" {' and '.join(sorted(shared))} {'is' if len(shared) == 1 else 'are'} in every model; the rest differ."
            if shared
            else ""
        )
        text = (
            f"{count} equally minimal models are sufficient for success (parsimonious solution), and the data do not "
            f"choose between them: {'; '.join(described)}.{in_all} Read them together, not the first alone."
        )
    text += (
        " NAME = factor strong, ~NAME = weak. Consistency is how far the cases with a configuration succeeded; "
        "coverage how much of the success it accounts for."
    )
    return [Finding(question, text)]


def negated_qca_findings(
    solutions: pd.DataFrame, truth_table: pd.DataFrame | None = None, necessity: pd.DataFrame | None = None
) -> list[Finding]:
    """The QCA of the negated outcome (the `qca_*` rows for ~SUCCESS): every distinct equally minimal
    parsimonious model of not succeeding with its fit; where none passes the consistency cut, the observed
    configuration closest to it. With a condition near-necessary for not succeeding (consistency 0.9 or more,
    Ragin 2006), that too."""
    question = "Which configurations go with not succeeding (QCA)"
    models = distinct_models(solutions, "parsimonious") if not solutions.empty else solutions
    observed = truth_table[truth_table["n"] > 0].dropna(subset=["incl"]) if truth_table is not None else pd.DataFrame()
    if not models.empty:
        described = [
            f"{solution} (consistency {number(terms.iloc[0]['solution_consistency'])}, coverage "
            f"{number(terms.iloc[0]['solution_coverage'])})"
            for solution, terms in models.groupby("solution", sort=False)
        ]
        text = (
            f"One configuration model goes with not succeeding (QCA of the negated outcome): {described[0]}."
            if len(described) == 1
            else f"{len(described)} equally minimal models go with not succeeding (QCA of the negated outcome):"
            f" {'; '.join(described)}."
        )
    elif not observed.empty:
        closest = observed.sort_values("incl", ascending=False).iloc[0]
        text = (
            "No configuration is consistent enough with not succeeding to count as sufficient for it (QCA of the"
            f" negated outcome, at the consistency cut set for it; see the report's settings): the closest, {closest['configuration']}"
            f" ({closest['cases']}), reaches {number(closest['incl'])}."
        )
    else:
        return []
    if necessity is not None and not necessity.empty:
        ranked = necessity.dropna(subset=["consistency"]).sort_values("consistency", ascending=False)
        if not ranked.empty and ranked.iloc[0]["consistency"] >= 0.9:
            top = ranked.iloc[0]
            text += (
                f" {top['condition']} is near-necessary for not succeeding (consistency {number(top['consistency'])},"
                f" coverage {number(top['coverage'])}): partnerships that did not succeed mostly had it."
            )
    text += " NAME = factor strong, ~NAME = weak; failure's configurations need not mirror success's."
    return [Finding(question, text)]


def necessity_findings(necessity: pd.DataFrame) -> list[Finding]:
    """Conditions near-necessary for success (consistency 0.9 or more, Ragin 2006), with coverage and relevance,
    or the most consistent one when none reaches 0.9."""
    question = "Is any condition necessary for success"
    if necessity.empty or necessity["consistency"].isna().all():
        return []
    ranked = necessity.dropna(subset=["consistency"]).sort_values("consistency", ascending=False)
    near = ranked[ranked["consistency"] >= NEAR_NECESSARY]
    findings = []
    for row in near.itertuples(index=False):
        trivial = (
            " Its relevance is low, so it may be near-necessary only because it is common (trivial necessity)."
            if pd.notna(row.RoN) and row.RoN < 0.5
            else ""
        )
        findings.append(
            Finding(
                question,
                f"{row.condition} is near-necessary for success: consistency {number(row.consistency)} "
                f"(0.9 or more, Ragin 2006), coverage {number(row.coverage)}, relevance {number(row.RoN)}."
                f"{trivial} Near-necessary means successful partnerships almost always had it, not that it "
                "brings success.",
            )
        )
    if not findings:
        top = ranked.iloc[0]
        findings.append(
            Finding(
                question,
                f"No condition is necessary for success: the most consistent, {top['condition']}, reaches "
                f"{number(top['consistency'])}, below the 0.9 that near-necessity asks (Ragin 2006).",
            )
        )
    return findings


def importance_findings(importance: pd.DataFrame, names: dict[str, str]) -> list[Finding]:
    """The model of success: its most important factors, how well it predicts against guessing the larger group,
    and the small-sample caveat in plain words."""
    question = "How much each factor matters in a model of success"
    if importance.empty:
        return []
    ranked = importance.sort_values("rank")
    first = ranked.iloc[0]
    top = [
        f"{names.get(row.factor_id, row.factor_id).lower()} (importance {number(row.importance_mean, 3)})"
        for row in ranked.head(2).itertuples(index=False)
    ]
    better = first["loo_accuracy"] > first["baseline_accuracy"]
    verdict = (
        "better than always guessing the larger group" if better else "no better than always guessing the larger group"
    )
    smaller = round(first["events_per_variable"] * len(importance))
    plain = (
        f"Only {int(first['n_cases'])} partnerships, {smaller} of them in the smaller outcome group, for "
        f"{len(importance)} factors ({number(first['events_per_variable'], 1)} per factor where 10 or more are "
        "advised): the ranking can change with one or two partnerships, so read it as a pointer for the site "
        "visits, not a measure of effect."
    )
    text = (
        f"In a model of success from all factors, {' and '.join(top)} matter most. The model predicts success "
        f"correctly for {percent(first['loo_accuracy'])} of partnerships left out in turn, {verdict} "
        f"({percent(first['baseline_accuracy'])}). {plain}"
    )
    return [Finding(question, text)]


def barrier_findings(evidence: pd.DataFrame) -> list[Finding]:
    """Where partnerships did not succeed: the factors the site visits most often found holding the work back
    (the largest share of those partnerships with barrier passages, up to two), beside the share where
    partnerships succeeded. `evidence` is one row per factor with `not_`/`yes_` size, with_barriers and
    passages columns."""
    question = "Challenges and barriers"
    if evidence.empty or not evidence["not_size"].max():
        return []
    ranked = evidence[evidence["not_with_barriers"] > 0].sort_values(
        ["not_with_barriers", "not_passages"], ascending=False
    )
    if ranked.empty:
        return []
    described = [
        f"{row.factor.lower()} ({row.not_with_barriers} of {row.not_size} partnerships, {row.not_passages} passages;"
        f" {row.yes_with_barriers} of {row.yes_size} where partnerships succeeded)"
        for row in ranked.head(2).itertuples(index=False)
    ]
    return [
        Finding(
            question,
            "Where partnerships did not succeed, the site visits most often coded barriers on "
            f"{' and '.join(described)}. Counts of coded passages, not measures: they show where to look.",
        )
    ]


def response_findings(response: pd.DataFrame, wave_names: dict[str, str] | None = None) -> list[Finding]:
    """The programme's response rate in each wave, from the wave totals `response_rates` publishes; each wave
    named by `wave_names` (wave id -> label) where it names it."""
    waves = response[(response["level"] == "wave") & response["response_rate"].notna()].sort_values("wave")
    if waves.empty:
        return []
    wave_names = wave_names or {}
    described = [
        f"{percent(row.response_rate)} in {wave_names.get(row.wave, row.wave)}"
        f" ({row.respondents:,} of {row.invited:,} invited)"
        for row in waves.itertuples(index=False)
    ]
    return [
        Finding(
            "Who answered the survey",
            f"Across the programme, {'; '.join(described)} answered the stakeholder survey. Rates per partnership"
            " and group follow below; some are withheld under the disclosure threshold.",
        )
    ]


def sustainment_findings(by_factor: pd.DataFrame, names: dict[str, str]) -> list[Finding]:
    """Whether the factor the evaluation links with sustainment (`tested_factor` in `sustainment_by_factor`,
    the setting sustainment_factor) goes with work carrying on after support: both shares with their Wilson
    intervals, the difference with Newcombe's interval, Fisher's exact p and the small-sample caveat. The verdict
    follows the interval: clear of zero, it goes with sustainment (or against it); spanning zero, these data
    cannot tell."""
    tested = by_factor[by_factor["tested_factor"]] if not by_factor.empty else by_factor
    if len(tested) != 2 or (tested["partnerships"] == 0).any():
        return []
    strong = tested[tested["level"] == "strong"].iloc[0]
    weak = tested[tested["level"] == "weak"].iloc[0]
    name = names.get(strong["factor_id"], strong["factor_id"]).lower()
    low, high = strong["difference_ci_low"], strong["difference_ci_high"]
    if low > 0:
        verdict = f"On these data, {name} goes with sustainment, as the evaluation found"
    elif high < 0:
        verdict = f"On these data, {name} goes with work stopping, against the evaluation's finding"
    else:
        verdict = f"These data cannot confirm that {name} goes with sustainment: the interval spans zero"
    p_value = strong["fisher_p"]
    p_text = "p < 0.001" if p_value < 0.001 else f"p = {number(p_value, 3)}"
    return [
        Finding(
            f"Does {name} go with sustainment",
            f"{verdict}. The work carried on after support (sustained or integrated) for"
            f" {int(strong['continued'])} of {int(strong['partnerships'])} partnerships strong on it"
            f" ({_share_text(strong)}) against {int(weak['continued'])} of {int(weak['partnerships'])} weak on it"
            f" ({_share_text(weak)}); difference {points(strong['difference_strong_minus_weak'])} (Newcombe 95% CI"
            f" {interval(100 * low, 100 * high, 0)}; Fisher's exact test {p_text}). " + SMALL_NUMBERS,
        )
    ]


def _share_text(level: pd.Series) -> str:
    return (
        f"{percent(level['share_continued'])}, 95% CI {share_interval(level['share_ci_low'], level['share_ci_high'])}"
    )


def key_findings(
    comparison: pd.DataFrame,
    solutions: pd.DataFrame,
    necessity: pd.DataFrame,
    importance: pd.DataFrame,
    names: dict[str, str],
) -> list[Finding]:
    """Every key finding, in the order of the evaluation's questions."""
    return [
        *factor_success_findings(comparison, names),
        *qca_findings(solutions),
        *necessity_findings(necessity),
        *importance_findings(importance, names),
    ]
