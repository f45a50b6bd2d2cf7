"""The Prefect flow `refresh`: `dxdata.orchestrate.refresh.run_refresh` with its heavy steps as tasks.

The flow runs the same refresh as `dxdata refresh --no-prefect` (one orchestration, `run_refresh`); its
runner (`TaskRunner`) makes the two heavy steps Prefect tasks:

1. ``scan``  -- the raw files with their fingerprints, planned into chunks (`dxdata.publish.chunks`).
2. ``build-chunk`` -- one task per chunk that the latest version does not already hold: reading the files,
   extraction through the extraction cache, validation, and the chunk's Parquet parts
   (`dxdata.publish.chunks.build_chunk`), in the shared process pool (``processes``) or, on Dask, in the
   task itself. Retried when files could not be read (a network share, a file being written) before they
   are given up as rejects.

The rest (reusing unchanged chunks, the series, the codebooks, publishing under the store's lock) runs in
the flow, as `run_refresh` does it. The `dxdata` loggers' lines ("scan: ...", "store: published v0001 at
...") are run logs; rejected files or rows add a warning with the counts and reasons. The run ends with a
Markdown artifact keyed per output folder (`dxdata.orchestrate.report.summary_artifact_key`): the folders,
version, counts, rejects by reason and seconds per stage.

`flows/refresh.py` is the entry point that deployments name; `dxdata refresh` runs this flow too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.logging.handlers import APILogHandler

from dxdata.orchestrate.refresh import run_refresh
from dxdata.orchestrate.report import rejects_note, summary_artifact_key, summary_markdown
from dxdata.pool import default_workers, process_pool
from dxdata.publish.chunks import Chunk, ChunkOutput, build_chunk, plan_raw_folder

DEFAULT_BATCH = 500
INGEST_RETRIES = 2
INGEST_RETRY_DELAY_S = 2


# --------------------------------------------------------------------------------------------- logging

DXDATA_LOGGER = "dxdata"


class _DxdataOnlyInRuns(logging.Filter):
    """Passes a `dxdata` record to Prefect's API log handler only inside a flow or task run.

    The functions of `dxdata` run outside flows too (`dxdata.orchestrate.refresh.run_refresh`, the tests, notebooks);
    there their lines belong to no run, and the handler would warn about each one.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == DXDATA_LOGGER or record.name.startswith(DXDATA_LOGGER + ".")
        if not ours or getattr(record, "flow_run_id", None):
            return True
        from prefect.context import FlowRunContext, TaskRunContext

        return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def route_dxdata_logs_to_prefect() -> None:
    """Make the lines of the `dxdata` loggers ("store: published v0001 at ...") logs of the run they happen
    in: in the UI, in `prefect flow-run logs`, in the serve log.

    Prefect's setting `logging.extra_loggers` attaches its API log handler to the loggers it names when
    Prefect sets up logging (on import). It is set here in the environment, for the processes started
    from this one (the run processes of `flows/serve.py` and of a worker, Dask workers), and applied in
    this one, where Prefect has set up logging already. They pass from the level of Prefect's own lines
    (``PREFECT_LOGGING_LEVEL``, INFO by default), not only from WARNING as Prefect's root logger would
    let them. Outside runs they are not sent (`_DxdataOnlyInRuns`). Idempotent; the build task calls it
    too, for the Dask workers it runs on.
    """
    names = [n.strip() for n in os.environ.get("PREFECT_LOGGING_EXTRA_LOGGERS", "").split(",") if n.strip()]
    if DXDATA_LOGGER not in names:
        os.environ["PREFECT_LOGGING_EXTRA_LOGGERS"] = ",".join([*names, DXDATA_LOGGER])
    logger = logging.getLogger(DXDATA_LOGGER)
    # what Prefect does for each extra logger, for its API handler only: whatever else happens to sit on
    # `prefect.extra` at that moment (a test's capture handler) is not copied
    for handler in logging.getLogger("prefect.extra").handlers:
        if isinstance(handler, APILogHandler) and handler not in logger.handlers:
            logger.addHandler(handler)
    for handler in logger.handlers:
        if isinstance(handler, APILogHandler) and not any(isinstance(f, _DxdataOnlyInRuns) for f in handler.filters):
            handler.addFilter(_DxdataOnlyInRuns())
    prefect_level = logging.getLogger("prefect").getEffectiveLevel()  # PREFECT_LOGGING_LEVEL, INFO by default
    if logger.level == logging.NOTSET and logger.getEffectiveLevel() > prefect_level:
        logger.setLevel(prefect_level)


def quiet_dask_logs() -> None:
    """Dask's `distributed` loggers say INFO for every worker, nanny, connection and client (dozens of lines
    a run): WARNING and up only, here and in the Dask processes started from here (they read
    ``DASK_LOGGING__DISTRIBUTED`` when they import distributed). A value set by the user is kept."""
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    if "dask" in sys.modules and "distributed" not in sys.modules:  # dask read the environment before this
        import dask

        dask.config.set({"logging.distributed": os.environ["DASK_LOGGING__DISTRIBUTED"]})
    if "distributed" in sys.modules:  # distributed has set its loggers up already
        logging.getLogger("distributed").setLevel(os.environ["DASK_LOGGING__DISTRIBUTED"].upper())


