"""What `pip install .` (without the lock file) installs must be enough to read HTML (issue 15, point 14).

The closure of `pyproject.toml`'s requirements is walked through the installed packages' own metadata (what
pip would resolve, without the network), and the HTML fixture is ingested by the `dxdata` command in a
subprocess. Installed as a wheel (`make test-unlocked`), the package must stand alone (issue 16).
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from packaging.requirements import Requirement

REPO_ROOT = Path(__file__).resolve().parents[1]
HTML_FIXTURE = REPO_ROOT / "tests" / "data" / "ingest" / "page_with_chrome.html"


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(requirements: list[str]) -> set[str]:
    """Every distribution pip would install for `requirements` (no extras), by the installed metadata."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = _name(req.name)
        extras_key = [name + "[" + e + "]" for e in sorted(req.extras)]
        if name in seen and all(k in seen for k in extras_key):
            continue
        seen.add(name)
        seen.update(extras_key)
        for line in importlib.metadata.requires(req.name) or []:
            sub = Requirement(line)
            if sub.marker is None or sub.marker.evaluate({"extra": ""}):
                todo.append(sub)
            elif any(sub.marker.evaluate({"extra": e}) for e in req.extras):
                sub.marker = None
                todo.append(sub)
    return {n for n in seen if "[" not in n}


def test_pyproject_alone_installs_the_html_cleaner() -> None:
    deps = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    # declared directly: today jusText happens to pull lxml[html_clean], older resolutions did not
    direct = [Requirement(d) for d in deps]
    assert any(
        _name(r.name) == "lxml-html-clean" or (_name(r.name) == "lxml" and "html_clean" in r.extras) for r in direct
    )
    closure = _closure(deps)
    assert "trafilatura" in closure
    assert "lxml-html-clean" in closure, "trafilatura needs lxml.html.clean: declare lxml_html_clean"


def test_lock_pins_the_html_cleaner_as_installed() -> None:
    lock = (REPO_ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins = {_name(line.split("==")[0]): line.split("==")[1] for line in lock if "==" in line}
    assert pins["lxml-html-clean"] == importlib.metadata.version("lxml_html_clean")


def test_html_page_is_ingested_by_the_command(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(HTML_FIXTURE, raw / "page.html")
    out = tmp_path / "out"
    dxdata = Path(sys.executable).with_name("dxdata")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [str(dxdata), "refresh", "--raw-dir", str(raw), "--out-dir", str(out), "--no-prefect", "--no-progress"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert re.search(r"articles read:\s+1\b", run.stdout), run.stdout
    assert re.search(r"files rejected:\s+0\b", run.stdout), run.stdout
    version = (out / "LATEST").read_text(encoding="utf-8").strip()
    articles = pq.read_table(sorted((out / "versions" / version / "articles").glob("*.parquet"))).to_pylist()
    assert [a["format"] for a in articles] == ["html"]
    assert articles[0]["title"] == "Đà Nẵng dẫn đầu Chỉ số chuyển đổi số cấp tỉnh năm 2022"


def _installed(tmp_path: Path, code: str) -> str:
    """What `code` prints in this venv's Python run from `tmp_path`, without the checkout on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DXDATA_SCHEMAS")}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_installed_wheel_refreshes_from_any_folder(tmp_path: Path) -> None:
    """`pip install .` (not editable) stands alone (issue 16): run from a folder outside the checkout, the
    installed package reads its own codebooks, publishes the seeds through Prefect and without it, and
    releases them with the project's metadata. `make test-unlocked` installs the wheel and sets
    DXDATA_EXPECT_WHEEL=1; in the editable venv of `make test` the test is skipped."""
    where = _installed(tmp_path, "import dxdata, dxdata.codebook as c; print(dxdata.__file__); print(c.schemas_dir())")
    package, codebooks = (Path(p) for p in where.splitlines())
    if REPO_ROOT / "src" in package.parents:
        if os.environ.get("DXDATA_EXPECT_WHEEL") == "1":
            raise AssertionError(f"dxdata is imported from the checkout ({package}), not from an installed wheel")
        pytest.skip("dxdata is imported from the checkout (editable install): make test-unlocked runs this")
    assert "site-packages" in package.parts and codebooks == package.parent / "codebooks"
    dxdata = Path(sys.executable).with_name("dxdata")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DXDATA_SCHEMAS", "DXDATA_ROOT")}
    env["DXDATA_PREFECT_SERVER"] = "temporary"  # no server outlives the test
    observations = {}
    for out, flags in ((tmp_path / "out", []), (tmp_path / "out_plain", ["--no-prefect"])):
        args = ["refresh", "--raw-dir", str(REPO_ROOT / "data" / "raw"), "--out-dir", str(out), "--no-progress"]
        run = subprocess.run(
            [str(dxdata), *args, *flags], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert re.search(r"rows published:\s+53\b", run.stdout), run.stdout
        assert (out / "LATEST").read_text(encoding="utf-8").strip() == "v0001"
        observations[out.name] = pq.read_table(sorted((out / "versions" / "v0001" / "observations").glob("*.parquet")))
        assert observations[out.name].num_rows == 53
    assert observations["out"].equals(observations["out_plain"])
    release = [str(dxdata), "release", "--version", "v0001", "--root", str(tmp_path / "out"), "--out", "dist"]
    run = subprocess.run(release, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    with zipfile.ZipFile(tmp_path / "dist" / "dxdata-v0001.zip") as z:
        rows_md = z.read("dxdata-v0001/ROWS.md").decode("utf-8")
        citation = yaml.safe_load(z.read("dxdata-v0001/CITATION.cff"))
    assert (REPO_ROOT / "schemas" / "ROWS.md").read_text(encoding="utf-8") in rows_md  # the packaged copy
    assert citation["references"][0]["license"] == "MIT"  # from the installed metadata: no pyproject.toml here
