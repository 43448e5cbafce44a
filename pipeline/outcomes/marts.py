"""Outcome marts: each partnership's indicators over time beside England, and the change around its support.

Values are taken as the national tool published them. Where a file gives a count and denominator but no
confidence limits, the limits are computed with the tool's own methods (Wilson for proportions, Byar's or
exact Poisson for crude rates). Where a file gives counts and populations by age band, staging computes PHE's
directly standardised rate with Dobson limits (none from fewer than 10 events: the note says so), and a
partnership's areas are pooled band by band before standardising. A partnership covering several areas gets the pooled value (summed counts
over summed denominators) where counts exist, and otherwise the unweighted mean of its areas' values,
without limits, and says which.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from pipeline.methods.disclosure import is_disclosive
from pipeline.methods.dsr import dsr
from pipeline.methods.intervals import mover_linear
from pipeline.methods.phe import (
    TREND_POINTS,
    TREND_Z_EXACT,
    TREND_Z_FINGERTIPS,
    compare_to_benchmark,
    intervals_when_missing,
    phe_proportion,
    phe_rate,
    phe_sii,
    recent_trend,
)
from pipeline.outcomes import schemas
from pipeline.validation import validate_mart
from pipeline.warehouse import load_sql, replace_table

ENGLAND = "E92000001"
Z95 = 1.959964
# The `trend_z` setting: the normal point behind a standard error from published 95% limits.
TREND_Z = {"fingertips": TREND_Z_FINGERTIPS, "exact": TREND_Z_EXACT}


def _series(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    series = con.execute(load_sql(__file__, "series")).df()
    # A value published twice for one area and period (two files): keep the one with limits.
    series = series.sort_values(["lower_ci95"], na_position="last", kind="stable")
    series = series.drop_duplicates(["indicator_id", "area_code", "period"]).reset_index(drop=True)
    # Limits computed here from counts are not fed to the trend test of a proportion: its counts are tested.
    return series.assign(limits_published=series["lower_ci95"].notna() & series["upper_ci95"].notna())


def _with_intervals(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Add 99.8% limits (and 95% ones a file lacks) from counts, by each indicator's statistic."""
    parts = []
    for (statistic, multiplier), ids in indicators.groupby(["statistic", "multiplier"])["indicator_id"]:
        part = values[values["indicator_id"].isin(ids)]
        if statistic in ("rate", "proportion") and not part.empty:
            part = intervals_when_missing(part, statistic=statistic, multiplier=float(multiplier))
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else values


# What `_pool` gives for a partnership's areas in one period, where the method has it.
POOLED_FIGURES = ["value", "lower_ci95", "upper_ci95", "lower_ci998", "upper_ci998", "count", "denominator"]


