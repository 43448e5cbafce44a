"""No value suppressed in one mart can be recovered from another (DESIGN.md, "Rules that hold everywhere").

Each test attacks the demo run's published marts the way an intruder would, in the manner of Hundepool et al.
(2012), Statistical Disclosure Control, Wiley, ch. 4 (auditing a suppression pattern): by inverting a
calibration, by differencing totals and group sizes, by bounding counts with linear programming, and by
reading the marts' texts. The truth comes from the warehouse's staging tables; a value counts as recovered
when an attack pins it to its true value (means to the two decimals the reports print). Each test reports
how many suppressed values it tried and how many it recovered, and asserts that it recovered none.
"""

from __future__ import annotations

import re
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from scipy.special import logit

import pipeline.surveys.marts as survey_marts
from pipeline.comparison.analysis import SITE_VISIT_ANCHORS, QcaSettings, build_qca_marts
from pipeline.methods import qca, typology
from pipeline.methods.disclosure import sum_incidence
from pipeline.warehouse import load_sql
from tests.conftest import report_counts

THRESHOLD = 5  # the demo's disclosure threshold (settings default)
MEAN_PRECISION = 0.005  # a mean pinned to two decimals is recovered
MARTS = (
    "response_rates",
    "construct_scores",
    "support_usefulness",
    "wave_change",
    "partnership_profile",
    "success_factor_matrix",
    "qca_memberships",
    "qca_truth_table",
    "qca_solutions",
    "qca_necessity",
    "partnership_typology",
    "factor_importance",
    "factor_outcome_comparison",
    "sustainment",
    "sustainment_by_factor",
    "round_comparison",
    "comment_themes",
    "comment_quotes",
)


@pytest.fixture(scope="module")
def published(demo_run) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        return {name: con.execute(f"SELECT * FROM {name}").df() for name in MARTS}


@pytest.fixture(scope="module")
def warehouse(demo_run):
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def suppressed_scores(published, warehouse) -> pd.DataFrame:
    """Every partnership x factor whose survey mean `success_factor_matrix` suppresses, with its true mean."""
    matrix = published["success_factor_matrix"]
    hidden = matrix.loc[matrix["survey_suppressed"], ["partnership_id", "factor_id"]]
    truth = warehouse.execute("SELECT partnership_id, factor_id, survey_mean FROM staging.latest_factor_scores").df()
    frame = hidden.merge(truth, on=["partnership_id", "factor_id"])
    assert len(frame) == len(hidden) > 0  # the demo suppresses some scores (P19, P23, P29)
    return frame.rename(columns={"survey_mean": "true_mean"})


def report(route: str, tried: int, recovered: int, detail: str = "") -> None:
    report_counts(f"{route}: {tried} suppressed values tried, {recovered} recovered{detail}")


# --- QCA memberships and texts ---------------------------------------------------------------------------


def uncalibrate(membership: float, anchors: pd.Series) -> float:
    """The raw score a direct-method membership came from (the inverse of `qca.calibrate_fuzzy`)."""
    log_odds = logit(membership)
    e, c, i = anchors["full_non_membership"], anchors["crossover"], anchors["full_membership"]
    scale = abs(i - c) if log_odds >= 0 else abs(c - e)
    return c + np.sign(i - c) * log_odds * scale / qca.RAGIN_LOG_ODDS


def test_qca_memberships_cannot_be_inverted_to_a_suppressed_mean(published, warehouse, suppressed_scores):
    conditions = warehouse.execute("SELECT * FROM staging.qca_conditions").df().set_index("factor_id")
    members = published["qca_memberships"].set_index("partnership_id")
    tried = recovered = 0
    found = []
    for row in suppressed_scores.itertuples(index=False):
        if row.factor_id not in conditions.index:
            continue
        tried += 1
        membership = members.at[row.partnership_id, conditions.at[row.factor_id, "condition"]]
        if pd.isna(membership) or not 0 < membership < 1:
            continue  # withheld, or crisp: no single score behind it
        if abs(uncalibrate(membership, conditions.loc[row.factor_id]) - row.true_mean) < MEAN_PRECISION:
            recovered += 1
            found.append(f"{row.partnership_id} {row.factor_id} = {row.true_mean:.2f}")
    report("qca_memberships, calibration inverted", tried, recovered)
    assert tried > 0
    assert recovered == 0, found


