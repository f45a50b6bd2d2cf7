"""Number forms and non-facts, on small sentences of our own."""

from __future__ import annotations

import random
import re

import pytest

from dxdata.extract import numbers
from dxdata.extract.numbers import NumberMention, find_numbers, parse_numeral


def facts(text: str) -> list[NumberMention]:
    return [n for n in find_numbers(text) if n.not_fact is None]


def only_fact(text: str) -> NumberMention:
    found = facts(text)
    assert len(found) == 1, found
    return found[0]


def not_facts(text: str) -> dict[str, str]:
    return {n.text: n.not_fact for n in find_numbers(text) if n.not_fact}


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("2.398", 2398),
        ("17.371.225", 17371225),
        ("80,2", 80.2),
        ("0,7955", 0.7955),
        ("0.6667", 0.6667),
        ("1.000", 1000),
        ("86", 86),
        ("1.234,5", 1234.5),
    ],
)
def test_parse_numeral_vietnamese_conventions(raw: str, value: float) -> None:
    assert parse_numeral(raw) == pytest.approx(value)


def test_percent_and_thousands() -> None:
    n = only_fact("Tỉnh có 80,2% hộ gia đình dùng cáp quang.")
    assert (n.value, n.unit, n.qualifier) == (80.2, "percent", "eq")
    n = only_fact("Tổng số cơ sở dữ liệu là 2.398 cơ sở dữ liệu.")
    assert (n.value, n.unit) == (2398, "count")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Cổng có 13,2 triệu tài khoản.", 13_200_000, "count"),
        ("Tiết kiệm 2.505 tỷ đồng.", 2_505_000_000_000, "VND"),
        ("Doanh thu đạt 53 tỷ USD.", 53_000_000_000, "USD"),
        ("Doanh thu ước đạt 3,9 triệu tỷ đồng.", 3_900_000_000_000_000, "VND"),
        ("Đóng góp 34.336 triệu USD vào GDP.", 34_336_000_000, "USD"),
        ("Có 127.026 nghìn lượt truy cập.", 127_026_000, "count"),
        ("Tiết kiệm 9.300 tỉ đồng mỗi năm.", 9_300_000_000_000, "VND"),
        ("Năng suất đạt 648 triệu đồng.", 648_000_000, "VND"),
        ("Mỗi bài có 10 ngàn lượt xem.", 10_000, "count"),
    ],
)
def test_scales_and_currencies(text: str, value: float, unit: str) -> None:
    n = only_fact(text)
    assert n.value == pytest.approx(value)
    assert n.unit == unit


def test_two_currencies_in_one_phrase_give_two_numbers() -> None:
    found = facts("Tiết kiệm 8.100 tỷ đồng (351 triệu USD) mỗi năm.")
    assert [(n.value, n.unit) for n in found] == [(8.1e12, "VND"), (3.51e8, "USD")]


def test_tinh_is_not_a_scale_word() -> None:
    n = only_fact("Trà Vinh xếp hạng 25/63 tỉnh, thành phố.")
    assert (n.value, n.denominator, n.unit) == (25, 63, "rank")


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("trên 86 triệu thẻ", "gt"),
        ("hơn 8.100 tỉ đồng", "gt"),
        ("vượt 90% kế hoạch", "gt"),
        ("dưới 10% hồ sơ", "lt"),
        ("chưa đến 24 hồ sơ", "lt"),
        ("khoảng 40 nền tảng", "approx"),
        ("gần 200 doanh nghiệp", "approx"),
        ("xấp xỉ 3,9 triệu tỷ đồng", "approx"),
        ("có 14 bộ", "eq"),
    ],
)
def test_qualifiers(text: str, qualifier: str) -> None:
    assert only_fact(text).qualifier == qualifier


def test_denominators() -> None:
    n = only_fact("Có 62/63 địa phương đã hoàn thành.")
    assert (n.value, n.denominator, n.unit) == (62, 63, "count")
    n = only_fact("Việt Nam đứng thứ 86/193 quốc gia.")
    assert (n.value, n.denominator, n.unit) == (86, 193, "rank")
    n = only_fact("đã cung cấp 4.427/6.283 dịch vụ công")
    assert (n.value, n.denominator) == (4427, 6283)


