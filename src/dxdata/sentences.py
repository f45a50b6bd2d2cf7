"""Split article text into sentences and clauses, and tell body text from page chrome."""

from __future__ import annotations

import re
from typing import Final

from dxdata.text import StartPattern, char_offsets, skip_spaces

_ABBREVIATIONS: Final = {
    "tp",
    "tt",
    "ts",
    "ths",
    "pgs",
    "gs",
    "bs",
    "ks",
    "ls",
    "nxb",
    "ubnd",
    "hđnd",
    "st",
    "ct",
    "ng",
    "p",
    "q",
    "tx",
    "tt&tt",
    "kh&cn",
    "v.v",
    "vv",
    "mr",
    "ms",
    "dr",
    "no",
    "tr",
    "đ",
    "ô",
    "bà",
}
_END_MARKERS: Final = StartPattern(
    r"^(?:tin cùng chuyên mục|tin liên quan|bài liên quan|bài viết liên quan|tin khác|các tin khác|tin mới|"
    r"tin mới nhất|đọc nhiều|xem nhiều|bình luận|ý kiến bạn đọc|gửi bình luận|xem thêm|>> xem thêm|"
    r"tin tức liên quan|có thể bạn quan tâm|cùng chuyên mục|chia sẻ bài viết|từ khóa|tags?)\b",
    re.IGNORECASE,
)
_CHROME_LINE: Final = StartPattern(
    r"^(?:lượt xem|lượt đọc|lượt truy cập|tổng số lượt truy cập|số lượt truy cập|đang truy cập|đang online|"
    r"giấy phép|tòa soạn|toà soạn|điện thoại|fax|email|e-mail|bản quyền|cơ quan chủ quản|tổng biên tập|"
    r"phó tổng biên tập|địa chỉ|hotline|cỡ chữ|mặc định|ngày đăng|người đăng|đăng ngày|cập nhật|in bài|"
    r"ảnh:|nguồn:|chịu trách nhiệm|trưởng ban biên tập|copyright|©|giọng nữ|giọng nam|đọc bài|nghe bài|"
    r"thứ\s*(?:hai|ba|tư|năm|sáu|bảy|\d)|chủ nhật|date \d{4})",
    re.IGNORECASE,
)
_DATE_ONLY_LINE: Final = re.compile(r"^[\W\d_]*(?:\d{1,2}[/-]\d{1,2}[/-]\d{2,4})[\W\d_a-zA-Z+]*$")


class Sentence:
    """A sentence's span in the article text. Many per article, each a dict key of the extractor's caches.

    A plain class: compiled (setup.py), built by a direct call and hashed by identity. (A `NamedTuple` is
    built by an interpreted `__new__` even there, and hashed field by field.) One object per sentence:
    `split_sentences` makes each once.
    """

    def __init__(self, start: int, end: int, paragraph: int, is_chrome: bool = False) -> None:
        self.start = start
        self.end = end
        self.paragraph = paragraph
        self.is_chrome = is_chrome

    def __repr__(self) -> str:
        return f"Sentence({self.start}, {self.end}, {self.paragraph}, {self.is_chrome})"


def body_end(text: str, lines: list[str] | None = None) -> int:
    """Where the article body ends: the first 'related news / comments' marker line, else the end.

    `lines`: `text.split("\n")`, when the caller has it already.
    """
    pos = 0
    for line in text.split("\n") if lines is None else lines:
        if pos > 200:  # only then is a marker line worth stripping and matching
            stripped = line.strip()
            if len(stripped) < 60 and _END_MARKERS.matches(stripped):
                return pos
        pos += len(line) + 1
    return len(text)


def is_chrome_line(line: str) -> bool:
    """Short lines of page furniture: counters, licences, bylines, date stamps."""
    stripped = line.strip()
    if not stripped:
        return True
    if len(stripped) < 120 and _CHROME_LINE.matches(stripped):
        return True
    return len(stripped) < 60 and bool(_DATE_ONLY_LINE.match(stripped))


def is_wrapped(text: str, lines: list[str] | None = None) -> bool:
    """True for text cut into short lines mid-sentence (PDF columns): lines are not paragraphs there.

    `lines`: `text.split("\n")`, when the caller has it already.
    """
    filled = short_open = 0
    for line in text.split("\n") if lines is None else lines:
        # `line.rstrip()[-1:] in _LINE_END_CHARS` is `re.search(r"[.!?:;…\"”)]\s*$", line)`: `\s` is what rstrip strips
        end = line.rstrip()[-1:]
        if end:
            filled += 1
            if len(line) < 70 and end not in _LINE_END_CHARS:
                short_open += 1
    return filled >= 8 and short_open > 0.5 * filled


_LINE_END_CHARS: Final = frozenset('.!?:;…"”)')
_BLANK_LINE: Final = re.compile(r"\n\s*\n")


