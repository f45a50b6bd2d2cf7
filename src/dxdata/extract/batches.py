"""Extraction of batches of articles in this process (a chunk runs in a worker of `dxdata.pool` as a whole)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dxdata.codebook import Codebook, load_codebook
from dxdata.extract.article import extract_article
from dxdata.models import Article, ExtractionResult

Extractor = Callable[[Sequence[Article], Codebook], list[ExtractionResult]]


def extract_batch(articles: Sequence[Article], codebook: Codebook | None = None) -> list[ExtractionResult]:
    """Extract a batch of articles (one result per article, in order); in a pool worker, the codebook is
    loaded once per process (`load_codebook` is cached)."""
    codebook = codebook or load_codebook()
    return [extract_article(a, codebook) for a in articles]


def extract_batches(
    todo: Sequence[Sequence[Article]],
    codebook: Codebook,
    *,
    on_result: Callable[[int, list[ExtractionResult]], None] | None = None,
    extractor: Extractor | None = None,
) -> list[list[ExtractionResult]]:
    """Results of every batch of `todo`, in order, extracted here (by `extractor`, default `extract_batch`);
    `on_result(i, results)` is called as each batch is done. Chunks, not batches, are what runs in parallel."""
    extract = extractor or extract_batch
    return [_reported(i, extract(batch, codebook), on_result) for i, batch in enumerate(todo)]


def _reported(i: int, results: list[ExtractionResult], on_result: Callable | None) -> list[ExtractionResult]:
    if on_result:
        on_result(i, results)
    return results