def _pool(group: pd.DataFrame, statistic: str, multiplier: float, bands: pd.DataFrame) -> dict[str, object]:
    """One value for a partnership's areas in one period; `bands` are the age bands of DSRs computed here."""
    if statistic == "dsr" and (group["source_format"] == "age_banded").all():
        # A DSR (with both levels' limits) of the areas together: counts and populations summed band by band.
        first = group.iloc[0]
        mine = bands[
            (bands["indicator_id"] == first["indicator_id"])
            & (bands["period"] == first["period"])
            & bands["area_code"].isin(group["area_code"])
            & (bands["sex"].fillna("") == ("" if pd.isna(first["sex"]) else first["sex"]))
        ]
        if mine["area_code"].nunique() == len(group):
            summed = mine.groupby("age_band", sort=False).agg(
                count=("count", "sum"), population=("population", "sum"), standard=("standard_population", "first")
            )
            pooled = dsr(summed["count"], summed["population"], summed["standard"], multiplier=multiplier)
            missing = bool(np.isnan(pooled["value"]))
            return {
                **{c: pooled[c] for c in ("value", "lower_ci95", "upper_ci95", "lower_ci998", "upper_ci998")},
                "count": pooled["total_count"],
                "denominator": pooled["total_pop"],
                "aggregation": "single area" if len(group) == 1 else f"pooled over {len(group)} areas by age band",
                "note": pooled["statistic"] if missing else None,
                "limits_published": True,  # Dobson's limits, as the national tool computes them
            }
    if len(group) == 1:
        row = group.iloc[0]
        return {c: row.get(c) for c in POOLED_FIGURES} | {
            "aggregation": "single area",
            "note": row.get("value_note"),
            "limits_published": row["limits_published"],
        }
    if statistic in ("rate", "proportion") and group["count"].notna().all() and group["denominator"].notna().all():
        count, denominator = group["count"].sum(), group["denominator"].sum()
        method = phe_rate if statistic == "rate" else phe_proportion
        pooled = method([count], [denominator], multiplier=multiplier).iloc[0]
        return {
            **pooled.to_dict(),
            "count": count,
            "denominator": denominator,
            "aggregation": f"pooled over {len(group)} areas",
            "limits_published": False,
        }
    notes = group["value_note"].dropna().unique()
    return {
        "value": group["value"].mean(),
        "aggregation": f"unweighted mean of {len(group)} areas (no limits)",
        "note": f"left out: {'; '.join(notes)}" if len(notes) else None,
        "limits_published": False,
    }


