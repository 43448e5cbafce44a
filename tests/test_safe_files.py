"""No reader allocates before the file is known to be safe: a regular file inside the drop zone, within the
read limits. Each hostile file is refused on its own, with its reason; the rest of the folder loads."""

from __future__ import annotations

import os
import shutil
import struct
import threading
import zipfile
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import InputFileError
from pipeline.mapping.ingest import load_interventions
from pipeline.safe_files import check_readable
from pipeline.warehouse import ensure_schemas
from tests.conftest import DATA_DIR, FIXTURES

SECRET_LINE = "root-line-that-must-never-be-quoted:x:0:0"


@pytest.fixture
def drop(tmp_path) -> Path:
    (tmp_path / "raw").mkdir()
    return tmp_path / "raw"


def refused(path: Path, data_dir: Path | None) -> str:
    with pytest.raises(InputFileError) as error:
        check_readable(path, data_dir)
    return str(error.value)


def test_a_link_out_of_the_drop_zone_is_not_followed_and_its_content_never_quoted(drop, tmp_path):
    outside = tmp_path / "passwd"
    outside.write_text(SECRET_LINE + "\n")
    (drop / "fingertips.csv").symlink_to(outside)
    message = refused(drop / "fingertips.csv", drop)
    assert "outside the drop zone" in message and SECRET_LINE not in message


def test_a_link_to_a_device_and_a_fifo_are_never_opened(drop):
    (drop / "zero.csv").symlink_to("/dev/zero")
    os.mkfifo(drop / "fifo.csv")
    assert "outside the drop zone" in refused(drop / "zero.csv", drop)
    # Where no drop zone is given, the device is still never opened: it is not a regular file.
    assert "not a regular file" in refused(drop / "zero.csv", None)
    done = threading.Event()
    outcome: list[str] = []
    thread = threading.Thread(target=lambda: (outcome.append(refused(drop / "fifo.csv", drop)), done.set()))
    thread.start()
    assert done.wait(10), "checking a FIFO hung"
    assert "not a regular file" in outcome[0]


def test_an_xlsx_zip_bomb_is_refused_by_its_declared_size_before_it_is_parsed(drop):
    bomb = drop / "survey.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"<c><v>0</v></c>" * 65536
            for _ in range(1100):  # about 1.1 GB of cells
                member.write(block)
    assert bomb.stat().st_size < 5_000_000
    message = refused(bomb, drop)
    assert "over the limit of 1,073,741,824" in message and "max_uncompressed_bytes" in message


def test_an_spss_file_declaring_two_hundred_million_rows_is_refused_from_its_header(drop):
    sav = drop / "wave.sav"
    shutil.copyfile(FIXTURES / "surveys" / "spss" / "sample.sav", sav)
    data = bytearray(sav.read_bytes())
    data[80:84] = struct.pack("<i", 200_000_000)  # the header's case count (SPSS system file format)
    sav.write_bytes(bytes(data))
    message = refused(sav, drop)
    assert "declares 200,000,000 rows" in message and "max_rows" in message


def test_a_header_of_a_hundred_thousand_columns_is_refused_by_the_column_limit(drop):
    wide = drop / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("1" * 100_000) + "\n")
    message = refused(wide, drop)
    assert "more than 20,000 columns" in message and "row 1" in message


def test_nul_bytes_in_a_header_are_a_clear_error_naming_the_line(drop):
    nul = drop / "nul.csv"
    nul.write_bytes(b"Intervention,Com\x00missioner\nX,Y\n")
    assert "row 1" in refused(nul, drop) and "NUL" in refused(nul, drop)


def test_a_hostile_file_is_refused_on_its_own_and_the_rest_of_the_folder_loads(drop, tmp_path):
    interventions = drop / "interventions"
    shutil.copytree(DATA_DIR / "interventions", interventions)
    good = len(list(interventions.iterdir()))
    (interventions / "P99 zero.csv").symlink_to("/dev/zero")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_schemas(con)
        report = load_interventions(con, interventions, drop)
    assert len(report.files) == good
    assert [r.reason for r in report.refused] and "outside the drop zone" in report.refused[0].reason