def test_texts_never_state_a_suppressed_value(published, suppressed_scores):
    # A text about a partnership that names one of its suppressed factors must not print the value, nor say
    # where it lies against a published anchor ("exactly at the crossover (3.0)" prints it as well).
    numbers = re.compile(r"\d+\.\d+")
    tried = recovered = 0
    found = []
    for name, mart in published.items():
        if "partnership_id" not in mart.columns:
            continue
        texts = [c for c in mart.columns if mart[c].dtype == object and c != "partnership_id"]
        for row in suppressed_scores.itertuples(index=False):
            words = (row.factor_id, row.factor_id.replace("_", " "))
            for column in texts:
                for text in mart.loc[mart["partnership_id"] == row.partnership_id, column].dropna():
                    text = str(text)
                    tried += 1
                    if not any(word in text for word in words):
                        continue
                    printed = [float(n) for n in numbers.findall(text)]
                    if "crossover" in text or any(abs(n - row.true_mean) < MEAN_PRECISION for n in printed):
                        recovered += 1
                        found.append(f"{name}.{column} for {row.partnership_id}: {text!r}")
    report("texts (exclusion reasons, notes, labels)", tried, recovered)
    assert tried > 0
    assert recovered == 0, found


def test_the_reports_key_findings_never_state_a_suppressed_value(demo_run, suppressed_scores):
    # The report's findings are sentences generated from the marts: one naming a factor a partnership's score on
    # is suppressed must not print that score (to the two decimals a report prints), nor place it against a
    # crossover; and no finding names a partnership whose score was withheld beside a mean it could be.
    from pipeline.reports.evaluation_report import report_findings
    from pipeline.reports.marts import Marts, factor_names

    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        marts = Marts.read(con, schema="main")
    texts = [finding.text for finding in report_findings(marts)]
    names = factor_names(marts)
    numbers = re.compile(r"\d+\.\d+")
    tried = recovered = 0
    found = []
    for row in suppressed_scores.itertuples(index=False):
        words = (row.factor_id, row.factor_id.replace("_", " "), names[row.factor_id].lower())
        for text in texts:
            tried += 1
            if not any(word in text.lower() for word in words) and row.partnership_id not in text:
                continue
            printed = [float(n) for n in numbers.findall(text)]
            if "crossover" in text or any(abs(n - row.true_mean) < MEAN_PRECISION for n in printed):
                recovered += 1
                found.append(f"{row.partnership_id} {row.factor_id}: {text!r}")
    report("report key findings", tried, recovered)
    assert tried > 0
    assert recovered == 0, found


@pytest.mark.parametrize("base", ["site_visits", "triangulated"])
def test_memberships_on_site_visit_evidence_hold_nothing_of_a_suppressed_mean(
    demo_run, suppressed_scores, tmp_path, base
):
    # With evidence_base site_visits or triangulated a partnership with a suppressed survey score may stay in the
    # analysis: its membership must then be the site visits' calibration alone (the enabler share the matrix
    # publishes), never a mix with the hidden mean.
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_run.settings.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        build_qca_marts(con, QcaSettings(evidence_base=base))
        members = con.execute("SELECT * FROM marts.qca_memberships").df().set_index("partnership_id")
        conditions = con.execute("SELECT factor_id, condition FROM staging.qca_conditions").df()
        matrix = con.execute("SELECT * FROM marts.success_factor_matrix").df()
    condition_of = dict(conditions.itertuples(index=False))
    passages = matrix.set_index(["partnership_id", "factor_id"])
    tried = recovered = 0
    found = []
    for row in suppressed_scores.itertuples(index=False):
        if row.factor_id not in condition_of:
            continue
        tried += 1
        membership = members.at[row.partnership_id, condition_of[row.factor_id]]
        enablers, barriers = passages.loc[(row.partnership_id, row.factor_id), ["enabler_passages", "barrier_passages"]]
        if pd.isna(membership):
            continue  # left out (for this factor or another): nothing published
        if enablers + barriers == 0:
            recovered += 1  # a membership with no site-visit evidence could only come from the hidden mean
            found.append(f"{row.partnership_id} {row.factor_id}: {membership} without site-visit passages")
            continue
        site_visits = qca.calibrate_fuzzy(pd.Series([enablers / (enablers + barriers)]), *SITE_VISIT_ANCHORS).iloc[0]
        if site_visits == 0.5:
            site_visits = 0.501  # nudged at the crossover, as any membership (crossover_rule "nudge")
        if membership != pytest.approx(site_visits, abs=1e-12):
            recovered += 1
            found.append(f"{row.partnership_id} {row.factor_id}: {membership} is not the site visits' {site_visits}")
    report(f"qca_memberships on {base} evidence", tried, recovered)
    assert tried > 0
    assert recovered == 0, found


