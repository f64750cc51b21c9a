"""Hostile XML and zip uploads are refused with a clear, located problem: nothing is expanded,
fetched or written to disk, and memory stays bounded while refusing."""
from __future__ import annotations

import io
import os
import socket
import stat
import struct
import tempfile
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest

from question_bank import safe_xml
from question_bank.moodle_xml import parse_moodle_xml, parse_moodle_xml_with_media
from question_bank.qti import parse_qti_package, parse_qti_xml
from question_bank.safe_zip import ZipLimits, open_zip

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
MB = 1024 * 1024
PARSERS = {"moodle": parse_moodle_xml, "qti": parse_qti_xml}

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE quiz [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n'
              for i in range(1, 10))
    + "]>\n<quiz><question type=\"multichoice\"><name><text>&lol9;</text></name></question></quiz>"
)
XXE = ('<?xml version="1.0"?>\n<!DOCTYPE quiz [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
       '<quiz><question type="multichoice"><name><text>&xxe;</text></name></question></quiz>')
EXTERNAL_DTD = '<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://127.0.0.1:9/x.dtd">\n<quiz/>'
PARAMETER_ENTITY = ('<!DOCTYPE assessmentItem [\n<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd">\n'
                    '%p;\n]>\n<assessmentItem/>')


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """An empty working folder and temp folder that must stay empty; no network at all."""
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("TMPDIR", str(tmp))
    attempts: list = []

    def refuse_connect(sock, address):
        attempts.append(address)
        raise OSError("network use in a test of hostile uploads")

    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    yield
    assert os.listdir(cwd) == [] and os.listdir(tmp) == []
    assert not (tmp_path / "evil.txt").exists() and attempts == []


def refused(bank) -> str:
    assert bank.questions == [] and bank.problems
    return " | ".join(p.message for p in bank.problems)


