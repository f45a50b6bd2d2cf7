"""The refresh, once: scan the raw folder, build the chunks, add the series and the codebooks, publish.

Every way of running a refresh goes through `run_refresh`: `dxdata refresh --no-prefect`, the tests,
notebooks and benchmarks with the default `LocalRunner` (a process pool), and the Prefect flow
(`dxdata.orchestrate.prefect_flow`) with a runner whose steps are Prefect tasks. A runner only says where
the two heavy steps run (`scan`, `build`); what they do, and everything around them, is here.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from dxdata import __version__
from dxdata.codebook import Codebook, load_codebook
from dxdata.orchestrate.report import rejects_note
from dxdata.pool import map_ordered
from dxdata.products.series_update import incremental_series, series_by_indicator, series_code_fingerprint
from dxdata.publish.cache import ExtractionCache, cache_dir_for, extraction_fingerprint
from dxdata.publish.chunks import (
    CHUNKED_TABLES,
    Chunk,
    ChunkOutput,
    build_chunk,
    build_chunks,
    chunk_fingerprint,
    plan_raw_folder,
)
from dxdata.publish.store import PublishResult, VersionWriter
from dxdata.tables import SORT_KEYS
from dxdata.validate.tables import chunk_tables, codebook_tables

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


@dataclass
class RefreshSummary:
    """What one refresh did, for the CLI, logs and the Prefect artifact."""

    files_seen: int = 0
    articles_read: int = 0
    files_rejected: int = 0
    observations: int = 0
    rows_rejected: int = 0
    mentions: int = 0
    version: str | None = None
    changed: bool = False
    reject_reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


class Runner(Protocol):
    """Where the two heavy steps of a refresh run: in this process and its pool, or as Prefect tasks."""

    def scan(self, raw_dir: Path, fingerprint: str, batch_size: int) -> list[Chunk]:
        """The raw files, planned into chunks (`scan_raw_folder`, `plan_chunks`)."""

    def build(self, chunks: list[Chunk], staging: str, cache_dir: str) -> list[ChunkOutput]:
        """Each chunk's output (`build_chunk`), in the order of `chunks`."""


@dataclass
class LocalRunner:
    """Chunks built in the shared process pool (`workers` > 1) or here; `on_batch(done, total)` reports."""

    workers: int = 1
    on_batch: Callable[[int, int], None] | None = None

    def scan(self, raw_dir: Path, fingerprint: str, batch_size: int) -> list[Chunk]:
        return plan_raw_folder(raw_dir, fingerprint, batch_size)

    def build(self, chunks: list[Chunk], staging: str, cache_dir: str) -> list[ChunkOutput]:
        on_batch = self.on_batch
        if on_batch:
            on_batch(0, len(chunks))
        done = (lambda i, _: on_batch(i + 1, len(chunks))) if on_batch else None
        build = functools.partial(build_chunk, staging=staging, cache_dir=cache_dir)
        return map_ordered(build, chunks, workers=self.workers, on_result=done)


