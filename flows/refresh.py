"""The Prefect flow `refresh`: raw articles in, validated and versioned indicator tables out.

Work is batched: one task reads the raw folder, one task per batch of articles
extracts, one validates, one publishes. Each task calls a plain function from
`dxdata.pipeline`, so the logic is tested without Prefect.

    python flows/refresh.py --raw-dir data/raw --out-dir data/processed
"""

from __future__ import annotations

import sys
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from dxdata.codebook import load_codebook
from dxdata.ingest import read_raw_folder
from dxdata.models import Article, ExtractionResult, FileReject
from dxdata.pipeline import (
    SORT_KEYS,
    batches,
    code_version,
    extract_batch,
    source_records,
    summarize,
    validate_tables,
)
from dxdata.store import PublishResult, publish

DEFAULT_BATCH = 500


@task(name="ingest", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def ingest(raw_dir: str) -> tuple[list[Article], list[FileReject]]:
    articles, rejects = read_raw_folder(Path(raw_dir))
    get_run_logger().info("ingest: %d files read, %d rejected", len(articles), len(rejects))
    return articles, rejects


@task(name="extract", cache_policy=NO_CACHE)
def extract(batch: list[Article]) -> list[ExtractionResult]:
    results = extract_batch(batch)
    n_obs = sum(len(r.observations) for r in results)
    get_run_logger().info("extract: %d articles -> %d candidate rows", len(batch), n_obs)
    return results


@task(name="validate", cache_policy=NO_CACHE)
def validate(articles: list[Article], results: list[ExtractionResult], rejects: list[FileReject]) -> dict:
    tables = validate_tables(articles, results, rejects, load_codebook())
    bad = int((tables["rejects"]["stage"] == "validate").sum())
    get_run_logger().info("validate: %d rows valid, %d rows rejected", len(tables["observations"]), bad)
    return tables


@task(name="publish", cache_policy=NO_CACHE)
def publish_tables(tables: dict, out_dir: str, sources: list[dict]) -> PublishResult:
    result = publish(tables, Path(out_dir), sources=sources, sort_keys=SORT_KEYS,
                     code_version=code_version(load_codebook()))
    if result.changed:
        get_run_logger().info("publish: new version %s at %s", result.version, result.path)
    else:
        get_run_logger().info("publish: no change since %s, nothing published", result.version)
    return result


@flow(name="refresh")
def refresh(raw_dir: str = "data/raw", out_dir: str = "data/processed", batch_size: int = DEFAULT_BATCH) -> dict:
    """Build the dataset from `raw_dir` and publish a new version under `out_dir` if anything changed."""
    articles, file_rejects = ingest(raw_dir)
    futures = [extract.submit(list(batch)) for batch in batches(articles, batch_size)]
    results = [r for f in futures for r in f.result()]
    tables = validate(articles, results, file_rejects)
    published = publish_tables(tables, out_dir, source_records(articles, file_rejects))
    summary = summarize(tables, len(articles) + len(file_rejects), published)
    create_table_artifact(
        key="refresh-summary",
        table=[{"stage": k, "count": v} for k, v in summary.as_dict().items() if isinstance(v, int | str | None)],
        description=f"dxdata refresh: version {summary.version} ({'new' if summary.changed else 'no change'})",
    )
    return summary.as_dict()


if __name__ == "__main__":
    from dxdata.cli import main

    sys.exit(main(["refresh", *sys.argv[1:]]))
