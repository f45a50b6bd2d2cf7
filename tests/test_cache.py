"""The extraction cache: only new or changed articles are extracted, and the cache survives faults."""

from __future__ import annotations

import dataclasses
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from dxdata.codebook import load_codebook
from dxdata.extract import extract_article
from dxdata.ingest import read_raw_folder
from dxdata.orchestrate.refresh import run_refresh
from dxdata.publish import cache as extraction_cache
from dxdata.publish import store
from dxdata.publish.cache import (
    ExtractionCache,
    article_key,
    extract_incremental,
    extraction_code_fingerprint,
    extraction_fingerprint,
)


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def counting_extractor(calls: list[int]):
    def extractor(batch, codebook):
        calls.append(len(batch))
        return [extract_article(a, codebook) for a in batch]

    return extractor


def test_second_run_extracts_nothing_and_results_match(seed_articles, codebook, tmp_path: Path) -> None:
    calls: list[int] = []
    first, s1 = extract_incremental(
        seed_articles, codebook, tmp_path, batch_size=2, extractor=counting_extractor(calls)
    )
    assert (s1.hits, s1.misses, s1.written) == (0, 5, 5) and calls == [2, 2, 1]
    calls.clear()
    second, s2 = extract_incremental(seed_articles, codebook, tmp_path, extractor=counting_extractor(calls))
    assert (s2.hits, s2.misses) == (5, 0) and calls == []
    direct = [extract_article(a, codebook) for a in seed_articles]
    assert first == direct and second == direct


def test_only_changed_and_new_articles_are_extracted(seed_articles, codebook, tmp_path: Path) -> None:
    extract_incremental(seed_articles, codebook, tmp_path)
    changed = dataclasses.replace(seed_articles[1], text=seed_articles[1].text + "\nThêm 12% nữa.", article_id="0" * 16)
    new = dataclasses.replace(
        seed_articles[0],
        source_file="new.txt",
        article_id="f" * 16,
        text="Năm 2023, tỉnh Kon Tum có 95% hồ sơ được xử lý trực tuyến.",
    )
    corpus = [seed_articles[0], changed, *seed_articles[2:], new]
    calls: list[int] = []
    results, stats = extract_incremental(corpus, codebook, tmp_path, extractor=counting_extractor(calls))
    assert stats.hits == 4 and stats.misses == 2 and calls == [2]
    assert results == [extract_article(a, codebook) for a in corpus]


def test_renamed_file_is_a_hit_with_the_new_name(seed_articles, codebook, tmp_path: Path) -> None:
    extract_incremental(seed_articles, codebook, tmp_path)
    renamed = [dataclasses.replace(a, source_file=f"renamed/{a.source_file}") for a in seed_articles]
    results, stats = extract_incremental(renamed, codebook, tmp_path)
    assert stats.hits == 5
    assert results == [extract_article(a, codebook) for a in renamed]


def test_codebook_or_code_change_invalidates(seed_articles, codebook, tmp_path: Path, monkeypatch) -> None:
    extract_incremental(seed_articles, codebook, tmp_path)
    other_book = dataclasses.replace(codebook, fingerprint="0" * 64)
    _, stats = extract_incremental(seed_articles, other_book, tmp_path)
    assert stats.misses == 5
    monkeypatch.setattr(extraction_cache, "extraction_code_fingerprint", lambda: "new-code")
    _, stats = extract_incremental(seed_articles, codebook, tmp_path)
    assert stats.misses == 5 and stats.pruned == 5  # the other version's rows are gone


def test_code_fingerprint_covers_extraction_modules_and_gazetteer() -> None:
    import dxdata

    pkg = Path(dxdata.__file__).parent
    for name in extraction_cache.EXTRACTION_MODULES:
        assert (pkg / name).exists(), name
    assert (pkg / "extract" / "model.py").is_file()  # every module of the subpackage is hashed
    assert (pkg / "data" / "gazetteer.csv").is_file()
    assert extraction_code_fingerprint() == extraction_code_fingerprint()
    assert len(extraction_fingerprint(load_codebook()).split(":")) == 2


def test_key_ignores_file_name_only(seed_articles) -> None:
    a = seed_articles[0]
    assert article_key(a) == article_key(dataclasses.replace(a, source_file="x.txt"))
    assert article_key(a) != article_key(dataclasses.replace(a, title="Other"))
    assert article_key(a) != article_key(dataclasses.replace(a, article_id="0" * 16))


