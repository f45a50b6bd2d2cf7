"""A citable release of one published version: one zip archive for researchers.

    dxdata release --version v0002 --out dist        # -> dist/dxdata-v0002.zip

The archive holds one folder, ``dxdata-<version>/``, with:

* ``data/<table>.parquet``: one file per table. Tables published as one file are copied byte for byte
  (their sha256 equal the manifest's); tables published in parts (one per chunk of articles) are
  checked against the manifest and joined, in order, into one file; plus ``series`` built with
  `dxdata.series.build_series` when the version predates that table;
* ``data/<table>.csv``: the same rows as CSV (UTF-8, comma, header row, ISO dates ``YYYY-MM-DD``,
  ``true``/``false``, empty cell = missing, floats in shortest round-trip form);
* ``datapackage.json``: a Frictionless Data Package: one tabular resource per CSV with every field's
  type, description, constraints and unit where known, primary and foreign keys, byte counts and
  sha256; one file resource per Parquet file;
* ``DATA_DICTIONARY.md``: tables and columns, generated from the same descriptions as the data
  package (the pandera schemas' descriptions where they have them, else `COLUMN_DESCRIPTIONS` here)
  and the allowed codes;
* ``codebook/indicators.csv``, ``codebook/bodies.csv``, ``codebook/regions.csv`` and ``CODEBOOK.md``;
* ``ROWS.md`` (what one observation is), ``README.md``, ``CITATION.cff`` (CFF 1.2.0),
  ``LICENSE-DATA.md`` (CC BY 4.0), ``CHANGELOG.md`` (this version against the previous one, by
  `dxdata.diff`), ``manifest.json`` (the version's manifest, as published);
* ``SHA256SUMS``: the sha256 of every other file, in ``sha256sum`` format (``sha256sum -c SHA256SUMS``
  inside the folder checks them).

Deterministic: every file is generated from the version alone (no clock; dates come from the
manifest), entries are written in sorted order with the manifest's ``created`` time as their
timestamp, so releasing the same version twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import math
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from dxdata import __version__
from dxdata.diff import diff_versions, format_cell
from dxdata.series import SORT_KEYS as SERIES_SORT_KEYS
from dxdata.series import build_series, series_schema
from dxdata.store import (
    DATE_COLUMNS,
    DEFAULT_ROOT,
    PARQUET_SETTINGS,
    StoreError,
    inside,
    load,
    read_arrow,
    read_manifest,
    sha256_file,
    verify,
    versions,
    write_parquet,
)

DATASET_NAME = "dxdata"
DATASET_TITLE = "dxdata: Vietnam digital transformation indicators extracted from news articles"
DATASET_DESCRIPTION = (
    "A tidy dataset of digital-transformation and e-government indicators for Viet Nam and its provinces "
    "(shares, counts, amounts of money, ranks, scores), extracted from Vietnamese news articles. Every "
    "observation keeps the sentence it was read from and its position in the article; the series table "
    "consolidates the observations of one indicator, region, date and status across articles."
)
AUTHORS = [{"name": "dxdata contributors"}]
KEYWORDS = ["Vietnam", "digital transformation", "e-government", "indicators", "news", "open data"]
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}

# One line per table; tables with a pandera schema in dxdata.schemas use its docstring instead.
TABLE_DESCRIPTIONS = {
    "indicators": "The indicator codebook: one row per indicator code, with its names and unit.",
    "bodies": "The codebook of government bodies that figures are attributed to.",
    "regions": "Viet Nam and its provinces as they stood before the 1 July 2025 merger, with their 2025 province.",
    "series": "Consolidated series: one row per indicator, region, period end and status, across articles.",
}

# Column descriptions where the pandera schemas have none. `*` applies to every table; a table's own
# entry wins. Written once here: the data package and the data dictionary both read them.
COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "*": {
        "article_id": "Id of the article (first 16 hex digits of the sha256 of its raw file).",
        "source_file": "Name of the raw file the article was read from.",
        "obs_id": "Stable id of an observation: hash of article, position of the number and indicator code.",
        "indicator_code": "Indicator code from the codebook (see the indicators table and CODEBOOK.md).",
        "value": "The number in base units: 80,2% is 80.2; 13,2 triệu is 13200000 (see unit).",
        "unit": "Unit of value: percent (0-100), count, VND, USD, rank, score or times.",
        "denominator": "For 'x/y' figures (62/63 địa phương, hạng 86/193) the y; else empty.",
        "qualifier": "How the number was printed: eq plain, gt more than (trên, hơn, vượt), lt less than "
        "(dưới), approx about (khoảng, gần).",
        "status": "actual; estimate (ước, dự kiến đạt); or target (mục tiêu, kế hoạch, phấn đấu).",
        "period_start": "First day of the period the number covers, when the text gives one.",
        "period_end": "Date the number is true at, or last day of its period (else the event or publication date).",
        "region_code": "Where the number is about: VN, or a province's ISO 3166-2:VN code as before the 2025 merger.",
        "region_code_2025": "ISO 3166-2:VN code of the province the region belongs to since 1 July 2025.",
        "body_code": "Body the text credits with the number, from the bodies codebook (PPC with a province's "
        "region is that province's People's Committee).",
        "evidence": "The sentence or clause the number stands in, verbatim from the article.",
        "char_start": "Start of the evidence in the article text (0-based character offset).",
        "char_end": "End of the evidence in the article text (character offset, exclusive).",
        "number_text": "The number as written in the article.",
        "number_start": "Start of number_text in the article text (0-based character offset).",
        "number_end": "End of number_text in the article text (character offset, exclusive).",
        "name_vi": "Name in Vietnamese.",
        "name_en": "Name in English.",
        "level": "Administrative level.",
        "reason": "Why the row is here (a short code).",
    },
    "articles": {
        "title": "Headline of the article.",
        "published": "Publication date of the article, when the page or file gives one.",
        "event_date": "Date of the event the article reports (e.g. the meeting day), when it names one.",
        "publisher": "Name of the newspaper or site that published the article, when known.",
        "url": "Address the article was published at, when known.",
        "format": "Format of the raw file: txt or html.",
        "encoding": "Text encoding the raw file was read with.",
        "n_bytes": "Size of the raw file.",
        "n_chars": "Length of the article text.",
        "content_sha256": "sha256 of the raw file's bytes.",
        "n_observations": "Observations published from the article.",
        "n_mentions": "Numbers seen in the article and not published as observations.",
    },
    "mentions": {
        "char_start": "Start of number_text in the article text (0-based character offset).",
        "char_end": "End of number_text in the article text (character offset, exclusive).",
        "reason": "Why the number is not an observation: year, date, time, document_number, ordinal, phone, "
        "page_chrome, label, duration_or_measure, no_indicator, ...",
        "value": "The number in base units, when it could be read.",
        "unit": "Its unit, when one was recognised.",
        "sentence": "The sentence the number stands in.",
    },
    "rejects": {
        "stage": "Where the row was rejected: ingest (a raw file that could not be read) or validate (an "
        "observation that failed a check).",
        "obs_id": "Id of the rejected observation (validate stage).",
        "reason": "The failed check or the reason the file was not read.",
        "detail": "What exactly failed.",
        "record": "The rejected observation as JSON (validate stage).",
    },
    "indicators": {
        "group": "Thematic group of the indicator (infrastructure, digital_government, data, ...).",
        "unit": (
            "Unit every value of the indicator is given in ('USD|VND': a money indicator reported in either currency)."
        ),
        "per": "Period a flow is counted over (year), when it is a rate per period.",
        "kind": "level (a stock or share) or change (a growth rate, matched only by 'tăng x%').",
        "cues": "Typical Vietnamese phrasings the extractor matches, joined with ' | '.",
    },
    "bodies": {
        "level": "national, or provincial (a body that exists once per province).",
        "aliases": "Other names and abbreviations matched in articles, joined with ' | '.",
    },
    "regions": {
        "level": "country, province or municipality (a centrally run city).",
        "gso_code": "Province code of the General Statistics Office of Viet Nam.",
        "name_2025": "Name of the province the region belongs to since 1 July 2025.",
    },
}
FIELD_UNITS = {
    ("articles", "n_bytes"): "bytes",
    ("articles", "n_chars"): "characters",
    **{(t, c): "characters" for t in ("observations", "mentions") for c in ("char_start", "char_end")},
    **{("observations", c): "characters" for c in ("number_start", "number_end")},
}
UNIT_COLUMN = "given by the unit column of the same row"
PRIMARY_KEYS = {
    "articles": ["article_id"],
    "observations": ["obs_id"],
    "indicators": ["indicator_code"],
    "bodies": ["body_code"],
    "regions": ["region_code"],
    "series": ["indicator_code", "region_code", "period_end", "status"],
}
FOREIGN_KEYS = {  # (table, column) -> (table, column)
    ("observations", "article_id"): ("articles", "article_id"),
    ("observations", "indicator_code"): ("indicators", "indicator_code"),
    ("observations", "region_code"): ("regions", "region_code"),
    ("observations", "body_code"): ("bodies", "body_code"),
    ("mentions", "article_id"): ("articles", "article_id"),
    ("series", "indicator_code"): ("indicators", "indicator_code"),
    ("series", "region_code"): ("regions", "region_code"),
}
CODEBOOK_COLUMNS = {
    "indicators": ["indicator_code", "group", "name_en", "name_vi", "unit", "per", "kind"],
    "bodies": ["body_code", "name_en", "name_vi", "level"],
    "regions": ["region_code", "name_vi", "name_en", "level", "gso_code", "region_code_2025", "name_2025"],
}
CODE_MEANINGS = {
    "unit": {"percent": "share, 0-100", "count": "number of things", "VND": "Vietnamese dong",
             "USD": "US dollars", "rank": "position in a ranking (1 is best)", "score": "index score",
             "times": "ratio ('gấp 2,5 lần')"},
    "qualifier": {"eq": "as printed", "gt": "more than (trên, hơn, vượt)", "lt": "less than (dưới, chưa đến)",
                  "approx": "about (khoảng, gần, xấp xỉ)"},
    "status": {"actual": "a reported figure", "estimate": "an estimate (ước, ước đạt, dự kiến đạt)",
               "target": "a goal or plan (mục tiêu, phấn đấu, kế hoạch ... đến năm)"},
}  # fmt: skip
MAX_CHANGELOG_ROWS = 200
TABLE_ORDER = ["observations", "series", "articles", "mentions", "rejects", "indicators", "bodies", "regions"]


# ------------------------------------------------------------------------------------------ schemas


def _pandera_schemas() -> dict[str, Callable]:
    from dxdata import schemas

    found = dict(getattr(schemas, "SCHEMAS", {}))
    found.setdefault("series", series_schema)
    return found


@functools.lru_cache(maxsize=64)
def _column_meta(table: str) -> tuple[dict[str, dict], str | None]:
    """Per column of `table`: description, required, enum, minimum, unique (from pandera + the dicts)."""
    factory = _pandera_schemas().get(table)
    meta: dict[str, dict] = {}
    doc = None
    if factory is not None:
        schema = factory()
        doc = (factory.__doc__ or "").strip().splitlines()[0] if factory.__doc__ else None
        doc = schema.description or doc
        for name, col in schema.columns.items():
            m: dict = {"required": not col.nullable}
            if col.description:
                m["description"] = col.description
            if col.unique:
                m["unique"] = True
            for check in col.checks:
                stats = getattr(check, "statistics", None) or {}
                if check.name == "isin" and "allowed_values" in stats:
                    m["enum"] = sorted(str(v) for v in stats["allowed_values"])
                elif check.name == "greater_than_or_equal_to" and "min_value" in stats:
                    m["minimum"] = stats["min_value"]
            meta[name] = m
    return meta, doc


def describe(table: str, column: str) -> str:
    """A column's description: the pandera schema's, else `COLUMN_DESCRIPTIONS` (table, then common)."""
    meta, _ = _column_meta(table)
    text = meta.get(column, {}).get("description")
    if text:
        return text
    return COLUMN_DESCRIPTIONS.get(table, {}).get(column) or COLUMN_DESCRIPTIONS["*"].get(column, "")


def _table_description(table: str) -> str:
    _, doc = _column_meta(table)
    return TABLE_DESCRIPTIONS.get(table) or doc or table


def _field_type(arrow_type: pa.DataType, name: str = "") -> str:
    if pa.types.is_timestamp(arrow_type) and (name in DATE_COLUMNS or name.endswith("_date")):
        return "date"  # a date column written from datetime64 (midnight): the CSV holds the date
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "number"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "datetime"
    return "string"


# ------------------------------------------------------------------------------------------ writing files


def _csv_cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) and v.tzinfo is None else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def write_csv(table: pa.Table, path: Path) -> int:
    """Write an Arrow table as CSV (UTF-8, '\\n' line ends, minimal quoting); returns the row count."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(table.column_names)
        for batch in table.to_batches(max_chunksize=10_000):
            columns = [c.to_pylist() for c in batch.columns]
            for row in zip(*columns, strict=True):
                writer.writerow([_csv_cell(v) for v in row])
    return table.num_rows


