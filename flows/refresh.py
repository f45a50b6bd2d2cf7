"""The Prefect flow `refresh`: raw articles in, validated and versioned indicator tables out.

Stages, each a task calling plain functions of `dxdata` (so the logic is tested without Prefect):

1. ``ingest``    -- `dxdata.ingest.read_raw_folder` through the ingest cache (`dxdata.incremental`:
                    files unchanged since the last run are not decoded again); retried when files could
                    not be read (a transient I/O error: network share, file being written) before they
                    are given up as rejects.
2. ``plan``      -- look every article up in the extraction cache (`dxdata.incremental`): only new or
                    changed articles, or all of them after a codebook/code change, are extracted.
3. ``extract``   -- one task per batch of `batch_size` cache misses (`dxdata.pipeline.extract_batch`),
                    submitted to the flow's task runner (threads by default, Dask with
                    `flows/cli_support.py`). Each finished batch is written to the cache at once.
4. ``validate``  -- `dxdata.pipeline.validate_tables`.
5. ``publish``   -- `dxdata.store.publish` (atomic, under the store's lock; no new version when the
                    content is unchanged).

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

from dxdata.batching import batches, default_workers, extract_batch, submit_batch
from dxdata.codebook import load_codebook
from dxdata.incremental import (
    ExtractionCache,
    IncrementalStats,
    Plan,
    cache_dir_for,
    cache_version,
    read_raw_folder_cached,
)
from dxdata.incremental import plan as plan_cache
from dxdata.models import Article, ExtractionResult, FileReject
from dxdata.pipeline import (
    SORT_KEYS,
    code_version,
    source_records,
    summarize,
    validate_tables,
)
from dxdata.store import PublishResult, publish

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
def plan_extraction(bundle: Bundle, cache_dir: str, version: str) -> Plan:
    articles: list[Article] = bundle.value
    started = time.perf_counter()
    with ExtractionCache(cache_dir, version) as cache:
        p = plan_cache(articles, cache)
    get_run_logger().info(
        "plan: %d articles, %d unchanged (from the cache), %d to extract (%.1f s)",
        len(articles),
        len(p.cached),
        len(p.missing),
        time.perf_counter() - started,
    )
    return p


@task(name="extract", cache_policy=NO_CACHE)
def extract(bundle: Bundle, processes: int = 1) -> list[ExtractionResult]:
    """One batch: in this process, or handed to the shared process pool (`dxdata.batching`) and awaited."""
    batch: list[Article] = bundle.value
    started = time.perf_counter()
    results = submit_batch(batch, processes).result() if processes > 1 else extract_batch(batch)
    n_obs = sum(len(r.observations) for r in results)
    get_run_logger().info(
        "extract: %d articles -> %d candidate rows (%.1f s)", len(batch), n_obs, time.perf_counter() - started
    )
    return results


@task(name="validate", cache_policy=NO_CACHE)
def validate(bundle: Bundle) -> dict:
    articles, results, rejects = bundle.value
    started = time.perf_counter()
    tables = validate_tables(articles, results, rejects, load_codebook())
    bad = int((tables["rejects"]["stage"] == "validate").sum())
    get_run_logger().info(
        "validate: %d rows valid, %d rows rejected, %d numbers left out (%.1f s)",
        len(tables["observations"]),
        bad,
        len(tables["mentions"]),
        time.perf_counter() - started,
    )
    return tables


@task(name="publish", cache_policy=NO_CACHE)
def publish_tables(bundle: Bundle, out_dir: str) -> PublishResult:
    tables, sources = bundle.value
    result = publish(
        tables, Path(out_dir), sources=sources, sort_keys=SORT_KEYS, code_version=code_version(load_codebook())
    )
    if result.changed:
        get_run_logger().info("publish: new version %s at %s", result.version, result.path)
    else:
        get_run_logger().info("publish: no change since %s, nothing published", result.version)
    return result


# --------------------------------------------------------------------------------------------- flow


def _extract_missing(
    articles: list[Article], p: Plan, cache_dir: Path, version: str, batch_size: int, processes: int
) -> tuple[list[ExtractionResult], IncrementalStats]:
    """Submit one extract task per batch of cache misses; store each batch in the cache as it finishes."""
    stats = IncrementalStats(articles=len(articles), hits=len(p.cached), misses=len(p.missing), version=version)
    results: list[ExtractionResult | None] = [p.cached.get(i) for i in range(len(articles))]
    todo = list(batches(p.missing, batch_size))
    processes = min(processes, len(todo))  # a worker costs ~1 s to start: no more than there are batches
    _progress("extract", 0, len(todo))
    started = time.perf_counter()
    futures = [extract.submit(Bundle([articles[i] for i in idx]), processes) for idx in todo]
    with ExtractionCache(cache_dir, version) as cache:
        for n, (idx, future) in enumerate(zip(todo, futures, strict=True), start=1):
            batch_results = future.result()
            t = time.perf_counter()
            stats.written += cache.put_many((p.keys[i], r) for i, r in zip(idx, batch_results, strict=True))
            stats.seconds_store += time.perf_counter() - t
            for i, r in zip(idx, batch_results, strict=True):
                results[i] = r
            _progress("extract", n, len(todo))
        stats.pruned = cache.prune(keep=p.keys)
    stats.seconds_extract = time.perf_counter() - started - stats.seconds_store
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:  # cannot happen unless a task returned the wrong number of results
        raise RuntimeError(f"extraction returned no result for {len(missing)} articles")
    return [r for r in results if r is not None], stats


@flow(name="refresh")
def refresh(
    raw_dir: str = "data/raw",
    out_dir: str = "data/processed",
    batch_size: int = DEFAULT_BATCH,
    processes: int | None = None,
) -> dict:
    """Build the dataset from `raw_dir` and publish a new version under `out_dir` if anything changed.

    `processes`: worker processes that extract the batches on this machine (default: one per core;
    1 extracts in the task's own thread, which is what a Dask task runner wants).
    """
    logger = get_run_logger()
    started = time.perf_counter()
    codebook = load_codebook()
    version = cache_version(codebook)
    cache_dir = cache_dir_for(out_dir)

    articles, file_rejects = ingest(raw_dir, str(cache_dir))
    p = plan_extraction(Bundle(articles), str(cache_dir), version)
    processes = default_workers() if processes is None else max(1, processes)
    results, stats = _extract_missing(articles, p, cache_dir, version, batch_size, processes)
    logger.info(
        "extract: %d articles: %d from the cache, %d extracted in %d batches (%.1f s)",
        len(articles),
        stats.hits,
        stats.misses,
        -(-stats.misses // max(1, batch_size)),
        stats.seconds_extract,
    )
    tables = validate(Bundle((articles, results, file_rejects)))
    published = publish_tables(Bundle((tables, source_records(articles, file_rejects))), out_dir)
    summary = summarize(tables, len(articles) + len(file_rejects), published)
    elapsed = time.perf_counter() - started
    rows = [{"stage": k, "count": v} for k, v in summary.as_dict().items() if isinstance(v, int | str | None)]
    rows += [
        {"stage": "extract_cache_hits", "count": stats.hits},
        {"stage": "extracted", "count": stats.misses},
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