def build_outcome_trends(
    con: duckdb.DuckDBPyConnection,
    threshold: int,
    *,
    trend_points: int | None = TREND_POINTS,
    trend_z: str = "fingertips",
) -> int:
    """`marts.outcome_trends`: one row per partnership x indicator x period, with England beside it.

    The recent trend (on each series' latest row) is Fingertips' test over the `trend_points` most recent valid
    points (None: the whole unbroken run), with 95% limits turned into standard errors by `trend_z`
    ("fingertips": 1.96, as Fingertips; "exact": qnorm(0.975), as PHEindicatormethods); a proportion whose
    points lack published limits is tested on its counts alone (chi-squared test for trend in proportions). Counts under `threshold`
    are suppressed in what is published, after the test has used them.
    """
    if trend_z not in TREND_Z:
        raise ValueError(f"trend_z must be one of {', '.join(TREND_Z)}, not {trend_z!r}")
    indicators = con.execute(
        "SELECT DISTINCT indicator_id, statistic, multiplier, polarity FROM staging.outcome_indicators"
    ).df()
    series = _with_intervals(_series(con), indicators)
    # Ordered, so each group's areas are pooled in one order: float sums in the order rows happen to be
    # stored would differ in their last bits between two refreshes of the same data.
    areas = con.execute(
        "SELECT a.partnership_id, a.area_code, p.wicked_problem FROM staging.partnership_areas a"
        " JOIN staging.partnerships p USING (partnership_id) ORDER BY ALL"
    ).df()
    wanted = con.execute("SELECT wicked_problem, indicator_id FROM staging.outcome_indicators ORDER BY ALL").df()
    bands = con.execute("SELECT * FROM staging.outcome_age_bands ORDER BY ALL").df()
    rows = []
    info = indicators.set_index("indicator_id")
    scoped = areas.merge(wanted, on="wicked_problem").merge(series, on=["indicator_id", "area_code"])
    for (partnership, indicator, period), group in scoped.groupby(["partnership_id", "indicator_id", "period"]):
        pooled = _pool(group, info.at[indicator, "statistic"], float(info.at[indicator, "multiplier"]), bands)
        first = group.iloc[0]
        rows.append(
            {
                "partnership_id": partnership,
                "indicator_id": int(indicator),
                "period": period,
                "period_start": first["period_start"],
                "period_end": first["period_end"],
                "period_sort_key": int(first["period_sort_key"]),
                "areas_with_data": len(group),
                **pooled,
            }
        )
    columns = list(schemas.OutcomeTrendsMart.to_schema().columns)
    if not rows:  # no outcome values for any partnership's areas: an empty mart, not a failure
        return replace_table(
            con, "marts.outcome_trends", validate_mart(pd.DataFrame(columns=columns), schemas.OutcomeTrendsMart)
        )
    trends = pd.DataFrame(rows)
    # An unweighted mean has no limits or counts: where every value is one, their columns are still there, empty.
    trends = trends.reindex(columns=trends.columns.union(POOLED_FIGURES, sort=False))
    england = series[series["area_code"] == ENGLAND][["indicator_id", "period", "value", "lower_ci95", "upper_ci95"]]
    england = england.rename(
        columns={"value": "england_value", "lower_ci95": "england_lower_ci95", "upper_ci95": "england_upper_ci95"}
    )
    trends = trends.merge(england, on=["indicator_id", "period"], how="left").merge(
        indicators[["indicator_id", "polarity"]], on="indicator_id"
    )
    for level in ("95", "998"):
        trends[f"compared_to_england_{level}"] = pd.concat(
            [
                compare_to_benchmark(
                    part["value"],
                    part[f"lower_ci{level}"],
                    part[f"upper_ci{level}"],
                    part["england_value"],
                    polarity=polarity,
                )
                for polarity, part in trends.groupby("polarity")
            ]
        ).reindex(trends.index)
    trends = trends.sort_values(["partnership_id", "indicator_id", "period_sort_key"])
    # The trend is tested on the counts as they are: suppressing first would break runs of valid points.
    trends["recent_trend"] = None
    for (_, indicator, polarity), part in trends.groupby(["partnership_id", "indicator_id", "polarity"]):
        # A proportion without published limits is tested on its counts (chi-squared test for trend), not on
        # limits computed here; other statistics need limits (published or computed).
        proportion = info.at[indicator, "statistic"] == "proportion"
        published = part["limits_published"].astype("boolean").fillna(False).astype(bool) | (not proportion)
        result = recent_trend(
            part["period_sort_key"],
            part["value"],
            pd.to_numeric(part["count"]),
            pd.to_numeric(part["denominator"]),
            part["lower_ci95"].where(published),
            part["upper_ci95"].where(published),
            method="auto" if proportion else "ci",
            polarity=polarity,
            points=trend_points,
            limits_z=TREND_Z[trend_z],
        )
        trends.loc[part.index[-1], "recent_trend"] = result.label
    suppressed = is_disclosive(pd.to_numeric(trends["count"]), threshold)
    trends["count"] = pd.to_numeric(trends["count"]).mask(suppressed)
    trends["count_suppressed"] = suppressed
    frame = trends[columns]
    return replace_table(con, "marts.outcome_trends", schemas.OutcomeTrendsMart.validate(frame.reset_index(drop=True)))


@dataclass(frozen=True)
class SuccessRule:
    """How an outcome change around the support period is measured and classified (settings
    `min_relative_change`, `outcome_baseline_years`, `outcome_followup_years`).

    The change is the difference-in-differences of the partnership and England between the baseline (the
    latest period ending no later than `baseline_years` after support began; 0: on or before it began) and the
    follow-up (the latest period starting after support began and after the baseline, and, unless
    `followup_years` is None, ending no later than that many years after support ended): negative is better
    for a low-is-good indicator. Its 95% interval is the MOVER's (`mover_linear`) from the four values' own
    limits (England taken as fixed where it has none); wholly on the good side is "improved", wholly on the bad
    side "worsened", otherwise "no clear change". Without the partnership's limits, the point estimate decides
    only beyond `min_relative_change` of the baseline value, and the classification says it is a point estimate.
    """

    min_relative_change: float = 0.05
    baseline_years: float = 0.0
    followup_years: float | None = None


