"""The whole refresh as one plain function: scan, plan chunks, build them, publish.

`dxdata refresh --no-prefect`, the tests, notebooks and benchmarks run this; the Prefect flow in
`flows/refresh.py` runs the same functions as tasks. What a run reports (the rejects warning, the summary
Markdown and its artifact key) is made here too, so both paths say the same.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
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
    note = rejects_note(summary)
    if note:
        log.warning("%s", note)
    return summary


# --------------------------------------------------------------------------------------------- reporting


def rejects_note(summary: RefreshSummary) -> str | None:
    """One line saying what a refresh rejected, with the counts and the reasons (None: nothing rejected).

    A run that rejects files still succeeds (the others are published); this line, logged as a warning,
    is how the run says that some input did not make it.
    """
    if not summary.files_rejected and not summary.rows_rejected:
        return None
    reasons = ", ".join(f"{reason} {n}" for reason, n in summary.reject_reasons.items()) or "none given"
    return (
        f"rejects: {summary.files_rejected} of {summary.files_seen} files and {summary.rows_rejected} rows rejected "
        f"(by reason: {reasons}); the rejects table of {summary.version} lists each one with its reason"
    )


def summary_artifact_key(out_dir: Path | str) -> str:
    """The Prefect artifact key of the refreshes of `out_dir`: ``refresh-<folder name>-<hash of its path>``.

    One key per output folder, so that each dataset keeps its own history of summaries in the UI; the
    hash of the resolved path tells apart two folders of the same name. Keys may hold lowercase letters,
    digits and dashes only: the name is folded to ASCII ("dữ liệu" gives "du-lieu").
    """
    resolved = Path(out_dir).resolve()
    ascii_name = unicodedata.normalize("NFKD", resolved.name.replace("đ", "d").replace("Đ", "D"))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.encode("ascii", "ignore").decode().lower())[:40].strip("-")
    digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:8]
    return f"refresh-{slug or 'root'}-{digest}"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, str], rows: list[tuple[str, object]], align: str = "---:") -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", f"|---|{align}|"]
    return lines + [f"| {_cell(k)} | {_cell(v)} |" for k, v in rows]


def summary_markdown(
    summary: RefreshSummary,
    *,
    raw_dir: Path | str,
    out_dir: Path | str,
    seconds: Mapping[str, float],
    counts: Mapping[str, int] | None = None,
) -> str:
    """The refresh summary as Markdown (the flow's artifact): the folders, the version, the counts, the
    rejects by reason and the seconds per stage, each in a table of its own so no column mixes kinds."""
    out, raw = Path(out_dir).resolve(), Path(raw_dir).resolve()
    state = "new" if summary.changed else "no change"
    note = rejects_note(summary)
    lines = [
        f"# dxdata refresh of `{_cell(out)}`: {summary.version} ({state})",
        "",
        f"**Rejects**: {note.removeprefix('rejects: ')}." if note else "No file or row was rejected.",
        "",
        *_table(
            ("what", "value"),
            [
                ("output folder", f"`{out}`"),
                ("raw folder", f"`{raw}`"),
                ("version", f"{summary.version} ({state})"),
            ],
            align="---",
        ),
        "",
        "## Counts",
        "",
        *_table(
            ("what", "count"),
            [
                ("files seen", summary.files_seen),
                ("articles read", summary.articles_read),
                ("files rejected", summary.files_rejected),
                ("rows published (observations)", summary.observations),
                ("rows rejected", summary.rows_rejected),
                ("numbers left out (mentions)", summary.mentions),
                *(counts or {}).items(),
            ],
        ),
        "",
        "## Rejects by reason",
        "",
        *(_table(("reason", "rejects"), list(summary.reject_reasons.items())) if summary.reject_reasons else ["none"]),
        "",
        "## Seconds per stage",
        "",
        *_table(("stage", "seconds"), [(stage, f"{s:.1f}") for stage, s in seconds.items()]),
        "",
    ]
    return "\n".join(lines)
