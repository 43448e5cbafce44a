"""Before any reader allocates: a file is a regular file inside the drop zone, and within the read limits.

A symbolic link out of the drop zone (to `/etc/passwd`, say) is not followed, a FIFO or device (`/dev/zero`)
is never opened, and what a file declares is capped before it is read: the unpacked size of a zip container
(XLSX, REFI-QDA) and of an XLSX's shared strings (which openpyxl holds in memory whole, about six bytes of
memory per byte of XML), entity declarations in an XLSX's XML (refused: no spreadsheet needs them), the rows
and variables an SPSS file's header declares, the columns of a CSV's header. A CSV holding a NUL byte is
refused naming its line. Each refusal is an `InputFileError` naming the file, the limit and the setting that
sets it (`pipeline.settings`).

Every reader calls `check_readable` first, with the `ReadLimits` it was given (built from `Settings`, passed
through the `EvaluationPaths` resource and each source's ingest); `FileSnapshot.take` calls it before hashing.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import stat
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import InputFileError

ZIP_CONTAINERS = (".xlsx", ".xlsm", ".qdpx")
SPSS_FILES = (".sav", ".zsav", ".por")
CSV_FILES = (".csv", ".txt")
HEADER_SCAN_BYTES = 16 << 20  # the columns of a CSV header are counted in its first 16 MiB
PROLOG_SCAN_BYTES = 1 << 20  # an XLSX part's XML declaration and any DTD come before its root element
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# The setting (environment variable, `pipeline.settings`) behind each limit, named in every refusal.
SETTING_NAMES = {
    "max_unpacked_bytes": "EVAL_MAX_UNPACKED_BYTES",
    "max_shared_strings_bytes": "EVAL_MAX_SHARED_STRINGS_BYTES",
    "max_rows": "EVAL_MAX_ROWS",
    "max_columns": "EVAL_MAX_COLUMNS",
}


@dataclass(frozen=True)
class ReadLimits:
    """What a file may be and declare before it is read (defaults well above any real evaluation's files).

    `inside`: the folder every file read must be in (the drop zone); `None` checks only that it is a regular
    file. The other fields are the `Settings` of the same name.
    """

    inside: Path | None = None
    max_unpacked_bytes: int = 1 << 30  # 1 GiB unpacked from one XLSX or REFI-QDA project
    max_shared_strings_bytes: int = 128 << 20  # 128 MiB of an XLSX's shared strings
    max_rows: int = 5_000_000  # responses an SPSS file declares (it is read whole into memory)
    max_columns: int = 20_000  # columns of a CSV header or variables of an SPSS file

    def within(self, folder: Path) -> ReadLimits:
        """These limits for files inside `folder`, unless they already name a folder."""
        return self if self.inside is not None else replace(self, inside=folder)


DEFAULT_LIMITS = ReadLimits()


def _over(path: Path, what: str, limit: str, *, row: int | None = None) -> InputFileError:
    setting = SETTING_NAMES[limit]
    return InputFileError(
        path, f"{what}, over the read limit {limit}", row=row, expected=f"a file within the limit (setting {setting})"
    )


def check_readable(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Raise `InputFileError` unless `path` is a regular file (inside `limits.inside`, where given) whose
    declared size, rows and columns are within `limits`. Nothing is opened before the type is known, so a
    FIFO never blocks and a device is never read."""
    path = Path(path)
    try:
        status = path.stat()  # follows a link: what a reader would read
    except OSError as error:
        raise InputFileError(path, f"cannot be opened ({error.strerror or error})") from error
    if limits.inside is not None and not path.resolve().is_relative_to(limits.inside.resolve()):
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
    _check_contents(path, limits, file_identity(status))


def file_identity(status: os.stat_result) -> tuple[int, ...]:
    """What tells one version of a file from another without reading it: replacing the file (a rename over it)
    changes its inode; rewriting it in place, its size or times."""
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


# A survey export is checked by its snapshot for the ledger, by `read_survey`, by the sniffing of its format and
# by its reader, each of which can be called alone: its contents (a whole national export, for the NUL scan) are
# read once while the file stays the same. A refusal is not remembered: it is raised again on every call.
@functools.lru_cache(maxsize=256)
def _check_contents(path: Path, limits: ReadLimits, identity: tuple[int, ...]) -> None:
    suffix = path.suffix.lower()
    if suffix in ZIP_CONTAINERS:
        _check_zip(path, limits)
    elif suffix in SPSS_FILES:
        _check_spss(path, limits)
    elif suffix in CSV_FILES:
        _check_csv(path, limits)


# --- Zip containers --------------------------------------------------------------------------------------


def _check_zip(path: Path, limits: ReadLimits) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: the reader says what it expected
    with archive:
        members = archive.infolist()
        declared = sum(member.file_size for member in members)
        # zipfile never inflates a member past its declared size (and a wrong CRC is an error), so the
        # declared sizes bound what any reader of the archive can unpack.
        if declared > limits.max_unpacked_bytes:
            raise _over(path, f"unpacks to {declared:,} bytes (a zip bomb?)", "max_unpacked_bytes")
        if path.suffix.lower() == ".qdpx":
            return  # the REFI-QDA reader checks its XML with defusedxml
        for member in members:
            name = member.filename.lower()
            if name.endswith("sharedstrings.xml") and member.file_size > limits.max_shared_strings_bytes:
                raise _over(
                    path, f"its shared strings unpack to {member.file_size:,} bytes", "max_shared_strings_bytes"
                )
            if name.endswith((".xml", ".rels")):
                _check_prolog(path, archive, member)


def _check_prolog(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Refuse an XLSX part that declares a DTD (entities: an external one reads another file, nested ones
    expand to gigabytes). Only the prolog before the root element is unpacked."""
    head = b""
    try:
        with archive.open(member) as stream:
            while len(head) < PROLOG_SCAN_BYTES and (block := stream.read(1 << 16)):
                head += block
                if _ROOT_ELEMENT.search(head.replace(b"\x00", b"")):
                    break
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError):
        return  # a corrupt member: the reader says what it expected
    text = head.replace(b"\x00", b"")  # UTF-16 XML reads as ASCII with the NULs left out
    root = _ROOT_ELEMENT.search(text)
    prolog = text[: root.start()] if root else text
    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
        raise InputFileError(
            path,
            f"part {member.filename!r} declares a DTD or entities (an XXE or entity-expansion attack); refused unread",
            expected="a workbook saved by a spreadsheet program (no DOCTYPE)",
        )
    if root is None and len(head) >= PROLOG_SCAN_BYTES:
        raise InputFileError(
            path,
            f"part {member.filename!r} has no root element in its first {PROLOG_SCAN_BYTES:,} bytes; refused unread",
            expected="a workbook saved by a spreadsheet program",
        )


# --- SPSS ------------------------------------------------------------------------------------------------


def _check_spss(path: Path, limits: ReadLimits) -> None:
    import pyreadstat

    read = pyreadstat.read_por if path.suffix.lower() == ".por" else pyreadstat.read_sav
    try:
        _, meta = read(str(path), metadataonly=True)
    except Exception:  # noqa: BLE001 - not readable as SPSS: the reader says what it expected
        return
    rows, columns = meta.number_rows or 0, meta.number_columns or 0
    if rows > limits.max_rows:
        raise _over(path, f"its header declares {rows:,} rows (of {columns:,} variables)", "max_rows")
    if columns > limits.max_columns:
        raise _over(path, f"its header declares {columns:,} variables", "max_columns")


# --- CSV -------------------------------------------------------------------------------------------------


def _check_csv(path: Path, limits: ReadLimits) -> None:
    """The header's width, from its first line (never parsed past `HEADER_SCAN_BYTES`), and no NUL byte
    anywhere (a sign of a binary or UTF-16 file saved without its byte-order mark), named by its line."""
    with open(path, "rb") as handle:
        head = handle.read(HEADER_SCAN_BYTES)
        utf16 = head.startswith(UTF16_BOMS)
        text = _header_text(head, utf16)
        line = text.split("\n", 1)[0]
        columns = max(line.count(","), line.count(";"), line.count("\t")) + 1
        if columns > limits.max_columns:
            raise _over(path, f"its header has {columns:,} columns", "max_columns", row=1)
        if utf16:
            return  # NULs are half of UTF-16 text; the reader decodes it and finds any NUL character
        handle.seek(0)
        offset = 0
        while block := handle.read(1 << 20):
            if (at := block.find(b"\x00")) >= 0:
                raise InputFileError(
                    path,
                    "a NUL byte (a binary file, or UTF-16 text without its byte-order mark?)",
                    row=_line_at(handle, offset + at),
                    expected="text saved as CSV (UTF-8, or UTF-16 with its byte-order mark)",
                )
            offset += len(block)


def _line_at(handle: BinaryIO, position: int) -> int:
    """The line (1 = first) holding the byte at `position`: lines are counted only once a NUL is found, as
    counting them while scanning took three times as long as the scan."""
    handle.seek(0)
    lines = 1
    while position > 0 and (block := handle.read(min(position, 1 << 20))):
        lines += block.count(b"\n")
        position -= len(block)
    return lines


def _header_text(head: bytes, utf16: bool) -> str:
    if utf16:
        encoding = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        return head[2 : len(head) & ~1].decode(encoding, errors="replace")
    return head.decode("utf-8", errors="replace")
