"""dxdata.ingest.sources: the sources.tsv manifest beside the articles; real files on disk, no mocks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from dxdata.ingest import Source, parse_sources, read_raw_folder
from test_ingest import BODY, write


def test_sources_manifest(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Its url and publisher win over the page's; an empty cell leaves the page's; bad rows are warned
    about one by one and skipped; the manifest itself is neither an article nor a reject."""
    write(tmp_path, "a.txt", f"Tiêu đề bài viết thử nghiệm\n• Nguồn: Báo Sóc Trăng\n\n{BODY}")
    write(tmp_path, "b.txt", f"Tiêu đề bài viết thứ hai\n• Nguồn: Báo Sóc Trăng\n\n{BODY} Bài hai.")
    write(tmp_path, "sub/c.txt", f"Tiêu đề bài viết thứ ba\n\n{BODY} Bài ba.")
    write(tmp_path, "d.txt", f"Tiêu đề bài viết thứ tư\n\n{BODY} Bài bốn.")
    write(tmp_path, "outside.txt", f"Tiêu đề bài viết thứ năm\n\n{BODY} Bài năm.")
    write(
        tmp_path,
        "sources.tsv",
        "file\turl\tpublisher\tyear\tregion_focus\tsummary\n"
        "a.txt\thttps://baomau.example.vn/a.html\tBáo Mẫu\t2023\tVN\tHội nghị\n"
        "b.txt\thttps://tuoitre.vn/b.html\t\t2023\tVN\t\n"
        "./sub/c.txt\thttps://tuoitre.vn/c.html\t\t2023\tVN\t\n"
        "../outside.txt\thttps://x.example.vn/o.html\tX\t\t\t\n"
        "/etc/passwd\thttps://x.example.vn/p.html\tX\t\t\t\n"
        "C:\\raw\\d.txt\thttps://x.example.vn/d.html\tX\t\t\t\n"
        "d.txt\tftp://x.example.vn/d.txt\tBáo D\t\t\t\n"
        "missing.txt\thttps://x.example.vn/m.html\tX\t\t\t\n"
        "a.txt\thttps://x.example.vn/again.html\tX\t\t\t\n",
    )
    with caplog.at_level(logging.WARNING, logger="dxdata.ingest"):
        articles, rejects = read_raw_folder(tmp_path)
    by_file = {a.source_file: (a.url, a.publisher) for a in articles}
    assert by_file == {
        "a.txt": ("https://baomau.example.vn/a.html", "Báo Mẫu"),  # the manifest beats "Nguồn: Báo Sóc Trăng"
        "b.txt": ("https://tuoitre.vn/b.html", "Báo Sóc Trăng"),  # no publisher in the manifest: the page's
        "d.txt": (None, "Báo D"),  # an ftp URL is refused, the publisher kept
        "sub/c.txt": ("https://tuoitre.vn/c.html", "Tuổi Trẻ"),  # nobody names it: the URL's domain
        "outside.txt": (None, None),  # "../outside.txt" is not this file
    }
    assert rejects == []
    warned = "\n".join(r.getMessage() for r in caplog.records if r.getMessage().startswith("sources.tsv"))
    for expected in ("line 5: '../outside.txt' leads out", "line 6: '/etc/passwd' is an absolute path",
                     "line 7: 'C:/raw/d.txt' is an absolute path", "line 8: the url of d.txt ('ftp:",
                     "missing.txt is not a file of the raw folder", "line 10: a.txt is listed again"):  # fmt: skip
        assert expected in warned


def test_sources_manifest_without_header_and_in_a_folder(tmp_path: Path) -> None:
    """Only ``file<TAB>url``, no header; a manifest in a folder describes that folder's files, and wins there."""
    write(tmp_path, "a.txt", f"Tiêu đề bài viết thử nghiệm\n\n{BODY}")
    write(tmp_path, "news/b.txt", f"Tiêu đề bài viết thứ hai\n\n{BODY} Bài hai.")
    write(tmp_path, "sources.tsv", "a.txt\thttps://vnexpress.net/a.html\nnews/b.txt\thttps://vnexpress.net/b.html\n")
    write(tmp_path, "news/sources.tsv", "b.txt\thttps://thanhnien.vn/b.html\n")
    articles, rejects = read_raw_folder(tmp_path)
    assert rejects == []
    assert [(a.source_file, a.url, a.publisher) for a in articles] == [
        ("a.txt", "https://vnexpress.net/a.html", "VnExpress"),
        ("news/b.txt", "https://thanhnien.vn/b.html", "Thanh Niên"),
    ]


def test_parse_sources_reads_quoted_cells_and_utf16(tmp_path: Path) -> None:
    entries, problems = parse_sources('file\turl\tpublisher\n"a.txt"\t"https://x.vn/a"\t"Báo ""A"""\n\n')
    assert entries == {"a.txt": Source("https://x.vn/a", 'Báo "A"')} and problems == []
    write(tmp_path, "a.txt", f"Tiêu đề bài viết thử nghiệm\n\n{BODY}")
    write(tmp_path, "sources.tsv", "\ufefffile\turl\r\na.txt\thttps://vov.vn/a.html\r\n".encode("utf-16"))
    articles, rejects = read_raw_folder(tmp_path)
    assert rejects == [] and (articles[0].url, articles[0].publisher) == ("https://vov.vn/a.html", "VOV")


def test_an_unreadable_manifest_is_a_reject(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", f"Tiêu đề bài viết thử nghiệm\n\n{BODY}")
    write(tmp_path, "sources.tsv", b"\x00\x01\x02" * 100)
    articles, rejects = read_raw_folder(tmp_path)
    assert [a.source_file for a in articles] == ["a.txt"]
    assert [(r.source_file, r.reason) for r in rejects] == [("sources.tsv", "binary")]
    assert rejects[0].detail.startswith("Not read as a sources manifest")
