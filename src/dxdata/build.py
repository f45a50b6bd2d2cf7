"""Build a version chunk by chunk, so that memory stays flat and unchanged chunks are not rebuilt.

The articles, sorted by file name, are cut into chunks of about `CHUNK_TARGET` articles. A cut falls
after an article whose file name hashes to 0 modulo the target (content-defined boundaries), so
adding or removing a file moves only the boundaries next to it: every other chunk keeps its articles
and its key. A chunk's key is the hash of its articles (file name and `article_key`) and of the
extraction version (`dxdata.incremental.cache_version`: codebook and code).

For each chunk, the tables it gives on its own (articles, observations, mentions, rejects) are
written as one Parquet part per table (`dxdata.store.write_part`); a chunk whose key is in the latest
version is not rebuilt at all: its parts are hard-linked from there (`VersionWriter.reuse_part`).
The chunks that do need building look their articles up in the extraction cache first, so one new
article in a chunk costs one extraction. `build_chunk` is a plain, picklable function: the CLI runs
it in a process pool, the flow in its tasks. What comes back to the caller is small: counts, and the
few columns of the observations that the `series` table is built from.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import pyarrow.parquet as pq

from dxdata.codebook import Codebook, load_codebook
from dxdata.incremental import article_key, extract_incremental
from dxdata.models import Article, FileReject
from dxdata.pipeline import (
    SORT_KEYS,
    RefreshSummary,
    chunk_tables,
    code_version,
    codebook_tables,
    file_rejects_table,
    source_records,
)
from dxdata.series import build_series
from dxdata.store import Part, PublishResult, VersionWriter, write_part

CHUNK_TARGET = 500  # articles per chunk on average; at most 4x as many
CHUNKED_TABLES = ("articles", "observations", "mentions", "rejects")
SERIES_INPUT = [
    "obs_id", "article_id", "source_file", "indicator_code", "value", "unit", "qualifier", "status",
    "period_start", "period_end", "region_code", "number_text",
]  # fmt: skip
PUBLISHER_INPUT = ["article_id", "source_file", "publisher", "url"]
FILE_REJECTS_CHUNK = "files"


@dataclass(frozen=True)
class Chunk:
    index: int  # position in the version, from 1 (part 0 of `rejects` holds the files not read)
    key: str
    articles: list[Article]


@dataclass
class ChunkOutput:
    """What building (or reusing) a chunk gave: its parts, counts, and the input of the series table."""

    index: int
    key: str
    parts: dict[str, Part]
    series_input: pd.DataFrame
    publishers: pd.DataFrame
    reject_reasons: dict[str, int] = field(default_factory=dict)
    reused: bool = False
    extracted: int = 0  # articles extracted (cache misses); the others came from the cache

    def rows(self, table: str) -> int:
        return self.parts[table].rows


def _cut_here(source_file: str, target: int) -> bool:
    return int(hashlib.sha1(source_file.encode("utf-8")).hexdigest()[:12], 16) % target == 0


def plan_chunks(articles: Sequence[Article], version: str, target: int = CHUNK_TARGET) -> list[Chunk]:
    """Chunks of the articles in file-name order, with stable boundaries and keys (see the module doc)."""
    ordered = sorted(articles, key=lambda a: a.source_file)
    target = max(1, target)
    groups: list[list[Article]] = [[]]
    for article in ordered:
        groups[-1].append(article)
        if _cut_here(article.source_file, target) or len(groups[-1]) >= 4 * target:
            groups.append([])
    chunks = []
    for group in (g for g in groups if g):
        h = hashlib.sha256(f"chunk\0{version}\n".encode())
        for a in group:
            h.update(f"{a.source_file}\0{article_key(a)}\n".encode())
        chunks.append(Chunk(len(chunks) + 1, h.hexdigest(), group))
    return chunks


def _reasons(rejects: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in Counter(rejects["reason"].tolist()).items()} if len(rejects) else {}


def build_chunk(chunk: Chunk, staging: str, cache_dir: str, codebook: Codebook | None = None) -> ChunkOutput:
    """Extract (cache first), validate and write one chunk's parts into `staging`. Runs in any process."""
    codebook = codebook or load_codebook()
    articles = chunk.articles
    results, stats = extract_incremental(articles, codebook, cache_dir, batch_size=len(articles), prune=False)
    tables = chunk_tables(articles, results, codebook)
    parts = {
        name: write_part(staging, name, chunk.index, chunk.key, tables[name], SORT_KEYS[name])
        for name in CHUNKED_TABLES
    }
    return ChunkOutput(
        chunk.index,
        chunk.key,
        parts,
        series_input=tables["observations"][SERIES_INPUT],
        publishers=tables["articles"][PUBLISHER_INPUT],
        reject_reasons=_reasons(tables["rejects"]),
        extracted=stats.misses,
    )


