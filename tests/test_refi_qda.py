"""REFI-QDA reader and writer, tested on real exports (provenance in tests/fixtures/qualitative/SOURCES.md)."""

from __future__ import annotations

import os
import re
import struct
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from pipeline.codings.refi_qda import CodingSpec, coded_segments, read_refi_qda, write_qdpx
from pipeline.errors import InputFileError
from pipeline.safe_files import ReadLimits

FIXTURES = Path(__file__).parent / "fixtures" / "qualitative"
ATLAS_QDPX = FIXTURES / "TestProject.qdpx"  # ATLAS.ti 8.4 "standard project", no embedded text
ATLAS_QDE = FIXTURES / "Project.qde"  # the same project as a bare .qde
NVIVO_QDPX = FIXTURES / "oltas_teszt.qdpx"  # NVivo 12.6, Hungarian, two embedded text sources
NVIVO_SOURCE = "68BBDC14-C361-4432-B4DD-AE1DBFC12890"


def raw_project_xml(path: Path) -> str:
    """The project XML as text, taken straight from the file without the reader."""
    if path.suffix == ".qde":
        return path.read_text(encoding="utf-8")
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.lower() == "project.qde")
        return archive.read(name).decode("utf-8")


def xml_counts(xml: str) -> dict[str, int]:
    """An independent count of the elements the reader turns into rows."""
    patterns = {
        "users": r"<User\s",
        "codes": r"<Code\s",
        "sources": r"<(?:Text|PDF|Picture|Audio|Video)Source\s",
        "selections": r"<\w+Selection\s",
        "codings": r"<Coding\s",
    }
    return {table: len(re.findall(pattern, xml)) for table, pattern in patterns.items()}


def make_zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


MINIMAL_QDE = b'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>\n'


# --- the real projects ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ATLAS_QDPX, ATLAS_QDE, NVIVO_QDPX], ids=lambda p: p.name)
def test_real_projects_load_every_user_code_source_selection_and_coding(path: Path) -> None:
    project = read_refi_qda(path)
    expected = xml_counts(raw_project_xml(path))
    assert {table: len(getattr(project, table)) for table in expected} == expected
    assert len(coded_segments(project, path.name)) == expected["codings"]  # no source is in a case


def test_real_project_counts_are_the_known_ones() -> None:
    assert xml_counts(raw_project_xml(ATLAS_QDPX)) == {
        "users": 3,
        "codes": 14,
        "sources": 12,
        "selections": 15,
        "codings": 16,
    }
    assert xml_counts(raw_project_xml(NVIVO_QDPX)) == {
        "users": 3,
        "codes": 152,
        "sources": 2,
        "selections": 330,
        "codings": 330,
    }


def test_nvivo_project_gives_nested_code_paths_with_their_parents() -> None:
    codes = read_refi_qda(NVIVO_QDPX).codes.set_index("code_guid")
    leaf = codes.loc["E13DA2AB-F0B7-4416-8BDD-AE1DBFF963EF"]
    assert leaf["code_path"] == (
        "HBM 2. Perceived Severity – Észlelt súlyosság/Betegség kockázatai/relativizálás, analógiák"
    )
    assert leaf["parent_guid"] == "C3CA8E7F-65B1-4AA3-BDDD-AE1DBFF851EA"
    assert codes.loc[leaf["parent_guid"], "code_name"] == "Betegség kockázatai"
    assert leaf["description"] == "csak egy nátha\n"
    assert list(codes.loc[~codes["is_codable"], "code_name"]) == ["Attituderoots"]  # a folder, not a code


def test_nvivo_coder_comes_from_the_coding_not_the_selection() -> None:
    project = read_refi_qda(NVIVO_QDPX)
    coding = project.codings.set_index("coding_guid").loc["DA50C6DE-CD58-40DA-A7E3-BE4B82D7F00C"]
    assert coding["coder_name"] == "Gergo"
    selection = project.selections.set_index("selection_guid").loc[coding["selection_guid"]]
    assert selection["created_by"] == "EAAC2CD0-F7F0-415A-ABDD-AE1D8F6762DE"  # floriansipos made the selection
    assert set(project.codings["coder_name"]) == {"Gergo", "test_user"}


