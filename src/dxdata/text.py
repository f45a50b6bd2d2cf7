"""Text normalization shared by ingest and extraction.

Every character span in the dataset points into text normalized by
`normalize_text`, so it must be deterministic and applied exactly once, at ingest.
"""

from __future__ import annotations

import re
import unicodedata

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


def fold_accents(text: str) -> str:
    """Lower-case and strip diacritics ("Đà Nẵng" -> "da nang"), keeping one char per input char.

    Length-preserving on NFC text, so offsets in the folded text are offsets in the original.
    One `str.translate` over a precomputed table: this runs on every article.
    """
    return text.translate(_FOLD)
