"""Split article text into sentences and clauses, and tell body text from page chrome."""

from __future__ import annotations

import re
from typing import Final

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
# the marker and chrome-line rules read a line lower-cased (case-insensitive, written in lower case)
_END_MARKERS: Final = re.compile(
    r"^(?:tin cùng chuyên mục|tin liên quan|bài liên quan|bài viết liên quan|tin khác|các tin khác|tin mới|"
    r"tin mới nhất|đọc nhiều|xem nhiều|bình luận|ý kiến bạn đọc|gửi bình luận|xem thêm|>> xem thêm|"
    r"tin tức liên quan|có thể bạn quan tâm|cùng chuyên mục|chia sẻ bài viết|từ khóa|tags?)\b",
)
_CHROME_LINE: Final = re.compile(
    r"^(?:lượt xem|lượt đọc|lượt truy cập|tổng số lượt truy cập|số lượt truy cập|đang truy cập|đang online|"
    r"giấy phép|tòa soạn|toà soạn|điện thoại|fax|email|e-mail|bản quyền|cơ quan chủ quản|tổng biên tập|"
    r"phó tổng biên tập|địa chỉ|hotline|cỡ chữ|mặc định|ngày đăng|người đăng|đăng ngày|cập nhật|in bài|"
    r"ảnh:|nguồn:|chịu trách nhiệm|trưởng ban biên tập|copyright|©|giọng nữ|giọng nam|đọc bài|nghe bài|"
    r"thứ\s*(?:hai|ba|tư|năm|sáu|bảy|\d)|chủ nhật|date \d{4})",
)
_DATE_ONLY_LINE: Final = re.compile(r"^[\W\d_]*(?:\d{1,2}[/-]\d{1,2}[/-]\d{2,4})[\W\d_a-zA-Z+]*$")


class Sentence:
    """A sentence's span in the article text. Many per article, each a dict key of the extractor's caches:
    hashed by identity (`split_sentences` makes each once)."""

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
            if len(stripped) < 60 and _END_MARKERS.match(stripped.lower()):
                return pos
        pos += len(line) + 1
    return len(text)


def is_chrome_line(line: str) -> bool:
    """Short lines of page furniture: counters, licences, bylines, date stamps."""
    stripped = line.strip()
    if not stripped:
        return True
    if len(stripped) < 120 and _CHROME_LINE.match(stripped.lower()):
        return True
    return len(stripped) < 60 and bool(_DATE_ONLY_LINE.match(stripped))


def is_wrapped(text: str, lines: list[str] | None = None) -> bool:
    """True for text cut into short lines mid-sentence (PDF columns): lines are not paragraphs there.

    `lines`: `text.split("\n")`, when the caller has it already.
    """
    filled = short_open = 0
    for line in text.split("\n") if lines is None else lines:
        end = line.rstrip()[-1:]  # its last character that is not a space
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
    out: list[Sentence] = []
    for para_index, (para_start, para_end) in enumerate(_paragraphs(text, lines)):
        para = text[para_start:para_end]
        chrome = para_start >= limit or ("\n" not in para and is_chrome_line(para))
        piece_start = para_start
        for m in _SENTENCE_END.finditer(text, para_start, para_end):  # read on the paragraph alone
            end = m.start() + 1  # just after the punctuation
            if _ends_with_abbreviation(text[piece_start:end]):
                continue
            out.append(Sentence(piece_start, end, para_index, chrome))
            piece_start = m.end()
        if piece_start < para_end:
            out.append(Sentence(piece_start, para_start + len(para.rstrip()), para_index, chrome))
    return out


# A sentence ends with one of .!?…, then perhaps closing quotes or brackets, then spaces; the next one starts
# with a capital letter (any letter from "À" to "Ỹ" counts) or a digit, after perhaps an opening quote or bracket.
_SENTENCE_END: Final = re.compile(r"[.!?…][\"”’)]*\s+(?=[\"“‘(]?[A-ZÀ-ỸĐ0-9])")


def _ends_with_abbreviation(piece: str) -> bool:
    """Whether the piece ends with an abbreviation ("TP.", "ThS.") or a single letter."""
    words = piece.rstrip(".").rsplit(None, 1)
    if not words:
        return False
    last = words[-1].lower().strip('("“')
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())
