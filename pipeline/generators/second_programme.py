"""A second, differently shaped programme: a complete drop zone the pipeline runs on with no code change.

`python -m pipeline.generators.second_programme DIR` writes every file a programme brings (reference data,
settings, survey waves, codings, outcome statistics, deprivation context, interventions and assessments)
into `DIR`. It exists to prove that nothing programme-specific is written in the pipeline's code: tests
run the whole refresh on it (`tests/test_second_programme.py`).

How it differs from the demo (`pipeline.generators.demo`)
--------------------------------------------------------
- 12 partnerships with three-letter ids (`KIR`, `ABD`, `CDF`, ...) in England (E06/E07/E08 districts),
  Wales (W06) and Scotland (S12), one of them covering two areas, in two programme rounds.
- Five success factors, two of which the demo does not have (`community_voice`, `data_sharing`).
- Survey items on a 7-point agreement scale with a "Don't know" code, no support-offer items, three
  stakeholder groups of its own (`council`, `health_board`, `third_sector`), two waves, exported as Google
  Forms downloads (question text as the column, answers as choice text, e-mail collected).
- Site-visit codings as a plain coding table (CSV), not a REFI-QDA project.
- Two wicked problems of its own (`physical_inactivity`, `social_isolation`) measured by Fingertips-format
  downloads, one with calendar and one with financial years.
- Deprivation context only for the English areas (the English Indices of Deprivation 2019, taken from the
  demo's real file): the Welsh and Scottish areas have none, a gap the pipeline must report.
- QCA anchors on the 7-point scale (3, 4, 5), and a `settings.toml` with a disclosure threshold of 3,
  survey rating cut-offs for that scale (strong from 5, weak up to 3) and a consistency cut of 0.75 for the
  QCA of not succeeding.
- Outcome series are made up (seeded), in the Fingertips download layout, for England and every area, the
  Welsh and Scottish ones included, so every partnership has outcomes to compare.

Planted ground truth: a partnership succeeds when `community_voice AND (data_sharing OR senior_leadership)`;
written to `ground_truth.json` beside the other files.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.generators.demo import (
    PASSAGES,
    factor_code,
    fill_passage,
    make_stakeholders,
    plant_ground_truth,
    write_interventions,
    write_invitations,
)
from pipeline.generators.files import Partnership, read_partnerships, write_atomically
from pipeline.settings import PROJECT_ROOT

SEED = 2031
DEMO_DATA = PROJECT_ROOT / "data" / "raw"

PARTNERSHIPS = [
    # id, name, area codes, problem, round, support start, support end
    ("KIR", "Kirklees", "E08000034", "physical_inactivity", "1", "2016-04-01", "2018-03-31"),
    ("ABD", "Aberdeen City", "S12000033", "social_isolation", "1", "2016-04-01", "2018-03-31"),
    ("CDF", "Cardiff", "W06000015", "physical_inactivity", "1", "2016-04-01", "2018-03-31"),
    ("GLA", "Glasgow City", "S12000049", "physical_inactivity", "1", "2016-04-01", "2018-03-31"),
    ("LUT", "Luton", "E06000032", "social_isolation", "1", "2016-04-01", "2018-03-31"),
    ("THA", "Thanet", "E07000114", "physical_inactivity", "1", "2016-04-01", "2018-03-31"),
    (
        "SWA",
        "Swansea and Neath Port Talbot",
        "W06000011;W06000012",
        "social_isolation",
        "2",
        "2017-04-01",
        "2019-03-31",
    ),
    ("EDI", "City of Edinburgh", "S12000036", "social_isolation", "2", "2017-04-01", "2019-03-31"),
    ("BPL", "Blackpool", "E06000009", "physical_inactivity", "2", "2017-04-01", "2019-03-31"),
    ("MAN", "Manchester", "E08000003", "social_isolation", "2", "2017-04-01", "2019-03-31"),
    ("NWP", "Newport", "W06000022", "physical_inactivity", "2", "2017-04-01", "2019-03-31"),
    ("DND", "Dundee City", "S12000042", "social_isolation", "2", "2017-04-01", "2019-03-31"),
]
FACTORS = {
    "senior_leadership": ("Senior leadership", "Visible senior sponsorship of the work"),
    "project_management": ("Project management", "Dedicated day-to-day coordination"),
    "integration": ("Integration", "The work is built into wider strategies and commissioning"),
    "community_voice": ("Community voice", "Residents and community groups shape priorities and decisions"),
    "data_sharing": ("Data sharing", "Partners share person-level and service data under agreed protocols"),
}
CONDITIONS = {
    "senior_leadership": "LEAD",
    "project_management": "PM",
    "integration": "INTEG",
    "community_voice": "VOICE",
    "data_sharing": "DATA",
}
GROUND_TRUTH_RULE = "community_voice AND (data_sharing OR senior_leadership)"
NEW_PASSAGES = {
    "community_voice": {
        "enabler": [
            "A residents' panel sets the priorities each year.",
            "Community groups co-chair the delivery group.",
        ],
        "barrier": [
            "Residents were consulted once, after the plan was written.",
            "No community organisation sits on the board.",
        ],
    },
    "data_sharing": {
        "enabler": [
            "An information-sharing agreement lets partners link their records.",
            "A shared dashboard is updated every month from every partner's data.",
        ],
        "barrier": [
            "Each partner keeps its own data and nothing is linked.",
            "The data-sharing agreement has been in draft for two years.",
        ],
    },
}
SCALE = "agree7"
AGREE7 = [
    "Strongly disagree",
    "Disagree",
    "Somewhat disagree",
    "Neither agree nor disagree",
    "Somewhat agree",
    "Agree",
    "Strongly agree",
]
DONT_KNOW = "Don't know"
GROUPS = {  # group -> (label, code, mean size)
    "council": ("Council", "1", 3.0),
    "health_board": ("Health board or trust", "2", 2.2),
    "third_sector": ("Third sector organisation", "3", 2.0),
}
WAVES = {"baseline_2017": datetime(2017, 5, 8, 9, 0), "followup_2019": datetime(2019, 5, 13, 9, 0)}
ITEMS = [  # item code, factor, reverse-coded, statement
    ("LEAD1", "senior_leadership", False, "Senior leaders visibly champion this work"),
    ("LEAD2", "senior_leadership", True, "Senior leaders rarely take an interest in this work"),
    ("PM1", "project_management", False, "Someone coordinates the work day to day"),
    ("INT1", "integration", False, "The work is part of our wider strategies"),
    ("INT2", "integration", False, "Commissioning plans include what the work has started"),
    ("CV1", "community_voice", False, "Residents help decide what the partnership does"),
    ("CV2", "community_voice", True, "Decisions are made without hearing from the community"),
    ("DS1", "data_sharing", False, "Partners share the data the work needs"),
    ("DS2", "data_sharing", False, "We can link information about the same people across services"),
]
AGREE_STEM = "How far do you agree with each statement?"
PARTNERSHIP_QUESTION = "Which partnership are you part of?"
GROUP_QUESTION = "Which kind of organisation do you work for?"
COMMENT_QUESTION = "Anything else you would like to tell us?"
INDICATORS = [
    # problem, id, name, polarity, unit, headline, period type, statistic, multiplier, England level, yearly drift
    (
        "physical_inactivity",
        "93015",
        "Percentage of physically inactive adults",
        "low_is_good",
        "Percentage",
        "true",
        "calendar",
        "proportion",
        "100",
        22.5,
        -0.15,
    ),
    (
        "social_isolation",
        "90280",
        "Social isolation: adult social care users with as much social contact as they would like",
        "high_is_good",
        "Percentage",
        "true",
        "financial",
        "proportion",
        "100",
        45.0,
        0.2,
    ),
]
YEARS = range(2012, 2023)
DRIVERS = {
    "physical_inactivity": [
        (
            "PA1",
            "Active travel is the easy choice",
            [
                ("PA1a", "Safe cycle routes to schools and work", "healthy_places"),
                ("PA1b", "Workplace travel plans", "fair_employment"),
            ],
        ),
        (
            "PA2",
            "Everyone can find an activity that suits them",
            [
                ("PA2a", "Free or low-cost sessions in deprived neighbourhoods", "healthy_standard_of_living"),
                ("PA2b", "Exercise referral from primary care", "ill_health_prevention"),
            ],
        ),
    ],
    "social_isolation": [
        (
            "SI1",
            "People at risk are found early",
            [
                ("SI1a", "Social prescribing link workers", "ill_health_prevention"),
                ("SI1b", "Checks after bereavement or hospital discharge", "ill_health_prevention"),
            ],
        ),
        (
            "SI2",
            "Places to meet in every neighbourhood",
            [
                ("SI2a", "Community hubs open evenings and weekends", "healthy_places"),
                ("SI2b", "Volunteer befriending", "capabilities_control"),
            ],
        ),
    ],
}
CODERS = ["Fieldworker A", "Fieldworker B"]
FINGERTIPS_HEADER = [
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type", "Sex",
    "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit",
    "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to Region value or percentiles", "Time period Sortable",
    "New data", "Compared to goal",
]  # fmt: skip


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_reference(data_dir: Path) -> None:
    """Every reference table of the programme, and a settings file with its own disclosure threshold."""
    reference = data_dir / "reference"
    tables: dict[str, list[list[object]]] = {
        "partnerships": [
            ["partnership_id", "partnership_name", "area_codes", "wicked_problem", "programme_round"]
            + ["support_start", "support_end"],
            *map(list, PARTNERSHIPS),
        ],
        "success_factors": [["factor_id", "factor_name", "description"]]
        + [[factor, label, description] for factor, (label, description) in FACTORS.items()],
        "likert_scales": [["scale_id", "label", "code", "score"]]
        + [[SCALE, label, score, score] for score, label in enumerate(AGREE7, start=1)]
        + [[SCALE, DONT_KNOW, len(AGREE7) + 1, ""]],
        "stakeholder_groups": [["stakeholder_group", "label", "code"]]
        + [[group, label, code] for group, (label, code, _) in GROUPS.items()],
        "survey_instrument": [
            ["tool", "source_id", "role", "item_code", "construct", "scale_id", "reverse_coded", "item_text"],
            ["google_forms", PARTNERSHIP_QUESTION, "partnership", "", "", "", "", PARTNERSHIP_QUESTION],
            ["google_forms", GROUP_QUESTION, "stakeholder_group", "", "", "", "", GROUP_QUESTION],
            *[
                ["google_forms", f"{AGREE_STEM} [{text}]", "item", code, factor, SCALE, str(reverse).lower(), text]
                for code, factor, reverse, text in ITEMS
            ],
            ["google_forms", COMMENT_QUESTION, "free_text", "COMMENTS", "", "", "", COMMENT_QUESTION],
        ],
        "codebook_factor_map": [["code_path", "factor_id", "direction"]]
        + [
            [f"Factors/{label}/{direction.capitalize()}", factor, direction]
            for factor, (label, _) in FACTORS.items()
            for direction in ("enabler", "barrier")
        ],
        "outcome_indicators": [
            ["wicked_problem", "indicator_id", "indicator_name", "source_indicator_name", "polarity", "unit"]
            + ["headline", "period_type", "statistic", "multiplier"],
            *[[*row[:3], "", *row[3:9]] for row in INDICATORS],
        ],
        "driver_diagrams": [
            ["wicked_problem", "primary_driver_id", "primary_driver", "secondary_driver_id", "secondary_driver"]
            + ["marmot_objectives"],
            *[
                [problem, primary_id, primary, secondary_id, secondary, objectives]
                for problem, primaries in DRIVERS.items()
                for primary_id, primary, secondaries in primaries
                for secondary_id, secondary, objectives in secondaries
            ],
        ],
        "qca_conditions": [
            ["factor_id", "condition", "full_non_membership", "crossover", "full_membership", "expected"]
        ]
        + [[factor, condition, "3.0", "4.0", "5.0", "present"] for factor, condition in CONDITIONS.items()],
    }
    for name, rows in tables.items():
        write_atomically(reference / f"{name}.csv", _csv(rows))
    # The six Marmot objectives are the same for every programme.
    shutil.copyfile(DEMO_DATA / "reference" / "marmot_objectives.csv", reference / "marmot_objectives.csv")
    settings = (DEMO_DATA / "settings.toml").read_text(encoding="utf-8")
    write_atomically(
        data_dir / "settings.toml",
        settings.replace("disclosure_threshold = 5", "disclosure_threshold = 3")
        # Rating cut-offs on its 7-point scale, where the demo's sit on a 5-point one.
        .replace("survey_strong_from = 3.5", "survey_strong_from = 5")
        .replace("survey_weak_to = 2.5", "survey_weak_to = 3")
        # Not succeeding analysed at a cut of its own, where the demo leaves it at success's.
        .replace("# qca_negated_consistency_cut = 0.8", "qca_negated_consistency_cut = 0.75")
        .encode("utf-8"),
    )


def _agreement(strong: int, person_leniency: float, rng: np.random.Generator) -> int:
    """A 7-point answer: centred near 5.6 on a strong factor and 3.0 on a weak one."""
    centre = (5.6 if strong else 3.0) + 1.4 * person_leniency
    return int(np.clip(round(centre + rng.normal(0, 0.9)), 1, 7))


def write_survey_wave(
    path: Path,
    opened: datetime,
    partnerships: list[Partnership],
    people: dict[str, list],
    truth: dict[str, dict[str, int]],
    rng: np.random.Generator,
) -> int:
    """One wave as a Google Forms download (one header row; choice text); returns the responses written."""
    header = [
        "Timestamp",
        "Email Address",
        PARTNERSHIP_QUESTION,
        GROUP_QUESTION,
        *[f"{AGREE_STEM} [{text}]" for _, _, _, text in ITEMS],
        COMMENT_QUESTION,
    ]
    rows: list[list[object]] = [header]
    for partnership in partnerships:
        for person in people[partnership.partnership_id]:
            if rng.random() > 0.85:
                continue
            levels = truth[partnership.partnership_id]
            answers = []
            for _, factor, reverse, _ in ITEMS:
                if rng.random() < 0.04:
                    answers.append(DONT_KNOW)
                    continue
                score = _agreement(levels[factor], person.leniency, rng)
                answers.append(AGREE7[(len(AGREE7) - score) if reverse else score - 1])
            moment = opened + timedelta(days=int(rng.integers(0, 14)), minutes=int(rng.integers(0, 600)))
            comment = "Please call me on 07700 900123." if rng.random() < 0.1 else ""
            rows.append(
                [
                    moment.strftime("%Y/%m/%d %I:%M:%S %p"),
                    person.email,
                    partnership.partnership_id,
                    GROUPS[person.group][0],
                    *answers,
                    comment,
                ]
            )
    write_atomically(path, _csv(rows))
    return len(rows) - 1


def write_coding_table(
    path: Path,
    partnerships: list[Partnership],
    truth: dict[str, dict[str, int]],
    reference_dir: Path,
    rng: np.random.Generator,
) -> int:
    """Site-visit codings as a plain coding table (CSV), two coders; returns the codings written."""
    codebook = pd.read_csv(reference_dir / "codebook_factor_map.csv", dtype=str)
    # The demo's visit-note passages, filled with this partnership's name and problem, and the new factors' own.
    passages = PASSAGES["notes"] | NEW_PASSAGES
    problems = pd.read_csv(reference_dir / "partnerships.csv", dtype=str).set_index("partnership_id")["wicked_problem"]
    rows: list[list[object]] = [["Partnership", "Source", "Code", "Coder", "Excerpt"]]
    for partnership in partnerships:
        source = f"{partnership.partnership_id} visit notes"
        details = {
            "name": partnership.partnership_name,
            "problem": problems[partnership.partnership_id].replace("_", " "),
        }
        for factor in FACTORS:
            strong = truth[partnership.partnership_id][factor] == 1
            direction = "enabler" if strong == (rng.random() < 0.9) else "barrier"
            excerpt = fill_passage(passages[factor][direction], details, [], rng)
            code = factor_code(codebook, factor, direction)
            for coder in CODERS:
                if rng.random() < 0.92:  # each coder sometimes misses the passage
                    rows.append([partnership.partnership_id, source, code, coder, excerpt])
    write_atomically(path, _csv(rows))
    return len(rows) - 1


def _period(year: int, period_type: str) -> tuple[str, int]:
    if period_type == "financial":
        return f"{year}/{str(year + 1)[2:]}", year * 10000
    return str(year), year * 10000


def write_outcomes(path: Path, rng: np.random.Generator) -> int:
    """Fingertips-format downloads of each problem's indicator for England and every partnership area."""
    areas = [(code, name) for _, name, codes, *_ in PARTNERSHIPS for code in codes.split(";")]
    rows: list[list[object]] = [FINGERTIPS_HEADER]
    for _, indicator_id, name, _, _, _, period_type, _, _, england, drift in INDICATORS:
        for code, area_name in [("E92000001", "England"), *areas]:
            level = england + (0 if code == "E92000001" else float(rng.normal(0, 3)))
            denominator = 50_000_000 if code == "E92000001" else int(rng.integers(800, 4000))
            for step, year in enumerate(YEARS):
                value = level + drift * step + (0 if code == "E92000001" else float(rng.normal(0, 1)))
                count = round(value / 100 * denominator)
                share = count / denominator
                half = 1.96 * (share * (1 - share) / denominator) ** 0.5 * 100
                period, sortable = _period(year, period_type)
                area_type = "England" if code == "E92000001" else "Districts & UAs"
                rows.append(
                    [indicator_id, name, "", "", code, area_name, area_type, "Persons", "18+ yrs", "", "", period]
                    + [f"{share * 100:.3f}", f"{share * 100 - half:.3f}", f"{share * 100 + half:.3f}", "", ""]
                    + [count, denominator, "", "", "", "", sortable, "", ""]
                )
    write_atomically(path, _csv(rows))
    return len(rows) - 1


