"""Build a version chunk by chunk, so that memory stays flat and unchanged chunks are not rebuilt.

The raw files, sorted by name, are cut into chunks of about `CHUNK_TARGET` files. Past half the target,
a cut falls after a file whose name hashes to 0 modulo half the target (content-defined boundaries),
and at twice the target at the latest; so adding or removing a file moves only the boundaries next to
it, and every other chunk keeps its files and its key. A chunk's key hashes its files' names and
contents (`scan_raw_folder`), the url and publisher a sources manifest (`sources.tsv`) gives them, the
ingest code and the extraction version (codebook and code).

A chunk is built where it runs (`build_chunk`: in a worker process, a Prefect task or a Dask worker):
its files are read (`dxdata.ingest.read_files`), extracted through the extraction cache (only new or
changed articles are extracted), validated, and written as one Parquet part per table
(`dxdata.store.write_part`). A chunk whose key is in the latest version is not built at all: its
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
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dxdata import series as series_module
from dxdata.batching import map_ordered
from dxdata.budget import extract_within_budget
from dxdata.codebook import Codebook, load_codebook
from dxdata.extract import extract_article
from dxdata.incremental import cache_version, extract_incremental, ingest_code_version
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
from dxdata.pipeline import (
    SORT_KEYS,
    RefreshSummary,
    chunk_tables,
    code_version,
    codebook_tables,
    file_rejects_table,
    source_records,
)
from dxdata.series import SERIES_KEYS as SERIES_GROUP
from dxdata.series import build_series, publisher_maps
from dxdata.store import Part, PublishResult, StoreError, VersionWriter, to_arrow, write_part

log = logging.getLogger("dxdata.build")

CHUNK_TARGET = 500  # files per chunk on average; at most twice as many
SERIES_POOL_MIN_ROWS = 50_000  # observations below which the series is built in this process
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


def extraction_version(codebook: Codebook) -> str:
    """What a chunk's content depends on besides its files: the ingest code, codebook and extraction code."""
    return f"{ingest_code_version()}:{cache_version(codebook)}"


def _cut_here(source_file: str, modulus: int) -> bool:
    return int(hashlib.sha1(source_file.encode("utf-8")).hexdigest()[:12], 16) % modulus == 0


def _chunk_key(version: str, files: Sequence[RawFile], exclude: Sequence[tuple[str, str]] = ()) -> str:
    h = hashlib.sha256(f"chunk\0{version}\n".encode())
    for f in files:
        h.update(f"{f.source_file}\0{f.fingerprint}\n".encode())
        if f.source is not None:
            h.update(f"source\0{f.source.url or ''}\0{f.source.publisher or ''}\n".encode())
    for dropped, kept in exclude:
        h.update(f"exclude\0{dropped}\0{kept}\n".encode())
    return h.hexdigest()


def plan_chunks(files: Sequence[RawFile], raw_dir: Path | str, version: str, target: int = CHUNK_TARGET) -> list[Chunk]:
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
    return [Chunk(i, _chunk_key(version, g), str(raw_dir), tuple(g)) for i, g in enumerate(groups, start=1)]


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


