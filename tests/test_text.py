"""The fast scanning helpers of `dxdata.text` answer exactly like the plain `re` calls they stand for."""

from __future__ import annotations

import _sre
import random
import re

import pytest

from dxdata import text as T
from dxdata.text import EndPattern, EndRules, StartPattern


def test_no_character_above_the_bmp_lowercases_into_it_or_is_a_space() -> None:
    """What `_bmp_tables` relies on to scan the Basic Multilingual Plane only."""
    for code in range(T._BMP, 0x110000):
        assert _sre.unicode_tolower(code) >= T._BMP, hex(code)
        assert not chr(code).isspace(), hex(code)
    assert all(c < T._BMP for low, extra in T._EXTRA_CASES.items() for c in (low, *extra))


@pytest.mark.parametrize("letter", ["a", "A", "i", "I", "k", "s", "đ", "Đ", "ứ", "ỹ", "µ", "ß", "1", "-", " "])
def test_ignorecase_class_is_what_re_matches(letter: str) -> None:
    rx = re.compile(re.escape(letter), re.IGNORECASE)
    everything = T._bmp_tables()[1]
    expected = [ord(ch) for ch in everything if rx.fullmatch(ch)]
    assert T._ignorecase_class(ord(letter)) == expected


_PIECES = [
    "số", "Số", "SỐ", "thứ", "THỨ", "mức", "mức độ", "tăng", "tăng thêm", "top", "ngày", "của", "x", "ab",
    "12", "-", ",", "(", ":", ".", " ", "  ", "\n", "\t", "\u1680", "\u00a0", "ſ", "ı", "İ", "K", "ẞ", "ß",
]
_PATTERNS = [
    (r"(?:số|thứ|tăng|tăng thêm|tăng trưởng)\s*$", re.IGNORECASE),
    (r"(?:^|[\s(,:])(?:số|của)(?:\s+(?:mức|số))?\s*$", re.IGNORECASE),
    (r"(?:top|mức(?:\s+[a-zà-ỹđ]+){0,2})\s*-?\s*$", re.IGNORECASE),
    (r"\bcủa\s*$", 0),
    (r"\d\s*(?:,|và)\s*thứ\s*$", 0),
    (r"(?:ngày|thứ \w+),?\s+$", re.IGNORECASE),
    (r"(?:số|SỐ|x)[\s:.()]*$", re.IGNORECASE),
    (r"(?:ab|a)(?:b|)\s*?$", re.IGNORECASE),
    (r"ß\s*$", re.IGNORECASE),
    (r"[^x]\s+$", re.IGNORECASE),
    (r"(?:số|ab)-*$", 0),  # a run that holds no line break: `$` may still match before a final one
    (r"(?:số)?\s*$", 0),  # can match empty: no last character to look for
]


def _fuzz(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 8))) for _ in range(n)]


def test_end_patterns_answer_like_re_search() -> None:
    patterns = [EndPattern(source, flags) for source, flags in _PATTERNS]
    for text in _fuzz(4000, 3):
        rev = text[::-1]
        for p in patterns:
            expected = p.pattern.search(text) is not None
            assert p.search(text) == expected, (p.pattern.pattern, text)
            assert p.search_reversed(rev, 5) == (p.pattern.search(text[-5:]) is not None), (p.pattern.pattern, text)


def test_end_rules_answer_like_each_rule() -> None:
    patterns = [EndPattern(source, flags) for source, flags in _PATTERNS]
    rules = EndRules(patterns)
    for text in _fuzz(2000, 4):
        rev = text[::-1]
        for width in (1 << 30, 6, 0):
            window = text[-width:] if width else ""
            assert rules.search_reversed(rev, width) == tuple(p.pattern.search(window) is not None for p in patterns)


def test_end_pattern_knows_the_character_a_match_ends_with() -> None:
    skip, chars = EndPattern(r"(?:số|thứ|của)\s*$", re.IGNORECASE)._last_chars()
    assert chars == {"ố", "Ố", "ứ", "Ứ", "a", "A"} and "\n" in skip and " " in skip and "\u00a0" in skip
    skip, chars = EndPattern(r"(?:số|ab)-*$")._last_chars()
    assert skip == "\n-" and chars == {"ố", "b"}
    assert EndPattern(r"(?:số)?\s*$")._last_chars()[1] is None  # a match may end with the spaces alone
    assert EndPattern(r"\w\s*$")._last_chars()[1] is None  # not listed
    rules = EndRules([EndPattern(r"số\s*$"), EndPattern(r"thứ\s*$")])
    assert rules.search_reversed("đạt  "[::-1]) is rules._no  # no rule ends with "t": no match tried
    assert rules.search_reversed("xếp thứ "[::-1]) == (False, True)


