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

from dxdata.text import Anchors, EndPattern, StartPattern, digit_runs, finditer_at, merge_starts, skip_spaces

ROMAN: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


class TimeExpr:
    """A time expression's span and the period it names. A plain class, as `dxdata.numbers.NumberMention`
    (compiled, built by a direct call)."""

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
# "đến / tính đến / tới hết ..." before a date makes it cumulative: checked on the text before a match
# (the optional words before the final run of spaces, not after it: the same matches, and `EndPattern` can
# then tell from the character before that run whether a match may end there)
_UPTO_BEFORE: Final = EndPattern(r"(?:đến|tới|đến hết|tới hết|hết|lũy kế đến)(?:\s+thời điểm)?\s+$")
_WORD_NUM: Final = {"sáu": 6, "chín": 9, "ba": 3, "bốn": 4, "năm": 5, "mười": 10}  # counts of months, in words
_PATTERNS: Final[list[tuple[str, re.Pattern[str]]]] = [
    (
        "range_years",
        re.compile(
            rf"(?:năm\s+)?{_Y}\s*(?:-|–|—|đến|tới)\s*(?:năm\s+)?{_Y}",
        ),
    ),
    (
        "months_of_year",
        re.compile(
            rf"(?P<n>\d{{1,2}}|{'|'.join(_WORD_NUM)})\s+tháng"
            rf"(?:\s+(?:đầu|đầu năm|cuối|qua|của|năm))*\s*(?:năm\s+)?{_Y}?",
        ),
    ),
    ("quarter", re.compile(rf"quý\s+(?P<q>i{{1,3}}v?|iv|[1-4])\s*(?:/|năm|-)\s*{_Y}")),
    ("half", re.compile(rf"(?P<which>giữa|đầu|cuối)\s+năm\s+{_Y}")),
    (
        "month_edge",
        re.compile(rf"(?P<which>đầu|giữa|cuối)\s+tháng\s+(?P<m>\d{{1,2}})\s*(?:/|năm)\s*{_Y}"),
    ),
    (
        "day",
        re.compile(rf"(?:ngày\s+)?(?P<d>\d{{1,2}})\s*[/.-]\s*(?P<m>\d{{1,2}})\s*[/.-]\s*{_Y}"),
    ),
    ("month", re.compile(rf"tháng\s+(?P<m>\d{{1,2}})\s*(?:/|năm|-)\s*{_Y}")),
    (
        "day_no_year",
        re.compile(r"ngày\s+(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?![\d/])"),
    ),
    ("year", re.compile(rf"(?P<pre>năm|trong năm|cả năm|hết năm)\s+{_Y}(?![\d/])")),
    ("year_bare", re.compile(rf"(?P<pre>dti|egdi|ict index|index)\s+{_Y}(?![\d/])")),
    ("this_year", re.compile(r"(?P<rel>năm nay|năm ngoái|năm trước|năm qua)")),
    (
        "now",
        re.compile(
            r"(?:đến nay|tới nay|hiện nay|hiện tại|tính đến nay|đến thời điểm này|tới thời điểm này|"
            r"thời điểm hiện tại|vừa qua)",
        ),
    ),
]
_COMPARISON_BEFORE: Final = EndPattern(
    r"(?:so với|so cùng kỳ|so với cùng kỳ|hơn|từ|như|bằng)(?:\s*cùng kỳ)?\s*$", re.IGNORECASE
)
_POSSESSIVE_BEFORE: Final = EndPattern(r"\bcủa\s*$")


# Where each pattern can start: at one of its strings here, or (kinds in `_pattern_starts`) where the
# numeral it begins with can. `Anchors` finds the strings in one pass and each pattern is tried at
# those offsets only (`finditer_at`): the same matches as a full scan, for a fraction of the work.
_STARTS: Final[dict[str, tuple[str, ...]]] = {
    "range_years": ("năm",),
    "months_of_year": (),
    "quarter": ("quý",),
    "half": ("giữa", "đầu", "cuối"),
    "month_edge": ("đầu", "giữa", "cuối"),
    "day": ("ngày",),
    "month": ("tháng",),
    "day_no_year": ("ngày",),
    "year": ("năm", "trong năm", "cả năm", "hết năm"),
    "year_bare": ("dti", "egdi", "ict index", "index"),
    "this_year": ("năm nay", "năm ngoái", "năm trước", "năm qua"),
    "now": (
        "đến nay", "tới nay", "hiện nay", "hiện tại", "tính đến nay", "đến thời điểm này", "tới thời điểm này",
        "thời điểm hiện tại", "vừa qua",
    ),
}
ANCHOR_LITERALS: Final = tuple(lit for lits in _STARTS.values() for lit in lits)
_ANCHORS: Final = Anchors(ANCHOR_LITERALS)
_SEPARATOR_AHEAD: Final = StartPattern(r"\s*[/.-]")
_RANGE_LINKS: Final = ("-", "–", "—", "đến", "tới")  # what joins the two years of "range_years"


