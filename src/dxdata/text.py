"""Text normalization shared by ingest and extraction.

Every character span in the dataset points into text normalized by
`normalize_text`, so it must be deterministic and applied exactly once, at ingest.
"""

from __future__ import annotations

import bisect
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, Generic, NamedTuple, TypeVar

import ahocorasick_rs
import numpy as np

_SPACES: Final = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH: Final = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_MANY_NEWLINES: Final = re.compile(r"\n{3,}")

# Old-style tone placement ("hoà") -> the form NFC text from most Vietnamese sites uses ("hòa").
_TONE_FIXES: Final = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
_TONE_RE: Final = re.compile("|".join(sorted(_TONE_FIXES, key=len, reverse=True)), re.IGNORECASE)


def normalize_text(raw: str) -> str:
    """NFC, unify line breaks and spaces, drop zero-width characters, trim each line."""
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _ZERO_WIDTH.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def _fix_tone(match: re.Match[str]) -> str:
    found = match.group(0)
    fixed = _TONE_FIXES[found.lower()]
    return fixed.upper() if found.isupper() else (fixed[0].upper() + fixed[1:] if found[0].isupper() else fixed)


def unify_tone_marks(text: str) -> str:
    """Map old-style tone placement to the new style so "Hoà" and "Hòa" compare equal.

    Length-preserving: every replacement has the same number of characters.
    """
    return _TONE_RE.sub(_fix_tone, text)


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x1EFA):
        ch = chr(code)
        low = ch.lower()
        if len(low) != 1:
            continue
        base = "d" if low == "đ" else unicodedata.normalize("NFD", low)[0]
        if base.isascii() and base != ch:
            table[code] = base
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    return table


_FOLD: Final = _fold_table()

# `str.translate` looks every character up in a dict, one Python object per character. A lookup
# table indexed by code point does the same on an array of the text's UTF-16 code units, in C:
# any text within the Basic Multilingual Plane (all Vietnamese news) goes that way, one unit per
# character (half the bytes of UTF-32 to convert and look up); any other text falls back to `str.translate`.
_BMP: Final = 0x10000
_FOLD_TABLE: Final = np.arange(_BMP, dtype=np.uint16)
for _code, _folded in _FOLD.items():
    _FOLD_TABLE[_code] = ord(_folded)
# what `\d` matches (Unicode decimal digits), by code point
_IS_DIGIT: Final = np.fromiter((chr(c).isdecimal() for c in range(_BMP)), dtype=bool, count=_BMP)


def is_word_char(ch: str) -> bool:
    """What `\\w` (and so `\\b`) counts as a word character, for one character without a regex call."""
    return ch.isalnum() or ch == "_"


def _code_points(text: str) -> np.ndarray | None:
    """The text's code points as an array of UTF-16 units, or None when one lies outside the Basic Multilingual
    Plane (two units: offsets would move) or is a lone surrogate."""
    try:
        data = text.encode("utf-16-le")
    except UnicodeEncodeError:
        return None
    if len(data) != 2 * len(text):
        return None
    return np.frombuffer(data, dtype=np.uint16)


def fold_accents(text: str) -> str:
    """Lower-case and strip diacritics ("Đà Nẵng" -> "da nang"), keeping one char per input char.

    Length-preserving on NFC text, so offsets in the folded text are offsets in the original.
    `text.translate(_FOLD)`, done by a table lookup over the code points when it can: this runs on
    every article.
    """
    codes = _code_points(text)
    if codes is None:
        return text.translate(_FOLD)
    return _FOLD_TABLE.take(codes).tobytes().decode("utf-16-le")


# ---- fast scanning -------------------------------------------------------------------------
# A regex scan (`finditer`) pays for every position of the text even when the pattern can start at
# only a few (a digit, a keyword). `Anchors` finds those few positions in one Aho-Corasick pass and
# `finditer_at` tries the pattern there only: the same matches, many times faster on an article.

_DIGIT_RUN: Final = re.compile(r"\d+")


def digit_runs(text: str) -> list[tuple[int, int]]:
    """The spans of the runs of decimal digits (what `\\d+` matches), in order.

    Found from a table of the code points that are digits: a regex scan pays a Unicode lookup per character.
    """
    codes = _code_points(text)
    if codes is None:
        return [m.span() for m in _DIGIT_RUN.finditer(text)]
    return _digit_runs_of(codes)