_START_PATTERNS = [
    (r"^\s*(?:số|thứ|tăng|tăng thêm|h\d|h\b)\b", re.IGNORECASE),
    (r"^\s+(?:của|về|số)\b", re.IGNORECASE),
    (r"\s*[/.-]", 0),
    (r"\s+[a-zà-ỹđ]", 0),  # the class holds a space (U+1680): its first characters are read as a whole
    (r"(?<=[.:])[\"”)]*\s+(?=[A-ZĐ0-9])", 0),
    (r"^(?:tin|tags?|ß|k)\b", re.IGNORECASE),
    (r"^\s*(?:-|–|đến|tới mức)\s*$", re.IGNORECASE),
    (r"\s*(?:x|)", 0),  # may match empty: never filtered
    (r"[^x]y", 0),  # a negated class: not known, never filtered
    (r"\s?số", 0),  # a bounded run of spaces: filtered on its own first characters
    (r"\A(?:số|sáu)\Z", re.IGNORECASE),
    (r"^\s*(?:thứ|x)\s*$", re.IGNORECASE | re.MULTILINE),  # `^` and `$` at line breaks too
    (r"(?:đ|đến|tăng)(?:\s+(?:lên|thêm))*\s*(?:x|y)?", re.IGNORECASE),
]


def test_start_patterns_match_like_re() -> None:
    patterns = [(StartPattern(source, flags), re.compile(source, flags)) for source, flags in _START_PATTERNS]
    for text in _fuzz(3000, 5):
        for start_pattern, rx in patterns:
            for pos, endpos in ((0, len(text)), (1, len(text)), (2, 5), (-3, 100)):
                got, expected = start_pattern.match(text, pos, endpos), rx.match(text, pos, endpos)
                assert (got and got.span()) == (expected and expected.span()), (rx.pattern, text, pos, endpos)
                assert start_pattern.matches(text, pos, endpos) == (expected is not None), (rx.pattern, text, pos)


def test_start_patterns_of_the_extractor_answer_like_re() -> None:
    """`matches` (the rewritten pattern) of every `StartPattern` the extractor uses, against `re` itself."""
    from dxdata import extract, numbers, periods, sentences

    modules = (extract, numbers, periods, sentences)
    patterns = [v for module in modules for v in vars(module).values() if isinstance(v, StartPattern)]
    assert len(patterns) >= 10
    # texts of the patterns' own words, in both cases, with spaces and signs between them
    words = sorted({w for p in patterns for w in re.findall(r"[^\W\d_]+(?:\\? [^\W\d_]+)*", p.pattern.pattern)})
    pieces = [*words, *(w.upper() for w in words), " ", "  ", "\n", ",", "-", "/", ".", "3", "x", ". T"]
    rng = random.Random(10)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(3000)]
    for text in texts:
        for p in patterns:
            for pos in (0, 1, 3):
                assert p.matches(text, pos) == (p.pattern.match(text, pos) is not None), (p.pattern.pattern, text, pos)


def test_start_pattern_is_rewritten_to_fail_fast() -> None:
    fast = StartPattern(r"^\s*(?:tin|tin khác|tags?)\b", re.IGNORECASE)._fast_pattern()
    assert not fast.flags & re.IGNORECASE
    assert fast.pattern.count("[Tt]") == 1  # the three words share one test of their first letter
    exact, anchored = StartPattern(r"\s*[/.-]"), StartPattern(r"^\s*[/.-]")
    assert exact.matches(" /") and exact._exact and not anchored._exact  # the filter alone answers the first
    lookbehind = StartPattern(r"(?<=[.])\s+")
    assert lookbehind._fast_pattern() is lookbehind.pattern  # not rewritten: the pattern itself answers


def test_start_pattern_knows_the_first_characters() -> None:
    """What the filter is built from: spaces to skip, then the characters a match can start with."""
    spaces, chars = StartPattern(r"^\s*(?:bậc|hạng)\b", re.IGNORECASE)._first()
    assert spaces == 0 and chars == frozenset("bBhH")
    spaces, chars = StartPattern(r"^\s+lần", re.IGNORECASE)._first()
    assert spaces == 1 and chars == frozenset("lL")
    assert StartPattern(r"\s*(?:x|)")._first() == (-1, None)  # may match empty
    assert StartPattern(r"\wx")._first() == (-1, None)  # `\w`: too many characters to list, not filtered


def test_mirror_is_rewritten_to_fail_fast() -> None:
    """Spelled-out case, merged alternatives, a possessive run of spaces: the three rewrites of `_mirror`."""
    mirror = EndPattern(r"(?:tăng|tăng thêm)\s*$", re.IGNORECASE)._mirror
    assert not mirror.flags & re.IGNORECASE
    assert mirror.pattern.count("[Gg][Nn][Ăă][Tt]") == 1
    assert "{0,}+" in mirror.pattern


