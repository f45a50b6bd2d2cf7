"""Find the numbers in Vietnamese text and read each one: value, unit, qualifier, denominator.

Also says which numbers are not facts (dates, years, document numbers, labels,
phone numbers ...), so that the extractor can account for every number it saw.
Pure functions over normalized text (see `dxdata.text.normalize_text`).
"""

from __future__ import annotations

import math
import re
from typing import Final

from dxdata.extract.settings import settings
from dxdata.text import Anchors, digit_runs, finditer_at, lower_same_length, merge_starts

# One numeral as written: "2.398", "17.371.225", "80,2", "0.6667", "1.000", "86".
# Possessive (`++`, `{1,3}+`) where giving back a digit could never help: a digit would be next, not the
# separator that follows. The same matches, without retrying every shorter run of digits.
_NUMERAL: Final = r"\d{1,3}+(?:\.\d{3})+(?!\d|\.\d)(?:,\d+)?|\d++,\d+|\d++\.\d+|\d+"  # a final "." ends the sentence
_SCALE_WORDS: Final = {"nghìn": 1e3, "ngàn": 1e3, "ngan": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}
_SCALE: Final = r"(?:nghìn|ngàn|triệu|tỷ|tỉ)(?!\w)"
_CURRENCY: Final = r"(?:đồng|đổng|VNĐ|VND|vnđ|USD|usd|đô la Mỹ|đô la|US\$|\$)(?!\w)"
# A number is a numeral and what may follow it: a denominator, a percent sign, scale words, a currency.
# Every part after the numeral is optional, so a match starts at any run of digits (`find_numbers`).
# (Spaces possessive: neither "/", a numeral, a scale word nor a currency starts with a space.)
_NUMBER_RE: Final = re.compile(
    rf"(?P<num>{_NUMERAL})"
    rf"(?:\s*+/\s*+(?P<denom>{_NUMERAL}))?"
    rf"(?P<pct>\s?%|\s(?:phần trăm))?"
    rf"(?P<scale>(?:\s++{_SCALE})+)?"
    rf"(?P<cur>\s*+{_CURRENCY})?"
)

NUMBER_WORDS: Final = {
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "nhất": 1,
    "nhì": 2,
}
# Number words are facts only in these frames: an ordinal after "thứ"/"hạng", or a
# cardinal before a counted noun the codebook cares about.
_ORDINAL_LEADS: Final = ("vị trí", "xếp", "đứng", "hạng", "thứ", "giải")  # the words it opens with
_WORD_ORDINAL_RE: Final = re.compile(
    r"\b(?P<lead>(?:vị trí\s+|xếp\s+|đứng\s+|hạng\s+|xếp hạng\s+)?thứ|hạng|giải)\s+"
    r"(?P<word>nhất|nhì|hai|ba|tư|năm|sáu|bảy|tám|chín|mười)\b(?!\s*\d)",
)
_CARDINAL_WORDS: Final = ("hai", "ba", "bốn", "sáu", "bảy", "tám", "chín", "mười")
_WORD_CARDINAL_RE: Final = re.compile(
    rf"(?<![\w])(?P<word>{'|'.join(_CARDINAL_WORDS)})\s+(?=(?:bậc|hạng|nghị định|quyết định|chỉ thị|luật|"
    r"nghị quyết|nhiệm vụ|chỉ tiêu|lần)\b)",
)


class NumberMention:
    """One number in the text, read as far as the text around it allows. Made for every number of every
    article, and never changed (`_mark_ranges` and `_mark_coordinations` make new ones)."""

    def __init__(
        self,
        start: int,
        end: int,
        text: str,
        value: float,
        unit: str | None,  # percent, count, VND, USD, rank, score, times; None when not a fact
        denominator: float | None = None,
        qualifier: str = "eq",
        not_fact: str | None = None,  # reason when the number is not a fact (date, year, ...)
        is_change: bool = False,  # "tăng 20%", "tăng 2 bậc", "gấp 3 lần": a change, not a level
        range_role: str | None = None,  # "low"/"high" for the ends of "từ 60 đến 70%"
    ) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.value = value
        self.unit = unit
        self.denominator = denominator
        self.qualifier = qualifier
        self.not_fact = not_fact
        self.is_change = is_change
        self.range_role = range_role

    def read_as(
        self, value: float, unit: str | None, qualifier: str, is_change: bool, range_role: str | None
    ) -> NumberMention:
        """This number read again beside its neighbours (the ends of a range, a coordinated rank): the same span,
        text, denominator and not-fact reason, with these fields new."""
        return NumberMention(
            self.start, self.end, self.text, value, unit, self.denominator, qualifier, self.not_fact, is_change,
            range_role,
        )  # fmt: skip

    def __repr__(self) -> str:
        return (
            f"NumberMention({self.start}, {self.end}, {self.text!r}, {self.value!r}, {self.unit!r}, "
            f"denominator={self.denominator!r}, qualifier={self.qualifier!r}, not_fact={self.not_fact!r}, "
            f"is_change={self.is_change!r}, range_role={self.range_role!r})"
        )


