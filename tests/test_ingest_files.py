"""dxdata.ingest.files: the raw folder's entries and the size limit; real files on disk, no mocks.

(tests/test_raw_walk.py covers links, FIFOs and unreadable folders.)
"""

from __future__ import annotations

from pathlib import Path

from dxdata.ingest import MAX_BYTES, read_article, read_raw_folder
from test_ingest import ARTICLE, reject_of, write


def test_too_large(tmp_path: Path) -> None:
    write(tmp_path, "huge.txt", b"a" * (MAX_BYTES + 1))
    err = reject_of(tmp_path, "huge.txt")
    assert err.reason == "too_large"
    assert f"{MAX_BYTES:,}" in err.detail


def test_exactly_max_bytes_is_read(tmp_path: Path) -> None:
    write(tmp_path, "big.txt", (b"chuyen doi so " * (MAX_BYTES // 14 + 1))[:MAX_BYTES])
    assert read_article(tmp_path / "big.txt", tmp_path).n_bytes == MAX_BYTES


def test_unreadable_broken_link(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "does-not-exist.txt")
    articles, rejects = read_raw_folder(tmp_path)
    assert articles == []
    assert [(r.source_file, r.reason) for r in rejects] == [("gone.txt", "unreadable")]


def test_folder_is_recursive_sorted_and_records_hidden(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", ARTICLE + "\nB")
    write(tmp_path, "a/z.txt", ARTICLE + "\nAZ")
    write(tmp_path, "a/b/y.txt", ARTICLE + "\nABY")
    write(tmp_path, ".gitkeep", b"")
    write(tmp_path, ".DS_Store", b"\x00\x00\x00\x01Bud1")
    write(tmp_path, ".cache/x.txt", ARTICLE + "\nhidden")
    articles, rejects = read_raw_folder(tmp_path)
    assert [(r.source_file, r.reason) for r in rejects] == [
        (".DS_Store", "hidden"),
        (".cache", "hidden"),
        (".gitkeep", "hidden"),
    ]
    assert [a.source_file for a in articles] == ["a/b/y.txt", "a/z.txt", "b.txt"]
