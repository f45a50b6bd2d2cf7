"""A citable release of one published version: one zip archive for researchers.

    dxdata release --version v0002 --out dist        # -> dist/dxdata-v0002.zip

The archive holds one folder, ``dxdata-<version>/``, with:

* ``data/<table>.parquet`` and ``data/<table>.csv`` for the data tables, ``codebook/<table>.parquet`` and
  ``codebook/<table>.csv`` for the codebooks (indicators, bodies, regions): every table once per format,
  with all its columns. Tables published as one file are copied byte for byte (their sha256 equal the
  manifest's); tables published in parts (one per chunk of articles) are checked against the manifest and
  joined, in order, into one file; ``series`` (and the codebooks) are built when the version predates
  them. CSV: UTF-8, comma, header row, ISO dates ``YYYY-MM-DD``, ``true``/``false``, empty cell = missing,
  floats in shortest round-trip form;
* ``datapackage.json``: a Frictionless Data Package: every table as a typed CSV resource ``<table>`` and a
  typed Parquet resource ``<table>-parquet`` (the same schema: every field's type, description,
  constraints and unit where known, primary and foreign keys), sha256 of every file; its ``sources`` are
  the articles (title, raw file, address where known);
* ``DATA_DICTIONARY.md``: tables and columns, generated from the same descriptions as the data package
  (the declaration of every table in `dxdata.tables`: types, descriptions, allowed codes, units, keys);
  ``CODEBOOK.md``;
* ``ROWS.md`` (what one observation is), ``README.md``, ``CITATION.cff`` (CFF 1.2.0, addresses and code
  licence from pyproject.toml: `project_metadata`), ``LICENSE-DATA.md`` (CC BY 4.0), ``CHANGELOG.md``
  (this version against the previous one, by `dxdata.products.diff`), ``manifest.json`` (the version's manifest,
  as published);
* ``SHA256SUMS``: the sha256 of every other file, in ``sha256sum`` format (``sha256sum -c SHA256SUMS``
  inside the folder checks them).

Deterministic: every file is generated from the version alone (no clock; dates come from the
manifest), entries are written in sorted order with the manifest's ``created`` time as their
timestamp, so releasing the same version twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import io
import json
import math
import os
import shutil
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from dxdata import __version__
from dxdata.products.diff import diff_versions, format_cell
from dxdata.products.series import SORT_KEYS as SERIES_SORT_KEYS
from dxdata.products.series import build_series
from dxdata.publish.store import (
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
from dxdata.tables import CODE_MEANINGS, TABLES, declared

DATASET_NAME = "dxdata"
DATASET_TITLE = "dxdata: Vietnam digital transformation indicators extracted from news articles"
DATASET_DESCRIPTION = (
    "A tidy dataset of digital-transformation and e-government indicators for Viet Nam and its provinces "
    "(shares, counts, amounts of money, ranks, scores), extracted from Vietnamese news articles. Every "
    "observation keeps the sentence it was read from and its position in the article; the series table "
    "consolidates the observations of one indicator, region, date and status across articles."
)
AUTHORS = [{"name": "dxdata contributors"}]  # an entity author (CFF `entity`): the project's contributors
KEYWORDS = ["Vietnam", "digital transformation", "e-government", "indicators", "news", "open data"]
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
# [project.urls] labels (normalized: lower case, letters only) in the order each address is looked for
REPOSITORY_LABELS = ("repository", "source", "sourcecode", "code", "github")
HOMEPAGE_LABELS = ("homepage", "home", "documentation")

# The codebook tables sit in `codebook/`, the others in `data/` (each table once, as CSV and as Parquet).
CODEBOOK_TABLES = ("indicators", "bodies", "regions")
CODEBOOK_COLUMNS = {  # the columns CODEBOOK.md shows (the CSV and Parquet files hold them all)
    "indicators": ["indicator_code", "group", "name_en", "name_vi", "unit", "per", "kind"],
    "bodies": ["body_code", "name_en", "name_vi", "level"],
    "regions": ["region_code", "name_vi", "name_en", "level", "gso_code", "region_code_2025", "name_2025"],
}
MAX_CHANGELOG_ROWS = 200
TABLE_ORDER = list(TABLES)  # the tables, their columns, descriptions and keys: dxdata.tables


# ------------------------------------------------------------------------------------------ schemas


# The Table Schema type of each kind of declared column (dxdata.tables).
FIELD_TYPES = {
    "text": "string",
    "code": "string",
    "integer": "integer",
    "number": "number",
    "date": "date",
    "boolean": "boolean",
}


def describe(table: str, column: str) -> str:
    """A column's description, as declared in `dxdata.tables` (empty for a column it does not declare)."""
    col = declared(table, column)
    return col.description if col is not None else ""


