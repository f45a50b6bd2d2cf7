"""Batches and the extraction process pool: same results, same order, as extracting in-process."""

from __future__ import annotations

from pathlib import Path

from dxdata.batching import batches, default_workers, extract_batch, extract_batches
from dxdata.codebook import load_codebook

SEEDS = Path(__file__).resolve().parents[1] / "data" / "raw"


def test_batches_cover_every_item_once_in_order() -> None:
    items = list(range(7))
    assert [list(b) for b in batches(items, 3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [list(b) for b in batches(items, 0)] == [[i] for i in items]  # a size below 1 means 1
    assert list(batches([], 5)) == []


def test_default_workers_is_at_least_one() -> None:
    assert default_workers() >= 1


def test_pool_gives_the_in_process_results_in_order(seed_articles) -> None:
    codebook = load_codebook()
    todo = list(batches(seed_articles, 2))
    seen: list[int] = []
    pooled = extract_batches(todo, codebook, workers=2, on_result=lambda i, _: seen.append(i))
    assert seen == list(range(len(todo)))
    assert [r for batch in pooled for r in batch] == extract_batch(seed_articles, codebook)
    for article, result in zip(seed_articles, [r for batch in pooled for r in batch], strict=True):
        assert result.observations and {o.article_id for o in result.observations} == {article.article_id}


def test_custom_extractor_runs_in_process(seed_articles) -> None:
    calls: list[int] = []

    def counting(batch, codebook):
        calls.append(len(batch))
        return extract_batch(batch, codebook)

    extract_batches(list(batches(seed_articles, 2)), load_codebook(), workers=2, extractor=counting)
    assert calls == [2, 2, 1]
