"""dxdata.ingest.html: the article taken out of an HTML page, and a page with none; real files, no mocks."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from dxdata.ingest import read_article
from dxdata.text import normalize_text
from test_ingest import FIXTURES, reject_of, write


def test_html_page_with_chrome(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "page_with_chrome.html", tmp_path / "page.html")
    article = read_article(tmp_path / "page.html", tmp_path)
    assert article.format == "html"
    assert "Chiều 12/7, tại Hội nghị sơ kết" in article.text
    assert "Đà Nẵng đạt 0,6960 điểm" in article.text
    for chrome in ("Thể thao", "Liên hệ quảng cáo", "Tìm kiếm", "Giấy phép số", "Tin liên quan"):
        assert chrome not in article.text
    assert article.title == "Đà Nẵng dẫn đầu Chỉ số chuyển đổi số cấp tỉnh năm 2022"
    assert article.published == date(2023, 7, 13)
    assert article.event_date == date(2023, 7, 12)
    assert article.publisher == "Báo Mẫu Điện tử"
    assert article.url == "https://baomau.example.vn/chuyen-doi-so/da-nang-dan-dau-dti-2022.html"
    assert article.text == normalize_text(article.text)


def test_html_detected_by_content_in_txt(tmp_path: Path) -> None:
    html = (FIXTURES / "page_with_chrome.html").read_text(encoding="utf-8")
    write(tmp_path, "saved.txt", html)
    article = read_article(tmp_path / "saved.txt", tmp_path)
    assert article.format == "html"
    assert "Thể thao" not in article.text


def test_html_without_article_is_no_text(tmp_path: Path) -> None:
    write(
        tmp_path,
        "menu.html",
        '<!doctype html><html><head><title>Trang chủ</title></head><body><nav><a href="/">Trang chủ</a>'
        '<a href="/t">Tin tức</a></nav><footer><a href="/lh">Liên hệ</a></footer></body></html>',
    )
    assert reject_of(tmp_path, "menu.html").reason == "no_text"
