"""REFI-QDA projects (`.qdpx` / `.qde`): read site-visit codings from qualitative software, and write demo exports.

REFI-QDA (namespace `urn:QDA-XML:project:1.0`) is the exchange standard that NVivo, ATLAS.ti, MAXQDA and
QualCoder write. A `.qdpx` is a zip holding `project.qde` (the XML) and `Sources/` (the documents, with each
text source's plain text as `Sources/<guid>.txt`). A bare `.qde` is the XML alone, so no excerpts.

The file comes from outside, so the reader refuses, with an `InputFileError`, anything that is not a plain
REFI-QDA project: DTDs and entity declarations, zip members that point outside the archive, archives that
decompress to far more than they hold, malformed XML and foreign root elements. It never opens a path named
inside the file; embedded plain text is read from the zip only.

Positions in `selections` and `coded_segments` are Unicode code points into the source's plain text (its
leading byte-order mark not counted), as the standard says. NVivo writes UTF-16 code units instead (checked
on `oltas_teszt.qdpx`: every selection lines up with the comment boundaries in UTF-16 units and drifts by one
per emoji before it in code points), so positions from NVivo are converted when the text is embedded
(without the text they are left as written).
"""

from __future__ import annotations

import bisect
import os
import re
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET  # only to build the XML we write; parsing goes through defusedxml

import defusedxml
import defusedxml.ElementTree as SafeET
import pandas as pd

from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, SETTING_NAMES, ReadLimits, check_readable

NAMESPACE = "urn:QDA-XML:project:1.0"
_NS = f"{{{NAMESPACE}}}"

# Limits on what a .qdpx may decompress to. A real project with embedded documents is a few MiB; these leave
# room for large ones while refusing zip bombs before they fill memory. The total is the read limit
# `max_unpacked_bytes` (`pipeline.safe_files`, a setting).
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_ABOVE = 1024 * 1024  # small members may compress very well legitimately (e.g. blank text)
MAX_MEMBERS = 10_000
_CHUNK = 64 * 1024

_SOURCE_TYPES = {
    "TextSource": "text",
    "PDFSource": "pdf",
    "PictureSource": "picture",
    "AudioSource": "audio",
    "VideoSource": "video",
}
# Elements inside a source that carry their own plain text, to which nested selections' positions refer.
_TEXT_HOLDERS = {"Representation", "Transcript", "TextDescription"}
_VALUE_ELEMENTS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")

# Fixed namespace for the writer's GUIDs, so the same demo inputs always give the same file.
GUID_NAMESPACE = uuid.UUID("5d1c9a3e-7f0b-4c4e-9a51-2b6f0e8d4a17")
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

_COLUMNS: dict[str, dict[str, str]] = {
    "users": {"user_guid": "string", "user_name": "string"},
    "codes": {
        "code_guid": "string",
        "code_name": "string",
        "parent_guid": "string",
        "code_path": "string",
        "is_codable": "boolean",
        "description": "string",
    },
    "sources": {
        "source_guid": "string",
        "source_name": "string",
        "source_type": "string",
        "path": "string",
        "text_available": "bool",
    },
    "cases": {"case_guid": "string", "case_name": "string", "description": "string"},
    "case_sources": {"case_guid": "string", "source_guid": "string"},
    "case_variables": {"case_guid": "string", "variable_name": "string", "value": "string"},
    "selections": {
        "selection_guid": "string",
        "source_guid": "string",
        "selection_type": "string",
        "start_position": "Int64",
        "end_position": "Int64",
        "created_by": "string",
        "created_at": "string",
        "excerpt": "string",
    },
    # selection_type is kept on codings because ATLAS.ti gives a PDF quotation and its text representation
    # the same selection GUID (TestProject.qdpx); the pair (guid, type) tells them apart.
    "codings": {
        "coding_guid": "string",
        "selection_guid": "string",
        "selection_type": "string",
        "source_guid": "string",
        "code_guid": "string",
        "coder_guid": "string",
        "coder_name": "string",
        "created_at": "string",
    },
    "sets": {"set_guid": "string", "set_name": "string", "member_guid": "string"},
}

SEGMENT_COLUMNS: dict[str, str] = {
    "project_file": "string",
    "source_guid": "string",
    "source_name": "string",
    "case_name": "string",
    "code_guid": "string",
    "code_name": "string",
    "code_path": "string",
    "coder": "string",
    "start_position": "Int64",
    "end_position": "Int64",
    "excerpt": "string",
    "coded_at": "string",
}