def _table_description(table: str) -> str:
    return TABLES[table].description if table in TABLES else table


def _field_type(table: str, f: pa.Field) -> str:
    """The Table Schema type of a column: its declared kind's. A column the declaration does not know (in
    a version older than it) by its Arrow type (a dictionary-encoded column: the type of its values)."""
    col = declared(table, f.name)
    if col is not None:
        return FIELD_TYPES[col.kind]
    arrow_type = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
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


def table_path(name: str, suffix: str) -> str:
    """Where a table's file sits in the release: ``codebook/`` for the codebooks, else ``data/``."""
    return f"{'codebook' if name in CODEBOOK_TABLES else 'data'}/{name}.{suffix}"


def _collect_tables(vid: str, root: Path, pkg: Path) -> tuple[dict[str, pa.Table], dict[str, str]]:
    """Copy the version's Parquet files into the release (adding `series` and codebooks if missing); read them back."""
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
        dst = pkg / table_path(name, "parquet")
        if "parts" in entry:  # one file per table in a release: the parts, in order, as one table
            with open(dst, "wb") as f:
                pq.write_table(read_arrow(folder, name, entry), f, **PARQUET_SETTINGS)
        else:
            shutil.copyfile(inside(folder, entry.get("file", f"{name}.parquet")), dst)
        tables[name] = pq.read_table(dst)
    if "series" not in tables and "observations" in tables:
        articles = load("articles", vid, root) if "articles" in tables else pd.DataFrame()
        series = build_series(load("observations", vid, root), articles)
        write_parquet(series, pkg / table_path("series", "parquet"), SERIES_SORT_KEYS, name="series")
        tables["series"] = pq.read_table(pkg / table_path("series", "parquet"))
        notes["series"] = (
            f"Not in the published version {vid}: built for this release with "
            f"dxdata.products.series.build_series (dxdata {__version__})."
        )
    missing = [n for n in CODEBOOK_TABLES if n not in tables]
    if missing:  # a version from before the codebooks were published with it: today's, said so
        from dxdata.codebook import load_codebook
        from dxdata.tables import SORT_KEYS
        from dxdata.validate.tables import codebook_tables

        frames = codebook_tables(load_codebook())
        for name in missing:
            write_parquet(frames[name], pkg / table_path(name, "parquet"), SORT_KEYS[name], name=name)
            tables[name] = pq.read_table(pkg / table_path(name, "parquet"))
            notes[name] = (
                f"Not in the published version {vid}: the codebook of the code that built this release "
                f"(dxdata {__version__})."
            )
    return tables, notes


