"""What an article's text says of itself: title, publication date, event date, publisher and URL.

Rules over the lines of normalized text (no HTML): the header lines before the body give the title
and the publication date, the footer lines the publisher, the first paragraphs of the body the day
of the event the article reports, and a URL the page prints names its publisher through the declared
domains of `data/publisher_domains.csv` (`publisher_domains`). Pure, apart from reading that file once.
"""

from __future__ import annotations

import calendar
import csv
import functools
import re
import statistics
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

HEADER_MAX_LINES = 20  # non-empty lines before the body in which the title and dates are looked for
FOOTER_LINES = 25  # non-empty lines at the end in which publisher lines are looked for
LEAD_PARAGRAPHS = 3  # the event date is looked for in this many body paragraphs
LEAD_MAX_CHARS = 1500
_MIN_YEAR, _MAX_YEAR = 1990, 2100
_PUBLISHER_DOMAINS = Path(__file__).resolve().parents[1] / "data" / "publisher_domains.csv"

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
    r"|(?-i:\d+(?:/\d+)?[/-][A-ZĐ][\w-]*(?:/[A-ZĐ][\w-]*)?)[^.;,\n]{0,30}$",
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


def _parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    found = _first_date(value[:10])
    return found.value if found else None