def parse_numeral(raw: str, *, dot_decimal: bool = False) -> float:
    """Read one Vietnamese numeral: "." groups thousands, "," is the decimal mark.

    A dot followed by anything but groups of three digits is a decimal point
    ("0.6667"); `dot_decimal` forces that reading ("0.598" in a 0-1 index context).
    """
    if "," in raw:
        whole, frac = raw.split(",", 1)
        return float(whole.replace(".", "") + "." + frac)
    if "." in raw:
        groups = raw.split(".")
        grouped = not groups[0].startswith("0")
        if not all(len(group) == 3 for group in groups[1:]):
            grouped = False
        if grouped and not dot_decimal:
            return float(raw.replace(".", ""))
        if len(groups) == 2:
            return float(raw)
        return float(raw.replace(".", ""))
    return float(raw)


# ---- context rules -------------------------------------------------------------------------
# The `..._BEFORE` rules end in `$`: each is searched in the text just before a number (`_before`, 40
# characters; the qualifiers and the phone rule in the last 25 of them). The `..._AFTER` rules are matched
# at the start of the text just after it (`_after`). Rules written in lower case are case-insensitive: they
# read the lower-cased text (`find_numbers`' `lowered`), which lets the engine compare plain characters.


def _words_before(words: tuple[str, ...], tail: str = r"\s*$", head: str = "") -> re.Pattern[str]:
    """A rule that holds where the text before a number ends with one of `words` (then `tail`)."""
    return re.compile(rf"{head}(?:{'|'.join(words)}){tail}")