def _fields(name: str, table: pa.Table) -> list[dict]:
    """The Table Schema fields of the columns `table` holds, from their declaration in `dxdata.tables`."""
    declaration = TABLES.get(name)
    primary_key = declaration.primary_key if declaration else ()
    fields = []
    for f in table.schema:
        col = declared(name, f.name)
        field: dict = {"name": f.name, "type": _field_type(name, f), "description": describe(name, f.name)}
        if field["type"] == "date":
            field["format"] = "default"  # ISO 8601 YYYY-MM-DD
        if col is not None and col.unit:
            field["unit"] = col.unit
        constraints: dict = {}
        if (col is not None and not col.nullable) or f.name in primary_key:
            constraints["required"] = True
        if col is not None and col.unique:
            constraints["unique"] = True
        if col is not None and col.values and field["type"] == "string":
            constraints["enum"] = sorted(col.values)
        if col is not None and col.minimum is not None and field["type"] in {"integer", "number"}:
            constraints["minimum"] = col.minimum
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return fields


def _resource_schema(name: str, table: pa.Table, present: set[str], ref_suffix: str = "") -> dict:
    """The Table Schema of one table; `ref_suffix` names the resources its foreign keys point at
    (``-parquet``: the Parquet resources refer to each other, the CSV ones to each other)."""
    schema: dict = {"fields": _fields(name, table), "missingValues": [""]}
    declaration = TABLES.get(name)
    if declaration is None:
        return schema
    pk = list(declaration.primary_key)
    if pk and all(c in table.column_names for c in pk):
        schema["primaryKey"] = pk
    fks = [
        {"fields": col, "reference": {"resource": ref_table + ref_suffix, "fields": ref_col}}
        for col, (ref_table, ref_col) in declaration.foreign_keys.items()
        if col in table.column_names and ref_table in present
    ]
    if fks:
        schema["foreignKeys"] = fks
    return schema


def _source_title(row: dict) -> str:
    title = row.get("title") or row["source_file"]
    said = [str(v) for v in (row.get("publisher"), row.get("published")) if v]
    return f"{title} ({', '.join(said)})" if said else title


def _sources(tables: dict[str, pa.Table]) -> list[dict]:
    """One source per article read: its title, the raw file (``path``, relative to the raw folder, as in
    ``source_file``) and the address it was published at (``url``) when known."""
    if "articles" not in tables:
        return []
    cols = [
        c for c in ("source_file", "title", "publisher", "published", "url") if c in tables["articles"].column_names
    ]
    sources = []
    for row in sorted(tables["articles"].select(cols).to_pylist(), key=lambda r: r["source_file"]):
        source = {"title": _source_title(row), "path": row["source_file"]}
        if row.get("url"):
            source["url"] = row["url"]
        sources.append(source)
    return sources


def _datapackage(
    vid: str, manifest: dict, tables: dict[str, pa.Table], notes: dict[str, str], pkg: Path, project: dict
) -> dict:
    """The Frictionless descriptor: every table once as CSV (resource `<table>`) and once as Parquet
    (`<table>-parquet`), both typed with the same schema."""
    present = set(tables)
    resources = []
    for name in _ordered_tables(tables):
        csv_path = table_path(name, "csv")
        description = _table_description(name) + (f" {notes[name]}" if name in notes else "")
        resources.append(
            {
                "name": name,
                "type": "table",
                "path": csv_path,
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "title": name,
                "description": description,
                "bytes": (pkg / csv_path).stat().st_size,
                "hash": "sha256:" + sha256_file(pkg / csv_path),
                "dialect": {"csv": {"delimiter": ",", "quoteChar": '"', "lineTerminator": "\n"}},
                "schema": _resource_schema(name, tables[name], present),
            }
        )
    for name in _ordered_tables(tables):
        pq_path = table_path(name, "parquet")
        resources.append(
            {  # no "bytes": frictionless 5 does not count a Parquet file's bytes and would report a mismatch
                "name": f"{name}-parquet",
                "type": "table",
                "path": pq_path,
                "scheme": "file",
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "title": f"{name} (Parquet)",
                "description": f"The {name} table as Parquet: the same rows and columns as {table_path(name, 'csv')}.",
                "hash": "sha256:" + sha256_file(pkg / pq_path),
                "schema": _resource_schema(name, tables[name], present, ref_suffix="-parquet"),
            }
        )
    package = {
        "name": DATASET_NAME,
        "title": DATASET_TITLE,
        "description": DATASET_DESCRIPTION,
        "version": vid,
        "created": manifest.get("created", ""),
        "keywords": KEYWORDS,
        "licenses": [LICENSE],
    }
    if project.get("url"):
        package["homepage"] = project["url"]
    package["contributors"] = [
        {"title": a["name"], "role": "author"} | ({"path": project["url"]} if project.get("url") else {})
        for a in AUTHORS
    ]
    package["sources"] = _sources(tables)
    package["dxdata"] = {
        "version": vid,
        "previous_version": manifest.get("previous_version"),
        "content_hash": manifest.get("content_hash"),
        "code_version": manifest.get("code_version"),
        "source_paths": "sources: one per article read; path is its raw file, relative to the raw folder the "
        "version was built from (the raw files are not part of this release); url is where it was published",
    }
    package["resources"] = resources
    if not package["created"]:
        del package["created"]
    return package


