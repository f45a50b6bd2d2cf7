import csv
import time
from importlib import resources
from pathlib import Path

import pytest

from dxdata.extract.regions import (
    RegionMatch,
    all_region_codes,
    find_regions,
    find_regions_and_words,
    region_2025,
    regions_table,
)

ROOT = Path(__file__).resolve().parent.parent


def codes(text: str) -> list[str]:
    return [m.region_code for m in find_regions(text)]


def surfaces(text: str) -> list[str]:
    return [m.text for m in find_regions(text)]


# ---------------------------------------------------------------- gazetteer file


def gazetteer() -> list[dict[str, str]]:
    data = resources.files("dxdata").joinpath("data", "gazetteer.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(data.splitlines()))


def test_gazetteer_has_the_63_iso_provinces():
    with (ROOT / "schemas" / "regions_iso.csv").open(encoding="utf-8") as f:
        iso = {r["region_code"]: r["name_vi"] for r in csv.DictReader(f) if r["level"] != "country"}
    provinces = {r["region_code"]: r["name"] for r in gazetteer() if r["level"] == "province"}
    assert len(provinces) == 63
    assert provinces == iso


def test_gazetteer_districts_and_2025_codes():
    rows = gazetteer()
    provinces = {r["region_code"] for r in rows if r["level"] == "province"}
    districts = [r for r in rows if r["level"] == "district"]
    assert 690 <= len(districts) <= 710
    assert {r["region_code"] for r in districts} == provinces
    assert len({r["region_code_2025"] for r in rows if r["level"] == "province"}) == 34
    assert {r["region_code_2025"] for r in rows if r["region_code_2025"]} <= provinces
    assert len({r["gso_code"] for r in districts}) == len(districts)


def test_all_region_codes_and_table():
    all_codes = all_region_codes()
    assert all_codes[0] == "VN" and len(all_codes) == 64 and "VN-SG" in all_codes
    table = regions_table()
    assert list(table.columns) == [
        "region_code",
        "name_vi",
        "name_en",
        "level",
        "gso_code",
        "region_code_2025",
        "name_2025",
    ]
    assert list(table["region_code"]) == all_codes
    row = table.set_index("region_code").loc["VN-DN"]
    assert (row["name_vi"], row["name_en"], row["level"]) == ("Đà Nẵng", "Da Nang", "municipality")
    assert table["name_en"].map(str.isascii).all()


def test_region_2025_and_names():
    assert region_2025("VN") == "VN"
    assert region_2025("VN-03") == "VN-07"  # Hà Giang is in the new Tuyên Quang
    assert region_2025("VN-07") == "VN-07"
    assert region_2025("VN-06") == "VN-02"  # Yên Bái -> new Lào Cai
    assert region_2025("VN-28") == "VN-29"  # Kon Tum -> new Quảng Ngãi
    assert region_2025("VN-57") == "VN-SG"  # Bình Dương -> Hồ Chí Minh
    assert region_2025("VN-HN") == "VN-HN"
    assert region_2025("VN-99") is None


# ---------------------------------------------------------------- matching


def test_bare_and_prefixed_provinces():
    text = "Kon Tum, tỉnh Kon Tum, Đà Nẵng, thành phố Đà Nẵng, TP. Đà Nẵng, TP Cần Thơ và Sóc Trăng."
    assert codes(text) == ["VN-28", "VN-28", "VN-DN", "VN-DN", "VN-DN", "VN-CT", "VN-52"]
    assert surfaces(text) == [
        "Kon Tum",
        "tỉnh Kon Tum",
        "Đà Nẵng",
        "thành phố Đà Nẵng",
        "TP. Đà Nẵng",
        "TP Cần Thơ",
        "Sóc Trăng",
    ]
    m = find_regions("UBND tỉnh Kon Tum")[0]
    assert m == RegionMatch(5, 17, "VN-28", "VN-29", "province", "Kon Tum", "tỉnh Kon Tum")


@pytest.mark.parametrize(
    "variant",
    [
        "TP.HCM",
        "TPHCM",
        "TP HCM",
        "TP. HCM",
        "Tp. Hồ Chí Minh",
        "TP.Hồ Chí Minh",
        "Thành phố Hồ Chí Minh",
        "thành phố Hồ Chí Minh",
        "Sài Gòn",
        "HCM City",
    ],
)
def test_ho_chi_minh_city_variants(variant):
    text = f"Tại {variant}, 95% hồ sơ được xử lý trực tuyến."
    (m,) = find_regions(text)
    assert (m.region_code, m.text, m.name) == ("VN-SG", variant, "Hồ Chí Minh")


def test_bare_ho_chi_minh_is_the_president():
    assert codes("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh") == []
    assert codes("Học viện Chính trị quốc gia Hồ Chí Minh") == []


@pytest.mark.parametrize(
    "variant", ["Huế", "Thừa Thiên Huế", "Thừa Thiên - Huế", "Thừa Thiên-Huế", "tỉnh Thừa Thiên Huế"]
)
def test_hue(variant):
    (m,) = find_regions(f"Chuyển đổi số ở {variant} đạt kết quả tốt")
    assert (m.region_code, m.text) == ("VN-26", variant)


def test_glued_and_spelling_variants():
    assert surfaces("UBND tỉnh KonTum") == ["tỉnh KonTum"]
    text = "Kontum, Đắk Lắk, Đắc Lắc, Dak Lak, Đắk Nông, Bà Rịa - Vũng Tàu, Bà Rịa-Vũng Tàu, BR-VT"
    assert codes(text) == [
        "VN-28",
        "VN-33",
        "VN-33",
        "VN-33",
        "VN-72",
        "VN-43",
        "VN-43",
        "VN-43",
    ]
    assert codes("Khánh Hòa, Khánh Hoà, Thanh Hóa, Thanh Hoá, Hải Phòng, Hà Nội, Thủ đô") == [
        "VN-34",
        "VN-34",
        "VN-21",
        "VN-21",
        "VN-HP",
        "VN-HN",
        "VN-HN",
    ]
    # PDF text glued without a space: a lower-case letter then a capital is a word boundary
    assert surfaces("Hội nghị tạiĐà Nẵng") == ["Đà Nẵng"]


def test_old_and_new_tone_placement():
    old, new = find_regions("tỉnh Hoà Bình"), find_regions("tỉnh Hòa Bình")
    assert [(m.region_code, m.text) for m in old] == [("VN-14", "tỉnh Hoà Bình")]
    assert [(m.region_code, m.text) for m in new] == [("VN-14", "tỉnh Hòa Bình")]
    assert codes("Thuỷ sản Hoà Bình") == ["VN-14"]


def test_common_words_are_not_provinces():
    assert codes("giữ vững hòa bình, ổn định") == []  # peace
    assert codes("khu vực châu Á - Thái Bình Dương") == []  # the Pacific, not Thái Bình or Bình Dương
    assert codes("Giọng Nữ miền Nam") == []
    assert codes("tỉnh Hà Nam Ninh cũ") == []
    assert codes("Hà Nam và Nam Định") == ["VN-63", "VN-67"]
    assert codes("ông Nguyễn Thái Bình, Giám đốc Sở") == []  # a person
    assert codes("Thủ đô Viêng Chăn của Lào") == []


def test_no_match_inside_words():
    assert codes("BìnhĐịnhx") == []
    assert codes("Bình Địnhx và Hà Nội2024 và 2024Hà Nội") == []
    assert codes("QUẢNG NAMĐỊNH") == []
    assert codes("quận 10") == ["VN-SG"] and find_regions("quận 10")[0].name == "Quận 10"
    assert find_regions("Quận 1")[0].name == "Quận 1"


def test_districts_need_their_unit_word():
    m = find_regions("huyện Thống Nhất đã số hóa 100% hồ sơ")[0]
    assert (m.region_code, m.level, m.name) == ("VN-39", "district", "Huyện Thống Nhất")
    assert m.text == "huyện Thống Nhất"
    assert codes("Thống Nhất ý chí, Tân Phú, Buôn Ma Thuột") == []
    assert codes("thành phố Buôn Ma Thuột") == ["VN-33"]
    assert codes("TP. Buôn Ma Thuột") == ["VN-33"]
    assert codes("quận Tân Phú") == ["VN-SG"]
    assert codes("huyện Phong Thổ") == ["VN-01"]
    assert codes("thị xã Phú Mỹ") == ["VN-43"]  # a thành phố since 2025, still found under its old type
    assert codes("Quận 2 và quận 9") == ["VN-SG", "VN-SG"]  # merged into Thủ Đức in 2021
    m = find_regions("TP Thủ Đức")[0]
    assert (m.region_code, m.level, m.region_code_2025) == ("VN-SG", "district", "VN-SG")


def test_district_named_like_a_province():
    m = find_regions("thành phố Hà Tĩnh")[0]
    assert (m.region_code, m.level) == ("VN-23", "district")
    m = find_regions("Hà Tĩnh")[0]
    assert (m.region_code, m.level) == ("VN-23", "province")
    assert codes("thị xã Quảng Trị") == ["VN-25"]
    assert codes("huyện Quảng Ninh") == ["VN-24"]  # a district of Quảng Bình
    assert codes("tỉnh Quảng Ninh") == ["VN-13"]


def test_ambiguous_district_names_report_nothing():
    assert codes("huyện Châu Thành") == []  # ten provinces have one
    assert codes("huyện Châu Thành, tỉnh Long An") == ["VN-41"]
    assert codes("quận Hoàng Mai") == ["VN-HN"]
    assert codes("thị xã Hoàng Mai") == ["VN-22"]


def test_spans_map_back_exactly():
    text = (
        "Ngày 5/3, tại TP.HCM và\u00a0tỉnh Hoà Bình, lãnh đạo UBND TP. Đà Nẵng, huyện Hòa Vang "
        "cùng Bà Rịa – Vũng Tàu, Sài Gòn, THỪA THIÊN HUẾ đã họp."
    )
    ms = find_regions(text)
    assert [m.region_code for m in ms] == ["VN-SG", "VN-14", "VN-DN", "VN-DN", "VN-43", "VN-SG", "VN-26"]
    for m in ms:
        assert text[m.start : m.end] == m.text
    assert [m.start for m in ms] == sorted(m.start for m in ms)
    assert all(a.end <= b.start for a, b in zip(ms, ms[1:], strict=False))


def test_longest_match_wins():
    (m,) = find_regions("thành phố Đà Nẵng")
    assert m.text == "thành phố Đà Nẵng"
    (m,) = find_regions("Thủ đô Hà Nội")
    assert m.text == "Thủ đô Hà Nội"
    assert surfaces("Bà Rịa - Vũng Tàu") == ["Bà Rịa - Vũng Tàu"]


def test_empty_and_odd_input():
    assert find_regions("") == []
    assert find_regions("İstanbul và Hà Nội")[0].text == "Hà Nội"  # "İ" lower-cases to two characters


def test_speed_on_a_long_article():
    paragraph = (
        "Theo báo cáo, tỉnh Kon Tum đã cung cấp 1.234 dịch vụ công trực tuyến toàn trình; thành phố Đà Nẵng "
        "dẫn đầu cả nước về chỉ số chuyển đổi số, trong khi huyện Ngọc Hồi và TP.HCM đẩy mạnh thanh toán "
        "không dùng tiền mặt với hơn 80% giao dịch. "
    )
    text = paragraph * (10_000 // len(paragraph) + 1)
    find_regions(text)  # build the automaton
    n = 20
    start = time.perf_counter()
    for _ in range(n):
        find_regions(text)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 0.02  # about 0.5 ms here; generous for slow CI machines


@pytest.mark.parametrize(
    "text",
    [
        "Năm 2023, tỉnh Kon Tum xếp thứ ba; thành phố Đà Nẵng đứng thứ hai về chỉ số DTI.",
        "Ước đạt 80% tại Hà Nội, đến nay TP.HCM\u00a0xếp hạng nhì",  # a no-break space: the two scans differ
        "Tỉnh Bà Rịa\u2013Vũng Tàu năm 2023 xếp thứ ba",  # an en dash, made plain before the region scan
        "",
    ],
)
def test_one_scan_for_regions_and_words_gives_what_two_scans_give(text: str) -> None:
    from dxdata.text import Anchors

    words = ("năm", "thứ", "xếp hạng", "đến nay", "ước", "chỉ số", "dti", "hai", "ba")
    regions, starts = find_regions_and_words(text, text.lower(), words)
    assert regions == find_regions(text)
    assert starts == Anchors(words).find(text.lower())
    assert any(starts.values()) == bool(text)


def test_words_scanned_with_regions_are_plain_lower_case():
    with pytest.raises(ValueError):
        find_regions_and_words("Hà Nội", "hà nội", ("Hà",))
