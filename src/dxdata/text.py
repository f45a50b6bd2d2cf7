"""Text normalization shared by ingest and extraction.

Every character span in the dataset points into text normalized by
`normalize_text`, so it must be deterministic and applied exactly once, at ingest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, Generic, NamedTuple, TypeVar

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


# Letters of other alphabets that Vietnamese pages print for its own: the Icelandic eth "Ð" for "Đ" ("Bình Ðịnh")
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})


def normalize_text(raw: str) -> str:
    """NFC, Vietnamese letters for their look-alikes, unify line breaks and spaces, drop zero-width
    characters, trim each line."""
    text = unicodedata.normalize("NFC", raw).translate(_LOOKALIKES)
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


def lower_same_length(text: str) -> str:
    """`text.lower()`, with the offsets of `text`: where lower-casing changes the length ("İ" gives two
    characters), each character is lower-cased on its own unless that gives more than one."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


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


# ---- the views of an article ---------------------------------------------------------------

_DIGIT_RUN: Final = re.compile(r"\d+")


def digit_runs(text: str) -> list[tuple[int, int]]:
    """The spans of the runs of decimal digits (what `\\d+` matches: characters for which `str.isdecimal`
    holds), in order. Read from a table of the code points that are digits, where `\\d+` would be tried at
    every character (five times the cost on an article)."""
    codes = _code_points(text)
    if codes is None:
        return [m.span() for m in _DIGIT_RUN.finditer(text)]
    digit = _IS_DIGIT.take(codes)
    edges = ((digit[1:] != digit[:-1]).nonzero()[0] + 1).tolist()  # where a run starts or ends, alternately
    if digit.size and digit[0]:
        edges.insert(0, 0)
    if digit.size and digit[-1]:
        edges.append(len(digit))
    return list(zip(edges[::2], edges[1::2], strict=True))


_FLAT_FOLD_TABLE: Final = _FOLD_TABLE.copy()
_FLAT_FOLD_TABLE[ord("\n")] = ord(" ")  # nothing else folds to a line break


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


def text_views(text: str) -> TextViews:
    """The `TextViews` of `text`."""
    lowered: str | None = text.lower()
    if lowered is not None and len(lowered) != len(text):
        lowered = None
    return TextViews(fold_flat(text), lowered, digit_runs(text))


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

    @staticmethod
    def _encode(text: str, byte_of: np.ndarray) -> bytes:
        """The text with one byte per character (`byte_of`: code point -> byte), as the byte automaton reads it."""
        codes = _code_points(text)
        if codes is not None:
            return byte_of.take(codes).tobytes()
        return bytes([int(byte_of[code]) if code < _BMP else 0 for code in map(ord, text)])  # (rare) astral text

    def iter(self, text: str) -> list[tuple[int, V]]:
        """(offset of the last character, value) of each occurrence, by where it ends; the longest first where
        several end at one character.
        """
        by_index = self._by_index
        return [(end - 1, by_index[i]) for i, _start, end in self.found(text)]

    def found(self, text: str) -> list[tuple[int, int, int]]:
        """What `iter` reports, as the automaton reports it: (key index, start, end) of each occurrence, the
        key's value at `values[key index]`. No list of new pairs is built: for the scans of every article."""
        if self._bytes_dfa is not None:
            automaton, byte_of = self._bytes_dfa
            data = self._encode(text, byte_of)
            return automaton.find_matches_as_indexes(data, overlapping=True)
        if self._dfa is not None:
            return self._dfa.find_matches_as_indexes(text, overlapping=True)
        return []

    @property
    def values(self) -> list[V]:
        """Each key's value, by key index (`found`)."""
        return self._by_index


# ---- patterns tried where they can start -----------------------------------------------------
# A scan (`finditer`) tries a pattern at every character of an article. Most patterns open with one of a
# few words or with a digit: `Anchors` finds the words of all of them in one automaton pass (in `extract`,
# the same pass as the region names), and `finditer_at` tries each pattern at those offsets only.


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
