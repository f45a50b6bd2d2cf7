"""Find the numbers in Vietnamese text and read each one: value, unit, qualifier, denominator.

Also says which numbers are not facts (dates, years, document numbers, labels,
phone numbers ...), so that the extractor can account for every number it saw.
Pure functions over normalized text (see `dxdata.text.normalize_text`).
"""

from __future__ import annotations

import itertools
import re
import string
from typing import Final

from dxdata.text import (
    Anchors,
    EndPattern,
    EndRules,
    StartPattern,
    digit_runs,
    finditer_at,
    is_word_char,
    merge_starts,
    skip_spaces,
)

# One numeral as written: "2.398", "17.371.225", "80,2", "0.6667", "1.000", "86".
# Possessive (`++`, `{1,3}+`) where giving back a digit could never help: a digit would be next, not the
# separator that follows. The same matches, without retrying every shorter run of digits.
_NUMERAL: Final = r"\d{1,3}+(?:\.\d{3})+(?![\d.])(?:,\d+)?|\d++,\d+|\d++\.\d+|\d+"
_SCALE_WORDS: Final = {"nghìn": 1e3, "ngàn": 1e3, "ngan": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}
_SCALE: Final = r"(?:nghìn|ngàn|triệu|tỷ|tỉ)(?!\w)"
_CURRENCY: Final = r"(?:đồng|đổng|VNĐ|VND|vnđ|USD|usd|đô la Mỹ|đô la|US\$|\$)(?!\w)"
# A number is a numeral and what may follow it: a denominator, a percent sign, scale words, a currency.
# It is read in two steps, as `(?=\d)(?P<num>_NUMERAL)` + `_NUMBER_TAIL_RE` in one regex would read it:
# the numeral by a scan of characters (`_numeral_end`), then the tail. The tail is all optional parts, so
# it never makes the numeral give anything back. Most numerals are followed by none of the parts, and
# `_NUMBER_TAIL_LEAD` tells that without a call into the engine.
# spaces possessive too: neither "/", a numeral, a scale word nor a currency starts with a space
_NUMBER_TAIL_RE: Final = re.compile(
    rf"(?:\s*+/\s*+(?P<denom>{_NUMERAL}))?"
    rf"(?P<pct>\s?%|\s(?:phần trăm))?"
    rf"(?P<scale>(?:\s++{_SCALE})+)?"
    rf"(?P<cur>\s*+{_CURRENCY})?"
)
# where the tail is not empty, this matches: each of its parts opens with spaces then one of these
_NUMBER_TAIL_LEAD: Final = StartPattern(rf"\s*+(?:/|%|phần trăm|{_SCALE}|{_CURRENCY})")

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
_WORD_ORDINAL_RE: Final = re.compile(
    r"\b(?P<lead>(?:vị trí\s+|xếp\s+|đứng\s+|hạng\s+|xếp hạng\s+)?thứ|hạng|giải)\s+"
    r"(?P<word>nhất|nhì|hai|ba|tư|năm|sáu|bảy|tám|chín|mười)\b(?!\s*\d)",
)
_WORD_CARDINAL_RE: Final = re.compile(
    r"(?<![\w])(?P<word>hai|ba|bốn|sáu|bảy|tám|chín|mười)\s+(?=(?:bậc|hạng|nghị định|quyết định|chỉ thị|luật|"
    r"nghị quyết|nhiệm vụ|chỉ tiêu|lần)\b)",
)


class NumberMention:
    """One number in the text, read as far as the text around it allows. Made for every number of every
    article, and never changed (`_mark_ranges` and `_mark_coordinations` make new ones).

    A plain class, not a dataclass: compiled (setup.py), its `__init__` is native and called directly. mypyc
    keeps the `__init__` a dataclass generates, which runs as interpreted Python even there, reached through
    a tuple and a dict of the arguments (about 2% of extraction).
    """

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


