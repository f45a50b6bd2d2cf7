"""dxdata.ingest.metadata: title, dates, publisher and URL as an article's text gives them."""

from __future__ import annotations

from datetime import date

import pytest

from dxdata.ingest import find_event_date, publisher_for_url, text_metadata
from test_ingest import BODY


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
        # a Party-style document number ("số 57-NQ/TW", "số 02-KH/BCĐ") dates the document, not the event
        ("Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị.", date(2025, 3, 1), None),
        ("Bộ lập Ban chỉ đạo theo kế hoạch số 02-KH/BCĐ ngày 19/6/2025.", date(2026, 2, 19), None),
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


# ------------------------------------------------------------------------------------------ URL and publisher


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
