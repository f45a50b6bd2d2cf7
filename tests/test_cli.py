"""The `dxdata` command: output a person can read and exit codes a scheduler can act on."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from dxdata.cli import EXIT_OK, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[1]


def test_refresh_versions_and_no_change(tmp_path: Path, capsys) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(ROOT / "data" / "raw", raw)
    assert main(["refresh", "--no-prefect", "--raw-dir", str(raw), "--out-dir", str(out)]) == EXIT_OK
    first = capsys.readouterr().out
    assert "articles read:     5" in first and "v0001 (new)" in first
    assert main(["refresh", "--no-prefect", "--raw-dir", str(raw), "--out-dir", str(out)]) == EXIT_OK
    assert "no change (latest is v0001)" in capsys.readouterr().out
    assert main(["versions", "--out-dir", str(out)]) == EXIT_OK
    listing = capsys.readouterr().out
    assert listing.startswith("* v0001") and "observations=" in listing


def test_missing_raw_folder_is_a_usage_error(tmp_path: Path, capsys) -> None:
    code = main(["refresh", "--no-prefect", "--raw-dir", str(tmp_path / "nope"), "--out-dir", str(tmp_path)])
    assert code == EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err


def test_evaluate_prints_figures_and_misses(tmp_path: Path, capsys) -> None:
    gold = ROOT / "tests" / "data" / "seeds_gold.csv"
    assert main(["evaluate", "--gold", str(gold), "--raw-dir", str(ROOT / "data" / "raw")]) == EXIT_OK
    out = capsys.readouterr().out
    assert "quantity_f1:" in out and "row_f1:" in out and "acc_region_code:" in out


def _run(args: list[str], cwd: Path):
    import os
    import subprocess
    import sys

    env = dict(os.environ) | {"PYTHONWARNINGS": "always::FutureWarning"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_refresh_help_gives_help_and_defaults(tmp_path: Path) -> None:
    run = _run(["-m", "dxdata.cli", "refresh", "--help"], tmp_path)
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())
    assert "--raw-dir DIR folder of the articles" in text and "(default: data/raw)" in text
    assert "--out-dir DIR dataset folder" in text and "(default: data/processed)" in text
    assert "--batch-size N articles per chunk" in text and "(default: 500)" in text


def test_serve_help_gives_help_and_defaults(tmp_path: Path) -> None:
    run = _run([str(ROOT / "flows" / "serve.py"), "--help"], tmp_path)
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())
    for flag, default in (
        ("--raw-dir DIR", "data/raw"),
        ("--out-dir DIR", "data/processed"),
        ("--batch-size N", "500"),
    ):
        assert flag in text and f"(default: {default})" in text


def test_refresh_shows_no_future_warning(tmp_path: Path) -> None:
    """pyarrow 25+ warned about `null_placement` in SortOptions on every run (issue 15, point 5)."""
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)
    args = ["-m", "dxdata.cli", "refresh", "--no-prefect", "--no-progress", "--raw-dir", "raw", "--out-dir", "out"]
    first = _run(args, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "v0001 (new)" in first.stdout
    second = _run(args, tmp_path)  # carries the series over from v0001: the Arrow sort of store.sorted_arrow
    assert second.returncode == 0, second.stderr
    assert "no change (latest is v0001)" in second.stdout
    assert re.search(r"series: [1-9]\d* rows carried over", second.stderr), second.stderr
    for run in (first, second):
        assert "FutureWarning" not in run.stderr, run.stderr