def _numeral_end(text: str, start: int, run_end: int) -> int:
    """Where `_NUMERAL` matched at `start` ends, read from the characters after the run of digits
    [start, run_end) without a call into the engine. Its four alternatives in turn:
    "2.398" / "17.371.225,5" (at most three digits, then groups of "." and three digits that no digit or "."
    follows, the most such groups, then perhaps "," and digits); "80,2"; "0.6667"; the run alone.
    """
    n = len(text)
    if run_end - start <= 3:
        grouped = -1
        p = run_end
        while _digits_after(text, p, ".", n) == p + 4:  # "." and three digits, then no digit
            p += 4
            if p >= n or text[p] != ".":
                grouped = p
        if grouped >= 0:
            return _digits_after(text, grouped, ",", n)
    for mark in (",", "."):
        end = _digits_after(text, run_end, mark, n)
        if end > run_end:
            return end
    return run_end


def _digits_after(text: str, pos: int, mark: str, n: int) -> int:
    """The end of `mark` and a run of digits at `pos` (`pos` where there is none)."""
    if pos + 1 >= n or text[pos] != mark or not _is_digit(text[pos + 1]):
        return pos
    end = pos + 2
    while end < n and _is_digit(text[end]):
        end += 1
    return end


def _is_digit(ch: str) -> bool:
    """`\\d` (a decimal digit of any script) on one character."""
    return "0" <= ch <= "9" or (ch > "\x7f" and ch.isdecimal())


class _NumberMatch:
    r"""What `(?=\d)(?P<num>_NUMERAL)` + `_NUMBER_TAIL_RE` as one regex matches at a run of digits: its span and
    groups (`denom` stands for the "/" too: they match together), without a `re.Match` to ask for each."""

    def __init__(
        self, start: int, end: int, num: str, denom: str | None, pct: str | None, scale: str | None, cur: str | None
    ) -> None:
        self.start = start
        self.end = end
        self.num = num
        self.denom = denom
        self.pct = pct
        self.scale = scale
        self.cur = cur


def _match_number(text: str, pos: int, run_end: int) -> _NumberMatch:
    """The number at `pos`, the start of the run of digits that ends at `run_end`."""
    end = _numeral_end(text, pos, run_end)
    num = text[pos:end]
    if not _NUMBER_TAIL_LEAD.may_match(text, end):
        return _NumberMatch(pos, end, num, None, None, None, None)
    tail = _NUMBER_TAIL_RE.match(text, end)
    assert tail is not None, "the tail can match empty"
    denom, pct, scale, cur = tail.group("denom", "pct", "scale", "cur")
    return _NumberMatch(pos, tail.end(), num, denom, pct, scale, cur)


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
        for group in groups[1:]:  # (a loop: under mypyc, `all(...)` of a generator builds an object per call)
            if len(group) != 3:
                grouped = False
                break
        if grouped and not dot_decimal:
            return float(raw.replace(".", ""))
        if len(groups) == 2:
            return float(raw)
        return float(raw.replace(".", ""))
    return float(raw)


# ---- context rules -------------------------------------------------------------------------
# The `..._BEFORE` rules look at the text just before a number and end in `$`: `EndPattern` answers
# them by matching their mirror image at the start of the reversed text, in one try.

