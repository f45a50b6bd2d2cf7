"""The extraction cache holds data only, and a write error is not damage (issue 14, points 4 and 8)."""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from dxdata.codebook import load_codebook
from dxdata.extract import extract_article
from dxdata.extract.payload import decode_result, encode_result
from dxdata.orchestrate.refresh import run_refresh
from dxdata.publish import cache as extraction_cache
from dxdata.publish import store
from dxdata.publish.cache import (
    CacheWriteError,
    ExtractionCache,
    article_key,
    extract_incremental,
    extraction_fingerprint,
)


class _Planted:
    """Unpickling this runs `touch <path>`: what a pickle cache would execute."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):  # noqa: ANN204
        return (os.system, (f"touch {self.path}",))


def test_results_round_trip_through_json(seed_articles) -> None:
    codebook = load_codebook()
    for article in seed_articles:
        result = extract_article(article, codebook)
        blob = encode_result(result)
        assert decode_result(blob) == result
        assert b"pickle" not in blob and not blob.startswith(b"\x80")


def test_a_planted_pickle_is_never_run(seed_articles, tmp_path: Path) -> None:
    codebook = load_codebook()
    extract_incremental(seed_articles, codebook, tmp_path)
    marker = tmp_path / "pwned"
    planted = pickle.dumps(_Planted(str(marker)))
    for blob in (planted, zlib.compress(planted)):
        conn = sqlite3.connect(tmp_path / extraction_cache.CACHE_FILE)
        with conn:  # commits
            conn.execute(
                "UPDATE extraction SET payload = ? WHERE article_key = ?", (blob, article_key(seed_articles[0]))
            )
        conn.close()
        results, stats = extract_incremental(seed_articles, codebook, tmp_path)
        assert not marker.exists()
        assert stats.misses == 1 and results[0] == extract_article(seed_articles[0], codebook)


def test_old_pickle_cache_is_discarded(seed_articles, tmp_path: Path) -> None:
    """Rows of the pickle format (FORMAT 1) carry another version: never read, pruned."""
    codebook = load_codebook()
    with ExtractionCache(tmp_path, "old:format-1") as cache:
        cache._conn.execute(
            "INSERT INTO extraction VALUES (?, ?, ?)", (article_key(seed_articles[0]), "old:format-1", b"\x80junk")
        )
    assert extraction_cache.FORMAT == 2
    _, stats = extract_incremental(seed_articles, codebook, tmp_path)
    assert stats.misses == 5 and stats.pruned == 1


def test_full_cache_is_a_write_error_not_damage(seed_articles, tmp_path: Path) -> None:
    codebook = load_codebook()
    extract_incremental(seed_articles[:1], codebook, tmp_path)
    with ExtractionCache(tmp_path, extraction_fingerprint(codebook)) as cache:
        pages = cache._conn.execute("PRAGMA page_count").fetchone()[0]
        cache._conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL from here on
        big = [(f"k{i}", extract_article(a, codebook)) for i, a in enumerate(seed_articles * 4)]
        with pytest.raises(CacheWriteError) as err:
            cache.put_many(big)
        assert err.value.errno == 28  # ENOSPC
        assert len(cache) == 1  # the transaction rolled back, the cache kept
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_damaged_cache_is_moved_aside_once(seed_articles, tmp_path: Path) -> None:
    codebook = load_codebook()
    db = tmp_path / extraction_cache.CACHE_FILE
    for _ in range(3):
        extract_incremental(seed_articles[:1], codebook, tmp_path)
        for suffix in ("-wal", "-shm"):
            db.with_name(db.name + suffix).unlink(missing_ok=True)
        db.write_bytes(b"this is not a database" * 100)
        extract_incremental(seed_articles[:1], codebook, tmp_path)
    assert len(list(tmp_path.glob("*.corrupt-*"))) == 1


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    return done.returncode == 0


def test_full_disk_fails_cleanly_and_keeps_the_cache(seeds_copy: Path, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    if os.geteuid() != 0 or not _mount_tmpfs(disk, "3m"):
        pytest.skip("needs to mount a small tmpfs (root)")
    try:
        out = disk / "out"
        run_refresh(seeds_copy, out, batch_size=2, cached=True)
        cache = out / "cache" / extraction_cache.CACHE_FILE
        cache_bytes = cache.read_bytes()
        before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
        (seeds_copy / "zz_new.txt").write_text("Tỉnh đã có 99% hồ sơ công việc được xử lý trên mạng năm 2024. " * 40)
        filler = disk / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:  # fill the disk to the last byte
            for size in (1 << 16, 4096, 512, 1):
                try:
                    while True:
                        os.write(fd, b"\0" * size)
                except OSError:
                    pass
        finally:
            os.close(fd)
        env = dict(os.environ, PYTHONPATH=str(Path(store.__file__).parents[2]))
        cli = [sys.executable, "-m", "dxdata.cli", "refresh", "--no-prefect", "--processes", "1"]
        for _ in range(2):  # twice: nothing piles up
            done = subprocess.run(
                [*cli, "--raw-dir", str(seeds_copy), "--out-dir", str(out), "--batch-size", "2"],
                capture_output=True, text=True, timeout=300, env=env,
            )  # fmt: skip
            assert done.returncode == 1, done.stderr
            assert "disk is full" in done.stderr and "Traceback" not in done.stderr
        after = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
        assert [p for p in after if p not in before and not p.startswith("cache/")] == []  # nothing left behind
        assert not list(out.rglob("*.corrupt-*"))
        assert cache.is_file() and len(cache.read_bytes()) >= len(cache_bytes) // 2
        assert store.latest_version(out) == "v0001" and store.verify("v0001", out) == []
        filler.unlink()
        assert run_refresh(seeds_copy, out, batch_size=2, cached=True).version == "v0002"
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