def reuse_chunk(chunk: Chunk, writer: VersionWriter) -> ChunkOutput | None:
    """The chunk's parts from the latest version, when it has all of them (else None: build it)."""
    if not all(writer.has_part(name, chunk.key) for name in CHUNKED_TABLES):
        return None
    parts = {name: writer.reuse_part(name, chunk.index, chunk.key) for name in CHUNKED_TABLES}
    if any(p is None for p in parts.values()):
        return None

    def read(table: str, columns: list[str]) -> pd.DataFrame:
        part = parts[table]
        if not part.rows:
            return pd.DataFrame(columns=columns)
        return pq.read_table(writer.staging / part.file, columns=columns).to_pandas(date_as_object=True)

    rejects = read("rejects", ["reason"])
    return ChunkOutput(
        chunk.index,
        chunk.key,
        parts,  # type: ignore[arg-type]
        series_input=read("observations", SERIES_INPUT),
        publishers=read("articles", PUBLISHER_INPUT),
        reject_reasons=_reasons(rejects),
        reused=True,
    )


def build_version(
    writer: VersionWriter,
    chunks: Sequence[Chunk],
    outputs: Sequence[ChunkOutput],
    articles: Sequence[Article],
    file_rejects: Sequence[FileReject],
    codebook: Codebook,
) -> RefreshSummary:
    """Register the parts, add the rejected files, the series and the codebooks, and commit."""
    outputs = sorted(outputs, key=lambda o: o.index)
    if [o.index for o in outputs] != [c.index for c in chunks]:
        raise RuntimeError("a chunk has no output: the version would miss articles")
    rejected = file_rejects_table(file_rejects)
    files_part = write_part(writer.staging, "rejects", 0, _file_rejects_key(rejected), rejected, SORT_KEYS["rejects"])
    empty = chunk_tables([], [], codebook)
    for name in CHUNKED_TABLES:
        parts = ([files_part] if name == "rejects" else []) + [o.parts[name] for o in outputs]
        writer.add_parts(name, parts, SORT_KEYS[name], empty[name])
    series_input = [o.series_input for o in outputs if len(o.series_input)]
    publishers = [o.publishers for o in outputs if len(o.publishers)]
    series = build_series(
        pd.concat(series_input, ignore_index=True) if series_input else empty["observations"][SERIES_INPUT],
        pd.concat(publishers, ignore_index=True) if publishers else empty["articles"][PUBLISHER_INPUT],
    )
    writer.write_table("series", series, SORT_KEYS["series"])
    for name, df in codebook_tables(codebook).items():
        writer.write_table(name, df, SORT_KEYS.get(name))
    published = writer.commit(sources=source_records(articles, file_rejects), code_version=code_version(codebook))
    return summarize_chunks(outputs, file_rejects, published)


def _file_rejects_key(rejected: pd.DataFrame) -> str:
    rows = sorted(zip(rejected["source_file"].tolist(), rejected["reason"].tolist(), strict=True))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def summarize_chunks(
    outputs: Sequence[ChunkOutput], file_rejects: Sequence[FileReject], published: PublishResult
) -> RefreshSummary:
    reasons: Counter[str] = Counter(r.reason for r in file_rejects)
    for o in outputs:
        reasons.update(o.reject_reasons)
    return RefreshSummary(
        files_seen=sum(o.rows("articles") for o in outputs) + len(file_rejects),
        articles_read=sum(o.rows("articles") for o in outputs),
        files_rejected=len(file_rejects),
        observations=sum(o.rows("observations") for o in outputs),
        rows_rejected=sum(o.rows("rejects") for o in outputs),
        mentions=sum(o.rows("mentions") for o in outputs),
        version=published.version,
        changed=published.changed,
        reject_reasons=dict(sorted(reasons.items())),
    )
