"""Text normalization shared by ingest and extraction.

Every character span in the dataset points into text normalized by
`normalize_text`, so it must be deterministic and applied exactly once, at ingest.
"""

from __future__ import annotations

import _sre  # the case mapping `re` itself uses, to spell out what IGNORECASE matches
import re
import re._constants as _c  # the parsed form of a pattern, to build its mirror image (EndPattern)
import re._parser as _parser
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from re._casefix import _EXTRA_CASES  # what `re` adds to a letter's case variants under IGNORECASE
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


# `str.lower` itself, called as a function: mypyc (setup.py) compiles `text.lower()` to a look-up per character
# that misses the context rule of the final sigma ("ΟΔΟΣ" -> "οδοσ", not "οδος"). Elsewhere that changes nothing
# found (no pattern holds a Greek letter, and offsets stay put); here the view must be `str.lower` exactly.
_str_lower: Final = str.lower


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
            lowered = _str_lower(text)
            return TextViews(fold_flat(text), lowered if len(lowered) == len(text) else None, digit_runs(text))
        entries = self._table.take(codes)  # per character: lower case, flat fold, digit flag, two matcher bytes
        units, octets = entries.view(np.uint16), entries.view(np.uint8)
        lower_units, fold_units, digit = units[0::4], units[1::4], octets[4::8]
        lowered_bytes: bytes | None = None
        table_lowered = lower_units.tobytes().decode("utf-16-le")
        lowered_or_none: str | None = table_lowered
        if _NO_SIMPLE_LOWER_CHAR in table_lowered:  # a string search costs less than a reduction of the units
            lowered = _str_lower(text)
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
    """`bisect.bisect_left(ascending, bound)`: how many items are below `bound`.

    Compiled, a native call on unboxed integers; `bisect_left` is reached through a Python call that
    compares boxed ones (a fifth of the cost of weighing a cue against a number went there).
    """
    lo, hi = 0, len(ascending)
    while lo < hi:
        mid = (lo + hi) >> 1
        if ascending[mid] < bound:
            lo = mid + 1
        else:
            hi = mid
    return lo


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


# ---- patterns anchored at the end ----------------------------------------------------------
# "Does the text just before this number end with one of these words?" is asked by patterns like
# `(?:số|nghị định|...)\s*$`. `re.search` tries such a pattern at every position of the window;
# the mirror image of the pattern, matched at the start of the reversed window, answers in one try.
#
# The mirror is only ever asked whether it matches, never where: any pattern with the same matches at
# the start of a text will do. `_mirror` writes one that fails fast, as three rewrites of the plain
# mirror image:
# - IGNORECASE spelled out: a case-insensitive letter compiles to an opcode on which the engine cannot
#   skip an alternative by peeking at one character, so "(?:ngày|hôm|...)" costs a slow comparison per
#   keyword at every try. As a case-sensitive class of exactly the characters IGNORECASE accepts there
#   ("[Nn]"), every alternative that cannot start at the character is skipped at once.
# - alternatives sharing their first element are merged ("tăng|tăng thêm" -> "tăng(?:|thêm)"): one test
#   of that element instead of one per alternative.
# - a run of spaces before a word cannot give back a space the word would start with: `\s*` followed
#   by something that never starts with a space and never matches empty is made possessive (`\s*+`),
#   so a failing word is not tried again after every shorter run.

_CATEGORIES: Final = {
    _c.CATEGORY_DIGIT: r"\d",
    _c.CATEGORY_NOT_DIGIT: r"\D",
    _c.CATEGORY_SPACE: r"\s",
    _c.CATEGORY_NOT_SPACE: r"\S",
    _c.CATEGORY_WORD: r"\w",
    _c.CATEGORY_NOT_WORD: r"\W",
}


def _class_char(code: int) -> str:
    ch = chr(code)
    return "\\" + ch if ch in "\\]^-[" else ch


_bmp: tuple[dict[int, list[int]], str] | None = None