def _csv_resources(package: dict) -> dict[str, dict]:
    return {r["name"]: r for r in package["resources"] if r.get("format") == "csv"}


def _data_dictionary(vid: str, tables: dict[str, pa.Table], package: dict) -> str:
    by_name = _csv_resources(package)
    lines = [
        f"# Data dictionary: {DATASET_NAME} {vid}",
        "",
        "Generated from the table schemas (the same text as `datapackage.json`). Every table is in the release "
        "once as Parquet and once as CSV (UTF-8, ISO dates, empty cell = missing): the data tables in `data/`, "
        "the codebooks in `codebook/`. What one observation is, and how each of its fields is read from the "
        "text: `ROWS.md`. Codes: `CODEBOOK.md`.",
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
            f"Files: `{table_path(name, 'parquet')}`, `{table_path(name, 'csv')}`; {tables[name].num_rows} rows.",
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


def _codebook_md(vid: str, tables: dict[str, pa.Table]) -> str:
    frames = {}
    for name, cols in CODEBOOK_COLUMNS.items():
        df = tables[name].to_pandas()
        keep = [c for c in cols if c in df.columns]
        frames[name] = df[keep].sort_values(keep[0], kind="mergesort").reset_index(drop=True)
    lines = [
        f"# Codebook: {DATASET_NAME} {vid}",
        "",
        "The codes used in the tables (every column also in `codebook/*.csv` and `codebook/*.parquet`).",
        "",
    ]
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
    lines += [
        "## Bodies",
        "",
        "A provincial body is the code plus the row's region (PPC with VN-28 is the People's Committee of Kon Tum).",
        "",
        md_table(frames["bodies"]),
        "",
        "## Regions",
        "",
        "ISO 3166-2:VN codes as they stood before the 1 July 2025 merger; "
        "`region_code_2025` is the province each belongs to since.",
        "",
        md_table(frames["regions"]),
        "",
    ]
    return "\n".join(lines).rstrip() + "\n"


def _label(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalpha())


def project_metadata(pyproject: Path | None = None) -> dict[str, str]:
    """The project's addresses and code licence, read from the one place they are declared: pyproject.toml's
    ``[project.urls]`` and ``license`` (`pyproject`, default the checkout's file when running from one, else
    the installed package's metadata, which pip writes from it).

    Returns ``repository`` and ``url`` (the homepage, else the repository) when declared, and ``license``.
    """
    urls: dict[str, str] = {}
    licence = None
    if pyproject is None:
        from dxdata.codebook import source_checkout

        checkout = source_checkout()  # None for an installed wheel: its metadata below
        pyproject = checkout / "pyproject.toml" if checkout else None
    is_file = pyproject is not None and pyproject.is_file()
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}) if is_file else {}
    if project.get("name") == DATASET_NAME:
        urls = {str(k): str(v) for k, v in project.get("urls", {}).items()}
        licence = project.get("license")
        licence = licence.get("text") if isinstance(licence, dict) else licence
    else:
        try:
            meta = importlib.metadata.metadata(DATASET_NAME)
        except importlib.metadata.PackageNotFoundError:
            meta = None
        if meta is not None:
            for entry in meta.get_all("Project-URL") or []:
                label, _, address = entry.partition(",")
                urls[label.strip()] = address.strip()
            licence = meta.get("License-Expression") or meta.get("License")
    by_label = {_label(k): v for k, v in urls.items() if v}
    found: dict[str, str] = {}
    repository = next((by_label[k] for k in REPOSITORY_LABELS if k in by_label), None)
    homepage = next((by_label[k] for k in HOMEPAGE_LABELS if k in by_label), None)
    if repository:
        found["repository"] = repository
    if homepage or repository:
        found["url"] = homepage or repository
    if licence:
        found["license"] = str(licence)
    return found