_WORDS: Final = settings()  # the vocabularies of these rules (schemas/extraction.yaml)
_QUALIFIER_RES: Final = [
    (q, _words_before(getattr(_WORDS.qualifiers, q), r"(?:\s+(?:mức|con số|tổng số|số))?\s*$", r"(?:^|[\s(,:])"))
    for q in ("approx", "gt", "lt")
]
_CHANGE_BEFORE_RE: Final = re.compile(
    r"(?:tăng|giảm|tăng thêm|tăng trưởng|tăng trưởng bình quân|tốc độ tăng|tốc độ tăng trưởng|cao hơn|thấp hơn|"
    r"rút ngắn|gấp|tụt|lùi|nâng)(?:\s+(?:được|lên|thêm|khoảng|hơn|trên|gần|đến|tới|là|đạt|ở mức|bình quân))*\s*$",
)
_RANK_BEFORE_RE: Final = re.compile(
    r"(?:(?:xếp|đứng|vị trí|vươn lên|giữ|tụt xuống|lên|xuống|hạng|thứ hạng)(?:\s+(?:ở|tại|vị trí|thứ|hạng|số))*\s+thứ"
    r"|(?:xếp hạng|thứ hạng|hạng|xếp|vị trí|đứng)(?:\s+(?:thứ|là|ở))?)\s*$",
)
_ORDINAL_BEFORE_RE: Final = _words_before(_WORDS.not_fact_words.ordinal)
_DOC_BEFORE_RE: Final = _words_before(_WORDS.not_fact_words.document_number)
_LABEL_BEFORE_RE: Final = _words_before(_WORDS.not_fact_words.label, r"(?:\s*-)?\s*$")
# a label too ("mức 3", "mức độ 2")
_LEVEL_LABEL_BEFORE_RE: Final = re.compile(r"mức(?:\s+[a-zà-ỹđ]+){0,2}(?:\s*-)?\s*$")
_DATE_WORDS_BEFORE_RE: Final = _words_before(_WORDS.not_fact_words.date)
_PHONE_BEFORE_RE: Final = _words_before(_WORDS.not_fact_words.phone, r"[\s:.()]*$")
_SCORE_AFTER_RE: Final = re.compile(r"^\s*(?:điểm|điẻm|đ\b)")
_TIMES_AFTER_RE: Final = re.compile(r"^\s*lần\b")
_RANK_AFTER_RE: Final = re.compile(r"^\s*(?:bậc|hạng)\b")
# the names of an index, near a number between 0 and 1 (`_index_context`), or three times in the article
_INDEX_WORDS: Final = ("chỉ số", "dti", "egdi", "ict index", "par index", "pci", "điểm", "trụ cột", "index")
_INDEX_CONTEXT_RE: Final = re.compile(rf"\b(?:{'|'.join(_INDEX_WORDS)})\b")
_TIME_UNIT_AFTER_RE: Final = re.compile(
    r"^\s*(?:giờ|phút|giây|ngày|tuần|tháng|năm|quý|h\d|h\b|tuổi|km|m2|m²|ha|kg|tấn|mét|cm|mm|kw|mw|gb|mb|tb|mbps|gbps)\b",
)
_UNIVERSE_RE: Final = re.compile(r"^\s*(?:tỉnh|địa phương|tỉnh, thành)")
_UNIVERSE_BEFORE_RE: Final = re.compile(r"(?:trong|của|cả|toàn bộ|trên|các|với)\s*$")
# a letter just before a number glues it to a word ("C06", "COVID19")
_WORD_GLUE_RE: Final = re.compile(r"[A-Za-zÀ-ỹĐđ]")
_ALNUM_LABEL_AFTER_RE: Final = re.compile(r"^(?:G|g|-[A-Za-zĐđ]|/[A-ZĐ]|[A-Za-z]{1,3}\b)")
# after a number: "-QĐ", "/NĐ-CP" (document numbers), ".0" ("4.0"); a capital right after a fraction
_DOC_AFTER_RE: Final = re.compile(r"[-/][A-ZĐ]|-[A-Z]{1,4}/")
_CODE_AFTER_RE: Final = re.compile(r"[A-ZĐ]|[-/][A-ZĐ]")
_DOT_DIGIT_AFTER_RE: Final = re.compile(r"\.\d(?!\d)")
_VERSION_RE: Final = re.compile(r"\d\.\d$")
# a word after a number that names what it counts ("tháng 9 đơn vị"): not a verb or a function word
# ("trong tháng 9 là 58.397.139": the 9 is the month's)
_COUNT_NOUN_RE: Final = re.compile(
    r"\s+(?!(?:là|có|đạt|và|đã|thì|vừa|này|qua|nay|trước|sau|cũng|mới|vẫn|tới|đến|với|của)\b)[a-zà-ỹđ]"
)
_INDEX_FRACTION_RE: Final = re.compile(r"0[.,]\d{3,4}")
_PHONE_RE: Final = re.compile(
    r"(?=\d)(?:(?<![\d.,])0\d{1,3}(?:[ .-]?\d){6,9}(?![\d,])"  # 0xx xxx xxxx
    r"|(?<![\d.,])1[89]00[ .]?\d{3,4}(?![\d]))"  # 1800/1900 hotlines
)
_TIME_RE: Final = re.compile(r"(?=\d)(?<![\d/])\d{1,2}(?::|h)\d{2}(?![\d/])")
_DATE_RE: Final = re.compile(
    r"(?=\d)(?<![\d/.,-])(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}[/-]\d{4})(?![\d/])"
)
# day/month without a year: found digit-first (fast), then the word before it is checked
_DAY_MONTH_RE: Final = re.compile(r"(?=\d)(?<![\d/.,-])\d{1,2}\s*[-/.]\s*\d{1,2}(?![\d/.-])")
_DAY_WORD_BEFORE_RE: Final = re.compile(r"(?:ngày|hôm|sáng|chiều|hiều|tối|trưa|đêm|rạng sáng|thứ \w+),?\s+$")
_YEAR_SPAN_RE: Final = re.compile(r"(?=\d)(?<![\d/.,])(?:19|20)\d{2}\s*[-–—]\s*(?:19|20)\d{2}(?![\d])")
_NUMBER_THEN_THU_RE: Final = re.compile(r"\d\s*(?:,|và)\s*thứ\s*$")  # "hạng 2 và thứ 5": a rank, not an ordinal
_GAP_BEFORE_RE: Final = re.compile(r"gấp\s*$")
_RANGE_LINK_RE: Final = re.compile(r"^\s*(?:-|–|—|đến|tới|tới mức)\s*$")
_RANGE_FROM_RE: Final = re.compile(r"(?:từ|khoảng từ|từ khoảng|trong khoảng)\s*$")
_IN_TOTAL_RE: Final = re.compile(
    rf"^\s*(?:(?:[^\d\s]+\s+){{0,4}}?)?(?:trong tổng số|trong số|trên tổng số|trên|trong)\s+(?P<denom>{_NUMERAL})\b",
)


