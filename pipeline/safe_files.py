"""Before any reader allocates: a file is a regular file inside the drop zone, and within the limits.

A symbolic link out of the drop zone (to `/etc/passwd`, say) is not followed, a FIFO or device (`/dev/zero`)
is never opened, and what a file declares is capped before it is read: the uncompressed size of a zip
container (XLSX, REFI-QDA), the rows and columns an SPSS file's header declares, the columns of a CSV's
header. Each refusal is an `InputFileError` naming the file and the limit.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputFileError

ZIP_CONTAINERS = (".xlsx", ".qdpx")
SPSS_FILES = (".sav", ".zsav", ".por")
CSV_FILES = (".csv",)
HEADER_SCAN_BYTES = 16 << 20  # a CSV header longer than this is refused as having too many columns


@dataclass(frozen=True)
class ReadLimits:
    """What a file may declare before it is read (well above any real evaluation's files)."""

    max_uncompressed_bytes: int = 1 << 30  # 1 GiB inside one XLSX or REFI-QDA project
    max_rows: int = 20_000_000  # responses an SPSS file declares
    max_columns: int = 20_000  # columns of a CSV header or an SPSS file


def check_readable(path: Path, data_dir: Path | None = None, limits: ReadLimits = ReadLimits()) -> None:
    """Raise `InputFileError` unless `path` is a regular file (inside `data_dir`, where given) within `limits`."""
    try:
        status = path.stat()  # follows a link: what would be read
    except OSError as error:
        raise InputFileError(path, f"cannot be opened ({error.strerror or error})") from error
    if data_dir is not None and not path.resolve().is_relative_to(data_dir.resolve()):
        raise InputFileError(
            path,
            "is a link to a file outside the drop zone; it is not followed",
            expected="the file itself in the drop zone",
        )
    if not stat.S_ISREG(status.st_mode):
        raise InputFileError(
            path,
            "is not a regular file (a pipe, device or folder); it is never opened",
            expected="a file saved by the tool that exported it",
        )
    suffix = path.suffix.lower()
    if suffix in ZIP_CONTAINERS:
        _check_zip(path, limits)
    elif suffix in SPSS_FILES:
        _check_spss(path, limits)
    elif suffix in CSV_FILES:
        _check_csv_header(path, limits)


def _check_zip(path: Path, limits: ReadLimits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: the reader says what it expected
    if declared > limits.max_uncompressed_bytes:
        raise InputFileError(
            path,
            f"unpacks to {declared:,} bytes, over the limit of {limits.max_uncompressed_bytes:,} (a zip bomb?)",
            expected="an export of ordinary size (ReadLimits.max_uncompressed_bytes)",
        )


def _check_spss(path: Path, limits: ReadLimits) -> None:
    import pyreadstat

    read = pyreadstat.read_por if path.suffix.lower() == ".por" else pyreadstat.read_sav
    try:
        _, meta = read(str(path), metadataonly=True)
    except Exception:  # noqa: BLE001 - not readable as SPSS: the reader says what it expected
        return
    rows, columns = meta.number_rows or 0, meta.number_columns or 0
    if rows > limits.max_rows or columns > limits.max_columns:
        raise InputFileError(
            path,
            f"declares {rows:,} rows of {columns:,} variables, over the limit of {limits.max_rows:,} rows"
            f" and {limits.max_columns:,} variables",
            expected="an export of ordinary size (ReadLimits.max_rows, ReadLimits.max_columns)",
        )


def _check_csv_header(path: Path, limits: ReadLimits) -> None:
    with open(path, "rb") as handle:
        head = handle.read(HEADER_SCAN_BYTES)
    line = head.split(b"\n", 1)[0]
    if b"\x00" in line and not line.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(path, "its first line holds NUL bytes", row=1, expected="text")
    columns = max(line.count(b","), line.count(b";"), line.count(b"\t")) + 1
    if columns > limits.max_columns or (len(head) == HEADER_SCAN_BYTES and b"\n" not in head):
        raise InputFileError(
            path,
            f"its header has more than {limits.max_columns:,} columns",
            row=1,
            expected="an export of ordinary width (ReadLimits.max_columns)",
        )
