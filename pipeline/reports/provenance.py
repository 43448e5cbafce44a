"""What a report was built from, for its header: the files loaded (from the load ledger), the files refused,
and the settings in force, each with what it means."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.reports import challenges
from pipeline.warehouse import load_sql

# The settings that shape the report's figures, in the order a reader meets them, with what each means.
SETTINGS_SHOWN = (
    ("disclosure_threshold", "Disclosure threshold: smallest count published"),
    ("survey_strong_from", "Survey rating strong from (mean score)"),
    ("survey_weak_to", "Survey rating weak up to (mean score)"),
    ("qca_consistency_cut", "QCA: truth-table row sufficient from consistency"),
    ("qca_negated_consistency_cut", "QCA of not succeeding: truth-table row sufficient from consistency"),
    ("qca_frequency_cut", "QCA: fewest partnerships for a truth-table row"),
    ("crossover_rule", "QCA: a score exactly at the crossover"),
    ("evidence_base", "Evidence on each factor for QCA, success by factor and the model of success"),
    ("outcome_baseline_years", "Outcome baseline may end up to (years after support began)"),
    ("outcome_followup_years", "Outcome follow-up ends within (years after support ended)"),
    ("min_relative_change", "Outcome change without limits counts beyond (share of baseline)"),
    ("improved_needs_interval", "An improved outcome needs its 95% interval"),
)
CROSSOVER_RULES = {"nudge": "nudged to 0.501 (Fiss 2011)", "exclude": "partnership left out"}


@dataclass(frozen=True)
class Provenance:
    """What a report was built from, for its header: when, the drop zone's files as loaded (from the load
    ledger), files refused, and the settings applied. The one input of the report that is not a mart: the
    marts do not record which files and settings made them, and the report asset passes this beside them."""

    built_at: datetime
    files: pd.DataFrame  # source_file, table_name, rows_loaded, loaded_at
    refused: pd.DataFrame  # source_file, table_name, reason, refused_at
    settings: tuple[tuple[str, str], ...]  # (what the setting means, its value)


def read_provenance(con: duckdb.DuckDBPyConnection, settings: object, built_at: datetime | None = None) -> Provenance:
    """The report's provenance from the warehouse's load ledger and the settings in force; `settings` is any
    object with the `Settings` field names (`Settings`, or the `EvaluationPaths` resource)."""
    shown = []
    for name, meaning in SETTINGS_SHOWN:
        value = getattr(settings, name)
        if name == "crossover_rule":
            value = f"{value}: {CROSSOVER_RULES.get(value, value)}"
        elif name == "evidence_base":
            value = challenges.EVIDENCE_BASE_LABELS.get(value, value)
        elif name == "qca_negated_consistency_cut" and value is None:
            value = f"{settings.qca_consistency_cut} (as for success)"
        elif name == "outcome_followup_years" and value is None:
            value = "all (the latest period there is)"
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        shown.append((meaning, str(value)))
    shown.append(("Site-visit rating (share of enabler passages)", "strong from 2/3, weak up to 1/3"))
    return Provenance(
        built_at=built_at or datetime.now(UTC),
        files=con.execute(load_sql(__file__, "report_sources")).df(),
        refused=con.execute(load_sql(__file__, "report_refused_files")).df(),
        settings=tuple(shown),
    )


def source_summary(files: pd.DataFrame) -> list[dict[str, str]]:
    """The loaded files by drop-zone folder: the files (named, or counted when many), rows and load dates."""
    if files.empty:
        return []
    frame = files.assign(folder=files["source_file"].map(lambda f: Path(f).parts[0] if len(Path(f).parts) > 1 else "."))
    summary = []
    for folder, rows in frame.groupby("folder", sort=True):
        names = sorted({Path(f).name for f in rows["source_file"]})
        listed = ", ".join(names) if len(names) <= 6 else f"{', '.join(names[:5])} and {len(names) - 5} more"
        loaded = pd.to_datetime(rows["loaded_at"], utc=True)
        first, last = loaded.min().strftime("%Y-%m-%d %H:%M"), loaded.max().strftime("%Y-%m-%d %H:%M")
        summary.append(
            {
                "folder": folder,
                "files": listed,
                "rows": f"{int(rows['rows_loaded'].sum()):,}",
                "loaded": first if first == last else f"{first} to {last}",
            }
        )
    return summary
