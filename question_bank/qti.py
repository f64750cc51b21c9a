"""Read QTI choice items into the bank model (CONTRACT §2.1): one item file (`.xml`), or an
IMS content package (`.zip` with `imsmanifest.xml`) holding items and their images.

A single-answer item is `single`; a multiple-answer item `multiple` (its correctResponse is the
key, or the choices its mapping credits); a single-answer item whose mapping gives several
choices credit is `weighted`, with points in proportion (the best choice earns 5). Items of any
other kind are reported with their line, and the rest are still read. The bank code and the
category come from the file name (QTI names neither).
"""
from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from question_bank.import_common import category_from_filename
from question_bank.located import FILE
from question_bank.model import ParsedBank, Problem, Question
from question_bank.qti_item import ItemReader, qti_version
from question_bank.safe_xml import local_name, parse_xml
from question_bank.safe_zip import open_zip
from question_bank.xml_bank import (
    IdMaker,
    MediaStore,
    bank_code,
    check_drafts,
    inline_image,
    used_media,
)

MANIFEST = "imsmanifest.xml"
ITEM_TYPES = ("imsqti_item_xmlv2p1", "imsqti_item_xmlv2p2", "imsqti_item_xmlv3p0")
# Resources that are known not to be items: not opened.
OTHER_TYPES = ("imsqti_test", "imsqti_section", "imsqti_stimulus", "imsqti_outcomes",
               "imsqti_responseprocessing", "imsqti_fragment", "associatedcontent",
               "imslti", "controlfile")
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")

Parsed = tuple[Element, dict[Element, int]]


def parse_qti_xml(data: bytes, filename: str) -> ParsedBank:
    """Read one QTI item file; an image it shows needs the package, so is reported."""
    code, problems = bank_code(filename)
    root, lines, xml_problems = parse_xml(data, filename)
    if root is None:
        return ParsedBank(code, code, problems=xml_problems + problems, code_from_filename=True)
    refusal = _not_an_item(root)
    if refusal:
        return ParsedBank(code, code, problems=[Problem(lines.get(root), FILE, refusal)]
                          + problems, code_from_filename=True)
    reader = ItemReader(IdMaker([root.get("identifier")]), category_from_filename(filename))
    reader.read(root, lines, 0, _no_images)
    questions, found = check_drafts(reader.drafts, reader.problems)
    return ParsedBank(code, code, questions=questions, problems=found + problems,
                      code_from_filename=True)


def parse_qti_package(data: bytes, filename: str) -> tuple[ParsedBank, dict[str, bytes]]:
    """Read an IMS content package: the items its manifest lists, and the images they show."""
    members, problems = open_zip(data)
    if members is None:
        code, code_problems = bank_code(filename)
        return ParsedBank(code, code, problems=problems + code_problems,
                          code_from_filename=True), {}
    return parse_qti_members(members, filename)


def parse_qti_members(
    members: dict[str, bytes], filename: str
) -> tuple[ParsedBank, dict[str, bytes]]:
    """Read a content package already opened with safe_zip.open_zip (files by name)."""
    code, code_problems = bank_code(filename)

    def bank(questions: list[Question], problems: list[Problem]) -> ParsedBank:
        return ParsedBank(code, code, questions=questions, problems=problems + code_problems,
                          code_from_filename=True)

    manifest = _find_manifest(members)
    if manifest is None:
        return bank([], [Problem(None, FILE, f"the zip archive has no {MANIFEST}; upload a "
                                             "QTI content package (an IMS .zip export)")]), {}
    root, lines, manifest_problems = parse_xml(members[manifest], manifest)
    problems = _prefixed(manifest, manifest_problems)
    if root is not None and local_name(root.tag) != "manifest":
        problems.append(Problem(lines.get(root), FILE, f"{manifest}: its root is "
                                f"<{local_name(root.tag)}>, not <manifest>"))
        root = None
    if root is None:
        return bank([], problems), {}
    items = _items(root, lines, manifest, members, problems)
    media = MediaStore()
    ids = IdMaker([item_root.get("identifier") for _, (item_root, _) in items])
    category = category_from_filename(filename)
    questions: list[Question] = []
    for index, (member, (item_root, item_lines)) in enumerate(items):
        reader = ItemReader(ids, category)
        reader.read(item_root, item_lines, index, _package_images(member, members, media))
        found_questions, found = check_drafts(reader.drafts, reader.problems,
                                              prefix=f"{member}: ")
        questions += found_questions
        problems += found
    if not items and not problems:
        problems.append(Problem(lines.get(root), FILE, f"{manifest} lists no QTI item"))
    return bank(questions, problems), used_media(questions, media.files)


