"""Time expressions and the periods they denote."""

from __future__ import annotations

from datetime import date

import pytest

from dxdata.extract.periods import find_time_expressions

REF = date(2024, 4, 24)


def one(text: str, ref: date | None = REF):
    found = [t for t in find_time_expressions(text, ref) if t.kind != "now"]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Trong 4 tháng đầu năm 2024, Chính phủ", date(2024, 1, 1), date(2024, 4, 30)),
        ("6 tháng đầu năm 2023, 100% bộ", date(2023, 1, 1), date(2023, 6, 30)),
        ("sáu tháng đầu năm 2022", date(2022, 1, 1), date(2022, 6, 30)),
        ("quý I/2022 đạt", date(2022, 1, 1), date(2022, 3, 31)),
        ("quý 3 năm 2021", date(2021, 7, 1), date(2021, 9, 30)),
        ("năm 2023 ước đạt", date(2023, 1, 1), date(2023, 12, 31)),
        ("giai đoạn 2021-2025", date(2021, 1, 1), date(2025, 12, 31)),
        ("từ năm 2022 đến năm 2025 triển khai", date(2022, 1, 1), date(2025, 12, 31)),
        ("trong tháng 6/2023", date(2023, 6, 1), date(2023, 6, 30)),
        ("năm nay", date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_periods(text: str, start: date, end: date) -> None:
    t = one(text)
    assert (t.period_start, t.period_end) == (start, end)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("Đến tháng 6/2023, kênh đã đạt", date(2023, 6, 30)),
        ("Tính đến ngày 16/2/2022, số thủ tục", date(2022, 2, 16)),
        ("mục tiêu đến năm 2025", date(2025, 12, 31)),
        ("cập nhật đến giữa năm 2025", date(2025, 6, 30)),
        ("Tính đến đầu tháng 9/2025", date(2025, 9, 1)),
    ],
)
def test_cumulative_periods_have_no_start(text: str, end: date) -> None:
    t = one(text)
    assert (t.period_start, t.period_end, t.kind) == (None, end, "cumulative")


def test_day_without_year_takes_the_reference_year_or_the_one_before() -> None:
    assert one("ngày 12/7", date(2023, 7, 13)).period_end == date(2023, 7, 12)
    assert one("ngày 30/12", date(2024, 1, 3)).period_end == date(2023, 12, 30)


def test_comparison_years_are_not_periods() -> None:
    kinds = [t.kind for t in find_time_expressions("tăng 20% so với năm 2022", REF)]
    assert kinds == ["comparison"]


def test_now_words() -> None:
    assert [t.kind for t in find_time_expressions("Đến nay, có 14 bộ", REF)] == ["now"]


def test_patterns_tried_at_their_words_and_digits_find_what_a_full_scan_finds() -> None:
    """Each pattern is tried only at its words and (where it may open with one) at digits: no match is lost."""
    import random

    import dxdata.extract.periods as periods
    from dxdata.text import digit_runs, finditer_at

    pieces = [
        "năm",
        "tháng",
        "quý",
        "ngày",
        "sáu",
        "ba",
        "mười",
        "đầu",
        "cuối",
        "giữa",
        "hiện nay",
        "index",
        "2019",
        "2024",
        "12",
        "4",
        "/",
        "-",
        ".",
        " ",
        " ",
        "  ",
        "\n",
        "đến",
        "của",
        "tới",
        "–",
        "—",
        "\u00a0",
        "1",
        "123",
        "chín",
        "bốn",
        "1.000",
        "12021",
        "16/2/",
        "2.398",
        "hai",
        "năm 2020",
        "2021-",
        "tháng 6/2023",
        "ngày 16/2",
        "đầu năm 2024",
        "cuối tháng 3/2023",
        "quý ii/2022",
    ]
    rng = random.Random(3)
    found = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(1, 14)))
        anchors = periods._ANCHORS.find(text)
        digits = [p for start, end in digit_runs(text) for p in range(start, end)]
        for kind, words, digit_led, rx in periods._PATTERNS:
            tries = periods._tries(words, digit_led, anchors, digits)
            want = [m.span() for m in rx.finditer(text)]
            assert [m.span() for m in finditer_at(rx, text, tries)] == want, (kind, text)
            found += len(want)
    assert found > 4000


@pytest.mark.parametrize(
    ("text", "ranged"),
    [("giai đoạn 2021 - 2025", True), ("2021 đến 2025", True), ("2021\u00a0–\u00a02025", True), ("2021, 2025", False)],
)
def test_year_ranges_need_a_link(text: str, ranged: bool) -> None:
    kinds = [t.kind for t in find_time_expressions(text, None)]
    assert ("range" in kinds) is ranged


def test_days_in_month_is_what_the_calendar_says() -> None:
    import calendar

    from dxdata.extract.periods import _days_in_month

    for year in (1900, 1999, 2000, 2023, 2024, 2100):
        for month in range(1, 13):
            assert _days_in_month(year, month) == calendar.monthrange(year, month)[1], (year, month)


def test_a_month_with_no_year_takes_the_articles_year() -> None:
    ref = date(2024, 7, 10)
    found = {t.period_end for t in find_time_expressions("Đến cuối tháng 6, tỉnh có 1.200 dịch vụ.", ref)}
    assert found == {date(2024, 6, 30)}
    found = {
        t.period_end for t in find_time_expressions("Tính đến tháng 12, cả nước có 80.000 trạm.", date(2025, 1, 5))
    }
    assert found == {date(2024, 12, 31)}  # December had not begun by the article's date: last year's
    assert {t.period_end for t in find_time_expressions("Tháng 12/2023, tỷ lệ đạt 45%.", ref)} == {date(2023, 12, 31)}
    assert find_time_expressions("Trong tháng 6.5 triệu lượt", None) == []  # no date to take a year from


def test_a_time_that_long_ago_counts_back_from_the_articles_date() -> None:
    ref = date(2026, 1, 10)
    ends = {t.period_end for t in find_time_expressions("Cách đây hai năm, tỷ lệ chỉ là 1%.", ref)}
    assert ends == {date(2024, 1, 10)}
    assert {t.period_end for t in find_time_expressions("3 tháng trước, số trạm là 500.", ref)} == {date(2025, 10, 10)}
    assert {t.period_end for t in find_time_expressions("cách đây một năm", date(2024, 2, 29))} == {date(2023, 2, 28)}
    last_year = find_time_expressions("Năm trước, tỷ lệ là 40%.", ref)  # "năm trước" alone is last year
    assert [(t.period_start, t.period_end) for t in last_year] == [(date(2025, 1, 1), date(2025, 12, 31))]
