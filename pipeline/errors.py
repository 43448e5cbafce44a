"""Errors raised on bad input: each names the file, and where known the row and column, and what was expected."""

from __future__ import annotations

import unicodedata
from pathlib import Path

# Characters that would let text taken from a file (its name, a cell) start a new line in a terminal or a
# log, move the cursor, or reorder what follows: control characters, line and paragraph separators, and
# format characters (bidirectional overrides).
_UNPRINTABLE = {"Cc", "Cf", "Zl", "Zp"}


def printable(text: object) -> str:
    """`text` on one line with its control characters written out as escapes (a newline as `\\n`, ESC as
    `\\x1b`, a right-to-left override as `\\u202e`), so a file name or a reason from a file can never print
    a line of its own, such as a forged "All checks passed."; other characters (accents, £) are kept."""
    return "".join(
        repr(character)[1:-1] if unicodedata.category(character) in _UNPRINTABLE else character
        for character in str(text)
    )


class InputFileError(ValueError):
    """A file could not be read as the format it claims to be.

    The message reads `<file>, row <r>, column <c>: <problem>; expected <expectation>`, leaving out
    whatever is unknown, so an evaluator can open the file and find the cell. The whole message is written
    with `printable`: names are data, and a file's name, a header or a cell quoted in the problem can never
    start a line of its own or move the cursor in a log.
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
        located = row is not None or column is not None
        super().__init__(f"{printable(self.path)}{', ' if located else ': '}{self.reason}")

    @property
    def reason(self) -> str:
        """The message without the file's name: where in the file, what is wrong and what was expected
        (control characters written out as escapes)."""
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        reason = f"{', '.join(where)}: {self.problem}" if where else self.problem
        if self.expected:
            reason += f"; expected {self.expected}"
        return printable(reason)


class FileChangedError(InputFileError):
    """A file was replaced or changed while it was being loaded: what was read may mix two versions."""
