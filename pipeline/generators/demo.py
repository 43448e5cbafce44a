"""Seeded demo data in the real tools' own export formats, with a planted, documented ground truth.

Run `make demo-data` (or `python -m pipeline.generators.demo`) to rewrite `data/raw/surveys/`,
`data/raw/codings/`, `data/raw/assessments/`, `data/raw/monitoring/` (with `reference/indicator_register.csv`;
its planted special causes are documented in `pipeline.generators.monitoring`), the coding of the survey
comments by theme in `data/raw/codings/comments/` (planted truth in `pipeline.generators.comments`) and
`data/raw/demo_ground_truth.json`. Reference data and
the real outcome statistics in `data/raw/` are not touched.

Planted ground truth
--------------------
Each of the 30 partnerships in `reference/partnerships.csv` gets a level, strong (1) or weak (0), on each
of the seven success factors, drawn with a fixed seed. A partnership succeeds exactly when

    (senior_leadership AND project_management) OR integration

so strong senior leadership together with day-to-day project management is sufficient, strong
integration with other workstreams is sufficient on its own, and the other four factors (governance,
prior experience, partnership engagement, use of the support offer) are unrelated to success. The
evaluators' judgement of success is written to `assessments/success_assessment.csv`. In QCA terms the
planted solution is `INTEG + LEAD*PM` (condition names of `reference/qca_conditions.csv`).

Behind each level is a continuous latent score on the 1-5 agreement scale: what the partnership's
stakeholders would answer on average. A strong factor lies above the QCA crossover (3.0) and a weak one
below, at a distance drawn from 0.25 (the factors of the rule) or 0.05 (the other four) up to 1.2, skewed
towards the crossover: 44% of the latent scores lie between the full non-membership and full
membership anchors (2.5 and 3.5), where the fuzzy calibration grades them, and the rest range out to
about 1.9 and 4.1. The margin of the rule's factors keeps their planted side recoverable from a handful
of respondents; sampling noise still moves some observed means close to, and now and then across, the
crossover. The levels, the latent scores and the rule go to `demo_ground_truth.json`, for tests to check
that the analysis recovers them.

How the evidence reflects the truth
-----------------------------------
- Surveys (Qualtrics CSV, three header rows with the ImportId row; waves 1 and 3 export choice text,
  wave 2 numeric codes): about eight stakeholders per partnership and wave, in four groups, most
  answering again in later waves. An agreement answer is the latent score, moved by the respondent's
  own leniency (sd 0.3, the same in every wave) and by answer noise (sd 0.6), rounded to the scale; a
  successful partnership improves by 0.15 a wave and reaches its latent score in the last wave, which
  the QCA calibrates. Reverse-coded items are answered reversed; about 4% of answers are "Don't know".
  Some free-text comments carry phone numbers or e-mail addresses, and the recipient e-mail, IP address
  and location columns are filled, as real exports are, so the pipeline's personal-data handling is
  exercised. Wave 3 holds one response from a partnership that is not in the programme (P31), which the
  pipeline must quarantine.
- Site-visit codings (REFI-QDA .qdpx, two coders): per partnership, visit notes and a lead officer
  interview, written from the partnership's own details (its name, its wicked problem, secondary drivers
  of its driver diagram, stakeholder roles) in varied wording, so no two partnerships share an excerpt.
  The passages name posts, never people, and hold no personal data. A passage about a factor shows it
  as an enabler with a probability that rises with the latent score (logistic, 0.5 at the crossover), so
  the evidence is clear far from the crossover and mixed near it. Each coder codes each passage with the
  mapped code most of the time and sometimes misses it or picks the opposite direction, so agreement is
  high but not perfect. A context code outside the factor map shows how unmapped codes are reported.

The strong/weak levels, the stakeholders and the survey responses come from the seed's main stream; the
latent scores, the codings and the intervention inventories each from their own stream of the same seed,
so a change to one part of the generator leaves the others as they were.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.codings.refi_qda import CodingSpec, write_qdpx
from pipeline.generators.comments import write_comment_codings
from pipeline.generators.evidence import write_evidence_register
from pipeline.generators.files import Partnership, fixed_xlsx_timestamps, read_partnerships, write_atomically
from pipeline.generators.monitoring import write_monitoring
from pipeline.generators.populations import write_area_populations
from pipeline.generators.sustainment import write_sustainment
from pipeline.settings import PROJECT_ROOT, load_settings

SEED = 2016
FACTORS = [
    "senior_leadership",
    "project_management",
    "governance",
    "prior_experience",
    "integration",
    "partnership_engagement",
    "support_offer_use",
]
GROUND_TRUTH_RULE = "(senior_leadership AND project_management) OR integration"
RULE_FACTORS = ("senior_leadership", "project_management", "integration")
# The latent scores around the QCA crossover of reference/qca_conditions.csv: a strong factor lies above it,
# a weak one below, between a margin and the largest distance (so 1.8 to 4.2 at most).
CROSSOVER = 3.0
RULE_MARGIN = 0.25
OTHER_MARGIN = 0.05
MAX_DISTANCE = 1.2
# Successful partnerships improve by this much a wave, reaching their latent scores in the last wave.
SUCCESS_TREND = 0.15
# Between respondents: a respondent's own tendency to agree (constant across waves), and answer noise.
LENIENCY_SD = 0.3
ANSWER_NOISE = 0.6
WAVES = {
    "wave_1": datetime(2016, 6, 6, 9, 0),
    "wave_2": datetime(2017, 6, 5, 9, 0),
    "wave_3": datetime(2018, 6, 4, 9, 0),
}
NUMERIC_EXPORT_WAVES = {"wave_2"}
GROUP_SIZES = {"local_authority": 3.2, "nhs": 2.0, "voluntary_sector": 1.8, "other": 1.0}
FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ellen",
    "Farah",
    "Gareth",
    "Hannah",
    "Imran",
    "Joanne",
    "Kwame",
    "Laura",
    "Mohammed",
    "Niamh",
    "Owen",
    "Priya",
    "Rachel",
    "Sanjay",
    "Tom",
    "Uzma",
]
LAST_NAMES = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fletcher",
    "Green",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morris",
    "Patel",
    "Roberts",
    "Smith",
    "Taylor",
    "Walker",
    "Wright",
    "Young",
]
COMMENTS = [
    "The learning events helped us think differently about the problem.",
    "We need more time from senior managers.",
    "Data sharing between partners is still difficult.",
    "The peer exchange visit was the most useful part of the programme.",
    "Happy to discuss further - call me on 07700 900{n:03d}.",
    "Please send the report to {email} when it is ready.",
    "Capacity in the voluntary sector is stretched.",
]
CODERS = ["Site visit coder 1", "Site visit coder 2"]
CONTEXT_CODE = "Context/Local history"


def demo_success(levels: dict[str, int]) -> bool:
    """The demo's planted rule (`GROUND_TRUTH_RULE`)."""
    return bool((levels["senior_leadership"] and levels["project_management"]) or levels["integration"])


