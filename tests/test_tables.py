"""One declaration per table (issue 16): the documentation generated from `dxdata.tables` is current, and a
real refresh of the seeds writes exactly the declared tables and columns, in order, in their declared types."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from dxdata.orchestrate.refresh import run_refresh
from dxdata.publish import store
from dxdata.tables import TABLES
from dxdata.tools import docs
from dxdata.validate.schemas import SCHEMAS

REPO = Path(__file__).resolve().parents[1]
GENERATED = [*docs.BLOCKS, *(f"schemas/{name}.schema.yaml" for name in SCHEMAS)]
# what each kind of column is in Parquet, and in the frame `dxdata.load` returns
PARQUET = {"text": "string", "code": "string", "integer": "int64", "number": "double", "date": "date32[day]",
           "boolean": "bool"}  # fmt: skip
LOADED = {"text": "str", "code": "category", "integer": "int64", "number": "float64", "date": "datetime64[s]",
          "boolean": "bool"}  # fmt: skip


@pytest.mark.parametrize("rel", GENERATED)
def test_generated_file_is_current(rel: str) -> None:
    path = REPO / rel
    want = docs.generated(REPO)[path]
    have = path.read_text(encoding="utf-8")
    diff = "".join(list(difflib.unified_diff(have.splitlines(True), want.splitlines(True), rel, "generated"))[:40])
    assert have == want, f"{rel} is stale: run `python scripts/generate_docs.py`\n{diff}"


def test_a_stale_block_is_found_and_rewritten(tmp_path: Path) -> None:
    """The check above can fail: an edit inside a generated block is stale, and the generator puts it back
    without touching the hand-written text around it."""
    for rel in GENERATED:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / rel, tmp_path / rel)
    readme = tmp_path / "README.md"
    text = readme.read_text(encoding="utf-8")
    readme.write_text(text.replace("| `obs_id` | text, unique |", "| `obs_id` | integer |", 1), encoding="utf-8")
    assert docs.stale(tmp_path) == [readme]
    assert docs.main(["--check", "--repo", str(tmp_path)]) == 1
    assert docs.main(["--repo", str(tmp_path)]) == 0
    assert readme.read_text(encoding="utf-8") == text and docs.stale(tmp_path) == []


def test_keys_and_codes_name_declared_columns() -> None:
    for table in TABLES.values():
        for column, (ref_table, ref_column) in table.foreign_keys.items():
            assert TABLES[ref_table].get(ref_column) is not None, (table.name, column)
        for c in table.columns:
            if c.codes:
                assert TABLES[c.codes[0]].get(c.codes[1]) is not None, (table.name, c.name)
            if c.kind != "code":
                assert not c.categories and c.codes is None, (table.name, c.name)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> Path:
    """A refresh of the seeds, as `dxdata refresh` makes it."""
    out = tmp_path_factory.mktemp("tables") / "out"
    run_refresh(REPO / "data" / "raw", out)
    return out


def test_a_refresh_publishes_the_declared_tables(refreshed: Path) -> None:
    assert sorted(store.read_manifest(root=refreshed)["tables"]) == sorted(TABLES)


@pytest.mark.parametrize("name", list(TABLES))
def test_parquet_columns_are_the_declared_ones(refreshed: Path, name: str) -> None:
    """Every Parquet file of the table (each part, and the empty part of an empty table) has the declared
    columns in order and type; `load` gives each kind its dtype."""
    table = TABLES[name]
    folder = refreshed / "versions" / store.latest_version(refreshed)
    entry = store.read_manifest(root=refreshed)["tables"][name]
    want = [(c.name, PARQUET[c.kind]) for c in table.columns]
    for rel, _ in store.table_files(name, entry):
        schema = pq.read_schema(folder / rel)
        assert [(f.name, str(f.type)) for f in schema] == want, rel
    loaded = store.load(name, root=refreshed)
    for c in table.columns:
        dtype = loaded[c.name].dtype
        if c.kind == "text":
            assert pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype), c.name
        else:
            assert str(dtype) == LOADED[c.kind], (c.name, dtype)