def test_corrupt_cache_file_is_rebuilt(seed_articles, codebook, tmp_path: Path) -> None:
    extract_incremental(seed_articles, codebook, tmp_path)
    db = tmp_path / extraction_cache.CACHE_FILE
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    results, stats = extract_incremental(seed_articles, codebook, tmp_path)
    assert stats.misses == 5 and results == [extract_article(a, codebook) for a in seed_articles]
    assert list(tmp_path.glob("extraction.sqlite.corrupt-*"))
    _, stats = extract_incremental(seed_articles, codebook, tmp_path)
    assert stats.hits == 5


def test_unreadable_row_is_a_miss(seed_articles, codebook, tmp_path: Path) -> None:
    extract_incremental(seed_articles, codebook, tmp_path)
    with sqlite3.connect(tmp_path / extraction_cache.CACHE_FILE) as conn:
        conn.execute(
            "UPDATE extraction SET payload = ? WHERE article_key = ?", (b"garbage", article_key(seed_articles[0]))
        )
    _, stats = extract_incremental(seed_articles, codebook, tmp_path)
    assert stats.hits == 4 and stats.misses == 1


def test_failed_batch_keeps_finished_batches(seed_articles, codebook, tmp_path: Path) -> None:
    def dies_on_third(batch, book):
        if any(a.source_file == seed_articles[4].source_file for a in batch):
            raise RuntimeError("killed")
        return [extract_article(a, book) for a in batch]

    with pytest.raises(RuntimeError):
        extract_incremental(seed_articles, codebook, tmp_path, batch_size=2, extractor=dies_on_third)
    with ExtractionCache(tmp_path, extraction_fingerprint(codebook)) as cache:
        assert len(cache) == 4
    _, stats = extract_incremental(seed_articles, codebook, tmp_path)
    assert (stats.hits, stats.misses) == (4, 1)


def _worker(args):
    cache_dir, n = args
    from conftest import SEEDS_DIR
    from dxdata.codebook import load_codebook

    articles, _ = read_raw_folder(SEEDS_DIR)
    out = []
    for _ in range(n):
        results, stats = extract_incremental(articles, load_codebook(), cache_dir, batch_size=1)
        out.append((len(results), stats.hits + stats.misses))
    return out


def test_concurrent_writers_share_the_cache(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        outs = pool.map(_worker, [(str(tmp_path), 3), (str(tmp_path), 3)])
    assert all(r == (5, 5) for out in outs for r in out)
    with sqlite3.connect(tmp_path / extraction_cache.CACHE_FILE) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM extraction").fetchone()[0] == 5


def test_incremental_refresh_equals_plain_refresh(seeds_copy: Path, tmp_path: Path) -> None:
    plain = run_refresh(seeds_copy, tmp_path / "plain")
    inc = run_refresh(seeds_copy, tmp_path / "inc", cached=True)
    again = run_refresh(seeds_copy, tmp_path / "inc", cached=True)
    assert inc.as_dict() == plain.as_dict()
    assert again.changed is False and again.version == "v0001"
    assert (
        store.read_manifest("latest", tmp_path / "plain")["content_hash"]
        == store.read_manifest("latest", tmp_path / "inc")["content_hash"]
    )


def _messy_folder(raw: Path) -> None:
    (raw / "empty.txt").write_bytes(b"")
    (raw / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (raw / "copy.txt").write_bytes(next(iter(sorted(raw.glob("0*.txt")))).read_bytes())  # a duplicate
    (raw / "sub").mkdir()
    (raw / "sub" / "cp1258.txt").write_bytes(
        "Năm 2023, tỉnh Kon Tum có 95% hồ sơ được xử lý trực tuyến. Đây là bài viết thử.".encode("cp1258", "replace")
    )


def _open_cache(folder: str) -> int:
    with ExtractionCache(folder, "v") as cache:
        return len(cache)


def test_processes_opening_a_new_cache_at_once(tmp_path: Path) -> None:
    """Worker processes that create the cache file together all get it (WAL switch races are retried)."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(4) as pool:
        for i in range(8):
            assert pool.map(_open_cache, [str(tmp_path / str(i))] * 4) == [0, 0, 0, 0]