def plant_ground_truth(
    partnerships: list[Partnership],
    rng: np.random.Generator,
    factors: Sequence[str] = FACTORS,
    succeeds: Callable[[dict[str, int]], bool] = demo_success,
) -> dict[str, dict[str, int]]:
    """Latent strong (1) / weak (0) level of every factor per partnership, plus the planted success
    (`succeeds` of the levels; by default the demo's rule)."""
    truth = {}
    for partnership in partnerships:
        levels = {factor: int(rng.random() < 0.5) for factor in factors}
        levels["success"] = int(succeeds(levels))
        truth[partnership.partnership_id] = levels
    return truth


def plant_latent_scores(truth: dict[str, dict[str, int]], seed: int) -> dict[str, dict[str, float]]:
    """Each partnership's latent score (1-5, what its stakeholders would answer on average) on every factor.

    A strong factor lies above the crossover and a weak one below, at a distance drawn from a skewed
    distribution, so many partnerships sit near the crossover and few at the extremes. The factors of the
    success rule keep a margin from the crossover, so the planted side stays recoverable from a handful
    of respondents; the other factors may lie anywhere. Drawn from their own stream of the seed, so the
    strong/weak levels, the stakeholders and the success judgements do not depend on this shape.
    """
    rng = np.random.default_rng([seed, 1])
    latent = {}
    for partnership_id, levels in truth.items():
        scores = {}
        for factor in FACTORS:
            margin = RULE_MARGIN if factor in RULE_FACTORS else OTHER_MARGIN
            distance = margin + (MAX_DISTANCE - margin) * rng.beta(1.3, 2.2)
            scores[factor] = round(CROSSOVER + (distance if levels[factor] else -distance), 2)
        latent[partnership_id] = scores
    return latent


# --- Surveys -----------------------------------------------------------------------------------------


def _instrument(reference_dir: Path) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "survey_instrument.csv", dtype=str, keep_default_na=False)


