"""Loaded code columns take the codebook's full sets as categories (issue 15, point 8), not only the values
that occur: `unit` has USD although no seed reports dollars, and a merge with `regions` stays categorical."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dxdata import tables
from dxdata.publish import store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cat") / "out"
    run = subprocess.run(
        [str(Path(sys.executable).with_name("dxdata")), "refresh", "--no-prefect", "--no-progress",
         "--raw-dir", str(REPO / "data" / "raw"), "--out-dir", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return out


def _cats(df: pd.DataFrame, col: str) -> set[str]:
    assert isinstance(df[col].dtype, pd.CategoricalDtype), (col, df[col].dtype)
    return set(df[col].cat.categories)


def test_fixed_sets_are_the_declared_codes(root: Path) -> None:
    obs = store.load("observations", root=root)
    assert "USD" not in set(obs["unit"].astype(object))  # the seeds report no dollars ...
    assert _cats(obs, "unit") == set(tables.UNITS)  # ... and the category is there
    assert _cats(obs, "qualifier") == set(tables.QUALIFIERS)
    assert _cats(obs, "status") == set(tables.STATUSES)
    assert _cats(store.load("mentions", root=root), "unit") == set(tables.UNITS)
    series = store.load("series", root=root)
    assert _cats(series, "unit") == set(tables.UNITS) and _cats(series, "status") == set(tables.STATUSES)


@pytest.mark.parametrize("table", ["observations", "series"])
def test_codes_are_the_versions_codebooks(root: Path, table: str) -> None:
    df = store.load(table, root=root)
    regions, indicators = store.load("regions", root=root), store.load("indicators", root=root)
    assert len(set(df["region_code"].dropna().astype(object))) < len(regions)  # few regions occur
    assert _cats(df, "region_code") == set(regions["region_code"].astype(object))
    assert _cats(df, "indicator_code") == set(indicators["indicator_code"].astype(object))
    if table == "observations":
        assert _cats(df, "region_code_2025") == set(regions["region_code_2025"].astype(object))
        assert _cats(df, "body_code") == set(store.load("bodies", root=root)["body_code"].astype(object))
    assert list(df["region_code"].cat.categories) == sorted(df["region_code"].cat.categories)


def test_merge_with_the_codebook_stays_categorical(root: Path) -> None:
    obs = store.load("observations", root=root)
    regions = store.load("regions", root=root)
    merged = obs.merge(regions[["region_code", "name_en"]], on="region_code", how="left")
    assert isinstance(merged["region_code"].dtype, pd.CategoricalDtype)
    assert merged["name_en"].notna().all()
    ind = store.load("indicators", root=root)
    merged = obs.merge(ind[["indicator_code", "name_en"]], on="indicator_code")
    assert isinstance(merged["indicator_code"].dtype, pd.CategoricalDtype) and len(merged) == len(obs)


def test_values_stay_as_they_were(root: Path) -> None:
    typed = store.load("observations", root=root)
    raw = store.read_arrow(*_folder_entry(root, "observations")).to_pandas()
    for col in ("indicator_code", "unit", "region_code", "body_code", "status", "qualifier"):
        assert typed[col].astype(object).where(typed[col].notna(), None).tolist() == raw[col].tolist()
    assert store.load("observations", root=root, verify=False)["unit"].dtype == typed["unit"].dtype


def _folder_entry(root: Path, table: str):
    folder = root / "versions" / store.latest_version(root)
    return folder, table, store.read_manifest("latest", root)["tables"][table]