def _citation(vid: str, manifest: dict, project: dict) -> str:
    """CITATION.cff (CFF 1.2.0) of the dataset; the code that built it is its one reference (with the
    code's licence: the dataset's own is CC BY 4.0, and a CFF list of licences would mean either one)."""
    url = project.get("url")

    def authors() -> list[dict]:  # a fresh list each time: a shared one is dumped as a YAML anchor and alias
        return [a | ({"website": url} if url else {}) for a in AUTHORS]

    cff: dict = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": DATASET_TITLE,
        "version": vid,
    }
    released = str(manifest.get("created", ""))[:10]
    if released:
        cff["date-released"] = released
    cff |= {"abstract": DATASET_DESCRIPTION, "authors": authors()}
    if project.get("repository"):
        cff["repository-code"] = project["repository"]
    if url:
        cff["url"] = url
    cff |= {"license": LICENSE["name"], "keywords": KEYWORDS}
    code_version = str(manifest.get("code_version") or "")
    software: dict = {
        "type": "software",
        "title": f"{DATASET_NAME}: the code that extracted this dataset",
        "authors": authors(),
    }
    built_by = code_version.split(";")[0].strip()
    if built_by.startswith(f"{DATASET_NAME} "):
        software["version"] = built_by.removeprefix(f"{DATASET_NAME} ")
    if project.get("repository"):
        software["repository-code"] = project["repository"]
    if project.get("license"):
        software["license"] = project["license"]
    cff["references"] = [software]
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

- `data/`: the data tables, each as Parquet and as CSV (UTF-8, ISO dates, empty cell = missing)
- `codebook/`: the codebooks (indicators, bodies, regions), each as Parquet and as CSV; `CODEBOOK.md`
- `datapackage.json`: Frictionless Data Package: every table as a typed CSV resource and a typed Parquet
  resource (`<table>-parquet`), with primary and foreign keys; its sources are the articles
- `DATA_DICTIONARY.md`: the tables and columns; `ROWS.md`: what one observation is
- `CHANGELOG.md`: what changed since the previous version
- `manifest.json`: the version's manifest (sha256 of each Parquet file, the raw files it was built from)
- `CITATION.cff`, `LICENSE-DATA.md` (CC BY 4.0), `SHA256SUMS`

## Check and load

    sha256sum -c SHA256SUMS
    pip install 'frictionless[parquet]'   # the Parquet resources need pyarrow
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
        tables, notes = _collect_tables(vid, root, pkg)
        for name, table in tables.items():
            write_csv(table, pkg / table_path(name, "csv"))
        project = project_metadata()
        package = _datapackage(vid, manifest, tables, notes, pkg, project)
        texts = {
            "datapackage.json": json.dumps(package, indent=2, ensure_ascii=False) + "\n",
            "DATA_DICTIONARY.md": _data_dictionary(vid, tables, package),
            "CODEBOOK.md": _codebook_md(vid, tables),
            "CITATION.cff": _citation(vid, manifest, project),
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
        from dxdata.arguments import describe_os_error

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