def test_in_total_and_rank_of_n() -> None:
    n = facts("1.579 trong tổng số 1.937 dịch vụ công trực tuyến đã được tích hợp")[0]
    assert (n.value, n.denominator) == (1579, 1937)
    n = facts("Việt Nam xếp thứ 6 trong 11 nước")[0]
    assert (n.value, n.denominator, n.unit) == (6, 11, "rank")


def test_ranges_give_low_gt_and_high_lt() -> None:
    low, high = facts("Thời gian xử lý rút ngắn từ 60 đến 70%.")
    assert (low.value, low.unit, low.qualifier) == (60, "percent", "gt")
    assert (high.value, high.unit, high.qualifier) == (70, "percent", "lt")
    low, high = facts("Tăng trưởng dự kiến 8,3 - 8,5%.")
    assert (low.value, low.qualifier, high.value, high.qualifier) == (8.3, "gt", 8.5, "lt")


def test_changes_are_marked() -> None:
    change = [n for n in facts("tốc độ tăng 20%, gấp 3 lần tăng trưởng GDP") if n.is_change]
    assert [(n.value, n.unit) for n in change] == [(20, "percent"), (3, "times")]
    n = only_fact("Việt Nam tăng 2 bậc so với năm 2018.")
    assert (n.value, n.unit, n.is_change) == (2, "rank", True)
    n = only_fact("gấp 2,5 lần so với trước")
    assert (n.value, n.unit) == (2.5, "times")


def test_per_100_ratio_keeps_the_value() -> None:
    n = only_fact("Mật độ đạt 86,06 thuê bao/100 dân.")
    assert n.value == pytest.approx(86.06)


def test_index_scores_with_dot_or_comma_decimals() -> None:
    n = only_fact("Chỉ số EGDI của Việt Nam năm 2020 đạt 0.6667 điểm.")
    assert (n.value, n.unit) == (pytest.approx(0.6667), "score")
    n = only_fact("DTI quốc gia đạt 0,7955.")
    assert (n.value, n.unit) == (pytest.approx(0.7955), "score")
    n = only_fact("Tổng điểm đạt 1.000 điểm.")
    assert (n.value, n.unit) == (1000, "score")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("vẫn giữ nguyên vị trí thứ sáu", 6, "rank"),
        ("đứng thứ tư", 4, "rank"),
        ("xếp hạng nhất", 1, "rank"),
        ("tăng hai bậc so với năm 2018", 2, "rank"),
        ("Chính phủ ban hành hai nghị định", 2, "count"),
        ("đã ban hành ba quyết định", 3, "count"),
        ("giảm mười bậc", 10, "rank"),
    ],
)
def test_number_words(text: str, value: int, unit: str) -> None:
    n = only_fact(text)
    assert (n.value, n.unit) == (value, unit)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Ngày 12/7/2023 vừa diễn ra hội nghị", "date"),
        ("Chiều 30/11, tại trụ sở Chính phủ", "date"),
        ("sáng ngày 6/2 vừa qua", "date"),
        ("hôm 12-7 vừa qua", "date"),
        ("trong năm 2023 đã", "year"),
        ("giai đoạn 2021-2025", "year"),
        ("Quyết định số 749/QĐ-TTg của Thủ tướng", "document_number"),
        ("Nghị quyết 57-NQ/TW của Bộ Chính trị", "document_number"),
        ("theo Nghị quyết 17 của Chính phủ", "document_number"),
        ("Phiên họp lần thứ 8 của Ủy ban", "ordinal"),
        ("Cách mạng công nghiệp 4.0", "label"),
        ("dịch vụ công mức độ 4", "label"),
        ("lọt Top 10 địa phương", "label"),
        ("trung tâm dữ liệu Tier-3", "label"),
        ("Hotline: 0299 3822 499", "phone"),
        ("Điện thoại: 1900 1234", "phone"),
        ("cập nhật lúc 14:32", "time"),
        ("mạng 5G đã phủ sóng", "label"),
    ],
)
def test_not_facts(text: str, reason: str) -> None:
    assert facts(text) == []
    assert reason in set(not_facts(text).values())


