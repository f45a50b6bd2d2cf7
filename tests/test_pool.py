"""The shared process pool: `map_ordered` gives the in-process results, in order, as they come."""

from __future__ import annotations

import functools

from dxdata.codebook import load_codebook
from dxdata.extract.batches import extract_batch
from dxdata.pool import batches, default_workers, map_ordered


def test_batches_cover_every_item_once_in_order() -> None:
    items = list(range(7))
    assert [list(b) for b in batches(items, 3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [list(b) for b in batches(items, 0)] == [[i] for i in items]  # a size below 1 means 1
    assert list(batches([], 5)) == []


def test_default_workers_is_at_least_one() -> None:
    assert default_workers() >= 1


def test_pool_gives_the_in_process_results_in_order(seed_articles) -> None:
    codebook = load_codebook()
    todo = [list(b) for b in batches(seed_articles, 2)]
    seen: list[int] = []
    pooled = map_ordered(extract_batch, todo, workers=2, on_result=lambda i, _: seen.append(i))
    assert seen == list(range(len(todo)))
    assert [r for batch in pooled for r in batch] == extract_batch(seed_articles, codebook)
    for article, result in zip(seed_articles, [r for batch in pooled for r in batch], strict=True):
        assert result.observations and {o.article_id for o in result.observations} == {article.article_id}


def test_one_worker_runs_in_this_process() -> None:
    calls: list[int] = []
    assert map_ordered(functools.partial(pow, 2), [1, 2, 3], workers=1, on_result=lambda i, _: calls.append(i)) == [
        2,
        4,
        8,
    ]
    assert calls == [0, 1, 2]