@dataclass(frozen=True, eq=False)
class QdaProject:
    """A REFI-QDA project as tables, one per kind of object; GUIDs upper-case without braces.

    `codes.code_path` joins the names of nested codes with "/". `selections` holds every kind of selection
    (PlainText, PDF, Picture, Audio, Video, Transcript); positions and `excerpt` only for plain text, the
    excerpt only when the text is embedded. `codings` has one row per <Coding>: `selection_guid` is null when
    a whole source is coded, `coder_guid` is the coding's creatingUser, else its selection's. `sets` has one
    row per member (codes and sources alike), or one row with a null member for an empty set.
    """

    users: pd.DataFrame
    codes: pd.DataFrame
    sources: pd.DataFrame
    cases: pd.DataFrame
    case_sources: pd.DataFrame
    case_variables: pd.DataFrame
    selections: pd.DataFrame
    codings: pd.DataFrame
    sets: pd.DataFrame


@dataclass(frozen=True)
class CodingSpec:
    """One coded text segment for `write_qdpx`: code points `start`..`end` of a source, coded by a coder."""

    source_name: str
    start: int
    end: int
    code_path: str
    coder: str


# ---------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------


def read_refi_qda(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> QdaProject:
    """Read a REFI-QDA `.qdpx` (zip) or bare `.qde` (XML) into a `QdaProject`, once the file is checked
    against `limits` (`pipeline.safe_files`: a regular file inside the drop zone, unpacking to no more
    than `max_unpacked_bytes`).

    Raises `InputFileError` naming the file and the problem for anything unsafe or not REFI-QDA.
    """
    path = Path(path)
    check_readable(path, limits)
    if path.suffix.lower() == ".qde":
        if path.stat().st_size > limits.max_unpacked_bytes:
            raise InputFileError(
                path,
                f"the project file is larger than {limits.max_unpacked_bytes:,} bytes, the read limit max_unpacked_bytes",
                expected=f"a file within the limit (setting {SETTING_NAMES['max_unpacked_bytes']})",
            )
        root = _parse_project_xml(path.read_bytes(), path)
        return _build_project(root, path, lambda _ref: None)
    with _SafeArchive(path, limits.max_unpacked_bytes) as archive:
        member = archive.project_member
        root = _parse_project_xml(archive.read(member), path, archive.display_name(member))
        return _build_project(root, path, archive.plain_text)


class _SafeArchive:
    """A .qdpx opened for reading, checked against zip-slip and zip bombs before any member is read."""

    def __init__(self, path: Path, max_unpacked_bytes: int) -> None:
        self.path = path
        self.max_unpacked_bytes = max_unpacked_bytes
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:  # a missing or unreadable file raises OSError as usual
            raise InputFileError(
                path, f"not a zip archive ({exc})", expected="a .qdpx zip holding project.qde and Sources/"
            ) from exc
        try:
            self._members = self._check_members()
            self.project_member = self._find_project_member()
        except InputFileError:
            self._zip.close()
            raise
        self._budget = max_unpacked_bytes
        self._texts: dict[str, str | None] = {}  # a text can be shared, e.g. by a source and a transcript

    def __enter__(self) -> _SafeArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._zip.close()

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputFileError(self.path, f"the archive holds {len(infos)} members, more than {MAX_MEMBERS}")
        declared_total = 0
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if _is_unsafe_member_name(info.filename):
                raise InputFileError(
                    self.path,
                    f"archive member {info.filename!r} points outside the archive (zip-slip)",
                    expected="relative member names such as Sources/<guid>.txt",
                )
            declared_total += info.file_size
            if info.file_size > RATIO_CHECKED_ABOVE and info.file_size > MAX_COMPRESSION_RATIO * max(
                info.compress_size, 1
            ):
                raise InputFileError(
                    self.path,
                    f"archive member {info.filename!r} would expand from {info.compress_size} to {info.file_size}"
                    f" bytes (more than {MAX_COMPRESSION_RATIO}:1): refused as a possible zip bomb",
                )
            # Lookups are case-insensitive because vendors write both Sources/ and sources/.
            members[info.filename.replace("\\", "/").lower()] = info
        if declared_total > self.max_unpacked_bytes:
            raise InputFileError(
                self.path,
                f"the archive would decompress to {declared_total} bytes, more than {self.max_unpacked_bytes}:"
                " refused as a possible zip bomb",
            )
        return members

    def _find_project_member(self) -> str:
        qde = [name for name in self._members if name.endswith(".qde") and "/" not in name]
        if "project.qde" in qde:
            return "project.qde"
        if len(qde) == 1:
            return qde[0]
        raise InputFileError(
            self.path,
            "no project.qde at the top of the archive" if not qde else f"several .qde files: {sorted(qde)}",
            expected="a REFI-QDA .qdpx holding one project.qde",
        )

    def display_name(self, member: str) -> str:
        """The member's name as written in the archive."""
        return self._members[member].filename

    def read(self, member: str) -> bytes:
        """Bytes of a member, counting what is actually decompressed, since declared sizes can lie."""
        info = self._members[member]
        limit = min(info.file_size, self._budget)
        data = bytearray()
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    data += chunk
                    if len(data) > limit:
                        raise InputFileError(
                            self.path,
                            f"archive member {info.filename!r} decompresses to more than its declared size or"
                            " the archive's limit: refused as a possible zip bomb",
                        )
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
            raise InputFileError(
                self.path, f"archive member {info.filename!r} is corrupt or misstates its size ({exc})"
            ) from exc
        self._budget -= len(data)
        return bytes(data)

    def plain_text(self, reference: str) -> str | None:
        """The text behind an `internal://<file>` reference, or None when it is not embedded."""
        if not reference.startswith("internal://"):
            return None  # relative:// and absolute paths point outside the file: never opened
        member = "sources/" + reference.removeprefix("internal://").lower()
        if member not in self._members or _is_unsafe_member_name(member):
            return None
        if member not in self._texts:
            try:
                self._texts[member] = self.read(member).decode("utf-8-sig")  # -sig: NVivo writes a BOM
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    self.path, f"{self.display_name(member)} is not UTF-8 text ({exc.reason})"
                ) from exc
        return self._texts[member]


