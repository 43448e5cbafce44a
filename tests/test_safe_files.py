"""No reader allocates before the file is known to be safe: a regular file inside the drop zone, within the
read limits (settings). Each hostile file is refused on its own, with a reason naming the limit and its
setting; an error never quotes a file outside the drop zone; the rest of the folder loads.

The zip bomb, the shared-strings bomb, the SPSS file declaring 200 million rows and the header of 100,000
columns are cases of the bad-input corpus (`tests/test_bad_inputs.py`), where the large ones run in a child
process whose peak memory is checked.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from pipeline.codings.coding_table import read_coding_table
from pipeline.codings.ingest import load_codings
from pipeline.errors import InputFileError
from pipeline.mapping.ingest import load_interventions
from pipeline.mapping.interventions import read_interventions
from pipeline.outcomes.ingest import load_outcomes
from pipeline.outcomes.readers import read_fingertips_csv, sniff_outcome_format
from pipeline.resources import default_resources
from pipeline.safe_files import ReadLimits, check_readable
from pipeline.settings import SettingsError, load_settings
from pipeline.surveys.readers.detect import read_survey
from pipeline.warehouse import ensure_schemas
from tests.conftest import DATA_DIR

# The first line of a file outside the drop zone: no error may ever quote it.
SECRET_LINE = "Indicator ID,root-line-that-must-never-be-quoted:x:0:0"


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    (tmp_path / "raw").mkdir()
    return tmp_path / "raw"


def refusal(read: Callable[[], object]) -> str:
    with pytest.raises(InputFileError) as error:
        read()
    return str(error.value)


def test_a_link_out_of_the_drop_zone_is_not_followed_and_its_content_never_quoted(drop: Path, tmp_path: Path) -> None:
    outside = tmp_path / "passwd"
    outside.write_text(SECRET_LINE + "\nmore\n")
    limits = ReadLimits(inside=drop)
    for name in ("fingertips.csv", "P01 interventions.csv", "codings.csv"):
        (drop / name).symlink_to(outside)
    # Each reader that quotes a header in its errors (the outcome sniffer, the layouts, the coding table).
    messages = [
        refusal(lambda: sniff_outcome_format(drop / "fingertips.csv", limits)),
        refusal(lambda: read_fingertips_csv(drop / "fingertips.csv", limits)),
        refusal(lambda: read_interventions(drop / "P01 interventions.csv", limits)),
        refusal(lambda: read_coding_table(drop / "codings.csv", limits=limits)),
    ]
    for message in messages:
        assert "outside the drop zone; it is not followed" in message
        assert "root-line" not in message


def test_ingest_refuses_a_link_out_of_the_drop_zone_before_sniffing_it(drop: Path, tmp_path: Path) -> None:
    """The regression: `load_outcomes` sniffs each file's header before loading it, and its error quoted the
    header of whatever the link pointed at."""
    outside = tmp_path / "passwd"
    outside.write_text(SECRET_LINE + "\n")
    (drop / "outcomes").mkdir()
    (drop / "outcomes" / "fingertips.csv").symlink_to(outside)
    with duckdb.connect() as con:
        ensure_schemas(con)
        reports = load_outcomes(con, drop / "outcomes", drop)
        recorded = con.execute("SELECT reason FROM raw.refused_files").fetchall()
    (refused,) = [r for report in reports for r in report.refused]
    assert refused.source_file == "outcomes/fingertips.csv"
    assert "outside the drop zone" in refused.reason and "root-line" not in refused.reason
    assert recorded == [(refused.reason,)]


def test_a_link_to_a_device_and_a_fifo_are_refused_without_being_opened(drop: Path) -> None:
    (drop / "zero.csv").symlink_to("/dev/zero")
    os.mkfifo(drop / "fifo.csv")
    assert "outside the drop zone" in refusal(lambda: check_readable(drop / "zero.csv", ReadLimits(inside=drop)))
    # Without a drop zone to be inside, the device is still never read: it is not a regular file.
    assert "not a regular file" in refusal(lambda: read_survey(drop / "zero.csv"))
    outcome: list[str] = []
    reader = threading.Thread(target=lambda: outcome.append(refusal(lambda: read_survey(drop / "fifo.csv"))))
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "reading a FIFO hung"
    assert "is not a regular file (a pipe, device or folder); it is never opened" in outcome[0]


def test_a_hostile_file_is_refused_on_its_own_and_the_rest_of_the_folder_loads(drop: Path, tmp_path: Path) -> None:
    interventions = drop / "interventions"
    shutil.copytree(DATA_DIR / "interventions", interventions)
    good = len(list(interventions.iterdir()))
    (interventions / "P99 zero.csv").symlink_to("/dev/zero")
    os.mkfifo(interventions / "P98 fifo.csv")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_schemas(con)
        report = load_interventions(con, interventions, drop)
    assert len(report.files) == good
    reasons = {r.source_file: r.reason for r in report.refused}
    assert "outside the drop zone" in reasons["interventions/P99 zero.csv"]
    assert "not a regular file" in reasons["interventions/P98 fifo.csv"]


def test_a_link_inside_the_drop_zone_is_read(drop: Path, tmp_path: Path) -> None:
    (drop / "outcomes").mkdir()
    shutil.copyfile(
        DATA_DIR / "outcomes" / "fingertips" / os.listdir(DATA_DIR / "outcomes" / "fingertips")[0], drop / "a.csv"
    )
    (drop / "outcomes" / "linked.csv").symlink_to(drop / "a.csv")
    assert sniff_outcome_format(drop / "outcomes" / "linked.csv", ReadLimits(inside=drop)) in ("fingertips", "tidy")


def test_a_utf16_csv_with_its_byte_order_mark_is_read(drop: Path) -> None:
    text = "Indicator ID,Area Code,Time period,Value\n90366,E08000034,2015,Café £4\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        path = drop / f"{encoding}.csv"
        path.write_bytes(("\ufeff" + text).encode(encoding))
        frame = read_fingertips_csv(path, ReadLimits(inside=drop))
        assert frame[["indicator_id", "area_code", "value"]].values.tolist() == [["90366", "E08000034", "Café £4"]]


def test_a_nul_byte_in_a_csv_is_an_error_naming_its_line(drop: Path) -> None:
    path = drop / "nul.csv"
    path.write_bytes(b"Intervention,Commissioner,Drivers addressed\nA,B,C\nX,Y\x00Z,W\n")
    message = refusal(lambda: read_interventions(path))
    assert "row 3: a NUL byte" in message


def test_a_nul_byte_past_the_first_mebibyte_is_named_by_its_line(drop: Path) -> None:
    # The scan reads a mebibyte at a time and counts lines only once it finds a NUL.
    path = drop / "long.csv"
    rows = [b"Intervention,Commissioner,Drivers addressed\n"] + [b"A,B,%d\n" % i for i in range(300_000)]
    assert sum(map(len, rows)) > 2 << 20
    path.write_bytes(b"".join(rows) + b"X,Y\x00Z,W\n")
    assert f"row {len(rows) + 1}: a NUL byte" in refusal(lambda: read_interventions(path))


def test_a_file_checked_once_is_checked_again_once_it_changes(drop: Path) -> None:
    # Its contents are read once while it stays the same; a NUL byte written after the first check is found.
    path = drop / "grows.csv"
    path.write_bytes(b"Intervention,Commissioner,Drivers addressed\nA,B,C\n")
    check_readable(path)
    check_readable(path)
    with path.open("ab") as handle:
        handle.write(b"X,Y\x00Z,W\n")
    for _ in range(2):  # a refusal is raised every time, never remembered as passed
        with pytest.raises(InputFileError, match="row 3: a NUL byte"):
            check_readable(path)


def test_control_characters_in_a_header_are_escaped_in_the_error(drop: Path) -> None:
    path = drop / "P01 inventory.csv"
    path.write_text('"Name\x1b[31m","Owner\r\nAll checks passed.","\u202eTeam"\nx,y,z\n', encoding="utf-8")
    message = refusal(lambda: read_interventions(path))
    assert "missing required column(s)" in message
    assert "\x1b" not in message and "\n" not in message and "\r" not in message and "\u202e" not in message
    assert r"Name\x1b[31m" in message and r"\u202eTeam" in message


def test_read_limits_are_settings_that_reach_the_readers(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "EVAL_DATA_DIR": str(tmp_path),
            "EVAL_MAX_COLUMNS": "3",
            "EVAL_MAX_ROWS": "10",
            "EVAL_MAX_UNPACKED_BYTES": "1000",
            "EVAL_MAX_SHARED_STRINGS_BYTES": "100",
        }
    )
    limits = default_resources(settings)["paths"].read_limits
    assert limits == settings.read_limits
    assert limits == ReadLimits(
        inside=tmp_path, max_unpacked_bytes=1000, max_shared_strings_bytes=100, max_rows=10, max_columns=3
    )
    wide = tmp_path / "wide.csv"
    wide.write_text("a,b,c,d\n1,2,3,4\n")
    message = refusal(lambda: sniff_outcome_format(wide, limits))
    assert "its header has 4 columns, over the read limit max_columns" in message and "EVAL_MAX_COLUMNS" in message
    with pytest.raises(SettingsError, match="EVAL_MAX_ROWS"):
        load_settings({"EVAL_DATA_DIR": str(tmp_path), "EVAL_MAX_ROWS": "lots"})


def test_a_qdpx_over_the_unpacked_limit_is_refused_and_the_other_codings_load(drop: Path, tmp_path: Path) -> None:
    codings = drop / "codings"
    shutil.copytree(DATA_DIR / "codings", codings)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_schemas(con)
        reports = load_codings(con, codings, drop, ReadLimits(max_unpacked_bytes=1024))
    refused = [r for report in reports for r in report.refused if r.source_file.endswith(".qdpx")]
    assert refused and all("max_unpacked_bytes" in r.reason for r in refused)
