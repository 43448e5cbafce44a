"""Statistical disclosure control for published counts.

Small counts can identify people: a count from 1 to `threshold - 1` is suppressed (published as empty,
with a flag), following the common rule for official statistics that suppresses cells below five
(e.g. NHS England's and ONS's guidance on small numbers). Zero is published: it reveals nobody.
Where a table's totals are published, `suppress_table` adds secondary (complementary) suppression so that no
suppressed count can be worked out by subtraction (Hundepool et al. 2012, Statistical Disclosure Control,
Wiley: ch. 4 on secondary cell suppression and its audit, ch. 5 on frequency tables).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import linalg, sparse
from scipy.sparse.csgraph import connected_components

DEFAULT_THRESHOLD = 5


def is_disclosive(counts: pd.Series, threshold: int) -> pd.Series:
    """True where a count is positive but below the threshold."""
    # A plain bool column whatever the counts' type (all-missing counts arrive as `object` or nullable).
    return pd.to_numeric(counts, errors="coerce").fillna(0).between(1, threshold - 1).astype(bool)


PRIMARY = "primary"
SECONDARY = "secondary"

# One grouping (cells sharing these columns add up to a published total), or several alternative ones.
GroupCols = Sequence[str] | Sequence[Sequence[str]]


def suppress_table(frame: pd.DataFrame, count_col: str, group_cols: GroupCols, threshold: int) -> pd.DataFrame:
    """Primary and secondary (complementary) cell suppression of a table of counts with published totals.

    Method: Hundepool et al. (2012), Statistical Disclosure Control, Wiley, ch. 4 (secondary cell suppression,
    auditing a suppression pattern) and ch. 5 (frequency tables: the threshold rule for small counts, as in
    ONS / GSS guidance).

    1. Primary: counts from 1 to `threshold - 1` are suppressed (see `is_disclosive`); zero is published.
    2. Secondary: cells sharing `group_cols` add up to a published total. Wherever a group holds exactly one
       suppressed cell, its value would follow by subtracting the published cells from the total, so the
       smallest other non-zero cell of the group (the first, in frame order, among equals) is suppressed too.
       If the group has no other non-zero cell, a zero cell is used: a published zero is known to be zero, a
       suppressed one is not. `group_cols` may list several alternative groupings, e.g.
       `[["wave", "partnership_id"], ["wave", "stakeholder_group"]]` for a table with margins in two
       dimensions (an empty grouping `[]` is the grand total); the rule is applied across all of them until
       nothing changes, since a partner found for a row may leave its column with a single suppressed cell.
    3. Audit: a pattern with two suppressed cells in every group can still be solved by combining totals
       (e.g. a cell bridging two otherwise separate blocks of suppressed cells). While any suppressed cell is
       fixed by the published cells and totals (`recoverable_cells`), the smallest unsuppressed cell sharing
       a group with it is suppressed as well. If none is left, a warning names the cells: those totals
       must not be published.

    Totals themselves are assumed to be published through the same threshold rule. Returns a copy of `frame`
    with `count_col` as nullable integers, NA where suppressed, and a `suppression` column: "primary",
    "secondary" or None.
    """
    if threshold < 1:
        raise ValueError(f"suppress_table: threshold must be at least 1, got {threshold!r}")
    values = _counts(frame, count_col)
    groups = _groups(frame, group_cols)
    suppressed = is_disclosive(pd.Series(values), threshold).to_numpy(copy=True)
    labels = np.where(suppressed, PRIMARY, None).astype(object)

    def suppress(cell: int) -> None:
        suppressed[cell] = True
        labels[cell] = SECONDARY

    while True:
        changed = True
        while changed:  # the pairing rule, across every grouping, to a fixed point
            changed = False
            for members in groups:
                if suppressed[members].sum() == 1:
                    partner = _smallest_unsuppressed(members, values, suppressed)
                    if partner is not None:
                        suppress(partner)
                        changed = True
        leaking = np.flatnonzero(_determined(suppressed, groups))
        if not len(leaking):
            break
        partner = None
        for cell in leaking:
            near = np.unique(np.concatenate([m for m in groups if cell in m]))
            partner = _smallest_unsuppressed(near, values, suppressed)
            if partner is not None:
                suppress(partner)
                break
        if partner is None:
            where = frame.iloc[leaking].index.tolist()
            warnings.warn(
                f"suppress_table: suppressed cell(s) at index {where} can still be derived from the published "
                f"totals of {group_cols}, and no cell is left to suppress beside them; do not publish those totals",
                stacklevel=2,
            )
            break

    out = frame.copy()
    published = pd.array(values.astype(np.int64), dtype="Int64")
    published[suppressed] = pd.NA
    out[count_col] = published
    out["suppression"] = pd.Series(labels, index=out.index, dtype=object)
    return out


def recoverable_cells(published: pd.DataFrame, count_col: str, group_cols: GroupCols) -> pd.Series:
    """True where a suppressed (NA) count is fixed exactly by the published counts and group totals.

    A suppressed cell is recoverable when some combination of the group totals (minus the published cells)
    isolates it: its unit vector lies in the row space of the totals' incidence matrix restricted to the
    suppressed cells, i.e. every solution of the totals leaves it unchanged (Hundepool et al. 2012, ch. 4,
    on auditing a suppression pattern). Bounds from non-negativity are not used. For an asset check on a
    published table: the answer should be all False.
    """
    if count_col not in published.columns:
        raise ValueError(f"recoverable_cells: no column {count_col!r}; columns are {list(published.columns)}")
    suppressed = published[count_col].isna().to_numpy()
    return pd.Series(_determined(suppressed, _groups(published, group_cols)), index=published.index)


def _counts(frame: pd.DataFrame, count_col: str) -> np.ndarray:
    """The count column as floats, after checking it holds whole numbers of at least zero."""
    if count_col not in frame.columns:
        raise ValueError(f"suppress_table: no column {count_col!r}; columns are {list(frame.columns)}")
    counts = pd.to_numeric(frame[count_col], errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts % 1 != 0)
    if bad.any():
        where = frame.index[bad.to_numpy()].tolist()[:5]
        raise ValueError(
            f"suppress_table: column {count_col!r} at index {where}: expected whole-number counts of at least 0, "
            f"got {frame.loc[bad, count_col].tolist()[:5]}"
        )
    return counts.to_numpy(dtype=float)


def _groups(frame: pd.DataFrame, group_cols: GroupCols) -> list[np.ndarray]:
    """Row positions of every group of cells with a published total, over all the groupings."""
    if all(isinstance(c, str) for c in group_cols):
        groupings = [list(group_cols)]
    elif all(isinstance(c, list | tuple) for c in group_cols):
        groupings = [list(g) for g in group_cols]
    else:
        raise TypeError(f"group_cols must be a list of column names or a list of such lists, got {group_cols!r}")
    groups = []
    for columns in groupings:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"no grouping column(s) {missing}; columns are {list(frame.columns)}")
        if not columns:
            ids = np.zeros(len(frame), dtype=int)
        else:
            ids = frame.groupby(columns, sort=True, dropna=False).ngroup().to_numpy()
        groups.extend(np.flatnonzero(ids == g) for g in np.unique(ids))
    return groups


def _smallest_unsuppressed(members: np.ndarray, values: np.ndarray, suppressed: np.ndarray) -> int | None:
    """The smallest non-zero unsuppressed cell among `members` (a zero one if none), or None."""
    candidates = members[~suppressed[members]]
    nonzero = candidates[values[candidates] > 0]
    pool = nonzero if len(nonzero) else candidates
    return int(pool[np.argmin(values[pool])]) if len(pool) else None


def _determined(suppressed: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """Suppressed cells whose value every solution of the group totals shares: `recoverable_sums` with each
    cell a sum of one and each group's total a published sum of its cells."""
    cells = len(suppressed)
    members = np.concatenate([np.arange(cells), *groups]) if groups else np.arange(cells)
    rows = np.concatenate([np.arange(cells), *(np.full(len(g), cells + i) for i, g in enumerate(groups))])
    incidence = sparse.csr_array((np.ones(len(rows)), (rows, members)), shape=(cells + len(groups), cells))
    published = np.concatenate([~suppressed, np.ones(len(groups), dtype=bool)])
    return suppressed & recoverable_sums(incidence, suppressed, published)[:cells]