def fold_flat(text: str) -> str:
    """`fold_accents(text)` with line breaks as spaces: the form codebook cues are matched in."""
    codes = _code_points(text)
    if codes is None:
        return fold_accents(text).replace("\n", " ")
    return _FLAT_FOLD_TABLE.take(codes).tobytes().decode("utf-16-le")


class TextViews(NamedTuple):
    """The forms of one article's text the extractor reads, all with the text's offsets."""

    folded: str  # `fold_flat(text)`
    lowered: str | None  # `text.lower()`, or None where lower-casing changes the length ("İ")
    runs: list[tuple[int, int]]  # `digit_runs(text)`
    # `folded` and `lowered` as the `ViewTable`'s matchers read them (`Matcher.iter`'s `encoded`), or None
    folded_bytes: bytes | None = None
    lowered_bytes: bytes | None = None


def text_views(text: str) -> TextViews:
    """`TextViews` of `text` (without matcher encodings), from one table look-up per character."""
    return _PLAIN_VIEWS.views(text)


class ViewTable:
    """`text_views` for the text two matchers read: the folded view by one and the lower-case view by the
    other. Their encodings (`Matcher.iter`'s `encoded`) come from the same one look-up per character as the
    views: a `Matcher` encoding a view itself pays a second look-up of every character.
    """

    def __init__(self, fold_reader: Matcher[Any] | None = None, lower_reader: Matcher[Any] | None = None) -> None:
        # code point -> `_VIEW_TABLE`, then the byte each matcher reads for the folded (bits 40-47) and the
        # lower-case (48-55) form of it
        table = _VIEW_TABLE.copy()
        fold_bytes = None if fold_reader is None else fold_reader.byte_table
        if fold_bytes is not None:
            table |= fold_bytes.take(_FLAT_FOLD_TABLE).astype(np.uint64) << np.uint64(40)
        lower_bytes = None if lower_reader is None else lower_reader.byte_table
        if lower_bytes is not None:
            table |= lower_bytes.take(_LOWER_TABLE).astype(np.uint64) << np.uint64(48)
        self._table = table
        self._fold_bytes = fold_bytes is not None  # whether `views` gives each encoding
        self._lower_bytes = lower_bytes is not None

    def views(self, text: str) -> TextViews:
        """`TextViews` of `text`, from one conversion of it to code points and one table look-up per character.

        `str.lower` looks each character's case up on its own; the table gives the same string wherever no
        character lower-cases to two or depends on its neighbours (the Greek capital sigma), and `str.lower`
        is asked where one does.
        """
        codes = _code_points(text)
        if codes is None:
            lowered = text.lower()
            return TextViews(fold_flat(text), lowered if len(lowered) == len(text) else None, digit_runs(text))
        entries = self._table.take(codes)  # per character: lower case, flat fold, digit flag, two matcher bytes
        units, octets = entries.view(np.uint16), entries.view(np.uint8)
        lower_units, fold_units, digit = units[0::4], units[1::4], octets[4::8]
        lowered_bytes: bytes | None = None
        table_lowered = lower_units.tobytes().decode("utf-16-le")
        lowered_or_none: str | None = table_lowered
        if _NO_SIMPLE_LOWER_CHAR in table_lowered:  # a string search costs less than a reduction of the units
            lowered = text.lower()
            lowered_or_none = lowered if len(lowered) == len(text) else None
        elif self._lower_bytes:
            lowered_bytes = octets[6::8].tobytes()
        folded = fold_units.tobytes().decode("utf-16-le")
        folded_bytes = octets[5::8].tobytes() if self._fold_bytes else None
        return TextViews(folded, lowered_or_none, _runs_of(digit), folded_bytes, lowered_bytes)


_FLAT_FOLD_TABLE = _FOLD_TABLE.copy()
_FLAT_FOLD_TABLE[ord("\n")] = ord(" ")  # nothing else folds to a line break


def _lower_table() -> np.ndarray:
    """Code point -> the code point `str.lower` gives it, or `_NO_SIMPLE_LOWER` where that is not one
    character or depends on the neighbours (final sigma)."""
    table = np.arange(_BMP, dtype=np.uint16)
    for code in range(_BMP):
        ch = chr(code)
        low = ch.lower()
        if len(low) != 1 or ch == "\u03a3":
            table[code] = _NO_SIMPLE_LOWER
        elif low != ch:
            table[code] = ord(low)
    return table


