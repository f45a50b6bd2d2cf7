"""Vietnamese in TCVN3 (ABC) and VNI, and UTF-8 mojibake, read as the text it is (issue 14, point 11);
what still does not read as text is rejected as undecodable. Real files of the seed articles."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from dxdata.ingest import IngestError, decode_bytes, read_article
from dxdata.ingest.legacy_encodings import TCVN3_HIGH, TCVN3_LOW, VNI_LETTERS
from dxdata.text import normalize_text
from test_ingest import to_cp1258

SEEDS = sorted((Path(__file__).resolve().parents[1] / "data" / "raw").glob("*.txt"))
_TO_TCVN3 = {ch: bytes([0x80 + i]) for i, ch in enumerate(TCVN3_HIGH) if ch.isalpha()}
_TO_TCVN3.update({ch: bytes([b]) for b, ch in TCVN3_LOW.items()})


def seed_text(path: Path) -> str:
    """The seed's text with the few characters TCVN3 cannot write made plain (so all three can hold it)."""
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    text = text.replace("\u00a0", " ").replace("…", "...").replace("–", "-").replace("“", '"').replace("”", '"')
    return "".join(ch for ch in text if ord(ch) < 128 or ch in _TO_TCVN3)


def to_tcvn3(text: str) -> bytes:
    return b"".join(_TO_TCVN3.get(ch) or ch.encode("ascii") for ch in text)


def to_vni(text: str) -> bytes:
    return "".join(VNI_LETTERS.get(ch, ch) for ch in text).encode("cp1252")


def sloppy_cp1252(data: bytes) -> str:
    """What a program reading UTF-8 as Windows-1252 shows (bytes 1252 leaves undefined kept as C1 codes)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize(("name", "encode"), [("tcvn3", to_tcvn3), ("vni", to_vni)])
def test_legacy_encodings_are_detected_and_converted(tmp_path: Path, path: Path, name: str, encode) -> None:  # noqa: ANN001
    text = seed_text(path)
    (tmp_path / "a.txt").write_bytes(encode(text))
    article = read_article(tmp_path / "a.txt", tmp_path)
    assert article.encoding == name
    assert article.text == normalize_text(text)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("misread", ["cp1252", "latin-1"])
def test_utf8_mojibake_is_repaired(tmp_path: Path, path: Path, misread: str) -> None:
    text = seed_text(path)
    raw = text.encode("utf-8")
    garbled = sloppy_cp1252(raw) if misread == "cp1252" else raw.decode("latin-1")
    (tmp_path / "a.txt").write_text(garbled, encoding="utf-8")
    article = read_article(tmp_path / "a.txt", tmp_path)
    assert article.encoding == "utf-8-mojibake-repaired"
    assert article.text == normalize_text(text)


def test_clean_utf8_and_cp1258_are_untouched(tmp_path: Path) -> None:
    for path in SEEDS:
        text = seed_text(path)
        assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")
        decoded, encoding = decode_bytes(to_cp1258(text))
        assert encoding == "cp1258"
        assert unicodedata.normalize("NFC", decoded) == text


def test_what_reads_as_nothing_is_undecodable() -> None:
    rng = random.Random(11)
    text = seed_text(SEEDS[0])
    tried = rejected = 0
    for _ in range(20):
        # Vietnamese in an encoding nobody uses: each non-ASCII letter replaced by a random high byte
        data = bytes(b if b < 0x80 else rng.randrange(0x80, 0x100) for b in to_tcvn3(text))
        data = bytes(rng.randrange(0xA0, 0x100) if b >= 0x80 else b for b in data)
        tried += 1
        try:
            decoded, encoding = decode_bytes(data)
        except IngestError as err:
            assert err.reason in {"undecodable", "binary"}
            rejected += 1
            continue
        assert encoding in {"tcvn3", "vni", "cp1258"} or False, (encoding, decoded[:80])
    assert rejected >= tried * 0.9
