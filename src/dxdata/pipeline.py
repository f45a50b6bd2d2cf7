"""The refresh as plain functions: ingest -> extract -> validate -> publish.

The Prefect flow in `flows/refresh.py` calls these same functions inside tasks;
everything here runs and is tested without Prefect.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from dxdata import __version__
from dxdata.batching import batches, extract_batch, extract_batches  # noqa: F401 - extract_batch: old import path
from dxdata.codebook import Codebook, load_codebook
from dxdata.ingest import read_raw_folder
from dxdata.models import Article, ExtractionResult, FileReject
from dxdata.regions import all_region_codes, regions_table
from dxdata.schemas import articles_schema, mentions_schema, rejects_schema
from dxdata.series import SORT_KEYS as SERIES_SORT_KEYS
from dxdata.series import build_series
from dxdata.store import PublishResult, publish
from dxdata.validate import REJECT_COLUMNS, split_valid, validate_observations

log = logging.getLogger("dxdata.pipeline")

OBSERVATION_COLUMNS = [
    "obs_id",
    "article_id",
    "source_file",
    "indicator_code",
    "value",
    "unit",
    "denominator",
    "qualifier",
    "status",
    "period_start",
    "period_end",
    "region_code",
    "region_code_2025",
    "body_code",
    "evidence",
    "char_start",
    "char_end",
    "number_text",
    "number_start",
    "number_end",
]
MENTION_COLUMNS = [
    "article_id",
    "source_file",
    "number_text",
    "char_start",
    "char_end",
    "reason",
    "value",
    "unit",
    "sentence",
]
ARTICLE_COLUMNS = [
    "article_id",
    "source_file",
    "title",
    "published",
    "event_date",
    "publisher",
    "url",
    "format",
    "encoding",
    "n_bytes",
    "n_chars",
    "content_sha256",
    "n_observations",
    "n_mentions",
]
SORT_KEYS = {
    "articles": ["source_file"],
    "observations": ["source_file", "number_start", "indicator_code"],
    "mentions": ["source_file", "char_start", "reason"],
    "rejects": ["stage", "source_file", "obs_id", "reason"],
    "series": SERIES_SORT_KEYS,
    "indicators": ["indicator_code"],
    "bodies": ["body_code"],
    "regions": ["region_code"],
}


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


def obs_id(article_id: str, number_start: int, indicator_code: str) -> str:
    """Stable id of one observation: the same number in the same text keeps its id across runs."""
    return hashlib.sha256(f"{article_id}:{number_start}:{indicator_code}".encode()).hexdigest()[:16]


def _columns(records: Sequence[object], names: Sequence[str]) -> dict[str, list]:
    """Column lists read straight off flat dataclass records (`asdict` deep-copies every field: 6x slower)."""
    return {name: [getattr(r, name) for r in records] for name in names}


def observations_frame(results: Iterable[ExtractionResult]) -> pd.DataFrame:
    observations = [o for result in results for o in result.observations]
    columns = _columns(observations, [c for c in OBSERVATION_COLUMNS if c != "obs_id"])
    columns["obs_id"] = [obs_id(o.article_id, o.number_start, o.indicator_code) for o in observations]
    return pd.DataFrame(columns, columns=OBSERVATION_COLUMNS)


def mentions_frame(results: Iterable[ExtractionResult]) -> pd.DataFrame:
    mentions = [m for result in results for m in result.mentions]
    return pd.DataFrame(_columns(mentions, MENTION_COLUMNS), columns=MENTION_COLUMNS)


def articles_frame(articles: Sequence[Article], results: Sequence[ExtractionResult]) -> pd.DataFrame:
    computed = {"n_chars", "n_observations", "n_mentions"}
    columns = _columns(articles, [c for c in ARTICLE_COLUMNS if c not in computed])
    columns["n_chars"] = [len(a.text) for a in articles]
    columns["n_observations"] = [len(r.observations) for r in results]
    columns["n_mentions"] = [len(r.mentions) for r in results]
    if len(articles) != len(results):
        raise ValueError(f"{len(articles)} articles but {len(results)} extraction results")
    return pd.DataFrame(columns, columns=ARTICLE_COLUMNS)


def file_rejects_frame(rejects: Sequence[FileReject]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "stage": "ingest",
                "source_file": r.source_file,
                "article_id": None,
                "obs_id": None,
                "reason": r.reason,
                "detail": r.detail,
                "record": None,
            }
            for r in rejects
        ],
        columns=REJECT_COLUMNS,
    )


def codebook_tables(codebook: Codebook) -> dict[str, pd.DataFrame]:
    """The codebooks as tables, published with every version so that a version stands alone."""
    indicators = pd.DataFrame(
        [
            {
                "indicator_code": i.code,
                "group": i.group,
                "name_vi": i.name_vi,
                "name_en": i.name_en,
                "unit": i.unit,
                "per": i.per,
                "kind": i.kind,
                "cues": " | ".join(i.cue_texts),
            }
            for i in codebook.indicators.values()
        ]
    )
    bodies = pd.DataFrame(
        [
            {
                "body_code": b.code,
                "name_vi": b.name_vi,
                "name_en": b.name_en,
                "level": b.level,
                "aliases": " | ".join(b.aliases),
            }
            for b in codebook.bodies.values()
        ]
    )
    return {"indicators": indicators, "bodies": bodies, "regions": regions_table()}


def validate_tables(
    articles: Sequence[Article],
    results: Sequence[ExtractionResult],
    file_rejects: Sequence[FileReject],
    codebook: Codebook,
) -> dict[str, pd.DataFrame]:
    """Build every table and validate it; failing observation rows move to `rejects`."""
    observations = observations_frame(results)
    good_obs, obs_rejects = validate_observations(
        observations,
        indicator_codes=list(codebook.indicators),
        body_codes=list(codebook.bodies),
        region_codes=all_region_codes(),
        article_texts={a.article_id: a.text for a in articles},
    )
    articles_df, _ = split_valid(articles_frame(articles, results), articles_schema(), table="articles")
    mentions_df, _ = split_valid(mentions_frame(results), mentions_schema(), table="mentions")
    parts = [df for df in (file_rejects_frame(file_rejects), obs_rejects) if not df.empty]
    rejects = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=REJECT_COLUMNS)
    rejects_df, _ = split_valid(rejects, rejects_schema(), table="rejects")
    tables = {
        "articles": articles_df,
        "observations": good_obs.reindex(columns=OBSERVATION_COLUMNS),
        "mentions": mentions_df,
        "rejects": rejects_df.reindex(columns=REJECT_COLUMNS),
    }
    tables["series"] = build_series(tables["observations"], tables["articles"])
    tables.update(codebook_tables(codebook))
    return _typed(tables)


def _typed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Give every column a fixed type, so empty tables and full ones write the same Parquet schema."""
    ints = {
        "char_start",
        "char_end",
        "number_start",
        "number_end",
        "n_bytes",
        "n_chars",
        "n_observations",
        "n_mentions",
    }
    floats = {"value", "denominator"}
    dates = {"period_start", "period_end", "published", "event_date"}
    out = {}
    for name, df in tables.items():
        df = df.reset_index(drop=True).copy()
        for col in df.columns:
            if col in ints:
                df[col] = df[col].astype("int64")
            elif col in floats:
                df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
            elif col in dates:
                df[col] = pd.to_datetime(df[col], errors="coerce").astype("datetime64[s]").dt.date
                df[col] = df[col].astype(object).where(df[col].notna(), None)
            else:
                df[col] = df[col].astype(object).where(df[col].notna(), None)
        out[name] = df
    return out