_QUALIFIERS: Final = [
    ("approx", r"khoảng|gần như|gần|xấp xỉ|chừng|tầm|ước khoảng|trên dưới"),
    ("gt", r"trên|hơn|vượt|ngoài|hơn|nhiều hơn|cao hơn"),
    ("lt", r"dưới|chưa đến|chưa tới|không quá|không tới|chưa đầy|ít hơn|thấp hơn"),
]
_QUALIFIER_RES: Final = [
    (q, EndPattern(rf"(?:^|[\s(,:])(?:{words})(?:\s+(?:mức|con số|tổng số|số))?\s*$", re.IGNORECASE))
    for q, words in _QUALIFIERS
]
_CHANGE_BEFORE_RE: Final = EndPattern(
    r"(?:tăng|giảm|tăng thêm|tăng trưởng|tăng trưởng bình quân|tốc độ tăng|tốc độ tăng trưởng|cao hơn|thấp hơn|"
    r"rút ngắn|gấp|tụt|lùi|nâng)(?:\s+(?:được|lên|thêm|khoảng|hơn|trên|gần|đến|tới|là|đạt|từ|ở mức|bình quân))*\s*$",
    re.IGNORECASE,
)
_RANK_BEFORE_RE: Final = EndPattern(
    r"(?:(?:xếp|đứng|vị trí|vươn lên|giữ|tụt xuống|lên|xuống|hạng|thứ hạng)(?:\s+(?:ở|tại|vị trí|thứ|hạng|số))*\s+thứ"
    r"|(?:xếp hạng|thứ hạng|hạng|xếp|vị trí|đứng)(?:\s+thứ)?)\s*$",
    re.IGNORECASE,
)
_ORDINAL_BEFORE_RE: Final = EndPattern(
    r"(?:lần thứ|phiên họp thứ|phiên thứ|kỳ họp thứ|khóa|khoá|đại hội|hội nghị lần thứ|số thứ tự|năm thứ|ngày thứ|"
    r"tuần thứ|tháng thứ|đợt|giai đoạn|thứ)\s*$",
    re.IGNORECASE,
)
_DOC_BEFORE_RE: Final = EndPattern(
    r"(?:\bsố|nghị quyết|nghị định|quyết định|chỉ thị|thông tư|đề án|công văn|luật|văn bản|kết luận|thông báo|"
    r"chương trình|kế hoạch số|tờ trình|điều|khoản|mục|chương|phụ lục|quy chuẩn|tiêu chuẩn|TCVN|ISO)\s*$",
    re.IGNORECASE,
)
# "(?:\s*-)?\s*$" matches what "\s*-?\s*$" does; its mirror does not retry the words after every shorter run of spaces
_LABEL_BEFORE_RE: Final = EndPattern(
    r"(?:top|cấp độ|phiên bản|version|thế hệ|công nghiệp|cách mạng công nghiệp|web|"
    r"tier|level|covid|"
    r"industry|chuyển đổi số|giai đoạn|nhóm|loại|hạng mục|bước|tầng|lớp|mục tiêu số)(?:\s*-)?\s*$",
    re.IGNORECASE,
)
# a label too ("mức 3", "mức độ 2"): apart, as its mirror reads up to two whole words before it can fail,
# and asked only when "mức" is in the window (`_level_label_before`)
_LEVEL_LABEL_BEFORE_RE: Final = EndPattern(r"mức(?:\s+[a-zà-ỹđ]+){0,2}(?:\s*-)?\s*$", re.IGNORECASE)
_DATE_WORDS_BEFORE_RE: Final = EndPattern(
    r"(?:ngày|hôm|sáng|chiều|tối|trưa|đêm|rạng sáng|tháng|quý|năm|thứ hai|thứ ba|thứ tư|thứ năm|thứ sáu|thứ bảy|"
    r"chủ nhật|cập nhật|đăng|từ|đến|tới|giữa|cuối|đầu)\s*$",
    re.IGNORECASE,
)
_PHONE_BEFORE_RE: Final = EndPattern(
    r"(?:điện thoại|đt|tel|fax|hotline|đường dây nóng|di động|sđt|số điện thoại|liên hệ)[\s:.()]*$",
    re.IGNORECASE,
)
_SCORE_AFTER_RE: Final = StartPattern(r"^\s*(?:điểm|điẻm|đ\b)", re.IGNORECASE)
_TIMES_AFTER_RE: Final = StartPattern(r"^\s*lần\b", re.IGNORECASE)
_RANK_AFTER_RE: Final = StartPattern(r"^\s*(?:bậc|hạng)\b", re.IGNORECASE)
_INDEX_CONTEXT_RE: Final = re.compile(
    r"\b(?:chỉ số|DTI|EGDI|ICT Index|PAR Index|PCI|điểm|trụ cột|index)\b", re.IGNORECASE
)
_INDEX_CONTEXT_LOWER_RE: Final = re.compile(r"\b(?:chỉ số|dti|egdi|ict index|par index|pci|điểm|trụ cột|index)\b")
_TIME_UNIT_AFTER_RE: Final = StartPattern(
    r"^\s*(?:giờ|phút|giây|ngày|tuần|tháng|năm|quý|h\d|h\b|tuổi|km|m2|m²|ha|kg|tấn|mét|cm|mm|kw|mw|gb|mb|tb|mbps|gbps)\b",
    re.IGNORECASE,
)
_UNIVERSE_RE: Final = StartPattern(r"^\s*(?:tỉnh|địa phương|tỉnh, thành)", re.IGNORECASE)
_UNIVERSE_BEFORE_RE: Final = EndPattern(r"(?:trong|của|cả|toàn bộ|trên|các|với)\s*$", re.IGNORECASE)
# what `[A-Za-zÀ-ỹĐđ]` matches, for one character looked up without a regex call
_WORD_GLUE_CHARS: Final = frozenset(string.ascii_letters + "".join(map(chr, range(ord("À"), ord("ỹ") + 1))) + "Đđ")
_ALNUM_LABEL_AFTER_RE: Final = re.compile(r"^(?:G|g|-[A-Za-zĐđ]|/[A-ZĐ]|[A-Za-z]{1,3}\b)")
# after a number: "-QĐ", "/NĐ-CP" (document numbers), ".0" ("4.0"); a capital right after a fraction
_DOC_AFTER_RE: Final = re.compile(r"[-/][A-ZĐ]|-[A-Z]{1,4}/")
_CODE_AFTER_RE: Final = re.compile(r"[A-ZĐ]|[-/][A-ZĐ]")
_DOT_DIGIT_AFTER_RE: Final = re.compile(r"\.\d(?!\d)")
_VERSION_RE: Final = re.compile(r"\d\.\d$")
_COUNT_NOUN_RE: Final = StartPattern(r"\s+[a-zà-ỹđ]")
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
_DAY_WORD_BEFORE_RE: Final = EndPattern(
    r"(?:ngày|hôm|sáng|chiều|hiều|tối|trưa|đêm|rạng sáng|thứ \w+),?\s+$", re.IGNORECASE
)
_YEAR_SPAN_RE: Final = re.compile(r"(?=\d)(?<![\d/.,])(?:19|20)\d{2}\s*[-–—]\s*(?:19|20)\d{2}(?![\d])")
_NUMBER_THEN_THU_RE: Final = EndPattern(r"\d\s*(?:,|và)\s*thứ\s*$")  # "hạng 2 và thứ 5": a rank, not an ordinal
_GAP_BEFORE_RE: Final = EndPattern(r"gấp\s*$", re.IGNORECASE)
_RANGE_LINK_RE: Final = StartPattern(r"^\s*(?:-|–|—|đến|tới|tới mức)\s*$", re.IGNORECASE)
_RANGE_FROM_RE: Final = EndPattern(r"(?:từ|khoảng từ|từ khoảng|trong khoảng)\s*$", re.IGNORECASE)
_IN_TOTAL_RE: Final = re.compile(
    rf"^\s*(?:(?:[^\d\s]+\s+){{0,4}}?)?(?:trong tổng số|trong số|trên tổng số|trên|trong)\s+(?P<denom>{_NUMERAL})\b",
    re.IGNORECASE,
)