def test_date_like_fractions_are_dates_but_counts_are_not() -> None:
    assert facts("đến ngày 16/2") == []
    assert only_fact("đã có 54/76 dịch vụ công thiết yếu").denominator == 76


def test_spans_point_at_the_number() -> None:
    text = "Bộ Công an đã cấp trên 86 triệu thẻ căn cước."
    n = only_fact(text)
    assert text[n.start : n.end] == n.text == "86 triệu"


# ---- the fast scanning helpers give what a plain regex scan gives ---------------------------

_FUZZ_PIECES = [
    "số",
    "Nghị định",
    "thứ",
    "hạng",
    "xếp",
    "tăng",
    "gấp",
    "khoảng",
    "hơn",
    "dưới",
    "mức",
    "điện thoại",
    "ngày",
    "tỉnh",
    "của",
    "trong",
    "TP.",
    "top",
    "ISO",
    "12",
    "2024",
    "0,5",
    "1.000",
    "/",
    "-",
    ".",
    ",",
    ":",
    "(",
    " ",
    " ",
    "  ",
    "\n",
    "x",
    "ſ",
    "ı",
    "İ",
]


def _fuzz(n: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        s = "".join(rng.choice(_FUZZ_PIECES) + rng.choice(["", " "]) for _ in range(rng.randint(1, 10)))
        out.append(s.upper() if rng.random() < 0.2 else s)
    return out


def test_numerals_found_at_digit_runs_equal_a_full_scan() -> None:
    from dxdata.text import digit_runs, finditer_at

    digits = ["1", "12", "123", "2024", "0912", "1800", "٣"]
    for text in _fuzz(2000, 2):
        text = text.replace("x", digits[len(text) % len(digits)])
        starts = [s for s, _ in digit_runs(text)]
        for rx in (
            numbers._NUMBER_RE,
            numbers._DATE_RE,
            numbers._DAY_MONTH_RE,
            numbers._YEAR_SPAN_RE,
            numbers._TIME_RE,
            numbers._PHONE_RE,
        ):
            assert [m.span() for m in finditer_at(rx, text, starts)] == [m.span() for m in rx.finditer(text)]


def test_blocked_spans_equal_a_full_scan() -> None:
    from dxdata.text import digit_runs

    def full_scan(text: str) -> list[tuple[int, int, str]]:
        spans = []
        for rx, reason in numbers._BLOCKING:
            for mm in rx.finditer(text):
                before = text.lower()[max(0, mm.start() - 16) : mm.start()]
                if rx is not numbers._DAY_MONTH_RE or numbers._DAY_WORD_BEFORE_RE.search(before):
                    spans.append((mm.start(), mm.end(), reason))
        return sorted(spans)

    found: set[tuple[object, str]] = set()
    for text in _fuzz(2000, 4):
        text = text.replace("x", "0912 345 678").replace("ı", "16/2/2024").replace("ſ", "08:30")
        text = text.replace("İ", "1800 1234").replace("top", "top 19001").replace("ISO", "2021 – 2025, 2024-02-16")
        text = text.replace("mức", "8h30 ngày 16 - 2")
        expected = full_scan(text)
        assert numbers._blocked_spans(text, text.lower(), digit_runs(text)) == expected, text
        found.update((rx, reason) for (rx, reason) in numbers._BLOCKING for s, e, r in expected if r == reason)
    assert {reason for _, reason in found} == {"date", "year", "time", "phone"}


def test_possessive_number_pattern_matches_like_the_plain_one() -> None:
    """`_NUMBER_RE` and `_IN_TOTAL_RE` with their possessive runs find what the plain forms find."""

    def plain(rx: re.Pattern[str]) -> re.Pattern[str]:
        return re.compile(rx.pattern.replace("{1,3}+", "{1,3}").replace("++", "+").replace("*+", "*"), rx.flags)

    pieces = [
        "1",
        "12",
        "2.398",
        "17.371.225",
        "80,2",
        "0.6667",
        "1.000",
        "/",
        " / ",
        "%",
        " %",
        " phần trăm",
        " tỷ",
        " triệu đồng",
        " USD",
        "$",
        "  ",
        "\n",
        ".",
        ",",
        "x",
        "trong tổng số ",
        "trên ",
        "Trong ",
    ]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        for rx in (numbers._NUMBER_RE, numbers._IN_TOTAL_RE):
            reference = plain(rx)
            for pos in range(len(text)):
                got, want = rx.match(text, pos), reference.match(text, pos)
                assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), text


