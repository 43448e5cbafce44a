"""Cell suppression (Hundepool et al. 2012, Statistical Disclosure Control, Wiley, chs 4-5) on worked tables.

Each table below is small enough to work out by hand; the comments give the reasoning. Every result is also
audited the way an intruder would attack it (Hundepool et al. 2012, ch. 4, on auditing a suppression
pattern): for each suppressed cell, the smallest and largest value consistent with the published cells, the
published totals and non-negative counts, by linear programming. A value is protected when that range is
wider than a single value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import linalg
from scipy.optimize import linprog

from pipeline.methods.disclosure import (
    is_disclosive,
    recoverable_cells,
    recoverable_rows,
    sum_incidence,
    suppress_table,
)

ROWS_AND_COLUMNS = [["row"], ["col"]]


def grid(rows: list[list[int]]) -> pd.DataFrame:
    """A table as one row per cell: row r1.., column c1.., count n."""
    return pd.DataFrame(
        [(f"r{i}", f"c{j}", n) for i, row in enumerate(rows, 1) for j, n in enumerate(row, 1)],
        columns=["row", "col", "n"],
    )


def marks(result: pd.DataFrame) -> list[list[str]]:
    """The suppression pattern as a grid: P primary, S secondary, . published."""
    symbol = {"primary": "P", "secondary": "S", None: "."}
    table = result.assign(mark=result["suppression"].map(symbol)).pivot(index="row", columns="col", values="mark")
    return ["".join(row) for row in table.to_numpy()]


def intruder_ranges(original: pd.DataFrame, published: pd.DataFrame, groupings: list[list[str]]) -> list[tuple]:
    """(min, max) of every suppressed cell given the published cells, all group totals and counts >= 0."""
    hidden = np.flatnonzero(published["n"].isna().to_numpy())
    rows, rhs = [], []
    for columns in groupings:
        for _, members in original.groupby(columns).groups.items():
            positions = original.index.get_indexer(members)
            rows.append([1.0 if cell in positions else 0.0 for cell in hidden])
            shown = published["n"].iloc[positions].dropna().sum()
            rhs.append(original["n"].iloc[positions].sum() - shown)
    ranges = []
    for j in range(len(hidden)):
        objective = np.zeros(len(hidden))
        objective[j] = 1.0
        low = linprog(objective, A_eq=rows, b_eq=rhs, bounds=(0, None)).fun
        high = -linprog(-objective, A_eq=rows, b_eq=rhs, bounds=(0, None)).fun
        ranges.append((low, high))
    return ranges


def assert_protected(original: pd.DataFrame, published: pd.DataFrame, groupings: list[list[str]]) -> None:
    assert not recoverable_cells(published, "n", groupings).any()
    for (low, high), true in zip(
        intruder_ranges(original, published, groupings), original["n"][published["n"].isna()], strict=True
    ):
        assert low - 1e-9 <= true <= high + 1e-9
        assert high - low >= 1 - 1e-9, f"a suppressed {true} is pinned to [{low}, {high}]"


def test_one_small_cell_in_a_row_is_paired_with_the_smallest_other_non_zero_cell():
    # Row total 42 is published. Primary: 3. Zero reveals nobody and is no cover; the smallest non-zero
    # other cell is 7. Published: 12, 20 and the total, so 3 + 7 = 10 but neither alone.
    table = grid([[3, 12, 0, 7, 20]])
    result = suppress_table(table, "n", ["row"], threshold=5)
    assert marks(result) == ["P..S."]
    assert result["n"].isna().tolist() == [True, False, False, True, False]
    assert result["n"].dropna().tolist() == [12, 0, 20]
    assert_protected(table, result, [["row"]])


def test_two_by_three_table_with_margins_needs_a_two_by_two_block():
    #       c1  c2  c3 | total      Primary: r1c1 = 2.
    #  r1    2   9  15 |  26        Row r1: smallest other non-zero is 9 (r1c2).
    #  r2    8  11  20 |  39        Column c1 now has one suppressed cell (2): partner 8 (r2c1).
    #       10  20  35              Column c2 has one (9): partner 11 (r2c2). Row r2 then holds two.
    # Published margins give only x11 + x12 = 11, x21 + x22 = 19, x11 + x21 = 10, x12 + x22 = 20.
    table = grid([[2, 9, 15], [8, 11, 20]])
    result = suppress_table(table, "n", ROWS_AND_COLUMNS, threshold=5)
    assert marks(result) == ["PS.", "SS."]
    assert_protected(table, result, ROWS_AND_COLUMNS)
    # x11 can be anything from 0 to 10 (x21 = 10 - x11 >= 0, x12 = 11 - x11 >= 0).
    assert intruder_ranges(table, result, ROWS_AND_COLUMNS)[0] == pytest.approx((0, 10))


def test_primary_suppression_alone_is_not_enough_when_margins_are_published():
    table = grid([[2, 9, 15], [8, 11, 20]])
    primary_only = table.assign(n=table["n"].mask(is_disclosive(table["n"], 5)).astype("Int64"))
    assert recoverable_cells(primary_only, "n", ROWS_AND_COLUMNS).tolist() == [True] + [False] * 5
    assert intruder_ranges(table, primary_only, ROWS_AND_COLUMNS) == [pytest.approx((2, 2))]  # 26 - 9 - 15


def test_a_cell_bridging_two_suppressed_blocks_is_found_by_the_audit():
    # Threshold 5. Primaries form two 2x2 blocks (r1-r2 x c1-c2 and r3-r4 x c3-c4) and r1c3 = 3, so every
    # row and column already holds at least two suppressed cells and the pairing rule adds nothing. But in
    # (row r1 + row r2) - (column c1 + column c2) every suppressed cell cancels except r1c3:
    # (12 + 24) - (29 + 23) = r1c3 + (6 + 10 + 8) - (9 + 15 + 12 + 7), i.e. -16 = r1c3 - 19, so r1c3 = 3.
    #       c1  c2  c3  c4 | total
    #  r1    1   2   3   6 |  12
    #  r2    4   2  10   8 |  24
    #  r3    9  12   1   3 |  25
    #  r4   15   7   4   2 |  28
    #       29  23  18  19
    # The audit adds the smallest unsuppressed cell sharing a row or column with r1c3: r1c4 = 6 (r2c3 = 10).
    # r1c3 then lies on the cycle r1c3-r3c3-r3c4-r1c4 and no total isolates it.
    table = grid([[1, 2, 3, 6], [4, 2, 10, 8], [9, 12, 1, 3], [15, 7, 4, 2]])
    primary_only = table.assign(n=table["n"].mask(is_disclosive(table["n"], 5)).astype("Int64"))
    leaks = recoverable_cells(primary_only, "n", ROWS_AND_COLUMNS)
    assert table.loc[leaks, ["row", "col"]].values.tolist() == [["r1", "c3"]]
    assert intruder_ranges(table, primary_only, ROWS_AND_COLUMNS)[2] == pytest.approx((3, 3))

    result = suppress_table(table, "n", ROWS_AND_COLUMNS, threshold=5)
    assert marks(result) == ["PPPS", "PP..", "..PP", "..PP"]
    assert_protected(table, result, ROWS_AND_COLUMNS)


def test_a_lone_suppressed_cell_among_zeros_is_covered_by_a_zero():
    # Column c1 = (3, 0): its total 3 equals the suppressed cell whatever else is published, and there is no
    # other non-zero cell, so the zero r2c1 is suppressed (a suppressed zero is not known to be zero).
    # Row r1: 3 is paired with 10; column c2: 10 with 20; row r2 then holds r2c1 and r2c2.
    table = grid([[3, 10], [0, 20]])
    result = suppress_table(table, "n", ROWS_AND_COLUMNS, threshold=5)
    assert marks(result) == ["PS", "SS"]
    assert_protected(table, result, ROWS_AND_COLUMNS)


def test_two_waves_with_partnership_and_stakeholder_margins():
    # Each wave is its own table (wave is in both groupings). Wave 1 has no small count, so nothing is
    # suppressed there; wave 2 is the 2x3 example above.
    partnership = ["P01", "P01", "P01", "P02", "P02", "P02"]
    group = ["local authority", "NHS", "other"] * 2
    table = pd.DataFrame(
        {
            "wave": ["2024"] * 6 + ["2025"] * 6,
            "partnership_id": partnership * 2,
            "stakeholder_group": group * 2,
            "respondents": [6, 9, 15, 8, 11, 20, 2, 9, 15, 8, 11, 20],
        }
    )
    groupings = [["wave", "partnership_id"], ["wave", "stakeholder_group"]]
    result = suppress_table(table, "respondents", groupings, threshold=5)
    assert result["suppression"].iloc[:6].isna().all()
    assert result["suppression"].iloc[6:].tolist() == ["primary", "secondary", None, "secondary", "secondary", None]
    assert result["respondents"].dtype == "Int64"
    assert result.index.equals(table.index)
    assert not recoverable_cells(result, "respondents", groupings).any()


def test_random_tables_are_always_protected():
    rng = np.random.default_rng(2012)
    for _ in range(40):
        n_rows, n_cols = rng.integers(2, 6, size=2)
        table = grid(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40], size=(n_rows, n_cols)).tolist())
        result = suppress_table(table, "n", ROWS_AND_COLUMNS, threshold=5)
        assert (result["suppression"] == "primary").tolist() == table["n"].between(1, 4).tolist()
        assert_protected(table, result, ROWS_AND_COLUMNS)


def test_nothing_is_suppressed_without_small_counts_or_at_threshold_one():
    table = grid([[1, 9], [8, 11]])
    assert suppress_table(table, "n", ROWS_AND_COLUMNS, threshold=1)["suppression"].isna().all()
    assert suppress_table(grid([[5, 9], [0, 11]]), "n", ROWS_AND_COLUMNS, threshold=5)["n"].notna().all()


def test_counts_must_be_whole_and_not_negative():
    for bad in (-1, 2.5, None):
        table = grid([[3, 10], [4, 20]]).astype({"n": object})
        table.loc[3, "n"] = bad
        with pytest.raises(ValueError, match="whole-number counts"):
            suppress_table(table, "n", ROWS_AND_COLUMNS, threshold=5)


def table_with_totals(rng: np.random.Generator, waves: int, areas: int, groups: int) -> pd.DataFrame:
    """Counts per wave x area x group with their totals per wave x area, wave x group and wave (a row with a
    dimension empty adds up the cells over it), about a fifth of them withheld at random."""
    cells = pd.DataFrame(
        [(f"w{w}", f"a{a}", f"g{g}") for w in range(waves) for a in range(areas) for g in range(groups)],
        columns=["wave", "area", "group"],
    ).assign(n=lambda t: rng.integers(0, 30, len(t)))
    totals = [cells.groupby(by, as_index=False)["n"].sum() for by in (["wave", "area"], ["wave", "group"], ["wave"])]
    table = pd.concat([cells, *totals], ignore_index=True)[["wave", "area", "group", "n"]]
    table["n"] = table["n"].astype("Int64").mask(rng.random(len(table)) < 0.2)
    return table


def whole_table_audit(table: pd.DataFrame) -> np.ndarray:
    """The audit in one piece, as Hundepool et al. (2012, ch. 4) state it: a withheld row is fixed when its
    vector over the withheld cells is orthogonal to the null space of all the published rows' equations."""
    is_cell = table[["wave", "area", "group"]].notna().all(axis=1).to_numpy()
    incidence = np.array(
        [
            [
                all(pd.isna(r[d]) or r[d] == c[d] for d in ("wave", "area", "group"))
                for c in table[is_cell].to_dict("records")
            ]
            for r in table.to_dict("records")
        ],
        dtype=float,
    )
    hidden = table["n"].isna().to_numpy()
    restricted = incidence[:, hidden[is_cell]]
    free = linalg.null_space(restricted[~hidden])
    fixed = np.all(np.abs(restricted @ free) < 1e-9, axis=1) if free.size else np.ones(len(table), dtype=bool)
    return hidden & fixed


