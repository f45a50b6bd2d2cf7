"""pandera schemas of the published tables: the source of truth for types and rules.

`schemas/*.schema.yaml` are exports of these for readers (`python -m dxdata.validate.schemas`);
custom checks live only here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

QUALIFIERS = ["eq", "gt", "lt", "approx"]
STATUSES = ["actual", "estimate", "target"]
UNITS = ["percent", "count", "VND", "USD", "rank", "score", "times"]


def _is_date_or_null(s: pd.Series) -> pd.Series:
    return s.map(lambda v: v is None or (isinstance(v, float) and v != v) or isinstance(v, date) or v is pd.NaT)


def _percent_in_range(df: pd.DataFrame) -> pd.Series:
    return (df["unit"] != "percent") | df["value"].between(0, 100)


def _period_ordered(df: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [
            s is None or e is None or pd.isna(s) or pd.isna(e) or s <= e
            for s, e in zip(df["period_start"], df["period_end"], strict=True)
        ],
        index=df.index,
        dtype=bool,
    )


def _span_matches(texts: Mapping[str, str]):
    def check(df: pd.DataFrame) -> pd.Series:
        return pd.Series(
            [
                texts.get(a, "")[s:e] == ev
                for a, s, e, ev in zip(df["article_id"], df["char_start"], df["char_end"], df["evidence"], strict=True)
            ],
            index=df.index,
        )

    return check


def _str(
    nullable: bool = False, isin: Iterable[str] | None = None, min_length: int = 0, unique: bool = False
) -> pa.Column:
    checks = [pa.Check.isin(sorted(set(isin)))] if isin is not None else []
    if min_length:
        checks.append(pa.Check.str_length(min_value=min_length))
    return pa.Column(
        str, checks=checks, nullable=nullable, coerce=True, unique=unique, report_duplicates="exclude_first"
    )


def observations_schema(
    indicator_codes: Iterable[str] = (),
    body_codes: Iterable[str] = (),
    region_codes: Iterable[str] = (),
    article_texts: Mapping[str, str] | None = None,
) -> pa.DataFrameSchema:
    """One row per indicator fact (ROWS.md), with provenance into the article text."""
    checks = [
        pa.Check(_percent_in_range, name="percent_within_0_100"),
        pa.Check(_period_ordered, name="period_start_le_period_end"),
    ]
    if article_texts is not None:
        checks.append(pa.Check(_span_matches(article_texts), name="evidence_at_span"))
    return pa.DataFrameSchema(
        {
            "obs_id": _str(unique=True),
            "article_id": _str(),
            "source_file": _str(),
            "indicator_code": _str(isin=indicator_codes or None),
            "value": pa.Column(
                float,
                pa.Check(lambda s: s.map(lambda v: v == v and abs(v) != float("inf")), name="finite"),
                coerce=True,
            ),
            "unit": _str(isin=UNITS),
            "denominator": pa.Column(float, nullable=True, coerce=True, checks=pa.Check.gt(0, ignore_na=True)),
            "qualifier": _str(isin=QUALIFIERS),
            "status": _str(isin=STATUSES),
            "period_start": pa.Column(checks=pa.Check(_is_date_or_null, name="is_date"), nullable=True),
            "period_end": pa.Column(checks=pa.Check(_is_date_or_null, name="is_date"), nullable=True),
            "region_code": _str(isin=region_codes or None),
            "region_code_2025": _str(nullable=True),
            "body_code": _str(nullable=True, isin=body_codes or None),
            "evidence": _str(min_length=1),
            "char_start": pa.Column(int, pa.Check.ge(0), coerce=True),
            "char_end": pa.Column(int, pa.Check.ge(0), coerce=True),
            "number_text": _str(),
            "number_start": pa.Column(int, pa.Check.ge(0), coerce=True),
            "number_end": pa.Column(int, pa.Check.ge(0), coerce=True),
        },
        checks=checks,
        unique=["article_id", "number_start", "indicator_code"],
        report_duplicates="exclude_first",
        strict="filter",
        ordered=False,
        name="observations",
    )


def articles_schema() -> pa.DataFrameSchema:
    """One row per raw file that was read."""
    return pa.DataFrameSchema(
        {
            "article_id": _str(unique=True),
            "source_file": _str(unique=True),
            "title": _str(nullable=True),
            "published": pa.Column(checks=pa.Check(_is_date_or_null, name="is_date"), nullable=True),
            "event_date": pa.Column(checks=pa.Check(_is_date_or_null, name="is_date"), nullable=True),
            "publisher": _str(nullable=True),
            "url": _str(nullable=True),
            "format": _str(isin=["txt", "html"]),
            "encoding": _str(),
            "n_bytes": pa.Column(int, pa.Check.ge(0), coerce=True),
            "n_chars": pa.Column(int, pa.Check.ge(0), coerce=True),
            "content_sha256": _str(),
            "n_observations": pa.Column(int, pa.Check.ge(0), coerce=True),
            "n_mentions": pa.Column(int, pa.Check.ge(0), coerce=True),
        },
        strict="filter",
        name="articles",
    )


def mentions_schema() -> pa.DataFrameSchema:
    """Every number seen and not published as an observation, with the reason."""
    return pa.DataFrameSchema(
        {
            "article_id": _str(),
            "source_file": _str(),
            "number_text": _str(),
            "char_start": pa.Column(int, pa.Check.ge(0), coerce=True),
            "char_end": pa.Column(int, pa.Check.ge(0), coerce=True),
            "reason": _str(),
            "value": pa.Column(float, nullable=True, coerce=True),
            "unit": _str(nullable=True, isin=UNITS),
            "sentence": _str(),
        },
        strict="filter",
        name="mentions",
    )


def rejects_schema() -> pa.DataFrameSchema:
    """Raw files that were not read and rows that failed validation, each with the reason."""
    return pa.DataFrameSchema(
        {
            "stage": _str(isin=["ingest", "validate"]),
            "source_file": _str(),
            "article_id": _str(nullable=True),
            "obs_id": _str(nullable=True),
            "reason": _str(),
            "detail": _str(),
            "record": _str(nullable=True),
        },
        strict="filter",
        name="rejects",
    )


SCHEMAS = {
    "articles": articles_schema,
    "observations": observations_schema,
    "mentions": mentions_schema,
    "rejects": rejects_schema,
}


def export_yaml(folder: Path) -> list[Path]:
    """Write each schema's YAML export (documentation; custom checks are only in Python)."""
    written = []
    for name, factory in SCHEMAS.items():
        path = folder / f"{name}.schema.yaml"
        path.write_text(factory().to_yaml(), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in export_yaml(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(p)
