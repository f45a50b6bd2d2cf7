"""The text helpers of `dxdata.text`: normalization, the views of an article, the automaton, the rule patterns."""

from __future__ import annotations

import random
import re

import pytest

from dxdata import text as T

_PIECES = [
    "số", "Số", "SỐ", "thứ", "THỨ", "mức", "mức độ", "tăng", "tăng thêm", "top", "ngày", "của", "x", "ab",
    "12", "-", ",", "(", ":", ".", " ", "  ", "\n", "\t", "\u1680", "\u00a0", "ſ", "ı", "İ", "K", "ẞ", "ß",
]  # fmt: skip


def _fuzz(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 8))) for _ in range(n)]


@pytest.mark.parametrize(
    "text",
    [
        "Đà Nẵng có 1.234\ndịch vụ, đạt 80,2%",
        "Hoà Bình 2023\n\n😀 12",  # beyond the Basic Multilingual Plane
        "",
        "\ud800 lone surrogate 7",
        "İstanbul 12",  # lower-cases to one character more
        "ΟΔΟΣ ΣΑΣ 5",  # the Greek capital sigma lower-cases by its neighbours
        "ĐẠT 3\u3000Ｔ４",  # ideographic space, full-width letter and digit
    ],
)
def test_text_views_equal_each_view_on_its_own(text: str) -> None:
    from dxdata.text import digit_runs, fold_accents, fold_flat, text_views

    views = text_views(text)
    folded, lowered, runs = views.folded, views.lowered, views.runs
    assert folded == fold_flat(text) == fold_accents(text).replace("\n", " ")
    assert fold_accents(text) == text.translate(T._FOLD)  # the table look-up is `str.translate`
    assert lowered == (text.lower() if len(text.lower()) == len(text) else None)
    assert runs == digit_runs(text) == [m.span() for m in re.finditer(r"\d+", text)]


def test_matcher_reports_every_occurrence_by_end_longest_first() -> None:
    matcher = T.Matcher({"ha noi": "city", "noi": "word", "ha": "syllable", "oi": "tail"})
    assert matcher.iter("tp ha noi, ha") == [
        (4, "syllable"),  # "ha" ends at 4
        (8, "city"),  # "ha noi", "noi" and "oi" all end at 8: the longest first
        (8, "word"),
        (8, "tail"),
        (12, "syllable"),
    ]
    assert sorted(matcher.items()) == [("ha", "syllable"), ("ha noi", "city"), ("noi", "word"), ("oi", "tail")]


def test_matcher_offsets_count_characters_not_bytes() -> None:
    matcher = T.Matcher({"đà nẵng": 1})
    text = "Tại thành phố đà nẵng"
    [(last, value)] = matcher.iter(text)
    assert text[last - len("đà nẵng") + 1 : last + 1] == "đà nẵng" and value == 1


@pytest.mark.parametrize("text", ["ha noi 😀 ha noi", "ha \ud800noi", "", "noi\uffffha noi", "HA NOI ha noi"])
def test_matcher_reads_any_text_as_a_str_automaton_would(text: str) -> None:
    """One byte per character (emoji, lone surrogates and characters no key holds included), or `str` where
    the keys hold more than 255 distinct characters: the same occurrences, in the same order."""
    keys = {"ha noi": 1, "noi": 2, "ha": 3, "oi": 4, "i": 5}
    many = {**keys, **{chr(0x4E00 + i): 6 for i in range(300)}}  # 300 CJK keys: past one byte per character
    wide = T.Matcher(many)
    assert T.Matcher(keys)._bytes_dfa is not None and wide._dfa is not None
    by_length = sorted(keys, key=len, reverse=True)  # where several end at one character: the longest first
    expected = [(k, keys[key]) for k in range(len(text)) for key in by_length if text.endswith(key, 0, k + 1)]
    assert T.Matcher(keys).iter(text) == expected
    if "\ud800" not in text:  # the `str` automaton reads UTF-8, which has no lone surrogates
        assert wide.iter(text) == expected


def test_matcher_without_keys_finds_nothing() -> None:
    assert T.Matcher({}).iter("anything") == []


def test_anchors_list_overlapping_starts_per_literal() -> None:
    assert T.Anchors(["năm", "năm 2023", "ba"]).find("năm năm 2023 ba") == {
        "năm": [0, 4],
        "năm 2023": [4],
        "ba": [13],
    }


def test_the_icelandic_eth_reads_as_the_vietnamese_d() -> None:
    assert T.normalize_text("tỉnh Bình Ðịnh, ðường") == "tỉnh Bình Định, đường"