def _classify(
    change: pd.Series,
    low: pd.Series,
    high: pd.Series,
    baseline: pd.Series,
    better_when_lower: pd.Series,
    rule: SuccessRule,
) -> pd.Series:
    good = np.where(better_when_lower, -1, 1)
    signed, signed_low, signed_high = change * good, np.where(good > 0, low, -high), np.where(good > 0, high, -low)
    with_ci = np.select([signed_low > 0, signed_high < 0], ["improved", "worsened"], "no clear change")
    beyond = (change.abs() / baseline.abs()) >= rule.min_relative_change
    point = np.select(
        [beyond & (signed > 0), beyond & (signed < 0)],
        ["improved (point estimate)", "worsened (point estimate)"],
        "no clear change (point estimate)",
    )
    classes = np.where(low.notna() & high.notna(), with_ci, point)
    return pd.Series(np.where(change.isna(), "insufficient data", classes), index=change.index)


def _years_after(when: pd.Timestamp, years: float) -> pd.Timestamp:
    """`years` (possibly fractional) after `when`."""
    return pd.Timestamp(when) + pd.DateOffset(days=round(365.25 * years))


def _missing_reason(part: pd.DataFrame, base: pd.DataFrame, follow: pd.DataFrame, row, rule: SuccessRule) -> str:
    """What an "insufficient data" row lacks, in words."""
    start, end = pd.Timestamp(row.support_start), pd.Timestamp(row.support_end)
    if part.empty:
        return "no values for this indicator in the partnership's areas"
    if base.empty:
        if rule.baseline_years:
            return (
                f"no value ending by {_years_after(start, rule.baseline_years):%Y-%m-%d}"
                f" ({rule.baseline_years:g} years after support began in {start.year}; outcome_baseline_years)"
            )
        return f"no value before support began in {start.year}"
    if follow.empty:
        if rule.followup_years is not None:
            return (
                f"no value after the baseline and by {_years_after(end, rule.followup_years):%Y-%m-%d}"
                f" ({rule.followup_years:g} years after support ended in {end.year}; outcome_followup_years)"
            )
        return f"no value after support began in {start.year} (and after the baseline)"
    b, f = base.iloc[0], follow.iloc[0]
    missing = [
        what
        for what, value in (
            ("the partnership's value at baseline", b["value"]),
            ("the partnership's value at follow-up", f["value"]),
            ("England's value at baseline", b["england_value"]),
            ("England's value at follow-up", f["england_value"]),
        )
        if pd.isna(value)
    ]
    return "no " + " or ".join(missing) if missing else ""


