"""Ingest: real files on disk (tmp_path), no mocks."""

from __future__ import annotations

import hashlib
import logging
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from dxdata.ingest import (
    MAX_BYTES,
    IngestError,
    Source,
    article_text,
    decode_bytes,
    find_event_date,
    parse_sources,
    publisher_for_url,
    read_article,
    read_raw_folder,
    text_metadata,
)
from dxdata.text import normalize_text

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw"
FIXTURES = Path(__file__).resolve().parent / "data" / "ingest"

SENTENCE = (
    "Sáng ngày 24/4, Thủ tướng Chính phủ Phạm Minh Chính chủ trì phiên họp của Ủy ban Quốc gia về "
    "chuyển đổi số; Đà Nẵng đạt 80,2% hộ gia đình sử dụng cáp quang, tăng mạnh so với năm trước."
)
ARTICLE = (
    "Hội nghị sơ kết chuyển đổi số 6 tháng đầu năm\n"
    "Ngày đăng: 13/07/2023 08:15\n\n"
    "Chiều 12/7, Bộ Thông tin và Truyền thông tổ chức hội nghị sơ kết 6 tháng đầu năm 2023 về chuyển đổi số "
    "quốc gia với sự tham dự của lãnh đạo các bộ, ngành và địa phương trên cả nước.\n\n"
    "Đến nay, 100% bộ, ngành và địa phương đã ban hành kế hoạch chuyển đổi số năm 2023.\n"
)
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode with Python's cp1258 codec; tones without a precomposed cp1258 form become combining marks."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out.append((base + "".join(c for c in parts if c in _TONES)).encode("cp1258"))
    return b"".join(out)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def reject_of(folder: Path, name: str) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_article(folder / name, folder)
    return info.value


# ---------------------------------------------------------------------------------------------- seeds


@pytest.mark.parametrize(
    ("name", "title", "published", "event_date"),
    [
        ("000_35315ea89c7fab3f.txt", "Phiên họp thứ nhất của Ủy ban Quốc gia về chuyển đổi số",
         date(2021, 12, 1), date(2021, 11, 30)),
        ("001_cc512932bece74b4.txt", "Phải hành động, quyết liệt chuyển đổi số, xây dựng mô hình",
         date(2023, 2, 28), date(2023, 2, 25)),
        ("002_52f6af25ab725421.txt", "Tăng cường nhận thức về vai trò, vị trí và tầm quan trọng",
         date(2024, 4, 24), date(2024, 4, 24)),
        # PDF text broken into short lines: the headline cannot be told apart, so no title
        ("003_39ac3d972bfc687b.txt", None, date(2021, 3, 11), date(2021, 3, 10)),
        ("004_317a2e9a7c9c831f.txt", "Hội nghị trực tuyến sơ kết 6 tháng đầu năm 2023 về chuyển đổi số",
         None, date(2023, 7, 12)),
    ],
)  # fmt: skip
def test_seed_metadata(name: str, title: str | None, published: date | None, event_date: date | None) -> None:
    article = read_article(SEEDS / name, SEEDS)
    assert article.source_file == name
    if title is None:
        assert article.title is None
    else:
        assert article.title is not None and article.title.startswith(title)
    assert article.published == published
    assert article.event_date == event_date
    assert article.format == "txt"
    assert article.encoding == "utf-8"


def test_seed_publishers() -> None:
    assert "Sóc Trăng" in (read_article(SEEDS / "002_52f6af25ab725421.txt", SEEDS).publisher or "")
    assert read_article(SEEDS / "001_cc512932bece74b4.txt", SEEDS).publisher == "Báo Đà Nẵng"  # "Theo Báo Đà Nẵng."
    assert read_article(SEEDS / "000_35315ea89c7fab3f.txt", SEEDS).publisher is None