def test_qca_results_are_computed_from_the_published_memberships_only(published, warehouse):
    # The truth table's and necessity's consistencies sum memberships over the cases: were a withheld
    # membership in them, the sums less the published memberships would give it back. So every case the
    # analysis uses has every membership published, and the published necessity follows from them alone.
    members = published["qca_memberships"]
    analysed = members[members["excluded_reason"].isna()].drop(columns=["excluded_reason", "evidence_base"])
    conditions = list(warehouse.execute("SELECT condition FROM staging.qca_conditions").df()["condition"])
    assert analysed[[*conditions, "SUCCESS"]].notna().all().all()
    for outcome in ("SUCCESS", "~SUCCESS"):  # success and its negation, membership 1 - m
        recomputed = qca.qca_necessity(analysed, sorted(conditions), outcome, case_id="partnership_id")
        necessity = published["qca_necessity"].query("outcome == @outcome").set_index("condition")
        recomputed = recomputed.set_index("condition").loc[necessity.index]
        for column in ("consistency", "coverage"):
            assert np.allclose(recomputed[column], necessity[column], equal_nan=True)


# --- Typology and the model of success --------------------------------------------------------------------


def test_typology_cluster_means_do_not_give_back_a_suppressed_score(published, suppressed_scores):
    # Cluster mean x members with a score, less the other members' published means, is the one hidden score.
    types = published["partnership_typology"]
    matrix = published["success_factor_matrix"]
    scores = matrix.pivot(index="partnership_id", columns="factor_id", values="survey_mean")
    hidden = matrix.pivot(index="partnership_id", columns="factor_id", values="survey_suppressed")
    truth = suppressed_scores.set_index(["partnership_id", "factor_id"])["true_mean"]
    tried = recovered = 0
    found = []
    for cluster, group in types.groupby("cluster"):
        members = group["partnership_id"]
        for factor in scores.columns:
            column = f"cluster_mean_{factor}"
            secret = [p for p in members if hidden.at[p, factor]]
            if column not in group or group[column].isna().all() or not secret:
                continue
            shown = scores.loc[members, factor].dropna()
            no_score = sum(1 for p in members if pd.isna(scores.at[p, factor]) and not hidden.at[p, factor])
            tried += len(secret)
            if len(secret) != 1:
                continue
            mean = group[column].iloc[0]
            for observed in {len(members) - no_score, len(shown)}:  # hidden members counted in the mean or not
                guess = mean * observed - shown.sum()
                if abs(guess - truth[(secret[0], factor)]) < MEAN_PRECISION:
                    recovered += 1
                    found.append(f"cluster {cluster}: {secret[0]} {factor} = {guess:.2f}")
                    break
    report("partnership_typology, cluster mean x size - others", tried, recovered)
    assert tried > 0
    assert recovered == 0, found


def test_typology_and_model_follow_from_the_published_scores_alone(published, warehouse):
    # Whatever an intruder combines (silhouettes, cluster means, coefficients), the marts hold nothing the
    # published scores do not: refitting on them alone gives back every published figure.
    matrix = published["success_factor_matrix"]
    factors = list(warehouse.execute("SELECT factor_id FROM staging.success_factors").df()["factor_id"])
    scores = matrix.pivot(index="partnership_id", columns="factor_id", values="survey_mean")[factors]
    result = typology.cluster_partnerships(scores)
    types = published["partnership_typology"].set_index("partnership_id").loc[scores.index]
    assert (result.assignments["cluster"] == types["cluster"]).all()
    assert np.allclose(result.assignments["silhouette"], types["silhouette"])
    profile = result.profiles.pivot(index="cluster", columns="factor", values="mean_raw")
    for factor in factors:
        assert np.allclose(
            types[f"cluster_mean_{factor}"], profile[factor].reindex(types["cluster"]).to_numpy(), equal_nan=True
        )
    # The model fits the QCA's analysed cases on their calibrated memberships, which qca_memberships publishes
    # with their outcome.
    members = published["qca_memberships"]
    analysed = members[members["excluded_reason"].isna()].set_index("partnership_id")
    outcome = analysed["SUCCESS"].astype(int)
    conditions = warehouse.execute("SELECT factor_id, condition FROM staging.qca_conditions").df()
    features = pd.DataFrame({f: analysed[c] for f, c in conditions.itertuples(index=False)}, index=analysed.index)
    model = typology.success_model(features, outcome)
    importance = published["factor_importance"].set_index("factor_id")
    assert np.allclose(model.importance["coefficient"].reindex(importance.index), importance["coefficient"])