def build_all(
    chunks: Sequence[Chunk],
    writer: VersionWriter,
    version: str,
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
    again = duplicate_rebuilds(chunks, list(outputs.values()), version)
    if again:
        log.info("build: %d chunks again, without files whose text an earlier file has", len(again))
        outputs |= {o.index: o for o in build_many(again)}
        rebuilt = {c.index: c for c in again}
        chunks = [rebuilt.get(c.index, c) for c in chunks]
    return list(chunks), list(outputs.values()), len(reused)


def duplicate_rebuilds(chunks: Sequence[Chunk], outputs: Sequence[ChunkOutput], version: str) -> list[Chunk]:
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
            key = _chunk_key(version, chunk.files, pairs)
            rebuilt.append(Chunk(chunk.index, key, chunk.raw_dir, chunk.files, pairs))
    return rebuilt


def build_version(
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
        sources=sources, code_version=code_version(codebook), extra={"series_code": series_code_version()}
    )
    return summarize_chunks(outputs, published)


def series_code_version() -> str:
    """Hash of the series rules (`dxdata.series`): series rows are reused only under the same rules."""
    return hashlib.sha256(Path(series_module.__file__).read_bytes()).hexdigest()[:16]


def _group_keys(table: pa.Table) -> pa.Array:
    """Each row's series group (`SERIES_KEYS`) as one string, missing parts as empty strings."""
    parts = [pc.fill_null(pc.cast(table.column(c), pa.string()), "") for c in SERIES_GROUP]
    return pc.binary_join_element_wise(*parts, "\x1f").combine_chunks()


def incremental_series(writer: VersionWriter, outputs: Sequence[ChunkOutput], *, workers: int = 1) -> pa.Table | None:
    """The new series from the latest version's: only the groups that new, changed or removed chunks
    touch are built again; every other row is kept as it is (its observations have not changed).

    None when there is nothing to start from (no latest version with a series table built by these
    rules, or no chunk reused): then the caller builds the series from scratch.
    """
    if not any(o.reused for o in outputs) or writer.previous_manifest.get("series_code") != series_code_version():
        return None
    old = writer.previous_table("series")
    if old is None:
        return None
    reused = {o.key for o in outputs if o.reused}
    changed = [o.series_input for o in outputs if not o.reused and o.series_input.num_rows]
    try:
        previous = writer.previous_parts("observations")
    except StoreError as err:  # a damaged part of the latest version: its groups are unknown, build afresh
        log.warning("series: %s; building the series from scratch", err)
        return None
    changed += [
        pq.read_table(path, columns=SERIES_GROUP) for chunk, path in sorted(previous.items()) if chunk not in reused
    ]
    touched = pa.concat_arrays([pc.unique(_group_keys(t)) for t in changed]) if changed else pa.array([], pa.string())
    kept = old.filter(pc.invert(pc.is_in(_group_keys(old), value_set=touched)))
    redo = [t.filter(pc.is_in(_group_keys(t), value_set=touched)) for t in (o.series_input for o in outputs)]
    rebuilt = series_by_indicator(
        [t for t in redo if t.num_rows], [o.publishers for o in outputs if o.publishers.num_rows], workers=workers
    )
    log.info("series: %d rows carried over from %s, %d rebuilt", kept.num_rows, writer.previous, len(rebuilt))
    rebuilt_arrow = to_arrow(rebuilt, name="series")
    return pa.concat_tables([kept, rebuilt_arrow.cast(kept.schema)]) if len(rebuilt) else kept


def series_by_indicator(series_input: list[pa.Table], publishers: list[pa.Table], *, workers: int = 1) -> pd.DataFrame:
    """`build_series` one indicator at a time (its groups never span indicators): the whole input stays in
    Arrow, and only one indicator's rows are Python objects at once. With `workers` > 1, contiguous runs
    of indicators of about equal size are built in the process pool; the rows come back in order."""
    if not series_input:
        return build_series(pd.DataFrame(columns=SERIES_INPUT), pd.DataFrame(columns=PUBLISHER_INPUT))
    observations = pa.concat_tables(series_input, promote_options="permissive")
    maps = publisher_maps(pa.concat_tables(publishers, promote_options="permissive").to_pandas())
    codes = pc.cast(observations.column("indicator_code"), pa.string())
    slices = [observations.filter(pc.equal(codes, code)) for code in sorted(pc.unique(codes).drop_null().to_pylist())]
    missing = observations.filter(pc.is_null(codes))
    slices += [missing] if missing.num_rows else []
    if observations.num_rows < SERIES_POOL_MIN_ROWS:
        workers = 1  # starting the pool's workers would cost more than it saves
    blocks: list[list[pa.Table]] = [[]]
    per_block = observations.num_rows / max(1, workers)
    for table in slices:
        if blocks[-1] and sum(t.num_rows for t in blocks[-1]) >= per_block:
            blocks.append([])
        blocks[-1].append(table)
    frames = map_ordered(_series_of, [(block, maps) for block in blocks], workers=workers)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _series_of(task: tuple[list[pa.Table], tuple[dict[str, str], dict[str, str]]]) -> pd.DataFrame:
    """The series rows of a run of indicators (picklable, for the process pool)."""
    tables, maps = task
    frames = [build_series(t.to_pandas(date_as_object=True), None, publishers=maps) for t in tables]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


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