def write_deprivation(path: Path) -> int:
    """The English areas' rows of the English Indices of Deprivation 2019 (the demo's real file); the Welsh
    and Scottish areas are not in it."""
    frame = pd.read_csv(DEMO_DATA / "deprivation" / "IoD2019_lad_tidy.csv", dtype=str, keep_default_na=False)
    english = {code for _, _, codes, *_ in PARTNERSHIPS for code in codes.split(";") if code.startswith("E")}
    frame = frame[frame["lad19cd"].isin(english)]
    write_atomically(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return len(frame)


def generate(data_dir: Path, seed: int = SEED) -> dict[str, object]:
    """Write the whole drop zone of the second programme into `data_dir`; returns what was written."""
    rng = np.random.default_rng(seed)
    write_reference(data_dir)
    reference_dir = data_dir / "reference"
    partnerships = read_partnerships(reference_dir)
    truth = plant_ground_truth(
        partnerships,
        rng,
        factors=list(FACTORS),
        succeeds=lambda f: f["community_voice"] and (f["data_sharing"] or f["senior_leadership"]),
    )
    sizes = {group: size for group, (_, _, size) in GROUPS.items()}
    people = {p.partnership_id: make_stakeholders(p, rng, sizes) for p in partnerships}
    summary: dict[str, object] = {}
    for wave, opened in WAVES.items():
        summary[wave] = write_survey_wave(
            data_dir / "surveys" / f"{wave}.csv", opened, partnerships, people, truth, rng
        )
    summary["invitations"] = write_invitations(
        reference_dir / "survey_invitations.csv", partnerships, people, waves=WAVES, groups=GROUPS
    )
    codings = data_dir / "codings" / "site_visits.csv"
    summary["codings"] = write_coding_table(codings, partnerships, truth, reference_dir, rng)
    summary["outcome values"] = write_outcomes(data_dir / "outcomes" / "fingertips" / "indicators.data.csv", rng)
    summary["deprivation rows"] = write_deprivation(data_dir / "deprivation" / "IoD2019_english_areas.csv")
    summary["interventions"] = write_interventions(data_dir / "interventions", partnerships, reference_dir, rng)
    assessment = [["partnership_id", "achieved_objectives", "assessed_by", "assessed_on"]] + [
        [p.partnership_id, "yes" if truth[p.partnership_id]["success"] else "no", "evaluators", "2019-09-30"]
        for p in partnerships
    ]
    write_atomically(data_dir / "assessments" / "success_assessment.csv", _csv(assessment))
    ground_truth = {"seed": seed, "rule": GROUND_TRUTH_RULE, "partnerships": truth}
    write_atomically(
        data_dir / "ground_truth.json", (json.dumps(ground_truth, indent=1, sort_keys=True) + "\n").encode()
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.generators.second_programme DIR`: write the drop zone into DIR."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m pipeline.generators.second_programme DIR", file=sys.stderr)
        return 2
    target = Path(args[0])
    for name, count in generate(target).items():
        print(f"  {name}: {count}")
    print(f"Second programme written to {target}; run it with EVAL_DATA_DIR={target} python -m pipeline.cli refresh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