def _md_escape(v: object) -> str:
    text = format_cell(v) if not isinstance(v, str) else v
    return text.replace("|", "\\|").replace("\n", " ")


def md_table(df: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table."""
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False, name=None):
        lines.append("| " + " | ".join(_md_escape(v) for v in row) + " |")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ the release


def _ordered_tables(names: Iterable[str]) -> list[str]:
    names = list(names)
    rank = {n: i for i, n in enumerate(TABLE_ORDER)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def _collect_tables(vid: str, root: Path, data_dir: Path) -> tuple[dict[str, pa.Table], dict[str, str]]:
    """Copy the version's Parquet files into `data_dir` (adding `series` if missing); read them back."""
    manifest = read_manifest(vid, root)
    folder = root / "versions" / vid
    notes: dict[str, str] = {}
    tables: dict[str, pa.Table] = {}
    damaged = verify(vid, root)
    if damaged:
        raise StoreError(f"version {vid} is damaged: {'; '.join(damaged[:5])}")
    unknown = sorted(set(manifest.get("tables", {})) - set(TABLE_ORDER))
    if unknown:
        raise StoreError(f"version {vid} names unknown tables {unknown} (known: {', '.join(TABLE_ORDER)})")
    for name, entry in manifest.get("tables", {}).items():
        dst = data_dir / f"{name}.parquet"
        if "parts" in entry:  # one file per table in a release: the parts, in order, as one table
            with open(dst, "wb") as f:
                pq.write_table(read_arrow(folder, name, entry), f, **PARQUET_SETTINGS)
        else:
            shutil.copyfile(inside(folder, entry.get("file", f"{name}.parquet")), dst)
        tables[name] = pq.read_table(dst)
    if "series" not in tables and "observations" in tables:
        articles = load("articles", vid, root) if "articles" in tables else pd.DataFrame()
        series = build_series(load("observations", vid, root), articles)
        write_parquet(series, data_dir / "series.parquet", SERIES_SORT_KEYS, name="series")
        tables["series"] = pq.read_table(data_dir / "series.parquet")
        notes["series"] = (
            f"Not in the published version {vid}: built for this release with "
            f"dxdata.series.build_series (dxdata {__version__})."
        )
    return tables, notes


def _fields(name: str, table: pa.Table) -> list[dict]:
    meta, _ = _column_meta(name)
    unit_column = "unit" in table.column_names
    fields = []
    for f in table.schema:
        m = meta.get(f.name, {})
        field: dict = {"name": f.name, "type": _field_type(f.type, f.name), "description": describe(name, f.name)}
        if field["type"] == "date":
            field["format"] = "default"  # ISO 8601 YYYY-MM-DD
        unit = FIELD_UNITS.get((name, f.name))
        if unit is None and unit_column and f.name in {"value", "value_min", "value_max", "denominator"}:
            unit = UNIT_COLUMN
        if unit:
            field["unit"] = unit
        constraints: dict = {}
        if m.get("required"):
            constraints["required"] = True
        if m.get("unique"):
            constraints["unique"] = True
        if "enum" in m and field["type"] == "string":
            constraints["enum"] = m["enum"]
        if "minimum" in m and field["type"] in {"integer", "number"}:
            constraints["minimum"] = m["minimum"]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return fields


def _resource_schema(name: str, table: pa.Table, present: set[str]) -> dict:
    schema: dict = {"fields": _fields(name, table), "missingValues": [""]}
    pk = PRIMARY_KEYS.get(name)
    if pk and all(c in table.column_names for c in pk):
        schema["primaryKey"] = pk
    fks = [
        {"fields": col, "reference": {"resource": ref_table, "fields": ref_col}}
        for (table_name, col), (ref_table, ref_col) in FOREIGN_KEYS.items()
        if table_name == name and col in table.column_names and ref_table in present
    ]
    if fks:
        schema["foreignKeys"] = fks
    return schema


def _datapackage(vid: str, manifest: dict, tables: dict[str, pa.Table], notes: dict[str, str], pkg: Path) -> dict:
    present = set(tables)
    resources = []
    for name in _ordered_tables(tables):
        csv_path = pkg / "data" / f"{name}.csv"
        description = _table_description(name) + (f" {notes[name]}" if name in notes else "")
        resources.append(
            {
                "name": name,
                "type": "table",
                "path": f"data/{name}.csv",
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "title": name,
                "description": description,
                "bytes": csv_path.stat().st_size,
                "hash": "sha256:" + sha256_file(csv_path),
                "dialect": {"csv": {"delimiter": ",", "quoteChar": '"', "lineTerminator": "\n"}},
                "schema": _resource_schema(name, tables[name], present),
            }
        )
    for name in _ordered_tables(tables):
        pq_path = pkg / "data" / f"{name}.parquet"
        resources.append(
            {
                "name": f"{name}-parquet",
                "type": "file",
                "path": f"data/{name}.parquet",
                "scheme": "file",
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "title": f"{name} (Parquet)",
                "description": f"The {name} table as Parquet (same rows and columns as data/{name}.csv).",
                "bytes": pq_path.stat().st_size,
                "hash": "sha256:" + sha256_file(pq_path),
            }
        )
    created = manifest.get("created", "")
    return {
        "name": DATASET_NAME,
        "title": DATASET_TITLE,
        "description": DATASET_DESCRIPTION,
        "version": vid,
        "created": created,
        "keywords": KEYWORDS,
        "licenses": [LICENSE],
        "contributors": [{"title": a["name"], "roles": ["author"]} for a in AUTHORS],
        "sources": [{"title": "Vietnamese news articles on digital transformation (see the articles table)"}],
        "dxdata": {
            "version": vid,
            "previous_version": manifest.get("previous_version"),
            "content_hash": manifest.get("content_hash"),
            "code_version": manifest.get("code_version"),
        },
        "resources": resources,
    }


def _data_dictionary(vid: str, tables: dict[str, pa.Table], package: dict) -> str:
    by_name = {r["name"]: r for r in package["resources"] if r.get("type") == "table"}
    lines = [
        f"# Data dictionary: {DATASET_NAME} {vid}",
        "",
        "Generated from the table schemas (the same text as `datapackage.json`). Every table is in `data/` as "
        "Parquet and as CSV (UTF-8, ISO dates, empty cell = missing). What one observation is, and how each "
        "of its fields is read from the text: `ROWS.md`. Codes: `CODEBOOK.md`.",
        "",
        "| table | rows | primary key | description |",
        "|---|---|---|---|",
    ]
    for name in _ordered_tables(tables):
        r = by_name[name]
        pk = ", ".join(r["schema"].get("primaryKey", [])) or "-"
        lines.append(f"| [{name}](#{name}) | {tables[name].num_rows} | {pk} | {_md_escape(r['description'])} |")
    for name in _ordered_tables(tables):
        r = by_name[name]
        lines += [
            "",
            f"## {name}",
            "",
            r["description"],
            "",
            f"Files: `data/{name}.parquet`, `data/{name}.csv`; {tables[name].num_rows} rows.",
        ]
        if r["schema"].get("primaryKey"):
            lines.append(f"Primary key: `{', '.join(r['schema']['primaryKey'])}`.")
        for fk in r["schema"].get("foreignKeys", []):
            ref = fk["reference"]
            lines.append(f"`{fk['fields']}` refers to `{ref['resource']}.{ref['fields']}`.")
        lines += ["", "| column | type | required | description | values / unit |", "|---|---|---|---|---|"]
        for f in r["schema"]["fields"]:
            c = f.get("constraints", {})
            extra = []
            if "enum" in c:
                extra.append(", ".join(f"`{v}`" for v in c["enum"]))
            if "minimum" in c:
                extra.append(f">= {c['minimum']}")
            if f.get("unit"):
                extra.append(f"unit: {f['unit']}")
            if c.get("unique"):
                extra.append("unique")
            lines.append(
                f"| `{f['name']}` | {f['type']} | {'yes' if c.get('required') else 'no'} | "
                f"{_md_escape(f['description'])} | {_md_escape('; '.join(extra))} |"
            )
    lines += ["", "## Codes", ""]
    for column, meanings in CODE_MEANINGS.items():
        lines += [f"`{column}`:", ""]
        lines += [f"- `{code}`: {text}" for code, text in meanings.items()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _codebook_frames(tables: dict[str, pa.Table]) -> dict[str, pd.DataFrame]:
    frames: dict[str, pd.DataFrame] = {}
    for name, cols in CODEBOOK_COLUMNS.items():
        if name in tables:
            df = tables[name].to_pandas()
        elif name in ("indicators", "bodies"):
            from dxdata.codebook import load_codebook
            from dxdata.pipeline import codebook_tables

            df = codebook_tables(load_codebook())[name]
        else:
            continue
        keep = [c for c in cols if c in df.columns]
        frames[name] = df[keep].sort_values(keep[0], kind="mergesort").reset_index(drop=True)
    return frames


def _codebook_md(vid: str, frames: dict[str, pd.DataFrame]) -> str:
    lines = [f"# Codebook: {DATASET_NAME} {vid}", "", "The codes used in the tables (also as CSV in `codebook/`).", ""]
    if "indicators" in frames:
        ind = frames["indicators"]
        lines += [
            "## Indicators",
            "",
            f"{len(ind)} indicator codes, by group. Values are in base units (`13,2 triệu` is 13200000).",
            "",
        ]
        cols = [c for c in ("indicator_code", "name_en", "name_vi", "unit", "kind") if c in ind.columns]
        if "group" in ind.columns:
            for group, part in ind.groupby("group", sort=True):
                lines += [f"### {group}", "", md_table(part[cols]), ""]
        else:
            lines += [md_table(ind[cols]), ""]
    if "bodies" in frames:
        lines += [
            "## Bodies",
            "",
            "A provincial body is the code plus the row's region (PPC with VN-28 is the "
            "People's Committee of Kon Tum).",
            "",
            md_table(frames["bodies"]),
            "",
        ]
    if "regions" in frames:
        lines += [
            "## Regions",
            "",
            "ISO 3166-2:VN codes as they stood before the 1 July 2025 merger; "
            "`region_code_2025` is the province each belongs to since.",
            "",
            md_table(frames["regions"]),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def _citation(vid: str, manifest: dict) -> str:
    released = str(manifest.get("created", ""))[:10] or "1970-01-01"
    cff = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": DATASET_TITLE,
        "version": vid,
        "date-released": released,
        "abstract": DATASET_DESCRIPTION,
        "authors": AUTHORS,
        "license": LICENSE["name"],
        "keywords": KEYWORDS,
    }
    return yaml.safe_dump(cff, sort_keys=False, allow_unicode=True, width=100)


def _license() -> str:
    return f"""# Data licence

The data in this release ({DATASET_NAME}: the tables in `data/`, the codebooks and the documentation) are
licensed under the **Creative Commons Attribution 4.0 International licence (CC BY 4.0)**:
{LICENSE["path"]}

You may share and adapt them for any purpose, including commercially, as long as you give appropriate
credit (see `CITATION.cff`), link to the licence and say whether you made changes.

## Source texts

The figures were extracted from news articles published by Vietnamese newspapers and government sites.
The articles themselves are not part of this release, and their copyright remains with their publishers.
The `evidence` and `sentence` columns quote short passages of them only so that every figure can be traced
back to its source; the licence above covers the extracted data, not the publishers' texts. Cite the
original article (see the `articles` table) when you quote it.
"""


def _changelog(vid: str, root: Path, manifest: dict) -> str:
    known = versions(root)
    previous = manifest.get("previous_version")
    earlier = known[: known.index(vid)] if vid in known else []
    if previous not in earlier:
        previous = earlier[-1] if earlier else None
    diff = diff_versions(previous, vid, root)
    created = str(manifest.get("created", ""))[:10]
    against = f"against {previous}" if previous else "first version"
    lines = ["# Changelog", "", f"## {vid} ({created}), {against}", ""]
    lines.append(
        f"Observations: {diff.n_added} added, {diff.n_removed} removed, {diff.n_changed} changed "
        "(matched by `obs_id`; changed = same observation with a different value, denominator, unit, "
        "period, region, body, qualifier or status)."
    )
    lines += [
        "",
        "### Rows per table",
        "",
        md_table(
            diff.tables.assign(change=diff.tables["rows_b"] - diff.tables["rows_a"]).rename(
                columns={"rows_a": previous or "before", "rows_b": vid}
            )
        ),
        "",
    ]
    moved = diff.per_indicator[diff.per_indicator[["added", "removed", "changed"]].sum(axis=1) > 0]
    if not moved.empty:
        lines += [
            "### Per indicator",
            "",
            md_table(moved.rename(columns={"rows_a": previous or "before", "rows_b": vid})),
            "",
        ]
    if previous:
        for title, df in (("Added", diff.added), ("Removed", diff.removed), ("Changed", diff.changed)):
            if df.empty:
                continue
            lines += [f"### {title} observations", "", md_table(df.head(MAX_CHANGELOG_ROWS)), ""]
            if len(df) > MAX_CHANGELOG_ROWS:
                lines += [f"... and {len(df) - MAX_CHANGELOG_ROWS} more (`dxdata diff {previous} {vid}`).", ""]
    history = earlier
    if history:
        lines += ["## Earlier versions", "", "| version | created | articles | observations |", "|---|---|---|---|"]
        for v in reversed(history):
            m = read_manifest(v, root)
            t = m.get("tables", {})
            lines.append(
                f"| {v} | {m.get('created', '')} | {t.get('articles', {}).get('rows', '')} | "
                f"{t.get('observations', {}).get('rows', '')} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _readme(vid: str, manifest: dict, tables: dict[str, pa.Table]) -> str:
    counts = ", ".join(f"{n} {tables[n].num_rows}" for n in _ordered_tables(tables))
    return f"""# {DATASET_TITLE}

Version **{vid}**, published {manifest.get("created", "")} ({manifest.get("code_version", "")}).

{DATASET_DESCRIPTION}

Rows: {counts}.

## Contents

- `data/`: every table as Parquet and as CSV (UTF-8, ISO dates, empty cell = missing)
- `datapackage.json`: Frictionless Data Package describing every table and column
- `DATA_DICTIONARY.md`: the tables and columns; `ROWS.md`: what one observation is
- `CODEBOOK.md`, `codebook/*.csv`: indicators, bodies and regions
- `CHANGELOG.md`: what changed since the previous version
- `manifest.json`: the version's manifest (sha256 of each Parquet file, the raw files it was built from)
- `CITATION.cff`, `LICENSE-DATA.md` (CC BY 4.0), `SHA256SUMS`

## Check and load

    sha256sum -c SHA256SUMS
    frictionless validate datapackage.json

    import pandas as pd
    obs = pd.read_parquet("data/observations.parquet")
    series = pd.read_parquet("data/series.parquet")

    import duckdb
    duckdb.sql("SELECT indicator_code, count(*) FROM 'data/observations.parquet' GROUP BY 1 ORDER BY 2 DESC")
"""


def _rows_md() -> str | None:
    from dxdata.codebook import schemas_dir

    path = schemas_dir() / "ROWS.md"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _zip_time(manifest: dict) -> tuple[int, int, int, int, int, int]:
    try:
        t = datetime.fromisoformat(str(manifest.get("created", "")).replace("Z", "+00:00"))
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    if t.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second)


def write_zip(folder: Path, archive: Path, date_time: tuple[int, int, int, int, int, int]) -> None:
    """Zip `folder` (as its own top-level folder) with sorted entries and fixed timestamps and modes."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    tmp = archive.with_name(f".{archive.name}.tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for path in files:
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (0o100644 & 0xFFFF) << 16
            with open(path, "rb") as f:
                zf.writestr(info, f.read(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    os.replace(tmp, archive)


def build_release(version: str = "latest", root: Path | str = DEFAULT_ROOT, out_dir: Path | str = "dist") -> Path:
    """Write ``<out_dir>/dxdata-<version id>.zip`` for one published version and return its path.

    Raises `StoreError` when there is no such version (or a Parquet file does not match its manifest).
    """
    root = Path(root)
    manifest = read_manifest(version, root)
    vid = str(manifest["version"])
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise StoreError(f"--out {out_dir} is a file, not a folder: the archive goes into a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".release-", dir=out_dir) as tmp:
        pkg = Path(tmp) / f"{DATASET_NAME}-{vid}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "codebook").mkdir()
        tables, notes = _collect_tables(vid, root, pkg / "data")
        for name, table in tables.items():
            write_csv(table, pkg / "data" / f"{name}.csv")
        frames = _codebook_frames(tables)
        for name, df in frames.items():
            write_csv(pa.Table.from_pandas(df, preserve_index=False), pkg / "codebook" / f"{name}.csv")
        package = _datapackage(vid, manifest, tables, notes, pkg)
        texts = {
            "datapackage.json": json.dumps(package, indent=2, ensure_ascii=False) + "\n",
            "DATA_DICTIONARY.md": _data_dictionary(vid, tables, package),
            "CODEBOOK.md": _codebook_md(vid, frames),
            "CITATION.cff": _citation(vid, manifest),
            "LICENSE-DATA.md": _license(),
            "CHANGELOG.md": _changelog(vid, root, manifest),
            "README.md": _readme(vid, manifest, tables),
        }
        rows = _rows_md()
        if rows:
            texts["ROWS.md"] = (
                f"<!-- schemas/ROWS.md of the code that built {vid} ({manifest.get('code_version', '')}); "
                "paths such as tests/data/ refer to that code's repository. -->\n\n" + rows
            )
        for name, text in texts.items():
            (pkg / name).write_text(text, encoding="utf-8", newline="\n")
        shutil.copyfile(root / "versions" / vid / "manifest.json", pkg / "manifest.json")
        sums = io.StringIO()
        for path in sorted(p for p in pkg.rglob("*") if p.is_file()):
            sums.write(f"{sha256_file(path)}  {path.relative_to(pkg).as_posix()}\n")
        (pkg / "SHA256SUMS").write_text(sums.getvalue(), encoding="utf-8", newline="\n")
        archive = out_dir / f"{DATASET_NAME}-{vid}.zip"
        write_zip(pkg, archive, _zip_time(manifest))
    return archive


# ------------------------------------------------------------------------------------------ CLI


def _cmd_release(args: argparse.Namespace) -> int:
    try:
        path = build_release(args.version, args.root, args.out)
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a read-only or full --out folder: one line, not a traceback
        from dxdata.cli import describe_os_error

        print(f"error: {describe_os_error(err)}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    print(f"{path}  ({path.stat().st_size:,} bytes, {len(names)} files)")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("release", help="write a citable zip of one version (Parquet, CSV, data package, docs)")
    p.add_argument("--version", default="latest", help="version id such as v0002 (default: latest)")
    p.add_argument("--out", default="dist", help="folder for the archive (default: %(default)s)")
    p.add_argument("--root", default=DEFAULT_ROOT, help="dataset folder (default: %(default)s)")
    p.set_defaults(func=_cmd_release)
