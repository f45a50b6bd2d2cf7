"""scripts/compare_versions.py: the check that a refactor left the data byte-identical."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

from dxdata.orchestrate.refresh import run_refresh
from dxdata.publish.store import read_manifest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "compare_versions.py"
compare = runpy.run_path(str(SCRIPT))["compare"]


def test_same_data_under_other_chunk_keys_compares_equal_and_an_edit_does_not(seeds_copy: Path, tmp_path: Path) -> None:
    run_refresh(seeds_copy, tmp_path / "a")
    run_refresh(seeds_copy, tmp_path / "b")
    old, new = read_manifest("latest", tmp_path / "a"), read_manifest("latest", tmp_path / "b")
    assert compare(old, new) == []
    # the same parts under another chunk key (what moving code does): still the same data
    moved = json.loads(json.dumps(new).replace(new["tables"]["articles"]["parts"][0]["chunk"][:16], "0" * 16))
    moved["content_hash"] = "other"
    assert compare(old, moved) == []
    seed = next(p for p in sorted(seeds_copy.glob("*.txt")) if "80,2%" in p.read_text(encoding="utf-8"))
    seed.write_text(seed.read_text(encoding="utf-8").replace("80,2%", "81,0%"), encoding="utf-8")
    run_refresh(seeds_copy, tmp_path / "c")
    assert "observations: parts differ" in compare(old, read_manifest("latest", tmp_path / "c"))