def _range_link_at(text: str, pos: int) -> bool:
    r"""Whether `\s*(?:-|–|—|đến|tới)` matches at `pos`: a character scan, no regex call."""
    return text.startswith(_RANGE_LINKS, skip_spaces(text, pos, len(text)))


def _pattern_starts(kind: str, text: str, runs: list[tuple[int, int]], anchors: dict[str, list[int]]) -> list[int]:
    """Ascending offsets where a `kind` match can start: at one of its `_STARTS` strings, or at the numeral it
    begins with. For the kinds below, an offset where a condition every match meets fails is left out: each
    try is a call into the regex engine, and most would fail.
    """
    starts = merge_starts(anchors, _STARTS[kind])
    if kind == "range_years":
        # "2021-2025": a year, the last four digits of a run, then a dash, 'đến' or 'tới'. After "năm" and
        # spaces, such a year starts its run: it follows a space, and a longer run puts a digit where the
        # link must be.
        years = [end - 4 for start, end in runs if end - start >= 4 and _range_link_at(text, end)]
        return _union(_after_word_and_spaces(text, starts, 3, set(years)), years)
    if kind == "day":
        # "16/2/2022": one or two digits ending a run, a separator; the next run, one or two digits, then a
        # separator; the next, a year of four digits at least
        ahead = _SEPARATOR_AHEAD
        days: list[int] = []
        for i in range(len(runs) - 2):
            start, end = runs[i]
            month_start, month_end = runs[i + 1]
            year_start, year_end = runs[i + 2]
            short_month, long_year = month_end - month_start <= 2, year_end - year_start >= 4
            if short_month and long_year and ahead.matches(text, end) and ahead.matches(text, month_end):
                days.extend(p for p in (end - 2, end - 1) if p >= start)
        return _union(_after_word_and_spaces(text, starts, 4, set(days)), days)  # "ngày 16/2/2022"
    if kind == "months_of_year":
        # "4 tháng", "sáu tháng": a number of months (one or two digits, or a word) ending just before the
        # spaces before "tháng"
        months: list[int] = []
        for t in anchors["tháng"]:
            q = t
            while q > 0 and text[q - 1].isspace():
                q -= 1
            if q < t:
                months.extend(p for p in range(max(q - 4, 0), q) if _is_month_count(text[p:q]))
        return _union(starts, months)
    return starts


def _is_month_count(word: str) -> bool:
    """What the `(?P<n>...)` of "months_of_year" can match in full: one or two digits, or a count in words."""
    return word in _WORD_NUM or (len(word) <= 2 and word.isdecimal())


def _after_word_and_spaces(text: str, starts: list[int], length: int, allowed: set[int]) -> list[int]:
    """The `starts` of a word of `length` characters followed by spaces and then an offset in `allowed`: the
    patterns that open with the word (optional) and spaces need their numeral there, or fail."""
    out: list[int] = []
    for p in starts:
        q = skip_spaces(text, p + length, len(text))
        if q > p + length and q in allowed:
            out.append(p)
    return out


def _union(first: list[int], second: list[int]) -> list[int]:
    if not second:
        return first
    return sorted(set(first).union(second))


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
    if lowered is None:
        lowered = text.lower()
        if len(lowered) != len(text):  # offsets must stay valid; never seen on NFC Vietnamese
            lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    if anchors is None:
        anchors = _ANCHORS.find(lowered)
    if runs is None:
        runs = digit_runs(text)  # lower-casing keeps every digit where it is
    for kind, rx in _PATTERNS:
        for m in finditer_at(rx, lowered, _pattern_starts(kind, lowered, runs, anchors)):
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


def _year(m: re.Match[str]) -> int:
    """The year group is always the last group of a single-year pattern."""
    return int(m.group(m.re.groups))


