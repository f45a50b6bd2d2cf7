"""Diffs between published versions: added, removed and changed observations by obs_id (real files)."""

from __future__ import annotations

import argparse
import json
from datetime import date

import pandas as pd
import pytest

from dxdata.products import diff
from dxdata.products.diff import diff_frames, diff_versions
from dxdata.publish.store import StoreError, publish


def observations(rows: list[tuple]) -> pd.DataFrame:
    """(obs_id, indicator_code, value, status, period_end) rows; the other fields fixed."""
    return pd.DataFrame(
        [
            {"obs_id": o, "article_id": "a1", "source_file": "a1.txt", "indicator_code": code, "value": value,
             "unit": "percent", "denominator": None, "qualifier": "eq", "status": status, "period_start": None,
             "period_end": end, "region_code": "VN", "region_code_2025": "VN", "body_code": "MIC",
             "evidence": "...", "number_start": i}
            for i, (o, code, value, status, end) in enumerate(rows)
        ]
    )  # fmt: skip


V1 = [
    ("o1", "infra.fiber_households_share", 80.2, "actual", date(2024, 4, 24)),
    ("o2", "infra.fiber_households_share", 75.0, "actual", date(2023, 12, 31)),
    ("o3", "infra.mobile_4g_coverage_share", 99.8, "actual", date(2024, 4, 24)),
    ("o4", "gov.online_applications_share", 40.0, "target", date(2025, 12, 31)),
]
V2 = [
    ("o1", "infra.fiber_households_share", 80.2, "actual", date(2024, 4, 24)),  # same
    ("o2", "infra.fiber_households_share", 76.0, "estimate", date(2023, 12, 31)),  # value and status changed
    ("o3", "infra.mobile_4g_coverage_share", 99.8, "actual", date(2024, 6, 30)),  # period changed
    ("o5", "gov.online_applications_share", 45.0, "actual", date(2024, 4, 24)),  # added; o4 removed
]


@pytest.fixture()
def root(tmp_path):
    articles = pd.DataFrame({"article_id": ["a1"], "source_file": ["a1.txt"], "publisher": [None]})
    publish({"observations": observations(V1), "articles": articles}, tmp_path, sources=[])
    publish({"observations": observations(V2), "articles": articles}, tmp_path, sources=[])
    return tmp_path


def test_added_removed_changed(root):
    r = diff_versions("v0001", "v0002", root)
    assert (r.n_added, r.n_removed, r.n_changed) == (1, 1, 2)
    assert r.added["obs_id"].tolist() == ["o5"] and r.removed["obs_id"].tolist() == ["o4"]
    changed = {(c.obs_id, c.field, c.old, c.new) for c in r.changed.itertuples()}
    assert changed == {
        ("o2", "value", "75", "76"),
        ("o2", "status", "actual", "estimate"),
        ("o3", "period_end", "2024-04-24", "2024-06-30"),
    }
    per = r.per_indicator.set_index("indicator_code")
    assert per.loc["gov.online_applications_share", ["added", "removed", "changed"]].tolist() == [1, 1, 0]
    assert per.loc["infra.fiber_households_share", ["rows_a", "rows_b", "changed"]].tolist() == [2, 2, 1]
    assert per.loc["infra.mobile_4g_coverage_share", "changed"] == 1
    tables = r.tables.set_index("table")
    assert tables.loc["observations", ["rows_a", "rows_b"]].tolist() == [4, 4]


def test_latest_and_identical_versions(root):
    assert diff_versions("v0002", "latest", root).is_empty
    assert diff_versions("v0001", "latest", root).b == "v0002"


def test_first_version_everything_added(root):
    r = diff_versions(None, "v0001", root)
    assert r.a is None and r.n_added == 4 and r.n_removed == 0


def test_float_noise_and_missing_values_are_not_changes():
    old = observations([("o1", "x", 0.1 + 0.2, "actual", None)])
    new = observations([("o1", "x", 0.3, "actual", None)])
    assert diff_frames(old, new).is_empty


def test_text_and_json(root):
    r = diff_versions("v0001", "v0002", root)
    text = r.to_text()
    assert text.startswith("observations v0001 -> v0002: 1 added, 1 removed, 2 changed")
    assert "per indicator" in text and "o5" in text and "2024-06-30" in text
    data = json.loads(r.to_json())
    assert data["summary"] == {"added": 1, "removed": 1, "changed": 2}
    assert data["added"][0]["obs_id"] == "o5" and data["added"][0]["period_end"] == "2024-04-24"
    assert {c["field"] for c in data["changed"]} == {"value", "status", "period_end"}


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dxdata")
    diff.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli(root, capsys):
    assert _cli(["diff", "v0001", "v0002", "--root", str(root)]) == 0
    assert "1 added, 1 removed, 2 changed" in capsys.readouterr().out
    assert _cli(["diff", "v0001", "latest", "--json", "--root", str(root)]) == 0
    assert json.loads(capsys.readouterr().out)["b"] == "v0002"
    assert _cli(["diff", "v0001", "v0009", "--root", str(root)]) == 2
    assert "unknown version" in capsys.readouterr().err


def test_unknown_version_raises(root):
    with pytest.raises(StoreError):
        diff_versions("v0007", "v0002", root)


# ------------------------------------------------------------------------------- real refreshes (issue 15.10)


def test_a_corrected_figure_is_one_changed_observation(seeds_copy, tmp_path):
    """The seeds built, "80,2%" corrected to "81,0%" in one article, built again: one value changed,
    nothing added or removed (ids built from the article's text made it 23 added and 23 removed)."""
    from dxdata.orchestrate.refresh import run_refresh

    out = tmp_path / "out"
    run_refresh(seeds_copy, out)
    path = seeds_copy / "002_52f6af25ab725421.txt"
    data = path.read_bytes()
    assert data.count(b"80,2%") == 1
    path.write_bytes(data.replace(b"80,2%", b"81,0%"))
    assert run_refresh(seeds_copy, out).version == "v0002"
    r = diff_versions("v0001", "v0002", out)
    assert (r.n_added, r.n_removed, r.n_changed) == (0, 0, 1)
    assert r.changed[["indicator_code", "field", "old", "new"]].values.tolist() == [
        ["infra.fiber_households_share", "value", "80.2", "81"]
    ]
    assert r.to_text().startswith("observations v0001 -> v0002: 0 added, 0 removed, 1 changed")


def test_ids_are_the_same_on_every_build_and_in_any_chunking(seeds_copy, tmp_path):
    """Nothing renamed, built again elsewhere and one file per chunk: the same obs_id for every row."""
    from dxdata import load
    from dxdata.orchestrate.refresh import run_refresh

    def ids(out, batch_size):
        run_refresh(seeds_copy, out, batch_size=batch_size)
        obs = load("observations", root=out)
        return sorted(zip(obs["obs_id"], obs["source_file"], obs["number_start"], strict=True))

    first = ids(tmp_path / "a", 500)
    assert len(first) > 40 and len({i for i, _, _ in first}) == len(first)
    assert ids(tmp_path / "b", 500) == first
    assert ids(tmp_path / "c", 1) == first