def test_seed_folder_ids_and_text() -> None:
    articles, rejects = read_raw_folder(SEEDS)
    assert rejects == []
    assert [a.source_file for a in articles] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for a in articles:
        raw = (SEEDS / a.source_file).read_bytes()
        assert a.content_sha256 == hashlib.sha256(raw).hexdigest()
        assert a.article_id == hashlib.sha256(a.text.encode("utf-8")).hexdigest()[:16]
        assert a.text == normalize_text(a.text)
        assert a.text == normalize_text(raw.decode("utf-8"))
        assert a.n_bytes == len(raw)


# ---------------------------------------------------------------------------------------------- decoding


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


# ---------------------------------------------------------------------------------------------- rejects


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


def test_too_large(tmp_path: Path) -> None:
    write(tmp_path, "huge.txt", b"a" * (MAX_BYTES + 1))
    err = reject_of(tmp_path, "huge.txt")
    assert err.reason == "too_large"
    assert f"{MAX_BYTES:,}" in err.detail


def test_exactly_max_bytes_is_read(tmp_path: Path) -> None:
    write(tmp_path, "big.txt", (b"chuyen doi so " * (MAX_BYTES // 14 + 1))[:MAX_BYTES])
    assert read_article(tmp_path / "big.txt", tmp_path).n_bytes == MAX_BYTES


def test_no_letters_is_no_text(tmp_path: Path) -> None:
    write(tmp_path, "dots.txt", "...\n--- 123 ---\n")
    assert reject_of(tmp_path, "dots.txt").reason == "no_text"


def test_unreadable_broken_link(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "does-not-exist.txt")
    articles, rejects = read_raw_folder(tmp_path)
    assert articles == []
    assert [(r.source_file, r.reason) for r in rejects] == [("gone.txt", "unreadable")]


# ---------------------------------------------------------------------------------------------- HTML


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


# ------------------------------------------------------------------------------------------ metadata rules


def test_explicit_label_beats_crawl_date_on_top() -> None:
    meta = text_metadata(
        "Thứ 3, Ngày 23/04/2024 -\n\nTỉnh họp bàn về chuyển đổi số năm 2022\nNgày đăng: 01/12/2021 13:22\n\n"
        + "Chiều 30/11, tỉnh tổ chức hội nghị trực tuyến về chuyển đổi số với sự tham dự của các sở, ngành. " * 2
    )
    assert meta.title == "Tỉnh họp bàn về chuyển đổi số năm 2022"
    assert meta.published == date(2021, 12, 1)
    assert meta.event_date == date(2021, 11, 30)


def test_date_time_stamp_and_glued_pdf_dates() -> None:
    body = "Sáng 8/8, Bộ Thông tin và Truyền thông công bố bảng xếp hạng chuyển đổi số năm 2021 của các tỉnh."
    stamped = text_metadata(
        f"Chuyển đổi số\n\nTây Ninh tăng 8 bậc trong bảng xếp hạng\nChủ nhật: 18:53 ngày 25/08/2019\n\n{body}"
    )
    assert stamped.published == date(2019, 8, 25)
    assert stamped.title == "Tây Ninh tăng 8 bậc trong bảng xếp hạng"
    glued = text_metadata(f"Thời sự -\nThứNăm11-3-2021\n{body}")
    assert glued.published == date(2021, 3, 11)


def test_licence_footer_is_not_a_publication_date() -> None:
    body = "Sáng 8/8, Bộ Thông tin và Truyền thông công bố bảng xếp hạng chuyển đổi số năm 2021 của các tỉnh."
    meta = text_metadata(
        f"Bảng xếp hạng chuyển đổi số năm 2021\n09/08/2022 10:00\n\n{body}\n\n"
        "Giấy phép xuất bản ngày 30/12/2021 số 833/GP-BTTTT\nTòa soạn: Số 2, đường Trần Văn Sắc"
    )
    assert meta.published == date(2022, 8, 9)
    assert meta.event_date == date(2022, 8, 8)


def test_crawl_marker_month_only() -> None:
    meta = text_metadata(
        " date 2022-12 Doanh thu toàn ngành ước đạt 3,9 triệu tỷ đồng\n\n"
        "Tại hội nghị tổng kết công tác năm 2022 diễn ra sáng 18/12, Thứ trưởng cho biết "
        "doanh thu toàn ngành tăng 12,7% so với năm 2021."
    )
    assert meta.published == date(2022, 12, 1)
    assert meta.event_date == date(2022, 12, 18)  # bounded by the end of the month, not the 1st
    assert meta.title == "Doanh thu toàn ngành ước đạt 3,9 triệu tỷ đồng"


@pytest.mark.parametrize(
    ("lead", "published", "expected"),
    [
        ("Chiều 30/11, tại trụ sở Chính phủ, phiên họp đã diễn ra.", date(2021, 12, 1), date(2021, 11, 30)),
        ("Sáng ngày 24/4, tại Trụ sở Chính phủ, Thủ tướng chủ trì.", date(2024, 4, 24), date(2024, 4, 24)),
        ("Chiều 30/12, hội nghị tổng kết năm đã diễn ra.", date(2022, 1, 3), date(2021, 12, 30)),
        ("Hội nghị (ngày 25/2) đã thống nhất kế hoạch.", date(2023, 2, 28), date(2023, 2, 25)),
        ("Sáng 25-2, Thủ tướng chủ trì hội nghị toàn quốc.", date(2023, 2, 28), date(2023, 2, 25)),
        ("Ngày 12/7/2023 vừa diễn ra Hội nghị trực tuyến toàn quốc.", None, date(2023, 7, 12)),
        ("Hội thảo tổ chức tại Phú Yên ngày 23.8 vừa qua.", date(2019, 8, 25), date(2019, 8, 23)),
        ("Chiều ngày 12/7, Bộ công bố xếp hạng.", None, None),  # no year to place it
        ("Tính đến ngày 16/2/2022, có 3.523 thủ tục.", date(2022, 2, 17), None),
        (
            "Từ sau Hội nghị triển khai Đề án (ngày 18/1/2022) đến nay, công tác được thực hiện.",
            date(2022, 2, 17),
            None,
        ),
        ("Theo Quyết định số 06/QĐ-TTg ngày 6-1-2022 của Thủ tướng.", date(2023, 2, 28), None),
        ("Tỉnh lấy ngày 28/8 hàng năm là Ngày chuyển đổi số.", date(2023, 2, 28), None),
        ("Năm 2022 có 18/20 sở hoàn thành 9/33 nhiệm vụ.", date(2023, 2, 28), None),
        ("Sáng nay (24/4), Ủy ban họp phiên thứ 8.", date(2024, 4, 24), date(2024, 4, 24)),
        (
            "Thực hiện Kế hoạch 56/KH-UBND, sáng 12/7 tỉnh tổ chức hội nghị.",
            date(2023, 7, 13),
            date(2023, 7, 12),
        ),
        ("Sáng 31/12/2025, tỉnh sẽ tổng kết.", date(2025, 6, 1), None),  # after publication: a plan
        ("Ngày 12 tháng 7 năm 2023, Chính phủ họp.", date(2023, 7, 13), date(2023, 7, 12)),
    ],
)
def test_event_date_rules(lead: str, published: date | None, expected: date | None) -> None:
    assert find_event_date(lead, published) == expected


def test_event_date_only_in_lead() -> None:
    paragraphs = [
        f"Đoạn thứ {i} nói về kết quả chuyển đổi số của tỉnh trong những năm gần đây, rất đáng ghi nhận."
        for i in range(4)
    ]
    text = "Tiêu đề bài viết về chuyển đổi số\nNgày đăng: 10/05/2023 09:00\n\n" + "\n\n".join(paragraphs)
    assert text_metadata(text + "\n\nChiều 2/5, tỉnh họp.").event_date is None
    assert text_metadata(text.replace("Đoạn thứ 1", "Chiều 2/5, đoạn thứ 1")).event_date == date(2023, 5, 2)


def test_publisher_lines() -> None:
    body = "STO - Sáng ngày 24/4, tại Trụ sở Chính phủ, Thủ tướng chủ trì phiên họp lần thứ 8 của Ủy ban."
    assert text_metadata(f"Tiêu đề bài viết thử nghiệm\n• Nguồn: Báo Sóc Trăng\n\n{body}").publisher == "Báo Sóc Trăng"
    footer = f"Tiêu đề bài viết thử nghiệm\n\n{body}\n\nBáo Sóc Trăng Online - baosoctrang.org.vn\nTổng biên tập"
    assert text_metadata(footer).publisher == "Báo Sóc Trăng Online"
    assert text_metadata(f"Tiêu đề bài viết thử nghiệm\n\n{body}").publisher == "STO"
    assert text_metadata(f"Tiêu đề bài viết thử nghiệm\n\n{body[6:]}").publisher is None


def test_seeds_give_no_url_and_only_two_publishers() -> None:
    """What the seed pages give, read by the general rules: none prints its own URL (001 and 002 name only
    their site's domain in the footer), 000 names its poster ("Admin STTTT"), 003 is a scanned newspaper
    page without its masthead and 004 three paragraphs; so two publishers, both from the page's lines."""
    articles, _ = read_raw_folder(SEEDS)
    assert [(a.url, a.publisher) for a in articles] == [
        (None, None),
        (None, "Báo Đà Nẵng"),
        (None, "Báo Sóc Trăng"),
        (None, None),
        (None, None),
    ]


# ------------------------------------------------------------------------------------------ URL and publisher

BODY = (
    "Chiều 12/7, Bộ Thông tin và Truyền thông tổ chức hội nghị sơ kết 6 tháng đầu năm 2023 về chuyển đổi số "
    "quốc gia với sự tham dự của lãnh đạo các bộ, ngành và địa phương trên cả nước."
)


def test_url_the_page_prints() -> None:
    url = "https://vnexpress.net/chuyen-doi-so-6-thang-4630000.html"
    labelled = text_metadata(f"Tiêu đề bài viết thử nghiệm\nNguồn: {url}\n\n{BODY}")
    assert (labelled.url, labelled.publisher) == (url, "VnExpress")  # the publisher from the URL's domain
    for header in (f"{url}\nTiêu đề bài viết thử nghiệm", f"Tiêu đề bài viết thử nghiệm\nLink bài viết: {url}."):
        assert text_metadata(f"{header}\n\n{BODY}").url == url
    footer = text_metadata(f"Tiêu đề bài viết thử nghiệm\n\n{BODY}\n\nTheo Tuổi Trẻ\n(Nguồn: {url})")
    assert footer.url == url and footer.publisher == "Tuổi Trẻ"  # a name the page gives beats the domain
    # a site's home page, a URL inside a body paragraph, an image credit: not the article's URL
    assert text_metadata(f"Tiêu đề bài viết thử nghiệm\nhttps://baosoctrang.org.vn/\n\n{BODY}").url is None
    assert text_metadata(f"Tiêu đề bài viết thử nghiệm\n\n{BODY} Xem tại {url} để biết thêm.").url is None
    assert text_metadata(f"Tiêu đề bài viết thử nghiệm\n\n{BODY}\n(Ảnh: chinhphu.vn)").url is None


def test_publisher_from_domain() -> None:
    assert publisher_for_url("https://www.baosoctrang.org.vn/a/b.html") == "Báo Sóc Trăng"
    assert publisher_for_url("https://ictnews.vietnamnet.vn/x.html") == "ICTnews"  # nearest declared domain
    assert publisher_for_url("https://en.vietnamplus.vn/x.html") == "VietnamPlus"
    assert publisher_for_url("https://www.sotttt.example.vn/x.html") == "sotttt.example.vn"  # undeclared
    footer = f"Tiêu đề bài viết thử nghiệm\n\n{BODY}\n\nbaosoctrang.org.vn"
    assert text_metadata(footer).publisher == "Báo Sóc Trăng"


# ------------------------------------------------------------------------------------------ sources.tsv


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