def _before(text: str, start: int, width: int = 40) -> str:
    return text[max(0, start - width) : start]


def _after(text: str, end: int, width: int = 40) -> str:
    return text[end : end + width]


def _unit_of(scale_text: str | None, currency: str | None, pct: bool) -> tuple[str | None, float]:
    multiplier = 1.0
    if scale_text:
        for word in scale_text.split():
            multiplier *= _SCALE_WORDS[word.lower()]
    if pct:
        return "percent", multiplier
    if currency:
        c = currency.strip().lower()
        return ("USD" if ("usd" in c or "đô" in c or "$" in c) else "VND"), multiplier
    return None, multiplier


def _not_fact_reason(text: str, low: str, m: re.Match[str], before: str) -> str | None:
    """Why the number `m` is not a fact (None: it is one); `low`: the text lower-cased, `before`: the 40
    characters of it before the number."""
    start, end = m.span()
    num, denom, pct = m.group("num", "denom", "pct")
    prev_char = text[start - 1] if start else " "
    if _WORD_GLUE_RE.match(prev_char) and not before.rstrip().endswith(("thứ", "đạt", "là", "có")):
        # glued to a word: "C06", "V01", "COVID19", "Hue-S" style labels (but "ThứNăm11" is chrome)
        return "label"
    if pct or m.group("cur") or m.group("scale"):
        if denom is not None and not pct and _is_date_pair(num, denom):
            return "date"
        return None
    if _DOC_AFTER_RE.match(text, end):
        return "document_number"
    if prev_char == "/":
        return "ratio_base"  # "thuê bao/100 dân": the base of a ratio, not a quantity
    if _ALNUM_LABEL_AFTER_RE.match(text[end : end + 4]) and not low.startswith(("tr ", "ty "), end):
        return "label"
    if _DOT_DIGIT_AFTER_RE.match(text, end):
        return "label"  # "4.0", "2.0", "Công nghiệp 4.0"
    if "." in num and _VERSION_RE.match(num):
        return "label"
    if _PHONE_BEFORE_RE.search(before[-25:]):
        return "phone"
    if _LABEL_BEFORE_RE.search(before) or _LEVEL_LABEL_BEFORE_RE.search(before):
        return "label"
    if denom is None and _DOC_BEFORE_RE.search(before):
        return "document_number"
    if denom is not None:
        if _CODE_AFTER_RE.match(text, end):
            return "document_number"
        if _is_date_pair(num, denom):
            return "date"
        return None
    after = _after(low, end)
    if num in ("63", "64", "34") and _UNIVERSE_RE.match(after) and _UNIVERSE_BEFORE_RE.search(before):
        return "universe"  # "trong 63 tỉnh, thành phố": the number of provinces, not a measurement
    if _TIME_UNIT_AFTER_RE.match(after):
        return "duration_or_measure"
    value_is_year = "." not in num and "," not in num and 1900 <= int(num) <= 2100 if num.isdigit() else False
    if value_is_year:
        return "year"
    if (
        _ORDINAL_BEFORE_RE.search(before)
        and not _RANK_BEFORE_RE.search(before)
        and not _NUMBER_THEN_THU_RE.search(_before(text, start))
    ):
        return "ordinal"
    if (
        num.isdigit()
        and int(num) <= 31
        and _DATE_WORDS_BEFORE_RE.search(before)
        and not _count_noun_follows(_after(text, end))
    ):
        return "date"
    return None


def _count_noun_follows(after: str) -> bool:
    return _COUNT_NOUN_RE.match(after) is not None


