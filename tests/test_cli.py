"""The command line: every real survey export in the fixtures reads through one command, tool detected."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from pipeline.settings import PROJECT_ROOT
from tests.conftest import DATA_DIR, FIXTURES

NOT_EXPORTS = {"Q5 Coded.xlsx"}  # a sheet of coded comments, kept to show the refusal


def test_check_surveys_detects_every_tool_and_refuses_what_is_not_an_export():
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "check-surveys", str(FIXTURES / "surveys")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = result.stdout.splitlines()
    tools = {line.split()[0] for line in lines[:-1]}
    assert {"qualtrics", "surveymonkey", "google_forms", "spss"} <= tools
    refused = [line for line in lines if line.startswith("REFUSED")]
    assert [name for name in NOT_EXPORTS if any(name in line for line in refused)] == sorted(NOT_EXPORTS)
    assert all("not an export any survey reader recognises; expected one of: qualtrics" in line for line in refused)
    assert result.returncode == (1 if refused else 0)
    for name in (
        "sample.csv",
        "sample_legacy.csv",
        "public_survey_data.csv",
        "survey_responses.csv",
        "sample.sav",
        "sample.zsav",
        "sample.por",
    ):
        assert any(name in line and not line.startswith("REFUSED") for line in lines), name


def test_check_surveys_sets_each_export_against_the_reference_data(tmp_path):
    shutil.copytree(DATA_DIR / "reference", tmp_path / "reference")
    instrument = tmp_path / "reference" / "survey_instrument.csv"
    instrument.write_text(
        "".join(line for line in instrument.read_text().splitlines(keepends=True) if ",QID1_14," not in line)
    )
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "check-surveys", str(DATA_DIR / "surveys" / "wave_3.csv")],
        cwd=PROJECT_ROOT,
        env={**os.environ, "EVAL_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "unknown partnership: 'P31' (1 responses)" in result.stdout
    assert "unmapped column: 'Q1_14 (QID1_14)'" in result.stdout
