"""Build a version chunk by chunk, so that memory stays flat and unchanged chunks are not rebuilt.

The raw files, sorted by name, are cut into chunks of about `CHUNK_TARGET` files. Past half the target,
a cut falls after a file whose name hashes to 0 modulo half the target (content-defined boundaries),
and at twice the target at the latest; so adding or removing a file moves only the boundaries next to
it, and every other chunk keeps its files and its key. A chunk's key hashes its files' names and
contents (`scan_raw_folder`), the url and publisher a sources manifest (`sources.tsv`) gives them, the
ingest code, the codebook and the extraction code (`chunk_fingerprint`).

A chunk is built where it runs (`build_chunk`: in a worker process, a Prefect task or a Dask worker):
its files are read (`dxdata.ingest.read_files`), extracted through the extraction cache (only new or
changed articles are extracted), validated, and written as one Parquet part per table
(`dxdata.publish.store.write_part`). A chunk whose key is in the latest version is not built at all: its
parts are hard-linked from there (`reuse_chunk`). What comes back to the caller is small: counts, the
manifest records of its files, and (in Arrow) the few columns the `series` table is built from. Two
files with the same text in different chunks are found afterwards (`duplicate_rebuilds`): the later
one's chunk is built again without it.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dxdata.codebook import Codebook, load_codebook
from dxdata.extract import extract_article
from dxdata.extract.budget import extract_within_budget
from dxdata.ingest import (
    MAX_BYTES,
    MAX_SOURCES_BYTES,
    IngestError,
    Source,
    duplicate_reject,
    entry_problem,
    is_sources_manifest,
    raw_files,
    read_files,
    read_raw_bytes,
    read_sources,
)
from dxdata.models import Article, ExtractionResult, FileReject
from dxdata.publish.cache import extract_incremental, extraction_fingerprint, ingest_code_fingerprint
from dxdata.publish.store import Part, VersionWriter, to_arrow, write_part
from dxdata.tables import SORT_KEYS
from dxdata.validate.tables import chunk_tables, file_rejects_table

log = logging.getLogger("dxdata.chunks")

CHUNK_TARGET = 500  # files per chunk on average; at most twice as many
CHUNKED_TABLES = ("articles", "observations", "mentions", "rejects")
SERIES_INPUT = [
    "obs_id", "article_id", "source_file", "indicator_code", "value", "unit", "qualifier", "status",
    "period_start", "period_end", "region_code", "number_text",
]  # fmt: skip
PUBLISHER_INPUT = ["article_id", "source_file", "publisher", "url"]
# columns of the series input with few distinct values (held dictionary-encoded)
DICTIONARY_COLUMNS = ["article_id", "source_file", "indicator_code", "unit", "qualifier", "status", "region_code"]


@dataclass(frozen=True)
class RawFile:
    source_file: str  # path relative to the raw folder
    path: str
    fingerprint: str  # sha256 of the bytes; size and mtime for a file too large to be read
    source: Source | None = None  # the url and publisher a sources manifest gives the file (part of the key)


@dataclass(frozen=True)
class Chunk:
    index: int  # position in the version, from 1
    key: str
    raw_dir: str
    files: tuple[RawFile, ...]
    exclude: tuple[tuple[str, str], ...] = ()  # (file, the file with the same text that is kept)


@dataclass
class ChunkOutput:
    """What building (or reusing) a chunk gave: its parts, counts, and the input of the series table."""

    index: int
    key: str
    parts: dict[str, Part]
    series_input: pa.Table  # Arrow, not pandas: a tenth of the memory while every chunk's wait for the series
    publishers: pa.Table
    sources: list[dict] = field(default_factory=list)  # the manifest's records of the chunk's files
    reject_reasons: dict[str, int] = field(default_factory=dict)
    files_rejected: int = 0
    rows_rejected: int = 0
    reused: bool = False
    extracted: int = 0  # articles extracted (cache misses); the others came from the cache
    unreadable: list[str] = field(default_factory=list)  # files that could not be read (maybe transient)

    def rows(self, table: str) -> int:
        return self.parts[table].rows


def scan_raw_folder(raw_dir: Path | str) -> list[RawFile]:
    """Every entry under `raw_dir` (as `dxdata.ingest.raw_files` lists them) with its fingerprint.

    An entry that is not read (hidden, a link out of the raw folder, a FIFO ...: `entry_problem`) is
    fingerprinted by that reason, without being opened. What a sources manifest says of a file travels
    with it (`RawFile.source`), so that an edit of the manifest changes the keys of the chunks it touches.
    """
    raw_dir = Path(raw_dir)
    listing = raw_files(raw_dir)
    sources = read_sources(raw_dir, listing)
    found = []
    for source_file, path in listing:
        problem = entry_problem(path, raw_dir)
        if problem is not None:
            found.append(RawFile(source_file, str(path), f"{problem.reason}:{problem.detail}"))
            continue
        limit = MAX_SOURCES_BYTES if is_sources_manifest(source_file) else MAX_BYTES
        try:
            st = path.stat()
            if st.st_size > limit:
                fingerprint = f"size:{st.st_size}:mtime:{st.st_mtime_ns}"
            else:
                fingerprint = hashlib.sha256(read_raw_bytes(path, raw_dir, max_bytes=limit)).hexdigest()
        except OSError as err:  # read_files reports it as unreadable, with the reason
            fingerprint = f"unreadable:{err.errno}"
        except IngestError as err:
            fingerprint = f"{err.reason}:{err.detail}"
        found.append(RawFile(source_file, str(path), fingerprint, sources.get(source_file)))
    return found


def chunk_fingerprint(codebook: Codebook) -> str:
    """What a chunk's content depends on besides its files: the ingest code, codebook and extraction code."""
    return f"{ingest_code_fingerprint()}:{extraction_fingerprint(codebook)}"