def _scales(reference_dir: Path) -> dict[str, pd.DataFrame]:
    scales = pd.read_csv(reference_dir / "likert_scales.csv", dtype=str, keep_default_na=False)
    return {scale_id: rows.reset_index(drop=True) for scale_id, rows in scales.groupby("scale_id")}


def _groups(reference_dir: Path) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "stakeholder_groups.csv", dtype=str)


@dataclass
class Person:
    external_reference: str
    first_name: str
    last_name: str
    email: str
    group: str
    leniency: float  # a respondent's own tendency to agree, constant across waves


def make_stakeholders(
    partnership: Partnership, rng: np.random.Generator, group_sizes: dict[str, float] = GROUP_SIZES
) -> list[Person]:
    """A partnership's stakeholders: about `1.3 x mean size` people in each group of `group_sizes` (at least
    one), with invented names, e-mail addresses at the partnership's domain and a leniency of their own."""
    people = []
    for group, mean_size in group_sizes.items():
        for _ in range(max(1, rng.poisson(mean_size * 1.3))):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            number = len(people) + 1
            people.append(
                Person(
                    external_reference=f"HPHL-{partnership.partnership_id}-{number:03d}",
                    first_name=str(first),
                    last_name=str(last),
                    email=f"{first.lower()}.{last.lower()}{number}@{partnership.partnership_name.lower().replace(' ', '')}.example.org",
                    group=group,
                    leniency=float(rng.normal(0, LENIENCY_SD)),
                )
            )
    return people


def _agreement(latent: float, waves_left: int, success: int, person: Person, rng: np.random.Generator) -> int:
    """One answer on the 1-5 agreement scale: the latent score, less the improvement a successful partnership
    has still to make before the last wave, moved by the respondent's leniency and by answer noise."""
    centre = latent - (SUCCESS_TREND * waves_left if success else 0.0) + person.leniency
    return int(np.clip(round(centre + rng.normal(0, ANSWER_NOISE)), 1, 5))


def _answer_cell(scale: pd.DataFrame, score: int | None, numeric: bool) -> str:
    row = scale[scale["score"] == ("" if score is None else str(score))].iloc[0]
    return row["code"] if numeric else row["label"]


# The respondent metadata columns of a current Qualtrics CSV export: (export tag, question text, ImportId row).
QUALTRICS_METADATA = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/London"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/London"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/London"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]
AGREEMENT_STEM = "How far do you agree with each statement about the partnership's work?"
USEFULNESS_STEM = "How useful was each part of the programme's support offer?"
# The columns after the scored items: stakeholder group, free-text comment, and the partnership (embedded data).
GROUP_COMMENT_PARTNERSHIP_COLUMNS = [
    ("Q3", "Which kind of organisation do you work for? - Selected Choice", '{"ImportId":"QID3"}'),
    (
        "Q4",
        "Is there anything else you would like to tell us about the partnership's work?",
        '{"ImportId":"QID4_TEXT"}',
    ),
    ("partnership_id", "partnership_id", '{"ImportId":"partnership_id"}'),
]