def _is_unsafe_member_name(name: str) -> bool:
    parts = re.split(r"[/\\]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


def _parse_project_xml(data: bytes, path: Path, member: str | None = None) -> ET.Element:
    where = member or "the project file"
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise InputFileError(
            path,
            f"{where} contains a DTD or entity declarations ({type(exc).__name__}), which REFI-QDA never needs;"
            " refused as unsafe",
        ) from exc
    except SafeET.ParseError as exc:
        line, offset = exc.position
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))  # the position goes in row/column instead
        # expat counts columns from 0; editors count from 1.
        raise InputFileError(
            path, f"{where} is not well-formed XML ({reason})", row=line, column=str(offset + 1)
        ) from exc
    if root.tag != f"{_NS}Project":
        raise InputFileError(
            path,
            f"{where} has root element {root.tag!r}",
            expected=f"<Project> in namespace {NAMESPACE} (REFI-QDA 1.0)",
        )
    return root


class _PlainText:
    """A source's plain text, with the conversion from the file's position unit to code points."""

    def __init__(self, text: str, utf16_positions: bool) -> None:
        self.text = text
        self._utf16 = utf16_positions
        # UTF-16 offset just after each character outside the Basic Multilingual Plane (two UTF-16 units).
        self._astral_ends: list[int] = []
        if utf16_positions:
            extra = 0
            for index, char in enumerate(text):
                if ord(char) > 0xFFFF:
                    extra += 1
                    self._astral_ends.append(index + extra + 1)

    def code_point(self, position: int) -> int:
        if not self._utf16:
            return position
        return position - bisect.bisect_right(self._astral_ends, position)


def _uses_utf16_positions(origin: str) -> bool:
    """True for software known to count positions in UTF-16 code units rather than code points."""
    return "nvivo" in origin.lower()


