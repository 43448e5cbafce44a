"""The demo generator is seeded, writes the tools' own formats, and plants the documented ground truth."""

from __future__ import annotations

import json
import shutil
import zipfile

from pipeline.codings.refi_qda import read_refi_qda
from pipeline.generators.demo import GROUND_TRUTH_RULE, RULE_FACTORS, RULE_MARGIN, generate
from pipeline.privacy import PREFILTER
from pipeline.surveys.readers.qualtrics import read_header
from tests.conftest import DATA_DIR


def _generate_into(tmp_path):
    shutil.copytree(DATA_DIR / "reference", tmp_path / "reference")
    # The area populations are read from the bundled Fingertips download's denominators.
    shutil.copytree(DATA_DIR / "outcomes" / "fingertips", tmp_path / "outcomes" / "fingertips")
    generate(tmp_path)
    return tmp_path


def test_regenerating_gives_the_committed_demo_data_byte_for_byte(tmp_path):
    out = _generate_into(tmp_path)
    for relative in (
        "surveys/wave_1.csv",
        "surveys/wave_2.csv",
        "surveys/wave_3.csv",
        "codings/site_visits.qdpx",
        "assessments/success_assessment.csv",
        "demo_ground_truth.json",
        "reference/indicator_register.csv",
        "reference/sustainment.csv",
        "reference/spread.csv",
        "demo_sustainment_truth.json",
        "reference/area_populations.csv",
        *(f"monitoring/{path.name}" for path in sorted((DATA_DIR / "monitoring").iterdir())),
    ):
        assert (out / relative).read_bytes() == (DATA_DIR / relative).read_bytes(), (
            f"{relative} differs: run make demo-data"
        )


def test_the_planted_rule_decides_success_for_every_partnership():
    truth = json.loads((DATA_DIR / "demo_ground_truth.json").read_text())
    assert truth["rule"] == GROUND_TRUTH_RULE == "(senior_leadership AND project_management) OR integration"
    levels = truth["partnerships"]
    assert len(levels) == 30
    for factors in levels.values():
        assert factors["success"] == int(
            (factors["senior_leadership"] and factors["project_management"]) or factors["integration"]
        )
    # Both sufficient paths and failures occur, so the analysis has something to recover.
    assert any(f["senior_leadership"] and f["project_management"] and not f["integration"] for f in levels.values())
    assert any(f["integration"] and not (f["senior_leadership"] and f["project_management"]) for f in levels.values())
    assert 5 <= sum(f["success"] for f in levels.values()) <= 25


def test_exports_are_in_the_tools_formats():
    columns = read_header(DATA_DIR / "surveys" / "wave_1.csv")
    assert columns[0][2] == "startDate" and columns[-1][2] == "partnership_id"
    with zipfile.ZipFile(DATA_DIR / "codings" / "site_visits.qdpx") as archive:
        assert "project.qde" in archive.namelist()
    project = read_refi_qda(DATA_DIR / "codings" / "site_visits.qdpx")
    assert sorted(project.users["user_name"]) == ["Site visit coder 1", "Site visit coder 2"]
    assert len(project.cases) == 30 and len(project.sources) == 60


def test_latent_scores_are_continuous_around_the_crossover_and_on_the_planted_side():
    truth = json.loads((DATA_DIR / "demo_ground_truth.json").read_text())
    crossover = truth["crossover"]
    scores = [
        (factor, score, truth["partnerships"][partnership][factor])
        for partnership, latent in truth["latent_scores"].items()
        for factor, score in latent.items()
    ]
    assert len(scores) == 30 * 7
    # A strong level lies above the crossover, a weak one below; the rule's factors keep their margin.
    assert all((score > crossover) == bool(level) for _, score, level in scores)
    assert all(abs(score - crossover) >= RULE_MARGIN for factor, score, _ in scores if factor in RULE_FACTORS)
    # Many lie between the calibration anchors (2.5 and 3.5), where fuzzy memberships are graded.
    between = sum(crossover - 0.5 < score < crossover + 0.5 for _, score, _ in scores)
    assert between / len(scores) > 0.3


def test_site_visit_excerpts_differ_between_partnerships_and_hold_no_personal_data():
    project = read_refi_qda(DATA_DIR / "codings" / "site_visits.qdpx")
    selections = project.selections.merge(project.sources, on="source_guid")
    selections["partnership_id"] = selections["source_name"].str.split(" ").str[0]
    shared = selections.groupby("excerpt")["partnership_id"].nunique()
    assert len(shared) > 250 and (shared == 1).all()
    # Posts, never people: nothing the redaction would look at twice.
    assert not selections["excerpt"].str.contains(PREFILTER).any()


def test_sustainment_is_planted_on_integration_and_one_council_rolls_the_work_out_across_its_county():
    truth = json.loads((DATA_DIR / "demo_sustainment_truth.json").read_text())
    planted = json.loads((DATA_DIR / "demo_ground_truth.json").read_text())["partnerships"]
    assert truth["factor"] == "integration"
    # The integration level the statuses were drawn on is the demo's planted level, partnership by partnership.
    assert truth["integration_level"] == {pid: levels["integration"] for pid, levels in planted.items()}
    carried_on = {
        level: [truth["status"][pid] != "stopped" for pid, lv in truth["integration_level"].items() if lv == level]
        for level in (0, 1)
    }
    # Planted 0.85 against 0.35: the drawn shares keep that order, far apart.
    assert sum(carried_on[1]) / len(carried_on[1]) - sum(carried_on[0]) / len(carried_on[0]) > 0.4
    spread = (DATA_DIR / "reference" / "spread.csv").read_text().splitlines()
    roll_out = [line for line in spread if line.startswith(truth["roll_out"]["partnership_id"] + ",new_area,")]
    assert roll_out and "Kent County Council" in roll_out[0]
    assert truth["status"][truth["roll_out"]["partnership_id"]] != "stopped"
