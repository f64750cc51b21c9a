"""Question text is Markdown; it reaches a browser only as sanitized HTML."""
from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the source is not interpreted (html=False); links and images are then
# filtered again by an allow-list, so no script, event handler or javascript: URL survives.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "h3", "h4",
    "table", "thead", "tbody", "tr", "th", "td", "img", "sub", "sup", "hr", "a",
}
_ATTRIBUTES = {"img": {"src", "alt", "title"}, "a": {"href", "title"}, "th": {"align"},
               "td": {"align"}}


@lru_cache(maxsize=65536)
def render_markdown(text: str, inline: bool = False) -> str:
    """Render Markdown to HTML that is safe to insert into a page."""
    html = _md.renderInline(text) if inline else _md.render(text)
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https"},
                     link_rel="noopener noreferrer")