def _build_project(root: ET.Element, path: Path, text_for: Callable[[str], str | None]) -> QdaProject:
    """Turn the parsed XML into tables; `text_for` resolves a plainTextPath to embedded text (or None)."""
    utf16 = _uses_utf16_positions(root.get("origin", ""))

    def text_of(element: ET.Element) -> _PlainText | None:
        inline = element.find(f"{_NS}PlainTextContent")
        if inline is not None:
            return _PlainText(inline.text or "", utf16)
        reference = element.get("plainTextPath")
        text = None if reference is None else text_for(reference)
        return None if text is None else _PlainText(text, utf16)

    rows: dict[str, list[dict[str, object]]] = {table: [] for table in _COLUMNS}

    for user in _children(root, "Users", "User"):
        rows["users"].append({"user_guid": _guid(user, path), "user_name": user.get("name")})
    user_names = {row["user_guid"]: row["user_name"] for row in rows["users"]}

    for code in _children(root, "CodeBook", "Codes", "Code"):
        _add_code(code, None, None, rows["codes"], path)
    code_guids = {row["code_guid"] for row in rows["codes"]}

    variable_names = {_guid(v, path): _required(v, "name", path) for v in _children(root, "Variables", "Variable")}
    for case in _children(root, "Cases", "Case"):
        case_guid = _guid(case, path)
        description = _child_text(case, "Description")
        rows["cases"].append({"case_guid": case_guid, "case_name": case.get("name"), "description": description})
        for ref in case.findall(f"{_NS}SourceRef"):
            rows["case_sources"].append({"case_guid": case_guid, "source_guid": _guid(ref, path, "targetGUID")})
        for value in case.findall(f"{_NS}VariableValue"):
            rows["case_variables"].append(_variable_value(value, case_guid, variable_names, path))

    for source in root.findall(f"{_NS}Sources/*"):
        kind = _local(source.tag)
        if kind not in _SOURCE_TYPES:
            raise InputFileError(path, f"unknown source element <{kind}>", expected=", ".join(_SOURCE_TYPES))
        source_guid = _guid(source, path)
        own_text = text_of(source)
        has_text = own_text is not None or any(
            text_of(child) is not None for child in source if _local(child.tag) == "Representation"
        )
        rows["sources"].append(
            {
                "source_guid": source_guid,
                "source_name": source.get("name"),
                "source_type": _SOURCE_TYPES[kind],
                "path": source.get("plainTextPath") or source.get("path"),
                "text_available": has_text,
            }
        )
        _collect_selections(source, source_guid, own_text, None, rows, path, text_of)

    for coding in rows["codings"]:
        if coding["code_guid"] not in code_guids:
            raise InputFileError(
                path,
                f"coding {coding['coding_guid']} refers to code {coding['code_guid']}, which is not in the codebook",
            )
        coding["coder_name"] = user_names.get(coding["coder_guid"])

    for code_set in _children(root, "Sets", "Set"):
        set_guid, set_name = _guid(code_set, path), code_set.get("name")
        members = [m for m in code_set if _local(m.tag).startswith("Member")]
        # An empty set is kept as one row with no member, so it is not lost.
        for member in members or [None]:
            member_guid = None if member is None else _guid(member, path, "targetGUID")
            rows["sets"].append({"set_guid": set_guid, "set_name": set_name, "member_guid": member_guid})

    return QdaProject(**{table: _frame(rows[table], _COLUMNS[table]) for table in _COLUMNS})


def _add_code(
    code: ET.Element, parent_guid: str | None, parent_path: str | None, out: list[dict[str, object]], path: Path
) -> None:
    name = _required(code, "name", path)
    code_guid = _guid(code, path)
    code_path = name if parent_path is None else f"{parent_path}/{name}"
    codable = code.get("isCodable")
    out.append(
        {
            "code_guid": code_guid,
            "code_name": name,
            "parent_guid": parent_guid,
            "code_path": code_path,
            "is_codable": None if codable is None else codable.strip().lower() in ("true", "1"),
            "description": _child_text(code, "Description"),
        }
    )
    for child in code.findall(f"{_NS}Code"):
        _add_code(child, code_guid, code_path, out, path)


def _variable_value(value: ET.Element, case_guid: str, variable_names: dict[str, str], path: Path) -> dict[str, object]:
    ref = value.find(f"{_NS}VariableRef")
    if ref is None:
        raise InputFileError(path, f"a <VariableValue> of case {case_guid} has no <VariableRef>")
    variable_guid = _guid(ref, path, "targetGUID")
    if variable_guid not in variable_names:
        raise InputFileError(
            path,
            f"case {case_guid} has a value for variable {variable_guid}, which is not declared in <Variables>",
        )
    text = None
    for tag in _VALUE_ELEMENTS:  # the standard allows exactly one of these, by the variable's type
        found = value.find(f"{_NS}{tag}")
        if found is not None:
            text = found.text
            break
    return {"case_guid": case_guid, "variable_name": variable_names[variable_guid], "value": text}


