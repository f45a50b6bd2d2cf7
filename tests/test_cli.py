"""The `dxdata` command: output a person can read and exit codes a scheduler can act on."""

from __future__ import annotations

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
