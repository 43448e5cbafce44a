"""Personal data in the demo exports (names, e-mail addresses, IP addresses, locations, external
references, response ids) reaches no table in the warehouse and no published mart."""

from __future__ import annotations

import csv

import duckdb

from pipeline.surveys.readers.qualtrics import read_header
from tests.conftest import DATA_DIR

PERSONAL_COLUMNS = (
    "IPAddress",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "LocationLatitude",
    "LocationLongitude",
    "ResponseId",
)


def _personal_values() -> set[str]:
    values = set()
    for path in sorted((DATA_DIR / "surveys").glob("*.csv")):
        names = [name for name, _, _ in read_header(path)]
        with open(path, newline="", encoding="utf-8-sig") as handle:
            for row in list(csv.reader(handle))[3:]:
                values |= {row[names.index(column)] for column in PERSONAL_COLUMNS if row[names.index(column)]}
    return values


def _all_cells(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every cell of every table and view, as text."""
    tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
    return {
        str(cell)
        for schema, table in tables
        for row in con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
        for cell in row
    }


def test_no_personal_value_reaches_the_warehouse_or_the_marts(demo_run):
    personal = _personal_values()
    assert len(personal) > 1000
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        warehouse = _all_cells(con)
    with duckdb.connect(str(demo_run.settings.marts_dir / "marts.duckdb"), read_only=True) as con:
        marts = _all_cells(con)
    for cells in (warehouse, marts):
        text = "\n".join(cells)
        # A whole cell equal to a personal value, or a distinctive one (an address, id or coordinate)
        # inside any text; short first names alone also occur inside ordinary words ("Lewis" in "Lewisham").
        found = [value for value in personal if value in cells or (len(value) >= 8 and value in text)]
        assert found == []
    # Free-text comments survive, their contact details redacted.
    assert any("[phone]" in cell for cell in warehouse) and any("[email]" in cell for cell in warehouse)