def test_nvivo_excerpts_equal_the_embedded_text_at_the_written_positions() -> None:
    with zipfile.ZipFile(NVIVO_QDPX) as archive:
        text = archive.read(f"Sources/{NVIVO_SOURCE.lower()}.txt").decode("utf-8-sig")
    xml = raw_project_xml(NVIVO_QDPX)
    written = {}
    for tag in re.findall(r"<PlainTextSelection [^>]*>", xml):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        written[attributes["guid"].upper()] = (int(attributes["startPosition"]), int(attributes["endPosition"]))
    assert len(written) == 330
    # NVivo counts positions in UTF-16 code units, not code points, starting after the byte-order mark.
    units = text.encode("utf-16-le")
    selections = read_refi_qda(NVIVO_QDPX).selections.set_index("selection_guid")
    for guid, (start, end) in written.items():
        row = selections.loc[guid]
        assert row["excerpt"] == units[2 * start : 2 * end].decode("utf-16-le")
        assert row["excerpt"] == text[row["start_position"] : row["end_position"]]  # reported in code points
    assert selections.loc["7154A758-6873-4134-BADD-AE1DC04D3086", "excerpt"] == (
        "Senkit nem lehet kötelezni oltásra, ilyet csak ostoba korlátolt agyi kapacitással rendelkező"
        " emberhulladék hozhat aki nem szaporodhat és nem élhet."
    )


def test_atlas_standard_project_keeps_codes_flat_sources_by_type_and_empty_sets() -> None:
    project = read_refi_qda(ATLAS_QDPX)
    codes = project.codes.set_index("code_name")
    # ATLAS.ti writes its hierarchy into the name ("Coke::diet Coke") rather than nesting <Code> elements.
    assert codes.loc["Coke::diet Coke", "code_path"] == "Coke::diet Coke"
    assert pd.isna(codes.loc["Coke::diet Coke", "parent_guid"])
    assert codes.loc["Coke::diet Coke", "description"] == "non sucré"
    assert project.sources["source_type"].value_counts().to_dict() == {
        "text": 6,
        "pdf": 2,
        "video": 2,
        "picture": 1,
        "audio": 1,
    }
    assert not project.sources["text_available"].any()  # its Sources/ folder is empty
    assert project.selections["excerpt"].isna().all()
    assert set(project.codings["coder_name"]) == {"Friedrich Markgraf"}
    members = project.sets.groupby("set_name")["member_guid"]
    assert members.count().to_dict()["Mabel"] == 2
    assert members.count().to_dict()["<3"] == 0  # the empty set is kept, with no member
    plain = project.selections[project.selections["selection_type"] == "PlainTextSelection"]
    assert plain.set_index("selection_guid").loc["4191294A-E287-4510-95B0-69BCE4638E56", "start_position"] == 139


def test_selection_guid_shared_by_pdf_quotation_and_its_text_does_not_duplicate_segments() -> None:
    project = read_refi_qda(ATLAS_QDPX)
    shared = project.selections[project.selections["selection_guid"] == "95916796-D0A0-4B49-80B0-5A5C8B94AE13"]
    assert sorted(shared["selection_type"]) == ["PDFSelection", "PlainTextSelection"]
    segments = coded_segments(project, ATLAS_QDPX.name)
    assert len(segments) == len(project.codings) == 16
    assert segments["coder"].eq("Friedrich Markgraf").all()


def test_bare_qde_loads_the_same_codebook_as_the_qdpx_of_the_same_project() -> None:
    from_qde, from_qdpx = read_refi_qda(ATLAS_QDE), read_refi_qda(ATLAS_QDPX)
    pd.testing.assert_frame_equal(from_qde.codes, from_qdpx.codes)
    pd.testing.assert_frame_equal(from_qde.codings, from_qdpx.codings)
    pd.testing.assert_frame_equal(from_qde.users, from_qdpx.users)


# --- hostile and broken inputs ----------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Project [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>
"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entity_declarations_are_refused(tmp_path: Path, xml: bytes) -> None:
    qdpx = make_zip(tmp_path / "hostile.qdpx", {"project.qde": xml})
    with pytest.raises(InputFileError, match=r"hostile\.qdpx: project\.qde contains a DTD or entity"):
        read_refi_qda(qdpx)
    bare = tmp_path / "hostile.qde"
    bare.write_bytes(xml)
    with pytest.raises(InputFileError, match=r"hostile\.qde: the project file contains a DTD or entity"):
        read_refi_qda(bare)


