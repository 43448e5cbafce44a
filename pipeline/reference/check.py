"""The reference data checked as a whole before anything loads: `python -m pipeline.cli check`.

Every reference CSV is read and validated in a private in-memory warehouse, exactly as the refresh stages
it, and every row it would quarantine is an error naming the file, row, column and what was expected.
Then the tables are checked against each other (`sql/reference_gaps.sql`): a factor nothing measures or a
QCA condition on an unknown factor is an error; a partnership whose problem has no outcome indicator is a
gap, reported while the run goes on. Given the settings, the survey rating cut-offs (`survey_strong_from`,
`survey_weak_to` in `settings.toml`) are checked against the answer scales the factor items use: a cut-off
outside a scale's scores is an error. The optional indicator register (`indicator_register.csv`, the
monitoring source's) is checked too: an unknown partnership, driver or Marmot objective, or a polarity or
frequency that is not one of the accepted values, is an error. The optional survey waves file
(`survey_waves.csv`) is checked against the exports in `surveys/`: a wave it lists with no export, or an
export whose wave it does not list, is a gap. A refresh runs this first and stops on any error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.errors import InputFileError
from pipeline.monitoring.ingest import load_indicator_register
from pipeline.monitoring.staging import stage_indicator_register
from pipeline.reference.ingest import load_reference
from pipeline.reference.schemas import REFERENCE_MODELS, staged_name
from pipeline.reference.staging import stage_reference
from pipeline.settings import SETTINGS_FILE, DropZone, Settings
from pipeline.surveys.ingest import survey_wave_files
from pipeline.validation import SchemaValidationError
from pipeline.warehouse import ensure_schemas, load_sql, quote_identifier, relative_source


@dataclass(frozen=True)
class Finding:
    """One problem in the reference data: an error stops the refresh, a gap is reported."""

    severity: str
    source_file: str
    row: int | None
    message: str
    follows_from: str = ""  # the key of a row rejected above, when this error is only a consequence of it

    def __str__(self) -> str:
        where = f"{self.source_file}" + (f" row {self.row}" if self.row is not None else "")
        return f"{self.severity.upper():<5} {where}: {self.message}"


def check_reference(drop_zone: DropZone, settings: Settings | None = None) -> list[Finding]:
    """Every error and gap in the drop zone's reference data, errors first; with `settings`, also the
    settings that must fit the reference data (the survey rating cut-offs, the sustainment factor)."""
    with duckdb.connect() as con:
        return stage_and_check(con, drop_zone, settings)


def stage_and_check(
    con: duckdb.DuckDBPyConnection, drop_zone: DropZone, settings: Settings | None = None
) -> list[Finding]:
    """Stage the reference data into `con` (a private warehouse) and return its errors and gaps (and, given
    `settings`, the rating cut-offs that lie outside the factor items' answer scales)."""
    ensure_schemas(con)
    try:
        load_reference(con, drop_zone.reference_dir, drop_zone.data_dir)
        stage_reference(con)
    except (FileNotFoundError, InputFileError, SchemaValidationError) as error:
        return [Finding("error", _relative(error, drop_zone), None, str(error))]
    # The optional indicator register is checked with the rest: its partnerships, drivers and objectives.
    register = load_indicator_register(con, drop_zone.reference_dir, drop_zone.data_dir)
    stage_indicator_register(con)
    rejected = {
        name: con.execute(
            f"SELECT source_file, source_row, reason, record FROM quarantine.{quote_identifier(staged_name(name))}"
            " ORDER BY source_row"
        ).fetchall()
        for name in [*REFERENCE_MODELS, "indicator_register"]
    }
    # A row naming a key whose own row was rejected is a consequence, not a second mistake.
    rejected_keys = {
        f"{KEYS[name]}={json.loads(record).get(KEYS[name])!r}"
        for name, rows in rejected.items()
        if name in KEYS
        for _, _, _, record in rows
    }
    findings = [
        Finding("error", source_file, row, reason, _consequence_of(reason, rejected_keys))
        for rows in rejected.values()
        for source_file, row, reason, _ in rows
    ]
    findings += [Finding("error", refusal.source_file, None, refusal.reason) for refusal in register.refused]
    findings += [
        Finding(severity, source_file, row, f"column {column!r}: {message}")
        for severity, source_file, row, column, message in con.execute(load_sql(__file__, "reference_gaps")).fetchall()
    ]
    findings += waves_without_exports(con, drop_zone)
    if settings is not None:
        findings += rating_cut_offs_off_scale(con, settings)
        findings += sustainment_factor_unknown(con, settings)
    return sorted(findings, key=lambda f: (f.severity != "error", f.source_file, f.row or 0))


def rating_cut_offs_off_scale(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[Finding]:
    """An error for each survey rating cut-off outside the scores of an answer scale the success-factor items
    use: a mean on that scale could never reach it (or always would), so the rating would say nothing."""
    findings = []
    for scale_id, lowest, highest in con.execute(load_sql(__file__, "factor_scale_ranges")).fetchall():
        for key in ("survey_strong_from", "survey_weak_to"):
            value = getattr(settings, key)
            if not lowest <= value <= highest:
                findings.append(
                    Finding(
                        "error",
                        SETTINGS_FILE,
                        None,
                        f"{key} = {value:g} lies outside {lowest:g} to {highest:g}, the scores of answer scale "
                        f"{scale_id!r} (likert_scales.csv) that success-factor items use; set it between them",
                    )
                )
    return findings


def sustainment_factor_unknown(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[Finding]:
    """A gap when sustainment is recorded but the setting `sustainment_factor` names no success factor: the
    report would leave out its test of that factor's link with sustainment."""
    if not con.execute("SELECT count(*) FROM staging.sustainment").fetchone()[0]:
        return []
    factors = [row[0] for row in con.execute("SELECT factor_id FROM staging.success_factors ORDER BY 1").fetchall()]
    if settings.sustainment_factor in factors:
        return []
    message = (
        f"sustainment_factor = {settings.sustainment_factor!r} is not a factor_id of success_factors.csv "
        f"({', '.join(factors)}); the report leaves out its test of which factor goes with sustainment"
    )
    return [Finding("gap", SETTINGS_FILE, None, message)]


def waves_without_exports(con: duckdb.DuckDBPyConnection, drop_zone: DropZone) -> list[Finding]:
    """Where the drop zone has a survey waves file: a gap for each wave it lists that has no export in
    `surveys/` (its label and position wait for one), and for each export whose wave it does not list (that
    wave is named by its file stem and follows the listed waves, by when it opened)."""
    path = drop_zone.reference_dir / "survey_waves.csv"
    if not path.is_file():
        return []
    try:
        exports = set(survey_wave_files(drop_zone.surveys_dir))
    except ValueError:
        return []  # two exports giving one wave: the survey source refuses them with that reason
    listed = {
        wave: (source_file, row)
        for wave, source_file, row in con.execute(
            "SELECT wave, source_file, source_row FROM staging.reference_survey_waves ORDER BY source_row"
        ).fetchall()
    }
    source_file = relative_source(path, drop_zone.data_dir)
    findings = [
        Finding(
            "gap",
            listed_in,
            row,
            f"column 'wave': wave {wave!r} has no export in surveys/ (expected a file such as surveys/{wave}.csv)",
        )
        for wave, (listed_in, row) in listed.items()
        if wave not in exports
    ]
    findings += [
        Finding(
            "gap",
            source_file,
            None,
            f"the export of wave {wave!r} (surveys/) has no row here: it keeps its file name as its label and "
            "follows the listed waves in the order they opened",
        )
        for wave in sorted(exports - set(listed))
    ]
    return findings


# The key of each table other rows refer to, and how the staging step words a reference to an unknown key.
KEYS = {"partnerships": "partnership_id", "success_factors": "factor_id", "likert_scales": "scale_id"}
_REFERENCE = re.compile(r"^column '\w+': (partnership|factor|scale) ('.*') is not in")
_KEY_OF = {"partnership": "partnership_id", "factor": "factor_id", "scale": "scale_id"}


def _consequence_of(reason: str, rejected_keys: set[str]) -> str:
    match = _REFERENCE.match(reason)
    key = f"{_KEY_OF[match.group(1)]}={match.group(2)}" if match else ""
    return key if key in rejected_keys else ""


def _places(findings: list[Finding]) -> str:
    """Rows by file, runs of consecutive rows as ranges: `a.csv rows 6-9, 126-129`."""
    by_file: dict[str, list[int]] = {}
    for finding in findings:
        by_file.setdefault(finding.source_file, []).append(finding.row or 0)
    parts = []
    for source_file, rows in sorted(by_file.items()):
        runs: list[list[int]] = []
        for row in sorted(set(rows)):
            if runs and row == runs[-1][-1] + 1:
                runs[-1].append(row)
            else:
                runs.append([row])
        parts.append(f"{source_file} rows " + ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs))
    return "; ".join(parts)


def _relative(error: Exception, drop_zone: DropZone) -> str:
    path = getattr(error, "path", None)
    if isinstance(path, Path):
        try:
            return path.resolve().relative_to(drop_zone.data_dir.resolve()).as_posix()
        except ValueError:
            return str(path)
    return "reference/"


def report(findings: list[Finding], drop_zone: DropZone) -> str:
    """The plain report `check` prints: one line per finding, and what the refresh will do."""
    errors = sum(f.severity == "error" and not f.follows_from for f in findings)
    gaps = sum(f.severity == "gap" for f in findings)
    lines = [f"Reference data in {drop_zone.reference_dir}:"]
    lines += [f"  {finding}" for finding in findings if not finding.follows_from]
    consequences: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.follows_from:
            consequences.setdefault(finding.follows_from, []).append(finding)
    for key, rows in consequences.items():
        lines.append(f"  (and {len(rows)} row(s) that refer to the rejected {key}: {_places(rows)})")
    if errors:
        lines.append(f"{errors} error(s), {gaps} gap(s): a refresh stops until the errors above are fixed.")
    else:
        lines.append(f"No errors, {gaps} gap(s): the reference data is consistent.")
    return "\n".join(lines)