def _cut_here(source_file: str, modulus: int) -> bool:
    return int(hashlib.sha1(source_file.encode("utf-8")).hexdigest()[:12], 16) % modulus == 0


def _chunk_key(fingerprint: str, files: Sequence[RawFile], exclude: Sequence[tuple[str, str]] = ()) -> str:
    h = hashlib.sha256(f"chunk\0{fingerprint}\n".encode())
    for f in files:
        h.update(f"{f.source_file}\0{f.fingerprint}\n".encode())
        if f.source is not None:
            h.update(f"source\0{f.source.url or ''}\0{f.source.publisher or ''}\n".encode())
    for dropped, kept in exclude:
        h.update(f"exclude\0{dropped}\0{kept}\n".encode())
    return h.hexdigest()


def plan_chunks(
    files: Sequence[RawFile], raw_dir: Path | str, fingerprint: str, target: int = CHUNK_TARGET
) -> list[Chunk]:
    """Chunks of the files in name order, with stable boundaries and keys (see the module doc)."""
    ordered = sorted(files, key=lambda f: f.source_file)
    low, high, modulus = max(1, target // 2), max(1, 2 * target), max(1, target // 2)
    groups: list[list[RawFile]] = [[]]
    for f in ordered:
        groups[-1].append(f)
        size = len(groups[-1])
        if size >= high or (size >= low and _cut_here(f.source_file, modulus)):
            groups.append([])
    groups = [g for g in groups if g]
    return [Chunk(i, _chunk_key(fingerprint, g), str(raw_dir), tuple(g)) for i, g in enumerate(groups, start=1)]


def plan_raw_folder(raw_dir: Path | str, fingerprint: str, target: int = CHUNK_TARGET) -> list[Chunk]:
    """The raw folder's files (`scan_raw_folder`) planned into chunks (`plan_chunks`): a refresh's first step."""
    return plan_chunks(scan_raw_folder(raw_dir), raw_dir, fingerprint, target)


def _compact(table: pa.Table) -> pa.Table:
    """Dictionary-encode the repetitive columns: the series input of 50,000 articles waits in memory."""
    for name in DICTIONARY_COLUMNS:
        i = table.schema.get_field_index(name)
        if i >= 0:
            table = table.set_column(i, name, table.column(name).dictionary_encode())
    return table


def _reasons(rejects: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in Counter(rejects["reason"].tolist()).items()} if len(rejects) else {}


def build_chunk(chunk: Chunk, staging: str, cache_dir: str, codebook: Codebook | None = None) -> ChunkOutput:
    """Read, extract (cache first), validate and write one chunk's parts into `staging`. Runs in any process."""
    codebook = codebook or load_codebook()
    excluded = dict(chunk.exclude)
    wanted = [(f.source_file, Path(f.path)) for f in chunk.files if f.source_file not in excluded]
    sources = {f.source_file: f.source for f in chunk.files if f.source is not None}
    articles, file_rejects = read_files(wanted, Path(chunk.raw_dir), sources=sources)
    file_rejects += [
        duplicate_reject(f.source_file, excluded[f.source_file], f.fingerprint)
        for f in chunk.files
        if f.source_file in excluded
    ]
    too_slow: list[FileReject] = []

    def within_budget(batch: Sequence[Article], cb: Codebook) -> list[ExtractionResult]:
        results, slow = extract_within_budget(batch, cb, extract_article)
        too_slow.extend(slow)
        return results  # type: ignore[return-value]  # None where the article ran out of time

    results, stats = extract_incremental(
        articles, codebook, cache_dir, batch_size=max(1, len(articles)), prune=False, extractor=within_budget
    )
    if too_slow:  # rejected as too_slow: not in the tables, and not cached (tried again when its chunk is rebuilt)
        slow = {r.source_file for r in too_slow}
        articles = [a for a in articles if a.source_file not in slow]
        file_rejects += too_slow
    tables = chunk_tables(articles, results, codebook)
    failed = [df for df in (file_rejects_table(file_rejects), tables["rejects"]) if not df.empty]
    tables["rejects"] = pd.concat(failed, ignore_index=True) if failed else tables["rejects"]
    parts = {
        name: write_part(staging, name, chunk.index, chunk.key, tables[name], SORT_KEYS[name])
        for name in CHUNKED_TABLES
    }
    return ChunkOutput(
        chunk.index,
        chunk.key,
        parts,
        series_input=_compact(to_arrow(tables["observations"][SERIES_INPUT], name="observations")),
        publishers=to_arrow(tables["articles"][PUBLISHER_INPUT], name="articles"),
        sources=source_records(articles, file_rejects, _manifests_read(chunk, file_rejects)),
        reject_reasons=_reasons(tables["rejects"]),
        files_rejected=len(file_rejects),
        rows_rejected=len(tables["rejects"]) - len(file_rejects),
        extracted=stats.misses,
        unreadable=sorted(r.source_file for r in file_rejects if r.reason == "unreadable"),
    )


def _manifests_read(chunk: Chunk, file_rejects: Sequence[FileReject]) -> list[tuple[str, str]]:
    """(source_file, sha256) of the chunk's sources manifests that were read as such (not rejected)."""
    rejected = {r.source_file for r in file_rejects}
    return [
        (f.source_file, f.fingerprint)
        for f in chunk.files
        if is_sources_manifest(f.source_file) and f.source_file not in rejected
    ]


def reuse_chunk(chunk: Chunk, writer: VersionWriter) -> ChunkOutput | None:
    """The chunk's parts from the latest version, when it has all of them (else None: build it)."""
    if not all(writer.has_part(name, chunk.key) for name in CHUNKED_TABLES):
        return None
    parts = {name: writer.reuse_part(name, chunk.index, chunk.key) for name in CHUNKED_TABLES}
    if any(p is None for p in parts.values()):
        return None

    def read(table: str, columns: list[str]) -> pa.Table:
        part = parts[table]
        if not part.rows:
            return pa.table({c: pa.array([], pa.string()) for c in columns})
        dictionary = DICTIONARY_COLUMNS if table == "observations" else None  # as `_compact` leaves them
        return pq.read_table(writer.staging / part.file, columns=columns, read_dictionary=dictionary)

    rejects = read("rejects", ["stage", "reason"]).to_pandas()
    files_rejected = int((rejects["stage"] == "ingest").sum()) if len(rejects) else 0
    return ChunkOutput(
        chunk.index,
        chunk.key,
        parts,  # type: ignore[arg-type]
        series_input=read("observations", SERIES_INPUT),
        publishers=read("articles", PUBLISHER_INPUT),
        sources=[writer.previous_sources[f.source_file] for f in chunk.files],
        reject_reasons=_reasons(rejects),
        files_rejected=files_rejected,
        rows_rejected=len(rejects) - files_rejected,
        reused=True,
    )


def split_reusable(chunks: Sequence[Chunk], writer: VersionWriter) -> tuple[list[ChunkOutput], list[Chunk]]:
    """(outputs of the chunks the latest version holds, reused; the chunks still to build)."""
    reused = [out for c in chunks if (out := reuse_chunk(c, writer)) is not None]
    done = {o.index for o in reused}
    return reused, [c for c in chunks if c.index not in done]


def build_chunks(
    chunks: Sequence[Chunk],
    writer: VersionWriter,
    fingerprint: str,
    build_many: Callable[[list[Chunk]], list[ChunkOutput]],
    *,
    reuse: bool = True,
) -> tuple[list[Chunk], list[ChunkOutput], int]:
    """Every chunk's output: reused from the latest version (with `reuse`), or built by `build_many`
    (a process pool, Prefect tasks ...); then chunks holding a copy of an earlier chunk's text are built
    again without it. Returns (the chunks as finally built, their outputs, how many were reused)."""
    reused, todo = split_reusable(chunks, writer) if reuse else ([], list(chunks))
    log.info(
        "plan: %d chunks: %d unchanged since %s, %d to build",
        len(chunks),
        len(reused),
        writer.previous or "no version",
        len(todo),
    )
    outputs = {o.index: o for o in [*reused, *build_many(todo)]}
    again = duplicate_rebuilds(chunks, list(outputs.values()), fingerprint)
    if again:
        log.info("build: %d chunks again, without files whose text an earlier file has", len(again))
        outputs |= {o.index: o for o in build_many(again)}
        rebuilt = {c.index: c for c in again}
        chunks = [rebuilt.get(c.index, c) for c in chunks]
    return list(chunks), list(outputs.values()), len(reused)


def duplicate_rebuilds(chunks: Sequence[Chunk], outputs: Sequence[ChunkOutput], fingerprint: str) -> list[Chunk]:
    """Chunks to build again without the files whose text an earlier chunk's file already has."""
    first: dict[str, str] = {}
    exclude: dict[int, list[tuple[str, str]]] = {}
    for out in sorted(outputs, key=lambda o: o.index):
        table = out.publishers
        for article_id, source_file in zip(
            table.column("article_id").to_pylist(), table.column("source_file").to_pylist(), strict=True
        ):
            if article_id in first:
                exclude.setdefault(out.index, []).append((source_file, first[article_id]))
            else:
                first[article_id] = source_file
    rebuilt = []
    for chunk in chunks:
        if chunk.index in exclude:
            pairs = tuple(sorted({*chunk.exclude, *exclude[chunk.index]}))
            key = _chunk_key(fingerprint, chunk.files, pairs)
            rebuilt.append(Chunk(chunk.index, key, chunk.raw_dir, chunk.files, pairs))
    return rebuilt


def source_records(
    articles: Sequence[Article],
    file_rejects: Sequence[FileReject],
    sources_manifests: Sequence[tuple[str, str]] = (),
) -> list[dict]:
    """The raw files a version was built from, for its manifest; a sources manifest (``(source_file,
    sha256)``, read for the url and publisher of the files it lists) has the status ``sources_manifest``."""
    rows = [{"source_file": a.source_file, "sha256": a.content_sha256, "status": "read"} for a in articles]
    rows += [{"source_file": name, "sha256": sha, "status": "sources_manifest"} for name, sha in sources_manifests]
    rows += [
        {"source_file": r.source_file, "sha256": r.content_sha256, "status": f"rejected:{r.reason}"}
        for r in file_rejects
    ]
    return sorted(rows, key=lambda r: r["source_file"])