# The `..._BEFORE` rules a number is asked about, grouped by the window they see and by when they are
# asked: one `EndRules` match answers a whole group.
_NEAR_RULES: Final = EndRules([_PHONE_BEFORE_RE, *(rx for _, rx in _QUALIFIER_RES)])  # the last 25 characters
_NOT_FACT_RULES: Final = EndRules([_LABEL_BEFORE_RE, _DOC_BEFORE_RE, _ORDINAL_BEFORE_RE, _DATE_WORDS_BEFORE_RE])
_FACT_RULES: Final = EndRules([_CHANGE_BEFORE_RE, _RANK_BEFORE_RE, _GAP_BEFORE_RE])
# `_DOC_AFTER_RE`, `_ALNUM_LABEL_AFTER_RE` and `_DOT_DIGIT_AFTER_RE` can only match at one of these
_GLUED_AFTER: Final = frozenset("-/." + string.ascii_letters)


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


def _not_fact_reason(text: str, m: _NumberMatch, rev: str) -> tuple[str | None, tuple[bool, ...] | None]:
    """Why the number is not a fact (None: it is one), and the `_NEAR_RULES` answers if they were needed.

    `rev` is the reversed window before the number (40 characters). The caller reuses the
    `_NEAR_RULES` answers to read a fact's qualifier.
    """
    start, end, num, denom = m.start, m.end, m.num, m.denom
    prev_char = text[start - 1] if start else " "
    if prev_char in _WORD_GLUE_CHARS and not rev[::-1].rstrip().lower().endswith(("thứ", "đạt", "là", "có")):
        # glued to a word: "C06", "V01", "COVID19", "Hue-S" style labels (but "ThứNăm11" is chrome)
        return "label", None
    pct = m.pct
    if pct or m.cur or m.scale:
        if denom is not None and not pct and _is_date_pair(num, denom):
            return "date", None
        return None, None
    glued_after = text[end : end + 1] in _GLUED_AFTER
    if glued_after and _DOC_AFTER_RE.match(text, end):
        return "document_number", None
    if prev_char == "/":
        return "ratio_base", None  # "thuê bao/100 dân": the base of a ratio, not a quantity
    if glued_after:
        if _ALNUM_LABEL_AFTER_RE.match(text[end : end + 4]) and not text[end : end + 4].lower().startswith(
            ("tr ", "ty ")
        ):
            return "label", None
        if _DOT_DIGIT_AFTER_RE.match(text, end):
            return "label", None  # "4.0", "2.0", "Công nghiệp 4.0"
    if "." in num and _VERSION_RE.match(num):
        return "label", None
    near = _NEAR_RULES.search_reversed(rev, 25)
    if near[0]:
        return "phone", near
    label, doc, ordinal, date_words = _NOT_FACT_RULES.search_reversed(rev)
    if label or _level_label_before(rev):
        return "label", near
    if doc and denom is None:
        return "document_number", near
    if denom is not None:
        if _CODE_AFTER_RE.match(text, end):
            return "document_number", near
        if _is_date_pair(num, denom):
            return "date", near
        return None, near
    after = _after(text, end)
    if num in ("63", "64", "34") and _UNIVERSE_RE.matches(after) and _UNIVERSE_BEFORE_RE.search_reversed(rev):
        return "universe", near  # "trong 63 tỉnh, thành phố": the number of provinces, not a measurement
    if _TIME_UNIT_AFTER_RE.matches(after):
        return "duration_or_measure", near
    value_is_year = "." not in num and "," not in num and 1900 <= int(num) <= 2100 if num.isdigit() else False
    if value_is_year:
        return "year", near
    if ordinal and not _RANK_BEFORE_RE.search_reversed(rev) and not _NUMBER_THEN_THU_RE.search_reversed(rev):
        return "ordinal", near
    if date_words and num.isdigit() and int(num) <= 31 and not _count_noun_follows(after):
        return "date", near
    return None, near