route_dxdata_logs_to_prefect()
quiet_dask_logs()


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
    """Some raw files could not be read; the build task is retried before they become rejects."""


@task(name="scan", retries=INGEST_RETRIES, retry_delay_seconds=INGEST_RETRY_DELAY_S, cache_policy=NO_CACHE)
def scan(raw_dir: str, fingerprint: str, batch_size: int) -> Bundle:
    """List the raw files with their fingerprints and plan them into chunks (`dxdata.publish.chunks`)."""
    return Bundle(plan_raw_folder(raw_dir, fingerprint, batch_size))


@task(name="build-chunk", retries=INGEST_RETRIES, retry_delay_seconds=INGEST_RETRY_DELAY_S, cache_policy=NO_CACHE)
def build(bundle: Bundle, staging: str, cache_dir: str, processes: int = 1) -> ChunkOutput:
    """One chunk: read, extract (cache first), validate, write its parts. Here, or in the shared process pool.

    Files that could not be read make the task fail and retry (a network share, a file being written);
    on the last attempt they are kept as rejects with reason ``unreadable``.
    """
    from prefect.runtime import task_run

    route_dxdata_logs_to_prefect()  # on a Dask worker, this module's set-up code may not have run
    chunk: Chunk = bundle.value
    started = time.perf_counter()
    if processes > 1:
        out = process_pool(processes).submit(build_chunk, chunk, staging, cache_dir).result()
    else:
        out = build_chunk(chunk, staging, cache_dir)
    logger = get_run_logger()
    attempt = int(task_run.run_count or 1)
    if out.unreadable and attempt <= INGEST_RETRIES:
        logger.warning(
            "build: chunk %d: %d files could not be read (%s); retrying (attempt %d of %d)",
            chunk.index,
            len(out.unreadable),
            ", ".join(out.unreadable[:5]),
            attempt,
            INGEST_RETRIES + 1,
        )
        raise TransientReadError(f"{len(out.unreadable)} files could not be read: {', '.join(out.unreadable[:5])}")
    logger.info(
        "build: chunk %d: %d files -> %d articles (%d extracted, the rest from the cache), %d files rejected; "
        "%d rows, %d rows rejected, %d numbers left out (%.1f s)",
        chunk.index,
        len(chunk.files),
        out.rows("articles"),
        out.extracted,
        out.files_rejected,
        out.rows("observations"),
        out.rows_rejected,
        out.rows("mentions"),
        time.perf_counter() - started,
    )
    return out


class TaskRunner:
    """`run_refresh`'s runner whose steps are the tasks above (`processes`: the build tasks' worker pool)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes

    def scan(self, raw_dir: Path, fingerprint: str, batch_size: int) -> list[Chunk]:
        return scan(str(raw_dir), fingerprint, batch_size).value

    def build(self, chunks: list[Chunk], staging: str, cache_dir: str) -> list[ChunkOutput]:
        """One build task per chunk; results in order, with the progress hook told as they come."""
        processes = min(self.processes, len(chunks)) or 1  # a worker costs ~1 s to start: no more than chunks
        _progress("build", 0, len(chunks))
        futures = [build.submit(Bundle(c), staging, cache_dir, processes) for c in chunks]
        built = []
        for n, future in enumerate(futures, start=1):
            built.append(future.result())
            _progress("build", n, len(chunks))
        return built


# --------------------------------------------------------------------------------------------- flow


@flow(name="refresh")
def refresh(
    raw_dir: str = "data/raw",
    out_dir: str = "data/processed",
    batch_size: int = DEFAULT_BATCH,
    processes: int | None = None,
) -> dict:
    """Build the dataset from `raw_dir` and publish a new version under `out_dir` if anything changed.

    `batch_size`: files per chunk (one build task and one Parquet part per table each).
    `processes`: worker processes that build the chunks on this machine (default: one per core;
    1 builds in the task's own thread, which is what a Dask task runner wants).
    """
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    processes = default_workers() if processes is None else max(1, processes)
    summary = run_refresh(
        raw_dir,
        out_dir,
        batch_size=batch_size,
        cached=True,
        workers=processes,
        runner=TaskRunner(processes),
        timings=seconds,
        counts=counts,
    )
    seconds["total"] = time.perf_counter() - started
    note = rejects_note(summary)
    create_markdown_artifact(
        key=summary_artifact_key(out_dir),
        markdown=summary_markdown(summary, raw_dir=raw_dir, out_dir=out_dir, seconds=seconds, counts=counts),
        description=(
            f"dxdata refresh of {Path(out_dir).resolve()}: {summary.version} "
            f"({'new' if summary.changed else 'no change'})"
            + (f", {summary.files_rejected} files and {summary.rows_rejected} rows rejected" if note else "")
        ),
    )
    get_run_logger().info(
        "refresh: %d files, %d articles, %d rows published, version %s (%s) in %.1f s",
        summary.files_seen,
        summary.articles_read,
        summary.observations,
        summary.version,
        "new" if summary.changed else "no change",
        seconds["total"],
    )
    return summary.as_dict()