# --- Survey marts: paired subsets, totals and bounds -------------------------------------------------------


def test_wave_change_pairs_do_not_isolate_a_small_group(published, warehouse):
    # mean of all n respondents (construct_scores) x n - mean of the n_paired pairs (wave_change) x n_paired
    # = the scores of the n - n_paired who answered one wave only: one to four people must not be isolated.
    change = published["wave_change"]
    scores = published["construct_scores"].set_index(["wave", "partnership_id", "construct"])
    tried = recovered = single = 0
    for side, wave_col, other_col in (("before", "wave_before", "wave_after"), ("after", "wave_after", "wave_before")):
        truth = warehouse.execute(
            f"""
            WITH pairs AS (SELECT DISTINCT wave_before, wave_after FROM staging.survey_wave_pairs)
            SELECT p.wave_before, p.wave_after, s.partnership_id, s.construct, count(*) AS k, avg(s.score) AS mean
            FROM pairs AS p JOIN staging.survey_respondent_scores AS s ON s.wave = p.{wave_col}
            WHERE NOT EXISTS (
                SELECT 1 FROM staging.survey_respondent_scores AS o
                WHERE o.wave = p.{other_col} AND o.partnership_id = s.partnership_id AND o.construct = s.construct
                  AND o.respondent_key = s.respondent_key)
            GROUP BY ALL
            """
        ).df()
        truth = truth.set_index(["wave_before", "wave_after", "partnership_id", "construct"])
        for row in change.itertuples(index=False):
            key = (getattr(row, wave_col), row.partnership_id, row.construct)
            paired_mean = getattr(row, f"mean_{side}")
            if row.test != "paired t-test" or pd.isna(paired_mean) or key not in scores.index:
                continue
            whole = scores.loc[key]
            if pd.isna(whole["mean"]) or pd.isna(whole["respondents"]) or pd.isna(row.n_paired):
                continue
            tried += 1
            k = int(whole["respondents"]) - int(row.n_paired)
            if not 1 <= k < THRESHOLD:
                continue
            guess = (whole["mean"] * whole["respondents"] - paired_mean * row.n_paired) / k
            actual = truth.loc[(row.wave_before, row.wave_after, row.partnership_id, row.construct)]
            if int(actual["k"]) == k and abs(guess - actual["mean"]) < 1e-6:
                recovered += 1
                single += k == 1
    report("wave_change paired means beside construct_scores", tried, recovered, f" ({single} of one person)")
    assert tried > 0
    assert recovered == 0


def test_alpha_respondents_do_not_give_back_a_suppressed_count(published, warehouse):
    # alpha_respondents counts the wave's listwise complete respondents over all partnerships, at most the
    # sum of the partnerships' counts: it less the published counts bounds the suppressed ones from below
    # (and equals their sum when nobody skipped an item). Suppressed counts lie from 1 to threshold - 1.
    scores = published["construct_scores"]
    truth = warehouse.execute(
        "SELECT wave, partnership_id, construct, respondents FROM staging.survey_construct_summaries"
    )
    truth = truth.df().set_index(["wave", "partnership_id", "construct"])["respondents"]
    tried = recovered = 0
    for (wave, construct), group in scores.groupby(["wave", "construct"]):
        secret = group[group["respondents"].isna() & group["suppressed"]]
        tried += len(secret)
        total = group["alpha_respondents"].dropna()
        if secret.empty or total.empty:
            continue
        rest = int(total.iloc[0]) - int(group["respondents"].sum())
        for row in secret.itertuples(index=False):
            actual = truth[(wave, row.partnership_id, construct)]
            low = max(1, rest - (len(secret) - 1) * (THRESHOLD - 1))
            exact = len(secret) == 1 and rest == actual
            if exact or low == THRESHOLD - 1 == actual:
                recovered += 1
    report("construct_scores alpha_respondents - published counts", tried, recovered)
    assert tried > 0
    assert recovered == 0