def _is_date_pair(num: str, denom: str) -> bool:
    """'6/2', '12/7', '6/2023' read as dates, not fractions."""
    if not num.isdigit() or not denom.isdigit():
        return False
    x, y = int(num), int(denom)
    if 1 <= x <= 12 and 1900 <= y <= 2100:
        return True
    return 1 <= x <= 31 and 1 <= y <= 12


def _blocked_reasons(blocked: list[tuple[int, int, str]]) -> dict[int, str]:
    """Offset -> the reason of the blocked span (date, phone ...) covering it; spans are sorted.

    Where spans overlap, the last in sorted order wins. Spans are short and few, so listing their offsets
    costs less than a search per number.
    """
    return {pos: reason for b_start, b_end, reason in blocked for pos in range(b_start, b_end)}


_BLOCKING: Final = (
    (_DATE_RE, "date"),
    (_DAY_MONTH_RE, "date"),
    (_YEAR_SPAN_RE, "year"),
    (_TIME_RE, "time"),
    (_PHONE_RE, "phone"),
)


def _blocked_spans(text: str, low: str, runs: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    r"""Dates, times, year spans and phone numbers: each of these patterns opens with a digit that no digit
    comes before (its `(?=\d)` and lookbehind), so it is tried at the start of each run of digits only."""
    starts = [start for start, _end in runs]
    spans: list[tuple[int, int, str]] = []
    for rx, reason in _BLOCKING:
        spans.extend(
            (mm.start(), mm.end(), reason)
            for mm in finditer_at(rx, text, starts)
            if rx is not _DAY_MONTH_RE or _DAY_WORD_BEFORE_RE.search(low[max(0, mm.start() - 16) : mm.start()])
        )
    return sorted(spans)


# The words the number-word and index patterns start with: `Anchors` finds them all in one pass (shared with
# the region names, `dxdata.extract.regions.find_regions_and_words`) and each pattern is tried there only
# (`finditer_at`). `_WORD_CARDINAL_RE` and `_INDEX_CONTEXT_RE` are built from their words; `_WORD_ORDINAL_RE`
# opens with one of `_ORDINAL_LEADS`.
ANCHOR_LITERALS: Final = _ORDINAL_LEADS + _CARDINAL_WORDS + _INDEX_WORDS
_ANCHORS: Final = Anchors(ANCHOR_LITERALS)


def find_numbers(
    text: str,
    runs: list[tuple[int, int]] | None = None,
    lowered: str | None = None,
    anchors: dict[str, list[int]] | None = None,
) -> list[NumberMention]:
    """Every number in `text`, read with its unit and qualifier, or marked as not a fact.

    `runs`: `digit_runs(text)`, when the caller has it already; `lowered`: `text.lower()` when that has
    the length of `text`, and `anchors`: the `Anchors.find` of it over (at least) `ANCHOR_LITERALS`,
    when the caller has them already (one scan shared with the time expressions).
    """
    if lowered is None or len(lowered) != len(text):
        lowered = lower_same_length(text)
    if anchors is None:
        anchors = _ANCHORS.find(lowered)
    if runs is None:
        runs = digit_runs(text)
    blocked_at = _blocked_reasons(_blocked_spans(text, lowered, runs))
    index_words = finditer_at(_INDEX_CONTEXT_RE, lowered, merge_starts(anchors, _INDEX_WORDS))
    index_article = sum(1 for _ in index_words) >= 3
    found: list[NumberMention] = []
    # a number starts a run of digits and ends where one ends (or after its unit), so the next number starts
    # another run; a run inside the last number ("3/4": the "4") is skipped by `finditer_at`
    for m in finditer_at(_NUMBER_RE, text, [start for start, _end in runs]):
        start = m.start()
        if start and (text[start - 1].isdigit() or text[start - 1] in ".,"):
            continue
        found.append(_read_match(text, lowered, m, blocked_at.get(start), index_article))
    found.extend(_number_words(text, lowered, {(n.start, n.end) for n in found}, anchors))
    found.sort(key=lambda n: n.start)
    _carry_not_facts(lowered, found)
    _mark_ranges(lowered, found)
    _mark_coordinations(text, lowered, found)
    return found


_FUNCTION_WORD_AFTER_RE: Final = re.compile(
    r"^\s+(?:về|trong|so với|của|với|trên|tại|ở|năm|cả nước|toàn quốc|toàn|khu vực|và|nhưng|còn)\b",
)
_COORDINATION_RE: Final = re.compile(r"^\s*(?:,|và|hoặc|, và)\s*(?:thứ\s+)?$")


def _mark_coordinations(text: str, low: str, numbers: list[NumberMention]) -> None:
    """'xếp thứ 2 và 3', 'vị trí thứ 2, thứ 3': a bare number joined to a rank or score is one too."""
    for i in range(1, len(numbers)):
        prev, cur = numbers[i - 1], numbers[i]
        if prev.not_fact or cur.not_fact or cur.unit != "count" or prev.unit not in ("rank", "score"):
            continue
        if _COORDINATION_RE.match(low[prev.end : cur.start]) and (
            not _count_noun_follows(_after(text, cur.end)) or _FUNCTION_WORD_AFTER_RE.match(_after(low, cur.end))
        ):
            numbers[i] = cur.read_as(cur.value, prev.unit, cur.qualifier, prev.is_change, cur.range_role)


def _read_match(
    text: str, low: str, m: re.Match[str], blocked_reason: str | None, index_article: bool = False
) -> NumberMention:
    """The number `m` found, read, or marked not a fact (`blocked_reason`: a date, phone ... covers it).
    `low`: the text lower-cased, for the case-insensitive rules."""
    raw, denom = m.group("num", "denom")
    start, end = m.span()
    # trailing whitespace captured before an absent group never extends the span
    surface = text[start:end].rstrip()
    end = start + len(surface)
    if blocked_reason:
        return _not_fact_mention(start, end, surface, raw, blocked_reason)
    before = _before(low, start)
    reason = _not_fact_reason(text, low, m, before)
    if reason:
        return _not_fact_mention(start, end, surface, raw, reason)
    after = _after(low, end)
    scale = m.group("scale")
    unit, multiplier = _unit_of(scale, m.group("cur"), bool(m.group("pct")))
    dot_decimal = raw.startswith("0.")
    value = parse_numeral(raw, dot_decimal=dot_decimal) * multiplier
    if not math.isfinite(value):  # hundreds of digits: no measure, and no float can hold it
        return _not_fact_mention(start, end, surface, raw, "out_of_range")
    denominator = None
    if denom is not None:
        denominator = parse_numeral(denom) * (multiplier if unit in ("VND", "USD") else 1)
    gap_before = _GAP_BEFORE_RE.search(before) is not None
    is_change = _CHANGE_BEFORE_RE.search(before) is not None
    if unit is None:
        if _RANK_AFTER_RE.match(after):
            unit = "rank"
            is_change = True
        elif value == int(value) and _RANK_BEFORE_RE.search(before):
            unit = "rank"
        elif _SCORE_AFTER_RE.match(after) or (
            0 < value < 1 and not scale and _index_context(low, start, end, raw, index_article)
        ):
            unit = "score"
        elif _TIMES_AFTER_RE.match(after) or gap_before:
            unit = "times"
            is_change = True
        else:
            unit = "count"
    if denominator is None and unit in ("rank", "count"):
        in_total = _IN_TOTAL_RE.match(after)
        if in_total and (unit == "rank" or "tổng" in in_total.group(0)):
            denominator = parse_numeral(in_total.group("denom"))
    qualifier = _qualifier(before)
    if gap_before:
        is_change = True
    return NumberMention(start, end, surface, value, unit, denominator, qualifier, None, is_change)


def _not_fact_mention(start: int, end: int, surface: str, raw: str, reason: str) -> NumberMention:
    try:
        value = parse_numeral(raw)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value):
        value = float("nan")
    return NumberMention(start, end, surface, value, None, not_fact=reason)