def _level_label_before(rev: str) -> bool:
    """`_LEVEL_LABEL_BEFORE_RE` about the window reversed in `rev`, asked only when it can hold.

    IGNORECASE lets only "M"/"m", "Ứ"/"ứ" and "C"/"c" spell "mức": its lower case, reversed, must be in
    the lower-cased reversed window, which needs an "ứ" or "Ứ" in the window (mostly there is none: no
    lower-cased copy then).
    """
    return ("ứ" in rev or "Ứ" in rev) and "cứm" in rev.lower() and _LEVEL_LABEL_BEFORE_RE.search_reversed(rev)


def _count_noun_follows(after: str) -> bool:
    return _COUNT_NOUN_RE.matches(after)


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
_HOTLINE_LEADS: Final = ("1800", "1900")
_DAY_MONTH_SEPARATORS: Final = frozenset("-/.")
_YEAR_SPAN_DASHES: Final = frozenset("-–—")


def _blocking_starts(text: str, runs: list[tuple[int, int]]) -> list[list[int]]:
    """For each of `_BLOCKING`, in order, the starts of runs of digits where it can match.

    Each pattern starts a run of digits, and each test below is one its every match passes, read from the
    run, the characters after it and the next run: a date "16/2/2024" is one or two digits, a separator
    right after them, then a run of one or two (or a year of four after "/" or "-"); a phone number starts
    "0" and another digit, or "1800"/"1900"... Most runs pass none, and no pattern is tried there.
    """
    dates: list[int] = []
    day_months: list[int] = []
    year_spans: list[int] = []
    times: list[int] = []
    phones: list[int] = []
    n = len(text)
    for i, (start, end) in enumerate(runs):
        length = end - start
        if (length >= 2 and text[start] == "0") or (length >= 4 and text.startswith(_HOTLINE_LEADS, start)):
            phones.append(start)  # 0xx xxx xxxx, 1800 xxxx
        if length == 3 or length > 4 or end >= n:
            continue
        after = text[end]
        next_start, next_end = runs[i + 1] if i + 1 < len(runs) else (n, n)
        next_length = next_end - next_start
        # the one character between the run and the next with spaces around it (`\s*[-/.]\s*`), or ""
        sep_at = skip_spaces(text, end, next_start)
        spaced = sep_at < next_start and skip_spaces(text, sep_at + 1, next_start) == next_start
        sep = text[sep_at] if spaced else ""
        if length <= 2:
            if after in ":h":
                times.append(start)  # 08:30, 8h30
            if after in "/.-" and next_start == end + 1 and (next_length <= 2 or next_length == 4):
                dates.append(start)  # 16/2/2024, 6/2023
            if sep in _DAY_MONTH_SEPARATORS and next_length <= 2:
                day_months.append(start)  # 16/2, 16 - 2
        elif length == 4:
            if after == "-" and next_start == end + 1 and next_length == 2:
                dates.append(start)  # 2024-02-16
            if sep in _YEAR_SPAN_DASHES and next_length == 4:
                year_spans.append(start)  # 2021-2025
    return [dates, day_months, year_spans, times, phones]