def sum_incidence(rows: pd.DataFrame, cells: pd.DataFrame, dims: Sequence[str]) -> np.ndarray:
    """Which cells each row adds up: a rows x cells 0/1 matrix. A row's empty (NA) value in one of `dims` means
    "all" (a total over that dimension); a row with every dimension set is the cell of those values."""
    return sparse_sum_incidence(rows, cells, dims).toarray()


def sparse_sum_incidence(rows: pd.DataFrame, cells: pd.DataFrame, dims: Sequence[str]) -> sparse.csr_array:
    """`sum_incidence` as a sparse matrix, for tables too large for a dense one: the rows of each level (the
    same dimensions set) are joined to the cells sharing their values, so the work follows the pairs found."""
    dims = list(dims)
    row_keys = rows[dims].reset_index(drop=True)
    cell_keys = cells[dims].reset_index(drop=True).assign(_cell=np.arange(len(cells)))
    levels = row_keys.notna().to_numpy() @ (1 << np.arange(len(dims)))  # which dimensions each row sets
    row_positions, cell_positions = [], []
    for level in np.unique(levels):
        at_level = np.flatnonzero(levels == level)
        on = [dim for bit, dim in enumerate(dims) if level >> bit & 1]
        left = row_keys.iloc[at_level][on].assign(_row=at_level)
        pairs = left.merge(cell_keys[[*on, "_cell"]], on=on) if on else left.merge(cell_keys[["_cell"]], how="cross")
        row_positions.append(pairs["_row"].to_numpy())
        cell_positions.append(pairs["_cell"].to_numpy())
    found_rows = np.concatenate(row_positions) if row_positions else np.zeros(0, dtype=int)
    found_cells = np.concatenate(cell_positions) if cell_positions else np.zeros(0, dtype=int)
    return sparse.csr_array((np.ones(len(found_rows)), (found_rows, found_cells)), shape=(len(rows), len(cells)))