def _index_context(low: str, start: int, end: int, raw: str, index_article: bool) -> bool:
    """An index is named near the number (or the article is about one and the number reads '0,xxxx').

    Asked only for values between 0 and 1, the only ones it can turn into scores.
    """
    return bool(_INDEX_CONTEXT_RE.search(low[max(0, start - 120) : end + 40])) or (
        index_article and bool(_INDEX_FRACTION_RE.fullmatch(raw))
    )


def _qualifier(before: str) -> str:
    """The qualifier of the first rule of `_QUALIFIER_RES` that holds on the last 25 characters of `before`."""
    near = before[-25:]
    for qualifier, rx in _QUALIFIER_RES:
        if rx.search(near):
            return qualifier
    return "eq"


def _number_words(
    text: str, lowered: str, taken: set[tuple[int, int]], anchors: dict[str, list[int]]
) -> list[NumberMention]:
    out = []
    for m in finditer_at(_WORD_ORDINAL_RE, lowered, merge_starts(anchors, _ORDINAL_LEADS)):
        lead = m.group("lead").lower()
        if lead in ("thứ", "giải") and not _RANK_BEFORE_RE.search(_before(lowered, m.start("word"))):
            continue
        out.append(_word_mention(text, m, "rank"))
    for m in finditer_at(_WORD_CARDINAL_RE, lowered, merge_starts(anchors, _CARDINAL_WORDS)):
        after = lowered[m.end() : m.end() + 10]
        unit = "rank" if after.startswith(("bậc", "hạng")) else ("times" if after.startswith("lần") else "count")
        before = _before(lowered, m.start())
        is_change = unit in ("rank", "times") and bool(_CHANGE_BEFORE_RE.search(before) or unit == "times")
        out.append(_word_mention(text, m, unit, _qualifier(before), is_change))
    return [n for n in out if (n.start, n.end) not in taken]