RATE_KEYS = ["wave", "partnership_id", "stakeholder_group"]
RATE_COUNTS = ("respondents", "completed", "invited")


def test_the_programmes_response_rate_is_published_for_every_wave(published, warehouse):
    rates = published["response_rates"]
    truth = warehouse.execute(load_sql(survey_marts.__file__, "response_rates")).df()
    waves = rates[rates["level"] == "wave"].set_index("wave")
    assert sorted(waves.index) == sorted(truth["wave"].unique())
    for wave, cells in truth.groupby("wave"):
        invited = cells["invited"].sum()
        assert waves.at[wave, "respondents"] == cells["respondents"].sum()
        assert waves.at[wave, "invited"] == invited
        assert waves.at[wave, "response_rate"] == pytest.approx(cells["respondents"].sum() / invited, abs=5e-5)
    # The visible cells alone would say far less: most are withheld.
    visible = rates[(rates["level"] == "cell") & ~rates["suppressed"]]
    assert visible["respondents"].sum() < waves["respondents"].sum()


def test_response_rate_counts_are_not_pinned_by_totals_invitations_or_each_other(published, warehouse):
    # For each withheld count (respondents, completed or invited; of a cell or of a total): its smallest and
    # largest value given every published cell and total in the mart, 0 <= completed <= respondents <= invited
    # in each cell. Pinned (max - min < 1) at the true value = recovered.
    rates = published["response_rates"]
    truth = warehouse.execute(load_sql(survey_marts.__file__, "response_rates")).df()  # the mart's own query
    cells = rates[rates["level"] == "cell"].merge(truth, on=RATE_KEYS, suffixes=("", "_true")).reset_index(drop=True)
    assert len(cells) == (rates["level"] == "cell").sum()
    totals = rates[rates["level"] != "cell"].reset_index(drop=True)
    assert set(totals["level"]) == {"wave", "wave x partnership", "wave x stakeholder group"}
    tried = recovered = 0
    found = []
    for wave, table in cells.groupby("wave"):
        table = table.reset_index(drop=True)
        sums = totals[totals["wave"] == wave].reset_index(drop=True)
        member = sum_incidence(sums, table, RATE_KEYS).astype(bool)  # which cells each total adds up
        has_invites = table["invited_true"].notna().to_numpy()
        variables = [
            (i, c)
            for c in RATE_COUNTS
            for i in table.index
            if pd.isna(table.at[i, c]) and table.at[i, "suppressed"] and (c != "invited" or has_invites[i])
        ]
        column = {v: j for j, v in enumerate(variables)}

        def combination(cell_mask, count, variables=variables, column=column, table=table):
            """A total over the cells in `cell_mask`: its variables' coefficients and its published part."""
            row = np.zeros(len(variables))
            known = 0.0
            for i in np.flatnonzero(cell_mask):
                if (i, count) in column:
                    row[column[(i, count)]] = 1
                elif pd.notna(table.at[i, count]):
                    known += table.at[i, count]
            return row, known

        a_eq, b_eq, a_ub, b_ub, queries = [], [], [], [], []
        for t in sums.index:
            for count in RATE_COUNTS:
                mask = member[t] & (has_invites if count == "invited" else True)
                row, known = combination(mask, count)
                if pd.notna(sums.at[t, count]):
                    if row.any():
                        a_eq.append(row)
                        b_eq.append(sums.at[t, count] - known)
                elif sums.at[t, "suppressed"] and row.any():
                    actual = table.loc[mask, f"{count}_true"].sum()
                    queries.append((row, known, actual, f"{wave} {sums.at[t, 'level']} total {count}"))
        for i, count in variables:
            row = np.zeros(len(variables))
            row[column[(i, count)]] = 1
            name = f"{wave} {table.at[i, 'partnership_id']} {table.at[i, 'stakeholder_group']} {count}"
            queries.append((row, 0.0, table.at[i, f"{count}_true"], name))
        for i in table.index[table["suppressed"]]:  # completed <= respondents <= invited
            for low, high in (("completed", "respondents"), ("respondents", "invited")):
                if (i, low) in column and (i, high) in column:
                    row = np.zeros(len(variables))
                    row[column[(i, low)]], row[column[(i, high)]] = 1, -1
                    a_ub.append(row)
                    b_ub.append(0)
        for objective, known, actual, name in queries:
            tried += 1
            extremes = []
            for sign in (1, -1):
                fit = linprog(
                    sign * objective,
                    A_ub=a_ub or None,
                    b_ub=b_ub or None,
                    A_eq=a_eq or None,
                    b_eq=b_eq or None,
                    bounds=(0, None),
                )
                assert fit.status in (0, 3), fit.message  # 3: unbounded, so not pinned
                extremes.append(sign * fit.fun + known if fit.status == 0 else sign * np.inf)
            if extremes[1] - extremes[0] < 1 - 1e-9 and abs(extremes[0] - actual) < 1e-6:
                recovered += 1
                found.append(f"{name} = {actual}")
    report("response_rates bounded by published totals, invited and completed <= respondents", tried, recovered)
    assert tried > 0
    assert recovered == 0, found[:10]