def write_survey_wave(
    path: Path,
    wave: str,
    wave_index: int,
    partnerships: list[Partnership],
    people: dict[str, list[Person]],
    truth: dict[str, dict[str, int]],
    latent: dict[str, dict[str, float]],
    reference_dir: Path,
    rng: np.random.Generator,
    extra_partnership: str | None = None,
) -> int:
    """Write one wave as a Qualtrics CSV export (three header rows); returns the number of responses."""
    instrument = _instrument(reference_dir)
    items = instrument[instrument["role"] == "item"]
    scales = _scales(reference_dir)
    groups = _groups(reference_dir).set_index("stakeholder_group")
    numeric = wave in NUMERIC_EXPORT_WAVES
    metadata = QUALTRICS_METADATA
    question_columns = []
    for item in items.itertuples():
        question, sub = item.source_id[3:].split("_")
        stem = AGREEMENT_STEM if item.construct != "support_usefulness" else USEFULNESS_STEM
        question_columns.append(
            (
                f"Q{question}_{sub}",
                f"{stem} - {item.item_text}",
                json.dumps({"ImportId": item.source_id}, separators=(",", ":")),
            )
        )
    question_columns += GROUP_COMMENT_PARTNERSHIP_COLUMNS
    header = metadata + question_columns

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row_index in range(3):
        writer.writerow([column[row_index] for column in header])

    opened = WAVES[wave]
    responses = 0
    respondents = [(p, person) for p in partnerships for person in people[p.partnership_id] if rng.random() < 0.72]
    if extra_partnership:
        stray = Person(
            f"HPHL-{extra_partnership}-001", "Sam", "Example", "sam.example@unknown.example.org", "other", 0.0
        )
        respondents.append((Partnership(extra_partnership, "Unknown"), stray))
    for partnership, person in respondents:
        levels = truth.get(partnership.partnership_id, {factor: 1 for factor in FACTORS} | {"success": 1})
        scores = latent.get(partnership.partnership_id, dict.fromkeys(FACTORS, 4.0))
        started = opened + timedelta(days=int(rng.integers(0, 21)), minutes=int(rng.integers(0, 600)))
        duration = int(rng.integers(180, 1500))
        finished = rng.random() > 0.06
        progress = 100 if finished else int(rng.integers(20, 90))
        answered_items = len(items) if finished else int(len(items) * progress / 100)
        answers = []
        for position, item in enumerate(items.itertuples()):
            if position >= answered_items:
                answers.append("")
                continue
            scale = scales[item.scale_id]
            if rng.random() < 0.04:
                answers.append(_answer_cell(scale, None, numeric))
                continue
            if item.construct == "support_usefulness":
                # Those who used the support offer more found it somewhat more useful.
                centre = 2.85 + 0.45 * (scores["support_offer_use"] - CROSSOVER)
                score = int(np.clip(round(centre + rng.normal(0, 0.8)), 1, 4))
            else:
                waves_left = len(WAVES) - 1 - wave_index
                score = _agreement(scores[item.construct], waves_left, levels["success"], person, rng)
                if item.reverse_coded == "true":
                    score = 6 - score
            answers.append(_answer_cell(scale, score, numeric))
        group = groups.loc[person.group]
        comment = ""
        if finished and rng.random() < 0.3:
            comment = str(rng.choice(COMMENTS)).format(n=int(rng.integers(0, 999)), email=person.email)
        ended = started + timedelta(seconds=duration)
        writer.writerow(
            [
                started.strftime("%Y-%m-%d %H:%M:%S"),
                ended.strftime("%Y-%m-%d %H:%M:%S"),
                "0" if numeric else "IP Address",
                f"192.0.2.{int(rng.integers(1, 255))}",
                str(progress),
                str(duration),
                ("1" if finished else "0") if numeric else ("True" if finished else "False"),
                ended.strftime("%Y-%m-%d %H:%M:%S"),
                "R_" + "".join(rng.choice(list("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"), 15)),
                person.last_name,
                person.first_name,
                person.email,
                person.external_reference,
                f"{53.0 + rng.random():.6f}",
                f"{-2.0 + rng.random():.6f}",
                "email",
                "EN-GB",
                *answers,
                group["code"] if numeric else group["label"],
                comment,
                partnership.partnership_id,
            ]
        )
        responses += 1
    write_atomically(path, buffer.getvalue().encode("utf-8-sig"))
    return responses


# --- Site-visit codings --------------------------------------------------------------------------------

