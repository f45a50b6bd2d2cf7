"""dxdata: a tidy indicator dataset on Vietnam's digital transformation.

import dxdata
obs = dxdata.load("observations")          # latest version of the project's data/processed (see below)
dxdata.versions()                          # ['v0001', 'v0002', ...] oldest first
dxdata.parquet_files("observations")       # the Parquet files behind a table (DuckDB, Polars ...)
dxdata.article_text("data/raw/x.txt")      # the text every char_start/char_end of that file points into
dxdata.wide(dxdata.load("series"))         # the series of Việt Nam, one column per indicator
dxdata.plot_series("infra.fiber_households_share")   # a matplotlib Figure of one indicator
dxdata.diff_versions("v0001", "latest")    # rows added, removed and changed between two versions

The dataset folder is `root` when given; else the environment variable DXDATA_ROOT; else `data/processed`
of the project found upward from the working folder (a folder holding a pyproject.toml with
name = "dxdata", or a data/processed folder). Nothing found: `StoreError` saying where it looked.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__version__ = "0.1.0"
__all__ = [
    "__version__",
    "article_text",
    "dataset_root",
    "diff_versions",
    "load",
    "parquet_files",
    "plot_series",
    "versions",
    "wide",
]
# what analysts use from the products, loaded when first asked for (matplotlib only for plot_series)
_PRODUCTS = {
    "wide": "dxdata.products.series",
    "plot_series": "dxdata.products.plot",
    "diff_versions": "dxdata.products.diff",
}


def __getattr__(name: str) -> object:
    if name in _PRODUCTS:
        return getattr(importlib.import_module(_PRODUCTS[name]), name)
    raise AttributeError(f"module 'dxdata' has no attribute {name!r}")


def load(table: str = "observations", version: str = "latest", root: str | Path | None = None) -> pd.DataFrame:
    """One table of one published version, with typed columns (see README, 'Tables')."""
    from dxdata.publish import store

    return store.load(table=table, version=version, root=root)


def versions(root: str | Path | None = None) -> list[str]:
    """Published version ids under `root`, oldest first; each can be passed to `load`."""
    from dxdata.publish import store

    return store.versions(root)


def parquet_files(table: str, version: str = "latest", root: str | Path | None = None) -> list[Path]:
    """The Parquet file(s) holding one table of one version, in order (for DuckDB and other engines)."""
    from dxdata.publish import store

    return store.parquet_files(table, version, root)


def dataset_root(root: str | Path | None = None) -> Path:
    """The dataset folder `load`, `versions` and `parquet_files` read (see the module's docstring)."""
    from dxdata.publish import store

    return store.dataset_root(root)


def article_text(source: str | Path | bytes, *, html: bool | None = None) -> str:
    """The normalized text of one raw file (path or bytes), exactly as ingest makes it: every span of the
    dataset (`char_start`/`char_end`, `number_start`/`number_end`) points into it (see `dxdata.ingest.article_text`)."""
    from dxdata import ingest

    return ingest.article_text(source, html=html)