def build_outcome_change(con: duckdb.DuckDBPyConnection, rule: SuccessRule = SuccessRule()) -> int:
    """`marts.outcome_change`: one row per partnership x outcome indicator of its wicked problem."""
    trends = con.execute(
        "SELECT t.*, p.support_start, p.support_end FROM marts.outcome_trends t JOIN staging.partnerships p USING (partnership_id)"
    ).df()
    expected = con.execute(
        "SELECT p.partnership_id, i.indicator_id, i.indicator_name, i.headline, i.polarity, p.support_start, p.support_end "
        "FROM staging.partnerships p JOIN staging.outcome_indicators i USING (wicked_problem)"
    ).df()
    rows = []
    for row in expected.itertuples():
        part = trends[(trends["partnership_id"] == row.partnership_id) & (trends["indicator_id"] == row.indicator_id)]
        part = part.sort_values("period_sort_key")
        base_by = _years_after(row.support_start, rule.baseline_years)
        base = part[part["period_end"] <= base_by].tail(1)
        follow = part[part["period_start"] > row.support_start]
        if not base.empty:
            follow = follow[follow["period_sort_key"] > base["period_sort_key"].iloc[0]]
        if rule.followup_years is not None:
            follow = follow[follow["period_end"] <= _years_after(row.support_end, rule.followup_years)]
        follow = follow.tail(1)
        record = {
            "partnership_id": row.partnership_id,
            "indicator_id": row.indicator_id,
            "indicator_name": row.indicator_name,
            "headline": row.headline,
            "polarity": row.polarity,
            "support_start": row.support_start,
            "support_end": row.support_end,
            "reason": _missing_reason(part, base, follow, row, rule),
        }
        if not base.empty and not follow.empty:
            b, f = base.iloc[0], follow.iloc[0]
            record |= {
                "baseline_period": b["period"],
                "followup_period": f["period"],
                "baseline_before_support": bool(b["period_end"] <= row.support_start),
                "followup_after_support": bool(f["period_start"] >= row.support_end),
                "baseline_value": b["value"],
                "followup_value": f["value"],
                "baseline_england": b["england_value"],
                "followup_england": f["england_value"],
            }
            # The four values, in the order of the coefficients of (f - fE) - (b - bE). England without
            # published limits is taken as fixed (its limits are its value): its error is small beside an area's.
            values = [f["value"], f["england_value"], b["value"], b["england_value"]]
            lows = [f["lower_ci95"], f["england_lower_ci95"], b["lower_ci95"], b["england_lower_ci95"]]
            highs = [f["upper_ci95"], f["england_upper_ci95"], b["upper_ci95"], b["england_upper_ci95"]]
            for i in (1, 3):
                if pd.isna(lows[i]) or pd.isna(highs[i]):
                    lows[i] = highs[i] = values[i]
            change, low, high = mover_linear(
                pd.DataFrame([values]), pd.DataFrame([lows]), pd.DataFrame([highs]), [1, -1, -1, 1]
            )
            record |= {
                "change_vs_england": change.iloc[0],
                "change_ci_low": low.iloc[0],
                "change_ci_high": high.iloc[0],
            }
        rows.append(record)
    frame = pd.DataFrame(rows)
    for column in schemas.OutcomeChangeMart.to_schema().columns:
        if column not in frame:
            frame[column] = np.nan
    frame["classification"] = _classify(
        frame["change_vs_england"],
        frame["change_ci_low"],
        frame["change_ci_high"],
        frame["baseline_value"],
        frame["polarity"] == "low_is_good",
        rule,
    )
    frame["reason"] = frame["reason"].where(frame["classification"] == "insufficient data")
    frame["reason"] = frame["reason"].mask(frame["reason"].eq(""), "no change could be computed")
    for column in ("followup_after_support", "baseline_before_support"):
        frame[column] = frame[column].astype("boolean")
    frame["reason"] = frame["reason"].astype("string")
    frame = frame[list(schemas.OutcomeChangeMart.to_schema().columns)]
    return replace_table(con, "marts.outcome_change", schemas.OutcomeChangeMart.validate(frame))


# --- Inequality across deprivation quantiles -------------------------------------------------------------

_ORDINALS = {
    "most": 1,
    "second most": 2,
    "third more": 3,
    "fourth more": 4,
    "fifth more": 5,
    "fifth less": 6,
    "fourth less": 7,
    "third less": 8,
    "second least": 9,
    "least": 10,
}
_QUINTILE_ORDINALS = {
    "most": 1,
    "second most": 2,
    "third more": 3,
    "average": 3,
    "middle": 3,
    "second least": 4,
    "least": 5,
}


def deprivation_rank(category: str) -> tuple[int, int] | None:
    """(rank, number of quantiles) of a deprivation decile or quintile named as Fingertips names them,
    1 = most deprived ("Third more deprived decile (IMD2019)" -> (3, 10)); None for other breakdowns."""
    text = category.lower().split("(")[0].strip()
    for size, word, ordinals in ((10, "decile", _ORDINALS), (5, "quintile", _QUINTILE_ORDINALS)):
        if text.endswith(f"deprived {word}") or text.endswith(f"{word}"):
            stem = text.removesuffix(word).strip().removesuffix("deprived").strip()
            if stem in ordinals:
                return ordinals[stem], size
    return None


