"""Text normalization shared by ingest and extraction.

Every character span in the dataset points into text normalized by
`normalize_text`, so it must be deterministic and applied exactly once, at ingest.
"""

from __future__ import annotations

import re
import re._constants as _c  # the parsed form of a pattern, to build its mirror image (EndPattern)
import re._parser as _parser
import unicodedata
from collections.abc import Iterable, Iterator

import ahocorasick
import numpy as np

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_MANY_NEWLINES = re.compile(r"\n{3,}")

# Old-style tone placement ("hoà") -> the form NFC text from most Vietnamese sites uses ("hòa").
_TONE_FIXES = {
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
_TONE_RE = re.compile("|".join(sorted(_TONE_FIXES, key=len, reverse=True)), re.IGNORECASE)


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


_FOLD = _fold_table()

# `str.translate` looks every character up in a dict, one Python object per character. A lookup
# table indexed by code point does the same on an array of the text's UTF-32 code units, in C:
# any text within the Basic Multilingual Plane (all Vietnamese news) goes that way; any other
# text falls back to `str.translate`.
_BMP = 0x10000
_FOLD_TABLE = np.arange(_BMP, dtype=np.uint32)
for _code, _folded in _FOLD.items():
    _FOLD_TABLE[_code] = ord(_folded)
# what `\d` matches (Unicode decimal digits), by code point
_IS_DIGIT = np.fromiter((chr(c).isdecimal() for c in range(_BMP)), dtype=bool, count=_BMP)


def _code_points(text: str) -> np.ndarray | None:
    """The text's code points as an array, or None when one lies outside the tables (or is a lone surrogate)."""
    try:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return None
    if codes.size and int(codes.max()) >= _BMP:
        return None
    return codes


def fold_accents(text: str) -> str:
    """Lower-case and strip diacritics ("Đà Nẵng" -> "da nang"), keeping one char per input char.

    Length-preserving on NFC text, so offsets in the folded text are offsets in the original.
    `text.translate(_FOLD)`, done by a table lookup over the code points when it can: this runs on
    every article.
    """
    codes = _code_points(text)
    if codes is None:
        return text.translate(_FOLD)
    return _FOLD_TABLE[codes].tobytes().decode("utf-32-le")


# ---- fast scanning -------------------------------------------------------------------------
# A regex scan (`finditer`) pays for every position of the text even when the pattern can start at
# only a few (a digit, a keyword). `Anchors` finds those few positions in one Aho-Corasick pass and
# `finditer_at` tries the pattern there only: the same matches, many times faster on an article.

_DIGIT_RUN = re.compile(r"\d+")


def digit_runs(text: str) -> list[tuple[int, int]]:
    """The spans of the runs of decimal digits (what `\\d+` matches), in order.

    Found from a table of the code points that are digits: a regex scan pays a Unicode lookup per character.
    """
    codes = _code_points(text)
    if codes is None:
        return [m.span() for m in _DIGIT_RUN.finditer(text)]
    digit = _IS_DIGIT[codes]
    edges = (np.flatnonzero(digit[1:] != digit[:-1]) + 1).tolist()  # where a run starts or ends, alternately
    if digit.size and digit[0]:
        edges.insert(0, 0)
    if digit.size and digit[-1]:
        edges.append(len(digit))
    return list(zip(edges[::2], edges[1::2], strict=True))


class Anchors:
    """Start offsets of many fixed strings in a text, found in one Aho-Corasick pass."""

    def __init__(self, literals: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        self._keys = list(dict.fromkeys(literals))
        for i, lit in enumerate(self._keys):
            self._automaton.add_word(lit, (i, len(lit)))
        self._automaton.make_automaton()

    def find(self, text: str) -> dict[str, list[int]]:
        """Literal -> ascending start offsets of its every occurrence, overlapping ones included."""
        lists: list[list[int]] = [[] for _ in self._keys]
        for end, (i, length) in self._automaton.iter(text):
            lists[i].append(end - length + 1)
        return dict(zip(self._keys, lists, strict=True))  # one length per literal: by end is by start


def merge_starts(found: dict[str, list[int]], keys: Iterable[str]) -> list[int]:
    """The ascending, distinct offsets listed under any of `keys`."""
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

_CATEGORIES = {
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


def _mirror(items: list[tuple]) -> str:
    """Source of a pattern matching exactly the reversed strings of the sequence `items` (parsed regex)."""
    out = []
    for op, av in reversed(items):
        if op is _c.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is _c.NOT_LITERAL:
            out.append("[^" + _class_char(av) + "]")
        elif op is _c.ANY:
            out.append(".")
        elif op is _c.IN:
            parts = []
            for kind, value in av:
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
            out.append("[" + "".join(parts) + "]")
        elif op is _c.BRANCH:
            out.append("(?:" + "|".join(_mirror(branch.data) for branch in av[1]) + ")")
        elif op is _c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise NotImplementedError("inline flags in a group")
            out.append("(?:" + _mirror(sub.data) + ")")
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            lo, hi, sub = av
            bounds = f"{{{lo},{'' if hi == _c.MAXREPEAT else hi}}}"
            out.append("(?:" + _mirror(sub.data) + ")" + bounds + ("?" if op is _c.MIN_REPEAT else ""))
        elif op is _c.AT and av in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING):
            out.append(r"\Z")  # the start of the text is the end of the reversed text
        elif op is _c.AT and av is _c.AT_END_STRING:
            out.append(r"\A")
        elif op is _c.AT and av in (_c.AT_BOUNDARY, _c.AT_NON_BOUNDARY):
            out.append(r"\b" if av is _c.AT_BOUNDARY else r"\B")
        else:
            raise NotImplementedError(f"{op} {av}")
    return "".join(out)


class EndPattern:
    """A pattern ending in `$`, searched as its mirror image matched at the start of the reversed text.

    `search(s)` is true exactly when `re.search(pattern, s, flags)` finds a match: a match of the
    pattern ending at the end of `s` is a match of the mirror starting at the start of `s[::-1]`
    (`$` may also match before a final newline, hence the optional newline in front of the mirror).
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)
        items = list(_parser.parse(pattern, flags).data)
        if not items or items[-1] != (_c.AT, _c.AT_END) or self.pattern.flags & re.MULTILINE:
            raise ValueError(f"not anchored at the end of the text: {pattern!r}")
        self._mirror = re.compile(r"\n?" + _mirror(items[:-1]), self.pattern.flags)

    def search(self, text: str) -> bool:
        return self._mirror.match(text[::-1]) is not None

    def search_reversed(self, reversed_text: str, width: int = 1 << 30) -> bool:
        """`search(s[-width:])` given `s[::-1]`: one reversal shared by the many rules asked about one window."""
        return self._mirror.match(reversed_text, 0, width) is not None
