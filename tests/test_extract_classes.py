"""The classes of phrasing that new articles use (issue 13), each in small sentences of our own.

These run through the fitted indicator model in `schemas/`: no sentence here is from a gold article.
"""

from __future__ import annotations

from datetime import date

from test_extract import by_value, rows

# 1. The subject in other words


def test_an_abbreviation_reads_as_its_words() -> None:
    obs = by_value(rows("Năm 2023, doanh thu TMĐT bán lẻ của Việt Nam đạt 20,5 tỷ USD."))
    assert obs[20_500_000_000].indicator_code == "econ.ecommerce_revenue"
    assert obs[20_500_000_000].unit == "USD"


def test_a_loan_word_reads_as_the_codebook_word() -> None:
    obs = by_value(rows("Hiện có 84% người trưởng thành sử dụng smartphone."))
    assert obs[84].indicator_code == "infra.smartphone_adults_share"


def test_the_subject_after_the_number() -> None:
    obs = by_value(rows("Ứng dụng đã có hơn 3,4 triệu tài khoản định danh điện tử được kích hoạt."))
    assert obs[3_400_000].indicator_code == "id.eid_accounts_activated"
    assert obs[3_400_000].qualifier == "gt"


def test_the_subject_in_another_order() -> None:
    obs = by_value(rows("Số doanh nghiệp công nghệ số trên cả nước hiện là 74.000."))
    assert obs[74_000].indicator_code == "econ.digital_tech_enterprises"


def test_a_number_nothing_in_the_codebook_speaks_for_has_no_indicator() -> None:
    assert rows("Buổi lễ có 350 khách mời tham dự và 12 tiết mục văn nghệ.") == []


# 2. Several numbers, one subject


def test_a_list_of_shares_each_with_its_subject() -> None:
    obs = by_value(rows("Cả nước có 95% xã có cáp quang; 99% thôn có sóng di động và 80% hộ gia đình dùng cáp quang."))
    assert obs[95].indicator_code == "infra.fiber_communes_share"
    assert obs[99].indicator_code == "infra.mobile_coverage_villages_share"
    assert obs[80].indicator_code == "infra.fiber_households_share"


def test_a_share_in_parentheses_after_a_count() -> None:
    obs = by_value(rows("Tỉnh đã cung cấp 1.250 dịch vụ công trực tuyến toàn trình (đạt 60%)."))
    assert obs[1250].unit == "count" and obs[60].unit == "percent"
    assert obs[1250].indicator_code.startswith("gov.")
    assert obs[60].indicator_code.startswith("gov.")


# 3. Periods


def test_the_year_right_after_the_counted_noun_dates_the_number() -> None:
    obs = by_value(rows("Số doanh nghiệp công nghệ số đã lên 52.000 DN năm 2022 và 58.000 DN năm 2023."))
    assert obs[52_000].period_end == date(2022, 12, 31)
    assert obs[58_000].period_end == date(2023, 12, 31)


def test_a_time_after_another_figure_is_that_figures() -> None:
    obs = by_value(rows("Năm 2024, tỷ lệ hồ sơ trực tuyến đạt 52%, cao hơn mức 41% của năm 2023."))
    assert obs[52].period_end == date(2024, 12, 31)


def test_the_figure_of_the_years_plan_is_a_target_for_the_whole_year() -> None:
    obs = by_value(rows("Doanh thu toàn ngành ước đạt 100.000 tỷ đồng, bằng 20% kế hoạch năm (500.000 tỷ đồng)."))
    plan = obs[500_000_000_000_000]
    assert plan.status == "target"
    assert (plan.period_start, plan.period_end) == (date(2024, 1, 1), date(2024, 12, 31))
    assert obs[100_000_000_000_000].status == "estimate"


def test_a_months_figure_ends_on_its_last_day() -> None:
    obs = by_value(rows("Tính đến hết tháng 2/2024, cả nước có 80.000 trạm BTS 4G."))
    assert obs[80_000].period_end == date(2024, 2, 29)


def test_a_reports_estimates_without_a_time_take_the_period_its_lead_names() -> None:
    text = (
        "Trong 6 tháng đầu năm 2025, doanh thu toàn ngành thông tin và truyền thông ước đạt 100.000 tỷ đồng."
        "\n\nLợi nhuận toàn ngành ước đạt 20.000 tỷ đồng, tăng 5% so với cùng kỳ."
        "\n\nCả nước hiện có 80.000 trạm BTS 4G."
    )
    obs = by_value(rows(text))
    for value in (100_000_000_000_000, 20_000_000_000_000):  # estimates: the lead's half year
        assert (obs[value].period_start, obs[value].period_end) == (date(2025, 1, 1), date(2025, 6, 30))
    assert obs[80_000].period_start is None and obs[80_000].period_end != date(2025, 6, 30)  # not an estimate


# 4. Region and body in a provincial article


def test_a_province_named_alone_in_the_lead_makes_its_figures_the_provinces() -> None:
    text = (
        "Chuyển đổi số ở Yên Bái có nhiều kết quả nổi bật trong năm qua.\n"
        "Toàn tỉnh đã có 1.200 dịch vụ công trực tuyến toàn trình được cung cấp cho người dân."
    )
    obs = rows(text)
    assert obs and all(o.region_code == "VN-06" for o in obs)


