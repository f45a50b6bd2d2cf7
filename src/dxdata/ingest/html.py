"""HTML page -> article text: whether a file is HTML, and the article taken out of the page.

trafilatura keeps the article and drops menus, footers and ads, and gives the page's own title, date,
site name and URL. lxml, which it parses with, loses a page nested deeper than about 255 elements, so
such a page (`MAX_HTML_DEPTH`, `html_depth`) is read without a parser instead: tags stripped, menus
and all. No file system: the page's text in, `_HtmlPage` out.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger("dxdata.ingest")  # one logger for the stage, whichever module logs

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}  # HTML by name; `looks_like_html` tells it by content
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL
)
_HTML_TAG = re.compile(
    r"</?(?:html|head|body|div|p|span|a|br|meta|link|script|style|table|tr|td|ul|ol|li|h[1-6]|img|"
    r"section|article|header|footer|nav|main|figure|form)\b[^<>]{0,500}>",
    re.IGNORECASE,
)
_MIN_TAGS = 10


def looks_like_html(text: str) -> bool:
    """HTML by content: a doctype/<html> start, or many HTML tags near the top (mislabelled .txt)."""
    head = text[:20_000]
    return bool(_HTML_START.match(head)) or len(_HTML_TAG.findall(head)) >= _MIN_TAGS


@dataclass(frozen=True)
class _HtmlPage:
    text: str
    title: str | None
    date: str | None
    sitename: str | None
    url: str | None


MAX_HTML_DEPTH = 250  # lxml (libxml2) gives up on elements nested deeper than about 255: trafilatura then finds nothing
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*?(/?)>")
_VOID_TAGS = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)  # fmt: skip
_SKIP_BLOCKS = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_BREAK_TAGS = re.compile(
    r"<(?:br|/p|/div|/h[1-6]|/li|/tr|/table|/section|/article|/blockquote|/pre|/ul|/ol|/header|/footer)\b[^<>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^<>]*>")
_TITLE = re.compile(r"<title\b[^<>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


def html_depth(html: str) -> int:
    """How deep the page's elements nest (by a scan of its tags: unclosed void elements do not count)."""
    depth = deepest = 0
    for m in _TAG.finditer(html):
        if m.group(3) or m.group(2).lower() in _VOID_TAGS:
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _plain_html_text(html: str) -> _HtmlPage:
    """The text of a page without a parser (for pages nested too deeply for lxml): scripts, styles and comments
    dropped, block ends as line breaks, every other tag removed, entities decoded."""
    import html as html_module

    title = _TITLE.search(html)
    body = _SKIP_BLOCKS.sub(" ", html)
    body = _BREAK_TAGS.sub("\n", body)
    text = html_module.unescape(_ANY_TAG.sub(" ", body))
    return _HtmlPage(
        text=text,
        title=html_module.unescape(title.group(1)).strip() or None if title else None,
        date=None,
        sitename=None,
        url=None,
    )


def _extract_html(html: str) -> _HtmlPage:
    """Main text and metadata of a page via trafilatura, which drops menus, footers and ads.

    A page nested deeper than `MAX_HTML_DEPTH` is read without a parser (`_plain_html_text`, menus
    and all), since lxml would lose its article.
    """
    if html_depth(html) > MAX_HTML_DEPTH:
        log.warning("a page nested more than %d levels deep is read as plain text, without trafilatura", MAX_HTML_DEPTH)
        return _plain_html_text(html)
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True, include_images=False
    )
    if doc is None:
        return _HtmlPage("", None, None, None, None)
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return _HtmlPage(
        text=d.get("text") or "",
        title=d.get("title") or None,
        date=d.get("date") or None,
        sitename=d.get("sitename") or d.get("hostname") or None,
        url=d.get("url") or None,
    )