@pytest.mark.parametrize(
    "text",
    [
        "Đà Nẵng có 1.234\ndịch vụ, đạt 80,2%",
        "Hoà Bình 2023\n\n😀 12",  # beyond the Basic Multilingual Plane
        "",
        "\ud800 lone surrogate 7",
        "İstanbul 12",  # lower-cases to one character more
        "ΟΔΟΣ ΣΑΣ 5",  # the Greek capital sigma lower-cases by its neighbours
        "Số \uffff 9",  # U+FFFF: the table's mark for "ask `str.lower`"
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
    assert views.folded_bytes is None and views.lowered_bytes is None  # no matchers named


@pytest.mark.parametrize(
    "text",
    ["Đà Nẵng có 1.234\ndịch vụ, đạt 80,2%", "Hoà Bình 2023\n\n😀 12", "", "İstanbul 12", "Số \uffff 9", "HA NOI ha"],
)
def test_view_table_encodes_each_view_as_its_matcher_does(text: str) -> None:
    fold_reader = T.Matcher({"da nang": 1, "dich vu": 2, "ha noi": 3})
    lower_reader = T.Matcher({"đà nẵng": 1, "hoà bình": 2, "ha noi": 3, "số": 4})
    views = T.ViewTable(fold_reader, lower_reader).views(text)
    assert (views.folded, views.lowered, views.runs) == tuple(T.text_views(text)[:3])
    readers = ((views.folded, views.folded_bytes, fold_reader), (views.lowered, views.lowered_bytes, lower_reader))
    for view, encoded, matcher in readers:
        if encoded is not None:  # None beyond the plane, or where the lower-case view is not the table's
            assert view is not None and encoded == matcher._encode(view, matcher.byte_table)
            assert matcher.iter(view, encoded) == matcher.iter(view)
    assert (views.folded_bytes is None) == ("😀" in text)
    assert (views.lowered_bytes is None) == ("😀" in text or "İ" in text or "\uffff" in text)


def test_lower_case_view_equals_str_lower_over_the_plane() -> None:
    from dxdata.text import text_views

    rng = random.Random(7)
    plane = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000]
    for _ in range(200):
        text = "".join(rng.choice(plane) for _ in range(300))
        low = text.lower()
        assert text_views(text).lowered == (low if len(low) == len(text) else None)


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


def test_mirror_patterns_are_compiled_once() -> None:
    """Compiled by mypyc, a `functools.cached_property` would build the mirror on every call (50 times slower)."""
    rule = EndPattern(r"(?:số|nghị định)\s*$", re.IGNORECASE)
    assert rule._mirror is rule._mirror and rule.mirror_source is rule.mirror_source
    rules = EndRules([rule, EndPattern(r"thứ\s*$", re.IGNORECASE)])
    # (compared by their parts: mypyc hands out a tuple attribute as a new tuple of the same objects)
    assert rules._by_last_char()[0] is rules._by_last_char()[0]
    assert rule._last_chars()[1] is rule._last_chars()[1] is not None
    assert rules.search_reversed("Nghị định số "[::-1]) == (True, False)


def test_char_offsets_are_the_matches_of_a_class() -> None:
    from dxdata.text import char_offsets

    for text in [*(t.replace("x", ";") for t in _fuzz(500, 12)), "a;b:c;;d", ":", ""]:
        for start, end in ((0, len(text)), (1, len(text) - 1), (2, 2)):
            expected = [m.start() for m in re.compile("[;:]").finditer(text, start, end)]
            assert char_offsets(text, ";:", start, end) == expected, (text, start, end)
    assert char_offsets("x; y; z", ";", 0, 7) == [1, 4]


def test_count_below_is_bisect_left() -> None:
    from bisect import bisect_left

    from dxdata.text import count_below

    rng = random.Random(14)
    for _ in range(500):
        ascending = sorted(rng.randint(0, 30) for _ in range(rng.randint(0, 12)))
        for bound in range(-2, 34):
            assert count_below(ascending, bound) == bisect_left(ascending, bound), (ascending, bound)


def test_heads_are_the_first_characters_every_match_reads() -> None:
    """`heads`: the strings of two or three characters a match must start with (read backwards for `EndPattern`)."""
    start = StartPattern(r"^\s*(?:bậc|hạng)\b", re.IGNORECASE)
    start._first()
    k, heads = start.heads
    assert k == 3 and heads is not None and {"bậc", "BẬC", "hạn", "HẠN"} <= heads and len(heads) == 16
    assert not start.may_match(" hạ") and not start.may_match("  hàng") and start.may_match(" Hạng")
    end = EndPattern(r"(?:số|thứ)\s*$")
    end._last_chars()
    assert end.heads == (2, frozenset({"ốs", "ứh"}))  # the last two characters, reversed
    assert not end.search_reversed("cố "[::-1]) and end.search_reversed("thứ  "[::-1])
    repeated = StartPattern(r"(?:ab){2,}c")
    repeated._first()
    assert repeated.heads == (3, frozenset({"aba"}))
    for source in (r"(?:số|x)", r"\s*(?:số|\w+)", r"(?:a?)*bc"):  # a one-character match, `\w`, an empty repeat
        pattern = StartPattern(source)
        pattern._first()
        assert pattern.heads == (0, None), source
