"""A template drop zone for a new programme: `python -m pipeline.cli init DIR`.

Every reference CSV with its columns and a few example rows of a made-up programme (replace them), a
`reference/README.md` describing every column of every file (generated from the pandera models, so it says
exactly what the pipeline checks), the folders each kind of evidence is dropped into, each with a note on
what goes there, and `settings.toml` with every setting and its default. The template passes `check`.
"""

from __future__ import annotations

import csv
import inspect
import io
import re
import shutil
from pathlib import Path

from pipeline.monitoring.schemas import IndicatorRegister
from pipeline.reference.schemas import REFERENCE_MODELS
from pipeline.settings import PROJECT_ROOT, DropZone

# The reference files of every source: the reference source's own, and the monitoring source's optional
# register of each partnership's local indicators (checked with them by `check`).
TEMPLATE_MODELS = {**REFERENCE_MODELS, "indicator_register": IndicatorRegister}

# A made-up programme of two partnerships, one problem and two factors: enough for `check` to pass and for
# an evaluator to see each file's shape. Replace every row with the programme's own.
EXAMPLES: dict[str, list[list[str]]] = {
    "partnerships": [
        ["A01", "Example Borough", "E06000001", "example_problem", "1", "2024-04-01", "2026-03-31"],
        ["B02", "Example County", "W06000001;W06000002", "example_problem", "2", "2025-04-01", "2027-03-31"],
    ],
    "success_factors": [
        ["senior_leadership", "Senior leadership", "Strong, visible senior leadership of the work"],
        ["integration", "Integration", "The work is built into other strategies and workstreams"],
    ],
    "likert_scales": [
        ["agree5", "Strongly disagree", "1", "1"],
        ["agree5", "Disagree", "2", "2"],
        ["agree5", "Neither agree nor disagree", "3", "3"],
        ["agree5", "Agree", "4", "4"],
        ["agree5", "Strongly agree", "5", "5"],
        ["agree5", "Don't know", "6", ""],
        ["useful3", "Not useful", "1", "1"],
        ["useful3", "Quite useful", "2", "2"],
        ["useful3", "Very useful", "3", "3"],
        ["useful3", "Did not use", "4", ""],
    ],
    "stakeholder_groups": [["local_authority", "Local authority", "1"], ["nhs", "NHS", "2"], ["other", "Other", "3"]],
    "survey_instrument": [
        ["qualtrics", "partnership_id", "partnership", "", "", "", "", "Partnership (embedded data)", ""],
        ["qualtrics", "QID1", "stakeholder_group", "", "", "", "", "Which kind of organisation do you work for?", ""],
        [
            "qualtrics",
            "QID2_1",
            "item",
            "SL1",
            "senior_leadership",
            "agree5",
            "false",
            "Senior leaders champion this work",
            "scale",
        ],
        [
            "qualtrics",
            "QID2_2",
            "item",
            "IN1",
            "integration",
            "agree5",
            "false",
            "This work is part of our wider strategy",
            "scale",
        ],
        # A rating of one part of the support offer: reported on its own in support_usefulness, no alpha.
        [
            "qualtrics",
            "QID3_1",
            "item",
            "SU_WEBINAR",
            "support_usefulness",
            "useful3",
            "false",
            "Webinars",
            "support_offer",
        ],
    ],
    "codebook_factor_map": [
        ["Success factors/Senior leadership/Visible sponsorship", "senior_leadership", "enabler"],
        ["Success factors/Integration/Stand-alone project", "integration", "barrier"],
    ],
    "outcome_indicators": [
        [
            "example_problem",
            "90323",
            "Example indicator as Fingertips names it",
            "Example indicator as a tidy series names it",
            "low_is_good",
            "Rate per 1,000",
            "true",
            "calendar",
            "rate",
            "1000",
            "",
        ]
    ],
    "marmot_objectives": [
        ["best_start", "Give every child the best start in life"],
        [
            "capabilities_control",
            "Enable all children, young people and adults to maximise their capabilities and have control over their lives",
        ],
        ["fair_employment", "Create fair employment and good work for all"],
        ["healthy_standard_of_living", "Ensure healthy standard of living for all"],
        ["healthy_places", "Create and develop healthy and sustainable places and communities"],
        ["ill_health_prevention", "Strengthen the role and impact of ill health prevention"],
    ],
    "driver_diagrams": [
        ["example_problem", "D1", "An example primary driver", "D1a", "An example secondary driver", "best_start"],
    ],
    "survey_invitations": [["wave_1", "A01", "local_authority", "12"], ["wave_1", "A01", "nhs", "8"]],
    "qca_conditions": [
        ["senior_leadership", "LEAD", "2.5", "3.0", "3.5", "present"],
        ["integration", "INTEG", "2.5", "3.0", "3.5", "present"],
    ],
    "survey_waves": [["wave_1", "Baseline (2024)", "2024-06-03", "2024-06-28", "1"]],
    "unit_costs": [
        [
            "90323",
            "2100",
            "2023",
            "What one event the indicator counts costs",
            "Author (year), title, table",
            "https://example.org/unit-costs",
        ]
    ],
    "deflators": [["2023", "96.2507", "HM Treasury GDP deflator, 2024 = 100"], ["2024", "100", "HM Treasury GDP deflator, 2024 = 100"]],
    "sustainment": [["A01", "integrated", "2026-09-30", "Health and Wellbeing Board paper: the approach is in the joint strategy"]],
    "spread": [["A01", "new_area", "The county council rolled the approach out across the county", "2026-12-31"]],
    "evidence_register": [
        ["E01", "Example A, Author B. An example evaluation of partnership working. Example Journal 2020; 1: 1-10.",
         "2020", "evaluation", "Partnerships with strong senior leadership more often met their objectives.",
         "senior_leadership", "supports", "low", "https://example.org/evaluation"],
    ],
    "area_populations": [
        ["E06000001", "2023", "100000", "All ages", "Persons", "Publisher, series and release, e.g. ONS mid-year estimates"]
    ],
    "comment_themes": [["capacity", "Capacity and workload", "Staff time, stretched teams and workload"]],
    "indicator_register": [
        ["A01", "A01-PRO1", "Schools running the example programme", "process", "D1a", "best_start", "schools",
         "higher_is_better", "4", "2024-03-31", "20", "2026-03-31", "monthly", "Example Borough public health"],
        ["A01", "A01-OUT1", "Families completing the example course", "output", "D1", "", "people",
         "higher_is_better", "", "", "", "", "quarterly", "Example Borough family services"],
    ],
}  # fmt: skip