def _optional_year(m: re.Match[str]) -> int | None:
    """The year of a pattern whose year may be left out ("4 tháng đầu năm")."""
    last = m.group(m.re.groups)
    return int(last) if last else None


def _upto(rev: str) -> bool:
    """'đến', 'tính đến' ... just before the expression (`rev`: the 30 characters before it, reversed)."""
    return _UPTO_BEFORE.search_reversed(rev, 30)


def _made(start: int, end: int, rev: str, ps: date | None, pe: date | None, k: str) -> TimeExpr:
    """The expression at `start:end` of kind `k`, told apart by the words before it (`rev`, reversed).

    A module function, not a closure in `_read`: a closure and its environment form a reference cycle on every
    call, which only the cyclic garbage collector frees.
    """
    # the rules are asked only where they decide something: most expressions are not years
    if k == "year":
        if _COMPARISON_BEFORE.search_reversed(rev, 20):
            k = "comparison"
        elif _POSSESSIVE_BEFORE.search_reversed(rev, 8):
            k = "year_of"  # "thứ 2 của năm 2018": dates the numbers before it only
    if k != "now" and _upto(rev):
        return TimeExpr(start, end, None, pe, "cumulative")
    return TimeExpr(start, end, ps, pe, k)


def _read(kind: str, m: re.Match[str], ref: date | None, text: str) -> TimeExpr | None:
    start, end = m.start(), m.end()
    start = skip_spaces(text, start, end)
    rev = text[max(0, start - 30) : start][::-1]  # one reversal for the three `EndPattern` rules
    ref_year = ref.year if ref else None

    if kind == "range_years":
        y1, y2 = int(m.group(1)), _year(m)
        if y2 <= y1:
            return None
        return _made(start, end, rev, date(y1, 1, 1), date(y2, 12, 31), "range")
    if kind == "months_of_year":
        n_raw = m.group("n").lower()
        n = _WORD_NUM.get(n_raw) or (int(n_raw) if n_raw.isdigit() else 0)
        year = _optional_year(m) or ref_year
        if not 1 <= n <= 12 or year is None:
            return None
        if "cuối" in m.group(0).lower():
            return _made(start, end, rev, date(year, 13 - n, 1), date(year, 12, 31), "range")
        return _made(start, end, rev, date(year, 1, 1), _month_end(year, n), "range")
    if kind == "quarter":
        q_raw = m.group("q").lower()
        q = ROMAN.get(q_raw) or int(q_raw)
        year = _year(m)
        return _made(start, end, rev, date(year, 3 * q - 2, 1), _month_end(year, 3 * q), "range")
    if kind == "half":
        year = _year(m)
        which = m.group("which").lower()
        edge = {"đầu": date(year, 1, 1), "giữa": date(year, 6, 30), "cuối": date(year, 12, 31)}[which]
        return TimeExpr(start, end, None, edge, "cumulative")
    if kind == "month_edge":
        year, month = _year(m), int(m.group("m"))
        if not 1 <= month <= 12:
            return None
        which = m.group("which").lower()
        day = {"đầu": 1, "giữa": 15}.get(which, _days_in_month(year, month))
        return TimeExpr(start, end, None, date(year, month, day), "cumulative")
    if kind == "day":
        d = _safe_date(_year(m), int(m.group("m")), int(m.group("d")))
        if d is None:
            return None
        return TimeExpr(start, end, None, d, "cumulative" if _upto(rev) else "day")
    if kind == "month":
        year, month = _year(m), int(m.group("m"))
        if not 1 <= month <= 12:
            return None
        return _made(start, end, rev, date(year, month, 1), _month_end(year, month), "month")
    if kind == "day_no_year":
        if ref is None:
            return None
        d = _safe_date(ref.year, int(m.group("m")), int(m.group("d")))
        if d is None:
            return None
        if d > ref:
            d = _safe_date(ref.year - 1, d.month, d.day)
        return TimeExpr(start, end, None, d, "cumulative" if _upto(rev) else "day")
    if kind in ("year", "year_bare"):
        year = _year(m)
        return _made(start, end, rev, date(year, 1, 1), date(year, 12, 31), "year")
    if kind == "this_year":
        if ref_year is None:
            return None
        rel = m.group("rel").lower()
        year = ref_year if rel == "năm nay" else ref_year - 1
        return _made(start, end, rev, date(year, 1, 1), date(year, 12, 31), "year")
    if kind == "now":
        return TimeExpr(start, end, None, None, "now")
    return None