def test_round_totals_do_not_pin_a_withheld_respondent_count(published, warehouse):
    # round_comparison adds a margin to response_rates: respondents per wave x programme round. For each withheld
    # respondent count of a cell, its smallest and largest value given every published cell and total of
    # response_rates and the published round totals (linear programming, counts of at least 0). Pinned = recovered.
    rates = published["response_rates"]
    truth = warehouse.execute(load_sql(survey_marts.__file__, "response_rates")).df()
    rounds = warehouse.execute("SELECT partnership_id, programme_round FROM staging.partnerships").df()
    cells = rates[rates["level"] == "cell"].merge(truth, on=RATE_KEYS, suffixes=("", "_true"))
    cells = cells.merge(rounds, on="partnership_id").reset_index(drop=True)
    totals = rates[rates["level"] != "cell"].reset_index(drop=True)
    by_round = published["round_comparison"].query("measure == 'response' and not suppressed")
    assert not by_round.empty  # the demo publishes response by round
    tried = recovered = 0
    found = []
    for wave, table in cells.groupby("wave"):
        table = table.reset_index(drop=True)
        hidden = list(table.index[table["respondents"].isna()])
        if not hidden:
            continue
        column = {i: j for j, i in enumerate(hidden)}
        sums = totals[totals["wave"] == wave].reset_index(drop=True)
        masks = [
            (m, sums.at[t, "respondents"]) for t, m in enumerate(sum_incidence(sums, table, RATE_KEYS).astype(bool))
        ]
        for row in by_round[by_round["wave"] == wave].itertuples(index=False):
            masks.append(((table["programme_round"] == row.programme_round).to_numpy(), row.people_counted))
        a_eq, b_eq = [], []
        for mask, total in masks:
            if pd.isna(total):
                continue
            coefficients = np.zeros(len(hidden))
            known = 0.0
            for i in np.flatnonzero(mask):
                if i in column:
                    coefficients[column[i]] = 1
                else:
                    known += table.at[i, "respondents"]
            if coefficients.any():
                a_eq.append(coefficients)
                b_eq.append(total - known)
        for i in hidden:
            tried += 1
            objective = np.zeros(len(hidden))
            objective[column[i]] = 1
            extremes = []
            for sign in (1, -1):
                fit = linprog(sign * objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=(0, None))
                assert fit.status in (0, 3), fit.message
                extremes.append(sign * fit.fun if fit.status == 0 else sign * np.inf)
            actual = table.at[i, "respondents_true"]
            if extremes[1] - extremes[0] < 1 - 1e-9 and abs(extremes[0] - actual) < 1e-6:
                recovered += 1
                found.append(f"{wave} {table.at[i, 'partnership_id']} {table.at[i, 'stakeholder_group']} = {actual}")
    report("response_rates with round_comparison's round totals, bounded by linear programming", tried, recovered)
    assert tried > 0
    assert recovered == 0, found[:10]