def test_a_province_named_once_deep_in_a_national_article_does_not() -> None:
    text = (
        "Chuyển đổi số quốc gia có nhiều kết quả nổi bật trong năm qua.\n"
        "Cả nước đã có 4.400 dịch vụ công trực tuyến toàn trình được cung cấp cho người dân.\n"
        "Bộ Thông tin và Truyền thông cho biết sẽ tiếp tục đẩy mạnh các nền tảng số.\n"
        "Các doanh nghiệp công nghệ đã hỗ trợ nhiều địa phương.\n"
        "Một số mô hình hay đã được chia sẻ tại hội thảo ở Cần Thơ."
    )
    obs = rows(text)
    assert obs and all(o.region_code == "VN" for o in obs)


def test_figures_in_a_list_share_the_words_before_the_first() -> None:
    obs = by_value(rows("Tỷ lệ hộ gia đình dùng cáp quang ở ba huyện lần lượt là 70%, 75% và 82%."))
    assert {obs[v].indicator_code for v in (70, 75, 82)} == {"infra.fiber_households_share"}


def test_respectively_pairs_each_figure_with_its_year() -> None:
    obs = by_value(rows("Tỷ lệ hồ sơ trực tuyến năm 2021 và năm 2022 lần lượt đạt 30% và 45%."))
    assert obs[30].period_end == date(2021, 12, 31)
    assert obs[45].period_end == date(2022, 12, 31)


def test_from_x_to_y_are_two_levels_of_one_subject() -> None:
    obs = by_value(rows("Năm 2023, tỷ lệ hồ sơ trực tuyến đã tăng từ 25% lên 45%."))
    assert obs[25].indicator_code == obs[45].indicator_code == "gov.online_applications_share"
    assert not any(o.unit == "percent" and o.indicator_code.endswith("growth") for o in obs.values())


def test_a_rank_said_as_thu_hang_la() -> None:
    obs = by_value(rows("Năm 2022, chỉ số EGDI của Việt Nam giữ nguyên thứ hạng là 86."))
    assert obs[86].unit == "rank" and obs[86].indicator_code == "gov.egdi_rank"


def test_a_move_over_a_span_of_years_dates_each_end() -> None:
    obs = by_value(rows("Trong giai đoạn 2019 - 2023, chỉ số EGDI của Việt Nam tăng hạng từ vị trí 88 lên vị trí 71."))
    assert obs[88].period_end == date(2019, 12, 31) and obs[71].period_end == date(2023, 12, 31)
    assert obs[88].indicator_code == obs[71].indicator_code == "gov.egdi_rank"


def test_a_forecast_is_an_estimate() -> None:
    obs = by_value(rows("Doanh thu thương mại điện tử được dự đoán chạm mốc 43 tỷ USD vào năm 2025."))
    assert obs[43_000_000_000].status == "estimate"


def test_the_time_between_the_two_ends_of_a_move_dates_the_first() -> None:
    text = "Vùng phủ sóng 5G đã tăng từ dưới 1% cách đây hai năm lên khoảng 90% dân số."
    obs = by_value(rows(text, published=date(2026, 1, 10)))
    assert obs[1].period_end == date(2024, 1, 10)
    assert obs[90].period_end == date(2026, 1, 10)


def test_a_range_after_a_level_word_gives_both_ends() -> None:
    obs = by_value(rows("Tỷ lệ hồ sơ nộp trực tuyến của tỉnh duy trì ở mức 90 - 93%, thuộc nhóm cao nhất cả nước."))
    assert (obs[90].unit, obs[90].qualifier, obs[93].qualifier) == ("percent", "gt", "lt")
    assert obs[90].indicator_code == obs[93].indicator_code == "gov.online_applications_share"


def test_a_level_name_is_still_no_figure() -> None:
    assert all(o.value != 3 for o in rows("Có 120 dịch vụ công trực tuyến mức độ 3 - 4 được cung cấp."))


def test_a_sentence_that_opens_on_the_one_before_keeps_its_date_across_a_paragraph_break() -> None:
    text = (
        "Tính đến ngày 13/11/2024, hệ thống đã cung cấp 2.206 dịch vụ công trực tuyến.\n\n"
        "Trong đó, dịch vụ công trực tuyến toàn trình có 937 dịch vụ.\n\n"
        "Tỉnh có 120 điểm phát sóng 5G."
    )
    obs = by_value(rows(text, published=date(2025, 2, 13)))
    assert obs[937].period_end == date(2024, 11, 13)
    assert all(o.period_end == date(2025, 2, 13) for o in obs.values() if o.value == 120)  # a new paragraph


def test_a_figure_repeated_from_the_title_is_one_row_dated_by_its_time_words() -> None:
    text = (
        "Hơn 661 triệu giao dịch qua nền tảng tích hợp, chia sẻ dữ liệu quốc gia\n\n"
        "Tính đến cuối tháng 9/2022, tổng số giao dịch thực hiện thông qua nền tảng tích hợp, chia sẻ dữ liệu "
        "quốc gia (NDXP) đã đạt hơn 661 triệu giao dịch."
    )
    found = [o for o in rows(text, published=date(2022, 10, 5)) if o.value == 661_000_000]
    assert [(o.indicator_code, o.period_end) for o in found] == [("gov.ndxp_transactions", date(2022, 9, 30))]


def test_the_body_whose_meeting_the_lead_names_without_cua_is_credited() -> None:
    text = (
        "Phiên họp thứ 5 Ủy ban Quốc gia về chuyển đổi số diễn ra sáng nay tại Hà Nội."
        "\n\nCó 65 cơ quan đã kết nối hệ thống báo cáo với hệ thống của Văn phòng Chính phủ."
        "\n\nTỷ lệ hồ sơ trực tuyến toàn trình đạt 45%."
    )
    obs = by_value(rows(text))
    assert obs[45].body_code == "NCDT"  # the meeting's body, not the one named as a system's owner
