"""The README and ROWS.md name only files a clone of the repository has (issue 15, point 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = ["README.md", "schemas/ROWS.md"]
TOP = ("tests/", "schemas/", "src/", "flows/", "docs/", "scripts/", "benchmarks/", "examples/", "data/raw")


def _paths(text: str) -> set[str]:
    refs = set(re.findall(r"`([^`\s]+)`", text)) | set(re.findall(r"\]\(([^)#\s]+)", text))
    return {r.rstrip("/") for r in refs if r.startswith(TOP) and not any(c in r for c in "*<>{}$")}


@pytest.mark.parametrize("doc", DOCS)
def test_no_paths_outside_the_repository(doc: str) -> None:
    text = (REPO_ROOT / doc).read_text(encoding="utf-8")
    assert not re.search(r"\.\./(shared|eval)", text)


@pytest.mark.parametrize("doc", DOCS)
def test_named_repository_files_exist(doc: str) -> None:
    text = (REPO_ROOT / doc).read_text(encoding="utf-8")
    paths = _paths(text)
    assert paths, "the test found no paths to check"
    missing = [
        p for p in sorted(paths) if not (REPO_ROOT / p).exists() and not (REPO_ROOT / doc).parent.joinpath(p).exists()
    ]
    assert missing == []


def test_rows_md_names_the_seed_gold_and_the_scorer() -> None:
    text = (REPO_ROOT / "schemas" / "ROWS.md").read_text(encoding="utf-8")
    assert "tests/data/seeds_gold.csv" in text
    assert "dxdata evaluate" in text
    assert (REPO_ROOT / "tests" / "data" / "seeds_gold.csv").is_file()