@pytest.mark.parametrize(
    "member", ["../evil.txt", "Sources/../../evil.txt", "/etc/evil.txt", "C:/evil.txt", "..\\evil.txt"]
)
def test_member_names_pointing_outside_the_archive_are_refused(tmp_path: Path, member: str) -> None:
    qdpx = make_zip(tmp_path / "slip.qdpx", {"project.qde": MINIMAL_QDE, member: b"owned"})
    before = files_named("evil.txt", tmp_path.parent)
    with pytest.raises(InputFileError, match=r"slip\.qdpx: archive member .* points outside the archive"):
        read_refi_qda(qdpx)
    assert files_named("evil.txt", tmp_path.parent) == before


def files_named(name: str, root: Path) -> list[Path]:
    """Every file called `name` under `root`, passing over folders that cannot be listed (another test's
    folder deeper than the path limit, say)."""
    return sorted(Path(folder) / name for folder, _, files in os.walk(root) if name in files)


def test_highly_compressed_member_is_refused_as_a_zip_bomb(tmp_path: Path) -> None:
    qdpx = make_zip(tmp_path / "bomb.qdpx", {"project.qde": MINIMAL_QDE, "Sources/zeros.txt": bytes(4 * 2**20)})
    expected = r"bomb\.qdpx: archive member 'Sources/zeros\.txt' would expand .*zip bomb"
    with pytest.raises(InputFileError, match=expected):
        read_refi_qda(qdpx)


def test_archive_larger_than_the_limit_when_decompressed_is_refused(tmp_path: Path) -> None:
    incompressible = bytes(range(256)) * 512  # 128 KiB that deflate cannot shrink
    qdpx = make_zip(tmp_path / "big.qdpx", {"project.qde": MINIMAL_QDE, "Sources/a.txt": incompressible})
    expected = r"big\.qdpx: unpacks to [\d,]+ bytes .*max_unpacked_bytes.*EVAL_MAX_UNPACKED_BYTES"
    with pytest.raises(InputFileError, match=expected):
        read_refi_qda(qdpx, ReadLimits(max_unpacked_bytes=64 * 1024))


def test_member_whose_declared_size_lies_is_refused(tmp_path: Path) -> None:
    project_xml = MINIMAL_QDE + b"<!--" + b"x" * 5000 + b"-->"
    qdpx = make_zip(tmp_path / "liar.qdpx", {"project.qde": project_xml})
    data = bytearray(qdpx.read_bytes())
    # Claim 10 uncompressed bytes in both the local header (offset 22) and the central directory (offset 24).
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 10)
    struct.pack_into("<I", data, central + 24, 10)
    qdpx.write_bytes(bytes(data))
    expected = r"liar\.qdpx: archive member 'project\.qde' is corrupt or misstates its size"
    with pytest.raises(InputFileError, match=expected):
        read_refi_qda(qdpx)


def test_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "notes.qdpx"
    fake.write_text("Site visit notes, typed in a text editor", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"notes\.qdpx: not a zip archive.*expected a \.qdpx zip"):
        read_refi_qda(fake)


def test_zip_without_a_project_file_is_refused(tmp_path: Path) -> None:
    qdpx = make_zip(tmp_path / "empty.qdpx", {"Sources/a.txt": b"text"})
    with pytest.raises(InputFileError, match=r"empty\.qdpx: no project\.qde at the top of the archive"):
        read_refi_qda(qdpx)


def test_malformed_xml_is_refused_with_its_line_and_column(tmp_path: Path) -> None:
    broken = b'<?xml version="1.0"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="x">\n  <Users>\n</Project>\n'
    qdpx = make_zip(tmp_path / "broken.qdpx", {"project.qde": broken})
    expected = r"broken\.qdpx, row 4, column '3': project\.qde is not well-formed XML \(mismatched tag\)$"
    with pytest.raises(InputFileError, match=expected):
        read_refi_qda(qdpx)


