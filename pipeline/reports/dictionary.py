"""The data dictionary: every validated table, its grain, and every column's type, rules and meaning,
generated from the hand-written pandera models so it cannot drift from what the pipeline enforces."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pandera.pandas as pa

from pipeline.catalog import TABLES

LAYERS = {
    "marts": "Marts: published to `$EVAL_MARTS_DIR/<name>.parquet` and as views in `marts.duckdb`",
    "staging": "Staging: validated and conformed tables in the warehouse (reference data included)",
}


def _rules(column: pa.Column) -> str:
    rules = [str(check.error or check.name) for check in column.checks]
    if column.unique:
        rules.append("unique")
    return "; ".join(rules)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_section(name: str, model: type[pa.DataFrameModel]) -> str:
    """The Markdown section of one table: grain, unique key, and one line per column."""
    schema = model.to_schema()
    lines = [f"### `{name}`", "", f"**Grain:** {inspect.getdoc(model) or 'not stated'}", ""]
    key = getattr(model.Config, "unique", None)
    if key:
        lines += [f"**Unique key:** {', '.join(f'`{c}`' for c in ([key] if isinstance(key, str) else key))}", ""]
    lines += ["| column | type | empty allowed | rules | meaning |", "|---|---|---|---|---|"]
    for column_name, column in schema.columns.items():
        lines.append(
            f"| `{column_name}` | {column.dtype} | {'yes' if column.nullable else 'no'} | "
            f"{_escape(_rules(column))} | {_escape(column.description or '')} |"
        )
    return "\n".join(lines) + "\n"


def data_dictionary() -> str:
    """The whole dictionary as Markdown, marts first."""
    parts = [
        "# Data dictionary",
        "",
        "Generated from the pandera models in `pipeline/<source>/schemas.py`, which the pipeline validates every table",
        "against. Rows that fail go to `quarantine.<table>` with the file, row and reason.",
        "",
    ]
    for layer, title in LAYERS.items():
        parts += [f"## {title}", ""]
        parts += [table_section(name, model) for name, model in TABLES.items() if name.startswith(f"{layer}.")]
    return "\n".join(parts)


def write_data_dictionary(marts_dir: Path) -> Path:
    """Write `data_dictionary.md` into the marts folder (write-then-rename)."""
    marts_dir.mkdir(parents=True, exist_ok=True)
    target = marts_dir / "data_dictionary.md"
    temporary = marts_dir / f".data_dictionary.md.{os.getpid()}.tmp"
    temporary.write_text(data_dictionary(), encoding="utf-8")
    os.replace(temporary, target)
    return target