def test_cardinal_words_are_read_only_as_whole_words_before_a_counted_noun() -> None:
    text = "Việt Nam tăng hai bậc, bao gồm ba lần; khai trương, hai_ba bậc, mười"
    assert [n.text for n in find_numbers(text) if n.unit] == ["hai", "ba"]


def test_rules_are_case_insensitive() -> None:
    """The rules read the lower-cased text: capitals and all-caps headlines read as lower case does."""
    for text in ("Doanh thu tăng khoảng 20% năm nay", "DOANH THU TĂNG KHOẢNG 20% NĂM NAY", "Doanh Thu Tăng Khoảng 20%"):
        [n] = facts(text)
        assert (n.qualifier, n.is_change, n.unit) == ("approx", True, "percent"), text
    for text in ("theo Nghị định số 13 của Chính phủ", "THEO NGHỊ ĐỊNH SỐ 13"):
        assert [n.not_fact for n in find_numbers(text)] == ["document_number"], text
    assert [n.unit for n in facts("Việt Nam XẾP HẠNG 59 về chỉ số")] == ["rank"]
    assert [n.text for n in find_numbers("İstanbul: KHOẢNG 5 triệu người") if n.qualifier == "approx"] == ["5 triệu"]


def test_a_numeral_of_hundreds_of_digits_is_out_of_range_not_a_crash() -> None:
    found = find_numbers("Tổng số là " + "9" * 400 + " người và 12% hộ gia đình.")
    assert [n.not_fact for n in found] == ["out_of_range", None]
    assert found[0].value != found[0].value  # NaN: no float holds it


def test_a_grouped_number_at_the_end_of_a_sentence_keeps_all_its_groups() -> None:
    found = find_numbers("Số giao dịch trong tháng 9 là 58.397.139. Như vậy, tổng số đã tăng.")
    assert [(n.text, n.value) for n in found if n.not_fact is None] == [("58.397.139", 58_397_139.0)]


def test_a_month_followed_by_a_verb_is_a_date_not_a_count() -> None:
    found = find_numbers("Tổng số giao dịch qua nền tảng NDXP trong tháng 9 là 58.397.139.")
    assert [(n.value, n.not_fact) for n in found] == [(9, "date"), (58_397_139, None)]
    counted = find_numbers("Trong tháng 9 đơn vị đã được kết nối.")  # a counted noun after it: a count
    assert [n.not_fact for n in counted] == [None]


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("date 2024-10 Theo đó, cả nước có 32,1 triệu sổ", ["year", "date", None]),
        ("phát biểu tại phiên họp chiều 10-3. Ảnh: VGP", ["date", "date"]),
        ("dịch vụ công trực tuyến mức độ 3, 4 thực hiện trên địa bàn", ["label", "label"]),
        ("dịch vụ công trực tuyến mức độ 3 và 4 được cung cấp", ["label", "label"]),
        ("Trong năm 2023, 5 doanh nghiệp được cấp phép.", ["year", None]),
    ],
)
def test_a_number_joined_to_a_date_or_listed_after_a_label_is_not_a_figure(text: str, reasons: list) -> None:
    assert [n.not_fact for n in find_numbers(text)] == reasons
