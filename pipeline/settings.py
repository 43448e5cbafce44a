"""The pipeline's settings, in one place: read from the environment and the drop zone's `settings.toml`.

This is the only module that reads the environment. Everything else receives a `Settings` (through the
Dagster resources built from it, `pipeline.resources`) and passes what it needs on as arguments.

| variable | default | meaning |
|---|---|---|
| `EVAL_DATA_DIR` | `data/raw` | the raw drop zone |
| `EVAL_WAREHOUSE` | `data/warehouse.duckdb` | the DuckDB warehouse |
| `EVAL_MARTS_DIR` | `data/marts` | published marts |
| `EVAL_DISCLOSURE_THRESHOLD` | `disclosure_threshold` in `settings.toml`, else 5 | smallest count published |
| `EVAL_PSEUDONYM_KEY` | the key in `EVAL_SECRET_FILE` | secret key for respondent pseudonyms |
| `EVAL_SECRET_FILE` | `.eval_secret` | where a generated pseudonym key is kept |
| `EVAL_DUCKDB_MEMORY_LIMIT` | `3GB` | DuckDB's memory limit (it spills to disk beyond it) |
| `EVAL_REFRESH_WAIT` | `600` | seconds a refresh waits for another refresh of the same warehouse |
| `EVAL_WAVE_PROCESSES` | `1` | survey waves a refresh runs side by side, each in a process of its own (see the README's "Growing past one machine") |
| `EVAL_MAX_UNPACKED_BYTES` | `1073741824` (1 GiB) | most bytes one XLSX or REFI-QDA project may unpack to (a zip bomb is refused before it is parsed) |
| `EVAL_MAX_SHARED_STRINGS_BYTES` | `134217728` (128 MiB) | most bytes an XLSX's shared strings may unpack to (held in memory whole, about 6 bytes per byte) |
| `EVAL_MAX_ROWS` | `5000000` | most rows an SPSS file may declare in its header (it is read whole into memory) |
| `EVAL_MAX_COLUMNS` | `20000` | most columns a CSV header, or variables an SPSS file, may have |
| `DAGSTER_HOME` | `.dagster` | the Dagster instance used by the command line |

The drop zone's `settings.toml` (optional; a template with every key is in `data/raw/settings.toml`) holds
the evaluation's own rules:

| key | default | meaning |
|---|---|---|
| `disclosure_threshold` | 5 | smallest count published (the environment variable wins) |
| `coding_case_variable` | `partnership_id` | the REFI-QDA case variable that names a coding's partnership |
| `coding_source_rule` | empty | a regular expression whose first group is the partnership id in a source's name; empty: a source whose name starts with a partnership's id is that partnership's |
| `coding_kappa_weights` | `linear` | agreement weights of the weighted kappa reported for ordinal code scales (codes with a `scale_value` in `codebook_factor_map.csv`): `linear` or `quadratic` |
| `trend_points` | 5 | how many of the most recent valid points the recent-trend test of `outcome_trends` uses (5 or more, Fingertips' 5 by default), or `"all"` for the whole unbroken run |
| `trend_z` | `fingertips` | the normal point turning published 95% limits into a standard error in the trend test: `fingertips` (1.96, Fingertips' width / 3.92) or `exact` (qnorm(0.975) = 1.959964, PHEindicatormethods) |
| `survey_strong_from` | 3.5 | a factor's mean survey score at or above which its survey rating is strong (`success_factor_matrix`); on the answer scale of the factor items (`reference/likert_scales.csv`), which `check` verifies |
| `survey_weak_to` | 2.5 | ... at or below which it is weak (below `survey_strong_from`); between the two: mixed |
| `qca_consistency_cut` | 0.8 | the raw consistency at or above which a truth-table row is sufficient for success (R QCA's `incl.cut`; Ragin 2008 asks 0.75 or more) |
| `qca_negated_consistency_cut` | `qca_consistency_cut` | the same cut for the analysis of not succeeding (`~SUCCESS`), which is a truth table of its own (Schneider & Wagemann 2012, section 9.2: the negated outcome is analysed separately, and its consistencies need not fall where success's do); absent: the cut for success |
| `qca_frequency_cut` | 1 | the fewest partnerships a truth-table row needs to enter the minimisation (R QCA's `n.cut`; fewer: a remainder) |
| `crossover_rule` | `nudge` | a fuzzy membership of exactly 0.5 (a score at the crossover): `nudge` sets it to 0.501 so the partnership stays in the analysis (Fiss 2011 adds 0.001); `exclude` leaves the partnership out, with the reason |
| `evidence_base` | `survey` | the calibrated evidence on each success factor that QCA (`qca_memberships`), `factor_outcome_comparison` and `factor_importance` all analyse: `survey` (the latest wave's published mean score, calibrated by the anchors in `reference/qca_conditions.csv`), `site_visits` (the share of coded site-visit passages that are enablers, calibrated with full non-membership at 1/3, crossover 1/2 and full membership at 2/3, the site-visit rating's cut-offs) or `triangulated` (the mean of the two memberships where both methods have evidence, the one there is where only one has) |
| `min_relative_change` | 0.05 | without confidence limits, how far (as a share of the baseline value) an outcome's change against England must go before `outcome_change` calls it improved or worsened (point estimate) |
| `outcome_baseline_years` | 0 | how many years after support began the baseline of `outcome_change` may end (0: the latest period ending on or before support began; more lets an area whose data start during support have a baseline, flagged `baseline_before_support` false) |
| `outcome_followup_years` | `"all"` | the follow-up of `outcome_change` is the latest period ending within this many years after support ended; `"all"`: the latest period there is |
| `improved_needs_interval` | false | whether a headline outcome counts as improved in `factor_outcome_comparison` (and as improved or worsened in `outcome_verdict_agreement`) only when its 95% interval says so; false: a point estimate beyond `min_relative_change` counts too |
| `benefits_attribution` | 1.0 | share (0 to 1) of the change against England credited to the programme in the `benefits` mart (HM Treasury Green Book 2022 and Magenta Book 2020: attribution is an assumption stated with the result; 1: the difference-in-differences is taken as the programme's effect) |
| `benefits_deadweight` | 0.0 | share (0 to 1) of the change that would have happened anyway, taken off in the `benefits` mart; 0 by default because the comparison with England already nets out the change England saw (the Green Book's counterfactual) |
| `benefits_price_year` | `"latest"` | the calendar year whose prices the `benefits` mart values costs in (a year `reference/deflators.csv` lists); `"latest"`: the latest year it lists |
| `sustainment_factor` | `integration` | the success factor (`factor_id` of `success_factors.csv`) whose link with sustainment the report tests: the evaluation found that integration with other workstreams goes with work being sustained after support; `sustainment_by_factor` compares every factor, the report and its key finding lead with this one |
| `max_quarantine_share` | 0.2 | the largest share of a source's rows (in any of its staging tables) that may be quarantined before the refresh fails (exit code 1, naming the source, its share and this limit); 0 to 1, `1` switches it off |
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.safe_files import DEFAULT_LIMITS, SETTING_NAMES, ReadLimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PSEUDONYM_KEY_VARIABLE = "EVAL_PSEUDONYM_KEY"
SETTINGS_FILE = "settings.toml"
KAPPA_WEIGHT_CHOICES = ("linear", "quadratic")
TREND_Z_CHOICES = ("fingertips", "exact")
CROSSOVER_RULES = ("nudge", "exclude")
EVIDENCE_BASES = ("survey", "site_visits", "triangulated")


class SettingsError(ValueError):
    """A setting is out of range or of the wrong type; the message names the setting and its source."""


@dataclass(frozen=True)
class DropZone:
    """The raw drop zone and the folder each kind of evidence is dropped into."""

    data_dir: Path

    @property
    def reference_dir(self) -> Path:
        return self.data_dir / "reference"

    @property
    def surveys_dir(self) -> Path:
        return self.data_dir / "surveys"

    @property
    def codings_dir(self) -> Path:
        return self.data_dir / "codings"

    @property
    def outcomes_dir(self) -> Path:
        return self.data_dir / "outcomes"

    @property
    def deprivation_dir(self) -> Path:
        return self.data_dir / "deprivation"

    @property
    def assessments_dir(self) -> Path:
        return self.data_dir / "assessments"

    @property
    def interventions_dir(self) -> Path:
        return self.data_dir / "interventions"

    @property
    def narratives_dir(self) -> Path:
        """The evaluators' own narrative per partnership, `<partnership_id>.md`, shown on its case page."""
        return self.data_dir / "narratives"

    @property
    def monitoring_dir(self) -> Path:
        return self.data_dir / "monitoring"

    @property
    def settings_file(self) -> Path:
        return self.data_dir / SETTINGS_FILE