def _bmp_tables() -> tuple[dict[int, list[int]], str]:
    """Code point -> the other code points `re` lower-cases to it, and every character of the BMP as one string.

    Only the Basic Multilingual Plane is scanned (all of Unicode costs a fifth of a second): no character
    above it lower-cases into it or is a space, which `tests/test_text.py` checks over every code point.
    """
    global _bmp
    if _bmp is None:
        preimages: dict[int, list[int]] = {}
        for code, low in enumerate(map(_sre.unicode_tolower, range(_BMP))):
            if low != code:
                preimages.setdefault(low, []).append(code)
        _bmp = preimages, "".join(map(chr, range(_BMP)))
    return _bmp


@cache
def _ignorecase_class(code: int) -> list[int]:
    """The characters the literal `chr(code)` matches under re.IGNORECASE, as `re` compiles it (unicode)."""
    if not _sre.unicode_iscased(code):
        return [code]
    low = _sre.unicode_tolower(code)
    targets = (low, *_EXTRA_CASES.get(low, ()))
    if max(targets) >= _BMP:
        raise NotImplementedError("case-insensitive literal outside the Basic Multilingual Plane")
    preimages = _bmp_tables()[0]
    return sorted({c for t in targets for c in (t, *preimages.get(t, ()))})


class _Piece(NamedTuple):
    """Source of a piece of a mirror, with what `_mirror` needs to know to rewrite what surrounds it."""

    source: str
    first: tuple[_Piece, ...]  # one-character pieces: the piece starts with a character one of them matches
    nullable: bool  # the piece can match the empty string
    chars: str | None = None  # a one-character piece whose characters are known: all of them
    repeats: _Piece | None = None  # a greedy repeat of a one-character piece: that piece
    single: bool = False  # matches exactly one character


def _char_piece(source: str, chars: str | None = None) -> _Piece:
    piece = _Piece(source, (), False, chars, single=True)
    return piece._replace(first=(piece,))


def _literal_piece(code: int, ignorecase: bool) -> _Piece:
    codes = _ignorecase_class(code) if ignorecase else [code]
    source = re.escape(chr(codes[0])) if len(codes) == 1 else "[" + "".join(map(_class_char, codes)) + "]"
    return _char_piece(source, "".join(map(chr, codes)))


def _class_piece(items: list[tuple[Any, Any]], ignorecase: bool) -> _Piece:
    """A character class; with `ignorecase`, under IGNORECASE again (in a scoped group)."""
    parts = []
    for kind, value in items:
        if kind is _c.NEGATE:
            parts.append("^")
        elif kind is _c.LITERAL:
            parts.append(_class_char(value))
        elif kind is _c.RANGE:
            parts.append(_class_char(value[0]) + "-" + _class_char(value[1]))
        elif kind is _c.CATEGORY:
            parts.append(_CATEGORIES[value])
        else:
            raise NotImplementedError(f"class item {kind}")
    source = "[" + "".join(parts) + "]"
    if ignorecase:
        source = "(?i:" + source + ")"
    chars = None
    if all(
        (kind is _c.LITERAL and value < _BMP) or (kind is _c.CATEGORY and value is _c.CATEGORY_SPACE)
        for kind, value in items
    ):
        chars = _class_chars(source)
    return _char_piece(source, chars)


@cache
def _class_chars(source: str) -> str:
    """Every character the class `source` matches, given it lists characters and ranges of the BMP, and spaces."""
    return "".join(re.findall(source, _bmp_tables()[1]))


def _sequence(pieces: list[_Piece]) -> _Piece:
    """Pieces one after the other, a repeated character made possessive where nothing can be given back."""
    if len(pieces) == 1:
        return pieces[0]
    sources = []
    for i, piece in enumerate(pieces):
        source = piece.source
        if piece.repeats is not None and i + 1 < len(pieces):
            rest = _concat(pieces[i + 1 :])
            if not rest.nullable and _disjoint(piece.repeats, rest.first):
                source += "+"
        sources.append(source)
    whole = _concat(pieces)
    return whole._replace(source="".join(sources))