def _paragraphs(text: str, lines: list[str] | None = None) -> list[tuple[int, int]]:
    """Paragraph spans: lines, or blocks between blank lines when the text is wrapped.

    `lines`: `text.split("\n")`, when the caller has it already.
    """
    if lines is None:
        lines = text.split("\n")
    spans = []
    if is_wrapped(text, lines):
        pos = 0
        for m in _BLANK_LINE.finditer(text):
            spans.append((pos, m.start()))
            pos = m.end()
        spans.append((pos, len(text)))
        return [(s, e) for s, e in spans if text[s:e].strip()]
    pos = 0
    for line in lines:
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their offsets; text after `body_end` and chrome lines are marked chrome."""
    lines = text.split("\n")
    limit = body_end(text, lines)
    # a sentence end follows one of .!?… (its lookbehind): the pattern is tried only just after one
    punctuation_ends = [p + 1 for p in char_offsets(text, _END_PUNCTUATION_CHARS, 0, len(text))]
    i = 0
    out: list[Sentence] = []
    for para_index, (para_start, para_end) in enumerate(_paragraphs(text, lines)):
        para = text[para_start:para_end]
        chrome = para_start >= limit or ("\n" not in para and is_chrome_line(para))
        piece_start = para_start
        while i < len(punctuation_ends) and punctuation_ends[i] <= para_start:
            i += 1
        # a sentence end on the paragraph alone: read in the text up to `para_end`
        pos = para_start
        while i < len(punctuation_ends) and punctuation_ends[i] <= para_end:
            p = punctuation_ends[i]
            i += 1
            if p < pos:
                continue
            gap_end = _sentence_gap_end(text, p, para_end)
            if gap_end < 0:
                continue
            pos = gap_end
            if _ends_with_abbreviation(text, piece_start, p):
                continue
            out.append(Sentence(piece_start, p, para_index, chrome))
            piece_start = gap_end
        if piece_start < para_end:
            out.append(Sentence(piece_start, para_start + len(para.rstrip()), para_index, chrome))
    return out


_END_PUNCTUATION_CHARS: Final = ".!?…"  # a sentence ends after one of these
_CLOSING_CHARS: Final = frozenset("\"”’)")  # may close the sentence after its punctuation
_OPENING_CHARS: Final = frozenset("\"“‘(")  # may open the next sentence before its first letter


def _sentence_gap_end(text: str, p: int, end: int) -> int:
    r"""Where the gap between two sentences ends (the next one starts), given the sentence-ending punctuation
    just before `p`; -1 where no sentence ends there. Read within `text[:end]`.

    The gap is closing quotes or brackets, then spaces; the next sentence starts with a capital letter (any
    letter from "À" to "Ỹ" counts) or a digit, after perhaps an opening quote or bracket. This is
    `(?<=[.!?…])["”’)]*\s+(?=["“‘(]?[A-ZÀ-ỸĐ0-9])` matched at `p`, read character by character: the regex
    is tried after every full stop, most of them in numbers and abbreviations.
    """
    q = p
    while q < end and text[q] in _CLOSING_CHARS:
        q += 1
    gap_end = skip_spaces(text, q, end)
    while gap_end > q:  # the longest run of spaces first, as the regex gives them back
        if _starts_sentence(text, gap_end, end):
            return gap_end
        gap_end -= 1
    return -1


def _starts_sentence(text: str, pos: int, end: int) -> bool:
    if pos >= end:
        return False
    if text[pos] in _OPENING_CHARS and pos + 1 < end and _is_capital_or_digit(text[pos + 1]):
        return True
    return _is_capital_or_digit(text[pos])


def _is_capital_or_digit(ch: str) -> bool:
    """`[A-ZÀ-ỸĐ0-9]`: the range from "À" to "Ỹ" holds lower-case letters too, and U+1680, a space."""
    return "A" <= ch <= "Z" or "À" <= ch <= "Ỹ" or "0" <= ch <= "9"


def _ends_with_abbreviation(text: str, start: int, end: int) -> bool:
    """Whether the piece `text[start:end]` ends with an abbreviation ("TP.", "ThS.") or a single letter.

    Its last word is that of `piece.rstrip(".").rsplit(None, 1)`, read backwards from `end` in the text:
    no copy of the piece, nor of all but its last word.
    """
    word_end = end
    while word_end > start and text[word_end - 1] == ".":
        word_end -= 1
    while word_end > start and text[word_end - 1].isspace():  # `rsplit(None)` ignores trailing whitespace
        word_end -= 1
    if word_end == start:
        return False
    word_start = word_end - 1
    while word_start > start and not text[word_start - 1].isspace():
        word_start -= 1
    last = text[word_start:word_end].lower().strip('("“')
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())
