"""Ingest: turn the raw folder (crawled .txt pages, saved .html pages) into `Article` records.

Every file is decoded robustly (UTF-8/16, Windows-1258, charset detection), normalized
once with `normalize_text` (all character spans in the dataset point into that text;
`article_text` rebuilds it from a raw file by the same code) and described with what the
page itself says: title, publication date, publisher, URL and the day of the event the
article reports. A sources manifest (`sources.tsv`) may give the url and publisher of the
files it lists; they win over the page's. A file that cannot become an article is a
`FileReject` with a reason code and a sentence a person can act on; one bad file never stops a run.

Only the readers (`read_raw_folder`, `read_files`, `read_article`, `read_sources`, `article_text`, ...)
touch the file system; the rest is pure.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import functools
import hashlib
import logging
import os
import re
import stat
import statistics
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from dxdata.ingest.legacy_encodings import best_legacy, mojibake_ratio, reads_as_vietnamese, repair_mojibake
from dxdata.models import Article, FileReject
from dxdata.text import normalize_text

log = logging.getLogger("dxdata.ingest")

MAX_BYTES = 5_000_000
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
HEADER_MAX_LINES = 20  # non-empty lines before the body in which the title and dates are looked for
FOOTER_LINES = 25  # non-empty lines at the end in which publisher lines are looked for
LEAD_PARAGRAPHS = 3  # the event date is looked for in this many body paragraphs
LEAD_MAX_CHARS = 1500
_SNIFF_BYTES = 65_536
_MIN_YEAR, _MAX_YEAR = 1990, 2100
MIN_HTML_WORDS = 15  # trafilatura falls back to menu text on pages without an article
_PUBLISHER_DOMAINS = Path(__file__).resolve().parents[1] / "data" / "publisher_domains.csv"


class IngestError(Exception):
    """A raw file that cannot become an article: `reason` is a short code, `detail` a sentence."""

    def __init__(self, reason: str, detail: str, content_sha256: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.content_sha256 = content_sha256


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------

_MAGIC = [
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX/ODT document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
    (b"RIFF", "a RIFF media file"),
]
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
# Letters only Vietnamese uses (and, after NFC, the toned vowels in U+1EA0..U+1EF9).
_VIET_LETTERS = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
_ORPHAN_MARKS = re.compile(r"[\u0300\u0301\u0303\u0309\u0323]")
_MAX_CONTROL_RATIO = 0.05


def _decode_utf8(data: bytes, name: str = "utf-8") -> tuple[str, str] | None:
    """Strict UTF-8; a multi-byte character cut off at the very end (truncated crawl) is dropped."""
    try:
        return data.decode(name), name
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3 and err.reason == "unexpected end of data":
            try:
                return data[: err.start].decode(name), name
            except UnicodeDecodeError:
                return None
        return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit on one side of each byte pair, as in UTF-16 text."""
    sample = sample[: len(sample) // 2 * 2]
    half = len(sample) // 2
    if half < 2:
        return None
    even = sample[0::2].count(0) / half
    odd = sample[1::2].count(0) / half
    if odd > 0.2 and even < 0.02:
        return "utf-16-le"
    if even > 0.2 and odd < 0.02:
        return "utf-16-be"
    return None


def _vietnamese_score(text: str) -> float:
    """Share of letters that only Vietnamese uses: high for a correct decoding of Vietnamese text."""
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return 0.0
    return len(_VIET_LETTERS.findall(text)) / letters


def _looks_like_cp1258(data: bytes) -> str | None:
    """Windows-1258 text, composed to NFC; None if the bytes do not read as Vietnamese that way.

    cp1258 writes most tones as separate combining marks, so a correct decoding composes
    almost completely under NFC and shows many Vietnamese-only letters.
    """
    try:
        raw = data.decode("cp1258")
    except UnicodeDecodeError:
        return None
    text = unicodedata.normalize("NFC", raw)
    letters = sum(1 for ch in text if ch.isalpha()) or 1
    if len(_ORPHAN_MARKS.findall(text)) / letters > 0.01:
        return None
    if _vietnamese_score(text) < 0.05:
        return None
    return text


def _check_controls(text: str) -> None:
    sample = text[:_SNIFF_BYTES]
    if sample and len(_CONTROL_CHARS.findall(sample)) / len(sample) > _MAX_CONTROL_RATIO:
        raise IngestError("binary", "The file decodes to mostly control characters: it is not a text or HTML page.")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode raw bytes into text and say which encoding was used.

    Crawled Vietnamese pages come in UTF-8 (with or without BOM), UTF-16 and the legacy
    Windows-1258, TCVN3 (ABC) and VNI; a wrong guess silently corrupts every span, so the order is:
    BOMs, NUL-pattern UTF-16, strict UTF-8 (with UTF-8 mojibake repaired, `repair_mojibake`), an
    HTML <meta charset> unless it reads worse than a legacy Vietnamese encoding, then whichever of
    Windows-1258, TCVN3 and VNI reads as Vietnamese (`dxdata.ingest.legacy_encodings`), then
    charset-normalizer, whose guess is refused as "undecodable" when it still looks like a wrong
    decoding. The text is not normalized here. Raises IngestError ("empty", "binary", "undecodable").
    """
    if not data:
        raise IngestError("empty", "The file is empty (0 bytes).")
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32")):
        if data.startswith(bom) and len(data) % 4 == 0:
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                break
            _check_controls(text)
            return text, "utf-32-le" if bom == codecs.BOM_UTF32_LE else "utf-32-be"
    if data.startswith(codecs.BOM_UTF8):
        found = _decode_utf8(data, "utf-8-sig")
        if found:
            _check_controls(found[0])
            return found
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                text = data[2 : 2 + (len(data) - 2) // 2 * 2].decode(name)
            except UnicodeDecodeError as err:
                raise IngestError(
                    "undecodable",
                    f"The file starts with a {name.upper()} byte-order mark but is not valid {name}.",
                ) from err
            _check_controls(text)
            return text, name
    head = data[:_SNIFF_BYTES]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            raise IngestError("binary", f"The file is {kind}, not a text or HTML page; convert it to text first.")
    if b"\x00" in head or b"\x00" in data:
        name = _utf16_without_bom(head)
        if name:
            try:
                text = data[: len(data) // 2 * 2].decode(name)
            except UnicodeDecodeError as err:
                raise IngestError("binary", "The file has NUL bytes and is not valid UTF-16 text.") from err
            _check_controls(text)
            return text, name
        raise IngestError("binary", "The file contains NUL bytes: it is a binary file, not a text or HTML page.")
    if len(_CONTROL_BYTES.findall(head)) / len(head) > _MAX_CONTROL_RATIO:
        raise IngestError("binary", "The file is mostly control bytes: it is a binary file, not a text or HTML page.")

    found = _decode_utf8(data)
    if found is not None:
        repaired = repair_mojibake(found[0])  # UTF-8 that was read as Windows-1252/Latin-1 and saved again
        if repaired is not None:
            found = (repaired, "utf-8-mojibake-repaired")
    if found is None:
        found = _decode_lossy_utf8(data)
    if found is None:
        declared = _decode_declared(head, data)
        legacy = best_legacy(data)  # cp1258, TCVN3 or VNI, whichever reads as Vietnamese
        if declared is not None and (legacy is None or reads_as_vietnamese(declared[0])):
            found = declared
        elif legacy is not None:
            found = (legacy[1], legacy[0])
    if found is None:
        found = _decode_detected(data)
        if mojibake_ratio(found[0]) >= 0.02:
            raise IngestError(
                "undecodable",
                f"The bytes read neither as Vietnamese (UTF-8, Windows-1258, TCVN3, VNI) nor as clean text in the "
                f"best guess ({found[1]}); re-save the file as UTF-8.",
            )
    _check_controls(found[0])
    return found


def _decode_lossy_utf8(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a handful of corrupt bytes (a damaged crawl) rather than a legacy encoding."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    if bad and bad <= max(3, good // 1000) and good >= 10 * bad:
        return text, "utf-8-lossy"
    return None


def _decode_declared(head: bytes, data: bytes) -> tuple[str, str] | None:
    """The encoding an HTML page declares in <meta charset>, if it decodes the bytes cleanly."""
    match = _META_CHARSET.search(head)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if name.startswith("utf-8"):
        return None  # already failed as UTF-8
    try:
        text = data.decode(name)
    except UnicodeDecodeError:
        return None
    if name == "cp1258":
        text = unicodedata.normalize("NFC", text)
    return text, name


def _decode_detected(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise IngestError(
            "undecodable",
            "The bytes are not UTF-8, UTF-16 or Windows-1258 and no other encoding fits; re-save the file as UTF-8.",
        )
    text = str(best)
    if text.count("\ufffd") > max(3, len(text) // 1000):
        raise IngestError(
            "undecodable", f"The best encoding guess ({best.encoding}) leaves many unreadable characters."
        )
    return text, best.encoding


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Metadata from the text
# --------------------------------------------------------------------------------------------

_YEAR = r"((?:19|20)\d{2})"
_DMY = re.compile(rf"(?<!\d)(\d{{1,2}})\s?([/.-])\s?(\d{{1,2}})\s?\2\s?{_YEAR}(?!\d)")
_DMY_WORDS = re.compile(rf"ngày\s+(\d{{1,2}})\s+tháng\s+(\d{{1,2}})\s*,?\s+năm\s+{_YEAR}(?!\d)", re.IGNORECASE)
_ISO = re.compile(rf"(?<!\d){_YEAR}-(\d{{1,2}})-(\d{{1,2}})(?!\d)")
_TIME = re.compile(r"(?<![\d/.-])\d{1,2}\s?[:h]\s?\d{2}(?![\d/])")
_MARKER = re.compile(rf"^date\s*:?\s+{_YEAR}-(\d{{1,2}})(?:-(\d{{1,2}}))?(?=\s|$)\s*", re.IGNORECASE)
_PUB_LABEL = re.compile(
    r"(?:ngày\s+đăng(?:\s+tin|\s+bài)?|đăng\s+ngày|đăng\s+lúc|thời\s+gian\s+đăng|"
    r"ngày\s+(?:xuất\s+bản|phát\s+hành)|xuất\s+bản\s+(?:ngày|lúc)|published(?:\s+on)?|posted(?:\s+on)?)"
    r"\s*:?(?P<rest>.{0,45})",
    re.IGNORECASE,
)
# "Giấy phép xuất bản số ... ngày ..." in a footer is the licence date, not the publication date.
_LICENCE = re.compile(r"giấy\s+phép|license|/GP-", re.IGNORECASE)
_UPDATE_LABEL = re.compile(
    r"(?:ngày\s+cập\s+nhật|cập\s+nhật(?:\s+lúc|\s+ngày)?|updated(?:\s+on)?)\s*:?(?P<rest>.{0,45})",
    re.IGNORECASE,
)
_LABEL_LINE = re.compile(
    r"^(?:[•·*\-–]\s*)?(?:người\s+đăng(?:\s+tin)?|ngày\s+đăng(?:\s+tin)?|đăng\s+ngày|lượt\s+(?:xem|đọc|thích)|"
    r"nguồn(?:\s+tin|\s+ảnh)?|tác\s+giả|cập\s+nhật|chia\s+sẻ|từ\s+khóa|tags?|chuyên\s+mục|danh\s+mục|bình\s+luận|"
    r"theo\s+dõi|in\s+bài|email|điện\s+thoại|fax|hotline|địa\s+chỉ|ảnh|video)\b",
    re.IGNORECASE,
)
_CHROME_LINE = re.compile(
    r"^[•·*►▶»›>+■□◆●-]\s|\||\s[>»›/]\s|trang\s+chủ|^(?:menu|logo|tìm\s+kiếm|đăng\s+nhập|đăng\s+ký|quảng\s+cáo)\b"
    r"|\bpage\s+\d+\b|^ảnh\s*:|\.(?:jpe?g|png|gif|webp)$",
    re.IGNORECASE,
)
_SENTENCE_END = ".…"
_PARAGRAPH_END = '.!?…:;"”»)'
_TOD = r"(?:rạng\s+sáng|sáng\s+sớm|sáng|trưa|chiều\s+tối|chiều|tối|đêm|hôm\s+nay|hôm\s+qua)"
_WEEKDAY = r"(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật)"
_EVENT = re.compile(
    rf"(?<!\w)(?P<anchor>{_TOD}(?:\s+(?:nay|qua))?(?:\s+{_WEEKDAY})?\s*,?\s*(?:\(\s*)?(?:ngày\s+)?|ngày\s+)"
    r"(?:(?P<d>\d{1,2})\s?(?P<sep>[/.-])\s?(?P<m>\d{1,2})(?:\s?(?P=sep)\s?(?P<y>(?:19|20)\d{2}))?(?!\s?[/.-]?\s?\d)"
    r"|(?P<wd>\d{1,2})\s+tháng\s+(?P<wm>\d{1,2})(?:\s*,?\s+năm\s+(?P<wy>(?:19|20)\d{2}))?(?!\d))",
    re.IGNORECASE,
)
_EVENT_BEFORE_BAD = re.compile(
    r"(?:\b(?:từ|đến|tới|trước|sau|hết|hạn|kể|tính|ban\s+hành|ký|cấp|sinh)\s*\(?\s*$)"
    r"|(?-i:\d+/(?:\d+/)?[A-ZĐ][\w-]*)[^.;,\n]{0,30}$",
    re.IGNORECASE,
)
_EVENT_AFTER_BAD = re.compile(r"^\s*\)?\s*(?:(?:đến|tới)\s+(?:nay|hết|ngày)|hàng\s+năm|hằng\s+năm)", re.IGNORECASE)
_DROP_CAP = re.compile(r"(?m)^([A-ZĐÀ-Ỹ])\n(?=[a-zđà-ỹ])")
_SOURCE = re.compile(r"(?:^|[\s•·*(\-–])nguồn(?:\s+tin|\s+bài)?\s*:\s*(?P<name>[^\n]{2,80}?)\s*\)?\.?$", re.IGNORECASE)
_NAME_DOMAIN = re.compile(
    r"^(?P<name>\S.{1,60}?)\s+[-–|]\s+(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|info)/?$",
    re.IGNORECASE,
)
_CR = r"(?:(?:copyright|©|\(c\))\s*)+(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?"
_COPYRIGHT = re.compile(
    rf"(?:{_CR}(?:bản\s+quyền\s*)?|bản\s+quyền\s+)(?:thuộc\s+về|thuộc|của)\s+(?P<name>[^.;,\n]{{3,80}})"
    rf"|{_CR}(?P<name2>[^.;,\n]{{3,80}})",
    re.IGNORECASE,
)
_KEEPS_COPYRIGHT = re.compile(r"^(?P<name>\S.{2,60}?)\s+giữ\s+bản\s+quyền", re.IGNORECASE)
_FOLLOW = re.compile(r"theo\s+dõi\s+(?P<name>\S.{1,50}?)\s+trên\b", re.IGNORECASE)
_THEO = re.compile(r"^\(?\s*theo\s+(?P<name>[^(),\n]{2,50}?)\s*\)?\.?$", re.IGNORECASE)
_LEAD_AGENCY = re.compile(r"^\(?(?P<name>[A-ZĐ][\w.&]{1,24})\)?\s*[-–—]\s+\S")
_DOMAIN_LINE = re.compile(
    r"^(?:https?://)?(?:www\.)?(?P<domain>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|info))/?$",
    re.IGNORECASE,
)
_URL = r"https?://[^\s<>\"'“”]+"
# "Nguồn: https://...", "Link bài viết: ...", "URL: ...", "Bài gốc: ...", "Source: ..." on a header or footer line
_URL_LABEL = re.compile(
    r"(?:^|[\s(•·*\-–])(?:nguồn(?:\s+(?:tin|bài))?|link(?:\s+(?:bài(?:\s+viết)?|gốc))?|đường\s+dẫn|url|"
    r"bài\s+gốc|xem\s+bài\s+gốc(?:\s+tại)?|source|original(?:\s+url)?)\s*:?\s*(?P<url>" + _URL + ")",
    re.IGNORECASE,
)
_URL_ALONE = re.compile(r"^\(?(?P<url>" + _URL + r")\)?$", re.IGNORECASE)  # a header line that is only a URL
_URL_TAIL = ".,;:)]}»”\"'"


@dataclass(frozen=True)
class _Found:
    """A date read from the page, with the latest day it can stand for (month-only dates)."""

    value: date
    latest: date


@dataclass(frozen=True)
class TextMetadata:
    title: str | None = None
    published: date | None = None
    event_date: date | None = None
    publisher: str | None = None
    url: str | None = None


def _make_date(year: int, month: int, day: int | None) -> _Found | None:
    if not (_MIN_YEAR <= year <= _MAX_YEAR and 1 <= month <= 12):
        return None
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return _Found(date(year, month, 1), date(year, month, last))
    if not 1 <= day <= last:
        return None
    d = date(year, month, day)
    return _Found(d, d)


def _first_date(s: str) -> _Found | None:
    """The first full date (day, month, year) written in `s`, in any of the usual forms."""
    best: tuple[int, _Found] | None = None
    for m in _DMY.finditer(s):
        found = _make_date(int(m.group(4)), int(m.group(3)), int(m.group(1)))
        if found:
            best = (m.start(), found)
            break
    for rx, order in ((_DMY_WORDS, (3, 2, 1)), (_ISO, (1, 2, 3))):
        for m in rx.finditer(s):
            found = _make_date(int(m.group(order[0])), int(m.group(order[1])), int(m.group(order[2])))
            if found:
                if best is None or m.start() < best[0]:
                    best = (m.start(), found)
                break
    return best[1] if best else None


def _words(line: str) -> int:
    return len(line.split())


def _is_paragraph(line: str) -> bool:
    """A body paragraph rather than a header line (title, date, menu)."""
    n = len(line)
    if n >= 300 or (n >= 120 and line[-1] in _PARAGRAPH_END):
        return True
    if n >= 60 and line[-1] in _SENTENCE_END and _words(line) >= 10:
        return True
    return n >= 60 and bool(_EVENT.match(line))


def _is_title_candidate(line: str, repeated: set[str]) -> bool:
    if not (15 <= len(line) <= 250) or _words(line) < 4:
        return False
    if line in repeated or _CHROME_LINE.search(line) or _LABEL_LINE.match(line):
        return False
    if line[-1] in ".:;,":
        return False
    first = line[0]
    if first.isalpha() and not first.isupper():
        return False
    letters = sum(1 for ch in line if ch.isalpha())
    if letters < 0.5 * len(line.replace(" ", "")):
        return False
    return not (line.isupper() and _words(line) < 6)


@dataclass
class _Layout:
    lines: list[str]  # non-empty lines, first line without the crawl date marker
    header_end: int  # index of the first body line in `lines`
    hard_wrapped: bool  # PDF-like text broken into short lines: no reliable title or paragraphs
    date_lines: dict[int, tuple[_Found, bool]]  # header line index -> (date, has a time of day)
    label_lines: set[int]


def _layout(lines: list[str]) -> _Layout:
    body = next((i for i, line in enumerate(lines[:HEADER_MAX_LINES]) if _is_paragraph(line)), None)
    hard_wrapped = False
    if body is None:
        sample = [len(line) for line in lines[:40]]
        hard_wrapped = len(sample) >= 15 and statistics.median(sample) < 50
        body = min(len(lines), 12 if hard_wrapped else HEADER_MAX_LINES)
    date_lines: dict[int, tuple[_Found, bool]] = {}
    label_lines: set[int] = set()
    for i, line in enumerate(lines[:body]):
        if len(line) <= 100:
            found = _first_date(line)
            if found:
                date_lines[i] = (found, bool(_TIME.search(line)))
                continue
        if _LABEL_LINE.match(line):
            label_lines.add(i)
    return _Layout(lines, body, hard_wrapped, date_lines, label_lines)


def _find_title(lay: _Layout) -> str | None:
    """The header line most like a headline: long, not chrome, and next to the date or the body."""
    if lay.hard_wrapped:
        return None
    header = lay.lines[: lay.header_end]
    seen: set[str] = set()
    repeated: set[str] = set()
    for line in header:
        key = line.lstrip("•·*-– ").strip()
        (repeated if key in seen else seen).add(key)
    anchors = set(lay.date_lines) | lay.label_lines | {lay.header_end}
    best: tuple[int, int, str] | None = None
    for i, line in enumerate(header):
        if i in lay.date_lines or i in lay.label_lines or not _is_title_candidate(line, repeated):
            continue
        score = _words(line) + (8 if (i - 1 in anchors or i + 1 in anchors) else 0)
        if best is None or score > best[0]:
            best = (score, -i, line)
    return best[2] if best else None


def _find_published(lay: _Layout, marker: _Found | None) -> _Found | None:
    """Publication date: crawl marker, then a labelled date, then a dated+timed header line, then any.

    Labels are looked for in the header and the footer only: a body sentence saying
    "cập nhật đến ngày ..." is about data, not about the page.
    """
    if marker:
        return marker
    edges = lay.lines[: lay.header_end] + lay.lines[max(lay.header_end, len(lay.lines) - FOOTER_LINES) :]
    for rx in (_PUB_LABEL, _UPDATE_LABEL):
        for line in edges:
            if len(line) > 150 or _LICENCE.search(line):
                continue
            for m in rx.finditer(line):
                found = _first_date(m.group("rest"))
                if found:
                    return found
    stamped = [found for found, has_time in lay.date_lines.values() if has_time]
    if stamped:
        return stamped[0]
    return next(iter(lay.date_lines.values()), (None, False))[0]


def _lead_text(lay: _Layout) -> str:
    """The first paragraphs of the body, where the day of the reported event is written."""
    start = lay.header_end
    if lay.hard_wrapped:
        start = max([*lay.date_lines, *lay.label_lines], default=-1) + 1
        text = "\n".join(lay.lines[start:])[:LEAD_MAX_CHARS]
        return _DROP_CAP.sub(r"\1", text).replace("\n", " ")
    out: list[str] = []
    counted = 0
    for line in lay.lines[start:]:
        out.append(line)
        if len(line) >= 80:
            counted += 1
        if counted >= LEAD_PARAGRAPHS or sum(map(len, out)) >= LEAD_MAX_CHARS:
            break
    return _DROP_CAP.sub(r"\1", "\n".join(out))


def find_event_date(lead: str, published: date | None, published_latest: date | None = None) -> date | None:
    """The day of the event a lead reports ("Chiều 30/11, ...", "Sáng ngày 24/4", "(ngày 25/2)").

    A day without a year takes the publication year, or the year before if that would put
    the event after publication; without a publication date such a day cannot be placed.
    Dates that open or close a span ("từ ngày", "đến ngày", "(ngày ...) đến nay"), dates of
    documents ("Quyết định số 06/QĐ-TTg ngày 6-1-2022") and yearly days are skipped.
    """
    latest = published_latest or published
    for m in _EVENT.finditer(lead):
        before = lead[max(0, m.start() - 60) : m.start()]
        if _EVENT_BEFORE_BAD.search(before) or _EVENT_AFTER_BAD.match(lead[m.end() : m.end() + 20]):
            continue
        if m.group("d"):
            day, month, year = int(m.group("d")), int(m.group("m")), m.group("y")
        else:
            day, month, year = int(m.group("wd")), int(m.group("wm")), m.group("wy")
        if year:
            found = _make_date(int(year), month, day)
            if found is None or (latest and found.value > latest):
                continue
            return found.value
        if latest is None:
            continue
        found = _make_date(latest.year, month, day)
        if found and found.value > latest:
            found = _make_date(latest.year - 1, month, day)
        if found:
            return found.value
    return None


def _clean_name(name: str) -> str | None:
    name = name.strip(" \t•·*-–—|:.,;\"'“”()")
    if not name or len(name) > 80 or _words(name) > 16 or not any(ch.isalpha() for ch in name):
        return None
    return name


def _find_publisher(lay: _Layout) -> str | None:
    """Who published the page, from the lines that usually say it, most explicit first."""
    header = lay.lines[: lay.header_end]
    footer = [line for line in lay.lines[max(lay.header_end, len(lay.lines) - FOOTER_LINES) :] if len(line) <= 200]
    edges = [line for line in header if len(line) <= 200] + footer
    short_footer = [line for line in footer if len(line) <= 60]
    lead = lay.lines[lay.header_end] if lay.header_end < len(lay.lines) else ""
    searches: list[tuple[re.Pattern[str], list[str], str]] = [
        (_SOURCE, edges, "name"),
        (_THEO, short_footer, "name"),
        (_NAME_DOMAIN, footer, "name"),
        (_KEEPS_COPYRIGHT, footer, "name"),
        (_COPYRIGHT, footer, "name"),
        (_FOLLOW, edges, "name"),
        (_LEAD_AGENCY, [lead], "name"),
        (_DOMAIN_LINE, edges, "domain"),
    ]
    for rx, where, group in searches:
        for line in where:
            m = rx.search(line)
            if not m:
                continue
            raw = m.group(group) or (m.groupdict().get("name2") if rx is _COPYRIGHT else None)
            name = _clean_name(raw or "")
            if name and group == "domain":
                return publisher_name(name)
            if name and (name[0].isupper() or name[0].isdigit()):
                return name
    return None


def _find_url(lay: _Layout) -> str | None:
    """The article's own URL where the page prints it: a labelled URL ("Nguồn: https://...") on a header or
    footer line, else a header line that is only a URL. A site's home page (no path) is not an article's URL."""
    header = lay.lines[: lay.header_end]
    footer = lay.lines[max(lay.header_end, len(lay.lines) - FOOTER_LINES) :]
    for rx, where in ((_URL_LABEL, header + footer), (_URL_ALONE, header)):
        for line in where:
            m = rx.search(line) if len(line) <= 400 else None
            url = _page_url(m.group("url").rstrip(_URL_TAIL)) if m else None
            if url:
                return url
    return None


def _page_url(url: str | None) -> str | None:
    """`url` if it is the http(s) URL of a page (a host with a dot; a path or a query), else None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or "." not in parts.netloc:
        return None
    if parts.path in ("", "/") and not parts.query:
        return None  # a site's home page, not an article
    return url


def _host(url: str) -> str | None:
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    return host.removeprefix("www.") or None


@functools.cache
def publisher_domains() -> dict[str, str]:
    """Publisher names by web domain, declared in `data/publisher_domains.csv` (data, not rules)."""
    with _PUBLISHER_DOMAINS.open(encoding="utf-8", newline="") as fh:
        return {row["domain"].strip().lower(): row["publisher"].strip() for row in csv.DictReader(fh)}


def publisher_for_url(url: str) -> str | None:
    """The publisher a URL's domain names: the declared name of the domain or of its nearest parent
    domain (``ictnews.vietnamnet.vn`` before ``vietnamnet.vn``), else the domain itself without ``www.``."""
    host = _host(url if "://" in url else f"http://{url}")
    if host is None:
        return None
    names = publisher_domains()
    labels = host.split(".")
    for i in range(len(labels) - 1):
        name = names.get(".".join(labels[i:]))
        if name:
            return name
    return host


def publisher_name(name: str) -> str:
    """A publisher as a page gives it: a bare domain ("baosoctrang.org.vn") becomes its declared name."""
    name = name.strip()
    if _DOMAIN_LINE.match(name) or name.lower().startswith(("http://", "https://")):
        return publisher_for_url(name) or name
    return name


def text_metadata(text: str, published: date | None = None) -> TextMetadata:
    """Title, publication date, publisher, event date and URL as the article text itself gives them.

    Works on normalized text (no HTML). A month-only crawl marker ("date 2023-07") gives the
    first day of that month as publication date; the month end bounds the event date.
    `published`, when the caller knows it better (HTML metadata), replaces the text's own.
    """
    lines = [s for s in (line.strip() for line in text.split("\n")) if s]
    marker: _Found | None = None
    if lines:
        m = _MARKER.match(lines[0])
        if m:
            marker = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
            rest = lines[0][m.end() :].strip()
            lines = ([rest] if rest else []) + lines[1:]
    lay = _layout(lines)
    found = _Found(published, published) if published else _find_published(lay, marker)
    event = find_event_date(_lead_text(lay), found.value if found else None, found.latest if found else None)
    url = _find_url(lay)
    return TextMetadata(
        title=_find_title(lay),
        published=found.value if found else None,
        event_date=event,
        publisher=_find_publisher(lay) or (publisher_for_url(url) if url else None),
        url=url,
    )


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    found = _first_date(value[:10])
    return found.value if found else None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def entry_problem(path: Path, raw_dir: Path) -> IngestError | None:
    """Why an entry under `raw_dir` cannot be read as an article file, told without opening it.

    Hidden entries (a name starting with '.') are `hidden`; a link that leads outside the raw folder is
    `outside_raw_folder` (the raw folder is the only input: nothing else may get in through a link); a
    link to a folder is `link_to_folder` (a folder inside is read under its own path); FIFOs, sockets and
    devices are `not_a_file`; a folder that cannot be listed and a broken link are `unreadable`.
    A link to a file inside the raw folder is read as that file (None).
    """
    root = raw_dir.resolve()
    rel = _relative(path, raw_dir)
    if _hidden(rel):
        kind = "folder" if path.is_dir() and not path.is_symlink() else "file"
        return IngestError(
            "hidden",
            f"A hidden {kind} (its name starts with '.'): not read, so that editor, system and "
            "version-control files never become articles; rename it to include it.",
        )
    try:
        st = path.lstat()
    except OSError as err:
        return IngestError("unreadable", f"The entry could not be examined ({err.strerror or err}).")
    if stat.S_ISLNK(st.st_mode):
        target = Path(os.path.realpath(path))
        if not _inside(target, root):
            return IngestError(
                "outside_raw_folder",
                f"A link to {target}, outside the raw folder: links may only lead to files inside it; "
                "copy the file into the raw folder to include it.",
            )
        try:
            st = target.stat()
        except OSError as err:
            return IngestError("unreadable", f"A broken link ({err.strerror or err}).")
        if stat.S_ISDIR(st.st_mode):
            return IngestError(
                "link_to_folder",
                "A link to a folder of the raw folder: links to folders are not followed "
                "(the folder's files are read under their own paths).",
            )
    if stat.S_ISDIR(st.st_mode):
        try:
            with os.scandir(path):
                pass
        except OSError as err:
            return IngestError(
                "unreadable", f"The folder could not be listed ({err.strerror or err}): none of its files were read."
            )
        return IngestError("not_a_file", "A folder where a file was expected.")
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a socket or device"
        return IngestError("not_a_file", f"The entry is {kind}, not a regular file: not read.")
    return None


def _relative(path: Path, raw_dir: Path) -> str:
    """The posix path of an entry relative to the raw folder, always valid UTF-8 (odd bytes escaped)."""
    rel = path.relative_to(raw_dir).as_posix()
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        rel = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return rel


def read_raw_bytes(path: Path, raw_dir: Path | None = None, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of one raw file; with `raw_dir`, only if `entry_problem` finds none (never blocks on a FIFO)."""
    if raw_dir is not None:
        problem = entry_problem(path, raw_dir)
        if problem is not None:
            raise problem
        path = Path(os.path.realpath(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise IngestError("not_a_file", "The entry is not a regular file: not read.")
            if st.st_size > max_bytes:
                raise IngestError(
                    "too_large",
                    f"The file has {st.st_size:,} bytes, more than the {max_bytes:,} allowed for one article.",
                )
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise IngestError("unreadable", f"The file could not be read ({err.strerror or err}).") from err
    if len(data) > max_bytes:
        raise IngestError("too_large", f"The file has more than the {max_bytes:,} bytes allowed for one article.")
    return data


# Files that are data or documentation, not articles: rejected by name, not decoded.
NOT_ARTICLE_SUFFIXES = {
    ".csv",
    ".tsv",
    ".json",
    ".jsonl",
    ".parquet",
    ".yaml",
    ".yml",
    ".md",
    ".xml",
    ".zip",
    ".gz",
    ".xlsx",
    ".xls",
    ".docx",
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".py",
}


@dataclass(frozen=True)
class _Body:
    """A raw file's normalized text (what every span points into), with what decoding it told."""

    text: str
    encoding: str
    page: _HtmlPage | None  # the HTML page's metadata; None for plain text


def _read_body(data: bytes, suffix: str, html: bool | None = None) -> _Body:
    """Decode, take the article out of HTML, normalize: the one definition of an article's text.

    `html` None decides as ingest does: by the suffix, else by the content (`looks_like_html`).
    Raises IngestError ("empty", "binary", "undecodable", "no_text").
    """
    decoded, encoding = decode_bytes(data)
    is_html = html if html is not None else (suffix.lower() in HTML_SUFFIXES or looks_like_html(decoded))
    page = None
    if is_html:
        page = _extract_html(decoded)
        text = normalize_text(page.text)
        if _words(text) < MIN_HTML_WORDS:
            raise IngestError(
                "no_text",
                f"Only {_words(text)} words (menus, links) could be extracted from the HTML page: "
                "it has no article text.",
            )
    else:
        text = normalize_text(decoded)
        if not text:
            raise IngestError("empty", "The file contains only whitespace.")
    if not any(ch.isalpha() for ch in text):
        raise IngestError("no_text", f"The text has no letters ({len(text)} characters): it is not an article.")
    return _Body(text, encoding, page)


def article_text(source: str | os.PathLike[str] | bytes, *, html: bool | None = None) -> str:
    """The normalized text of one raw file, exactly as ingest makes it: every span of the dataset points into it.

    `source` is the raw file's path or its bytes. ``article_text(path)[o.char_start:o.char_end] == o.evidence``
    for every observation `o` of that file, and ``sha256(article_text(path).encode()).hexdigest()[:16]`` is its
    ``article_id``. `html` None decides HTML as ingest does (the suffix, else the content; bytes have no
    suffix); True or False forces it. Raises `IngestError` for a file ingest rejects (with the same reason).
    """
    if isinstance(source, bytes | bytearray):
        return _read_body(bytes(source), "", html).text
    path = Path(source)
    return _read_body(read_raw_bytes(path), path.suffix, html).text


def read_article(path: Path, raw_dir: Path, source: Source | None = None) -> Article:
    """Read one raw file into an Article (text normalized once, here). Raises IngestError.

    `source` is what a sources manifest says of the file: its url and publisher replace the page's own.
    """
    source_file = _relative(path, raw_dir)
    problem = entry_problem(path, raw_dir)
    if problem is not None:
        raise problem
    if path.suffix.lower() in NOT_ARTICLE_SUFFIXES:
        raise IngestError(
            "unsupported_type",
            f"A {path.suffix.lower()} file is not an article; the raw folder takes .txt and .html articles.",
        )
    data = read_raw_bytes(path, raw_dir)
    sha = _sha256(data)
    try:
        body = _read_body(data, path.suffix)
    except IngestError as err:
        err.content_sha256 = sha
        raise
    text, page = body.text, body.page
    if page is not None:
        meta = text_metadata(text, _parse_iso(page.date))
        title = page.title or meta.title
        publisher = (publisher_name(page.sitename) if page.sitename else None) or meta.publisher
        url = _page_url(page.url) or meta.url
    else:
        meta = text_metadata(text)
        title, publisher, url = meta.title, meta.publisher, meta.url
    if source is not None:
        url = source.url or url
        publisher = source.publisher or publisher
    if publisher is None and url:
        publisher = publisher_for_url(url)
    if body.encoding == "utf-8-lossy":
        log.warning("%s: invalid UTF-8 byte sequences were replaced by U+FFFD", source_file)
    return Article(
        article_id=_sha256(text.encode("utf-8"))[:16],
        source_file=source_file,
        text=text,
        content_sha256=sha,
        format="html" if page is not None else "txt",
        encoding=body.encoding,
        title=title,
        published=meta.published,
        event_date=meta.event_date,
        publisher=publisher,
        url=url,
        n_bytes=len(data),
    )


def raw_files(raw_dir: Path) -> list[tuple[str, Path]]:
    """Every entry under raw_dir, by relative posix path (deterministic order).

    Each ends as an article or a reject (`read_article` says why an entry is not read, see
    `entry_problem`): regular files and links to files, and also hidden files and folders (not entered),
    FIFOs, sockets, links to folders (not followed) and folders that cannot be listed. Nothing under the
    raw folder goes unrecorded.
    """
    raw_dir = Path(raw_dir)
    found: list[tuple[str, Path]] = []

    def unlisted(err: OSError) -> None:
        if err.filename is None or Path(err.filename) == raw_dir:
            raise err
        found.append((_relative(Path(err.filename), raw_dir), Path(err.filename)))

    for dirpath, dirnames, filenames in os.walk(raw_dir, onerror=unlisted):
        keep = []
        for d in dirnames:
            path = Path(dirpath) / d
            if d.startswith(".") or path.is_symlink():
                found.append((_relative(path, raw_dir), path))  # recorded, not entered
            else:
                keep.append(d)
        dirnames[:] = keep
        for name in filenames:
            path = Path(dirpath) / name
            found.append((_relative(path, raw_dir), path))
    found.sort(key=lambda item: item[0])
    return found


def _reject(source_file: str, reason: str, detail: str, sha: str | None) -> FileReject:
    log.warning("rejected %s: %s: %s", source_file, reason, detail)
    return FileReject(source_file=source_file, reason=reason, detail=detail, content_sha256=sha)


# --------------------------------------------------------------------------------------------
# The sources manifest
# --------------------------------------------------------------------------------------------

SOURCES_FILE = "sources.tsv"
MAX_SOURCES_BYTES = 64_000_000  # a manifest of 100,000 files with a summary each
_FILE_HEADERS = ("file", "source_file")
_MAX_WARNINGS = 20  # bad rows named one by one per manifest; the rest are counted


@dataclass(frozen=True)
class Source:
    """What a sources manifest says of one raw file (None: the manifest leaves it to the page)."""

    url: str | None = None
    publisher: str | None = None


def is_sources_manifest(source_file: str) -> bool:
    """A file named `SOURCES_FILE` (in the raw folder or one of its folders) lists sources, it is no article."""
    return source_file.rsplit("/", 1)[-1] == SOURCES_FILE


def _cell(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('""', '"').strip()
    return value


def _manifest_path(value: str) -> tuple[str | None, str]:
    """(the path a manifest row names, relative and posix; or None and why it is refused)."""
    value = value.replace("\\", "/")
    if not value:
        return None, "no file name"
    if value.startswith("/") or re.match(r"^[A-Za-z]:", value) or "://" in value:
        return None, f"{value!r} is an absolute path or a URL; name files by their path inside the folder"
    parts = [part for part in value.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None, f"{value!r} leads out of the folder ('..'); only files inside it can be described"
    if not parts:
        return None, f"{value!r} names no file"
    return unicodedata.normalize("NFC", "/".join(parts)), ""


def parse_sources(text: str) -> tuple[dict[str, Source], list[str]]:
    """The rows of a sources manifest: (url and publisher by file path, one sentence per row not used).

    Tab-separated, one row per raw file. With a header (first cell ``file``), the columns ``url`` and
    ``publisher`` are found by name (``year``, ``region_focus``, ``summary`` ... are not read); without
    one, the columns are ``file``, ``url`` and, if present, ``publisher``. A path that is absolute or
    leads out of the folder, a URL that is not http(s), and a second row for the same file are refused,
    each with a line number; the other rows are used.
    """
    rows = [(n, line.split("\t")) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    problems: list[str] = []
    columns: dict[str, int | None] = {"file": 0, "url": 1, "publisher": 2}
    if rows and _cell(rows[0][1][0]).lower().lstrip("\ufeff") in _FILE_HEADERS:
        names = [_cell(c).lower().lstrip("\ufeff") for c in rows[0][1]]
        columns = {"file": 0, "url": None, "publisher": None}
        for name in ("url", "publisher"):
            columns[name] = names.index(name) if name in names else None
        rows = rows[1:]
    entries: dict[str, Source] = {}
    for line, cells in rows:

        def cell(name: str, cells: list[str] = cells) -> str:
            i = columns[name]
            return _cell(cells[i]) if i is not None and i < len(cells) else ""

        path, why = _manifest_path(cell("file"))
        if path is None:
            problems.append(f"line {line}: {why}")
            continue
        url, publisher = cell("url") or None, cell("publisher") or None
        if url is not None and not url.lower().startswith(("http://", "https://")):
            problems.append(f"line {line}: the url of {path} ({url!r}) is not an http(s) URL; it is not used")
            url = None
        if path in entries:
            problems.append(f"line {line}: {path} is listed again; its first row is used")
            continue
        entries[path] = Source(
            url=url, publisher=unicodedata.normalize("NFC", " ".join(publisher.split())) or None if publisher else None
        )
    return entries, problems


def read_sources_manifest(path: Path, raw_dir: Path) -> str:
    """The text of one sources manifest under `raw_dir`; IngestError when it cannot be read as text."""
    data = read_raw_bytes(path, raw_dir, max_bytes=MAX_SOURCES_BYTES)
    try:
        text, _ = decode_bytes(data)
    except IngestError as err:
        err.content_sha256 = _sha256(data)
        raise
    return unicodedata.normalize("NFC", text)


def read_sources(raw_dir: Path, files: Sequence[tuple[str, Path]]) -> dict[str, Source]:
    """What the sources manifests among `files` (``raw_files(raw_dir)``) say, by source_file.

    A manifest describes files under its own folder; a deeper manifest's row wins over a shallower
    one's for the same file. Rows that cannot be used (see `parse_sources`) and rows naming no file
    of the raw folder are logged as warnings; the run goes on.
    """
    present = {unicodedata.normalize("NFC", name): name for name, _ in files}
    manifests = sorted(
        ((name, path) for name, path in files if is_sources_manifest(name)), key=lambda item: item[0].count("/")
    )
    found: dict[str, Source] = {}
    for name, path in manifests:
        try:
            entries, problems = parse_sources(read_sources_manifest(Path(path), Path(raw_dir)))
        except IngestError as err:
            log.warning("%s is not read as a sources manifest: %s: %s", name, err.reason, err.detail)
            continue
        folder = name[: -len(SOURCES_FILE)]
        for rel, entry in entries.items():
            source_file = present.get(unicodedata.normalize("NFC", folder + rel))
            if source_file is None or source_file == name:
                problems.append(f"{rel} is not a file of the raw folder{' under ' + folder if folder else ''}")
                continue
            found[source_file] = entry
        for problem in problems[:_MAX_WARNINGS]:
            log.warning("%s: %s", name, problem)
        if len(problems) > _MAX_WARNINGS:
            log.warning("%s: %d more rows not used", name, len(problems) - _MAX_WARNINGS)
        log.info("%s: url or publisher of %d files", name, sum(1 for e in entries if folder + e in present))
    return found


def read_raw_folder(raw_dir: Path) -> tuple[list[Article], list[FileReject]]:
    """Every file under raw_dir as an Article or a FileReject; never raises for a bad file.

    Files whose normalized text is identical to an earlier file (in path order) are
    rejected as duplicates, so each text is counted once. A sources manifest is neither: it is
    read for the url and publisher of the files it lists (`read_sources`).
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise NotADirectoryError(f"raw folder {raw_dir} does not exist or is not a directory")
    files = raw_files(raw_dir)
    articles, rejects = read_files(files, raw_dir, read_sources(raw_dir, files))
    log.info("ingest: %d articles read, %d files rejected from %s", len(articles), len(rejects), raw_dir)
    return articles, rejects


def read_files(
    files: Sequence[tuple[str, Path]], raw_dir: Path, sources: Mapping[str, Source] | None = None
) -> tuple[list[Article], list[FileReject]]:
    """The given files of `raw_dir` (``(source_file, path)`` in path order) as Articles or FileRejects.

    A file whose normalized text equals an earlier one's is rejected as a duplicate of it. `sources`
    is what the sources manifests say of the files (None: read them from `raw_dir`, `read_sources`);
    a manifest that reads as one is skipped (neither article nor reject), one that does not is a reject.
    """
    if sources is None:
        sources = read_sources(Path(raw_dir), raw_files(Path(raw_dir)))
    articles: list[Article] = []
    rejects: list[FileReject] = []
    seen: dict[str, str] = {}
    for source_file, path in files:
        if is_sources_manifest(source_file):
            try:
                read_sources_manifest(Path(path), Path(raw_dir))
            except IngestError as err:
                detail = f"Not read as a sources manifest: {err.detail}"
                rejects.append(_reject(source_file, err.reason, detail, err.content_sha256))
            continue
        try:
            article = read_article(Path(path), Path(raw_dir), sources.get(source_file))
        except IngestError as err:
            rejects.append(_reject(source_file, err.reason, err.detail, err.content_sha256))
            continue
        except Exception as err:  # a bug or a library failure on one file must not stop the run
            detail = f"Unexpected {type(err).__name__} while reading the file: {err}"
            log.error("rejected %s: error: %s", source_file, detail, exc_info=True)
            rejects.append(FileReject(source_file=source_file, reason="error", detail=detail))
            continue
        key = _sha256(article.text.encode("utf-8"))
        if key in seen:
            rejects.append(duplicate_reject(source_file, seen[key], article.content_sha256))
            continue
        seen[key] = source_file
        articles.append(article)
    return articles, rejects


def duplicate_reject(source_file: str, kept: str, sha: str | None) -> FileReject:
    return _reject(source_file, "duplicate", f"Same text as {kept}, which is kept; this copy is skipped.", sha)