def _word_mention(
    text: str, m: re.Match[str], unit: str, qualifier: str = "eq", is_change: bool = False
) -> NumberMention:
    """The number word of `m` ("sáu", "thứ ba") read as its value."""
    start, end = m.span("word")
    value = float(NUMBER_WORDS[m.group("word").lower()])
    return NumberMention(start, end, text[start:end], value, unit, qualifier=qualifier, is_change=is_change)


def _carry_not_facts(lowered: str, numbers: list[NumberMention]) -> None:
    """A number joined to a date's ("2024-10", "chiều 10-3") is part of the date; a small whole number listed
    after a label ("mức độ 3, 4", "mức độ 3 và 4") is a label too."""
    for i in range(1, len(numbers)):
        prev, cur = numbers[i - 1], numbers[i]
        if cur.not_fact or not prev.not_fact:
            continue
        link = lowered[prev.end : cur.start]
        if prev.not_fact in ("date", "year") and link in ("-", "/", "."):
            numbers[i] = _not_fact_mention(cur.start, cur.end, cur.text, cur.text, "date")
        elif prev.not_fact == "label" and _LABEL_LIST_LINK_RE.fullmatch(link) and _is_small_whole(cur):
            numbers[i] = _not_fact_mention(cur.start, cur.end, cur.text, cur.text, "label")


_LABEL_LIST_LINK_RE: Final = re.compile(r"\s*(?:,|và|hoặc|,\s*và)\s*")


def _is_small_whole(num: NumberMention) -> bool:
    return num.text.isdigit() and len(num.text) <= 2


def _mark_ranges(lowered: str, numbers: list[NumberMention]) -> None:
    """'từ 60 đến 70%', '8,3 - 8,5%': the low end becomes gt, the high end lt, same unit (`low`: the text
    lower-cased)."""
    for i in range(len(numbers) - 1):
        low, high = numbers[i], numbers[i + 1]
        if high.not_fact or (low.not_fact and not _level_opens_range(low, high)):
            continue
        link = lowered[low.end : high.start]
        if not _RANGE_LINK_RE.match(link):
            continue
        has_from = _RANGE_FROM_RE.search(_before(lowered, low.start, 25)) is not None
        dash = link.strip() in ("-", "–", "—")
        if not (has_from or dash) or high.unit in (None, "rank"):
            continue
        low_unit = high.unit if low.unit in (None, "count") else low.unit
        numbers[i] = NumberMention(
            low.start, low.end, low.text, low.value, low_unit, low.denominator, "gt", None, low.is_change, "low"
        )
        numbers[i + 1] = high.read_as(high.value, high.unit, "lt", high.is_change, "high")


def _level_opens_range(low: NumberMention, high: NumberMention) -> bool:
    """'ở mức 90 - 93%': a number after 'mức' is a level's name ('mức 3'), except where it opens a range of
    percents."""
    return low.not_fact == "label" and high.unit == "percent" and low.value < high.value