def _blocked_spans(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Dates, times, year spans and phone numbers: each of these patterns starts a run of digits."""
    spans: list[tuple[int, int, str]] = []
    for (rx, reason), starts in zip(_BLOCKING, _blocking_starts(text, runs), strict=True):
        spans.extend(
            (mm.start(), mm.end(), reason)
            for mm in finditer_at(rx, text, starts)
            if rx is not _DAY_MONTH_RE or _DAY_WORD_BEFORE_RE.search(text[max(0, mm.start() - 16) : mm.start()])
        )
    return sorted(spans)


# Every match of these patterns starts with one of these strings (numerals: with a run of digits).
# `Anchors` finds them all in one pass and the patterns are tried there only (`finditer_at`).
_ORDINAL_LEADS: Final = ("vị trí", "xếp", "đứng", "hạng", "thứ", "giải")
_CARDINAL_WORDS: Final = ("hai", "ba", "bốn", "sáu", "bảy", "tám", "chín", "mười")
_INDEX_WORDS: Final = ("chỉ số", "dti", "egdi", "ict index", "par index", "pci", "điểm", "trụ cột", "index")
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
    if lowered is None:
        lowered = text.lower()
        if len(lowered) != len(text):
            lowered = text
    if anchors is None:
        anchors = _ANCHORS.find(lowered)
    if runs is None:
        runs = digit_runs(text)
    blocked_at = _blocked_reasons(_blocked_spans(text, runs))
    index_words = finditer_at(_INDEX_CONTEXT_LOWER_RE, lowered, merge_starts(anchors, _INDEX_WORDS))
    index_article = sum(1 for _ in index_words) >= 3
    found: list[NumberMention] = []
    # a numeral starts a run of digits and reaches at least its end, so the next one starts another run
    pos = 0
    for start, run_end in runs:
        if start < pos:
            continue  # inside the last number ("3/4": the "4")
        m = _match_number(text, start, run_end)
        pos = m.end
        if start and (text[start - 1].isdigit() or text[start - 1] in ".,"):
            continue
        found.append(_read_match(text, m, blocked_at.get(start), index_article))
    found.extend(_number_words(text, lowered, {(n.start, n.end) for n in found}, anchors))
    found.sort(key=lambda n: n.start)
    _mark_ranges(text, found)
    _mark_coordinations(text, found)
    return found


_FUNCTION_WORD_AFTER_RE: Final = StartPattern(
    r"^\s+(?:về|trong|so với|của|với|trên|tại|ở|năm|cả nước|toàn quốc|toàn|khu vực|và|nhưng|còn)\b",
    re.IGNORECASE,
)
_COORDINATION_RE: Final = StartPattern(r"^\s*(?:,|và|hoặc|, và)\s*(?:thứ\s+)?$", re.IGNORECASE)


def _mark_coordinations(text: str, numbers: list[NumberMention]) -> None:
    """'xếp thứ 2 và 3', 'vị trí thứ 2, thứ 3': a bare number joined to a rank or score is one too."""
    for i in range(1, len(numbers)):
        prev, cur = numbers[i - 1], numbers[i]
        if prev.not_fact or cur.not_fact or cur.unit != "count" or prev.unit not in ("rank", "score"):
            continue
        after = _after(text, cur.end)
        if _COORDINATION_RE.matches(text[prev.end : cur.start]) and (
            not _count_noun_follows(after) or _FUNCTION_WORD_AFTER_RE.matches(after)
        ):
            numbers[i] = cur.read_as(cur.value, prev.unit, cur.qualifier, prev.is_change, cur.range_role)


def _read_match(text: str, m: _NumberMatch, blocked_reason: str | None, index_article: bool = False) -> NumberMention:
    """The number `m` found, read, or marked not a fact (`blocked_reason`: a date, phone ... covers it)."""
    raw, start, end = m.num, m.start, m.end
    # trailing whitespace captured before an absent group never extends the span
    surface = text[start:end].rstrip()
    end = start + len(surface)
    if blocked_reason:
        return _not_fact_mention(start, end, surface, raw, blocked_reason)
    rev = _before(text, start)[::-1]  # for the `..._BEFORE` rules (`EndPattern.search_reversed`)
    reason, near = _not_fact_reason(text, m, rev)
    if reason:
        return _not_fact_mention(start, end, surface, raw, reason)
    after = _after(text, end)
    scale = m.scale
    unit, multiplier = _unit_of(scale, m.cur, bool(m.pct))
    dot_decimal = raw.startswith("0.")
    value = parse_numeral(raw, dot_decimal=dot_decimal) * multiplier
    denominator = None
    if m.denom is not None:
        denominator = parse_numeral(m.denom) * (multiplier if unit in ("VND", "USD") else 1)
    change_before, rank_before, gap_before = _FACT_RULES.search_reversed(rev)
    is_change = change_before
    if unit is None:
        if _RANK_AFTER_RE.matches(after):
            unit = "rank"
            is_change = True
        elif rank_before and value == int(value):
            unit = "rank"
        elif _SCORE_AFTER_RE.matches(after) or (
            0 < value < 1 and not scale and _index_context(text, start, end, raw, index_article)
        ):
            unit = "score"
        elif _TIMES_AFTER_RE.matches(after) or gap_before:
            unit = "times"
            is_change = True
        else:
            unit = "count"
    if denominator is None and unit in ("rank", "count") and "tr" in after.lower():  # "trong", "trên" start it
        in_total = _IN_TOTAL_RE.match(after)
        if in_total and (unit == "rank" or "tổng" in in_total.group(0)):
            denominator = parse_numeral(in_total.group("denom"))
    if near is None:
        near = _NEAR_RULES.search_reversed(rev, 25)
    qualifier = _QUALIFIER_OF[near[1:]]
    if gap_before:
        is_change = True
    return NumberMention(start, end, surface, value, unit, denominator, qualifier, None, is_change)


def _not_fact_mention(start: int, end: int, surface: str, raw: str, reason: str) -> NumberMention:
    try:
        value = parse_numeral(raw)
    except ValueError:
        value = float("nan")
    return NumberMention(start, end, surface, value, None, not_fact=reason)


def _index_context(text: str, start: int, end: int, raw: str, index_article: bool) -> bool:
    """An index is named near the number (or the article is about one and the number reads '0,xxxx').

    Asked only for values between 0 and 1, the only ones it can turn into scores.
    """
    return bool(_INDEX_CONTEXT_RE.search(text[max(0, start - 120) : end + 40])) or (
        index_article and bool(_INDEX_FRACTION_RE.fullmatch(raw))
    )


def _qualifier(before: str) -> str:
    return _qualifier_reversed(before[::-1])


def _qualifier_reversed(rev: str) -> str:
    """`_qualifier` of the text whose reversal is `rev`: its rules see the last 25 characters."""
    return _QUALIFIER_OF[_NEAR_RULES.search_reversed(rev, 25)[1:]]


def _first_qualifier(answers: tuple[bool, ...]) -> str:
    """The first qualifier whose rule holds, given the answers of the `_QUALIFIER_RES` in order."""
    for (q, _), holds in zip(_QUALIFIER_RES, answers, strict=True):
        if holds:
            return q
    return "eq"


# `_first_qualifier` of every combination of answers, looked up for each number
_QUALIFIER_OF: Final = {
    answers: _first_qualifier(answers) for answers in itertools.product((False, True), repeat=len(_QUALIFIER_RES))
}


def _number_words(
    text: str, lowered: str, taken: set[tuple[int, int]], anchors: dict[str, list[int]]
) -> list[NumberMention]:
    out = []
    for m in finditer_at(_WORD_ORDINAL_RE, lowered, merge_starts(anchors, _ORDINAL_LEADS)):
        lead = m.group("lead").lower()
        if lead in ("thứ", "giải") and not _RANK_BEFORE_RE.search(_before(text, m.start("word"))):
            continue
        out.append(
            NumberMention(
                m.start("word"),
                m.end("word"),
                text[m.start("word") : m.end("word")],
                float(NUMBER_WORDS[m.group("word").lower()]),
                "rank",
            )
        )
    for m in finditer_at(_WORD_CARDINAL_RE, lowered, _cardinal_starts(lowered, anchors)):
        after = text[m.end() : m.end() + 10].lower()
        unit = "rank" if after.startswith(("bậc", "hạng")) else ("times" if after.startswith("lần") else "count")
        before = _before(text, m.start())
        is_change = unit in ("rank", "times") and bool(_CHANGE_BEFORE_RE.search(before) or unit == "times")
        out.append(
            NumberMention(
                m.start("word"),
                m.end("word"),
                text[m.start("word") : m.end("word")],
                float(NUMBER_WORDS[m.group("word").lower()]),
                unit,
                qualifier=_qualifier(before),
                is_change=is_change,
            )
        )
    return [n for n in out if (n.start, n.end) not in taken]


def _cardinal_starts(lowered: str, anchors: dict[str, list[int]]) -> list[int]:
    """Where `_WORD_CARDINAL_RE` can match: a cardinal word with no word character before it and a space
    after it. Most of their occurrences are inside other words ("ba" in "bao"): no regex call for those."""
    n = len(lowered)
    out: list[int] = []
    for word in _CARDINAL_WORDS:
        after = len(word)
        for p in anchors[word]:
            # `\s` is `str.isspace`
            if p + after < n and lowered[p + after].isspace() and not (p and is_word_char(lowered[p - 1])):
                out.append(p)
    out.sort()  # one word starts at each offset: no duplicates
    return out


def _mark_ranges(text: str, numbers: list[NumberMention]) -> None:
    """'từ 60 đến 70%', '8,3 - 8,5%': the low end becomes gt, the high end lt, same unit."""
    for i in range(len(numbers) - 1):
        low, high = numbers[i], numbers[i + 1]
        if low.not_fact or high.not_fact:
            continue
        link = text[low.end : high.start]
        if not _RANGE_LINK_RE.matches(link):
            continue
        has_from = bool(_RANGE_FROM_RE.search(_before(text, low.start, 25)))
        dash = link.strip() in ("-", "–", "—")
        if not (has_from or dash) or high.unit in (None, "rank"):
            continue
        low_unit = high.unit if low.unit == "count" else low.unit
        scale = 1.0
        if low.unit == "count" and high.unit in ("VND", "USD", "percent", "count") and low.value < high.value:
            scale = 1.0
        # both are facts (checked above): `read_as` keeps their not-fact reason, None
        numbers[i] = low.read_as(low.value * scale, low_unit, "gt", low.is_change, "low")
        numbers[i + 1] = high.read_as(high.value, high.unit, "lt", high.is_change, "high")