# Passages per factor and direction, in the two kinds of document: the evaluator's visit notes and the lead
# officer's interview. Filled with the partnership's own details ({name}, {problem}, a {driver} of its driver
# diagram, stakeholder {role}s), so no two partnerships share an excerpt. Roles, never people: the notes name
# no one, and nothing in them looks like personal data to the redaction.
PASSAGES: dict[str, dict[str, dict[str, list[str]]]] = {
    "notes": {
        "senior_leadership": {
            "enabler": [
                "In {name} the {role} chairs the steering group and has made {problem} a personal priority.",
                "Elected members in {name} ask for progress on {problem} at every board meeting.",
                "The {role} opened the visit and spoke about {driver} in {name} as a council priority.",
                "Senior sponsorship is visible: the {role} signs off each {name} progress report in person.",
            ],
            "barrier": [
                "{name} has had two chief executives during the programme and the work on {problem} lost its sponsor.",
                "Senior managers rarely attend the {name} group and decisions on {driver} are deferred.",
                "No senior officer came to the visit; the {role} said leaders see {problem} in {name} as someone else's job.",
                "The sponsoring director left {name} in the first year and the post is still vacant.",
            ],
        },
        "project_management": {
            "enabler": [
                "A full-time project lead in {name} keeps an action log and chases every partner.",
                "Milestones for {driver} in {name} are reviewed monthly against a clear plan.",
                "The {name} team showed a project plan for {problem} with named leads for each action.",
                "The {role} described weekly check-ins run by the project officer on {driver} in {name}.",
            ],
            "barrier": [
                "Nobody in {name} has time set aside to coordinate the work on {problem} day to day.",
                "Actions agreed on {driver} in {name} at meetings are not followed up.",
                "The project officer post in {name} was vacant for most of the year.",
                "The {role} could not say who was tracking the actions on {driver} in {name}.",
            ],
        },
        "governance": {
            "enabler": [
                "Progress on {problem} is reported to the {name} Health and Wellbeing Board each quarter.",
                "The {name} work sits under an existing board with clear terms of reference.",
                "The {role} reports on {driver} in {name} to the board that already oversees children and families.",
            ],
            "barrier": [
                "It is unclear which {name} board the work on {problem} reports to.",
                "Partners in {name} disagree about who is accountable for {driver}.",
                "The {role} and the {role2} each thought the other's board owned the plan for {problem} in {name}.",
            ],
        },
        "prior_experience": {
            "enabler": [
                "The {name} team built on an earlier neighbourhood renewal programme.",
                "Staff in {name} have led work on inequalities in {problem} for several years.",
                "The {role} had run a similar programme on {driver} in {name} before this one.",
            ],
            "barrier": [
                "This is the first time {name} has tackled health inequalities in {problem} directly.",
                "The {name} team had to learn the evidence on {driver} from scratch.",
                "The {role} said nobody in the {name} partnership had worked on {problem} before.",
            ],
        },
        "integration": {
            "enabler": [
                "The {name} actions on {problem} are written into the joint health and wellbeing strategy.",
                "Commissioning plans in {name} for next year already include {driver}.",
                "The {role} has folded the work on {driver} in {name} into the mainstream service plan.",
            ],
            "barrier": [
                "The {name} work on {problem} runs as a separate project that will end with the funding.",
                "Nothing links {driver} to the council's other strategies in {name}.",
                "The {role} expects the work on {problem} in {name} to stop when the programme ends.",
            ],
        },
        "partnership_engagement": {
            "enabler": [
                "Police, housing and voluntary groups in {name} all send staff to the working group on {problem}.",
                "The {role} and the {role2} both contribute staff time to {driver} in {name}.",
                "Partners outside the council in {name} lead parts of the plan for {problem}.",
            ],
            "barrier": [
                "Only council staff come to the {name} meetings on {problem}.",
                "The {role} withdrew from the work on {driver} in {name} after the first few months.",
                "Voluntary groups in {name} say they were not asked to help with {problem}.",
            ],
        },
        "support_offer_use": {
            "enabler": [
                "The {name} team used the expert adviser to redesign its plan for {problem}.",
                "Staff from {name} attended every learning event and used the peer exchange on {driver}.",
                "The {role} took ideas on {driver} in {name} from the programme's webinars.",
            ],
            "barrier": [
                "The {name} team did not take up the expert support on offer for {problem}.",
                "Nobody from {name} joined the webinars or learning events.",
                "The {role} had not heard of the peer exchange on {driver} in {name}.",
            ],
        },
    },
    "interview": {
        "senior_leadership": {
            "enabler": [
                "Our {role} champions the work on {problem} in {name} and unblocks things when we get stuck.",
                "Leaders here in {name} back {driver} publicly, which gives us permission to act.",
                "When we needed a decision on {driver} in {name}, the {role} made it the same week.",
            ],
            "barrier": [
                "We keep losing our senior sponsor; {problem} in {name} drops down the list every time leaders change.",
                "I can't get time with senior leaders in {name} to talk about {driver}.",
                "Without a champion at the top, {problem} is nobody's priority in {name}.",
            ],
        },
        "project_management": {
            "enabler": [
                "Having a dedicated coordinator for {problem} in {name} has made all the difference.",
                "We track every action on {driver} in {name} and chase partners when deadlines slip.",
                "Our project officer keeps the {name} plan for {problem} moving week to week.",
            ],
            "barrier": [
                "We all do this on top of the day job, so the work on {driver} in {name} drifts.",
                "Things get agreed in {name} and then nobody picks them up.",
                "There is no one whose job it is to coordinate the work on {problem} in {name}.",
            ],
        },
        "governance": {
            "enabler": [
                "We report on {problem} in {name} to the Health and Wellbeing Board, so everyone knows who decides.",
                "The governance in {name} was already there; we just slotted {driver} into it.",
            ],
            "barrier": [
                "Honestly I don't know which board signs off our plan for {problem} in {name}.",
                "Accountability for {driver} is shared so widely in {name} that nobody owns it.",
            ],
        },
        "prior_experience": {
            "enabler": [
                "We have worked on inequalities in {name} for years, so {problem} was familiar ground.",
                "Our earlier work on {driver} in {name} meant we knew who to call.",
            ],
            "barrier": [
                "We were starting from nothing on {problem} in {name}; it took a year to find our feet.",
                "None of us in {name} had done inequalities work like {driver} before.",
            ],
        },
        "integration": {
            "enabler": [
                "The work on {driver} is now part of how {name} commissions services, not a project.",
                "Our strategy for {problem} in {name} is built into the council's wider plans.",
            ],
            "barrier": [
                "When the money stops, I expect the work on {driver} in {name} will stop too.",
                "Our work on {problem} in {name} sits off to one side of everything else the council does.",
            ],
        },
        "partnership_engagement": {
            "enabler": [
                "The {role} has been a real partner on {problem} in {name}, not just someone at the table.",
                "Everyone in {name} turns up for the work on {driver}, not just the council.",
            ],
            "barrier": [
                "We struggle to get the {role} to engage with {problem} in {name} at all.",
                "It feels like a council project in {name}; the other partners drifted away from {driver}.",
            ],
        },
        "support_offer_use": {
            "enabler": [
                "The expert support helped us rethink {driver} in {name}.",
                "Our team in {name} used the learning events and the web forum to see how others tackle {problem}.",
            ],
            "barrier": [
                "We never found time in {name} to use the support on offer.",
                "The support offer didn't seem relevant to {problem} in {name}, so we didn't use it.",
            ],
        },
    },
}
CONTEXT_PASSAGES = [
    "{name} has a long history of industrial decline.",
    "The visit took place in the {name} council offices.",
    "Local media coverage of {problem} in {name} has grown.",
    "Rates of {problem} in {name} have been above the national average for a decade.",
    "The {role} described recent cuts to services in {name}.",
]
# Stakeholder roles that passages mention: posts, never people.
ROLES = [
    "director of public health",
    "assistant director of children's services",
    "clinical commissioning group lead",
    "voluntary sector forum chair",
    "neighbourhood police inspector",
    "housing association manager",
    "school nursing lead",
    "health visiting service manager",
    "youth service manager",
    "public health consultant",
]
DOCUMENTS = {"notes": "site visit notes", "interview": "lead officer interview"}


