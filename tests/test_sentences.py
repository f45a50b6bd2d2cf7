"""Sentences, clauses and page chrome."""

from __future__ import annotations

from dxdata.extract.sentences import body_end, is_chrome_line, is_wrapped, split_sentences


def texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text) if not s.is_chrome]


def test_sentences_split_on_end_punctuation_but_not_abbreviations() -> None:
    text = "TP. Hồ Chí Minh đạt 80%. Hà Nội đạt 70%! Còn lại 2.398 hồ sơ."
    assert texts(text) == ["TP. Hồ Chí Minh đạt 80%.", "Hà Nội đạt 70%!", "Còn lại 2.398 hồ sơ."]


def test_lines_are_paragraphs() -> None:
    sents = split_sentences("Dòng một có 5 bộ.\nDòng hai có 6 bộ.")
    assert [s.paragraph for s in sents] == [0, 1]


def test_wrapped_pdf_text_joins_lines_into_sentences() -> None:
    lines = [
        "Cụ thể, theo báo cáo khảo",
        "sát xếp hạng mức độ phát",
        "triển CPĐT năm 2020 của",
        "Liên Hợp Quốc, xếp hạng",
        "chỉ số phát triển CPĐT của",
        "Việt Nam đứng thứ 86/193",
        "quốc gia, tăng hai bậc so với",
        "năm 2018. Tuy nhiên,",
        "trong khu vực Đông Nam Á",
    ]
    text = "\n".join(lines)
    assert is_wrapped(text)
    first = texts(text)[0]
    assert first.startswith("Cụ thể") and first.endswith("năm 2018.")


def test_chrome_lines_and_footer() -> None:
    assert is_chrome_line("Lượt xem: 665")
    assert is_chrome_line("Giấy phép xuất bản số: 833/GP-BTTTT")
    assert not is_chrome_line("Có 14 bộ, ngành đã ban hành danh mục cơ sở dữ liệu.")
    body = "Tiêu đề bài\n" + "Nội dung có 5 bộ đã hoàn thành. " * 10 + "\nTin cùng chuyên mục\nTỉnh A đạt 99%"
    assert body_end(body) == body.index("Tin cùng chuyên mục")
    assert texts(body)[-1].startswith("Nội dung")


def test_abbreviations_and_single_letters_do_not_end_a_sentence() -> None:
    from dxdata.extract.sentences import _ends_with_abbreviation

    assert _ends_with_abbreviation("tại TP.") and _ends_with_abbreviation("ông (ThS.") and _ends_with_abbreviation("x.")
    assert not _ends_with_abbreviation("Hà Nội.") and not _ends_with_abbreviation(" .. ")
