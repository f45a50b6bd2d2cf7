"""dxdata.ingest.decode: raw bytes -> text, and the files refused as not text; real files on disk, no mocks."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from dxdata.ingest import decode_bytes, read_article
from dxdata.text import normalize_text
from test_ingest import ARTICLE, SENTENCE, reject_of, to_cp1258, write


def test_utf8_bom(tmp_path: Path) -> None:
    write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    article = read_article(tmp_path / "bom.txt", tmp_path)
    assert article.encoding == "utf-8-sig"
    assert article.text == normalize_text(ARTICLE)
    assert not article.text.startswith("\ufeff")


@pytest.mark.parametrize(("codec", "expected"), [("utf-16", "utf-16-le"), ("utf-16-be", "utf-16-be")])
def test_utf16_with_bom(tmp_path: Path, codec: str, expected: str) -> None:
    data = ARTICLE.encode(codec) if codec == "utf-16" else b"\xfe\xff" + ARTICLE.encode(codec)
    write(tmp_path, "u16.txt", data)
    article = read_article(tmp_path / "u16.txt", tmp_path)
    assert article.encoding == expected
    assert article.text == normalize_text(ARTICLE)
    assert article.published == date(2023, 7, 13)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, codec: str) -> None:
    write(tmp_path, "u16.txt", ARTICLE.encode(codec))
    article = read_article(tmp_path / "u16.txt", tmp_path)
    assert article.encoding == codec
    assert article.text == normalize_text(ARTICLE)


def test_windows_1258(tmp_path: Path) -> None:
    original = unicodedata.normalize("NFC", SENTENCE)
    data = to_cp1258(original)
    assert data.decode("cp1258") != original  # the codec writes tones as combining marks
    write(tmp_path, "legacy.txt", data)
    article = read_article(tmp_path / "legacy.txt", tmp_path)
    assert article.encoding == "cp1258"
    assert article.text == original
    assert article.text == unicodedata.normalize("NFC", article.text)


def test_truncated_multibyte_tail_is_dropped() -> None:
    data = SENTENCE.encode("utf-8") + "ủ".encode()[:2]  # a crawl cut inside the last character
    text, encoding = decode_bytes(data)
    assert encoding == "utf-8"
    assert text == SENTENCE


def test_western_legacy_text_falls_back_to_detection() -> None:
    text, _ = decode_bytes("Le café est très apprécié à Paris, même en été.".encode("cp1252"))
    assert text == "Le café est très apprécié à Paris, même en été."


def test_empty_and_whitespace(tmp_path: Path) -> None:
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.txt", " \n\t\r\n\u00a0\n")
    assert reject_of(tmp_path, "empty.txt").reason == "empty"
    err = reject_of(tmp_path, "blank.txt")
    assert err.reason == "empty"
    assert "whitespace" in err.detail


def test_binary(tmp_path: Path) -> None:
    write(tmp_path, "nul.txt", b"Tin t\xe1\xbb\xa9c\x00\x00\x01\x02 binary \x00\xff\xfe garbage" * 50)
    write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    write(tmp_path, "controls.txt", bytes([1, 2, 3, 4, 5, 6, 65, 66]) * 200)
    for name in ("nul.txt", "image.txt", "controls.txt"):
        err = reject_of(tmp_path, name)
        assert err.reason == "binary", name
        assert err.detail.endswith(".")
        assert err.content_sha256 == hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
    assert "PNG" in reject_of(tmp_path, "image.txt").detail