def build_outcome_inequality(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.outcome_inequality`: one row per area x indicator x period x deprivation breakdown with every
    decile or quintile present: the Slope and Relative Index of Inequality with simulated 95% limits.

    Populations are the published denominators; where none are published, the quantiles are taken as
    equal shares (deciles and quintiles of small areas hold roughly equal populations) and the row says so.
    """
    rows = con.execute(
        "SELECT v.*, i.statistic, i.multiplier FROM staging.outcome_values v "
        "LEFT JOIN (SELECT DISTINCT indicator_id, statistic, multiplier FROM staging.outcome_indicators) i USING (indicator_id) "
        "WHERE v.category IS NOT NULL AND v.value IS NOT NULL"
    ).df()
    ranks = rows["category"].map(deprivation_rank)
    rows = rows[ranks.notna()].assign(
        quantile=ranks.dropna().map(lambda r: r[0]), quantiles=ranks.dropna().map(lambda r: r[1])
    )
    results = []
    keys = ["area_code", "indicator_id", "period", "sex", "age", "category_type"]
    for key, group in rows.groupby(keys, dropna=False):
        group = group.drop_duplicates("quantile")
        if len(group) != group["quantiles"].iloc[0]:
            continue  # not every quantile present: the SII is not defined
        statistic = group["statistic"].iloc[0] if pd.notna(group["statistic"].iloc[0]) else None
        if (
            group[["lower_ci95", "upper_ci95"]].isna().any(axis=None)
            and statistic in ("rate", "proportion")
            and group[["count", "denominator"]].notna().all(axis=None)
        ):
            group = intervals_when_missing(
                group, statistic=statistic, multiplier=float(group["multiplier"].iloc[0]), levels=(0.95,)
            )
        if group[["lower_ci95", "upper_ci95"]].isna().any(axis=None):
            continue  # no limits published or computable: the SII interval would be invented
        equal_shares = group["denominator"].isna().any()
        population = pd.Series(1.0, index=group.index) if equal_shares else group["denominator"]
        value_type = "rate" if statistic in ("rate", "dsr") else "proportion" if statistic == "proportion" else "normal"
        scale = float(group["multiplier"].iloc[0]) if value_type == "proportion" else 1.0
        result = phe_sii(
            group["quantile"],
            population,
            group["value"] / scale,
            lower_ci95=group["lower_ci95"] / scale,
            upper_ci95=group["upper_ci95"] / scale,
            value_type=value_type,
            multiplier=scale,
            repetitions=10_000,
            seed=2016,
        )
        (low, high), (rii_low, rii_high) = result.sii_limits[0.95], result.rii_limits[0.95]
        results.append(
            dict(zip(keys, key, strict=True))
            | {
                "quantiles": int(group["quantiles"].iloc[0]),
                "population": "equal shares assumed" if equal_shares else "published denominators",
                "sii": result.sii,
                "sii_ci_low": low,
                "sii_ci_high": high,
                "rii": result.rii,
                "rii_ci_low": rii_low,
                "rii_ci_high": rii_high,
            }
        )
    frame = pd.DataFrame(
        results,
        columns=[
            *keys,
            "quantiles",
            "population",
            "sii",
            "sii_ci_low",
            "sii_ci_high",
            "rii",
            "rii_ci_low",
            "rii_ci_high",
        ],
    )
    frame["indicator_id"] = frame["indicator_id"].astype("int64")
    return replace_table(con, "marts.outcome_inequality", validate_mart(frame, schemas.OutcomeInequalityMart))


def build_outcome_coverage(con: duckdb.DuckDBPyConnection) -> int:
    """`marts.outcome_coverage`: one row per partnership x indicator of its wicked problem."""
    frame = schemas.OutcomeCoverageMart.validate(con.execute(load_sql(__file__, "outcome_coverage")).df())
    return replace_table(con, "marts.outcome_coverage", frame)
