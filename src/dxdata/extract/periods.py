"""Time expressions in Vietnamese text and the period each one denotes.

"4 tháng đầu năm 2024" -> 2024-01-01..2024-04-30, "đến tháng 6/2023" -> ..2023-06-30,
"quý I/2022", "năm 2023", "giai đoạn 2021-2025", "đến năm 2025", "ngày 16/2/2022".
A day or month written without a year takes the year of the reference date.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Final

from dxdata.extract.numbers import NUMBER_WORDS
from dxdata.text import Anchors, digit_runs, finditer_at, lower_same_length, merge_starts

ROMAN: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


class TimeExpr:
    """A time expression's span and the period it names."""

    def __init__(
        self,
        start: int,
        end: int,
        period_start: date | None,
        period_end: date | None,
        # "range", "year", "year_of" (của năm ...), "month", "day", "cumulative" (đến ...), "now", "comparison"
        kind: str,
    ) -> None:
        self.start = start
        self.end = end
        self.period_start = period_start
        self.period_end = period_end
        self.kind = kind

    def __repr__(self) -> str:
        return f"TimeExpr({self.start}, {self.end}, {self.period_start!r}, {self.period_end!r}, {self.kind!r})"


_MONTH_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    """`calendar.monthrange(year, month)[1]` for a month of 1 to 12, without its weekday arithmetic."""
    if month == 2 and calendar.isleap(year):
        return 29
    return _MONTH_DAYS[month - 1]


def _month_end(year: int, month: int) -> date:
    return date(year, month, _days_in_month(year, month))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_Y: Final = r"((?:19|20)\d{2})"
_NO_YEAR: Final = r"(?!\s*(?:[/.-]|năm)?\s*\d)"  # a month with no year after it ("cuối tháng 6")
# "đến / tính đến / tới hết ..." before a date makes it cumulative: checked on the text before a match
_UPTO_BEFORE: Final = re.compile(r"(?:đến|tới|đến hết|tới hết|hết|lũy kế đến)(?:\s+thời điểm)?\s+$")
_COMPARISON_BEFORE: Final = re.compile(r"(?:so với|so cùng kỳ|so với cùng kỳ|hơn|từ|như|bằng)(?:\s*cùng kỳ)?\s*$")
_POSSESSIVE_BEFORE: Final = re.compile(r"\bcủa\s*$")


def _either(words: tuple[str, ...]) -> str:
    """The words (letters and spaces) as alternatives of a pattern."""
    return "|".join(words)


