"""The whole refresh as one plain function: scan, plan chunks, build them, publish.

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
from dxdata.build import (
    Chunk,
    ChunkOutput,
    build_all,
    build_chunk,
    build_version,
    extraction_version,
    plan_chunks,
    scan_raw_folder,
)
from dxdata.codebook import load_codebook
from dxdata.incremental import ExtractionCache, cache_dir_for, cache_version
from dxdata.pipeline import RefreshSummary
from dxdata.store import VersionWriter

log = logging.getLogger("dxdata.refresh")


class FolderError(ValueError):
    """The raw and output folders cannot be used together (one inside the other); the message says why."""


def check_folders(raw_dir: Path | str, out_dir: Path | str) -> None:
    """Refuse an output folder inside the raw folder (every run would ingest its own output and make a new
    version), a raw folder inside the output folder, and the same folder for both."""
    raw, out = Path(raw_dir).resolve(), Path(out_dir).resolve()
    if raw == out:
        raise FolderError(f"the raw folder and the output folder are the same folder ({raw}); use two folders")
    if raw in out.parents:
        raise FolderError(
            f"the output folder {out} is inside the raw folder {raw}: every refresh would read its own output; "
            "put the output folder beside the raw folder"
        )
    if out in raw.parents:
        raise FolderError(
            f"the raw folder {raw} is inside the output folder {out}; put the raw folder beside the output folder"
        )


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

    The files are built in chunks of about `batch_size` (`dxdata.build`). With `cached`, chunks the
    latest version holds are reused and articles already extracted come from the extraction cache
    (``out_dir/cache``); without, everything is redone, which is the reference the cached path is
    tested against. `workers` > 1 builds chunks in a process pool. `on_batch(done, total)` reports
    progress; `timings`, when given, receives the seconds spent per stage.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if not raw_dir.is_dir():
        raise NotADirectoryError(f"raw folder {raw_dir} does not exist or is not a directory")
    check_folders(raw_dir, out_dir)
    clock = Stopwatch(timings)
    codebook = load_codebook()
    version = extraction_version(codebook)
    with contextlib.ExitStack() as stack:
        cache_dir = cache_dir_for(out_dir) if cached else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        with clock("scan"):
            files = scan_raw_folder(raw_dir)
            chunks = plan_chunks(files, raw_dir, version, batch_size)
        writer = stack.enter_context(VersionWriter(out_dir))
        with clock("build"):
            build = functools.partial(build_chunk, staging=str(writer.staging), cache_dir=str(cache_dir))

            def build_many(todo: list[Chunk]) -> list[ChunkOutput]:
                if on_batch:
                    on_batch(0, len(todo))
                done = (lambda i, _: on_batch(i + 1, len(todo))) if on_batch else None
                return map_ordered(build, todo, workers=workers, on_result=done)

            chunks, outputs, _ = build_all(chunks, writer, version, build_many, reuse=cached)
        if cached:
            with ExtractionCache(cache_dir, cache_version(codebook)) as cache:
                cache.prune(keep=None)  # entries of other codebook or code versions
        with clock("publish"):
            summary = build_version(writer, chunks, outputs, codebook, workers=workers)
    log.info("refresh: %s", json.dumps(summary.as_dict(), ensure_ascii=False))
    return summary