@dataclass(frozen=True)
class Settings:
    """Where the pipeline reads and writes, and the rules it applies."""

    data_dir: Path
    warehouse: Path
    marts_dir: Path
    disclosure_threshold: int = 5
    duckdb_memory_limit: str = "3GB"
    refresh_wait_seconds: float = 600.0
    wave_processes: int = 1
    secret_file: Path = field(default=PROJECT_ROOT / ".eval_secret")
    # Whether EVAL_PSEUDONYM_KEY is set: resources then read it as a `dg.EnvVar`, so the key itself never
    # appears in a resource's configuration, the UI or the run storage.
    pseudonym_key_from_environment: bool = False
    dagster_home: Path = field(default=PROJECT_ROOT / ".dagster")
    coding_case_variable: str = "partnership_id"
    coding_source_rule: str = ""
    coding_kappa_weights: str = "linear"
    trend_points: int | None = 5  # None: the whole unbroken run of valid points
    trend_z: str = "fingertips"
    survey_strong_from: float = 3.5
    survey_weak_to: float = 2.5
    qca_consistency_cut: float = 0.8
    qca_negated_consistency_cut: float | None = None  # None: qca_consistency_cut
    qca_frequency_cut: int = 1
    crossover_rule: str = "nudge"
    evidence_base: str = "survey"
    min_relative_change: float = 0.05
    outcome_baseline_years: float = 0.0
    outcome_followup_years: float | None = None  # None: the latest period there is
    improved_needs_interval: bool = False
    benefits_attribution: float = 1.0
    benefits_deadweight: float = 0.0
    benefits_price_year: int | None = None  # None: the latest year of reference/deflators.csv
    sustainment_factor: str = "integration"
    # A source whose quarantined share of received rows passes this fails the refresh (1: never).
    max_quarantine_share: float = 0.2
    # What a file may declare before any reader allocates (`pipeline.safe_files`).
    max_unpacked_bytes: int = DEFAULT_LIMITS.max_unpacked_bytes
    max_shared_strings_bytes: int = DEFAULT_LIMITS.max_shared_strings_bytes
    max_rows: int = DEFAULT_LIMITS.max_rows
    max_columns: int = DEFAULT_LIMITS.max_columns

    @property
    def drop_zone(self) -> DropZone:
        return DropZone(self.data_dir)

    @property
    def read_limits(self) -> ReadLimits:
        """The read limits for files in this drop zone."""
        return ReadLimits(
            inside=self.data_dir,
            max_unpacked_bytes=self.max_unpacked_bytes,
            max_shared_strings_bytes=self.max_shared_strings_bytes,
            max_rows=self.max_rows,
            max_columns=self.max_columns,
        )