FOLDERS = {
    "surveys": "One survey export per wave (Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms, Excel or SPSS):"
    " the file name is the wave. Map the tool's question ids to items in reference/survey_instrument.csv.",
    "codings": "Site-visit codings: REFI-QDA projects (.qdpx/.qde from NVivo, ATLAS.ti, MAXQDA, QualCoder) or coding"
    " tables (CSV/XLSX). Link cases to partnerships with a `partnership_id` case variable, a case named after the"
    " partnership, or source names starting with its id (settings.toml says which).",
    "outcomes": "Outcome statistics: Fingertips downloads, tidy series, FingertipsNext extracts or counts and"
    " populations by age band (CSV; made into directly standardised rates), for the indicators in"
    " reference/outcome_indicators.csv.",
    "deprivation": "Deprivation context: the English Indices of Deprivation district summaries (XLSX) or their tidy"
    " form (CSV); the other nations' indices in the tidy form.",
    "interventions": "Each partnership's inventory of commissioned interventions (CSV or XLSX), one file per partnership.",
    "assessments": "The evaluation team's judgement of whether each partnership achieved its objectives (CSV or XLSX).",
    "narratives": "Optional: the evaluators' own account of a partnership, shown on its case-study page: one UTF-8"
    " Markdown file per partnership named after its id (`P01.md`). Raw HTML in it shows as text and images are left"
    " out.",
    "monitoring": "Optional: each partnership's monitoring returns, the values of its own indicators (those in"
    " reference/indicator_register.csv) period by period, as CSV or XLSX: a long table (partnership_id, indicator_id,"
    " period, value), a wide one (one column per month), or either below a header block ('Partnership: A01').",
}


