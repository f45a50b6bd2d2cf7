"""pandera schemas of the published tables, built from their declaration in `dxdata.tables` (types, empty
values, allowed values, unique columns) plus the checks that only code can say: a percent within 0-100,
periods in order, evidence equal to the article text at its span, finite values.

`schemas/*.schema.yaml` are YAML exports of these for readers (`python scripts/generate_docs.py` writes
them); the custom checks live only here.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd
import pandera.pandas as pa

from dxdata.tables import TABLES, Column, Table


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


def _finite(s: pd.Series) -> pd.Series:
    return s.map(lambda v: v == v and abs(v) != float("inf"))


# Column checks beyond the declaration, by table and column.
COLUMN_CHECKS: dict[str, dict[str, list[pa.Check]]] = {
    "observations": {
        "value": [pa.Check(_finite, name="finite")],
        "denominator": [pa.Check.gt(0, ignore_na=True)],
        "evidence": [pa.Check.str_length(min_value=1)],
    },
}


def _column(table: str, col: Column, codes: Iterable[str] | None) -> pa.Column:
    """The pandera column of a declared column; `codes`, when given, are the codes a codebook column may take.
    No descriptions: they live in the declaration, and pandera's YAML would escape every Vietnamese letter."""
    extra = COLUMN_CHECKS.get(table, {}).get(col.name, [])
    if col.kind in ("text", "code"):
        allowed = col.values or codes
        checks = ([pa.Check.isin(sorted(set(allowed)))] if allowed else []) + extra
        return pa.Column(
            str,
            checks=checks,
            nullable=col.nullable,
            coerce=True,
            unique=col.unique,
            report_duplicates="exclude_first",
        )
    if col.kind == "date":
        checks = [pa.Check(_is_date_or_null, name="is_date"), *extra]
        return pa.Column(checks=checks, nullable=col.nullable)
    dtype = {"integer": int, "number": float, "boolean": bool}[col.kind]
    checks = ([pa.Check.ge(col.minimum)] if col.minimum is not None else []) + extra
    return pa.Column(dtype, checks=checks or None, nullable=col.nullable, coerce=True)


def schema_of(
    table: Table, *, codes: Mapping[str, Iterable[str]] | None = None, checks: list[pa.Check] | None = None, **kwargs
) -> pa.DataFrameSchema:
    """The pandera schema of a declared table: its columns, its unique columns, and table-level `checks`.
    `codes` maps a code column to the codes it may take (an empty collection checks nothing)."""
    codes = codes or {}
    if table.unique:
        kwargs.setdefault("unique", list(table.unique))
        kwargs.setdefault("report_duplicates", "exclude_first")
    return pa.DataFrameSchema(
        {c.name: _column(table.name, c, codes.get(c.name) or None) for c in table.columns},
        checks=checks,
        name=table.name,
        **kwargs,
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
    codes = {"indicator_code": indicator_codes, "body_code": body_codes, "region_code": region_codes}
    return schema_of(TABLES["observations"], codes=codes, checks=checks, strict="filter", ordered=False)


def articles_schema() -> pa.DataFrameSchema:
    """One row per raw file that was read."""
    return schema_of(TABLES["articles"], strict="filter")


def mentions_schema() -> pa.DataFrameSchema:
    """Every number seen and not published as an observation, with the reason."""
    return schema_of(TABLES["mentions"], strict="filter")


def rejects_schema() -> pa.DataFrameSchema:
    """Raw files that were not read and rows that failed validation, each with the reason."""
    return schema_of(TABLES["rejects"], strict="filter")


def series_schema() -> pa.DataFrameSchema:
    """The `series` table as `dxdata.products.series.build_series` returns it: every column, in order."""
    return schema_of(TABLES["series"], strict=True, ordered=True)


SCHEMAS = {
    "articles": articles_schema,
    "observations": observations_schema,
    "mentions": mentions_schema,
    "rejects": rejects_schema,
}


def yaml_exports() -> dict[str, str]:
    """Each validated table's schema as pandera YAML, for readers (custom checks are only in Python, and
    pandera says so in a warning per check: expected here, so not shown)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Only registered checks may be serialized")
        return {name: factory().to_yaml() for name, factory in SCHEMAS.items()}
