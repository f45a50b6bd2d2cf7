"""Incremental extraction: re-extract only the articles that are new or changed since the last refresh.

The cache is one SQLite file, ``<out_dir>/cache/extraction.sqlite``. A row holds one article's
`ExtractionResult` (zlib-compressed JSON: plain data, never pickle or anything that can run code) under
two keys:

* ``article_key`` -- the article as extraction sees it: ``article_id`` (the hash of the normalized
  text) plus every other field of the `Article` that extraction can read (title, dates, publisher,
  url, format, encoding, ...). ``source_file`` is left out: a renamed file is a hit, and its rows get
  the new file name.
* ``version`` -- the *extraction fingerprint* (`extraction_fingerprint`): the codebook's fingerprint plus
  a hash of the source of the extraction modules (`EXTRACTION_MODULES`) and the packaged data they read
  (the gazetteer). Editing a cue in ``schemas/*.yaml`` or a line of ``dxdata/extract/`` makes every cached
  row a miss.

Why SQLite: a lookup of 50,000 keys is a few indexed queries; every write is a transaction, so a
process killed mid-write leaves the previous rows intact (the journal is rolled back on next open);
two refreshes writing at once are serialized by SQLite's own lock (``busy_timeout``). If the file is
damaged (SQLite says corrupt, or not a database) it is moved aside (one copy is kept, older ones are
removed) and rebuilt: it is only a cache. A write error (a full disk, a read-only folder, an I/O error) is
not damage: it is raised as an `OSError` (`CacheWriteError`) and the cache file is left as it is.

    results, stats = extract_incremental(articles, codebook, out_dir / "cache")
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import dxdata
import dxdata.extract  # noqa: F401 - load the extraction code before hashing it (extraction_code_fingerprint)
from dxdata.codebook import Codebook
from dxdata.extract.batches import Extractor, extract_batches
from dxdata.extract.payload import FORMAT, decode_result, encode_result
from dxdata.models import Article, ExtractionResult
from dxdata.pool import batches

log = logging.getLogger("dxdata.cache")

CACHE_DIR = "cache"
CACHE_FILE = "extraction.sqlite"
# The code that decides what extraction returns (the `extract` subpackage, every module of it), and the
# records its results are stored as.
EXTRACTION_MODULES = ("extract", "codebook.py", "text.py", "models.py", "data/gazetteer.csv")
_LOOKUP_CHUNK = 900  # keys per `IN (...)` query: under SQLite's default variable limit
_BUSY_TIMEOUT_S = 600.0


# --------------------------------------------------------------------------------------------- keys


_code_fingerprint: str | None = None


def extraction_code_fingerprint() -> str:
    """Hash of the extraction modules' source and the package data they read (16 hex chars).

    Computed once per process, when this module is imported, right after the extraction modules, so that it
    describes the code this process runs even if the files are edited while it runs.
    """
    global _code_fingerprint
    if _code_fingerprint is None:
        _code_fingerprint = _hash_extraction_code()
    return _code_fingerprint


def _hash_extraction_code() -> str:
    return hash_package_files(f"format {FORMAT}", EXTRACTION_MODULES)


def hash_package_files(header: str, names: Sequence[str]) -> str:
    """sha256 (16 hex chars) of `header` and the package's files and folders `names` (paths and bytes)."""
    pkg = Path(dxdata.__file__).resolve().parent
    h = hashlib.sha256(f"{header}\n".encode())
    for name in names:
        path = pkg / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for source in files if path.is_dir() else [path]:
            h.update(source.relative_to(pkg).as_posix().encode() + b"\0")
            h.update(source.read_bytes() if source.is_file() else b"<missing>")
            h.update(b"\0")
    return h.hexdigest()[:16]


extraction_code_fingerprint()  # now, while the loaded extraction code and the files on disk agree


def extraction_fingerprint(codebook: Codebook) -> str:
    """What a cached row must carry to be used: the codebook's fingerprint and the extraction code's."""
    return f"{codebook.fingerprint[:16]}:{extraction_code_fingerprint()}"


_KEY_FIELDS = tuple(f.name for f in fields(Article) if f.name not in ("text", "source_file"))


def article_key(article: Article) -> str:
    """What extraction sees of an article, as a key: the text's hash and every other field but the name."""
    parts = [f"{name}={getattr(article, name)!r}" for name in _KEY_FIELDS]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


_dump, _load = encode_result, decode_result


def _renamed(result: ExtractionResult, source_file: str) -> ExtractionResult:
    """The cached result of the same article under another file name."""
    if all(o.source_file == source_file for o in result.observations) and all(
        m.source_file == source_file for m in result.mentions
    ):
        return result
    return ExtractionResult(
        observations=[replace(o, source_file=source_file) for o in result.observations],
        mentions=[replace(m, source_file=source_file) for m in result.mentions],
    )


# --------------------------------------------------------------------------------------------- the cache

_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26
_LOW_SPACE = 4 << 20  # bytes free under which an I/O error of the cache is taken for a full disk
_SQLITE_ERRNO = {13: errno.ENOSPC, 8: errno.EROFS, 3: errno.EACCES, 23: errno.EACCES, 10: errno.EIO, 14: errno.EIO}