def _columns(name: str) -> list[str]:
    return [c for c in TEMPLATE_MODELS[name].to_schema().columns if c not in ("source_file", "source_row")]


def reference_section(name: str, heading: str = "##") -> str:
    """Markdown for one reference file: its grain, then each column's meaning and rules (from its model)."""
    model = TEMPLATE_MODELS[name]
    schema = model.to_schema()
    lines = [f"{heading} `{name}.csv`", "", inspect.getdoc(model) or "", "", "| column | required | rules | meaning |"]
    lines.append("|---|---|---|---|")
    for column in _columns(name):
        field = schema.columns[column]
        rules = "; ".join(str(check.error or check.name) for check in field.checks)
        if column in (getattr(model.Config, "unique", None) or []) or field.unique:
            rules = "; ".join(filter(None, [rules, "part of the unique key" if not field.unique else "unique"]))
        meaning = (field.description or "").replace("|", "\\|")
        lines.append(
            f"| `{column}` | {'no' if field.nullable else 'yes'} | {rules.replace('|', chr(92) + '|')} | {meaning} |"
        )
    return "\n".join(lines) + "\n"


def reference_readme() -> str:
    """Markdown describing every reference file: its grain and each column's meaning and rules."""
    lines = [
        "# Reference data",
        "",
        "One CSV per table, checked as a whole by `make check` (and before every refresh). Each section says",
        "what one row is, then each column: what it means and what the pipeline accepts.",
        "",
    ]
    return "\n".join(lines + [reference_section(name) for name in TEMPLATE_MODELS])


# A block of a Markdown document that `fill_generated` rewrites from the models: the columns of one reference file.
GENERATED_BLOCK = re.compile(
    r"(<!-- generated: columns of reference/(\w+)\.csv -->\n).*?(<!-- end generated -->)", re.DOTALL
)


def fill_generated(text: str) -> str:
    """`text` with every generated block rewritten from the reference models (see `GENERATED_BLOCK`), so a
    guide quoting the columns cannot drift from what `check` enforces."""
    return GENERATED_BLOCK.sub(
        lambda match: f"{match.group(1)}{reference_section(match.group(2), '####')}{match.group(3)}", text
    )


def write_template(target: Path) -> DropZone:
    """Write a template drop zone into `target`, which must be empty or missing."""
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty: choose a new folder for the template drop zone")
    drop_zone = DropZone(target)
    drop_zone.reference_dir.mkdir(parents=True)
    for name in TEMPLATE_MODELS:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(_columns(name))
        writer.writerows(EXAMPLES.get(name, []))
        (drop_zone.reference_dir / f"{name}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    (drop_zone.reference_dir / "README.md").write_text(reference_readme(), encoding="utf-8")
    for folder, note in FOLDERS.items():
        (target / folder).mkdir()
        (target / folder / "README.md").write_text(f"# {folder}/\n\n{note}\n", encoding="utf-8")
    shutil.copyfile(PROJECT_ROOT / "data" / "raw" / "settings.toml", drop_zone.settings_file)
    return drop_zone


if __name__ == "__main__":
    # Rewrite the generated blocks of the Markdown files named: python -m pipeline.reference.template FILE...
    import sys

    for document in map(Path, sys.argv[1:]):
        document.write_text(fill_generated(document.read_text(encoding="utf-8")), encoding="utf-8")
