"""Choose the importer for an uploaded bank file, by its extension and, where that is
ambiguous (.txt, .xml, .zip), by its content.

Every importer reads into the native bank model; `parse_upload` also returns the images
that travel with the questions (a QTI package's, a Moodle XML's embedded files, or the
images in a zip next to a sheet).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from question_bank.aiken import parse_aiken
from question_bank.csv_import import parse_csv, parse_xlsx
from question_bank.gift import parse_gift
from question_bank.model import ParsedBank, Problem
from question_bank.native import parse_native_bank
from question_bank.qti import parse_qti_members
from question_bank.safe_zip import open_zip
from question_bank.xml_import import parse_xml_bank_with_media

Parser = Callable[[bytes, str], ParsedBank]
IMAGES = (".png", ".jpg", ".jpeg", ".gif")
_GIFT_HINT = re.compile(rb"(^|\n)\s*(::|\$CATEGORY:)|\{\s*[=~]|\{\s*(T|F|TRUE|FALSE)\s*\}")
_AIKEN_HINT = re.compile(rb"(^|\n)ANSWER:\s*[A-Z]", re.IGNORECASE)


def _no_media(parser: Parser):
    return lambda data, filename: (parser(data, filename), {})


def _text(data: bytes, filename: str) -> tuple[ParsedBank, dict]:
    """A .txt is GIFT when it has GIFT's braces or titles, else Aiken."""
    head = data[:200_000]
    if _GIFT_HINT.search(head) and not _AIKEN_HINT.search(head):
        return parse_gift(data, filename), {}
    return parse_aiken(data, filename), {}


def _zip(data: bytes, filename: str) -> tuple[ParsedBank, dict]:
    """A QTI content package, or one question file with its images beside it."""
    members, problems = open_zip(data)
    if members is None:
        return ParsedBank(code=None, title=None, problems=problems), {}
    if any(PurePosixPath(n).name.lower() == "imsmanifest.xml" for n in members):
        return parse_qti_members(members, filename)
    sheets = [n for n in members if _handler(n) is not None]
    if len(sheets) != 1:
        found = ", ".join(sorted(sheets)) or "none"
        return ParsedBank(code=None, title=None, problems=[Problem(
            None, "file", f"{filename}: a zip must hold exactly one question file next to its "
                          f"images (found: {found})")]), {}
    sheet = sheets[0]
    parsed, media = _handler(sheet)(members[sheet], filename)
    for name, content in members.items():
        if PurePosixPath(name).suffix.lower() in IMAGES:
            media.setdefault(PurePosixPath(name).name, content)
    return parsed, media


_BY_EXTENSION: dict[str, Callable[[bytes, str], tuple[ParsedBank, dict]]] = {
    ".yaml": _no_media(parse_native_bank), ".yml": _no_media(parse_native_bank),
    ".json": _no_media(parse_native_bank), ".csv": _no_media(parse_csv),
    ".xlsx": _no_media(parse_xlsx), ".gift": _no_media(parse_gift),
    ".aiken": _no_media(parse_aiken), ".txt": _text, ".xml": parse_xml_bank_with_media,
    ".gift.txt": _no_media(parse_gift), ".aiken.txt": _no_media(parse_aiken),
}


def _handler(filename: str):
    """The handler of the longest known ending (so x.gift.txt is GIFT, not plain text)."""
    name = filename.lower()
    for ending in sorted(_BY_EXTENSION, key=len, reverse=True):
        if name.endswith(ending):
            return _BY_EXTENSION[ending]
    return None


def parse_upload(data: bytes, filename: str) -> tuple[ParsedBank, dict[str, bytes]]:
    """Parse a bank file of any supported format; returns the bank and its images."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix == ".zip":
        return _zip(data, filename)
    handler = _handler(filename)
    if handler is None:
        known = ", ".join(sorted([*_BY_EXTENSION, ".zip"]))
        return ParsedBank(code=None, title=None, problems=[
            Problem(None, "file", f"{filename}: unsupported file type {suffix or '(none)'}; "
                                  f"use one of {known}")]), {}
    return handler(data, filename)


def parse_bank_file(data: bytes, filename: str) -> ParsedBank:
    """Parse a bank file of any supported format (images dropped)."""
    return parse_upload(data, filename)[0]