def source_records(articles: Sequence[Article], file_rejects: Sequence[FileReject]) -> list[dict]:
    """The raw files a version was built from, for its manifest."""
    rows = [{"source_file": a.source_file, "sha256": a.content_sha256, "status": "read"} for a in articles]
    rows += [
        {"source_file": r.source_file, "sha256": r.content_sha256, "status": f"rejected:{r.reason}"}
        for r in file_rejects
    ]
    return sorted(rows, key=lambda r: r["source_file"])


def code_version(codebook: Codebook) -> str:
    return f"dxdata {__version__}; codebook {codebook.fingerprint[:12]}"


def summarize(
    tables: dict[str, pd.DataFrame], files_seen: int, published: PublishResult | None
) -> RefreshSummary:
    rejects = tables["rejects"]
    return RefreshSummary(
        files_seen=files_seen,
        articles_read=len(tables["articles"]),
        files_rejected=int((rejects["stage"] == "ingest").sum()),
        observations=len(tables["observations"]),
        rows_rejected=int((rejects["stage"] == "validate").sum()),
        mentions=len(tables["mentions"]),
        version=published.version if published else None,
        changed=bool(published and published.changed),
        reject_reasons={str(k): int(v) for k, v in rejects["reason"].value_counts().sort_index().items()},
    )


def finish_refresh(
    articles: Sequence[Article],
    results: Sequence[ExtractionResult],
    file_rejects: Sequence[FileReject],
    codebook: Codebook,
    out_dir: Path | str,
    timings: dict[str, float] | None = None,
) -> RefreshSummary:
    """Validate and publish: the last two stages of every way of running a refresh."""
    clock = Stopwatch(timings)
    with clock("validate"):
        tables = validate_tables(articles, results, file_rejects, codebook)
    with clock("publish"):
        published = publish(
            tables,
            Path(out_dir),
            sources=source_records(articles, file_rejects),
            sort_keys=SORT_KEYS,
            code_version=code_version(codebook),
        )
    summary = summarize(tables, len(articles) + len(file_rejects), published)
    log.info("refresh: %s", json.dumps(summary.as_dict(), ensure_ascii=False))
    return summary


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
    """The whole refresh without Prefect (the CLI's ``--no-prefect``, tests, notebooks, benchmarks).

    With `cached`, files and extraction results unchanged since the last run come from the caches
    under ``out_dir/cache`` (`dxdata.incremental`), as in the flow; without, everything is redone,
    which is the reference the cached path is tested against. `workers` > 1 extracts in a process
    pool. `timings`, when given, receives the seconds spent per stage.
    """
    from dxdata.incremental import cache_dir_for, extract_incremental, read_raw_folder_cached

    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    clock = Stopwatch(timings)
    codebook = load_codebook()
    with clock("ingest"):
        if cached:
            articles, file_rejects, _ = read_raw_folder_cached(raw_dir, cache_dir_for(out_dir))
        else:
            articles, file_rejects = read_raw_folder(raw_dir)
    log.info("ingest: %d articles read, %d files rejected", len(articles), len(file_rejects))
    with clock("extract"):
        if cached:
            results, _ = extract_incremental(
                articles, codebook, cache_dir_for(out_dir), batch_size=batch_size, on_batch=on_batch, workers=workers
            )
        else:
            todo = list(batches(articles, batch_size))
            done = (lambda i, _: on_batch(i + 1, len(todo))) if on_batch else None
            results = [r for batch in extract_batches(todo, codebook, workers=workers, on_result=done) for r in batch]
    return finish_refresh(articles, results, file_rejects, codebook, out_dir, timings)


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
