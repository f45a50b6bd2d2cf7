"""Extraction of indicator rows from small articles of our own, and from the seeds."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from dxdata.codebook import load_codebook
from dxdata.extract import extract_article
from dxdata.models import Article, Observation
from dxdata.text import normalize_text

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def article(
    text: str,
    *,
    published: date | None = date(2024, 4, 24),
    event: date | None = None,
    title: str | None = None,
) -> Article:
    norm = normalize_text(text)
    return Article(
        article_id=hashlib.sha256(norm.encode()).hexdigest()[:16],
        source_file="t.txt",
        text=norm,
        content_sha256="",
        format="txt",
        encoding="utf-8",
        title=title,
        published=published,
        event_date=event,
    )


def rows(text: str, **kwargs) -> list[Observation]:
    return extract_article(article(text, **kwargs), load_codebook()).observations


def by_value(obs: list[Observation]) -> dict[float, Observation]:
    return {o.value: o for o in obs}


def test_two_numbers_in_one_phrase_give_two_indicators() -> None:
    obs = by_value(rows("Đến nay, có 14 bộ, ngành và 52 địa phương đã ban hành danh mục cơ sở dữ liệu."))
    assert obs[14].indicator_code == "data.db_catalog_ministries"
    assert obs[52].indicator_code == "data.db_catalog_localities"


def test_share_beside_count_gives_both_rows() -> None:
    obs = by_value(rows("Các đơn vị đã rà soát, sửa đổi, đơn giản hóa được 388/1.146 TTHC (đạt 34%)."))
    assert obs[388].denominator == 1146
    assert obs[388].unit == "count" and obs[34].unit == "percent"


def test_fields_of_a_row() -> None:
    text = (
        "Sáng 24/4, Thủ tướng chủ trì Phiên họp lần thứ 8 của Ủy ban Quốc gia về chuyển đổi số.\n"
        "Ngoài ra, trong 4 tháng năm 2024, Bộ Công an đã cấp trên 86 triệu thẻ căn cước công dân gắn chíp."
    )
    (obs,) = rows(text, event=date(2024, 4, 24))
    assert obs.indicator_code == "id.chip_id_cards_issued"
    assert (obs.value, obs.unit, obs.qualifier, obs.status) == (86e6, "count", "gt", "actual")
    assert (obs.period_start, obs.period_end) == (date(2024, 1, 1), date(2024, 4, 30))
    assert (obs.region_code, obs.body_code) == ("VN", "MPS")
    a = article(text)
    assert a.text[obs.char_start : obs.char_end] == obs.evidence
    assert a.text[obs.number_start : obs.number_end] == "86 triệu"


def test_undated_number_takes_the_event_date_then_the_publication_date() -> None:
    text = "Hiện nay, tổng số hệ thống thông tin của cả nước là 3.418 hệ thống."
    (obs,) = rows(text, event=date(2024, 4, 23))
    assert obs.period_end == date(2024, 4, 23) and obs.period_start is None
    (obs,) = rows(text, event=None)
    assert obs.period_end == date(2024, 4, 24)
    (obs,) = rows(text, event=None, published=None)
    assert obs.period_end is None


def test_estimate_and_target_status() -> None:
    (obs,) = rows("Tỷ trọng kinh tế số/GDP năm 2023 ước đạt 16,5%.")
    assert (obs.status, obs.qualifier, obs.period_end) == ("estimate", "eq", date(2023, 12, 31))
    (obs,) = rows("Ủy ban đặt mục tiêu từ năm 2022 đến năm 2025 triển khai 53 chỉ tiêu.")
    assert (obs.indicator_code, obs.status, obs.period_start) == (
        "plan.indicator_count",
        "target",
        date(2022, 1, 1),
    )


def test_status_words_count_only_before_the_number() -> None:
    """'mục tiêu', 'ước đạt' after a figure speak of the next one, not of it."""
    first, second = rows(
        "Tỷ lệ hộ gia đình sử dụng cáp quang năm 2023 đạt 80,2%, mục tiêu năm 2025 tỷ lệ hộ gia đình sử dụng "
        "cáp quang đạt 100%."
    )
    assert (first.value, first.status, second.value, second.status) == (80.2, "actual", 100.0, "target")


def test_region_from_the_sentence_and_body_from_its_subject() -> None:
    (obs,) = rows("Thành phố Đà Nẵng đã đưa đến 95% thủ tục hành chính lên dịch vụ công trực tuyến toàn trình.")
    assert (obs.region_code, obs.body_code) == ("VN-DN", "PPC")
    assert obs.region_code_2025 == "VN-DN"


def test_respective_places_and_ranks() -> None:
    obs = rows("Năm 2022, TP.HCM và Quảng Ninh lần lượt xếp thứ 2 và 3 về chỉ số chuyển đổi số DTI cấp tỉnh.")
    assert [(o.value, o.region_code, o.indicator_code) for o in obs] == [
        (2, "VN-SG", "dti.rank"),
        (3, "VN-13", "dti.rank"),
    ]
    assert all(o.period_end == date(2022, 12, 31) and o.body_code == "MIC" for o in obs)


def test_egdi_rank_with_denominator_is_national_and_credited_to_the_un() -> None:
    (obs,) = [
        o
        for o in rows("Theo Liên Hợp Quốc, năm 2020 Việt Nam đứng thứ 86/193 quốc gia về Chính phủ điện tử.")
        if o.unit == "rank"
    ]
    assert (obs.indicator_code, obs.denominator, obs.region_code, obs.body_code) == (
        "gov.egdi_rank",
        193,
        "VN",
        "UN",
    )


def test_repeated_fact_is_one_row() -> None:
    text = (
        "Trà Vinh xếp hạng 25/63 về chuyển đổi số năm 2022\nNăm 2022, chỉ số DTI của Trà Vinh xếp hạng thứ 25 cả nước."
    )
    obs = [o for o in rows(text) if o.unit == "rank"]
    assert len(obs) == 1 and obs[0].denominator == 63


def test_numbers_without_indicator_are_mentions_with_reasons() -> None:
    result = extract_article(article("Ngày 12/7/2023, theo Quyết định số 749/QĐ-TTg, có 7 con mèo."), load_codebook())
    assert result.observations == []
    reasons = {m.number_text: m.reason for m in result.mentions}
    assert reasons["749"] == "document_number"
    assert reasons["7"] == "no_indicator"
    assert "date" in reasons.values()


def test_page_chrome_is_not_extracted() -> None:
    text = (
        "Có 80,2% hộ gia đình sử dụng cáp quang Internet băng rộng.\n"
        + "Nội dung bài. " * 30
        + "\nTin cùng chuyên mục\nCó 99% hộ gia đình sử dụng cáp quang ở tỉnh khác.\nLượt xem: 28"
    )
    result = extract_article(article(text), load_codebook())
    assert [o.value for o in result.observations] == [80.2]
    assert {m.reason for m in result.mentions} >= {"page_chrome"}


@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.name)
def test_every_number_in_the_seeds_is_accounted_for(path: Path) -> None:
    from dxdata.extract.numbers import find_numbers
    from dxdata.ingest import read_article

    a = read_article(path, RAW)
    result = extract_article(a, load_codebook())
    seen = {(o.number_start, o.number_end) for o in result.observations} | {
        (m.char_start, m.char_end) for m in result.mentions
    }
    assert {(n.start, n.end) for n in find_numbers(a.text)} == seen
    for o in result.observations:
        assert a.text[o.char_start : o.char_end] == o.evidence


def test_status_words_in_capitals_and_text_that_lower_cases_longer() -> None:
    (obs,) = rows("ƯỚC ĐẠT 16,5% tỷ trọng kinh tế số/GDP năm 2023.")
    assert obs.status == "estimate"
    # "İ" lower-cases to two characters: the finders then scan the text each on their own
    (obs,) = rows("İ. Tỷ trọng kinh tế số/GDP năm 2023 ước đạt 16,5%.")
    assert (obs.status, obs.value, obs.indicator_code) == (
        "estimate",
        16.5,
        rows("Tỷ trọng kinh tế số/GDP năm 2023 ước đạt 16,5%.")[0].indicator_code,
    )


def test_extraction_time_grows_near_linearly_with_one_long_paragraph() -> None:
    """Issue 14: a figure's period, region and body are looked up among the sentence's own time expressions,
    places and bodies (bisections), not the whole article's: eight times the text, about eight times the time."""
    import time

    def seconds(n: int) -> float:
        text = " ".join(
            f"Năm {2000 + i % 25}, tỉnh Kon Tum có {i + 10}% hộ gia đình dùng cáp quang, tăng {i % 9 + 1}% so với năm "
            f"{1999 + i % 25}, theo Sở Thông tin và Truyền thông."
            for i in range(n)
        )
        start = time.process_time()
        extract_article(article(text), load_codebook())
        return time.process_time() - start

    seconds(50)  # warm-up: automatons and codebook
    small, large = seconds(250), seconds(2000)
    assert large < 24 * small, (small, large)  # linear: about 8; quadratic: about 64


def test_extraction_time_grows_near_linearly_with_one_long_sentence() -> None:
    """A table flattened from a PDF reads as one sentence of many figures: each figure's cue words, time and
    status are looked up near it (bisections, the cue words of at most a few figures away), so eight times the
    text takes about eight times the time."""
    import time

    row = "tỷ lệ hồ sơ trực tuyến đạt 50% năm 2020, tăng 3% so với năm 2019 và 120 doanh nghiệp công nghệ số, "

    def seconds(n: int) -> float:
        start = time.process_time()
        extract_article(article("Trong tháng 9 " + row * n + "kết thúc."), load_codebook())
        return time.process_time() - start

    seconds(20)  # warm-up
    small, large = seconds(100), seconds(800)
    assert large < 24 * small, (small, large)  # linear: about 8; the old scans: over 200
