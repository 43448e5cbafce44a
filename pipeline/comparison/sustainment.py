"""Sustainment and spread after support, set against the success factors; and the programme's rounds compared.

- `sustainment` (one row per partnership): its status after support ended (sustained, integrated into other
  work, stopped; `reference/sustainment.csv`), its spread (`reference/spread.csv`: how many areas, services or
  programmes took the work up, and the latest), its round, its success assessment, and its rating and level on
  the factor the setting `sustainment_factor` names (integration by default).
- `sustainment_by_factor` (one row per factor x level): the share of partnerships whose work carried on
  (sustained or integrated) where each factor is strong and where it is weak, with Wilson intervals, the
  difference with Newcombe's interval and Fisher's exact test. The evaluation's finding that integration goes
  with sustainment is tested here, not assumed. Levels come from the QCA's analysed cases (`analysed_cases`:
  published scores only, the one evidence base of the comparisons), so no suppressed score shows through.
- `round_comparison` (one row per round x measure x wave): success, work carried on, survey response and
  usefulness of the support offer by programme round, each with its Wilson interval and its difference from
  the first round (Newcombe). Counts of people (respondents, ratings) are disclosure-controlled.

The other marts with a partnership_id are cut by round by joining `partnership_profile.programme_round`.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.comparison import schemas
from pipeline.comparison.analysis import analysed_cases
from pipeline.methods.disclosure import is_disclosive, recoverable_cells
from pipeline.methods.proportions import fisher_exact_p, newcombe_difference, wilson_interval
from pipeline.warehouse import load_sql, replace_table, table_exists

PARTNERSHIP_MEASURES = ("success", "continued")


def factor_levels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each analysed case's level (strong: membership above 0.5, else weak) on every QCA condition's factor,
    long: partnership_id, factor_id, level."""
    members = analysed_cases(con)
    conditions = con.execute("SELECT factor_id, condition FROM staging.qca_conditions ORDER BY factor_id").df()
    rows = [
        (partnership, factor, "strong" if membership > 0.5 else "weak")
        for factor, condition in conditions.itertuples(index=False)
        if condition in members.columns
        for partnership, membership in zip(members["partnership_id"], members[condition], strict=True)
        if pd.notna(membership)
    ]
    return pd.DataFrame(rows, columns=["partnership_id", "factor_id", "level"])


def build_sustainment(con: duckdb.DuckDBPyConnection, factor_id: str) -> int:
    """`marts.sustainment`: one row per partnership (see the module docstring). Needs `marts.qca_memberships`
    and `marts.success_factor_matrix` first."""
    frame = con.execute(load_sql(__file__, "sustainment"), {"factor_id": factor_id}).df()
    levels = factor_levels(con)
    level = levels[levels["factor_id"] == factor_id].set_index("partnership_id")["level"]
    frame["factor_level"] = frame["partnership_id"].map(level)
    for column in ("continued", "achieved_objectives"):
        frame[column] = frame[column].astype("boolean")
    frame["spread_count"] = frame["spread_count"].astype(int)
    return replace_table(con, "marts.sustainment", schemas.SustainmentMart.validate(frame))


def build_sustainment_by_factor(con: duckdb.DuckDBPyConnection, factor_id: str) -> int:
    """`marts.sustainment_by_factor`: one row per factor x level (see the module docstring); empty where no
    analysed case has a sustainment status. Needs `marts.sustainment` first."""
    status = con.execute("SELECT partnership_id, continued FROM marts.sustainment WHERE continued IS NOT NULL").df()
    cases = factor_levels(con).merge(status, on="partnership_id")
    rows = []
    for factor, group in cases.groupby("factor_id", sort=True):
        counts = {
            level: (int(group.loc[group["level"] == level, "continued"].sum()), int((group["level"] == level).sum()))
            for level in ("strong", "weak")
        }
        difference, low, high = newcombe_difference(*counts["strong"], *counts["weak"])
        p_value = fisher_exact_p(*counts["strong"], *counts["weak"])
        for level, (continued, n) in counts.items():
            ci_low, ci_high = wilson_interval(continued, n)
            rows.append(
                {
                    "factor_id": factor,
                    "level": level,
                    "tested_factor": factor == factor_id,
                    "partnerships": n,
                    "continued": continued,
                    "share_continued": continued / n if n else None,
                    "share_ci_low": ci_low,
                    "share_ci_high": ci_high,
                    "difference_strong_minus_weak": difference,
                    "difference_ci_low": low,
                    "difference_ci_high": high,
                    "fisher_p": p_value,
                }
            )
    columns = list(schemas.SustainmentByFactorMart.to_schema().columns)
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.astype({"partnerships": int, "continued": int, "tested_factor": bool})
    for column in columns[5:]:
        frame[column] = frame[column].astype(float)
    return replace_table(con, "marts.sustainment_by_factor", schemas.SustainmentByFactorMart.validate(frame))


