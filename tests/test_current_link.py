"""`current`: a stable path to the latest version for tools other than Python (issue 15, point 7), a link
switched with LATEST; read by DuckDB from a script in another folder, before and after a new version."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dxdata.publish import store

REPO = Path(__file__).resolve().parents[1]

SCRIPT = """
import json, sys
import duckdb
root = sys.argv[1]
n = duckdb.sql(f"SELECT count(*) FROM '{root}/current/observations/*.parquet'").fetchall()[0][0]
k = duckdb.sql(f"SELECT count(*) FROM '{root}/current/indicators.parquet'").fetchall()[0][0]
print(json.dumps({"observations": n, "indicators": k}))
"""


def _refresh(raw: Path, out: Path) -> None:
    run = subprocess.run(
        [str(Path(sys.executable).with_name("dxdata")), "refresh", "--no-prefect", "--no-progress",
         "--raw-dir", str(raw), "--out-dir", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr


def _read_with_duckdb(root: Path, cwd: Path) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, os.path.relpath(root, cwd)], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_current_follows_latest_and_reads_with_duckdb(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "data" / "processed"
    shutil.copytree(
        REPO / "data" / "raw", raw, ignore=shutil.ignore_patterns(sorted(os.listdir(REPO / "data" / "raw"))[-1])
    )
    elsewhere = tmp_path / "notebooks"
    elsewhere.mkdir()
    _refresh(raw, out)
    link = out / "current"
    assert link.is_symlink() and os.readlink(link) == "versions/v0001"
    first = _read_with_duckdb(out, elsewhere)
    assert first["observations"] == len(store.load("observations", root=out)) > 0
    assert first["indicators"] == len(store.load("indicators", root=out))

    last = sorted(os.listdir(REPO / "data" / "raw"))[-1]
    shutil.copy(REPO / "data" / "raw" / last, raw / last)
    _refresh(raw, out)
    assert (out / "LATEST").read_text().strip() == "v0002"
    assert os.readlink(link) == "versions/v0002"
    second = _read_with_duckdb(out, elsewhere)
    assert second["observations"] == len(store.load("observations", root=out)) > first["observations"]
    assert not [p for p in out.iterdir() if p.name.startswith(".current")]  # no temp link left


def test_a_missing_or_stale_link_is_repaired_by_the_next_refresh(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _refresh(REPO / "data" / "raw", out)
    (out / "current").unlink()  # as a dataset made before the link, or a crash right after LATEST
    _refresh(REPO / "data" / "raw", out)
    assert os.readlink(out / "current") == "versions/v0001"
    os.symlink("versions/v0000", out / ".stale")
    os.replace(out / ".stale", out / "current")
    _refresh(REPO / "data" / "raw", out)
    assert os.readlink(out / "current") == "versions/v0001"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_folder_named_current_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "current").mkdir(parents=True)
    (out / "current" / "mine.txt").write_text("user data", encoding="utf-8")
    _refresh(REPO / "data" / "raw", out)
    assert (out / "current" / "mine.txt").read_text(encoding="utf-8") == "user data"
    assert store.versions(out) == ["v0001"]