def _collect_selections(
    element: ET.Element,
    source_guid: str,
    text: _PlainText | None,
    selection: dict[str, object] | None,
    rows: dict[str, list[dict[str, object]]],
    path: Path,
    text_of: Callable[[ET.Element], _PlainText | None],
) -> None:
    """Walk a source's subtree: selections (at any depth, e.g. inside a PDF's text representation) and codings."""
    for child in element:
        kind = _local(child.tag)
        if kind == "Coding":
            rows["codings"].append(_coding_row(child, source_guid, selection, path))
        elif kind.endswith("Selection"):
            row = _selection_row(child, kind, source_guid, text, path)
            rows["selections"].append(row)
            _collect_selections(child, source_guid, text, row, rows, path, text_of)
        elif kind in _TEXT_HOLDERS:
            _collect_selections(child, source_guid, text_of(child), selection, rows, path, text_of)


def _selection_row(
    element: ET.Element, kind: str, source_guid: str, text: _PlainText | None, path: Path
) -> dict[str, object]:
    selection_guid = _guid(element, path)
    start = end = excerpt = None
    if kind == "PlainTextSelection":
        start, end = _position(element, "startPosition", path), _position(element, "endPosition", path)
        if end < start:
            raise InputFileError(path, f"selection {selection_guid} ends ({end}) before it starts ({start})")
        if text is not None:
            start, end = text.code_point(start), text.code_point(end)
            if end > len(text.text):
                raise InputFileError(
                    path,
                    f"selection {selection_guid} ends at character {end}, beyond the"
                    f" {len(text.text)} characters of source {source_guid}'s text",
                )
            excerpt = text.text[start:end]
    return {
        "selection_guid": selection_guid,
        "source_guid": source_guid,
        "selection_type": kind,
        "start_position": start,
        "end_position": end,
        "created_by": _optional_guid(element.get("creatingUser")),
        "created_at": element.get("creationDateTime"),
        "excerpt": excerpt,
    }


def _coding_row(
    element: ET.Element, source_guid: str, selection: dict[str, object] | None, path: Path
) -> dict[str, object]:
    coding_guid = _guid(element, path)
    ref = element.find(f"{_NS}CodeRef")
    if ref is None:
        raise InputFileError(path, f"coding {coding_guid} has no <CodeRef>", expected="one <CodeRef targetGUID>")
    # NVivo puts the coder on <Coding> and may credit the selection to someone else; fall back to the selection.
    coder = _optional_guid(element.get("creatingUser")) or (selection or {}).get("created_by")
    return {
        "coding_guid": coding_guid,
        "selection_guid": None if selection is None else selection["selection_guid"],
        "selection_type": None if selection is None else selection["selection_type"],
        "source_guid": source_guid,
        "code_guid": _guid(ref, path, "targetGUID"),
        "coder_guid": coder,
        "coder_name": None,  # filled in once all users are known
        "created_at": element.get("creationDateTime"),
    }


def _children(root: ET.Element, *names: str) -> list[ET.Element]:
    return root.findall("/".join(f"{_NS}{name}" for name in names))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, name: str) -> str | None:
    return element.findtext(f"{_NS}{name}")


def _required(element: ET.Element, attribute: str, path: Path) -> str:
    value = element.get(attribute)
    if value is None:
        raise InputFileError(
            path,
            f"a <{_local(element.tag)}> element has no {attribute} attribute",
            expected=f'{attribute}="..."',
        )
    return value


def _guid(element: ET.Element, path: Path, attribute: str = "guid") -> str:
    return _normal_guid(_required(element, attribute, path))


def _optional_guid(value: str | None) -> str | None:
    return None if value is None else _normal_guid(value)


def _normal_guid(value: str) -> str:
    # The standard allows upper- or lower-case and braces (NVivo writes lower, ATLAS.ti upper); one spelling
    # lets references join.
    return value.strip().strip("{}").upper()


def _position(element: ET.Element, attribute: str, path: Path) -> int:
    value = _required(element, attribute, path)
    try:
        position = int(value)
    except ValueError:
        position = -1
    if position < 0:
        raise InputFileError(
            path,
            f"{attribute}={value!r} on selection {element.get('guid')}",
            expected="a whole number of characters from 0",
        )
    return position


