"""Errors raised on bad input: each names the file, and where known the row and column, and what was expected."""

from __future__ import annotations

from pathlib import Path


class InputFileError(ValueError):
    """A file could not be read as the format it claims to be.

    The message reads `<file>, row <r>, column <c>: <problem>; expected <expectation>`, leaving out
    whatever is unknown, so an evaluator can open the file and find the cell.
    """

    def __init__(
        self,
        path: str | Path,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.problem = problem
        self.row = row
        self.column = column
        self.expected = expected
        where = [str(self.path)]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        message = f"{', '.join(where)}: {problem}"
        if expected:
            message += f"; expected {expected}"
        super().__init__(message)