def test_a_total_that_equals_the_sum_of_the_counts_is_withheld_where_it_reveals_one():
    # Where nobody skipped an item, alpha_respondents is the wave x construct's total: 20 - (8 + 9) = 3 is
    # the suppressed count. Feldt's interval goes with it (alpha, k and the interval give the count back).
    frame = pd.DataFrame(
        {
            "wave": "w1",
            "construct": ["a"] * 3 + ["b"] * 3,
            "partnership_id": ["P1", "P2", "P3"] * 2,
            "respondents": [8, 9, 3, 8, 9, 3],
            "alpha_respondents": [20] * 3 + [15] * 3,  # b: some skipped an item; 15 - 17 bounds nothing
            "alpha_ci_low": 0.6,
            "alpha_ci_high": 0.9,
            "alpha_note": None,
        }
    )
    suppressed = frame["respondents"].between(1, THRESHOLD - 1)
    assert frame.loc[0, "alpha_respondents"] - frame.loc[[0, 1], "respondents"].sum() == frame.loc[2, "respondents"]
    out = survey_marts.withhold_revealing_alpha_totals(frame, suppressed, THRESHOLD)
    assert out.loc[:2, ["alpha_respondents", "alpha_ci_low", "alpha_ci_high"]].isna().all().all()
    assert out.loc[:2, "alpha_note"].str.contains("withheld").all()
    assert out.loc[3:, "alpha_respondents"].tolist() == [15] * 3 and out.loc[3:, "alpha_ci_low"].notna().all()


def test_comment_theme_counts_are_not_pinned_by_the_totals(published, warehouse):
    # For each withheld comment count (of a theme x partnership x group cell or of a total): its smallest and
    # largest value given every published cell and total of the theme, with every count >= 0. Pinned (max - min
    # < 1) at the true value = recovered. The grid lists zero cells too, so a listed cell is not known to be >= 1.
    themes = published["comment_themes"]
    truth = warehouse.execute(
        "SELECT theme_code, partnership_id, stakeholder_group, count(DISTINCT (wave, respondent_key, item_code)) AS n"
        " FROM staging.comment_codings GROUP BY ALL"
    ).df()
    dims = ["partnership_id", "stakeholder_group"]
    tried = recovered = 0
    found = []
    for theme, rows in themes.groupby("theme_code"):
        rows = rows.reset_index(drop=True)
        cells = rows[rows["level"] == "cell"].reset_index(drop=True)
        actual = cells.merge(truth[truth["theme_code"] == theme], on=["theme_code", *dims], how="left")["n"].fillna(0)
        member = sum_incidence(rows, cells, dims)  # which cells each row adds up
        hidden = cells["comments"].isna().to_numpy()
        known = np.where(hidden, 0, cells["comments"].fillna(0).to_numpy(dtype=float))
        published_rows = rows["comments"].notna().to_numpy()
        a_eq = member[published_rows][:, hidden]
        b_eq = rows.loc[published_rows, "comments"].to_numpy(dtype=float) - member[published_rows] @ known
        keep = a_eq.any(axis=1)
        for r in np.flatnonzero(~published_rows):
            objective = member[r][hidden]
            if not objective.any():
                continue
            tried += 1
            extremes = []
            for sign in (1, -1):
                fit = linprog(sign * objective, A_eq=a_eq[keep], b_eq=b_eq[keep], bounds=(0, None))
                assert fit.status in (0, 3), fit.message
                extremes.append(sign * fit.fun if fit.status == 0 else sign * np.inf)
            value = float(member[r] @ actual.to_numpy(dtype=float))
            if extremes[1] - extremes[0] < 1 - 1e-9 and abs(extremes[0] + member[r] @ known - value) < 1e-6:
                recovered += 1
                found.append(
                    f"{theme} {rows.at[r, 'level']} {rows.at[r, 'partnership_id']} {rows.at[r, 'stakeholder_group']}"
                )
    report("comment_themes bounded by published totals", tried, recovered)
    assert tried > 0
    assert recovered == 0, found[:10]


def test_quotes_are_attributed_only_to_published_theme_and_group_totals(published):
    themes, quotes = published["comment_themes"], published["comment_quotes"]
    open_groups = themes.loc[(themes["level"] == "theme x stakeholder group") & ~themes["suppressed"]]
    keys = set(zip(open_groups["theme_code"], open_groups["stakeholder_group"], strict=True))
    assert len(quotes) > 0
    assert set(zip(quotes["theme_code"], quotes["stakeholder_group"], strict=True)) <= keys
    assert "partnership_id" not in quotes.columns
