"""Vietnamese text in the legacy 8-bit encodings TCVN3 (ABC) and VNI, and UTF-8 mojibake, read correctly.

Before Unicode, Vietnamese documents were typed in font-based encodings: **TCVN3** (TCVN 5712:1993, the
".Vn" fonts of the ABC keyboard), one byte per letter, and **VNI** (the "VNI-" fonts), where a toned
vowel is the base letter followed by a byte for its marks ("Vieät Nam"). Neither is a Python codec, and
both decode "cleanly" as Windows-1252/1258 into garbage ("ViÖt Nam", "Vieät Nam"). The two tables below
are the whole of what is needed, as data:

* `TCVN3_HIGH`: the character of each byte 0x80-0xFF (from TCVN 5712:1993 as glibc's iconv decodes it;
  bytes below 0x80 are ASCII, except the few capitals TCVN3 puts among the control codes, `TCVN3_LOW`);
* `VNI_LETTERS`: each Vietnamese letter and its VNI spelling in Windows-1252 characters.

`candidates(data)` gives each reading (cp1258, TCVN3, VNI) of a byte string; `reads_as_vietnamese` and
`mojibake_ratio` let the caller choose. UTF-8 mojibake (UTF-8 bytes decoded as Windows-1252 or Latin-1 and
saved as UTF-8 again, "Viá»‡t Nam") is repaired with ftfy (`repair_mojibake`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# ---------------------------------------------------------------------------------------------- TCVN3

TCVN3_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"  # 0x80
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"  # 0x90
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"  # 0xA0
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"  # 0xB0 (five combining tone marks first)
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"  # 0xC0
    "éẹềểễếệìỉỄẾỒĩíịò"  # 0xD0
    "Ổỏõóọồổỗốộờởỡớợù"  # 0xE0
    "ỖủũúụừửữứựỳỷỹýỵỐ"  # 0xF0
)
TCVN3_LOW = {0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ", 0x12: "Ự",
             0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ"}  # fmt: skip
assert len(TCVN3_HIGH) == 128

_TCVN3_TABLE = "".join(TCVN3_LOW.get(b, chr(b)) for b in range(128)) + TCVN3_HIGH


def decode_tcvn3(data: bytes) -> str:
    """TCVN3 bytes as NFC text (every byte maps to one character)."""
    return unicodedata.normalize("NFC", data.decode("latin-1").translate(_TCVN3_TABLE_MAP))


_TCVN3_TABLE_MAP = {b: ch for b, ch in enumerate(_TCVN3_TABLE) if chr(b) != ch}

# ---------------------------------------------------------------------------------------------- VNI

# Each vowel with its tones in the order: none, sắc, huyền, hỏi, ngã, nặng; then the VNI byte of each tone
# (and of the circumflex, breve and horn combinations), as Windows-1252 characters.
_VOWELS = {
    # letter row: the six toned forms, and their VNI spellings
    "a": ("aáàảãạ", ["a", "aù", "aø", "aû", "aõ", "aï"]),
    "â": ("âấầẩẫậ", ["aâ", "aá", "aà", "aå", "aã", "aä"]),
    "ă": ("ăắằẳẵặ", ["aê", "aé", "aè", "aú", "aü", "aë"]),
    "e": ("eéèẻẽẹ", ["e", "eù", "eø", "eû", "eõ", "eï"]),
    "ê": ("êếềểễệ", ["eâ", "eá", "eà", "eå", "eã", "eä"]),
    "i": ("iíìỉĩị", ["i", "í", "ì", "æ", "ó", "ò"]),
    "o": ("oóòỏõọ", ["o", "où", "oø", "oû", "oõ", "oï"]),
    "ô": ("ôốồổỗộ", ["oâ", "oá", "oà", "oå", "oã", "oä"]),
    "ơ": ("ơớờởỡợ", ["ô", "ôù", "ôø", "ôû", "ôõ", "ôï"]),
    "u": ("uúùủũụ", ["u", "uù", "uø", "uû", "uõ", "uï"]),
    "ư": ("ưứừửữự", ["ö", "öù", "öø", "öû", "öõ", "öï"]),
    "y": ("yýỳỷỹỵ", ["y", "yù", "yø", "yû", "yõ", "î"]),
}
VNI_LETTERS: dict[str, str] = {"đ": "ñ", "Đ": "Ñ"}
for _forms, _spellings in _VOWELS.values():
    for _letter, _spelling in zip(_forms, _spellings, strict=True):
        if _letter != _spelling:
            VNI_LETTERS[_letter] = _spelling
            VNI_LETTERS[_letter.upper()] = _spelling.upper()

_FROM_VNI = {spelling: letter for letter, spelling in VNI_LETTERS.items()}
# two-character spellings first (a base letter and its mark byte), then the one-character ones
_VNI_RE = re.compile("|".join(re.escape(s) for s in sorted(_FROM_VNI, key=len, reverse=True)))


def decode_vni(data: bytes) -> str:
    """VNI bytes (read as Windows-1252) as NFC text."""
    text = data.decode("cp1252", errors="replace") if _cp1252_ok(data) else data.decode("latin-1")
    return unicodedata.normalize("NFC", _VNI_RE.sub(lambda m: _FROM_VNI[m.group()], text))


def _cp1252_ok(data: bytes) -> bool:
    return not any(b in data for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D))


# ---------------------------------------------------------------------------------------------- judging

_VIET_ONLY = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
# Characters that turn up by the dozen when Vietnamese is read in the wrong 8-bit encoding, and almost
# never in text: Latin-1 symbols, and letters no Vietnamese (or French, German ...) word has next to them.
_MOJIBAKE = re.compile(r"[\u0080-\u009f¡¢£¤¥¦§¨ª¬¯±²³´µ¶¸¹º¼½¾¿×÷]|[A-Za-z][ÆæØøÅåÞþÐ]")


def vietnamese_share(text: str) -> float:
    """Share of letters only Vietnamese uses: about 0.2-0.3 for Vietnamese text, 0 for English."""
    letters = sum(1 for ch in text if ch.isalpha())
    return len(_VIET_ONLY.findall(text)) / letters if letters else 0.0


def mojibake_ratio(text: str) -> float:
    """Characters typical of a wrong decoding, per letter."""
    letters = sum(1 for ch in text if ch.isalpha()) or 1
    return len(_MOJIBAKE.findall(text)) / letters


_TONES = "\u0300\u0301\u0303\u0309\u0323"
_TONED = frozenset(
    ch for ch in map(chr, range(0xC0, 0x1EFA)) if any(m in unicodedata.normalize("NFD", ch) for m in _TONES)
)
_WORD = re.compile(r"[^\W\d_]+")


def bad_syllable_share(text: str) -> float:
    """Share of words with a non-ASCII letter that carry two or more tone marks: a Vietnamese syllable has at
    most one, so a wrong decoding that happens to give Vietnamese letters still shows here."""
    words = bad = 0
    for word in _WORD.findall(text[:100_000]):
        if word.isascii():
            continue
        words += 1
        if sum(ch in _TONED for ch in word) > 1:
            bad += 1
    return bad / words if words else 0.0


def reads_as_vietnamese(text: str) -> bool:
    return vietnamese_share(text) >= 0.05 and mojibake_ratio(text) < 0.005 and bad_syllable_share(text) < 0.03


def candidates(data: bytes) -> Iterator[tuple[str, str]]:
    """(encoding name, NFC text) for each legacy reading of the bytes that decodes at all."""
    try:
        cp1258 = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        cp1258 = None
    if cp1258 is not None:
        yield "cp1258", cp1258
    yield "tcvn3", decode_tcvn3(data)
    yield "vni", decode_vni(data)


def best_legacy(data: bytes) -> tuple[str, str] | None:
    """The reading (encoding, text) that reads most like Vietnamese, if one does."""
    scored = [
        (vietnamese_share(text) - 5 * mojibake_ratio(text) - _orphan_ratio(text), name, text)
        for name, text in candidates(data)
    ]
    scored = [s for s in scored if reads_as_vietnamese(s[2]) and _orphan_ratio(s[2]) <= 0.01]
    if not scored:
        return None
    _, name, text = max(scored, key=lambda s: s[0])
    return name, text


_ORPHAN = re.compile(r"[\u0300\u0301\u0303\u0309\u0323]")


def _orphan_ratio(text: str) -> float:
    letters = sum(1 for ch in text if ch.isalpha()) or 1
    return len(_ORPHAN.findall(text)) / letters


# ---------------------------------------------------------------------------------------------- mojibake

# A UTF-8 lead byte read as Windows-1252/Latin-1, then a continuation byte read the same way.
_UTF8_MOJIBAKE = re.compile(
    "[\u00c2-\u00c6\u00e1\u00e2\u00e3\u00e4\u00e5\u00e6\u00c3]"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e"
    "\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def repair_mojibake(text: str) -> str | None:
    """The text with UTF-8 mojibake undone (ftfy), when it has some and the result reads better; else None."""
    if len(_UTF8_MOJIBAKE.findall(text[:100_000])) < 3:
        return None
    import ftfy

    fixed = ftfy.fix_encoding(text)
    if fixed == text:
        return None
    fixed = unicodedata.normalize("NFC", fixed)
    if vietnamese_share(fixed) <= vietnamese_share(text) and mojibake_ratio(fixed) >= mojibake_ratio(text):
        return None
    return fixed
