"""The shared pool of worker processes, and `map_ordered` over it.

Extraction and the series are pure Python and CPU-bound, so threads do not add speed (the GIL); processes do. The pool
is plain `concurrent.futures` with the *spawn* start method: forking a process that runs Prefect's
threads (its event loop, log and event workers) can deadlock, spawning cannot. Workers import the
package, load the codebook once and handle whole batches, so the cost per batch is one pickle of
the articles out and one of the results back (about 1 ms per article). Prefect never runs inside a
worker: the flow's tasks hand their batch to the pool and wait (see `flows/refresh.py`).

The pool is made on first use, shared by every caller of the process and sized once; starting a
worker costs about a second, so a run with a single batch stays in-process.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from dxdata.runtime import limit_blas_threads

T = TypeVar("T")
R = TypeVar("R")

_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items (at least one per slice)."""
    step = max(1, size)
    for i in range(0, len(items), step):
        yield items[i : i + step]


def default_workers() -> int:
    """Worker processes to use when none are asked for: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def shutdown_pool() -> None:
    """Stop the worker processes (they are started again on next use)."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool, _pool_size = None, 0


atexit.register(shutdown_pool)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool, with at least `workers` processes (made, or grown, on first need)."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < workers:
            limit_blas_threads()  # the workers inherit it
            old = _pool
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
            _pool_size = workers
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def map_ordered(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int = 1,
    on_result: Callable[[int, R], None] | None = None,
) -> list[R]:
    """``[fn(item) for item in items]``, in the process pool when `workers` > 1 and there are several items.

    `fn` must be picklable (a module-level function or a `functools.partial` of one). Results come
    back in order, and `on_result(i, result)` is called as each arrives, in order. At most two items
    per worker are in flight, so memory stays bounded by the work in progress.
    """
    out: list[R] = []
    if workers <= 1 or len(items) <= 1:
        for i, item in enumerate(items):
            out.append(fn(item))
            if on_result:
                on_result(i, out[-1])
        return out
    workers = min(workers, len(items))
    pool = process_pool(workers)
    pending: deque[Future[R]] = deque()
    submitted = 0
    for i in range(len(items)):
        while submitted < len(items) and len(pending) < 2 * workers:
            pending.append(pool.submit(fn, items[submitted]))
            submitted += 1
        result = pending.popleft().result()
        out.append(result)
        if on_result:
            on_result(i, result)
    return out