def run_refresh(
    raw_dir: Path | str,
    out_dir: Path | str,
    *,
    batch_size: int = 500,
    cached: bool = False,
    workers: int = 1,
    on_batch: Callable[[int, int], None] | None = None,
    runner: Runner | None = None,
    timings: dict[str, float] | None = None,
    counts: dict[str, int] | None = None,
) -> RefreshSummary:
    """Build the dataset from `raw_dir` and publish a new version under `out_dir` if anything changed.

    The files are built in chunks of about `batch_size` (`dxdata.publish.chunks`). With `cached`, chunks the
    latest version holds are reused and articles already extracted come from the extraction cache
    (``out_dir/cache``); without, everything is redone, which is the reference the cached path is tested
    against. `runner` says where chunks are planned and built (default: `LocalRunner(workers, on_batch)`).
    `timings` and `counts`, when given, receive the seconds per stage and the chunk counts.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if not raw_dir.is_dir():
        raise NotADirectoryError(f"raw folder {raw_dir} does not exist or is not a directory")
    check_folders(raw_dir, out_dir)
    runner = runner or LocalRunner(workers, on_batch)
    clock = Stopwatch(timings)
    codebook = load_codebook()
    fingerprint = chunk_fingerprint(codebook)
    with contextlib.ExitStack() as stack:
        cache_dir = cache_dir_for(out_dir) if cached else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        with clock("scan"):
            chunks = runner.scan(raw_dir, fingerprint, batch_size)
        log.info("scan: %d files in %d chunks of about %d", sum(len(c.files) for c in chunks), len(chunks), batch_size)
        writer = stack.enter_context(VersionWriter(out_dir))  # the store's lock, held until the version is published
        with clock("build"):
            build = functools.partial(runner.build, staging=str(writer.staging), cache_dir=str(cache_dir))
            chunks, outputs, reused = build_chunks(chunks, writer, fingerprint, build, reuse=cached)
        extracted = sum(o.extracted for o in outputs)
        log.info(
            "build: %d chunks: %d unchanged since %s (reused), %d built; %d articles extracted",
            len(chunks),
            reused,
            writer.previous or "no version",
            len(chunks) - reused,
            extracted,
        )
        if cached:
            with clock("cache"), ExtractionCache(cache_dir, extraction_fingerprint(codebook)) as cache:
                cache.prune(keep=None)  # entries of other codebooks or extraction code
        with clock("publish"):
            summary = publish_version(writer, chunks, outputs, codebook, workers=workers)
    if counts is not None:
        counts.update({"chunks": len(chunks), "chunks reused": reused, "articles extracted": extracted})
    log.info("refresh: %s", json.dumps(summary.as_dict(), ensure_ascii=False))
    note = rejects_note(summary)
    if note:
        log.warning("%s", note)
    return summary


def code_label(codebook: Codebook) -> str:
    """The code and codebook a version was built with, as its manifest says (``code_version``)."""
    return f"dxdata {__version__}; codebook {codebook.fingerprint[:12]}"


def publish_version(
    writer: VersionWriter,
    chunks: Sequence[Chunk],
    outputs: Sequence[ChunkOutput],
    codebook: Codebook,
    *,
    workers: int = 1,
) -> RefreshSummary:
    """Register the chunks' parts, add the series (in `workers` processes) and the codebooks, and commit."""
    outputs = sorted(outputs, key=lambda o: o.index)
    if [o.index for o in outputs] != [c.index for c in chunks]:
        raise RuntimeError("a chunk has no output: the version would miss files")
    empty = chunk_tables([], [], codebook)
    for name in CHUNKED_TABLES:
        writer.add_parts(name, [o.parts[name] for o in outputs], SORT_KEYS[name], empty[name])
    series = incremental_series(writer, outputs, workers=workers)
    if series is None:
        series = series_by_indicator(
            [o.series_input for o in outputs if o.series_input.num_rows],
            [o.publishers for o in outputs if o.publishers.num_rows],
            workers=workers,
        )
    writer.write_table("series", series, SORT_KEYS["series"])
    for name, df in codebook_tables(codebook).items():
        writer.write_table(name, df, SORT_KEYS.get(name))
    sources = sorted((r for o in outputs for r in o.sources), key=lambda r: r["source_file"])
    published = writer.commit(
        sources=sources, code_version=code_label(codebook), extra={"series_code": series_code_fingerprint()}
    )
    return summarize_chunks(outputs, published)


def summarize_chunks(outputs: Sequence[ChunkOutput], published: PublishResult) -> RefreshSummary:
    reasons: Counter[str] = Counter()
    for o in outputs:
        reasons.update(o.reject_reasons)
    articles = sum(o.rows("articles") for o in outputs)
    files_rejected = sum(o.files_rejected for o in outputs)
    return RefreshSummary(
        files_seen=articles + files_rejected,
        articles_read=articles,
        files_rejected=files_rejected,
        observations=sum(o.rows("observations") for o in outputs),
        rows_rejected=sum(o.rows_rejected for o in outputs),
        mentions=sum(o.rows("mentions") for o in outputs),
        version=published.version,
        changed=published.changed,
        reject_reasons=dict(sorted(reasons.items())),
    )