def _frame(rows: list[dict[str, object]], columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


def coded_segments(project: QdaProject, project_file: str) -> pd.DataFrame:
    """One row per coding x case that its source belongs to (case columns null when the source is in no case).

    Columns: project_file, source_guid, source_name, case_name, code_guid, code_name, code_path, coder (user
    name, else the user GUID), start_position, end_position, excerpt, coded_at.
    """
    selections = project.selections.drop_duplicates(["selection_guid", "selection_type"])[
        ["selection_guid", "selection_type", "start_position", "end_position", "excerpt"]
    ]
    cases = project.case_sources.merge(project.cases[["case_guid", "case_name"]], on="case_guid", how="left")
    segments = (
        project.codings.merge(selections, on=["selection_guid", "selection_type"], how="left")
        .merge(project.codes[["code_guid", "code_name", "code_path"]], on="code_guid", how="left")
        .merge(project.sources[["source_guid", "source_name"]], on="source_guid", how="left")
        .merge(cases[["source_guid", "case_name"]], on="source_guid", how="left")
    )
    segments["project_file"] = project_file
    segments["coder"] = segments["coder_name"].fillna(segments["coder_guid"])
    segments["coded_at"] = segments["created_at"]
    return segments[list(SEGMENT_COLUMNS)].astype(SEGMENT_COLUMNS).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------


def write_qdpx(
    path: Path,
    *,
    project_name: str,
    origin: str,
    users: list[str],
    code_paths: list[str],
    sources: dict[str, str],
    cases: dict[str, list[str]],
    case_variables: dict[str, dict[str, str]],
    codings: list[CodingSpec],
    created_at: datetime,
) -> None:
    """Write a REFI-QDA 1.0 `.qdpx` holding text sources coded as `codings` describe (for demo data).

    `code_paths` are "/"-separated; parents are created (and codable) as needed. `cases` maps a case name to
    its source names and `case_variables` a case name to text variables. Positions in `codings` are code
    points into the source text. The output is byte-for-byte the same for the same inputs (GUIDs derived by
    uuid5, fixed zip timestamps, stable order), and is written beside `path` then renamed into place.
    Raises ValueError naming the first inconsistent input.
    """
    _validate_writer_inputs(users, code_paths, sources, cases, case_variables, codings)
    stamp = _timestamp(created_at)
    utf16 = _uses_utf16_positions(origin)
    user_guid = {name: _make_guid("user", name) for name in users}  # a coder keeps one GUID across projects

    def guid(kind: str, identity: str) -> str:
        return _make_guid(kind, project_name, identity)

    root = ET.Element(
        "Project",
        {
            "xmlns": NAMESPACE,
            "name": project_name,
            "origin": origin,
            "creationDateTime": stamp,
            "modifiedDateTime": stamp,
        },
    )
    users_el = ET.SubElement(root, "Users")
    for name in users:
        ET.SubElement(users_el, "User", {"guid": user_guid[name], "name": name})

    codes_el = ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes")
    code_elements: dict[str, ET.Element] = {}
    for code_path in _all_code_paths(code_paths):
        parent_path, _, name = code_path.rpartition("/")
        parent = code_elements[parent_path] if parent_path else codes_el
        attributes = {"guid": guid("code", code_path), "name": name, "isCodable": "true"}
        code_elements[code_path] = ET.SubElement(parent, "Code", attributes)

    variable_names = list(dict.fromkeys(name for values in case_variables.values() for name in values))
    if variable_names:
        variables_el = ET.SubElement(root, "Variables")
        for name in variable_names:
            attributes = {"guid": guid("variable", name), "name": name, "typeOfVariable": "Text"}
            ET.SubElement(variables_el, "Variable", attributes)
    if cases:
        cases_el = ET.SubElement(root, "Cases")
        for case_name, source_names in cases.items():
            case_el = ET.SubElement(cases_el, "Case", {"guid": guid("case", case_name), "name": case_name})
            for variable, value in case_variables.get(case_name, {}).items():
                value_el = ET.SubElement(case_el, "VariableValue")
                ET.SubElement(value_el, "VariableRef", {"targetGUID": guid("variable", variable)})
                ET.SubElement(value_el, "TextValue").text = value
            for source_name in source_names:
                ET.SubElement(case_el, "SourceRef", {"targetGUID": guid("source", source_name)})

    sources_el = ET.SubElement(root, "Sources")
    embedded: list[tuple[str, bytes]] = []
    for source_name, text in sources.items():
        source_guid = guid("source", source_name)
        source_el = ET.SubElement(
            sources_el,
            "TextSource",
            {
                "guid": source_guid,
                "name": source_name,
                "plainTextPath": f"internal://{source_guid}.txt",
                "creationDateTime": stamp,
            },
        )
        embedded.append((f"Sources/{source_guid}.txt", text.encode("utf-8")))
        # Code points in the specs; software that counts UTF-16 units gets those, like its real exports.
        offsets = _utf16_offsets(text) if utf16 else list(range(len(text) + 1))
        specs = sorted(
            (spec for spec in codings if spec.source_name == source_name),
            key=lambda spec: (spec.start, spec.end, spec.code_path, spec.coder),
        )
        for spec in specs:
            identity = "\x1f".join((source_name, str(spec.start), str(spec.end), spec.code_path, spec.coder))
            coder = user_guid[spec.coder]
            selection_attributes = {
                "guid": guid("selection", identity),
                "startPosition": str(offsets[spec.start]),
                "endPosition": str(offsets[spec.end]),
                "creatingUser": coder,
                "creationDateTime": stamp,
            }
            selection_el = ET.SubElement(source_el, "PlainTextSelection", selection_attributes)
            coding_el = ET.SubElement(
                selection_el,
                "Coding",
                {"guid": guid("coding", identity), "creatingUser": coder, "creationDateTime": stamp},
            )
            ET.SubElement(coding_el, "CodeRef", {"targetGUID": guid("code", spec.code_path)})

    ET.indent(root)
    project_xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    _write_zip_atomically(Path(path), [("project.qde", project_xml), *embedded])


def _validate_writer_inputs(
    users: list[str],
    code_paths: list[str],
    sources: dict[str, str],
    cases: dict[str, list[str]],
    case_variables: dict[str, dict[str, str]],
    codings: list[CodingSpec],
) -> None:
    if len(set(users)) != len(users) or not all(users):
        raise ValueError(f"users must be distinct non-empty names, got {users}")
    for code_path in code_paths:
        if not code_path or any(part.strip() == "" for part in code_path.split("/")):
            raise ValueError(f"code path {code_path!r} has an empty part; write it as 'Parent/Child'")
    known_codes = set(_all_code_paths(code_paths))
    for case_name, source_names in cases.items():
        for source_name in source_names:
            if source_name not in sources:
                raise ValueError(f"case {case_name!r} lists unknown source {source_name!r}")
    for case_name in case_variables:
        if case_name not in cases:
            raise ValueError(f"case_variables names unknown case {case_name!r}; known cases: {sorted(cases)}")
    seen: set[CodingSpec] = set()
    for spec in codings:
        if spec.source_name not in sources:
            raise ValueError(f"coding {spec} names unknown source {spec.source_name!r}")
        if spec.code_path not in known_codes:
            raise ValueError(f"coding {spec} names unknown code {spec.code_path!r}")
        if spec.coder not in users:
            raise ValueError(f"coding {spec} names unknown coder {spec.coder!r}; users are {users}")
        length = len(sources[spec.source_name])
        if spec.start >= spec.end:
            raise ValueError(f"coding {spec} selects nothing: start must be before end")
        if not 0 <= spec.start < spec.end <= length:
            raise ValueError(
                f"coding {spec} has positions {spec.start}..{spec.end}, outside the {length} characters of"
                f" source {spec.source_name!r} (need 0 <= start < end <= {length}, in characters)"
            )
        if spec in seen:
            raise ValueError(f"coding {spec} is listed twice")
        seen.add(spec)


def _all_code_paths(code_paths: list[str]) -> list[str]:
    """The given paths plus their parents, parents first, in order of first mention."""
    ordered: dict[str, None] = {}
    for code_path in code_paths:
        parts = code_path.split("/")
        for depth in range(1, len(parts) + 1):
            ordered.setdefault("/".join(parts[:depth]), None)
    return list(ordered)


def _make_guid(kind: str, *identity: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join((kind, *identity)))).upper()


def _timestamp(moment: datetime) -> str:
    # A naive datetime is taken as UTC: the standard's xsd:dateTime values are written in UTC (Z).
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utf16_offsets(text: str) -> list[int]:
    """UTF-16 offset of every code-point position 0..len(text), for software that counts UTF-16 units."""
    offsets = [0]
    for char in text:
        offsets.append(offsets[-1] + (2 if ord(char) > 0xFFFF else 1))
    return offsets


def _write_zip_atomically(path: Path, members: list[tuple[str, bytes]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # fixed, since the default depends on the platform writing the file
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.chmod(temporary, 0o644)  # mkstemp creates owner-only files; an export is meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