@pytest.mark.parametrize(
    "xml",
    [b'<Project xmlns="urn:example:other" name="x"/>', b'<CodeBook xmlns="urn:QDA-XML:project:1.0"/>'],
    ids=["wrong-namespace", "wrong-root"],
)
def test_xml_that_is_not_a_refi_qda_project_is_refused(tmp_path: Path, xml: bytes) -> None:
    qdpx = make_zip(tmp_path / "other.qdpx", {"project.qde": xml})
    with pytest.raises(InputFileError, match=r"other\.qdpx: project\.qde has root element .*REFI-QDA 1\.0"):
        read_refi_qda(qdpx)


def test_coding_of_a_code_missing_from_the_codebook_is_refused(tmp_path: Path) -> None:
    xml = (
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>'
        b'<TextSource guid="11111111-1111-1111-1111-111111111111" name="s">'
        b"<PlainTextContent>hello</PlainTextContent>"
        b'<PlainTextSelection guid="22222222-2222-2222-2222-222222222222" startPosition="0" endPosition="5">'
        b'<Coding guid="33333333-3333-3333-3333-333333333333">'
        b'<CodeRef targetGUID="44444444-4444-4444-4444-444444444444"/></Coding>'
        b"</PlainTextSelection></TextSource></Sources></Project>"
    )
    qdpx = make_zip(tmp_path / "dangling.qdpx", {"project.qde": xml})
    expected = r"dangling\.qdpx: coding 3333.* refers to code 4444.*not in the codebook"
    with pytest.raises(InputFileError, match=expected):
        read_refi_qda(qdpx)


# --- writing ----------------------------------------------------------------------------------------------

LUTON = "Site visit – Luton.txt"
KIRKLEES = "Interview, Kirklees.txt"
MEMO = "Evaluator memo.txt"
TEXTS = {
    LUTON: "The director of public health chaired every meeting. Webinars were “très utiles” 😀 for staff.",
    KIRKLEES: "Zoë, the project manager, kept the partnership on track; peer exchange was rare.",
    MEMO: "Governance relied on the existing health and wellbeing board.",
}


def coding(source: str, text: str, code_path: str, coder: str) -> CodingSpec:
    start = TEXTS[source].index(text)
    return CodingSpec(source, start, start + len(text), code_path, coder)


def demo_codings() -> list[CodingSpec]:
    """Two coders, nested codes, a passage coded by both, a parent code used directly, a source in no case."""
    return [
        coding(LUTON, "The director of public health", "Leadership/Senior sponsor", "Asha Patel"),
        coding(LUTON, "“très utiles” 😀 for staff", "Support offer/Webinars", "Tomás Ó Briain"),
        coding(LUTON, "“très utiles” 😀 for staff", "Support offer/Webinars", "Asha Patel"),
        coding(KIRKLEES, "Zoë, the project manager", "Leadership/Project management", "Tomás Ó Briain"),
        coding(KIRKLEES, "peer exchange was rare", "Barriers", "Asha Patel"),
        coding(MEMO, "existing health and wellbeing board", "Leadership", "Asha Patel"),
    ]


def write_demo(path: Path, codings: list[CodingSpec] | None = None, origin: str = "demo generator") -> Path:
    write_qdpx(
        path,
        project_name="Healthy Places demo",
        origin=origin,
        users=["Asha Patel", "Tomás Ó Briain"],
        code_paths=[
            "Leadership/Senior sponsor",
            "Leadership/Project management",
            "Support offer/Webinars",
            "Barriers",
        ],
        sources=TEXTS,
        cases={"Luton": [LUTON], "Kirklees": [KIRKLEES]},
        case_variables={
            "Luton": {"wicked problem": "teenage pregnancy", "round": "1"},
            "Kirklees": {"wicked problem": "alcohol-related harm", "round": "2"},
        },
        codings=demo_codings() if codings is None else codings,
        created_at=datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
    )
    return path


def expected_segments() -> list[tuple[object, ...]]:
    cases = {LUTON: "Luton", KIRKLEES: "Kirklees", MEMO: None}
    return sorted(
        (
            spec.source_name,
            cases[spec.source_name],
            spec.code_path,
            spec.coder,
            spec.start,
            spec.end,
            TEXTS[spec.source_name][spec.start : spec.end],
        )
        for spec in demo_codings()
    )