def _concat(pieces: list[_Piece]) -> _Piece:
    """What starts and what can be empty in the pieces one after the other (source: plain concatenation)."""
    first: list[_Piece] = []
    nullable = True
    for piece in pieces:
        first.extend(piece.first)
        if not piece.nullable:
            nullable = False
            break
    return _Piece("".join(p.source for p in pieces), tuple(dict.fromkeys(first)), nullable)


def _disjoint(repeated: _Piece, first: tuple[_Piece, ...]) -> bool:
    """No character the repeat of `repeated` takes can start what follows it (`first`), as far as known."""
    if not first:
        return False
    if repeated.chars is not None:
        starts = re.compile("|".join(piece.source for piece in first))
        return not any(starts.fullmatch(ch) for ch in repeated.chars)
    first_chars = [piece.chars for piece in first]
    if all(chars is not None for chars in first_chars):
        taken = re.compile(repeated.source)
        return not any(taken.fullmatch(ch) for chars in first_chars for ch in chars or "")
    return False


def _repeat_piece(op: int, lo: int, hi: int, sub: _Piece) -> _Piece:
    bounds = f"{{{lo},{'' if hi == _c.MAXREPEAT else hi}}}"
    lazy = op is _c.MIN_REPEAT
    source = "(?:" + sub.source + ")" + bounds + ("?" if lazy else "")
    repeats = sub if sub.single and not lazy else None  # a candidate for `_sequence` to make possessive
    return _Piece(source, sub.first, lo == 0 or sub.nullable, repeats=repeats)


def _alternatives(branches: list[list[_Piece]]) -> _Piece:
    """`(?:a|b|...)`, the branches sharing a first piece merged into one that tests it once."""
    groups: dict[str, list[list[_Piece]]] = {}
    for branch in branches:
        groups.setdefault(branch[0].source if branch else "", []).append(branch)
    merged: list[_Piece] = []
    for key, group in groups.items():
        if not key or len(group) == 1:
            merged.extend(_sequence(branch) for branch in group)
        else:
            merged.append(_sequence([group[0][0], _alternatives([branch[1:] for branch in group])]))
    merged.sort(key=lambda piece: piece.source == "")  # an empty alternative last, like the engine tries it
    if len(merged) == 1:
        return merged[0]
    first = tuple(dict.fromkeys(s for piece in merged for s in piece.first))
    source = "(?:" + "|".join(piece.source for piece in merged) + ")"
    return _Piece(source, first, any(piece.nullable for piece in merged))