@pytest.mark.parametrize("parser", sorted(PARSERS))
@pytest.mark.parametrize(("xml", "says"), [
    (XXE, "XML external entities are not allowed"),
    (BILLION_LAUGHS, "XML entities are not allowed"),
    (EXTERNAL_DTD, "DOCTYPE"),
    (PARAMETER_ENTITY, "XML external entities are not allowed"),
])
def test_entities_and_doctypes_are_refused_before_anything_expands(sandbox, parser, xml, says):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        bank = PARSERS[parser](xml.encode(), "bank.xml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = refused(bank)
    assert says in message and "root:" not in message and "lollol" not in message
    assert bank.problems[0].line in (1, 2)
    assert peak < 10 * MB and time.perf_counter() - started < 2


@pytest.mark.skipif(not (SAMPLES / "hostile").is_dir(), reason="shared samples not present")
@pytest.mark.parametrize("parser", sorted(PARSERS))
@pytest.mark.parametrize(("name", "says"), [
    ("defusedxml_external.xml", "XML external entities are not allowed"),
    ("defusedxml_external_file.xml", "XML external entities are not allowed"),
    ("defusedxml_xmlbomb.xml", "XML entities are not allowed"),
])
def test_shared_hostile_samples(sandbox, parser, name, says):
    bank = PARSERS[parser]((SAMPLES / "hostile" / name).read_bytes(), name)
    assert says in refused(bank) and bank.problems[0].line == 1


def test_deep_nesting_too_many_elements_and_size_are_bounded(sandbox, monkeypatch):
    deep = b"<quiz>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</quiz>"
    assert "nested more than 100 deep" in refused(parse_moodle_xml(deep, "deep.xml"))
    monkeypatch.setattr(safe_xml, "MAX_ELEMENTS", 100)
    wide = b"<quiz>" + b"<question/>\n" * 200 + b"</quiz>"
    problem = parse_moodle_xml(wide, "wide.xml").problems[0]
    assert "more than 100 XML elements" in problem.message and problem.line == 100
    monkeypatch.setattr(safe_xml, "MAX_XML_BYTES", 1000)
    assert "at most 0 MB" in refused(parse_moodle_xml(b" " * 1001, "big.xml"))


def test_html_inside_a_question_cannot_carry_script_or_outside_images(sandbox):
    xml = ('<quiz><question type="multichoice"><name><text>x</text></name>'
           '<questiontext format="html"><text><![CDATA[Soal<script>alert(1)</script>'
           '<img src="javascript:alert(1)"><style>p{}</style>]]></text></questiontext>'
           '<answer fraction="100"><text>a</text></answer>'
           '<answer fraction="0"><text>b</text></answer></question></quiz>')
    bank, media = parse_moodle_xml_with_media(xml.encode(), "x.xml")
    assert "not embedded" in refused(bank) and media == {}


# --- zip archives -----------------------------------------------------------------------------

def build_zip(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # zipfile warns about duplicate names
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, content in members:
                archive.writestr(info, content)
    return buffer.getvalue()


def zeros_member(size: int) -> bytes:
    """A zip with one member of `size` zero bytes, written in chunks (a classic bomb)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("items/bomb.xml", "w") as stream:
            chunk = bytes(MB)
            for _ in range(size // MB):
                stream.write(chunk)
    return buffer.getvalue()


def patch_central(data: bytes, name: str, offset: int, fmt: str, value: int) -> bytes:
    """Rewrite one field of a member's central directory entry (and of its local header, for
    the sizes), as a hostile archiver would."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46: at + 46 + length] == name.encode():
            struct.pack_into(fmt, out, at + offset, value)
            if offset == 24:                       # uncompressed size: local header too
                local = struct.unpack_from("<I", out, at + 42)[0]
                struct.pack_into(fmt, out, local + 22, value)
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zeros_member(50 * MB)


def test_a_zip_bomb_is_refused_from_its_directory_with_little_memory(sandbox, bomb):
    assert len(bomb) < MB
    tracemalloc.start()
    try:
        bank, media = parse_qti_package(bomb, "bomb.zip")
        members, problems = open_zip(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = refused(bank)
    assert "'items/bomb.xml'" in message and "zip bomb" in message and "to 1" in message
    assert members is None and media == {} and problems == bank.problems
    assert peak < 100 * MB, f"peak {peak / MB:.1f} MB"


def test_a_header_that_understates_the_size_cannot_inflate_past_it(sandbox, bomb):
    lying = patch_central(bomb, "items/bomb.xml", 24, "<I", 1000)
    tracemalloc.start()
    try:
        members, problems = open_zip(lying)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert members is None
    assert "'items/bomb.xml'" in problems[0].message and "damaged" in problems[0].message
    assert peak < 100 * MB, f"peak {peak / MB:.1f} MB"


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(("name", "says"), [
    ("../evil.txt", "'..' in a path is not allowed"),
    ("items/../../evil.txt", "'..' in a path is not allowed"),
    ("/tmp/evil.txt", "absolute paths are not allowed"),
    ("..\\evil.txt", "backslashes in a name are not allowed"),
    ("C:/evil.txt", "drive letters are not allowed"),
])
def test_hostile_member_names_are_refused_before_reading(sandbox, name, says):
    data = build_zip([("imsmanifest.xml", b"<manifest/>"), (name, b"owned")])
    bank, media = parse_qti_package(data, "evil.zip")
    assert f"zip member {name!r}: {says}" in refused(bank) and media == {}


def test_nul_symlink_duplicate_and_encrypted_members_are_refused(sandbox):
    data = build_zip([("imsmanifest.xml", b"<manifest/>"), ("aXb.xml", b"x"),
                      (symlink("link.xml"), b"/etc/passwd"), ("dup.xml", b"1"), ("dup.xml", b"2"),
                      ("secret.xml", b"s")])
    data = data.replace(b"aXb.xml", b"a\x00b.xml")
    data = patch_central(data, "secret.xml", 8, "<H", 0x1)
    members, problems = open_zip(data)
    assert members is None
    text = "\n".join(p.message for p in problems)
    assert "'a\\x00b.xml': a NUL character in a name is not allowed" in text
    assert "'link.xml': symbolic links are not allowed" in text
    assert "'dup.xml': the archive holds this name twice" in text
    assert "'secret.xml': encrypted members are not supported" in text


def test_member_count_and_sizes_are_limited(sandbox):
    many = build_zip([(f"m{i}.txt", b"") for i in range(2001)])
    assert "holds 2,001 members" in open_zip(many)[1][0].message
    data = build_zip([("a.xml", b"x" * 600), ("b.xml", b"y" * 600)])
    assert "unpacks to 0.0 MB" in open_zip(data, ZipLimits(max_total=1000))[1][0].message
    members, problems = open_zip(data, ZipLimits(max_member=500))
    assert members is None and len(problems) == 2 and "a member may be at most" in \
        problems[0].message
    members, problems = open_zip(data)
    assert problems == [] and members == {"a.xml": b"x" * 600, "b.xml": b"y" * 600}


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04", b"PK\x05\x06\xff"])
def test_broken_archives_are_problems_not_crashes(sandbox, data):
    members, problems = open_zip(data)
    assert members is None and "not a readable zip archive" in problems[0].message


def test_an_empty_archive_opens_but_is_no_package(sandbox):
    empty = b"PK\x05\x06" + b"\x00" * 18
    assert open_zip(empty) == ({}, [])
    assert "no imsmanifest.xml" in refused(parse_qti_package(empty, "empty.zip")[0])


def test_an_item_with_an_external_entity_inside_a_package_is_refused_with_its_name(sandbox):
    manifest = ('<manifest><resources><resource identifier="i" type="imsqti_item_xmlv2p1" '
                'href="items/evil.xml"/></resources></manifest>')
    data = build_zip([("imsmanifest.xml", manifest.encode()), ("items/evil.xml", XXE.encode())])
    bank, _ = parse_qti_package(data, "evil.zip")
    [problem] = bank.problems
    assert problem.message.startswith("items/evil.xml: XML external entities are not allowed")
    assert problem.line == 2


def test_only_deflate_and_stored_members_are_read(sandbox):
    """zipfile inflates bzip2 and LZMA a whole chunk at a time, past any running cap."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("imsmanifest.xml", b"<manifest/>")
    members, problems = open_zip(buffer.getvalue())
    assert members is None and "compression method bzip2 is not supported" in problems[0].message
