"""dxdata.ingest.read: files -> Articles and FileRejects, duplicates, article_text; real files, no mocks."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import pytest

from dxdata.ingest import MAX_BYTES, IngestError, article_text, read_article, read_raw_folder
from test_ingest import ARTICLE, FIXTURES, reject_of, write


def test_no_letters_is_no_text(tmp_path: Path) -> None:
    write(tmp_path, "dots.txt", "...\n--- 123 ---\n")
    assert reject_of(tmp_path, "dots.txt").reason == "no_text"


# ---------------------------------------------------------------------------------------------- folder


def test_duplicates_keep_first(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "b.txt", ARTICLE.replace("\n", "\r\n").replace(" ", "  "))  # same text once normalized
    write(tmp_path, "c.txt", ARTICLE + "\nThêm một đoạn khác.")
    with caplog.at_level(logging.WARNING, logger="dxdata.ingest"):
        articles, rejects = read_raw_folder(tmp_path)
    assert [a.source_file for a in articles] == ["a.txt", "c.txt"]
    assert len(rejects) == 1
    dup = rejects[0]
    assert (dup.source_file, dup.reason) == ("b.txt", "duplicate")
    assert "a.txt" in dup.detail
    assert dup.content_sha256 == hashlib.sha256((tmp_path / "b.txt").read_bytes()).hexdigest()
    assert any("b.txt" in r.getMessage() and "duplicate" in r.getMessage() for r in caplog.records)


def test_folder_never_raises_for_bad_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path, "1_ok.txt", ARTICLE)
    write(tmp_path, "2_empty.txt", b"")
    write(tmp_path, "3_binary.txt", b"\x00" * 100 + b"\x01\x02\x03")
    write(tmp_path, "4_huge.txt", b"x" * (MAX_BYTES + 1))
    write(tmp_path, "5_nothing.html", "<html><body><p>...</p></body></html>")
    with caplog.at_level(logging.WARNING, logger="dxdata.ingest"):
        articles, rejects = read_raw_folder(tmp_path)
    assert [a.source_file for a in articles] == ["1_ok.txt"]
    assert [(r.source_file, r.reason) for r in rejects] == [
        ("2_empty.txt", "empty"),
        ("3_binary.txt", "binary"),
        ("4_huge.txt", "too_large"),
        ("5_nothing.html", "no_text"),
    ]
    assert all(r.detail for r in rejects)
    assert sum(rec.name == "dxdata.ingest" and "rejected" in rec.getMessage() for rec in caplog.records) == 4


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        read_raw_folder(tmp_path / "nope")


# ------------------------------------------------------------------------------------------ article_text


def test_article_text_is_the_text_spans_point_into(tmp_path: Path) -> None:
    """From a path or from bytes, for text and HTML: the text of the Article ingest makes."""
    raw = ("  Tiêu đề\u00a0bài  viết\r\n\r\n\r\n\r\nHo\u0300a Bi\u0300nh đạt 80,2%\u200b.  \r\n").encode()
    write(tmp_path, "a.txt", raw)
    shutil.copy(FIXTURES / "page_with_chrome.html", tmp_path / "page.html")
    for name in ("a.txt", "page.html"):
        text = read_article(tmp_path / name, tmp_path).text
        assert article_text(tmp_path / name) == article_text(str(tmp_path / name)) == text
        assert article_text((tmp_path / name).read_bytes()) == text  # HTML told by its content
    assert article_text(raw) == "Tiêu đề bài viết\n\nHòa Bình đạt 80,2%."
    html = (tmp_path / "page.html").read_bytes()
    assert "<html" in article_text(html, html=False).lower()
    with pytest.raises(IngestError) as info:
        article_text(b"   \n")
    assert info.value.reason == "empty"