def _rewrite_pieces(items: list[tuple[Any, Any]], ignorecase: bool, backwards: bool) -> list[_Piece]:
    """The sequence `items` (parsed regex), piece by piece, rewritten to fail fast; read `backwards`: its mirror
    image. Capturing groups become plain ones: the rewrite is asked whether it matches, never for a group."""
    out = []
    for op, av in items[::-1] if backwards else items:  # (not `reversed`: mypyc 2.4 fails on it here)
        if op is _c.LITERAL:
            out.append(_literal_piece(av, ignorecase))
        elif op is _c.NOT_LITERAL:
            out.append(_class_piece([(_c.NEGATE, None), (_c.LITERAL, av)], ignorecase))
        elif op is _c.ANY:
            out.append(_char_piece("."))
        elif op is _c.IN:
            out.append(_class_piece(av, ignorecase))
        elif op is _c.BRANCH:
            out.append(_alternatives([_rewrite_pieces(branch.data, ignorecase, backwards) for branch in av[1]]))
        elif op is _c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise NotImplementedError("inline flags in a group")
            out.append(_sequence(_rewrite_pieces(sub.data, ignorecase, backwards)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            lo, hi, sub = av
            out.append(_repeat_piece(op, lo, hi, _sequence(_rewrite_pieces(sub.data, ignorecase, backwards))))
        elif op is _c.AT and av in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING):
            # backwards, the start of the text is the end of the reversed text
            out.append(_Piece(r"\Z" if backwards else "^" if av is _c.AT_BEGINNING else r"\A", (), True))
        elif op is _c.AT and av is _c.AT_END_STRING:
            out.append(_Piece(r"\A" if backwards else r"\Z", (), True))
        elif op is _c.AT and av is _c.AT_END and not backwards:
            out.append(_Piece("$", (), True))
        elif op is _c.AT and av in (_c.AT_BOUNDARY, _c.AT_NON_BOUNDARY):
            out.append(_Piece(r"\b" if av is _c.AT_BOUNDARY else r"\B", (), True))
        else:
            raise NotImplementedError(f"{op} {av}")
    return out


def _mirror(items: list[tuple[Any, Any]], ignorecase: bool = False) -> str:
    """Source of a pattern matching at the start of a text exactly when `items` (parsed regex) match its reversal.

    With `ignorecase`, the source is to be compiled without re.IGNORECASE (it is spelled out).
    """
    return _sequence(_rewrite_pieces(items, ignorecase, backwards=True)).source


def _fast_form(items: list[tuple[Any, Any]], ignorecase: bool = False) -> str:
    """Source of a pattern matching exactly where `items` (parsed regex) match, rewritten as `_mirror` rewrites
    (IGNORECASE spelled out, shared first pieces merged, runs made possessive) but not reversed."""
    return _sequence(_rewrite_pieces(items, ignorecase, backwards=False)).source


class EndPattern:
    """A pattern ending in `$`, searched as its mirror image matched at the start of the reversed text.

    `search(s)` is true exactly when `re.search(pattern, s, flags)` finds a match: a match of the
    pattern ending at the end of `s` is a match of the mirror starting at the start of `s[::-1]`
    (`$` may also match before a final newline, hence the optional newline in front of the mirror).
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)
        self._items = list(_parser.parse(pattern, flags).data)
        if not self._items or self._items[-1] != (_c.AT, _c.AT_END) or self.pattern.flags & re.MULTILINE:
            raise ValueError(f"not anchored at the end of the text: {pattern!r}")
        flags = self.pattern.flags
        self._spell_out = bool(flags & re.IGNORECASE) and not flags & (re.ASCII | re.LOCALE)  # as `re` compiles unicode
        self.mirror_flags = flags & ~re.IGNORECASE if self._spell_out else flags
        self._mirror_source: str | None = None
        self._mirror_rx: re.Pattern[str] | None = None
        self._filter: tuple[str, frozenset[str] | None] | None = None  # `_last_chars`
        self.heads: tuple[int, frozenset[str] | None] = (0, None)  # `_heads` of what follows that run, reversed

    # The mirror is written and compiled on first use, not at import: its rewrites scan tables of the
    # Basic Multilingual Plane, and a rule asked only within `EndRules` never needs its own compiled mirror.
    # (Cached by hand: under mypyc a `functools.cached_property` computes on every read.)

    @property
    def mirror_source(self) -> str:
        source = self._mirror_source
        if source is None:
            source = self._mirror_source = r"\n?" + _mirror(self._items[:-1], self._spell_out)
        return source

    @property
    def _mirror(self) -> re.Pattern[str]:
        rx = self._mirror_rx
        if rx is None:
            rx = self._mirror_rx = re.compile(self.mirror_source, self.mirror_flags)
        return rx

    def _last_chars(self) -> tuple[str, frozenset[str] | None]:
        """(what a match may read last: a run of these characters, a line break; every character it can end
        with before that), or None for the second where that is not known. Built on first use, as the mirror.

        The pattern is `A K* $` (`K`: a class or a character, often `\\s`; it may be absent): a match ends
        with `A`, then a run of `K`, then perhaps a line break. Where no character `A` can end with is in `K`
        or a line break, `A`'s last character is the first character of the reversed window that is neither.
        """
        found = self._filter
        if found is None:
            found = ("", None)
            flags = self.pattern.flags
            if not flags & (re.ASCII | re.LOCALE):  # spaces and cases as `str` sees them: unicode patterns only
                ignorecase = bool(flags & re.IGNORECASE)
                backwards = _reversed_items(self._items[:-1])  # without the final `$`
                run = _leading_run(backwards, ignorecase)
                if run is not None:
                    backwards = backwards[1:]
                skip = "".join(sorted(set(("" if run is None else run[0]) + "\n")))
                chars, empty = _first_chars(backwards, ignorecase)
                if chars is not None and not empty and chars.isdisjoint(skip):
                    found = (skip, chars)
                    self.heads = _heads(backwards, ignorecase)  # read by callers once `_last_chars` has run
            self._filter = found
        return found

    def search(self, text: str) -> bool:
        return self.search_reversed(text[::-1])

    def search_reversed(self, reversed_text: str, width: int = 1 << 30) -> bool:
        """`search(s[-width:])` given `s[::-1]`: one reversal shared by the many rules asked about one window.

        Where the character a match must end with (`_last_chars`) is not there, or not the last two or three
        characters one must end with (`heads`), the answer is no and the regex engine is not asked: for most
        numbers, most rules fail at those characters.
        """
        window = _window(reversed_text, width)
        skip, chars = self._last_chars()
        if chars is not None:
            p = _skip_run(window, skip)
            if p == len(window) or window[p] not in chars:
                return False
            k, heads = self.heads
            if heads is not None and window[p : p + k] not in heads:
                return False
        return self._mirror.match(window) is not None


def _skip_run(window: str, skip: str) -> int:
    """Where the leading run of characters of `skip` ends in `window` (`len(window) - len(window.lstrip(skip))`):
    a loop over the few characters of the run, where `lstrip` first reads `skip` into a table."""
    p, n = 0, len(window)
    while p < n and window[p] in skip:
        p += 1
    return p


def _window(reversed_text: str, width: int) -> str:
    """The first `width` characters: what the engine reads with `endpos=width`."""
    return reversed_text if width >= len(reversed_text) else reversed_text[: max(width, 0)]


def _listed_in_plane(items: list[tuple[Any, Any]]) -> bool:
    """A class (parsed) of characters and ranges of the Basic Multilingual Plane, and `\\s`, not negated:
    one whose every character `_class_chars` can list."""
    for kind, value in items:
        if kind is _c.NEGATE or (kind is _c.CATEGORY and value is not _c.CATEGORY_SPACE):
            return False
        if (kind is _c.RANGE and value[1] >= _BMP) or (kind is _c.LITERAL and value >= _BMP):
            return False
    return True


def _reversed_items(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The parsed sequence `items` read backwards, groups, branches and repeats included (for `_first_chars`:
    the characters a match of `items` can end with). Assertions are kept as they are: `_first_chars` skips them.
    """
    out: list[tuple[Any, Any]] = []
    for op, av in items[::-1]:
        if op is _c.BRANCH:
            av = (av[0], [_parser.SubPattern(b.state, _reversed_items(list(b.data))) for b in av[1]])
        elif op is _c.SUBPATTERN:
            av = (*av[:3], _parser.SubPattern(av[3].state, _reversed_items(list(av[3].data))))
        elif op is _c.ATOMIC_GROUP:
            av = _parser.SubPattern(av.state, _reversed_items(list(av.data)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            av = (av[0], av[1], _parser.SubPattern(av[2].state, _reversed_items(list(av[2].data))))
        out.append((op, av))
    return out


class EndRules:
    """Several `EndPattern`s asked about the same window, most of them answered without the regex engine.

    Rules are grouped by the run of characters they may end with (mostly spaces); one strip of that run
    gives the character each rule of the group must end with (`EndPattern._last_chars`), and one look-up
    of it the rules that may hold. Those whose last characters (`EndPattern.heads`) are there too are
    matched; the rest are false.
    """

    def __init__(self, rules: Iterable[EndPattern]) -> None:
        self._rules = list(rules)
        self._no: tuple[bool, ...] = (False,) * len(self._rules)
        # (run to strip, last character -> the rules that may hold), and the rules with no filter, built on first use
        self._lookup: tuple[list[tuple[str, dict[str, list[int]]]], list[int]] | None = None

    def _by_last_char(self) -> tuple[list[tuple[str, dict[str, list[int]]]], list[int]]:
        found = self._lookup
        if found is None:
            groups: dict[str, dict[str, list[int]]] = {}
            always: list[int] = []
            for i, rule in enumerate(self._rules):
                skip, chars = rule._last_chars()
                if chars is None:
                    always.append(i)
                    continue
                table = groups.setdefault(skip, {})
                for ch in sorted(chars):
                    table.setdefault(ch, []).append(i)
            found = self._lookup = (list(groups.items()), always)
        return found

    def search_reversed(self, reversed_text: str, width: int = 1 << 30) -> tuple[bool, ...]:
        """For each rule in order, `rule.search_reversed(reversed_text, width)`."""
        groups, always = self._by_last_char()
        window = _window(reversed_text, width)
        rules = self._rules
        answers: list[bool] | None = None  # made where a rule holds: mostly none does
        for skip, by_char in groups:
            p = _skip_run(window, skip)
            if p == len(window):
                continue
            candidates = by_char.get(window[p])
            if candidates is None:
                continue
            for i in candidates:
                k, heads = rules[i].heads
                if (heads is None or window[p : p + k] in heads) and rules[i]._mirror.match(window) is not None:
                    if answers is None:
                        answers = list(self._no)
                    answers[i] = True
        for i in always:
            if rules[i]._mirror.match(window) is not None:
                if answers is None:
                    answers = list(self._no)
                answers[i] = True
        return self._no if answers is None else tuple(answers)


# ---- patterns anchored at the start --------------------------------------------------------
# "Does the text just after this number start with one of these words?" is asked by patterns like
# `^\s*(?:giờ|phút|...)\b`, many times per article, and mostly the answer is no at the first character
# after the spaces. A call into the regex engine costs as much as a short match; a look at that one
# character costs far less. `StartPattern` knows, from the parsed pattern, every character a match can
# start with (after the spaces it may read first), and calls the engine only where one of them stands.


def _first_chars(items: list[tuple[Any, Any]], ignorecase: bool) -> tuple[frozenset[str] | None, bool]:
    """(every character a match of the parsed sequence `items` can start with, whether it can match empty).

    None where that is not known (a negated class, `.`, `\\w`, a back-reference ...): no filter then.
    Zero-width assertions restrict nothing here, so they count as empty: the set stays a superset.
    """
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            codes = _ignorecase_class(av) if ignorecase else [av]
            chars.update(map(chr, codes))
            return frozenset(chars), False
        if op is _c.IN:
            if not _listed_in_plane(av):
                return None, False
            chars.update(_class_chars(_class_piece(av, ignorecase).source))  # the class, tried on every character
            return frozenset(chars), False
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue
        if op is _c.BRANCH:
            nullable = False
            for branch in av[1]:
                found, empty = _first_chars(branch.data, ignorecase)
                if found is None:
                    return None, False
                chars.update(found)
                nullable = nullable or empty
            if not nullable:
                return frozenset(chars), False
            continue
        if op in (_c.SUBPATTERN, _c.ATOMIC_GROUP):
            sub = av if op is _c.ATOMIC_GROUP else av[3]
            if op is _c.SUBPATTERN and (av[1] or av[2]):  # inline flags
                return None, False
            found, empty = _first_chars(sub.data, ignorecase)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            lo, _hi, sub = av
            found, empty = _first_chars(sub.data, ignorecase)
            empty = empty or lo == 0
        else:
            return None, False
        if found is None:
            return None, False
        chars.update(found)
        if not empty:
            return frozenset(chars), False
    return frozenset(chars), True


_HEAD_LIMIT: Final = 4096  # more strings than this: no filter on them (a set that large filters little)


def _heads(items: list[tuple[Any, Any]], ignorecase: bool) -> tuple[int, frozenset[str] | None]:
    """(k, every string of k characters a match of the parsed sequence `items` starts with), for k = 3, else 2:
    a finer filter than its first character, for rules whose words mostly share their first letter with
    the text ("t" of "tin", "theo", "trong"). (0, None) where no such set is known: a match may be shorter,
    reads a character `_class_chars` cannot list, or the set would be too large.
    """
    for k in (3, 2):
        found = _starts_of(items, ignorecase, k, {""})
        if found is not None and all(len(head) == k for head in found):
            return k, frozenset(found)
    return 0, None


def _starts_of(items: list[tuple[Any, Any]], ignorecase: bool, k: int, partial: set[str]) -> set[str] | None:
    """The strings of `partial` continued by what a match of `items` reads, each up to `k` characters (None:
    not known). Zero-width items restrict nothing here: the set stays a superset of what can match."""
    current = partial
    for op, av in items:
        if all(len(head) >= k for head in current):
            break
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue
        if op is _c.LITERAL or op is _c.IN:
            if op is _c.IN and not _listed_in_plane(av):
                return None
            chars = (
                "".join(map(chr, _ignorecase_class(av) if ignorecase else [av]))
                if op is _c.LITERAL
                else _class_chars(_class_piece(av, ignorecase).source)
            )
            grown: set[str] = set()
            for head in current:
                if len(head) >= k:
                    grown.add(head)
                else:
                    grown.update(head + ch for ch in chars)
            current = grown
        elif op is _c.BRANCH:
            joined: set[str] = set()
            for branch in av[1]:
                found = _starts_of(list(branch.data), ignorecase, k, current)
                if found is None:
                    return None
                joined |= found
            current = joined
        elif op is _c.SUBPATTERN or op is _c.ATOMIC_GROUP:
            if op is _c.SUBPATTERN and (av[1] or av[2]):  # inline flags
                return None
            found = _starts_of(list((av if op is _c.ATOMIC_GROUP else av[3]).data), ignorecase, k, current)
            if found is None:
                return None
            current = found
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            least, most, sub = av
            if _first_chars(list(sub.data), ignorecase)[1]:  # a repeat of what may match empty: not followed
                return None
            repeated: set[str] = set()
            count, reps = 0, current
            while True:  # each repeat reads a character at least: after k of them every string is complete
                done = all(len(head) >= k for head in reps)
                if count >= least or done:
                    repeated |= reps
                if count == most or done:
                    break
                found = _starts_of(list(sub.data), ignorecase, k, reps)
                if found is None:
                    return None
                count, reps = count + 1, found
            current = repeated
        else:
            return None
        if len(current) > _HEAD_LIMIT:
            return None
    return current


# `endpos` when none is given: past the end of any text, and within the integers mypyc keeps unboxed (a
# `1 << 62` would be boxed, and each comparison with it would take the slow path)
_TEXT_END: Final = 1 << 60


class StartPattern:
    """A pattern tried at one offset (`match`), with no call into the regex engine where it cannot match there.

    `match(text, pos, endpos)` is `re.compile(pattern, flags).match(text, pos, endpos)`. Where the pattern
    opens with a run of spaces (`\\s*`, `\\s+`, after any `^`) followed by something that cannot start with
    a space, a match needs one of that something's first characters right after the spaces; otherwise one of
    the pattern's own first characters at `pos`. Neither there: no match, and the engine is not asked. Nor
    is it where the first two or three characters there begin no match (`heads`).
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)
        self._filter: tuple[int, frozenset[str] | None] | None = None  # (spaces to skip first, -1: none; chars)
        self._fast: re.Pattern[str] | None = None  # `_fast_pattern`
        self._exact = False  # the filter answers in full: a run of spaces, then one character of a class
        self.heads: tuple[int, frozenset[str] | None] = (0, None)  # `_heads` of what follows the spaces

    def _fast_pattern(self) -> re.Pattern[str]:
        """The pattern as `_fast_form` writes it (the pattern itself where it cannot): the same yes or no, found
        with less work where IGNORECASE words are tried one after another. Built on first use, as the filter."""
        rx = self._fast
        if rx is None:
            flags = self.pattern.flags
            rx = self.pattern
            if not flags & (re.ASCII | re.LOCALE):  # cases as `re` compiles unicode patterns
                try:
                    items = list(_parser.parse(self.pattern.pattern, flags).data)
                    source = _fast_form(items, bool(flags & re.IGNORECASE))
                    rx = re.compile(source, flags & ~re.IGNORECASE)
                except NotImplementedError:  # lookarounds, possessive runs, inline flags: not rewritten
                    rx = self.pattern
            self._fast = rx
        return rx

    def _first(self) -> tuple[int, frozenset[str] | None]:
        """Built on first use, like the mirrors of `EndPattern`: it may scan the Basic Multilingual Plane."""
        found = self._filter
        if found is None:
            flags = self.pattern.flags
            found = (-1, None)
            if not flags & (re.ASCII | re.LOCALE):  # spaces and cases as `str` sees them: unicode patterns only
                ignorecase = bool(flags & re.IGNORECASE)
                parsed = list(_parser.parse(self.pattern.pattern, flags).data)
                items = parsed
                while items and items[0][0] is _c.AT and items[0][1] in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING):
                    items = items[1:]
                run = _leading_run(items, ignorecase)
                # a run of spaces only: skipped with `str.isspace`, cheaper than a look-up in a set of characters
                if run is not None and run[0] == _class_chars(r"[\s]"):
                    rest, empty = _first_chars(items[1:], ignorecase)
                    if rest is not None and not empty and rest.isdisjoint(run[0]):
                        found = (run[1], rest)
                        self.heads = _heads(items[1:], ignorecase)
                        # nothing but the run and one character (no `^` either: it fails after the text's start)
                        self._exact = len(items) == len(parsed) == 2 and items[1][0] in (_c.LITERAL, _c.IN)
                if found[1] is None:
                    chars, empty = _first_chars(items, ignorecase)
                    if chars is not None and not empty:
                        found = (-1, chars)
                        self.heads = _heads(items, ignorecase)
            self._filter = found
        return found

    def match(self, text: str, pos: int = 0, endpos: int = _TEXT_END) -> re.Match[str] | None:
        if not self.may_match(text, pos, endpos):
            return None
        return self.pattern.match(text, pos, endpos)

    def matches(self, text: str, pos: int = 0, endpos: int = _TEXT_END) -> bool:
        """`match(text, pos, endpos) is not None`, from the rewritten pattern (`_fast_pattern`)."""
        if not self.may_match(text, pos, endpos):
            return False
        return self._exact or self._fast_pattern().match(text, pos, endpos) is not None

    def may_match(self, text: str, pos: int = 0, endpos: int = _TEXT_END) -> bool:
        """False where the pattern cannot match at `pos`, told without the engine; True where it may."""
        spaces, chars = self._first()
        if chars is not None:
            end = endpos if endpos < len(text) else len(text)
            start = p = pos if pos > 0 else 0  # the engine reads a negative offset as 0
            if end < 0:
                end = 0
            if spaces >= 0:
                p = skip_spaces(text, p, end)
                if p - start < spaces:
                    return False
            if p >= end or text[p] not in chars:
                return False
            k, heads = self.heads
            if heads is not None and text[p : p + k if p + k < end else end] not in heads:
                return False
        return True


def _leading_run(items: list[tuple[Any, Any]], ignorecase: bool) -> tuple[str, int] | None:
    """(every character, the least count) of the greedy or possessive run of one class or character that
    opens the parsed sequence `items`: the `\\s*` that opens the "after the number" rules, or (read
    backwards) the `\\s*` before the `$` of the "before the number" ones. None where `items` opens otherwise,
    or where `_class_chars` cannot list the class.
    """
    if not items or items[0][0] not in (_c.MAX_REPEAT, _c.POSSESSIVE_REPEAT):
        return None
    least, _most, sub = items[0][1]
    data = list(sub.data)
    if len(data) != 1:
        return None
    op, av = data[0]
    if op is _c.IN and _listed_in_plane(av):
        return _class_chars(_class_piece(av, ignorecase).source), least
    if op is _c.LITERAL and av < _BMP:
        return "".join(map(chr, _ignorecase_class(av) if ignorecase else [av])), least
    return None