_NO_SIMPLE_LOWER: Final = 0xFFFF  # also U+FFFF itself (a noncharacter): a text holding it takes `str.lower`
_NO_SIMPLE_LOWER_CHAR: Final = chr(_NO_SIMPLE_LOWER)
_LOWER_TABLE: Final = _lower_table()


# code point -> `_LOWER_TABLE` (bits 0-15), `_FLAT_FOLD_TABLE` (16-31) and `_IS_DIGIT` (32): the three views
# from one look-up per character, each look-up costing what a look-up in one small table costs
_VIEW_TABLE: Final = (
    _LOWER_TABLE.astype(np.uint64)
    | (_FLAT_FOLD_TABLE.astype(np.uint64) << np.uint64(16))
    | (_IS_DIGIT.astype(np.uint64) << np.uint64(32))
)
_PLAIN_VIEWS: Final = ViewTable()


def _digit_runs_of(codes: np.ndarray) -> list[tuple[int, int]]:
    return _runs_of(_IS_DIGIT.take(codes))


def _runs_of(digit: np.ndarray) -> list[tuple[int, int]]:
    """The spans of the runs of non-zero flags (`digit`: one per character)."""
    edges = ((digit[1:] != digit[:-1]).nonzero()[0] + 1).tolist()  # where a run starts or ends, alternately
    if digit.size and digit[0]:
        edges.insert(0, 0)
    if digit.size and digit[-1]:
        edges.append(len(digit))
    return list(zip(edges[::2], edges[1::2], strict=True))


V = TypeVar("V")


class Matcher(Generic[V]):
    """Every occurrence of many fixed strings in a text, overlapping ones included, in one pass.

    An Aho-Corasick automaton compiled to a DFA (`ahocorasick_rs`, Rust): a pass over an article costs
    less than half of what the trie walk of `pyahocorasick` did, and each pass reads every character.

    The automaton reads one byte per character: each character the keys use gets a byte of its own, every
    other character byte 0, which no key holds. A `str` haystack would be encoded to UTF-8 on every pass and
    each match's byte offsets mapped back to characters, which cost more than the search itself. Keys with
    more than 255 distinct characters take that `str` path.
    """

    def __init__(self, values: Mapping[str, V]) -> None:
        self._values = dict(values)  # key -> the value its occurrences report
        keys = list(self._values)
        self._by_index = list(self._values.values())
        dfa = ahocorasick_rs.Implementation.DFA
        self._dfa: ahocorasick_rs.AhoCorasick | None = None
        # the byte path: its automaton, and code point -> byte (0: no key holds it)
        self._bytes_dfa: tuple[ahocorasick_rs.BytesAhoCorasick, np.ndarray] | None = None
        if not keys:
            return
        alphabet = sorted(set("".join(keys)))
        if len(alphabet) <= 255 and all(ord(ch) < _BMP for ch in alphabet):
            byte_of = np.zeros(_BMP, dtype=np.uint8)
            byte_of[[ord(ch) for ch in alphabet]] = np.arange(1, len(alphabet) + 1, dtype=np.uint8)
            to_byte = {ord(ch): chr(i) for i, ch in enumerate(alphabet, 1)}
            encoded = [key.translate(to_byte).encode("latin-1") for key in keys]
            self._bytes_dfa = ahocorasick_rs.BytesAhoCorasick(encoded, implementation=dfa), byte_of
        else:
            self._dfa = ahocorasick_rs.AhoCorasick(keys, implementation=dfa)

    def items(self) -> list[tuple[str, V]]:
        return list(self._values.items())

    @property
    def byte_table(self) -> np.ndarray | None:
        """Code point -> the byte the automaton reads for it (0: no key holds it); None: it reads `str`."""
        return None if self._bytes_dfa is None else self._bytes_dfa[1]

    @staticmethod
    def _encode(text: str, byte_of: np.ndarray) -> bytes:
        """The text with one byte per character (`byte_of`: code point -> byte), as the byte automaton reads it."""
        codes = _code_points(text)
        if codes is not None:
            return byte_of.take(codes).tobytes()
        return bytes([int(byte_of[code]) if code < _BMP else 0 for code in map(ord, text)])  # (rare) astral text

    def iter(self, text: str, encoded: bytes | None = None) -> list[tuple[int, V]]:
        """(offset of the last character, value) of each occurrence, by where it ends; the longest first where
        several end at one character.

        `encoded`: the text as the automaton reads it, through `byte_table`, when the caller has it
        (`ViewTable`): not encoded again.
        """
        by_index = self._by_index
        return [(end - 1, by_index[i]) for i, _start, end in self.found(text, encoded)]

    def found(self, text: str, encoded: bytes | None = None) -> list[tuple[int, int, int]]:
        """What `iter` reports, as the automaton reports it: (key index, start, end) of each occurrence, the
        key's value at `values[key index]`. No list of new pairs is built: for the scans of every article."""
        if self._bytes_dfa is not None:
            automaton, byte_of = self._bytes_dfa
            data = self._encode(text, byte_of) if encoded is None else encoded
            return automaton.find_matches_as_indexes(data, overlapping=True)
        if self._dfa is not None:
            return self._dfa.find_matches_as_indexes(text, overlapping=True)
        return []

    @property
    def values(self) -> list[V]:
        """Each key's value, by key index (`found`)."""
        return self._by_index


