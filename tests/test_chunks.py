"""Chunks: stable boundaries and keys, reuse of unchanged chunks; and the series built per indicator."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from dxdata.ingest import read_raw_folder
from dxdata.orchestrate.refresh import run_refresh
from dxdata.products import series_update
from dxdata.products.series import build_series
from dxdata.products.series_update import series_by_indicator
from dxdata.publish import store
from dxdata.publish.chunks import PUBLISHER_INPUT, SERIES_INPUT, plan_chunks, scan_raw_folder
from dxdata.tools import synth


def _files(folder: Path, n: int, start: int = 0):
    synth.generate(n, folder, seed=11, start=start)
    return scan_raw_folder(folder)


def test_chunks_cover_every_file_once_in_name_order(tmp_path: Path) -> None:
    files = _files(tmp_path, 60)
    chunks = plan_chunks(files, tmp_path, "v1", target=8)
    assert len(chunks) > 2
    assert [c.index for c in chunks] == list(range(1, len(chunks) + 1))
    names = [f.source_file for c in chunks for f in c.files]
    assert names == sorted(f.source_file for f in files)
    assert all(1 <= len(c.files) <= 16 for c in chunks)
    assert plan_chunks(list(reversed(files)), tmp_path, "v1", target=8) == chunks  # input order does not matter


def test_adding_a_file_changes_only_the_chunk_it_falls_into(tmp_path: Path) -> None:
    before = plan_chunks(_files(tmp_path, 60), tmp_path, "v1", target=8)
    (tmp_path / "000031_new.txt").write_text(synth.article_text(99, 0), encoding="utf-8")  # among the others
    after = plan_chunks(scan_raw_folder(tmp_path), tmp_path, "v1", target=8)
    assert len({c.key for c in after} - {c.key for c in before}) <= 2  # its chunk, and a split of it at most
    assert len({c.key for c in before} - {c.key for c in after}) == 1
    again = plan_chunks(scan_raw_folder(tmp_path), tmp_path, "v2", target=8)
    assert {c.key for c in again}.isdisjoint({c.key for c in after})  # a new codebook or code changes every key


def test_editing_a_file_changes_its_chunk_key(tmp_path: Path) -> None:
    before = plan_chunks(_files(tmp_path, 20), tmp_path, "v1", target=8)
    victim = sorted(tmp_path.glob("*.txt"))[3]
    victim.write_text(victim.read_text(encoding="utf-8") + "\nThêm 5% nữa.", encoding="utf-8")
    after = plan_chunks(scan_raw_folder(tmp_path), tmp_path, "v1", target=8)
    assert [c.files[0].source_file for c in after] == [c.files[0].source_file for c in before]
    assert sum(a.key != b.key for a, b in zip(after, before, strict=True)) == 1


def test_same_text_in_two_chunks_is_kept_once(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    synth.generate(12, raw, seed=2)
    first = sorted(raw.glob("*.txt"))[0]
    text = first.read_text(encoding="utf-8")
    (raw / "zz-copy-utf16.txt").write_bytes(text.encode("utf-16"))  # same text, other bytes, last chunk
    summary = run_refresh(raw, out, batch_size=2)
    rejects = store.load("rejects", root=out)
    dup = rejects[rejects["reason"] == "duplicate"]
    assert list(dup["source_file"]) == ["zz-copy-utf16.txt"] and first.name in str(dup["detail"].iloc[0])
    assert summary.articles_read == 12 and summary.files_rejected == 1
    assert set(store.load("articles", root=out)["source_file"]) == {p.name for p in raw.glob("0*.txt")}
    articles, file_rejects = read_raw_folder(raw)  # the same answer as reading the folder in one go
    assert len(articles) == 12 and [r.source_file for r in file_rejects] == ["zz-copy-utf16.txt"]


def test_unchanged_chunks_are_hard_linked_from_the_latest_version(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    synth.generate(40, raw, seed=4)
    run_refresh(raw, out, batch_size=5, cached=True)
    synth.generate(1, raw, seed=4, start=900)
    second = run_refresh(raw, out, batch_size=5, cached=True)
    assert second.version == "v0002" and second.articles_read == 41
    parts = {
        v: {p.name.split("-", 2)[2]: p.stat().st_ino for p in store.parquet_files("observations", v, out)}
        for v in ("v0001", "v0002")
    }
    shared = set(parts["v0001"]) & set(parts["v0002"])
    assert len(shared) == len(parts["v0002"]) - 1  # all but the chunk with the new article
    assert all(parts["v0001"][k] == parts["v0002"][k] for k in shared)  # the same file, not a copy
    assert store.verify("v0001", out) == [] and store.verify("v0002", out) == []
    run_refresh(raw, tmp_path / "clean", batch_size=5)
    assert (
        store.read_manifest("latest", out)["content_hash"]
        == store.read_manifest("latest", tmp_path / "clean")["content_hash"]
    )


def test_series_after_edits_and_removals_equals_a_clean_build(tmp_path: Path) -> None:
    """Series rows of untouched groups are carried over; the rest are rebuilt: same table as from scratch."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    synth.generate(30, raw, seed=6)
    run_refresh(raw, out, batch_size=4, cached=True)
    files = sorted(raw.glob("*.txt"))
    files[3].unlink()  # a removed file: its old rows leave their groups
    files[17].write_text(files[17].read_text(encoding="utf-8").replace("%", " phần trăm", 1), encoding="utf-8")
    synth.generate(2, raw, seed=6, start=800)
    run_refresh(raw, out, batch_size=4, cached=True)
    run_refresh(raw, tmp_path / "clean", batch_size=4)
    pd.testing.assert_frame_equal(store.load("series", root=out), store.load("series", root=tmp_path / "clean"))
    assert store.read_manifest(root=out)["content_hash"] == store.read_manifest(root=tmp_path / "clean")["content_hash"]


def test_series_by_indicator_equals_series_of_the_whole_table(tmp_path: Path, monkeypatch) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    synth.generate(30, raw, seed=8)
    run_refresh(raw, out, batch_size=7)
    observations = store.load("observations", root=out)
    articles = store.load("articles", root=out)
    whole = build_series(observations, articles)
    pieces = [
        pa.Table.from_pandas(observations[SERIES_INPUT].iloc[i : i + 100].astype(object), preserve_index=False)
        for i in range(0, len(observations), 100)
    ]
    by_indicator = series_by_indicator(pieces, [pa.Table.from_pandas(articles[PUBLISHER_INPUT].astype(object))])
    pd.testing.assert_frame_equal(by_indicator.reset_index(drop=True), whole.reset_index(drop=True))
    monkeypatch.setattr(series_update, "SERIES_POOL_MIN_ROWS", 0)  # blocks of indicators in the process pool
    pooled = series_by_indicator(pieces, [pa.Table.from_pandas(articles[PUBLISHER_INPUT].astype(object))], workers=2)
    pd.testing.assert_frame_equal(pooled.reset_index(drop=True), whole.reset_index(drop=True))
