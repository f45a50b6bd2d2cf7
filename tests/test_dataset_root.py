"""Where `dxdata.load`, `versions` and `parquet_files` find the dataset (issue 15, point 6): the `root`
argument, else DXDATA_ROOT, else the project's data/processed found upward from the working folder; a
script run from a notebook folder of the project reads the project's data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dxdata.publish.store import dataset_root

REPO = Path(__file__).resolve().parents[1]

SCRIPT = """
import json, sys
import dxdata
args = json.loads(sys.argv[1])
try:
    versions = dxdata.versions(*args)
    obs = dxdata.load("observations", "latest", *args)
    files = dxdata.parquet_files("observations", "latest", *args)
    print(json.dumps({"versions": versions, "rows": len(obs), "files": [str(f) for f in files],
                      "root": str(dxdata.dataset_root(*args))}))
except dxdata.publish.store.StoreError as err:
    print(json.dumps({"error": str(err)}))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A dxdata project folder with a published dataset under data/processed and a notebooks/ folder."""
    proj = tmp_path_factory.mktemp("proj")
    (proj / "pyproject.toml").write_text('[project]\nname = "dxdata"\nversion = "0.1.0"\n', encoding="utf-8")
    (proj / "notebooks" / "deep").mkdir(parents=True)
    run = subprocess.run(
        [str(Path(sys.executable).with_name("dxdata")), "refresh", "--no-prefect", "--no-progress",
         "--raw-dir", str(REPO / "data" / "raw"), "--out-dir", str(proj / "data" / "processed")],
        capture_output=True, text=True, timeout=300, cwd=proj,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return proj


def _script(cwd: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "DXDATA_ROOT"} | (env or {})
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(list(args))],
        cwd=cwd, env=environ, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("sub", ["notebooks", "notebooks/deep", "."])
def test_found_from_the_project_folder_or_below(project: Path, sub: str) -> None:
    got = _script(project / sub)
    assert got["versions"] == ["v0001"]
    assert got["rows"] > 0
    assert Path(got["root"]) == project / "data" / "processed"
    assert all(Path(f).is_relative_to(project / "data" / "processed") for f in got["files"])


def test_environment_variable_from_anywhere(project: Path, tmp_path: Path) -> None:
    got = _script(tmp_path, env={"DXDATA_ROOT": str(project / "data" / "processed")})
    assert got["versions"] == ["v0001"] and got["rows"] > 0


def test_argument_beats_environment_and_project(project: Path, tmp_path: Path) -> None:
    got = _script(project / "notebooks", str(project / "data" / "processed"), env={"DXDATA_ROOT": str(tmp_path)})
    assert got["versions"] == ["v0001"] and got["rows"] > 0
    env_only = _script(project / "notebooks", env={"DXDATA_ROOT": str(tmp_path / "none")})
    assert "no dataset yet" in env_only["error"] and str(tmp_path / "none") in env_only["error"]


def test_nothing_found_says_where_it_looked(tmp_path: Path) -> None:
    lonely = tmp_path / "somewhere" / "else"
    lonely.mkdir(parents=True)
    got = _script(lonely)
    assert "no dataset folder found" in got["error"]
    assert str(lonely) in got["error"] and "DXDATA_ROOT" in got["error"] and "pyproject.toml" in got["error"]


def test_a_data_processed_folder_marks_the_project(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "data" / "processed").mkdir(parents=True)
    (tmp_path / "analysis" / "2026").mkdir(parents=True)
    monkeypatch.delenv("DXDATA_ROOT", raising=False)
    monkeypatch.chdir(tmp_path / "analysis" / "2026")
    assert dataset_root() == tmp_path / "data" / "processed"
    (tmp_path / "analysis" / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    assert dataset_root() == tmp_path / "data" / "processed"  # another project's pyproject is not a marker
