"""Choose the importer for an uploaded `.xml` bank by its root element: Moodle XML or QTI."""
from __future__ import annotations

import re

from question_bank.model import ParsedBank
from question_bank.moodle_xml import parse_moodle_xml_with_media
from question_bank.qti import parse_qti_xml

_SKIPPED = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s+", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def parse_xml_bank(data: bytes, filename: str) -> ParsedBank:
    """Read a Moodle XML export or a QTI item; images are dropped (see ..._with_media)."""
    return parse_xml_bank_with_media(data, filename)[0]


def parse_xml_bank_with_media(
    data: bytes, filename: str
) -> tuple[ParsedBank, dict[str, bytes]]:
    """Read a `<quiz>` as Moodle XML and anything else as a QTI item (which names what it is
    when it is not one: a manifest, an assessment test, QTI 1.2...)."""
    if root_name(data) == "quiz":
        return parse_moodle_xml_with_media(data, filename)
    return parse_qti_xml(data, filename), {}


def root_name(data: bytes) -> str | None:
    """The local name of the first element, found without parsing (the parsers check all)."""
    head = data[:65_536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    found = _ROOT.search(_SKIPPED.sub(b"", head))
    return found.group(1).decode("ascii", errors="replace").rsplit(":", 1)[-1] if found else None
