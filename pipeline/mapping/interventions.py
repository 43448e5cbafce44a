"""Partnerships' inventories of commissioned interventions (CSV or Excel), one file per partnership.

The file name starts with the partnership id ("P01 Kirklees interventions.xlsx"), as evaluators file
them; the columns are matched tolerantly (see `csv_layout`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline.csv_layout import Layout, column, read_layout
from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits

INVENTORY = Layout(
    "interventions inventory",
    (
        column("intervention", "Intervention", "intervention name", required=True),
        column("commissioner", "Commissioner", "commissioned by", required=True),
        column("drivers_addressed", "Drivers addressed", "drivers", "secondary drivers", required=True),
        column("spend", "Annual spend (GBP)", "spend", "annual spend", "spend (£)", "budget"),
        column("status", "Status"),
    ),
)
INVENTORY_SUFFIXES = (".csv", ".xlsx")


def partnership_of(path: Path) -> str:
    """The partnership id an inventory's file name starts with: its first word (an unknown id is quarantined
    when staged against partnerships.csv)."""
    words = path.stem.split(maxsplit=1)
    if not words or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", words[0]):
        raise InputFileError(
            path, "the file name does not start with a partnership id", expected="e.g. 'P01 Kirklees interventions.csv'"
        )
    return words[0]


def read_interventions(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """One inventory as received (text), with `partnership_id` from the file name and `source_row`; the file
    is checked against `limits` first."""
    frame = read_layout(path, INVENTORY, limits)
    frame.insert(0, "partnership_id", partnership_of(path))
    return frame