def factor_code(codebook: pd.DataFrame, factor: str, direction: str) -> str:
    """The codebook's code path for `factor` as an enabler or a barrier (`direction`)."""
    rows = codebook[(codebook["factor_id"] == factor) & (codebook["direction"] == direction)]
    return str(rows["code_path"].iloc[0])


def _enabler_share(latent: float) -> float:
    """How often a passage about a factor shows it as an enabler: mixed near the crossover, clear far from it."""
    return float(1 / (1 + np.exp(-2.5 * (latent - CROSSOVER))))


def fill_passage(templates: list[str], details: dict[str, str], drivers: list[str], rng: np.random.Generator) -> str:
    """One of the templates, filled with the partnership's details, a driver of its diagram and two roles."""
    template = str(rng.choice(templates))
    role, role2 = rng.choice(ROLES, size=2, replace=False)
    driver = str(rng.choice(drivers)) if drivers else details["problem"]
    text = template.format(**details, role=role, role2=role2, driver=driver[0].lower() + driver[1:])
    return text[0].upper() + text[1:]


def write_site_visit_codings(
    path: Path,
    partnerships: list[Partnership],
    latent: dict[str, dict[str, float]],
    reference_dir: Path,
    rng: np.random.Generator,
) -> int:
    """Write the site-visit notes and interviews, coded by two coders, as a REFI-QDA project; returns codings."""
    codebook = pd.read_csv(reference_dir / "codebook_factor_map.csv", dtype=str)
    reference = pd.read_csv(reference_dir / "partnerships.csv", dtype=str).set_index("partnership_id")
    diagrams = pd.read_csv(reference_dir / "driver_diagrams.csv", dtype=str)
    sources: dict[str, str] = {}
    cases: dict[str, list[str]] = {}
    case_variables: dict[str, dict[str, str]] = {}
    codings: list[CodingSpec] = []
    for partnership in partnerships:
        problem = str(reference.at[partnership.partnership_id, "wicked_problem"])
        drivers = diagrams.loc[diagrams["wicked_problem"] == problem, "secondary_driver"].tolist()
        details = {"name": partnership.partnership_name, "problem": problem.replace("_", " ")}
        names = [f"{partnership.partnership_id} {partnership.partnership_name} {title}" for title in DOCUMENTS.values()]
        cases[partnership.partnership_name] = names
        case_variables[partnership.partnership_name] = {"partnership_id": partnership.partnership_id}
        for kind, name in zip(DOCUMENTS, names, strict=True):
            passages: list[tuple[str, str | None, str | None]] = []
            for factor in FACTORS:
                if rng.random() < 0.75:
                    # Evidence leans the way of the latent score, and is mixed for a partnership near the crossover.
                    share = _enabler_share(latent[partnership.partnership_id][factor])
                    direction = "enabler" if rng.random() < share else "barrier"
                    passages.append(
                        (fill_passage(PASSAGES[kind][factor][direction], details, drivers, rng), factor, direction)
                    )
            passages.append((fill_passage(CONTEXT_PASSAGES, details, drivers, rng), None, None))
            text = ""
            for index in rng.permutation(len(passages)):
                sentence, factor, direction = passages[index]
                code = CONTEXT_CODE if factor is None else factor_code(codebook, factor, direction)
                start = len(text)
                text += sentence + " "
                for coder in CODERS:
                    roll = rng.random()
                    if roll < 0.88:
                        codings.append(CodingSpec(name, start, start + len(sentence), code, coder))
                    elif roll < 0.93 and factor is not None:
                        opposite = "barrier" if direction == "enabler" else "enabler"
                        codings.append(
                            CodingSpec(
                                name, start, start + len(sentence), factor_code(codebook, factor, opposite), coder
                            )
                        )
            sources[name] = text.strip()
    code_paths = sorted(set(codebook["code_path"]) | {CONTEXT_CODE})
    write_qdpx(
        path,
        project_name="Healthy Places, Healthy Lives site visits",
        origin="Partnership evaluation demo generator",
        users=CODERS,
        code_paths=code_paths,
        sources=sources,
        cases=cases,
        case_variables=case_variables,
        codings=codings,
        created_at=datetime(2018, 9, 1, 12, 0, tzinfo=UTC),
    )
    return len(codings)


