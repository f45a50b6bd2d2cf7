"""The whole refresh as one plain function: ingest, plan chunks, build them, publish.

`dxdata refresh --no-prefect`, the tests, notebooks and benchmarks run this; the Prefect flow in
`flows/refresh.py` runs the same functions as tasks.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from dxdata.batching import map_ordered
from dxdata.build import build_chunk, build_version, plan_chunks, reuse_chunk
from dxdata.codebook import load_codebook
from dxdata.incremental import ExtractionCache, article_key, cache_dir_for, cache_version, read_raw_folder_cached
from dxdata.ingest import read_raw_folder
from dxdata.pipeline import RefreshSummary
from dxdata.store import VersionWriter

log = logging.getLogger("dxdata.refresh")


class Stopwatch:
    """`with clock("stage"):` adds the seconds the block took to ``timings["stage"]`` (if timings is a dict)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            if self.timings is not None:
                self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - started


def run_refresh(
    raw_dir: Path | str,
    out_dir: Path | str,
    *,
    batch_size: int = 500,
    cached: bool = False,
    workers: int = 1,
    on_batch: Callable[[int, int], None] | None = None,
    timings: dict[str, float] | None = None,
) -> RefreshSummary:
    """Build the dataset from `raw_dir` and publish a new version under `out_dir` if anything changed.

    The articles are built in chunks of about `batch_size` (`dxdata.build`). With `cached`, files,
    extraction results and whole chunks unchanged since the last run are reused (``out_dir/cache``
    and the latest version); without, everything is redone, which is the reference the cached path is
    tested against. `workers` > 1 builds chunks in a process pool. `on_batch(done, total)` reports
    progress; `timings`, when given, receives the seconds spent per stage.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    clock = Stopwatch(timings)
    codebook = load_codebook()
    version = cache_version(codebook)
    with contextlib.ExitStack() as stack:
        cache_dir = cache_dir_for(out_dir) if cached else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        with clock("ingest"):
            if cached:
                articles, file_rejects, _ = read_raw_folder_cached(raw_dir, cache_dir)
            else:
                articles, file_rejects = read_raw_folder(raw_dir)
        log.info("ingest: %d articles read, %d files rejected", len(articles), len(file_rejects))
        writer = stack.enter_context(VersionWriter(out_dir))
        with clock("plan"):
            chunks = plan_chunks(articles, version, batch_size)
            reused = {c.index: out for c in chunks if cached and (out := reuse_chunk(c, writer)) is not None}
            todo = [c for c in chunks if c.index not in reused]
        log.info(
            "plan: %d chunks, %d unchanged since the last version, %d to build", len(chunks), len(reused), len(todo)
        )
        with clock("build"):
            done = (lambda i, _: on_batch(i + 1, len(todo))) if on_batch else None
            if on_batch:
                on_batch(0, len(todo))
            build = functools.partial(build_chunk, staging=str(writer.staging), cache_dir=str(cache_dir))
            built = map_ordered(build, todo, workers=workers, on_result=done)
        if cached:
            with ExtractionCache(cache_dir, version) as cache:
                cache.prune(keep=[article_key(a) for a in articles])
        with clock("publish"):
            summary = build_version(writer, chunks, [*reused.values(), *built], articles, file_rejects, codebook)
    log.info("refresh: %s", json.dumps(summary.as_dict(), ensure_ascii=False))
    return summary
