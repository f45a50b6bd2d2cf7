"""The served deployment (flows/serve.py) and prefect.yaml's are distinct (issue 15, point 3): `prefect deploy
--all` must never replace the served deployment's parameters and schedule."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import yaml

from dxdata.orchestrate import prefect_flow

REPO = Path(__file__).resolve().parents[1]


def _yaml_names() -> list[str]:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    return [d["name"] for d in spec["deployments"]]


def test_served_and_deployed_names_differ() -> None:
    served = runpy.run_path(str(REPO / "flows" / "serve.py"), run_name="serve")["DEPLOYMENT_NAME"]
    names = _yaml_names()
    assert len(names) == len(set(names))
    assert served not in names
    assert (served, names) == ("dxdata-serve", ["dxdata-worker"])


def test_both_entry_points_are_the_refresh_flow() -> None:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    assert [d["entrypoint"] for d in spec["deployments"]] == ["flows/refresh.py:refresh"]
    assert prefect_flow.refresh.name == "refresh"
    entry = runpy.run_path(str(REPO / "flows" / "refresh.py"), run_name="entry")  # what `prefect deploy` loads
    assert entry["refresh"] is prefect_flow.refresh


def test_serve_help_names_its_deployment(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(REPO / "flows" / "serve.py"), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "refresh/dxdata-serve" in run.stdout
    assert "refresh/dxdata-worker" in run.stdout


def test_docs_say_which_to_use() -> None:
    ops = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    assert "refresh/dxdata-serve" in ops and "refresh/dxdata-worker" in ops
    assert "refresh/dxdata-refresh" not in ops
