"""Provinces and districts of Vietnam, and a fast matcher for their names in text.

The gazetteer (`data/gazetteer.csv`, built by `scripts/build_gazetteer.py`) lists the 63
provinces as they stood before the 1 July 2025 merger, their 696 districts, extra spellings,
and stop phrases. Every unit carries its pre-2025 province's ISO 3166-2:VN code (`region_code`)
and the code of the province it lies in since the merger (`region_code_2025`).

Matching rules (`find_regions`):

* One Aho-Corasick automaton over normalized patterns, built once. Normalization is
  length-preserving (lower case, odd spaces -> " ", dashes -> "-"), so a match's offsets are
  offsets in the original text. Tone placement ("Hoà" = "Hòa", "Thuỷ" = "Thủy", as
  `dxdata.text.unify_tone_marks`) is unified on the pattern side: every spelling of a pattern in
  either placement is in the automaton, which is the same as unifying the text, only faster.
* A match must sit on word boundaries: no letter or digit just before or after it. One exception
  for text glued by PDF layout: a lower-case letter followed by the match's upper-case first
  letter ("tạiĐà Nẵng") is a boundary, and so is the mirror case at the end.
* Case matters where the name's spelling has a capital: each word of the gazetteer spelling that
  starts with a capital must start with one in the text (any case for the rest, so all-caps
  headlines match). "Hòa Bình" is the province, "hòa bình" is peace.
* Provinces match bare ("Kon Tum") and with their unit word ("tỉnh Kon Tum"; "thành phố",
  "TP.", "TP", "Tp." for centrally run cities). Districts match only with a unit word ("huyện X",
  "quận X", "thị xã X"/"TX. X", "thành phố X"/"TP. X"); any unit word is accepted before a
  current district name, since many changed type over the years, but its own type wins when two
  districts would collide. A district counts as its province.
* Where one spelling names units in different provinces ("huyện Châu Thành"), or is a stop phrase
  ("Thái Bình Dương", bare "Hồ Chí Minh"), the span is consumed and nothing is reported; a name
  that overlaps such a span without containing it is dropped too ("tỉnh Hà Nam Ninh").
* The longest match wins; results are sorted and do not overlap.
* A bare name just after a common surname or middle name ("Nguyễn Thái Bình") is a person.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Final, NamedTuple

from dxdata.text import Matcher, unify_tone_marks

if TYPE_CHECKING:
    import pandas as pd

COUNTRY_CODE: Final = "VN"
COUNTRY_NAME: Final = "Việt Nam"


class RegionMatch(NamedTuple):
    """A place named in the text (a tuple: built in C, several per article)."""

    start: int  # span in the original text passed to find_regions
    end: int
    region_code: str  # pre-2025 province ISO code, e.g. "VN-DN"
    region_code_2025: str
    level: str  # "province" | "district"
    name: str  # canonical name: "Đà Nẵng" for a province, "Thành phố Buôn Ma Thuột" for a district
    text: str  # the matched surface text


# ---------------------------------------------------------------- normalization

_ODD_CHARS: Final = "\u00a0\u2007\u2009\u202f\t\u2010\u2011\u2012\u2013\u2014\u2212"
_CHAR_MAP: Final = str.maketrans(_ODD_CHARS, "     ------")


def _tone_table() -> dict[str, str]:
    """The lower-case pairs `unify_tone_marks` rewrites ("oà" -> "òa"), found by asking it."""
    toned = [unicodedata.normalize("NFC", v + m) for v in "aey" for m in "\u0300\u0301\u0309\u0303\u0323"]
    pairs = (a + b for a in "ou" for b in toned)
    return {p: fixed for p in pairs if (fixed := unify_tone_marks(p)) != p}


_TONES: Final = _tone_table()
_UNTONES: Final = {new: old for old, new in _TONES.items()}


def _fold(text: str, lowered: str | None = None) -> str:
    """Lower-case, odd spaces and dashes made plain; same length as `text`. Applied to the text.

    `lowered`: `text.lower()`, when the caller has it already (and it has the length of `text`).
    """
    low = text.lower() if lowered is None else lowered
    if len(low) != len(text):  # a few characters lower-case to two ("İ"): keep those as they are
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    for odd in _ODD_CHARS:  # `low.translate(_CHAR_MAP)`, but `str.replace` runs in C for the few present
        if odd in low:
            low = low.replace(odd, chr(_CHAR_MAP[ord(odd)]))
    return low


def _normalize(text: str) -> str:
    """`_fold` and unified tone placement ("hoà" -> "hòa"): the key of a spelling in the gazetteer."""
    # Each pair starts with o/u and ends in a toned a/e/y, and its replacement holds neither, so
    # pairs never overlap or cascade: replacing them one by one equals one left-to-right pass.
    low = _fold(text)
    for old, new in _TONES.items():
        low = low.replace(old, new)
    return low


def _tone_variants(norm: str) -> list[str]:
    """Every spelling whose `_normalize` is `norm` ("hòa bình" -> also "hoà bình").

    Matching these against the text folded by `_fold` equals matching `norm` against the text with
    its tone placement unified, without paying for the unification on every article.
    """
    parts = [""]
    i = 0
    while i < len(norm):
        pair = norm[i : i + 2]
        if pair in _UNTONES:
            parts = [p + alt for p in parts for alt in (pair, _UNTONES[pair])]
            i += 2
        else:
            parts = [p + norm[i] for p in parts]
            i += 1
    return parts


# ---------------------------------------------------------------- gazetteer


@cache
def _rows() -> tuple[dict[str, str], ...]:
    data = resources.files("dxdata").joinpath("data", "gazetteer.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(data)))


@cache
def _provinces() -> dict[str, dict[str, str]]:
    return {r["region_code"]: r for r in _rows() if r["level"] == "province"}


def all_region_codes() -> list[str]:
    """Return "VN" and the 63 pre-2025 province codes."""
    return [COUNTRY_CODE, *sorted(_provinces())]


def region_2025(region_code: str) -> str | None:
    """The code of the post-July-2025 province that `region_code` lies in ("VN" -> "VN")."""
    if region_code == COUNTRY_CODE:
        return COUNTRY_CODE
    row = _provinces().get(region_code)
    return row["region_code_2025"] if row else None


def regions_table() -> pd.DataFrame:
    """One row for the country and one per province: region_code, name_vi, name_en (the ASCII
    name), level (country | province | municipality), gso_code, region_code_2025, name_2025."""
    import pandas as pd

    rows = [
        {
            "region_code": COUNTRY_CODE,
            "name_vi": COUNTRY_NAME,
            "name_en": "Viet Nam",
            "level": "country",
            "gso_code": "",
            "region_code_2025": COUNTRY_CODE,
            "name_2025": COUNTRY_NAME,
        }
    ]
    for code in sorted(_provinces()):
        r = _provinces()[code]
        rows.append(
            {
                "region_code": code,
                "name_vi": r["name"],
                "name_en": r["name_ascii"],
                "level": "municipality" if r["unit_type"] == "thành phố" else "province",
                "gso_code": r["gso_code"],
                "region_code_2025": r["region_code_2025"],
                "name_2025": r["name_2025"],
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- patterns

# Unit words and their abbreviations, as written before a name (trailing space included).
_PREFIXES: Final = {
    "tỉnh": ("tỉnh ",),
    "thành phố": ("thành phố ", "TP.", "TP. ", "TP ", "Tp.", "Tp. ", "Tp "),
    "thị xã": ("thị xã ", "TX.", "TX. ", "TX ", "Tx.", "Tx. "),
    "quận": ("quận ",),
    "huyện": ("huyện ",),
}
_DISTRICT_CLASSES: Final = ("thành phố", "thị xã", "quận", "huyện")
# Longest first, so "TP. " is recognised before "TP.".
_PREFIX_LOOKUP: Final = sorted(
    ((_normalize(v), cls) for cls, vs in _PREFIXES.items() for v in vs), key=lambda x: -len(x[0])
)

# Priorities when one normalized spelling has several readings (lower wins).
_P_STOP, _P_PROVINCE, _P_DISTRICT, _P_DISTRICT_OTHER_TYPE, _P_DISTRICT_FORMER = range(5)

# A bare name right after one of these is (part of) a person's name: "ông Nguyễn Thái Bình".
_SURNAMES_AND_MIDDLE_NAMES: Final = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Ngô Dương Lý Đào Đoàn Trịnh Đinh Trương Lương Lưu Văn Thị"
)
_NAME_WORDS: Final = frozenset(_SURNAMES_AND_MIDDLE_NAMES.split())
# Common nouns used as a name ("Thủ đô" is Hà Nội): not when a proper noun follows ("Thủ đô Viêng Chăn").
_GENERIC: Final = frozenset({_normalize("Thủ đô")})


@dataclass(frozen=True)
class _Unit:
    region_code: str
    region_code_2025: str
    level: str
    name: str


@dataclass(frozen=True)
class _Pattern:
    length: int
    unit: _Unit | None  # None: stop phrase or ambiguous spelling; consumes its span, reports nothing
    upper: tuple[int, ...]  # offsets that must be upper-case in the original text
    bare: bool  # no unit word in front: may be part of a person's name
    generic: bool


def _split_prefix(surface: str) -> tuple[str | None, str]:
    norm = _normalize(surface)
    for pre, cls in _PREFIX_LOOKUP:
        if norm.startswith(pre) and len(norm) > len(pre):
            return cls, surface[len(pre) :].lstrip()
    return None, surface


def _upper_offsets(surface: str) -> frozenset[int]:
    return frozenset(i for i, c in enumerate(surface) if c.isupper() and (i == 0 or not surface[i - 1].isalpha()))


class _Builder:
    def __init__(self) -> None:
        # normalized spelling -> [(priority, unit, offsets that must be upper-case, bare)]
        self.entries: dict[str, list[tuple[int, _Unit | None, frozenset[int], bool]]] = {}

    def add(self, surface: str, priority: int, unit: _Unit | None, bare: bool) -> None:
        surface = surface.strip()
        if surface:
            self.entries.setdefault(_normalize(surface), []).append((priority, unit, _upper_offsets(surface), bare))

    def add_prefixed(self, cls: str, rest: str, priority: int, unit: _Unit | None) -> None:
        rest = rest.strip()
        norm, upper = _normalize(rest), _upper_offsets(rest)
        for pre in _PREFIXES[cls]:
            # `pre` ends in a space or a dot, so normalizing the parts apart is the same as together
            shifted = frozenset(o + len(pre) for o in upper) | _upper_offsets(pre)
            self.entries.setdefault(_normalize(pre) + norm, []).append((priority, unit, shifted, False))

    def patterns(self) -> dict[str, _Pattern]:
        out = {}
        for norm, cands in self.entries.items():
            best = min(c[0] for c in cands)
            top = [c for c in cands if c[0] == best] if len(cands) > 1 else cands
            units = [c[1] for c in top if c[1] is not None]
            unit = None
            if best != _P_STOP and len({u.region_code for u in units}) == 1:
                unit = min(units, key=lambda u: (u.level != "province", u.name))
            out[norm] = _Pattern(
                length=len(norm),
                unit=unit,
                upper=tuple(sorted(frozenset.intersection(*(c[2] for c in top)))),
                bare=any(c[3] for c in top),
                generic=norm in _GENERIC,
            )
        return out


@cache
def _automaton() -> tuple[Matcher[int], tuple[_Pattern, ...]]:
    b = _Builder()
    province_spellings: set[str] = set()
    for r in _rows():
        if r["level"] != "province":
            continue
        unit = _Unit(r["region_code"], r["region_code_2025"], "province", r["name"])
        own = ("thành phố",) if r["unit_type"] == "thành phố" else ("tỉnh",)
        for surface in [r["name"], r["name_ascii"], *filter(None, r["aliases"].split("|"))]:
            cls, rest = _split_prefix(surface)
            if cls is not None:
                b.add_prefixed(cls, rest, _P_PROVINCE, unit)
                continue
            b.add(surface, _P_PROVINCE, unit, bare=True)
            province_spellings.add(_normalize(surface))
            for c in own:
                b.add_prefixed(c, surface, _P_PROVINCE, unit)

    for r in _rows():
        if r["level"] == "stop":
            b.add(r["name"], _P_STOP, None, bare=True)
        if r["level"] != "district":
            continue
        unit = _Unit(r["region_code"], r["region_code_2025"], "district", r["full_name"])
        own_class = next(c for c in _DISTRICT_CLASSES if r["unit_type"].startswith(c))
        name = r["name"]
        b.add_prefixed(own_class, name, _P_DISTRICT, unit)
        # Another unit word before the name: the district's former type ("thị xã Thuận An"). Not for
        # numbered quận, nor for names that are province names ("thành phố Quảng Ninh" is no district).
        if not name[:1].isdigit() and _normalize(name) not in province_spellings:
            for c in _DISTRICT_CLASSES:
                if c != own_class:
                    b.add_prefixed(c, name, _P_DISTRICT_OTHER_TYPE, unit)
        for alias in filter(None, r["aliases"].split("|")):
            cls, rest = _split_prefix(alias)
            if cls in _DISTRICT_CLASSES and _normalize(rest) not in province_spellings:
                b.add_prefixed(cls, rest, _P_DISTRICT_FORMER, unit)

    spellings: dict[str, int] = {}  # spelling -> pattern index (a spelling listed twice: its last pattern)
    patterns: list[_Pattern] = []
    for norm, pat in sorted(b.patterns().items()):
        for spelling in _tone_variants(norm):
            spellings[spelling] = len(patterns)
        patterns.append(pat)
    return Matcher(spellings), tuple(patterns)


# ---------------------------------------------------------------- matching


def _upper_at(text: str, start: int, offsets: tuple[int, ...]) -> bool:
    """Whether the characters at these offsets from `start` are upper case."""
    return all(text[start + offset].isupper() for offset in offsets)


def _overlaps(start: int, end: int, starts: list[int], ends: list[int]) -> bool:
    """Whether [start, end) shares a character with one of the spans [starts[i], ends[i])."""
    return any(other_start < end and start < other_end for other_start, other_end in zip(starts, ends, strict=True))


def _left_ok(text: str, start: int) -> bool:
    if start == 0:
        return True
    prev = text[start - 1]
    return not prev.isalnum() or (prev.islower() and text[start].isupper())


def _right_ok(text: str, end: int) -> bool:
    if end == len(text):
        return True
    nxt = text[end]
    return not nxt.isalnum() or (text[end - 1].islower() and nxt.isupper())


def _after_name_word(text: str, start: int) -> bool:
    if start < 2 or text[start - 1] != " ":
        return False
    i = start - 1
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    return text[i : start - 1] in _NAME_WORDS


def _before_proper_noun(text: str, end: int) -> bool:
    return end + 1 < len(text) and text[end] == " " and text[end + 1].isupper()


def find_regions(text: str, lowered: str | None = None) -> list[RegionMatch]:
    """Provinces and districts named in `text`, sorted by start, non-overlapping, longest first.

    `lowered`: `text.lower()`, when the caller has it already (and it has the length of `text`).
    """
    if not text:
        return []
    auto, _patterns = _automaton()
    return _regions_from_hits(text, auto.iter(_fold(text, lowered)))


def find_regions_and_words(
    text: str, lowered: str, words: tuple[str, ...]
) -> tuple[list[RegionMatch], dict[str, list[int]]]:
    """`find_regions(text, lowered)`, and the start offsets of each of `words` in `lowered`, from one scan.

    `words`: lower-case words with no dash (as `dxdata.text.Anchors` takes them); their offsets are those
    `Anchors(words).find(lowered)` gives, overlapping ones included. Each automaton pass reads every
    character of an article, so the region names and the words numbers start with share one.
    """
    automaton = region_and_word_matcher(words)
    values = automaton.values
    starts: list[list[int]] = [[] for _ in words]
    if text and not any(c in lowered for c in _ODD_SPACES):  # else `_fold` makes spaces a word may span
        region_hits: list[tuple[int, int]] = []
        flat = _fold(text, lowered)  # `lowered` itself unless a dash was made plain
        for i, start, end in automaton.found(flat):
            region_index, word_index = values[i]
            if region_index >= 0:
                region_hits.append((end - 1, region_index))
            if word_index >= 0:
                starts[word_index].append(start)
        return _regions_from_hits(text, region_hits), {word: starts[i] for i, word in enumerate(words)}
    for i, start, _end in automaton.found(lowered):
        word_index = values[i][1]
        if word_index >= 0:
            starts[word_index].append(start)
    return find_regions(text, lowered), {word: starts[i] for i, word in enumerate(words)}


_ODD_SPACES: Final = tuple(c for c in _ODD_CHARS if _CHAR_MAP[ord(c)] == ord(" "))


@cache
def region_and_word_matcher(words: tuple[str, ...]) -> Matcher[tuple[int, int]]:
    """Region spellings and `words` in one automaton: value (pattern index or -1, word index or -1)."""
    if len(set(words)) != len(words) or any("-" in w or w != w.lower() for w in words):
        raise ValueError("words must be distinct, lower-case and hold no dash")
    values: dict[str, list[int]] = {}
    for key, region_index in _automaton()[0].items():
        values[key] = [region_index, -1]
    for word_index, word in enumerate(words):
        values.setdefault(word, [-1, -1])[1] = word_index
    return Matcher({key: (region, word) for key, (region, word) in values.items()})


def _regions_from_hits(text: str, hits: Iterable[tuple[int, int]]) -> list[RegionMatch]:
    """The `find_regions` rules applied to the automaton hits (last offset, pattern index) of its patterns."""
    _auto, patterns = _automaton()
    cands = []
    for last, idx in hits:
        pat = patterns[idx]
        end = last + 1
        start = end - pat.length
        if not (_left_ok(text, start) and _right_ok(text, end)):
            continue
        if not _upper_at(text, start, pat.upper):
            continue
        if pat.unit is not None:
            if pat.bare and _after_name_word(text, start):
                continue
            if pat.generic and _before_proper_noun(text, end):
                continue
        cands.append((start, end, pat.unit))
    if not cands:
        return []
    blocks = [(s, e) for s, e, u in cands if u is None]
    if blocks:  # a stop phrase also vetoes names that overlap it without containing it ("tỉnh Hà Nam Ninh")
        cands = [
            c
            for c in cands
            if c[2] is None or all(c[1] <= s or e <= c[0] or (c[0] <= s and e <= c[1]) for s, e in blocks)
        ]
    cands.sort(key=lambda c: (c[0] - c[1], c[0]))
    # the spans taken so far (longest first): a few per article, so a candidate is compared with each of
    # them rather than marked character by character
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    out = []
    for start, end, u in cands:
        if _overlaps(start, end, taken_starts, taken_ends):
            continue
        taken_starts.append(start)
        taken_ends.append(end)
        if u is not None:
            out.append(RegionMatch(start, end, u.region_code, u.region_code_2025, u.level, u.name, text[start:end]))
    out.sort(key=lambda m: m.start)
    return out
