"""Sentences, clauses and page chrome."""

from __future__ import annotations

from dxdata.sentences import body_end, is_chrome_line, is_wrapped, split_sentences


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


def test_sentence_gap_is_read_as_the_regex_matches_it() -> None:
    """`_sentence_gap_end` against the regex it reads by hand, after every punctuation mark of fuzzed text."""
    import random
    import re

    from dxdata.sentences import _sentence_gap_end

    rule = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-ZÀ-ỸĐ0-9])")
    pieces = [".", "!", "?", "…", '"', "”", "’", ")", "“", "‘", "(", " ", "  ", "\n", "\u00a0", "\u1680", "A", "Đ",
              "à", "ỹ", "ỳ", "z", "7", "x", ",", "Ỹ", "\u1ef9"]  # fmt: skip
    rng = random.Random(15)
    ends = 0
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        for p in range(1, len(text) + 1):
            if text[p - 1] not in ".!?…":
                continue
            for end in (len(text), max(p, len(text) - 2)):
                m = rule.match(text, p, end)
                assert _sentence_gap_end(text, p, end) == (m.end() if m else -1), (text, p, end)
                ends += m is not None
    assert ends > 250  # the texts hold sentence ends, not only misses


def test_last_word_is_read_as_rsplit_reads_it() -> None:
    """`_ends_with_abbreviation` reads the last word backwards in the text, as `rstrip(".").rsplit(None, 1)` would."""
    import random

    from dxdata.sentences import _ABBREVIATIONS, _ends_with_abbreviation

    def by_split(piece: str) -> bool:
        words = piece.rstrip(".").rsplit(None, 1)
        last = words[-1].lower().strip('("“') if words else ""
        return bool(words) and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()))

    pieces = ["TP", "ThS", "ông", "x", "(", "“", ".", "..", " ", "  ", "\n", "\u00a0", "Hà Nội", "7"]
    rng = random.Random(17)
    hits = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        for start, end in ((0, len(text)), (1, len(text)), (0, max(len(text) - 1, 0))):
            if start <= end:
                assert _ends_with_abbreviation(text, start, end) == by_split(text[start:end]), (text, start, end)
                hits += by_split(text[start:end])
    assert hits > 1000