class Anchors:
    """Start offsets of many fixed strings in a text, found in one Aho-Corasick pass."""

    def __init__(self, literals: Iterable[str]) -> None:
        self._keys = list(dict.fromkeys(literals))
        self._matcher = Matcher({lit: i for i, lit in enumerate(self._keys)})  # key index = the literal's index

    def find(self, text: str) -> dict[str, list[int]]:
        """Literal -> ascending start offsets of its every occurrence, overlapping ones included."""
        lists: list[list[int]] = [[] for _ in self._keys]
        for i, start, _end in self._matcher.found(text):  # key index i: the literal's own index
            lists[i].append(start)
        return dict(zip(self._keys, lists, strict=True))  # one length per literal: by end is by start


def skip_spaces(text: str, pos: int, end: int) -> int:
    """The first offset from `pos` (before `end`) that holds no space: where `\\s*` matched at `pos` ends
    (`\\s` is `str.isspace`). A loop over the few spaces, with no regex call."""
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def count_below(ascending: list[int], bound: int) -> int:
    """How many items of the ascending list are below `bound` (`bisect.bisect_left`)."""
    return bisect.bisect_left(ascending, bound)


def char_offsets(text: str, chars: str, start: int, end: int) -> list[int]:
    """The offsets in `text[start:end]` (as offsets of `text`) of every one of `chars`, ascending.

    `str.find` per character: the regex `[;:]` costs a class test per character of the text.
    """
    found: list[int] = []
    for ch in chars:
        p = text.find(ch, start, end)
        while p >= 0:
            found.append(p)
            p = text.find(ch, p + 1, end)
    if len(chars) > 1:
        found.sort()
    return found


def merge_starts(found: dict[str, list[int]], keys: Iterable[str]) -> list[int]:
    """The ascending, distinct offsets listed under any of `keys` (`found`: an `Anchors.find`)."""
    if isinstance(keys, tuple | list) and len(keys) == 1:  # one literal's offsets already are
        return list(found[keys[0]])
    out: set[int] = set()
    for key in keys:
        out.update(found[key])
    return sorted(out)


def finditer_at(rx: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """`rx.finditer(text)`, given that `rx` can only match at one of the ascending offsets `starts`.

    `rx` must never match the empty string. Lookbehinds and `\\b` still see the text before each
    offset, so trying `rx.match` there gives exactly the matches a full scan gives.
    """
    pos = 0
    for p in starts:
        if p >= pos:
            m = rx.match(text, p)
            if m is not None:
                yield m
                pos = m.end()


# ---- rules about the text before or after a place ------------------------------------------
# "Does the text just before this number end with one of these words?", "does the text just after it start
# with one of these?": each rule is one regex, asked of a short window of the text (a few dozen characters),
# so a search of the whole window costs little.


class EndPattern:
    """A rule about the end of a text: a regex ending in `$`; `search(s)` tells whether it matches `s`.

    The callers pass a short window (the text just before a number, a name ...), not the whole text.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        if not pattern.endswith("$") or flags & re.MULTILINE:
            raise ValueError(f"not anchored at the end of the text: {pattern!r}")
        self.pattern = re.compile(pattern, flags)

    def search(self, text: str) -> bool:
        return self.pattern.search(text) is not None


class StartPattern:
    """A rule about the start of a text: a regex tried at one offset, `re.Pattern.match`."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.pattern.match(text, pos, endpos)

    def matches(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> bool:
        """`match(text, pos, endpos) is not None`."""
        return self.pattern.match(text, pos, endpos) is not None