def segment_tuples(segments: pd.DataFrame) -> list[tuple[object, ...]]:
    columns = ["source_name", "case_name", "code_path", "coder", "start_position", "end_position", "excerpt"]
    return sorted(
        tuple(None if pd.isna(value) else value for value in row) for row in segments[columns].itertuples(index=False)
    )


def test_written_project_reads_back_as_exactly_the_specified_segments(tmp_path: Path) -> None:
    path = write_demo(tmp_path / "demo.qdpx")
    project = read_refi_qda(path)
    segments = coded_segments(project, "demo.qdpx")
    assert segment_tuples(segments) == expected_segments()
    assert set(segments["project_file"]) == {"demo.qdpx"}
    assert set(segments["coded_at"]) == {"2024-05-01T09:30:00Z"}

    codes = project.codes.set_index("code_path")
    assert list(codes.index) == [
        "Leadership",
        "Leadership/Senior sponsor",
        "Leadership/Project management",
        "Support offer",
        "Support offer/Webinars",
        "Barriers",
    ]
    assert codes.loc["Leadership/Senior sponsor", "parent_guid"] == codes.loc["Leadership", "code_guid"]
    assert codes["is_codable"].all()
    variables = project.case_variables.merge(project.cases, on="case_guid")
    assert sorted(zip(variables["case_name"], variables["variable_name"], variables["value"], strict=False)) == [
        ("Kirklees", "round", "2"),
        ("Kirklees", "wicked problem", "alcohol-related harm"),
        ("Luton", "round", "1"),
        ("Luton", "wicked problem", "teenage pregnancy"),
    ]
    assert project.sources["text_available"].all()


def test_written_project_is_refi_qda_with_embedded_utf8_text_and_upper_case_guids(tmp_path: Path) -> None:
    path = write_demo(tmp_path / "demo.qdpx")
    xml = raw_project_xml(path)
    assert '<Project xmlns="urn:QDA-XML:project:1.0"' in xml
    guids = re.findall(r'(?:guid|targetGUID)="([^"]+)"', xml)
    assert guids and all(re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", guid) for guid in guids)
    with zipfile.ZipFile(path) as archive:
        for reference in re.findall(r'plainTextPath="internal://([^"]+)"', xml):
            assert archive.read(f"Sources/{reference}").decode("utf-8") in TEXTS.values()
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_writing_twice_gives_identical_bytes_whatever_the_order_of_codings(tmp_path: Path) -> None:
    first = write_demo(tmp_path / "first.qdpx")
    second = write_demo(tmp_path / "second.qdpx", codings=list(reversed(demo_codings())))
    assert first.read_bytes() == second.read_bytes()
    write_demo(first)  # overwrite in place
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.qdpx", "second.qdpx"]  # no temporary left


def test_nvivo_style_export_counts_utf16_units_and_reads_back_in_code_points(tmp_path: Path) -> None:
    path = write_demo(tmp_path / "nvivo.qdpx", origin="NVivo 14")
    webinars = coding(LUTON, "“très utiles” 😀 for staff", "Support offer/Webinars", "Asha Patel")
    start, end = webinars.start, webinars.end
    assert f'startPosition="{start}" endPosition="{end + 1}"' in raw_project_xml(path)  # the emoji counts twice
    assert segment_tuples(coded_segments(read_refi_qda(path), "nvivo.qdpx")) == expected_segments()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (CodingSpec(LUTON, 0, 3, "Barriers", "Somebody Else"), "unknown coder 'Somebody Else'"),
        (CodingSpec(LUTON, 0, 3, "Leadership/Vision", "Asha Patel"), "unknown code 'Leadership/Vision'"),
        (CodingSpec("Nowhere.txt", 0, 3, "Barriers", "Asha Patel"), "unknown source 'Nowhere.txt'"),
        (CodingSpec(LUTON, 5, 500, "Barriers", "Asha Patel"), "positions 5..500, outside the"),
        (CodingSpec(LUTON, 7, 7, "Barriers", "Asha Patel"), "selects nothing: start must be before end"),
    ],
    ids=["coder", "code", "source", "out-of-range", "empty"],
)
def test_writer_refuses_inconsistent_codings_and_writes_nothing(tmp_path: Path, bad: CodingSpec, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        write_demo(tmp_path / "demo.qdpx", codings=[*demo_codings(), bad])
    assert list(tmp_path.iterdir()) == []