def _withheld_people(counts: pd.DataFrame, con: duckdb.DuckDBPyConnection, threshold: int) -> pd.Series:
    """Which rows of people counts (response, support_useful) to withhold: a count from 1 to threshold - 1
    (primary); for response, every round of a wave where round totals would make a count `response_rates`
    withholds recoverable (its partnership x group cells audited with the round totals added to the margins it
    publishes: Hundepool et al. 2012, ch. 4); then, in any wave with one round withheld, every round (the wave's
    total is published, so one round would follow from the other)."""
    people = counts["measure"].isin(["response", "support_useful"])
    withheld = people & (is_disclosive(counts["counted"], threshold) | is_disclosive(counts["base"], threshold))
    cells = con.execute(
        "SELECT r.wave, r.partnership_id, r.stakeholder_group, r.respondents, p.programme_round"
        " FROM marts.response_rates AS r JOIN staging.partnerships AS p USING (partnership_id)"
        " WHERE r.level = 'cell'"
    ).df()
    margins = [["wave", "partnership_id"], ["wave", "stakeholder_group"], ["wave"]]
    before = recoverable_cells(cells, "respondents", margins)
    after = recoverable_cells(cells, "respondents", [*margins, ["wave", "programme_round"]])
    revealing = set(cells.loc[after & ~before, "wave"])
    withheld |= (counts["measure"] == "response") & counts["wave"].isin(revealing)
    in_group = withheld.groupby([counts["measure"], counts["wave"].fillna("")]).transform("any")
    return (withheld | (people & in_group)).astype(bool)


def build_round_comparison(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """`marts.round_comparison`: one row per programme round x measure x wave (see the module docstring). Needs
    `marts.response_rates` and `marts.sustainment` first. Empty when the programme has one round."""
    counts = con.execute(load_sql(__file__, "round_counts")).df()
    if table_exists(con, "staging.survey_item_scores"):  # a view the first staged survey wave creates
        support = con.execute(load_sql(__file__, "round_support_counts")).df()
        counts = pd.concat([counts, support], ignore_index=True) if not support.empty else counts
    if counts["programme_round"].nunique() < 2:
        counts = counts.iloc[0:0]
    counts = counts[counts["base"].fillna(0) > 0].reset_index(drop=True)
    counts["wave"] = counts["wave"].astype(object).where(counts["wave"].notna(), None)
    withheld = _withheld_people(counts, con, threshold)
    rows = []
    for _, group in counts.groupby(["measure", counts["wave"].fillna("")], sort=False):
        group = group.sort_values("programme_round")
        first = group.iloc[0]
        for index, row in group.iterrows():
            hidden = bool(withheld[index])
            low, high = wilson_interval(row["counted"], row["base"]) if not hidden else (np.nan, np.nan)
            difference = (np.nan,) * 3
            if not hidden and index != first.name and not withheld[first.name]:
                difference = newcombe_difference(row["counted"], row["base"], first["counted"], first["base"])
            partnerships = row["measure"] in PARTNERSHIP_MEASURES
            rows.append(
                {
                    "programme_round": int(row["programme_round"]),
                    "measure": row["measure"],
                    "wave": row["wave"],
                    "partnerships_counted": row["counted"] if partnerships else None,
                    "partnerships": row["base"] if partnerships else None,
                    "people_counted": None if partnerships or hidden else row["counted"],
                    "people": None if partnerships or hidden else row["base"],
                    "share": None if hidden else row["counted"] / row["base"],
                    "ci_low": low,
                    "ci_high": high,
                    "difference_from_first": difference[0],
                    "difference_ci_low": difference[1],
                    "difference_ci_high": difference[2],
                    "suppressed": hidden,
                }
            )
    columns = list(schemas.RoundComparisonMart.to_schema().columns)
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("partnerships_counted", "partnerships", "people_counted", "people"):
        frame[column] = frame[column].astype("Int64")
    for column in ("share", "ci_low", "ci_high", "difference_from_first", "difference_ci_low", "difference_ci_high"):
        frame[column] = frame[column].astype(float)
    frame = frame.astype({"programme_round": int, "suppressed": bool})
    return replace_table(con, "marts.round_comparison", schemas.RoundComparisonMart.validate(frame))
