"""Parse an uploaded XML file safely, remembering the line where each element starts.

The parser is defusedxml's: a DOCTYPE, any entity declaration and any external reference are
refused before anything is expanded or fetched (billion laughs, XXE, SSRF). Input size, element
count and nesting depth are bounded too, so a hostile file costs little memory and no recursion.
Every refusal comes back as a Problem with the line where it was met.
"""
from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import DefusedXMLParser

from question_bank.located import FILE
from question_bank.model import Problem

MAX_XML_BYTES = 50 * 1024 * 1024
MAX_ELEMENTS = 500_000          # a 10,000-question Moodle export has about half of this
MAX_DEPTH = 100                 # real banks nest about 10 deep; HTML in CDATA is not parsed

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY")
_EXTERNAL_ENTITY = re.compile(rb"<!ENTITY[^>]*\b(SYSTEM|PUBLIC)\b")


class _TooBig(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _LocatingParser(DefusedXMLParser):
    """defusedxml's parser (DTD, entities and external references forbidden) that also
    records the start line of every element and bounds their number and depth."""

    def __init__(self) -> None:
        super().__init__(target=TreeBuilder(), forbid_dtd=True, forbid_entities=True,
                         forbid_external=True)
        self.lines: dict[Element, int] = {}
        self._depth = 0
        self._plain_start = self.parser.StartElementHandler
        self._plain_end = self.parser.EndElementHandler
        self.parser.StartElementHandler = self._located_start
        self.parser.EndElementHandler = self._located_end

    def _located_start(self, tag: str, attrs: list) -> Element:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooBig(f"elements are nested more than {MAX_DEPTH} deep")
        if len(self.lines) >= MAX_ELEMENTS:
            raise _TooBig(f"the file holds more than {MAX_ELEMENTS:,} XML elements")
        element = self._plain_start(tag, attrs)
        self.lines[element] = self.parser.CurrentLineNumber
        return element

    def _located_end(self, tag: str) -> Element:
        self._depth -= 1
        return self._plain_end(tag)


def parse_xml(
    data: bytes, filename: str
) -> tuple[Element | None, dict[Element, int], list[Problem]]:
    """Parse XML bytes: (root, start line of each element, problems); root is None if refused.

    `filename` only names the file in messages about it as a whole.
    """
    if len(data) > MAX_XML_BYTES:
        size = len(data) / (1024 * 1024)
        message = (f"{filename or 'the file'} is {size:.1f} MB; an XML file may be at most "
                   f"{MAX_XML_BYTES // (1024 * 1024)} MB")
        return None, {}, [Problem(None, FILE, message)]
    if not data.strip():
        return None, {}, [Problem(1, FILE, "the file is empty")]
    parser = _LocatingParser()
    try:
        parser.feed(data)
        root = parser.close()
    except DTDForbidden:
        return None, {}, [Problem(_line_of(parser, data, _DOCTYPE), FILE, _doctype_message(data))]
    except (EntitiesForbidden, ExternalReferenceForbidden, DefusedXmlException):
        # Only reachable if a DOCTYPE got through, which forbid_dtd prevents; kept for safety.
        return None, {}, [Problem(_current_line(parser), FILE, _doctype_message(data))]
    except _TooBig as exc:
        message = f"{exc.message}; the file was refused"
        return None, {}, [Problem(_current_line(parser), FILE, message)]
    except ParseError as exc:
        return None, {}, [_syntax_problem(exc)]
    except LookupError as exc:          # an encoding declaration Python does not know
        message = f"the file declares a text encoding that cannot be read ({exc}); save it as UTF-8"
        return None, {}, [Problem(1, FILE, message)]
    if not isinstance(root, Element):
        return None, {}, [Problem(1, FILE, "the file holds no XML element")]
    return root, parser.lines, []


def local_name(tag: object) -> str:
    """An element's name without its namespace: "{http://...}itemBody" -> "itemBody"."""
    if not isinstance(tag, str):
        return ""                       # comments and processing instructions
    return tag.rsplit("}", 1)[-1]


def namespace(tag: object) -> str:
    """An element's namespace URI, or "" when it has none."""
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


def _doctype_message(data: bytes) -> str:
    if _EXTERNAL_ENTITY.search(data):
        return ("XML external entities are not allowed: the file's DOCTYPE refers to an outside "
                "resource (nothing was fetched); remove the DOCTYPE")
    if _ENTITY.search(data):
        return ("XML entities are not allowed: the file's DOCTYPE declares entities (nothing was "
                "expanded); remove the DOCTYPE")
    return "an XML DOCTYPE (document type declaration) is not allowed; remove it"


def _current_line(parser: _LocatingParser) -> int | None:
    try:
        return int(parser.parser.CurrentLineNumber)
    except (AttributeError, TypeError, ValueError):
        return None


def _line_of(parser: _LocatingParser, data: bytes, pattern: re.Pattern) -> int | None:
    found = pattern.search(data)
    if found is None:
        return _current_line(parser)
    return data.count(b"\n", 0, found.start()) + 1


def _syntax_problem(exc: ParseError) -> Problem:
    line, column = getattr(exc, "position", (None, None))
    reason = str(exc).split(":", 1)[0] or "syntax error"
    if reason == "no element found" and line == 1 and column == 0:
        return Problem(1, FILE, "the file is empty")
    where = f" at column {column + 1}" if isinstance(column, int) else ""
    if reason.startswith("undefined entity"):
        reason += " (HTML names such as &nbsp; need a CDATA section or &#160;)"
    return Problem(line, FILE, f"the file is not well-formed XML: {reason}{where}")
