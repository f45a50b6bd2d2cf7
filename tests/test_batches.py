"""Extraction of batches in this process: one result per article, in order, by the given extractor."""

from __future__ import annotations

from dxdata.codebook import load_codebook
from dxdata.extract.batches import extract_batch, extract_batches
from dxdata.pool import batches


def test_batches_give_the_results_of_one_batch_in_order(seed_articles) -> None:
    codebook = load_codebook()
    seen: list[int] = []
    done = extract_batches(list(batches(seed_articles, 2)), codebook, on_result=lambda i, _: seen.append(i))
    assert seen == [0, 1, 2]
    assert [r for batch in done for r in batch] == extract_batch(seed_articles, codebook)


def test_custom_extractor_runs_in_process(seed_articles) -> None:
    calls: list[int] = []

    def counting(batch, codebook):
        calls.append(len(batch))
        return extract_batch(batch, codebook)

    extract_batches(list(batches(seed_articles, 2)), load_codebook(), extractor=counting)
    assert calls == [2, 2, 1]