# The words each pattern opens with (the words it may open with, where it may open with a digit too).
_RANGE_LEADS: Final = ("năm",)
_MONTH_COUNT_WORDS: Final = ("sáu", "chín", "ba", "bốn", "năm", "mười")  # counts of months, in words
_QUARTER_LEADS: Final = ("quý",)
_HALF_LEADS: Final = ("giữa", "đầu", "cuối")
_MONTH_EDGE_LEADS: Final = ("đầu", "giữa", "cuối")
_DAY_LEADS: Final = ("ngày",)
_MONTH_LEADS: Final = ("tháng",)
_YEAR_LEADS: Final = ("năm", "trong năm", "cả năm", "hết năm")
_INDEX_LEADS: Final = ("dti", "egdi", "ict index", "index")
_THIS_YEAR_WORDS: Final = ("năm nay", "năm ngoái", "năm trước", "năm qua")
_AGO_WORDS: Final = ("một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "mười")  # "hai năm trước"
_AGO_LEADS: Final = ("cách đây",)
_NOW_WORDS: Final = (
    "đến nay", "tới nay", "hiện nay", "hiện tại", "tính đến nay", "đến thời điểm này", "tới thời điểm này",
    "thời điểm hiện tại", "vừa qua",
)  # fmt: skip

# (kind, the words a match opens with, whether a match may open with a digit instead, the pattern)
_PATTERNS: Final[list[tuple[str, tuple[str, ...], bool, re.Pattern[str]]]] = [
    (
        "range_years",
        _RANGE_LEADS,
        True,
        re.compile(rf"(?:(?:{_either(_RANGE_LEADS)})\s+)?{_Y}\s*(?:-|–|—|đến|tới)\s*(?:năm\s+)?{_Y}"),
    ),
    (
        "months_of_year",
        _MONTH_COUNT_WORDS,
        True,
        re.compile(
            rf"(?P<n>\d{{1,2}}|{_either(_MONTH_COUNT_WORDS)})\s+tháng"
            rf"(?:\s+(?:đầu|đầu năm|cuối|qua|của|năm))*\s*(?:năm\s+)?{_Y}?",
        ),
    ),
    (
        "quarter",
        _QUARTER_LEADS,
        False,
        re.compile(rf"(?:{_either(_QUARTER_LEADS)})\s+(?P<q>i{{1,3}}v?|iv|[1-4])\s*(?:/|năm|-)\s*{_Y}"),
    ),
    ("half", _HALF_LEADS, False, re.compile(rf"(?P<which>{_either(_HALF_LEADS)})\s+năm\s+{_Y}")),
    (
        "month_edge",
        _MONTH_EDGE_LEADS,
        False,
        re.compile(
            rf"(?P<which>{_either(_MONTH_EDGE_LEADS)})\s+tháng\s+(?P<m>\d{{1,2}})(?:\s*(?:/|năm)\s*{_Y}|{_NO_YEAR})"
        ),
    ),
    (
        "day",
        _DAY_LEADS,
        True,
        re.compile(rf"(?:(?:{_either(_DAY_LEADS)})\s+)?(?P<d>\d{{1,2}})\s*[/.-]\s*(?P<m>\d{{1,2}})\s*[/.-]\s*{_Y}"),
    ),
    (
        "month",
        _MONTH_LEADS,
        False,
        re.compile(rf"(?:{_either(_MONTH_LEADS)})\s+(?P<m>\d{{1,2}})(?:\s*(?:/|năm|-)\s*{_Y}|{_NO_YEAR})"),
    ),
    (
        "day_no_year",
        _DAY_LEADS,
        False,
        re.compile(rf"(?:{_either(_DAY_LEADS)})\s+(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})(?![\d/])"),
    ),
    ("year", _YEAR_LEADS, False, re.compile(rf"(?P<pre>{_either(_YEAR_LEADS)})\s+{_Y}(?![\d/])")),
    ("year_bare", _INDEX_LEADS, False, re.compile(rf"(?P<pre>{_either(_INDEX_LEADS)})\s+{_Y}(?![\d/])")),
    (  # "cách đây hai năm", "cách đây 3 tháng": that long before the article's date
        "ago",
        _AGO_LEADS,
        False,
        re.compile(
            rf"cách\s+đây\s+(?:khoảng\s+|gần\s+|hơn\s+)?(?P<n>\d{{1,2}}|{_either(_AGO_WORDS)})\s+(?P<u>năm|tháng)"
        ),
    ),
    (  # "hai năm trước", "3 tháng về trước"
        "ago",
        _AGO_WORDS,
        True,
        re.compile(rf"(?P<n>\d{{1,2}}|{_either(_AGO_WORDS)})\s+(?P<u>năm|tháng)\s+(?:về\s+)?trước\b"),
    ),
    ("this_year", _THIS_YEAR_WORDS, False, re.compile(rf"(?P<rel>{_either(_THIS_YEAR_WORDS)})")),
    ("now", _NOW_WORDS, False, re.compile(rf"(?:{_either(_NOW_WORDS)})")),
]
# Each pattern is tried only where one of its words stands (`Anchors` finds all of them in one pass, shared
# with the region names and the number words) and, where it may open with a digit, at every digit:
# `finditer_at` gives the matches a scan of the whole text gives, for a fraction of the work.
ANCHOR_LITERALS: Final = tuple(dict.fromkeys(word for _kind, words, _digit, _rx in _PATTERNS for word in words))
_ANCHORS: Final = Anchors(ANCHOR_LITERALS)


def _tries(words: tuple[str, ...], digit_led: bool, anchors: dict[str, list[int]], digits: list[int]) -> list[int]:
    """Where a pattern is tried: at its words (`anchors`: their offsets) and, `digit_led`, at every digit."""
    starts = merge_starts(anchors, words)
    return sorted(set(starts).union(digits)) if digit_led else starts


def find_time_expressions(
    text: str,
    ref: date | None,
    runs: list[tuple[int, int]] | None = None,
    lowered: str | None = None,
    anchors: dict[str, list[int]] | None = None,
) -> list[TimeExpr]:
    """All time expressions in `text`, non-overlapping, earliest first (longest wins on overlap).

    `runs`: `digit_runs(text)`, when the caller has it already; `lowered`: `text.lower()` when that has
    the length of `text`, and `anchors`: the `Anchors.find` of it over (at least) `ANCHOR_LITERALS`,
    when the caller has them already (one scan shared with the numbers).
    """
    found: list[TimeExpr] = []
    if lowered is None or len(lowered) != len(text):
        lowered = lower_same_length(text)  # offsets must stay valid
    if anchors is None:
        anchors = _ANCHORS.find(lowered)
    if runs is None:
        runs = digit_runs(text)  # lower-casing keeps every digit where it is
    digits = [p for start, end in runs for p in range(start, end)]
    for kind, words, digit_led, rx in _PATTERNS:
        for m in finditer_at(rx, lowered, _tries(words, digit_led, anchors, digits)):
            expr = _read(kind, m, ref, lowered)
            if expr is not None:
                found.append(expr)
    found.sort(key=lambda e: (e.start, -(e.end - e.start)))
    out: list[TimeExpr] = []
    last_end = -1
    for e in found:
        if e.start >= last_end:
            out.append(e)
            last_end = e.end
    return out


def _month_year(m: re.Match[str], ref: date | None) -> int | None:
    """The year of a month: the one written, else the article's (the year before, for a month that has not
    begun by the article's date: "tháng 12" in January)."""
    written = _optional_year(m)
    if written or ref is None:
        return written
    month = int(m.group("m"))
    return ref.year - 1 if 1 <= month <= 12 and date(ref.year, month, 1) > ref else ref.year


def _year(m: re.Match[str]) -> int:
    """The year group is always the last group of a single-year pattern."""
    return int(m.group(m.re.groups))


def _optional_year(m: re.Match[str]) -> int | None:
    """The year of a pattern whose year may be left out ("4 tháng đầu năm")."""
    last = m.group(m.re.groups)
    return int(last) if last else None


def _upto(before: str) -> bool:
    """'đến', 'tính đến' ... just before the expression (`before`: the 30 characters before it)."""
    return _UPTO_BEFORE.search(before) is not None


def _made(start: int, end: int, before: str, ps: date | None, pe: date | None, k: str) -> TimeExpr:
    """The expression at `start:end` of kind `k`, told apart by the words before it (`before`, 30 characters)."""
    if k == "year":
        if _COMPARISON_BEFORE.search(before[-20:]):
            k = "comparison"
        elif _POSSESSIVE_BEFORE.search(before[-8:]):
            k = "year_of"  # "thứ 2 của năm 2018": dates the numbers before it only
    if k != "now" and _upto(before):
        return TimeExpr(start, end, None, pe, "cumulative")
    return TimeExpr(start, end, ps, pe, k)


def _read(kind: str, m: re.Match[str], ref: date | None, text: str) -> TimeExpr | None:
    start, end = m.start(), m.end()
    before = text[max(0, start - 30) : start]
    ref_year = ref.year if ref else None

    if kind == "range_years":
        y1, y2 = int(m.group(1)), _year(m)
        if y2 <= y1:
            return None
        return _made(start, end, before, date(y1, 1, 1), date(y2, 12, 31), "range")
    if kind == "months_of_year":
        n_raw = m.group("n").lower()
        n = NUMBER_WORDS.get(n_raw) or (int(n_raw) if n_raw.isdigit() else 0)
        year = _optional_year(m) or ref_year
        if not 1 <= n <= 12 or year is None:
            return None
        if "cuối" in m.group(0).lower():
            return _made(start, end, before, date(year, 13 - n, 1), date(year, 12, 31), "range")
        return _made(start, end, before, date(year, 1, 1), _month_end(year, n), "range")
    if kind == "quarter":
        q_raw = m.group("q").lower()
        q = ROMAN.get(q_raw) or int(q_raw)
        year = _year(m)
        return _made(start, end, before, date(year, 3 * q - 2, 1), _month_end(year, 3 * q), "range")
    if kind == "half":
        year = _year(m)
        which = m.group("which").lower()
        edge = {"đầu": date(year, 1, 1), "giữa": date(year, 6, 30), "cuối": date(year, 12, 31)}[which]
        return TimeExpr(start, end, None, edge, "cumulative")
    if kind == "month_edge":  # "cuối tháng 6" with no year: the article's year (ROWS.md)
        year, month = _month_year(m, ref), int(m.group("m"))
        if year is None or not 1 <= month <= 12:
            return None
        which = m.group("which").lower()
        day = {"đầu": 1, "giữa": 15}.get(which, _days_in_month(year, month))
        return TimeExpr(start, end, None, date(year, month, day), "cumulative")
    if kind == "day":
        d = _safe_date(_year(m), int(m.group("m")), int(m.group("d")))
        if d is None:
            return None
        return TimeExpr(start, end, None, d, "cumulative" if _upto(before) else "day")
    if kind == "month":
        year, month = _month_year(m, ref), int(m.group("m"))
        if year is None or not 1 <= month <= 12:
            return None
        return _made(start, end, before, date(year, month, 1), _month_end(year, month), "month")
    if kind == "day_no_year":
        if ref is None:
            return None
        d = _safe_date(ref.year, int(m.group("m")), int(m.group("d")))
        if d is None:
            return None
        if d > ref:
            d = _safe_date(ref.year - 1, d.month, d.day)
        return TimeExpr(start, end, None, d, "cumulative" if _upto(before) else "day")
    if kind in ("year", "year_bare"):
        year = _year(m)
        return _made(start, end, before, date(year, 1, 1), date(year, 12, 31), "year")
    if kind == "this_year":
        if ref_year is None:
            return None
        rel = m.group("rel").lower()
        year = ref_year if rel == "năm nay" else ref_year - 1
        return _made(start, end, before, date(year, 1, 1), date(year, 12, 31), "year")
    if kind == "ago":
        n_raw = m.group("n")
        n = int(n_raw) if n_raw.isdigit() else NUMBER_WORDS[n_raw]
        if ref is None or not 1 <= n <= 50:
            return None
        months = ref.year * 12 + ref.month - 1 - (n * 12 if m.group("u") == "năm" else n)
        year, month = divmod(months, 12)
        day = min(ref.day, _days_in_month(year, month + 1))
        return TimeExpr(start, end, None, date(year, month + 1, day), "day")
    if kind == "now":
        return TimeExpr(start, end, None, None, "now")
    return None