def _path(environ: dict[str, str], name: str, default: Path) -> Path:
    value = environ.get(name, "").strip()
    path = Path(value).expanduser() if value else default
    return path if path.is_absolute() else (Path.cwd() / path)


def _number(value: object, name: str, source: str, kind: type, minimum: float) -> float:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise SettingsError(
            f"{source}: {name} must be a {kind.__name__} of at least {minimum}, not {value!r}"
        ) from None
    if number < minimum:
        raise SettingsError(f"{source}: {name} must be at least {minimum}, not {value!r}")
    return number


def _text(settings: dict[str, object], name: str, default: str, source: str) -> str:
    value = settings.get(name, default)
    if not isinstance(value, str):
        raise SettingsError(f"{source}: {name} must be text, not {value!r}")
    return value


def _choice(settings: dict[str, object], name: str, default: str, choices: tuple[str, ...], source: str) -> str:
    value = _text(settings, name, default, source)
    if value not in choices:
        raise SettingsError(f"{source}: {name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _trend_points(settings: dict[str, object], source: str) -> int | None:
    """`trend_points`: a whole number of at least 5 (Fingertips' minimum), or "all" for the whole unbroken run."""
    value = settings.get("trend_points", 5)
    if value == "all":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SettingsError(f'{source}: trend_points must be a whole number of at least 5 or "all", not {value!r}')
    return int(_number(value, "trend_points", source, int, 5))


def _followup_years(settings: dict[str, object], source: str) -> float | None:
    """`outcome_followup_years`: a number of years of at least 0, or "all" (None) for the latest period there is."""
    if settings.get("outcome_followup_years", "all") == "all":
        return None
    return _real(settings, "outcome_followup_years", 0.0, source, 0.0, None)


def _price_year(settings: dict[str, object], source: str) -> int | None:
    """`benefits_price_year`: a calendar year, or "latest" (None) for the latest year of the deflator series."""
    if settings.get("benefits_price_year", "latest") == "latest":
        return None
    value = settings["benefits_price_year"]
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
        raise SettingsError(f'{source}: benefits_price_year must be a calendar year or "latest", not {value!r}')
    return value


def _real(
    settings: dict[str, object], name: str, default: float, source: str, low: float | None, high: float | None
) -> float:
    """A number from low to high (inclusive; None: unbounded), written as a TOML integer or float."""
    value = settings.get(name, default)
    bounds = ""
    if low is not None and high is not None:
        bounds = f" from {low:g} to {high:g}"
    elif low is not None:
        bounds = f" of at least {low:g}"
    elif high is not None:
        bounds = f" of at most {high:g}"
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value != value  # NaN
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        raise SettingsError(f"{source}: {name} must be a number{bounds}, not {value!r}")
    return float(value)


def _whole(settings: dict[str, object], name: str, default: int, source: str, minimum: int) -> int:
    value = settings.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SettingsError(f"{source}: {name} must be a whole number of at least {minimum}, not {value!r}")
    return value


def _flag(settings: dict[str, object], name: str, default: bool, source: str) -> bool:
    value = settings.get(name, default)
    if not isinstance(value, bool):
        raise SettingsError(f"{source}: {name} must be true or false, not {value!r}")
    return value


def _consistency_cut(settings: dict[str, object], source: str, name: str = "qca_consistency_cut") -> float:
    """A QCA consistency cut (`name`): above 0 and at most 1 (a cut of 0 would call every row sufficient)."""
    value = _real(settings, name, 0.8, source, 0.0, 1.0)
    if value == 0:
        raise SettingsError(f"{source}: {name} must be above 0 and at most 1, not {value!r}")
    return value


def _rating_cuts(settings: dict[str, object], source: str) -> tuple[float, float]:
    """`survey_strong_from` and `survey_weak_to`: any numbers (the answer scale is the reference data's, which
    `check` sets them against), weak below strong so that every mean gets one rating."""
    strong = _real(settings, "survey_strong_from", 3.5, source, None, None)
    weak = _real(settings, "survey_weak_to", 2.5, source, None, None)
    if not weak < strong:
        raise SettingsError(
            f"{source}: survey_weak_to ({weak:g}) must be below survey_strong_from ({strong:g}): "
            "a mean between them is mixed"
        )
    return strong, weak


def drop_zone_settings(data_dir: Path) -> dict[str, object]:
    """The drop zone's `settings.toml` (empty when there is none); a file that is not TOML is an error naming it."""
    path = DropZone(data_dir).settings_file
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML ({error})") from None


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """The settings from the environment (default `os.environ`) and the drop zone's `settings.toml`; the
    environment wins. Relative paths are taken from the working directory."""
    environ = dict(os.environ if environ is None else environ)
    data_dir = _path(environ, "EVAL_DATA_DIR", PROJECT_ROOT / "data" / "raw")
    from_file = drop_zone_settings(data_dir)
    settings_file = DropZone(data_dir).settings_file
    if threshold := environ.get("EVAL_DISCLOSURE_THRESHOLD", "").strip():
        threshold_value = _number(threshold, "EVAL_DISCLOSURE_THRESHOLD", "environment", int, 1)
    else:
        threshold_value = _number(
            from_file.get("disclosure_threshold", 5), "disclosure_threshold", str(settings_file), int, 1
        )
    wait = environ.get("EVAL_REFRESH_WAIT", "").strip() or "600"
    wave_processes = environ.get("EVAL_WAVE_PROCESSES", "").strip() or "1"
    limits = {
        field: int(
            _number(
                environ.get(variable, "").strip() or getattr(DEFAULT_LIMITS, field), variable, "environment", int, 1
            )
        )
        for field, variable in SETTING_NAMES.items()
    }
    strong_from, weak_to = _rating_cuts(from_file, str(settings_file))
    return Settings(
        data_dir=data_dir,
        warehouse=_path(environ, "EVAL_WAREHOUSE", PROJECT_ROOT / "data" / "warehouse.duckdb"),
        marts_dir=_path(environ, "EVAL_MARTS_DIR", PROJECT_ROOT / "data" / "marts"),
        disclosure_threshold=int(threshold_value),
        duckdb_memory_limit=environ.get("EVAL_DUCKDB_MEMORY_LIMIT", "").strip() or "3GB",
        refresh_wait_seconds=float(_number(wait, "EVAL_REFRESH_WAIT", "environment", float, 0)),
        wave_processes=int(_number(wave_processes, "EVAL_WAVE_PROCESSES", "environment", int, 1)),
        secret_file=_path(environ, "EVAL_SECRET_FILE", PROJECT_ROOT / ".eval_secret"),
        pseudonym_key_from_environment=bool(environ.get(PSEUDONYM_KEY_VARIABLE, "")),
        dagster_home=_path(environ, "DAGSTER_HOME", PROJECT_ROOT / ".dagster"),
        coding_case_variable=_text(from_file, "coding_case_variable", "partnership_id", str(settings_file)),
        coding_source_rule=_text(from_file, "coding_source_rule", "", str(settings_file)),
        coding_kappa_weights=_choice(
            from_file, "coding_kappa_weights", "linear", KAPPA_WEIGHT_CHOICES, str(settings_file)
        ),
        trend_points=_trend_points(from_file, str(settings_file)),
        trend_z=_choice(from_file, "trend_z", "fingertips", TREND_Z_CHOICES, str(settings_file)),
        survey_strong_from=strong_from,
        survey_weak_to=weak_to,
        qca_consistency_cut=_consistency_cut(from_file, str(settings_file)),
        qca_negated_consistency_cut=(
            _consistency_cut(from_file, str(settings_file), "qca_negated_consistency_cut")
            if "qca_negated_consistency_cut" in from_file
            else None
        ),
        qca_frequency_cut=_whole(from_file, "qca_frequency_cut", 1, str(settings_file), 1),
        crossover_rule=_choice(from_file, "crossover_rule", "nudge", CROSSOVER_RULES, str(settings_file)),
        evidence_base=_choice(from_file, "evidence_base", "survey", EVIDENCE_BASES, str(settings_file)),
        min_relative_change=_real(from_file, "min_relative_change", 0.05, str(settings_file), 0.0, None),
        outcome_baseline_years=_real(from_file, "outcome_baseline_years", 0.0, str(settings_file), 0.0, None),
        outcome_followup_years=_followup_years(from_file, str(settings_file)),
        improved_needs_interval=_flag(from_file, "improved_needs_interval", False, str(settings_file)),
        benefits_attribution=_real(from_file, "benefits_attribution", 1.0, str(settings_file), 0.0, 1.0),
        benefits_deadweight=_real(from_file, "benefits_deadweight", 0.0, str(settings_file), 0.0, 1.0),
        benefits_price_year=_price_year(from_file, str(settings_file)),
        sustainment_factor=_text(from_file, "sustainment_factor", "integration", str(settings_file)),
        max_quarantine_share=_real(from_file, "max_quarantine_share", 0.2, str(settings_file), 0.0, 1.0),
        **limits,
    )
