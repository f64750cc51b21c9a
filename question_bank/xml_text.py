"""Turn the HTML of Moodle XML and QTI items into the bank's Markdown text.

Deliberately simple: paragraphs and line breaks become newlines, images become
`![alt](media/NAME)`, every other tag is dropped and its text kept with entities decoded.
Markdown's inline marks in the text are escaped so that it reads as written. The engine
renders the result with raw HTML off and sanitizes it, so nothing here has to be trusted.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

from question_bank.safe_xml import local_name

# (src, alt, element or None) -> the media name the image was stored under, or None
ImageResolver = Callable[[str, str, "Element | None"], "str | None"]

BLOCKS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "thead", "tbody",
    "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "figure", "figcaption", "header", "footer",
})
HIDDEN = frozenset({"script", "style", "head", "title", "template"})
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")        # "&lt;" as text, not as an entity
_SPACES = re.compile(r"[ \t\r\f\v]+")
_PLAIN_BREAKS = re.compile(r"\r\n?")


def escape_markdown(text: str) -> str:
    """Escape the characters that Markdown would read as emphasis, code, links or escapes."""
    return _ENTITY_LIKE.sub("&amp;", _MARKDOWN_INLINE.sub(r"\\\1", text))


def plain_text(text: str) -> str:
    """Text that is not HTML (Moodle's plain_text format): kept as written, escaped."""
    lines = _PLAIN_BREAKS.sub("\n", text).split("\n")
    return _tidy("\n".join(escape_markdown(line) for line in lines))


class TextBuilder:
    """Collects text pieces and block breaks; `result()` gives tidy Markdown."""

    def __init__(self, resolve: ImageResolver | None) -> None:
        self.parts: list[str] = []
        self.resolve = resolve

    def text(self, value: str | None) -> None:
        if value:
            self.parts.append(escape_markdown(_SPACES.sub(" ", value.replace("\n", " "))))

    def line_break(self) -> None:
        self.parts.append("\n")

    def paragraph(self) -> None:
        self.parts.append("\n\n")

    def image(self, src: str | None, alt: str | None, where: Element | None = None) -> None:
        alt = re.sub(r"[\[\]\\\n\r]+", " ", alt or "").strip()
        name = self.resolve(src or "", alt, where) if self.resolve else None
        if name:
            self.parts.append(f"![{alt}](media/{name})")
        else:                           # the resolver reported why; keep the text non-empty
            self.text(f"[{alt or 'image'}]")

    def result(self) -> str:
        return _tidy("".join(self.parts))


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _HtmlReader(HTMLParser):
    def __init__(self, out: TextBuilder) -> None:
        super().__init__(convert_charrefs=True)
        self.out = out
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.out.line_break()
        elif tag == "img" and not self.hidden:
            found = dict(attrs)
            self.out.image(found.get("src"), found.get("alt"))
        elif tag in BLOCKS:
            self.out.paragraph()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.out.paragraph()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.text(data)


def html_text(html: str, resolve: ImageResolver | None) -> str:
    """HTML markup as Markdown text: blocks and <br> as newlines, <img> as media images."""
    out = TextBuilder(resolve)
    if "<" not in html and "&" not in html:     # plain words: no parser needed (most answers)
        out.text(html)
        return out.result()
    reader = _HtmlReader(out)
    try:
        reader.feed(html)
        reader.close()
    except (AssertionError, ValueError):     # html.parser on badly broken markup
        out = TextBuilder(None)
        out.text(re.sub(r"<[^>]*>", " ", html))
    return out.result()


def element_text(
    element: Element,
    resolve: ImageResolver | None,
    *,
    replace: Mapping[Element, Sequence[Element]] | None = None,
    skip: Collection[str] = (),
) -> str:
    """The content of an XML element (XHTML inside QTI) as Markdown text.

    `replace` walks other elements instead of a given one (an interaction -> its prompt);
    elements named in `skip` (local names) are left out with their content.
    """
    out = TextBuilder(resolve)
    out.text(element.text)
    for child in element:
        _walk(child, out, replace or {}, skip)
    return out.result()


def _walk(
    element: Element, out: TextBuilder, replace: Mapping[Element, Sequence[Element]],
    skip: Collection[str],
) -> None:
    name = local_name(element.tag)
    if element in replace:
        for instead in replace[element]:
            out.paragraph()
            out.text(instead.text)
            for child in instead:
                _walk(child, out, replace, skip)
            out.paragraph()
    elif name and name not in skip and name not in HIDDEN:
        if name == "br":
            out.line_break()
        elif name == "img":
            out.image(element.get("src"), element.get("alt"), element)
        elif name == "object" and (element.get("type") or "").startswith("image/"):
            out.image(element.get("data"), element.text, element)
        else:
            block = name in BLOCKS
            if block:
                out.paragraph()
            out.text(element.text)
            for child in element:
                _walk(child, out, replace, skip)
            if block:
                out.paragraph()
    out.text(element.tail)