class CacheWriteError(OSError):
    """The cache could not be read or written for a reason other than damage (full disk, permissions)."""


def _is_damage(err: sqlite3.DatabaseError) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(err).lower()
    return "malformed" in text or "not a database" in text


def _write_error(err: sqlite3.DatabaseError, path: Path) -> CacheWriteError:
    code = getattr(err, "sqlite_errorcode", None)
    number = _SQLITE_ERRNO.get(code & 0xFF, errno.EIO) if code is not None else errno.EIO
    if number == errno.EIO:  # SQLite says "disk I/O error" when it cannot grow its journal on a full disk
        with contextlib.suppress(OSError):
            if shutil.disk_usage(path.parent).free < _LOW_SPACE:
                number = errno.ENOSPC
    return CacheWriteError(number, f"the extraction cache could not be written ({err})", str(path))


class ExtractionCache:
    """The SQLite cache of extraction results under `cache_dir` (created). Use as a context manager."""

    def __init__(self, cache_dir: Path | str, fingerprint: str) -> None:
        self.cache_dir = Path(cache_dir)
        self.path = self.cache_dir / CACHE_FILE
        self.fingerprint = fingerprint  # the extraction fingerprint (the table's `version` column)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self._conn = self._open()

    # -- opening, and recovering from an unreadable file

    def _connect(self) -> sqlite3.Connection:
        """Open (and create) the file. Switching a new file to WAL takes a lock that SQLite does not wait
        for (no busy handler), so two processes opening a new cache at once retry for a while."""
        deadline = time.monotonic() + 60
        delay = 0.05
        while True:
            try:
                return self._connect_once()
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(1.0, delay * 2)

    def _connect_once(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                conn.close()
                raise
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS extraction ("
            " article_key TEXT NOT NULL, version TEXT NOT NULL, payload BLOB NOT NULL,"
            " PRIMARY KEY (article_key, version)) WITHOUT ROWID"
        )
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            conn = self._connect()
            conn.execute("SELECT count(*) FROM (SELECT 1 FROM extraction LIMIT 1)").fetchone()
            return conn
        except sqlite3.DatabaseError as err:
            self._recover(err)
            return self._conn

    def _reset(self, err: Exception) -> sqlite3.Connection:
        """Move an unreadable cache file aside and start an empty one (everything is re-extracted)."""
        with contextlib.suppress(Exception):
            self._conn.close()
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        log.warning("cache: %s is unreadable (%s); moved to %s, starting an empty cache", self.path, err, aside)
        for old in self.path.parent.glob(f"{self.path.name}.corrupt-*"):  # one copy aside is enough
            with contextlib.suppress(OSError):
                old.unlink()
        with contextlib.suppress(FileNotFoundError):
            self.path.replace(aside)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                self.path.with_name(self.path.name + suffix).unlink()
        return self._connect()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.close()

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading and writing

    def get_many(self, keys: Iterable[str]) -> dict[str, ExtractionResult]:
        """The cached results of those keys that are in the cache (unreadable rows count as misses)."""
        keys = list(dict.fromkeys(keys))
        try:
            return self._get_many(keys)
        except sqlite3.DatabaseError as err:
            self._recover(err)
            return {}

    def _recover(self, err: sqlite3.DatabaseError) -> None:
        """After a failed query: a lock wait or a write error is raised again; a damaged file is moved aside and
        the cache starts empty (the caller then answers as an empty cache would)."""
        if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
            raise err
        if not _is_damage(err):
            raise _write_error(err, self.path) from err
        self._conn = self._reset(err)

    def _get_many(self, keys: list[str]) -> dict[str, ExtractionResult]:
        found: dict[str, ExtractionResult] = {}
        for i in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[i : i + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT article_key, payload FROM extraction WHERE version = ? AND article_key IN ({marks})",
                [self.fingerprint, *chunk],
            ).fetchall()
            for key, blob in rows:
                try:
                    found[key] = _load(blob)
                except Exception as err:  # a row from an incompatible build: re-extract that article
                    log.warning("cache: dropping unreadable entry %s (%s)", key, err)
        return found

    def put_many(self, items: Iterable[tuple[str, ExtractionResult]]) -> int:
        """Store results in one transaction (all or nothing); returns how many were written."""
        rows = [(key, self.fingerprint, _dump(result)) for key, result in items]
        if not rows:
            return 0

        def insert(conn: sqlite3.Connection) -> int:
            conn.executemany("INSERT OR REPLACE INTO extraction (article_key, version, payload) VALUES (?, ?, ?)", rows)
            return len(rows)

        return self._transaction(insert)

    def prune(self, keep: Iterable[str] | None = None) -> int:
        """Delete rows of other fingerprints, and (if `keep` is given) of articles not in `keep`."""

        def delete(conn: sqlite3.Connection) -> int:
            n = conn.execute("DELETE FROM extraction WHERE version <> ?", [self.fingerprint]).rowcount
            if keep is not None:
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep_keys (k TEXT PRIMARY KEY)")
                conn.execute("DELETE FROM keep_keys")
                conn.executemany("INSERT OR IGNORE INTO keep_keys VALUES (?)", ((k,) for k in keep))
                n += conn.execute("DELETE FROM extraction WHERE article_key NOT IN (SELECT k FROM keep_keys)").rowcount
                conn.execute("DELETE FROM keep_keys")
            return n

        n = self._transaction(delete)
        if n:
            log.info("cache: pruned %d stale entries", n)
        return n

    def _transaction(self, work: Callable[[sqlite3.Connection], int]) -> int:
        """Run `work` in one write transaction (all or nothing). A damaged file is moved aside and rebuilt
        (returns 0); a lock held too long by another process raises."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                n = work(self._conn)
                self._conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as err:
            self._recover(err)
            return 0
        return n

    def __len__(self) -> int:
        return int(
            self._conn.execute("SELECT count(*) FROM extraction WHERE version = ?", [self.fingerprint]).fetchone()[0]
        )


# --------------------------------------------------------------------------------------------- planning


@dataclass
class IncrementalStats:
    """How an incremental extraction went (for logs, the run summary and benchmarks)."""

    articles: int = 0
    hits: int = 0
    misses: int = 0
    written: int = 0
    pruned: int = 0
    seconds_lookup: float = 0.0
    seconds_extract: float = 0.0
    seconds_store: float = 0.0
    fingerprint: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Plan:
    """The split of a corpus into cache hits and the articles still to extract."""

    keys: list[str]
    cached: dict[int, ExtractionResult]  # article index -> result from the cache
    missing: list[int]  # article indexes to extract, in corpus order


def plan(articles: Sequence[Article], cache: ExtractionCache) -> Plan:
    keys = [article_key(a) for a in articles]
    found = cache.get_many(keys)
    cached: dict[int, ExtractionResult] = {}
    missing: list[int] = []
    for i, (a, key) in enumerate(zip(articles, keys, strict=True)):
        hit = found.get(key)
        if hit is None:
            missing.append(i)
        else:
            cached[i] = _renamed(hit, a.source_file)
    return Plan(keys, cached, missing)


def extract_incremental(
    articles: Sequence[Article],
    codebook: Codebook,
    cache_dir: Path | str,
    *,
    batch_size: int = 500,
    extractor: Extractor | None = None,
    on_batch: Callable[[int, int], None] | None = None,
    prune: bool = True,
) -> tuple[list[ExtractionResult], IncrementalStats]:
    """Results for every article (in order), extracting only cache misses, batch by batch.

    Each extracted batch is written to the cache in its own transaction as soon as it is done, so a
    run that dies half-way keeps what it finished. `on_batch(done, total)` is called after each batch
    (progress bars). With `prune`, rows of other extraction fingerprints and of articles no longer in
    the corpus are deleted at the end.
    """
    stats = IncrementalStats(articles=len(articles), fingerprint=extraction_fingerprint(codebook))
    with ExtractionCache(cache_dir, stats.fingerprint) as cache:
        t0 = time.perf_counter()
        p = plan(articles, cache)
        stats.seconds_lookup = time.perf_counter() - t0
        stats.hits, stats.misses = len(p.cached), len(p.missing)
        results: list[ExtractionResult | None] = [p.cached.get(i) for i in range(len(articles))]
        todo = list(batches(p.missing, batch_size))
        if on_batch:
            on_batch(0, len(todo))

        def keep(n: int, batch_results: list[ExtractionResult]) -> None:
            t = time.perf_counter()
            idx = todo[n]
            stats.written += cache.put_many(
                (p.keys[i], r) for i, r in zip(idx, batch_results, strict=True) if r is not None
            )  # None: the extractor gave up on that article (its time budget), which is not cached
            stats.seconds_store += time.perf_counter() - t
            for i, r in zip(idx, batch_results, strict=True):
                results[i] = r
            if on_batch:
                on_batch(n + 1, len(todo))

        t1 = time.perf_counter()
        extract_batches([[articles[i] for i in idx] for idx in todo], codebook, on_result=keep, extractor=extractor)
        stats.seconds_extract = time.perf_counter() - t1 - stats.seconds_store
        if prune:
            stats.pruned = cache.prune(keep=p.keys)
    log.info(
        "extract: %d articles, %d from the cache, %d extracted (lookup %.1f s, extract %.1f s, store %.1f s)",
        stats.articles,
        stats.hits,
        stats.misses,
        stats.seconds_lookup,
        stats.seconds_extract,
        stats.seconds_store,
    )
    return [r for r in results if r is not None], stats


# --------------------------------------------------------------------------------------------- ingest code

# The ingest code, and the data it reads (publisher names by web domain)
INGEST_MODULES = ("ingest", "text.py", "models.py", "data/publisher_domains.csv")


def ingest_code_fingerprint() -> str:
    """Hash of the ingest code (16 hex chars): reading a file again gives the same article while it holds."""
    return hash_package_files(f"ingest format {FORMAT}", INGEST_MODULES)


# --------------------------------------------------------------------------------------------- layout


def cache_dir_for(out_dir: Path | str) -> Path:
    return Path(out_dir) / CACHE_DIR
