"""The Prefect flow `refresh`: raw articles in, validated and versioned indicator tables out.

Stages, each a task calling plain functions of `dxdata` (so the logic is tested without Prefect):

1. ``ingest`` -- `dxdata.incremental.read_raw_folder_cached`: files unchanged since the last run are
   not decoded again; retried when files could not be read (a transient I/O error: network share,
   file being written) before they are given up as rejects.
2. ``plan``   -- `dxdata.build.plan_chunks`: the articles in chunks of about `batch_size`, with keys
   that stay the same while the chunk's articles, the codebook and the extraction code do.
3. ``build``  -- one task per chunk that the latest version does not already hold (those are reused:
   their Parquet parts are hard-linked): extraction (through the extraction cache, so only new or
   changed articles are extracted), validation, and the chunk's Parquet parts
   (`dxdata.build.build_chunk`), in the shared process pool (``processes``) or, on Dask, in the
   task itself.
4. ``publish`` (in the flow, under the store's lock) -- `dxdata.build.build_version`: the rejected
   files, the series table and the codebooks; a new version only when the content changed.

Every stage logs one line with its counts; the run ends with a table artifact ``refresh-summary``.

    python flows/refresh.py --raw-dir data/raw --out-dir data/processed      # same as `dxdata refresh`
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from dxdata.batching import default_workers, process_pool
from dxdata.build import Chunk, ChunkOutput, build_chunk, build_version, plan_chunks, reuse_chunk
from dxdata.codebook import load_codebook
from dxdata.incremental import ExtractionCache, article_key, cache_dir_for, cache_version, read_raw_folder_cached
from dxdata.models import Article, FileReject
from dxdata.store import VersionWriter

DEFAULT_BATCH = 500
INGEST_RETRIES = 2
INGEST_RETRY_DELAY_S = 2


def _register_by_value() -> None:
    """This file is imported by path (not as a package module), so Dask workers cannot import it:
    have cloudpickle ship its functions by value instead of by reference."""
    module = sys.modules.get(__name__)
    if module is None or __name__ == "__main__":
        return
    try:
        import cloudpickle

        cloudpickle.register_pickle_by_value(module)
    except (ImportError, ValueError):  # cloudpickle comes with prefect; ValueError: already registered
        pass


_register_by_value()


# --------------------------------------------------------------------------------------------- progress

ProgressHook = Callable[[str, int, int], None]  # (stage, done, total)
_progress_hook: ProgressHook | None = None


def set_progress_hook(hook: ProgressHook | None) -> ProgressHook | None:
    """Install a callback told about extraction progress (the CLI's progress bar); returns the old one."""
    global _progress_hook
    old, _progress_hook = _progress_hook, hook
    return old


def _progress(stage: str, done: int, total: int) -> None:
    if _progress_hook is not None:
        with contextlib.suppress(Exception):  # a display problem must never fail a refresh
            _progress_hook(stage, done, total)


# --------------------------------------------------------------------------------------------- tasks


class Bundle:
    """Task inputs handed over as they are.

    Prefect walks every task parameter (`visit_collection`, twice per task run, rebuilding lists and
    dataclasses) to find futures in it: over 1,000 articles with their extraction results that walk
    takes about 4 s, over 50,000 minutes. A Bundle is a leaf to that walk; it holds no futures.
    """

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class TransientReadError(OSError):
    """Some raw files could not be read; the ingest task is retried before they become rejects."""


@task(name="ingest", retries=INGEST_RETRIES, retry_delay_seconds=INGEST_RETRY_DELAY_S, cache_policy=NO_CACHE)
def ingest(raw_dir: str, cache_dir: str) -> tuple[list[Article], list[FileReject]]:
    from prefect.runtime import task_run

    logger = get_run_logger()
    articles, rejects, stats = read_raw_folder_cached(Path(raw_dir), cache_dir)
    unreadable = [r.source_file for r in rejects if r.reason == "unreadable"]
    attempt = int(task_run.run_count or 1)
    if unreadable and attempt <= INGEST_RETRIES:
        logger.warning(
            "ingest: %d files could not be read (%s); retrying (attempt %d of %d)",
            len(unreadable),
            ", ".join(unreadable[:5]),
            attempt,
            INGEST_RETRIES + 1,
        )
        raise TransientReadError(f"{len(unreadable)} files could not be read: {', '.join(unreadable[:5])}")
    reasons: dict[str, int] = {}
    for r in rejects:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    logger.info(
        "ingest: %d files seen (%d unchanged since the last run), %d articles read, %d rejected %s (%.1f s)",
        len(articles) + len(rejects),
        stats.hits,
        len(articles),
        len(rejects),
        reasons or "",
        stats.seconds,
    )
    return articles, rejects


@task(name="plan", cache_policy=NO_CACHE)
def plan(bundle: Bundle, version: str, batch_size: int) -> Bundle:
    """Cut the articles into chunks with stable keys (`dxdata.build.plan_chunks`)."""
    articles: list[Article] = bundle.value
    chunks = plan_chunks(articles, version, batch_size)
    get_run_logger().info("plan: %d articles in %d chunks of about %d", len(articles), len(chunks), batch_size)
    return Bundle(chunks)


@task(name="build", cache_policy=NO_CACHE)
def build(bundle: Bundle, staging: str, cache_dir: str, processes: int = 1) -> ChunkOutput:
    """One chunk: extract (cache first), validate, write its parts. Here, or in the shared process pool."""
    chunk: Chunk = bundle.value
    started = time.perf_counter()
    if processes > 1:
        out = process_pool(processes).submit(build_chunk, chunk, staging, cache_dir).result()
    else:
        out = build_chunk(chunk, staging, cache_dir)
    get_run_logger().info(
        "build: chunk %d: %d articles (%d extracted, %d from the cache) -> %d rows, %d rejected, "
        "%d numbers left out (%.1f s)",
        chunk.index,
        len(chunk.articles),
        out.extracted,
        len(chunk.articles) - out.extracted,
        out.rows("observations"),
        out.rows("rejects"),
        out.rows("mentions"),
        time.perf_counter() - started,
    )
    return out


# --------------------------------------------------------------------------------------------- flow


def _build_chunks(
    chunks: list[Chunk], writer: VersionWriter, cache_dir: str, processes: int
) -> tuple[list[ChunkOutput], int]:
    """Reuse the chunks the latest version already holds; submit one build task per other chunk."""
    reused = [out for c in chunks if (out := reuse_chunk(c, writer)) is not None]
    done = {o.index for o in reused}
    todo = [c for c in chunks if c.index not in done]
    processes = min(processes, len(todo)) or 1  # a worker costs ~1 s to start: no more than there are chunks
    _progress("build", 0, len(todo))
    futures = [build.submit(Bundle(c), str(writer.staging), cache_dir, processes) for c in todo]
    built = []
    for n, future in enumerate(futures, start=1):
        built.append(future.result())
        _progress("build", n, len(todo))
    return reused + built, len(reused)


@flow(name="refresh")
def refresh(
    raw_dir: str = "data/raw",
    out_dir: str = "data/processed",
    batch_size: int = DEFAULT_BATCH,
    processes: int | None = None,
) -> dict:
    """Build the dataset from `raw_dir` and publish a new version under `out_dir` if anything changed.

    `batch_size`: articles per chunk (one build task and one Parquet part per table each).
    `processes`: worker processes that build the chunks on this machine (default: one per core;
    1 builds in the task's own thread, which is what a Dask task runner wants).
    """
    logger = get_run_logger()
    started = time.perf_counter()
    codebook = load_codebook()
    version = cache_version(codebook)
    cache_dir = cache_dir_for(out_dir)
    processes = default_workers() if processes is None else max(1, processes)

    articles, file_rejects = ingest(raw_dir, str(cache_dir))
    chunks: list[Chunk] = plan(Bundle(articles), version, batch_size).value
    with VersionWriter(out_dir) as writer:  # the store's lock, held until the version is published
        outputs, n_reused = _build_chunks(chunks, writer, str(cache_dir), processes)
        extracted = sum(o.extracted for o in outputs)
        in_reused = sum(o.rows("articles") for o in outputs if o.reused)
        logger.info(
            "build: %d chunks: %d unchanged since %s (reused, %d articles), %d built: %d articles extracted, "
            "%d from the extraction cache",
            len(chunks),
            n_reused,
            writer.previous or "no version",
            in_reused,
            len(chunks) - n_reused,
            extracted,
            len(articles) - in_reused - extracted,
        )
        with ExtractionCache(cache_dir, version) as cache:
            cache.prune(keep=[article_key(a) for a in articles])
        summary = build_version(writer, chunks, outputs, articles, file_rejects, codebook)
    logger.info(
        "publish: %s",
        f"new version {summary.version}" if summary.changed else f"no change (latest is {summary.version})",
    )
    elapsed = time.perf_counter() - started
    rows = [{"stage": k, "count": v} for k, v in summary.as_dict().items() if isinstance(v, int | str | None)]
    rows += [
        {"stage": "chunks", "count": len(chunks)},
        {"stage": "chunks_reused", "count": n_reused},
        {"stage": "articles_extracted", "count": extracted},
        {"stage": "seconds", "count": round(elapsed, 1)},
    ]
    rows += [{"stage": f"reject:{k}", "count": v} for k, v in summary.reject_reasons.items()]
    create_table_artifact(
        key="refresh-summary",
        table=rows,
        description=f"dxdata refresh: version {summary.version} ({'new' if summary.changed else 'no change'})",
    )
    logger.info(
        "refresh: %d articles, %d rows published, version %s (%s) in %.1f s",
        summary.articles_read,
        summary.observations,
        summary.version,
        "new" if summary.changed else "no change",
        elapsed,
    )
    return summary.as_dict()


if __name__ == "__main__":
    from dxdata.cli import main

    sys.exit(main(["refresh", *sys.argv[1:]]))
