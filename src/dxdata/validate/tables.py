"""Extraction results as the dataset's tables, with their ids and their declared columns (`dxdata.tables`),
validated: rows that fail a check go to the rejects table (`dxdata.validate.rows`). Column types are fixed
where the tables are written: the store casts every declared column to its declared type, so an empty
table and a full one write the same Parquet schema."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date

import pandas as pd

from dxdata.codebook import Codebook
from dxdata.extract.regions import all_region_codes, regions_table
from dxdata.models import Article, ExtractionResult, FileReject, Observation
from dxdata.tables import TABLES
from dxdata.validate.rows import REJECT_COLUMNS, split_valid, validate_observations
from dxdata.validate.schemas import articles_schema, mentions_schema, rejects_schema

# The column order of each table, as declared in dxdata.tables.
OBSERVATION_COLUMNS = TABLES["observations"].names
MENTION_COLUMNS = TABLES["mentions"].names
ARTICLE_COLUMNS = TABLES["articles"].names


def obs_id(
    source_file: str,
    indicator_code: str,
    period_start: date | None,
    period_end: date | None,
    region_code: str | None,
    body_code: str | None,
    ordinal: int,
) -> str:
    """Id of one observation, from what identifies the fact rather than the article's text, so that it
    survives an edit of the article: a corrected figure keeps its id and diffs as a change.

    The key is the raw file's path in the raw folder (not its URL: an id must not change when a URL becomes
    known later), the indicator, the period, the region, the body, and `ordinal`, the fact's place among
    the article's facts with the same key, in text order (`observation_ids`). A renamed file gives new ids.
    """
    key = (
        source_file,
        indicator_code,
        period_start.isoformat() if period_start else "",
        period_end.isoformat() if period_end else "",
        region_code or "",
        body_code or "",
        str(ordinal),
    )
    return hashlib.sha256("\0".join(key).encode("utf-8")).hexdigest()[:16]


def observation_ids(observations: Sequence[Observation]) -> list[str]:
    """The `obs_id` of each observation, in the given order. Ordinals count in text order (by number
    position) within one file, so the ids are the same whatever else a chunk holds."""
    ids: list[str] = [""] * len(observations)
    seen: dict[tuple, int] = {}
    order = sorted(range(len(observations)), key=lambda i: (observations[i].source_file, observations[i].number_start))
    for i in order:
        o = observations[i]
        key = (o.source_file, o.indicator_code, o.period_start, o.period_end, o.region_code, o.body_code)
        ordinal = seen.get(key, 0)
        seen[key] = ordinal + 1
        ids[i] = obs_id(*key, ordinal)
    return ids


def _columns(records: Sequence[object], names: Sequence[str]) -> dict[str, list]:
    """Column lists read straight off flat dataclass records (`asdict` deep-copies every field: 6x slower)."""
    return {name: [getattr(r, name) for r in records] for name in names}


def observations_frame(results: Iterable[ExtractionResult]) -> pd.DataFrame:
    observations = [o for result in results for o in result.observations]
    columns = _columns(observations, [c for c in OBSERVATION_COLUMNS if c != "obs_id"])
    columns["obs_id"] = observation_ids(observations)
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


def chunk_tables(
    articles: Sequence[Article], results: Sequence[ExtractionResult], codebook: Codebook
) -> dict[str, pd.DataFrame]:
    """The tables a set of articles gives on its own, validated: ``articles``, ``observations``,
    ``mentions``, and ``rejects`` holding every row that failed a check (with the check)."""
    observations = observations_frame(results)
    good_obs, obs_rejects = validate_observations(
        observations,
        indicator_codes=list(codebook.indicators),
        body_codes=list(codebook.bodies),
        region_codes=all_region_codes(),
        article_texts={a.article_id: a.text for a in articles},
    )
    articles_df, article_rejects = split_valid(articles_frame(articles, results), articles_schema(), table="articles")
    mentions_df, mention_rejects = split_valid(mentions_frame(results), mentions_schema(), table="mentions")
    failed = [df for df in (article_rejects, obs_rejects, mention_rejects) if not df.empty]
    rejects = pd.concat(failed, ignore_index=True) if failed else pd.DataFrame(columns=REJECT_COLUMNS)
    return {
        "articles": articles_df.reset_index(drop=True),
        "observations": good_obs.reindex(columns=OBSERVATION_COLUMNS).reset_index(drop=True),
        "mentions": mentions_df.reset_index(drop=True),
        "rejects": rejects.reindex(columns=REJECT_COLUMNS).reset_index(drop=True),
    }


def file_rejects_table(file_rejects: Sequence[FileReject]) -> pd.DataFrame:
    """The rejects table's rows for raw files that were not read, validated."""
    rejects, _ = split_valid(file_rejects_frame(file_rejects), rejects_schema(), table="rejects")
    return rejects.reindex(columns=REJECT_COLUMNS).reset_index(drop=True)
