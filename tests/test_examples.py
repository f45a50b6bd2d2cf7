"""examples/analysis.py runs end to end on a freshly published dataset (as a separate process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dxdata.orchestrate.refresh import run_refresh

REPO = Path(__file__).resolve().parents[1]


def test_analysis_example_runs(tmp_path):
    root = tmp_path / "processed"
    summary = run_refresh(REPO / "data" / "raw", root)
    assert summary.version == "v0001"
    out = tmp_path / "charts"
    run = subprocess.run(
        [sys.executable, str(REPO / "examples" / "analysis.py"), "--root", str(root), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    text = run.stdout
    assert f"== v0001: {summary.observations} observations" in text
    assert "most reported indicators (DuckDB)" in text
    assert "string_split of obs_ids" in text
    assert "wide(series, 'VN')" in text
    pngs = list(out.glob("*.png"))
    assert len(pngs) == 1 and pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(pngs[0]) in text