def recoverable_sums(
    incidence: np.ndarray | sparse.sparray, unknown_cells: np.ndarray, published_rows: np.ndarray
) -> np.ndarray:
    """True for each row of `incidence` (a sum over cells, a cell being a sum of one) whose value every
    solution of the published rows shares, given the cells that are known.

    The unknowns are the `unknown_cells`; each published row, less its known cells, is an equation in them.
    A row's sum is fixed when its vector over the unknown cells lies in the row space of those equations,
    i.e. is orthogonal to their null space (Hundepool et al. 2012, ch. 4, auditing a suppression pattern,
    here with totals at several levels). A row with no unknown cell is fixed by the known cells alone.
    Bounds from non-negativity are not used.

    Unknown cells that no equation links form separate blocks, and the null space of the equations is the sum
    of each block's: each block is solved on its own, so memory and time follow the largest block (one wave,
    say) rather than the square of the whole table.
    """
    unknown = np.asarray(unknown_cells, dtype=bool)
    restricted = sparse.csr_array(incidence)[:, np.flatnonzero(unknown)]
    equations = restricted[np.flatnonzero(np.asarray(published_rows, dtype=bool))]
    fixed = np.ones(restricted.shape[0], dtype=bool)
    in_equation = _holds_entry(equations, axis=0)
    # An unknown cell in no equation is free: a row adding it up is not fixed.
    free_cells = np.flatnonzero(~in_equation)
    if len(free_cells):
        fixed &= ~_holds_entry(restricted[:, free_cells], axis=1)
    linked = np.flatnonzero(in_equation)
    if not len(linked):
        return fixed
    # Blocks: the connected components of the graph of equations and the unknown cells they hold.
    holding = equations[:, linked]
    graph = sparse.bmat([[None, holding], [holding.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    block_of_cell = labels[holding.shape[0] :]
    by_column = restricted[:, linked].tocsc()
    for block in np.unique(block_of_cell):
        columns = np.flatnonzero(block_of_cell == block)
        block_equations = holding[:, columns]
        rows_in_block = _holds_entry(block_equations, axis=1)
        free = linalg.null_space(block_equations[np.flatnonzero(rows_in_block)].toarray())
        if not free.size:
            continue
        members = by_column[:, columns]
        touching = np.flatnonzero(_holds_entry(members, axis=1))
        residual = members[touching] @ free
        fixed[touching] &= np.all(np.abs(residual) < 1e-9, axis=1)
    return fixed


def _holds_entry(matrix: sparse.sparray, axis: int) -> np.ndarray:
    """Which columns (`axis=0`) or rows (`axis=1`) of a sparse matrix hold a non-zero entry."""
    return np.asarray((matrix != 0).sum(axis=axis)).ravel() > 0


def recoverable_rows(published: pd.DataFrame, count_col: str, dims: Sequence[str]) -> pd.Series:
    """For a table that carries its own totals (a row with some of `dims` empty adds up the cells, the rows
    with every dimension set, over those): True where a withheld (NA) count, of a cell or a total, is fixed
    by the published cells and totals (`recoverable_sums`). For an asset check: the answer should be all False."""
    if count_col not in published.columns:
        raise ValueError(f"recoverable_rows: no column {count_col!r}; columns are {list(published.columns)}")
    is_cell = published[list(dims)].notna().all(axis=1).to_numpy()
    cells = published[is_cell]
    incidence = sparse_sum_incidence(published, cells, dims)
    hidden = published[count_col].isna().to_numpy()
    fixed = recoverable_sums(incidence, hidden[is_cell], ~hidden)
    return pd.Series(hidden & fixed, index=published.index)