def test_the_audit_solved_block_by_block_finds_what_the_whole_table_audit_finds():
    """Waves share no total, so the audit solves each on its own; the answer must be the whole-table one,
    row for row, on tables where some withheld counts leak and some do not."""
    rng = np.random.default_rng(2012)
    leaks = 0
    for _ in range(30):
        table = table_with_totals(rng, waves=int(rng.integers(1, 4)), areas=int(rng.integers(1, 5)), groups=3)
        expected = whole_table_audit(table)
        found = recoverable_rows(table, "n", ["wave", "area", "group"]).to_numpy()
        assert found.tolist() == expected.tolist()
        leaks += int(expected.sum())
    assert leaks > 0, "the random tables must include withheld counts that can be worked out"


def test_the_incidence_of_totals_marks_the_cells_each_row_adds_up():
    table = table_with_totals(np.random.default_rng(1), waves=2, areas=2, groups=2)
    cells = table[table[["area", "group"]].notna().all(axis=1)]
    incidence = sum_incidence(table, cells, ["wave", "area", "group"])
    assert incidence.shape == (len(table), 8)
    assert incidence[:8].tolist() == np.eye(8).tolist()  # a cell adds up itself
    assert incidence.sum(axis=1)[8:].tolist() == [2, 2, 2, 2, 2, 2, 2, 2, 4, 4]  # wave x area, wave x group, wave
