"""Ingest as a whole, on the seed pages; and what the ingest tests share. Real files on disk (tmp_path), no mocks.

The tests of each step are in the test file named after its module (`test_ingest_decode.py` for
`dxdata.ingest.decode`, ...); `to_cp1258`, `write` and the sample texts are imported from here.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from dxdata.ingest import IngestError, read_article, read_raw_folder
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


BODY = (
    "Chiều 12/7, Bộ Thông tin và Truyền thông tổ chức hội nghị sơ kết 6 tháng đầu năm 2023 về chuyển đổi số "
    "quốc gia với sự tham dự của lãnh đạo các bộ, ngành và địa phương trên cả nước."
)


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