def _not_an_item(root: Element) -> str | None:
    name = local_name(root.tag)
    if qti_version(root):
        return None
    if name == "manifest":
        return (f"this is a content package manifest ({MANIFEST}); upload the .zip package "
                "that holds it with its items")
    if name in ("assessmentTest", "qti-assessment-test"):
        return ("this is a QTI assessment test, which only lists its items; upload the content "
                "package (.zip) that holds them")
    if name == "questestinterop":
        return "QTI 1.2 is not supported; export the questions as QTI 2.1, 2.2 or 3.0"
    return (f"this is not a QTI item: its root is <{name}> (expected <assessmentItem> or "
            "<qti-assessment-item>)")


def _no_images(src: str) -> tuple[str | None, str | None]:
    return None, (f"the item shows image {_short(src)!r}, which a lone .xml file cannot carry; "
                  "upload the content package (.zip) that holds the item and its images")


def _find_manifest(members: dict[str, bytes]) -> str | None:
    """The package's manifest: at the top, or in the one folder the archive was made from."""
    found = sorted((name for name in members if posixpath.basename(name) == MANIFEST),
                   key=lambda name: name.count("/"))
    return found[0] if found and found[0].count("/") <= 1 else None


def _items(
    root: Element, lines: dict[Element, int], manifest: str, members: dict[str, bytes],
    problems: list[Problem],
) -> list[tuple[str, Parsed]]:
    """The item files the manifest lists, parsed, in manifest order."""
    items: list[tuple[str, Parsed]] = []
    seen: set[str] = set()
    for resource, folder in _resources(root, posixpath.dirname(manifest)):
        kind = resource.get("type") or ""
        href = resource.get("href") or next(
            (f.get("href") for f in resource if local_name(f.tag) == "file" and f.get("href")),
            None)
        where = lines.get(resource)
        if kind.startswith("imsqti_xmlv1"):
            problems.append(Problem(where, FILE, f"{manifest}: resource "
                                    f"{resource.get('identifier')!r} is QTI 1.2, which is not "
                                    "supported; export as QTI 2.1, 2.2 or 3.0"))
            continue
        if not href or kind.startswith(OTHER_TYPES):
            continue
        member = posixpath.normpath(posixpath.join(folder, unquote(href)))
        is_item = kind in ITEM_TYPES or kind.startswith("imsqti_item")
        if member in seen or not (is_item or member.lower().endswith(".xml")):
            continue
        seen.add(member)
        if member not in members:
            if is_item:
                problems.append(Problem(where, FILE, f"{manifest}: resource "
                                        f"{resource.get('identifier')!r} names {href}, which is "
                                        "not in the package"))
            continue
        item_root, item_lines, item_problems = parse_xml(members[member], member)
        problems += _prefixed(member, item_problems)
        if item_root is None:
            continue
        refusal = _not_an_item(item_root)
        if refusal is None:
            items.append((member, (item_root, item_lines)))
        elif is_item:
            problems.append(Problem(item_lines.get(item_root), FILE, f"{member}: {refusal}"))
    return items


def _resources(root: Element, folder: str) -> list[tuple[Element, str]]:
    """Every <resource> with the folder its href is relative to (xml:base applied)."""
    found = []
    for holder in root.iter():
        if local_name(holder.tag) != "resources":
            continue
        outer = posixpath.join(folder, holder.get(XML_BASE) or "")
        for resource in holder:
            if local_name(resource.tag) == "resource":
                found.append((resource, posixpath.join(outer, resource.get(XML_BASE) or "")))
    return found


def _package_images(member: str, members: dict[str, bytes], media: MediaStore):
    """Find the images an item shows among the package's members."""
    def fetch(src: str) -> tuple[str | None, str | None]:
        src = src.strip()
        inline = inline_image(src, media)
        if inline is not None:
            return inline
        if not src or _SCHEME.match(src) or src.startswith("/"):
            return None, (f"image {_short(src)!r} is outside the package; put the image in "
                          "the package and refer to it by a relative path")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(member),
                                                   unquote(src.split("#")[0].split("?")[0])))
        if target == ".." or target.startswith("../"):
            return None, f"image {_short(src)!r} points outside the package"
        if target not in members:
            return None, f"image {_short(src)!r} ({target}) is not in the package"
        return media.add(target, members[target])
    return fetch


def _prefixed(member: str, problems: list[Problem]) -> list[Problem]:
    return [Problem(p.line, p.field, f"{member}: {p.message}") for p in problems]


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