# --- Invitations and interventions ------------------------------------------------------------------------

COMMISSIONERS = [
    "{name} Council public health",
    "{name} Clinical Commissioning Group",
    "{name} Council children's services",
    "Police and Crime Commissioner",
    "Voluntary and community sector grant",
]
STATUSES = ["active", "active", "active", "planned", "ended"]


def write_invitations(
    path: Path,
    partnerships: list[Partnership],
    people: dict[str, list[Person]],
    waves: Iterable[str] = WAVES,
    groups: Iterable[str] = GROUP_SIZES,
) -> int:
    """Everyone in a partnership's stakeholder list is invited to every wave; returns the rows written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["wave", "partnership_id", "stakeholder_group", "invited"])
    rows = 0
    for wave in waves:
        for partnership in partnerships:
            for group in groups:
                invited = sum(person.group == group for person in people[partnership.partnership_id])
                writer.writerow([wave, partnership.partnership_id, group, invited])
                rows += 1
    write_atomically(path, buffer.getvalue().encode())
    return rows


def write_interventions(
    folder: Path, partnerships: list[Partnership], reference_dir: Path, rng: np.random.Generator
) -> int:
    """Each partnership's inventory of commissioned interventions mapped onto its driver diagram.

    Most secondary drivers get one intervention; some get none (a gap) and some get two from different
    commissioners (duplication). One in three inventories arrives as an Excel workbook.
    """
    diagrams = pd.read_csv(reference_dir / "driver_diagrams.csv", dtype=str)
    problems = pd.read_csv(reference_dir / "partnerships.csv", dtype=str).set_index("partnership_id")["wicked_problem"]
    written = 0
    for index, partnership in enumerate(partnerships):
        drivers = diagrams[diagrams["wicked_problem"] == problems[partnership.partnership_id]]
        rows = []
        for driver in drivers.itertuples():
            copies = rng.choice([0, 1, 2], p=[0.2, 0.6, 0.2])
            commissioners = rng.choice(len(COMMISSIONERS), size=copies, replace=False)
            for commissioner in commissioners:
                also = drivers.sample(1, random_state=int(rng.integers(1 << 31)))["secondary_driver_id"].iloc[0]
                addressed = (
                    sorted({driver.secondary_driver_id, also}) if rng.random() < 0.25 else [driver.secondary_driver_id]
                )
                rows.append(
                    {
                        "Intervention": driver.secondary_driver,
                        "Commissioner": COMMISSIONERS[commissioner].format(name=partnership.partnership_name),
                        "Drivers addressed": "; ".join(addressed),
                        "Annual spend (GBP)": int(rng.integers(5, 250)) * 1000,
                        "Status": str(rng.choice(STATUSES)),
                    }
                )
        frame = pd.DataFrame(rows)
        stem = f"{partnership.partnership_id} {partnership.partnership_name} interventions"
        if index % 3 == 2:
            path = folder / f"{stem}.xlsx"
            path.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            with pd.ExcelWriter(buffer, engine="openpyxl") as excel:
                frame.to_excel(excel, sheet_name="Interventions", index=False)
            write_atomically(path, fixed_xlsx_timestamps(buffer.getvalue()))
        else:
            write_atomically(folder / f"{stem}.csv", frame.to_csv(index=False, lineterminator="\n").encode())
        written += len(rows)
    return written


# --- Orchestration ---------------------------------------------------------------------------------------


def generate(data_dir: Path, seed: int = SEED) -> dict[str, object]:
    """Write every demo export into `data_dir` (reference data must already be there); returns a summary."""
    reference_dir = data_dir / "reference"
    rng = np.random.default_rng(seed)
    partnerships = read_partnerships(reference_dir)
    truth = plant_ground_truth(partnerships, rng)
    latent = plant_latent_scores(truth, seed)
    people = {p.partnership_id: make_stakeholders(p, rng) for p in partnerships}
    summary: dict[str, object] = {}
    for index, wave in enumerate(WAVES):
        stray = "P31" if wave == "wave_3" else None
        summary[wave] = write_survey_wave(
            data_dir / "surveys" / f"{wave}.csv",
            wave,
            index,
            partnerships,
            people,
            truth,
            latent,
            reference_dir,
            rng,
            stray,
        )
    summary["codings"] = write_site_visit_codings(
        data_dir / "codings" / "site_visits.qdpx", partnerships, latent, reference_dir, np.random.default_rng([seed, 2])
    )

    assessment = io.StringIO()
    writer = csv.writer(assessment, lineterminator="\n")
    writer.writerow(["partnership_id", "achieved_objectives", "assessed_by", "assessed_on"])
    for partnership in partnerships:
        writer.writerow(
            [
                partnership.partnership_id,
                "yes" if truth[partnership.partnership_id]["success"] else "no",
                "evaluation team",
                "2018-09-30",
            ]
        )
    write_atomically(data_dir / "assessments" / "success_assessment.csv", assessment.getvalue().encode())
    summary["invitations"] = write_invitations(reference_dir / "survey_invitations.csv", partnerships, people)
    summary["interventions"] = write_interventions(
        data_dir / "interventions", partnerships, reference_dir, np.random.default_rng([seed, 3])
    )
    # Monitoring draws from its own seeded stream, so adding it left every other demo file unchanged.
    summary["monitoring"] = write_monitoring(data_dir, partnerships)
    summary["sustainment"] = write_sustainment(data_dir, partnerships, truth)
    summary["evidence_register"] = write_evidence_register(reference_dir)  # no randomness: published literature
    summary["populations"] = write_area_populations(data_dir)
    summary["comment_codings"] = write_comment_codings(data_dir)
    ground_truth = {
        "seed": seed,
        "rule": GROUND_TRUTH_RULE,
        "crossover": CROSSOVER,
        "partnerships": truth,
        "latent_scores": latent,
    }
    write_atomically(
        data_dir / "demo_ground_truth.json", (json.dumps(ground_truth, indent=1, sort_keys=True) + "\n").encode()
    )
    return summary


UNITS = {
    "codings": "codings",
    "invitations": "invitation counts",
    "interventions": "interventions",
    "monitoring": "monitoring values",
    "sustainment": "sustainment statuses",
    "evidence_register": "publications",
    "populations": "area populations",
    "comment_codings": "comment codings",
}


def main() -> None:
    data_dir = load_settings().data_dir
    summary = generate(data_dir)
    print(
        f"Demo data written to {data_dir.relative_to(PROJECT_ROOT) if data_dir.is_relative_to(PROJECT_ROOT) else data_dir}:"
    )
    for name, count in summary.items():
        print(f"  {name}: {count} {UNITS.get(name, 'responses')}")


if __name__ == "__main__":
    main()
