"""`pip install .` gives a package that stands alone (issue 16): the wheel carries the codebooks of the
top-level `schemas/` folder as `dxdata/codebooks/`, every module and data file under `src/dxdata/`, and
nothing else of the checkout (no `flows/`, tests, scripts or raw data).

The wheel is built by `pip wheel` from a copy of the checkout, so no `build/` folder is left in it (pip
fetches setuptools from the registry for the isolated build, as `pip install .` does). That the installed
wheel runs a refresh from any folder is checked by `make test-unlocked` (tests/test_install.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dxdata import codebook

REPO = Path(__file__).resolve().parents[1]
SKIPPED = (".git", ".venv*", "build", "dist", "__pycache__", "*.egg-info", ".*_cache", ".prefect")
ELSEWHERE = ("flows/", "tests/", "scripts/", "schemas/", "data/", "docs/", "benchmarks/", "examples/", "src/")


def _skip(folder: str, names: list[str]) -> set[str]:
    skipped = set(shutil.ignore_patterns(*SKIPPED)(folder, names))
    if Path(folder) == REPO / "data":
        skipped.add("processed")  # built versions: not source, and possibly large
    return skipped


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Iterator[zipfile.ZipFile]:
    tmp = tmp_path_factory.mktemp("wheel")
    checkout = tmp / "checkout"
    shutil.copytree(REPO, checkout, ignore=_skip, symlinks=True)
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp / "dist"), "."],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    (built,) = (tmp / "dist").glob("dxdata-*.whl")
    with zipfile.ZipFile(built) as z:
        yield z


def _package_files() -> set[str]:
    """Every file of src/dxdata as the wheel names it (no compiled files)."""
    pkg = REPO / "src" / "dxdata"
    return {
        "dxdata/" + p.relative_to(pkg).as_posix()
        for p in pkg.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def test_the_wheel_carries_the_codebooks(wheel: zipfile.ZipFile) -> None:
    """Every file of schemas/, byte for byte, under dxdata/codebooks/ (schemas/ stays their one copy)."""
    files = sorted(p for p in (REPO / "schemas").iterdir() if p.is_file() and not p.name.startswith("."))
    for name in ("indicators.yaml", "bodies.yaml", "indicator_rules.yaml", "synonyms.yaml", "extraction.yaml"):
        assert REPO / "schemas" / name in files
    shipped = {n.removeprefix("dxdata/codebooks/") for n in wheel.namelist() if n.startswith("dxdata/codebooks/")}
    assert shipped == {p.name for p in files}
    for path in files:
        assert wheel.read(f"dxdata/codebooks/{path.name}") == path.read_bytes(), path.name


def test_the_wheel_carries_every_module_and_nothing_else(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    package = {n for n in names if n.startswith("dxdata/") and not n.startswith("dxdata/codebooks/")}
    missing = sorted(_package_files() - package)
    assert not missing, f"not in the wheel (a subpackage missing from pyproject.toml's packages?): {missing}"
    assert package == _package_files()
    subpackages = {p.parent.name for p in (REPO / "src" / "dxdata").glob("*/__init__.py")}
    assert subpackages and all(f"dxdata/{sub}/__init__.py" in names for sub in subpackages)
    assert not [n for n in names if n.startswith(ELSEWHERE)]
    assert {n.split("/")[0] for n in names} == {"dxdata", "dxdata-0.1.0.dist-info"}
    entry_points = wheel.read("dxdata-0.1.0.dist-info/entry_points.txt").decode()
    assert "dxdata = dxdata.cli:main" in entry_points


def test_codebooks_folder(monkeypatch, tmp_path: Path) -> None:
    """A checkout reads its own schemas/; $DXDATA_SCHEMAS wins over both it and the installed copy."""
    assert codebook.source_checkout() == REPO
    assert codebook.schemas_dir() == REPO / "schemas"
    monkeypatch.setenv("DXDATA_SCHEMAS", str(tmp_path))
    assert codebook.schemas_dir() == tmp_path
