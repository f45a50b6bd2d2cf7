"""Cue parts and body names found in folded text: the combined scan, the index and its packed keys."""

from __future__ import annotations

import random
from pathlib import Path

from dxdata.codebook import load_codebook
from dxdata.extract.cues import _hit_key, body_hits, cue_index, scan_article
from dxdata.ingest import read_raw_folder
from dxdata.text import fold_flat

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def _occurrences(index_hits: dict[int, list[tuple[int, int]]]) -> list[tuple[int, int, int]]:
    return sorted((s, e, pid) for pid, spans in index_hits.items() for s, e in spans)


def test_one_scan_finds_what_the_two_scans_find() -> None:
    """`scan_article` (cue parts and body names from one automaton pass) against `cue_index` and `body_hits`."""
    book = load_codebook()
    articles, _ = read_raw_folder(RAW)
    assert articles
    for article in articles:
        folded = fold_flat(article.text)
        index, bodies = scan_article(book, folded)
        alone = cue_index(book, folded)
        everything = _occurrences(index.hits_in(0, len(folded)))
        assert everything, article.article_id
        assert everything == _occurrences(alone.hits_in(0, len(folded)))
        assert bodies == body_hits(book, folded)
        for start in range(0, len(folded), 97):  # any window: the occurrences wholly inside it
            end = start + 400
            inside = [(s, e, pid) for s, e, pid in everything if start <= s and e <= end]
            assert _occurrences(index.hits_in(start, end)) == inside


def test_cue_parts_are_found_on_word_boundaries() -> None:
    book = load_codebook()
    folded = fold_flat("Tỷ lệ hộ gia đình sử dụng cáp quang đạt 80,2%. Xcap quangx không tính.")
    index, _ = scan_article(book, folded)
    spans = _occurrences(index.hits_in(0, len(folded)))
    fibre = [s for s, e, _ in spans if folded[s:e] == "cap quang"]
    assert fibre == [folded.find("cap quang")]  # not the one glued into "xcap quangx"
    assert folded.find("cap quang", fibre[0] + 1) > fibre[0]


def test_hit_keys_sort_as_their_tuples() -> None:
    rng = random.Random(16)
    for length in (0, 1, 7, 6728, 1 << 21):
        width = length.bit_length()
        hits = []
        for _ in range(300):
            start = rng.randint(0, max(length - 1, 0))
            hits.append((start, rng.randint(start, length), rng.randint(0, (1 << 20) - 1)))
        assert sorted(hits, key=lambda h: _hit_key(*h, width)) == sorted(hits)
