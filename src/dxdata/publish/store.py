"""Publish the tables as an immutable, versioned Parquet dataset, and load them back.

Layout under the output folder (``data/processed`` by default)::

    LATEST                          # text file holding the current version id, e.g. "v0002"
    current -> versions/v0002       # symbolic link to that version's folder, switched with LATEST
    .lock                           # filelock held while a publish runs
    versions/v0001/<table>.parquet  # one file per table
    versions/v0001/manifest.json    # what the version is and what it was built from
    versions/v0002/...

Guarantees:

* Deterministic bytes: each table is sorted (its sort keys, then every other column as a tie-break),
  converted with ``pa.Table.from_pandas(df, preserve_index=False)``, cast to a fixed Arrow schema
  (`arrow_schema`: the declared types of dxdata.tables, ``string`` for other text; no pandas metadata)
  and written with fixed ``pq.write_table`` settings. The same frame always gives the same bytes (with the
  same pyarrow version, which is named in the file footer).
* ``content_hash`` is the sha256 over the table names and each table file's sha256; a publish whose
  content hash equals the latest version's publishes nothing.
* Atomic: a version is written into ``versions/.tmp-<random>/``, fsynced, renamed into place, and only
  then is ``LATEST`` replaced (temp file + ``os.replace``). A crash at any point leaves the previous
  version and ``LATEST`` intact; leftover ``.tmp-*`` folders are ignored and removed by the next publish.
  Existing version folders are never rewritten.
* Immutable versions: every file of a published version is write-protected (mode 0444) when it is
  committed. A part reused by the next version is hard-linked (shared, not copied), and only after its
  size and sha256 match the manifest that names it: a damaged part is rebuilt, never linked.
* Checked reads: `load` checks the size and sha256 of every file it reads against the manifest
  (``verify=False`` skips it) and raises `StoreError` naming a damaged file; `verify` checks a whole
  version. Paths and table names read from a manifest or from ``LATEST`` must stay inside their folder.
* A damaged latest version (unreadable manifest) is skipped by the next publish, which builds on the
  newest version that verifies, and says so.
* One publisher at a time: ``publish`` holds ``filelock.FileLock(out_dir / ".lock")``.
* ``current`` is a relative symbolic link to the latest version's folder (``versions/v0002``), replaced
  by rename right after ``LATEST`` (and repaired by the next publish if a crash fell between the two),
  for tools that read paths: ``current/observations/*.parquet`` is always one complete version.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import filelock
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dxdata.tables import declared

log = logging.getLogger("dxdata.store")

DEFAULT_ROOT = "data/processed"
ROOT_ENV = "DXDATA_ROOT"
LATEST_FILE = "LATEST"
# A symbolic link beside LATEST to the latest version's folder (`current -> versions/v0003`), switched with it,
# for tools that read paths (DuckDB, polars, R). Not "latest": it would be LATEST on a case-blind file system.
CURRENT_LINK = "current"
LOCK_FILE = ".lock"
VERSIONS_DIR = "versions"
MANIFEST_FILE = "manifest.json"
TMP_PREFIX = ".tmp-"
MANIFEST_FORMAT = 1

# Fixed writer settings: part of what makes the bytes reproducible. Changing any of them changes every
# file's sha256 and so the content hash (the next publish then makes a new version).
PARQUET_SETTINGS: dict = {
    "compression": "zstd",
    "compression_level": 9,
    "version": "2.6",
    "data_page_version": "1.0",
    "use_dictionary": True,
    "write_statistics": True,
    "row_group_size": 1_000_000,
    "store_schema": True,
}

# The Arrow type each kind of declared column (dxdata.tables) is written with.
ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "code": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}

_VERSION_RE = re.compile(r"^v(\d{4,})$")
READ_ONLY = 0o444  # the mode of every published file
_TABLE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class StoreError(Exception):
    """A dataset cannot be published or loaded; the message says why and what to do."""


@dataclass(frozen=True)
class PublishResult:
    """What `publish` did.

    ``changed`` is True when a new version was published (or a complete version left behind by an
    interrupted publish was made the latest); ``version`` and ``path`` then name it. When nothing
    changed they name the existing latest version.
    """

    version: str | None
    changed: bool
    path: Path | None
    row_counts: dict[str, int] = field(default_factory=dict)
    content_hash: str = ""


# --------------------------------------------------------------------------------------------- writing


def _plain_type(typ: pa.DataType) -> pa.DataType:
    """The type an undeclared column is written with: its own, dictionaries decoded, text as ``string``."""
    if pa.types.is_dictionary(typ):
        return _plain_type(typ.value_type)
    if pa.types.is_null(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
        return pa.string()
    if pa.types.is_large_binary(typ) or pa.types.is_binary_view(typ):
        return pa.binary()
    return typ


def arrow_schema(name: str, schema: pa.Schema) -> pa.Schema:
    """The schema table `name` is written with: every declared column (dxdata.tables) in its declared type,
    whatever pandas dtype it came from, so that an empty table and a full one write the same schema; any
    other column in `_plain_type`. Fields stay nullable (the declaration's empty values are checked by
    validation, not by the Parquet schema)."""
    return pa.schema(
        [
            pa.field(f.name, ARROW_TYPES[col.kind] if (col := declared(name, f.name)) else _plain_type(f.type))
            for f in schema
        ]
    )


def _cast(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` in `schema`. A column that holds no value (an empty table, or a missing column pandas filled
    with NaN) becomes nulls of its type: the type pandas gave it may not cast (float64 to date32)."""
    n = table.num_rows
    columns = [
        pa.nulls(n, f.type) if col.null_count == n and col.type != f.type else col
        for col, f in zip(table.columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(columns, names=table.column_names).cast(schema)


def _sorted_frame(df: pd.DataFrame, keys: Sequence[str] | None, name: str) -> pd.DataFrame:
    """Rows in a fixed order: the sort keys first, the remaining columns as a tie-break."""
    df = df.reset_index(drop=True)
    cols = [str(c) for c in df.columns]
    if len(set(cols)) != len(cols):
        raise StoreError(f"table {name!r} has duplicate column names: {cols}")
    df.columns = cols
    keys = list(keys) if keys else []
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise StoreError(f"sort keys {missing} of table {name!r} are not columns (columns: {', '.join(cols)})")
    by = keys + [c for c in df.columns if c not in keys]
    if df.empty or not by:
        return df
    # Categoricals sort by their category order, which can differ between equal frames: use the values.
    df = df.assign(**{c: df[c].astype(object) for c in cols if isinstance(df[c].dtype, pd.CategoricalDtype)})
    if keys and not df.duplicated(subset=keys).any():
        by = keys  # every row has its own key: the other columns could not change the order, only slow it
    try:
        return df.sort_values(by=by, kind="mergesort", na_position="last").reset_index(drop=True)
    except TypeError:
        # Some column holds values that do not order (mixed types, dicts): sort on the keys alone, with a
        # stable sort, which gives a fixed order as long as the input order is fixed.
        log.warning("store: table %r cannot be sorted on all columns; using its sort keys %s only", name, keys)
        if not keys:
            return df.reset_index(drop=True)
        return df.sort_values(by=keys, kind="mergesort", na_position="last").reset_index(drop=True)


def to_arrow(df: pd.DataFrame, sort_keys: Sequence[str] | None = None, *, name: str = "table") -> pa.Table:
    """The Arrow table that is written for `df`: sorted, index dropped, fixed schema, no pandas metadata."""
    frame = _sorted_frame(df, sort_keys, name)
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        return _cast(table, arrow_schema(name, table.schema)).replace_schema_metadata(None)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
        raise StoreError(f"table {name!r} cannot be written as Parquet: {err}") from err


def _sort_options(keys: Sequence[str]) -> dict:
    """Ascending, nulls last, for every key: per key from pyarrow 25 (which deprecates `null_placement` in
    SortOptions with a FutureWarning), as one option before it (where a key takes no placement)."""
    if int(pa.__version__.split(".")[0]) >= 25:
        return {"sort_keys": [(k, "ascending", "at_end") for k in keys]}
    return {"sort_keys": [(k, "ascending") for k in keys], "null_placement": "at_end"}


def sorted_arrow(table: pa.Table, keys: Sequence[str], *, name: str = "table") -> pa.Table | None:
    """`table` in the order `to_arrow` gives, without a trip through pandas: possible when `keys` are
    unique (then they alone decide the order); None when they are not."""
    if not keys or table.num_rows == 0:
        return None
    if table.group_by(list(keys)).aggregate([]).num_rows != table.num_rows:
        return None
    order = pc.sort_indices(table, **_sort_options(keys))
    return _cast(table.take(order), arrow_schema(name, table.schema)).replace_schema_metadata(None)


def write_parquet(
    df: pd.DataFrame | pa.Table, path: Path, sort_keys: Sequence[str] | None = None, *, name: str | None = None
) -> str:
    """Write `df` (a DataFrame, or an Arrow table with unique sort keys) to `path` with the fixed settings,
    fsync it, and return the file's sha256."""
    table = sorted_arrow(df, sort_keys or [], name=name or path.stem) if isinstance(df, pa.Table) else None
    if table is None:
        table = to_arrow(
            df.to_pandas(date_as_object=True) if isinstance(df, pa.Table) else df, sort_keys, name=name or path.stem
        )
    with open(path, "wb") as f:
        pq.write_table(table, f, **PARQUET_SETTINGS)
        f.flush()
        os.fsync(f.fileno())
    return sha256_file(path)


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def content_hash(table_hashes: Mapping[str, str]) -> str:
    """sha256 over the table names and the sha256 of each table's Parquet file (order-independent)."""
    h = hashlib.sha256()
    for name in sorted(table_hashes):
        h.update(f"{name}\0{table_hashes[name]}\n".encode())
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    """Make a rename or new entry in `path` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _write_text_durable(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _utc_iso(now: datetime | None) -> str:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _version_id(n: int) -> str:
    return f"v{n:04d}"


def _next_version(versions_dir: Path) -> str:
    """One past the highest version-named folder, complete or not: an existing folder is never reused."""
    numbers = [int(m.group(1)) for p in versions_dir.iterdir() if (m := _VERSION_RE.match(p.name))]
    return _version_id(max(numbers, default=0) + 1)


def _clean_leftovers(out_dir: Path) -> None:
    """Remove temp folders and files left by publishes that crashed (only called under the lock)."""
    vdir = out_dir / VERSIONS_DIR
    if vdir.is_dir():
        for p in vdir.iterdir():
            if p.name.startswith(TMP_PREFIX):
                log.warning("store: removing %s left by an interrupted publish", p)
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    for pattern in (f".{LATEST_FILE}{TMP_PREFIX}*", f".{CURRENT_LINK}{TMP_PREFIX}*"):
        for p in out_dir.glob(pattern):
            p.unlink(missing_ok=True)


def _write_latest(out_dir: Path, version: str) -> None:
    tmp = out_dir / f".{LATEST_FILE}{TMP_PREFIX}{secrets.token_hex(6)}"
    _write_text_durable(tmp, version + "\n")
    os.replace(tmp, out_dir / LATEST_FILE)
    _switch_current_link(out_dir, version)
    _fsync_dir(out_dir)


def _current_link_target(version: str) -> str:
    return f"{VERSIONS_DIR}/{version}"


def _switch_current_link(out_dir: Path, version: str) -> None:
    """Point `current` at the version's folder: a new relative link renamed over the old one (atomic on
    POSIX, so a reader sees the old version or the new one, never no link). Where links cannot be made
    (some Windows set-ups) a warning, and readers use LATEST."""
    link = out_dir / CURRENT_LINK
    target = _current_link_target(version)
    if link.is_symlink() and os.readlink(link) == target:
        return
    if link.exists() and not link.is_symlink():
        log.warning("store: %s is not a link; not replacing it (LATEST names %s)", link, version)
        return
    tmp = out_dir / f".{CURRENT_LINK}{TMP_PREFIX}{secrets.token_hex(6)}"
    try:
        os.symlink(target, tmp, target_is_directory=True)
        os.replace(tmp, link)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        log.warning("store: cannot link %s to %s (%s); LATEST names the version", link, target, err)


def publish(
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    *,
    sources: list[dict],
    sort_keys: dict[str, list[str]] | None = None,
    code_version: str = "",
    now: datetime | None = None,
    lock_timeout: float = 600,
) -> PublishResult:
    """Publish `tables` as a new version under `out_dir` if their content differs from the latest.

    `sources` (the raw files the tables were built from, with their sha256) and `code_version` go into
    the manifest; `now` fixes its `created` time (UTC). Raises `StoreError` when another publish holds
    the lock for longer than `lock_timeout` seconds, or when a table cannot be written.
    """
    if not tables:
        raise StoreError("nothing to publish: no tables given")
    bad = [n for n in tables if not _TABLE_RE.match(n) or n == Path(MANIFEST_FILE).stem]
    if bad:
        raise StoreError(f"invalid table names {bad}: use letters, digits, '_', '-', '.'")
    sort_keys = sort_keys or {}
    with VersionWriter(out_dir, lock_timeout=lock_timeout) as writer:
        for name, df in tables.items():
            writer.write_table(name, df, sort_keys.get(name))
        return writer.commit(sources=sources, code_version=code_version, now=now)


@dataclass(frozen=True)
class Part:
    """One Parquet file of a partitioned table: the rows one chunk of articles gave."""

    file: str  # path relative to the version folder, e.g. "observations/part-00003-1f2e....parquet"
    chunk: str  # the chunk's key: the same chunk of the same input under the same code gives the same file
    rows: int
    bytes: int
    sha256: str


def part_file(table: str, index: int, chunk: str) -> str:
    return f"{table}/part-{index:05d}-{chunk[:16]}.parquet"


def write_part(
    staging: Path | str, table: str, index: int, chunk: str, df: pd.DataFrame, sort_keys: Sequence[str] | None
) -> Part:
    """Write one part of a partitioned table into a staging folder (any process may call this).

    An empty frame writes no file (its `Part` has ``rows == 0`` and no file name).
    """
    _check_table_name(table)
    if df.empty:
        return Part("", chunk, 0, 0, "")
    rel = part_file(table, index, chunk)
    path = Path(staging) / rel
    path.parent.mkdir(exist_ok=True)
    path.unlink(missing_ok=True)  # never write through a hard link into a published version's file
    digest = write_parquet(df, path, sort_keys, name=table)
    return Part(rel, chunk, int(pq.read_metadata(path).num_rows), path.stat().st_size, digest)


def _check_table_name(name: str) -> None:
    if not _TABLE_RE.match(name) or name == Path(MANIFEST_FILE).stem:
        raise StoreError(f"invalid table name {name!r}: use letters, digits, '_', '-', '.'")


class VersionWriter:
    """Write one version under the store's lock: whole tables, or tables in parts; then `commit`.

    ::

        with VersionWriter(out_dir) as writer:              # takes the lock, makes versions/.tmp-*
            part = writer.reuse_part("observations", i, key) # hard link from the latest version, or None
            part = part or write_part(writer.staging, "observations", i, key, df, keys)
            writer.add_parts("observations", [part, ...], keys)
            writer.write_table("series", series_df, keys)
            result = writer.commit(sources=..., code_version=...)

    Leaving the block without `commit` (an error, a kill) removes the staging folder; the latest
    version and ``LATEST`` are untouched. Parts of a table are read back in the order given to
    `add_parts`, so the parts of sorted chunks make one sorted table.
    """

    def __init__(self, out_dir: Path | str, *, lock_timeout: float = 600) -> None:
        self.out_dir = Path(out_dir)
        self.lock_timeout = lock_timeout
        self._lock = filelock.FileLock(self.out_dir / LOCK_FILE, timeout=lock_timeout)
        self._entries: dict[str, dict] = {}
        self._hashes: dict[str, str] = {}
        self._previous_parts: dict[tuple[str, str], dict] = {}
        self.previous: str | None = None
        self.previous_sources: dict[str, dict] = {}  # the latest version's raw-file records, by file
        self.previous_manifest: dict = {}
        self.staging = Path()
        self._checked: dict[str, str | None] = {}  # file of the latest version -> problem found (None: good)
        self.damaged: list[str] = []  # files of the latest version found damaged (not reused)
        self.skipped: list[str] = []  # newer versions passed over because their manifest is unreadable

    def __enter__(self) -> VersionWriter:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise StoreError(
                f"another refresh is publishing to {self.out_dir} (lock {self.out_dir / LOCK_FILE} still held "
                f"after {self.lock_timeout:g} s); wait for it to finish and run again"
            ) from None
        try:
            vdir = self.out_dir / VERSIONS_DIR
            vdir.mkdir(exist_ok=True)
            _clean_leftovers(self.out_dir)
            self.previous, previous, self.skipped = _latest_for_publish(self.out_dir)
            if self.previous is not None:
                self.previous_manifest = previous
                self.previous_sources = {r["source_file"]: r for r in previous.get("sources", [])}
                for name, entry in previous.get("tables", {}).items():
                    for part in entry.get("parts", []):
                        self._previous_parts[(name, part["chunk"])] = part
                    for chunk in entry.get("empty_chunks", []):
                        self._previous_parts[(name, chunk)] = asdict(Part("", chunk, 0, 0, ""))
            self.staging = vdir / f"{TMP_PREFIX}{secrets.token_hex(8)}"
            self.staging.mkdir()
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.staging.name.startswith(TMP_PREFIX):
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._lock.release()

    # ---- tables

    def write_table(self, name: str, df: pd.DataFrame | pa.Table, sort_keys: Sequence[str] | None = None) -> None:
        """A table as one Parquet file, ``<name>.parquet``."""
        _check_table_name(name)
        path = self.staging / f"{name}.parquet"
        digest = write_parquet(df, path, sort_keys, name=name)
        meta = pq.read_metadata(path)
        self._hashes[name] = digest
        self._entries[name] = {
            "file": path.name,
            "rows": int(meta.num_rows),
            "bytes": path.stat().st_size,
            "sha256": digest,
            "sort_keys": list(sort_keys or []),
            "columns": _columns(meta),
        }

    def has_part(self, table: str, chunk: str) -> bool:
        """Whether the latest version holds the part of `table` for `chunk` (possibly an empty one)."""
        return (table, chunk) in self._previous_parts

    def previous_parts(self, table: str) -> dict[str, Path]:
        """The latest version's non-empty parts of `table`: chunk key -> file."""
        folder = self.out_dir / VERSIONS_DIR / str(self.previous)
        found = {}
        for (name, chunk), part in self._previous_parts.items():
            if name == table and part["rows"]:
                path = inside(folder, part["file"])
                if not self._part_ok(path, part):
                    raise StoreError(f"{self.previous}/{part['file']} is damaged")
                found[chunk] = path
        return found

    def previous_table(self, table: str) -> pa.Table | None:
        """A whole table of the latest version (None when there is none, or it lacks the table)."""
        entry = self.previous_manifest.get("tables", {}).get(table)
        if entry is None:
            return None
        folder = self.out_dir / VERSIONS_DIR / str(self.previous)
        try:
            files = [(inside(folder, rel), e) for rel, e in _file_entries(table, entry)]
        except StoreError:
            return None
        if not all(self._part_ok(path, e) for path, e in files):
            return None
        return read_arrow(folder, table, entry)

    def reuse_part(self, table: str, index: int, chunk: str) -> Part | None:
        """The latest version's part for `chunk`, hard-linked (or copied) into the staging folder, if it has one."""
        old = self._previous_parts.get((table, chunk))
        if old is None or self.previous is None:
            return None
        if not old["rows"]:
            return Part("", chunk, 0, 0, "")
        folder = self.out_dir / VERSIONS_DIR / self.previous
        try:
            src = inside(folder, old["file"])
        except StoreError as err:
            log.warning("store: not reusing a part of %s: %s", self.previous, err)
            return None
        if not self._part_ok(src, old):
            return None
        rel = part_file(table, index, chunk)
        dst = self.staging / rel
        dst.parent.mkdir(exist_ok=True)
        try:
            os.link(src, dst)  # checked above, and write-protected: sharing the file is safe
        except OSError:
            shutil.copyfile(src, dst)
        return Part(rel, chunk, int(old["rows"]), int(old["bytes"]), old["sha256"])

    def _part_ok(self, path: Path, entry: dict) -> bool:
        """Whether a file of the latest version matches its manifest entry (size, then sha256; each file
        hashed once per run). A file that does not is logged and not reused: its chunk is built again."""
        key = str(path)
        if key not in self._checked:
            problem = file_problem(path, entry.get("bytes"), entry.get("sha256"))
            self._checked[key] = problem
            if problem:
                self.damaged.append(f"{self.previous}/{entry.get('file')}: {problem}")
                log.warning(
                    "store: %s/%s %s: not reused, its chunk is built again", self.previous, entry.get("file"), problem
                )
        return self._checked[key] is None

    def add_parts(self, name: str, parts: Sequence[Part], sort_keys: Sequence[str] | None, empty: pd.DataFrame) -> None:
        """Register a partitioned table from its parts, in order; `empty` (a typed empty frame) gives the
        schema when there are no parts."""
        _check_table_name(name)
        empty_chunks = sorted({p.chunk for p in parts if not p.rows})
        parts = [p for p in parts if p.rows > 0]
        if not parts:  # one empty part, so that the table still has a file and a schema
            rel = part_file(name, 0, "empty")
            (self.staging / name).mkdir(exist_ok=True)
            digest = write_parquet(empty, self.staging / rel, sort_keys, name=name)
            parts = [Part(rel, "empty", 0, (self.staging / rel).stat().st_size, digest)]
        h = hashlib.sha256()
        for p in parts:
            h.update(f"{p.file.rsplit('/', 1)[-1][11:]}\0{p.sha256}\n".encode())  # name without the index
        self._hashes[name] = h.hexdigest()
        self._entries[name] = {
            "dir": name,
            "rows": sum(p.rows for p in parts),
            "bytes": sum(p.bytes for p in parts),
            "sha256": self._hashes[name],
            "sort_keys": list(sort_keys or []),
            "columns": _columns(pq.read_metadata(self.staging / parts[0].file)),
            "parts": [asdict(p) for p in parts],
            "empty_chunks": empty_chunks,  # chunks that gave no rows here (so that they can be reused too)
        }

    # ---- commit

    def commit(
        self, *, sources: list[dict], code_version: str = "", now: datetime | None = None, extra: dict | None = None
    ) -> PublishResult:
        """Publish what was written as the next version, unless it equals the latest (then nothing)."""
        if not self._entries:
            raise StoreError("nothing to publish: no tables given")
        vdir = self.out_dir / VERSIONS_DIR
        tmp, previous = self.staging, self.previous
        digest = content_hash(self._hashes)
        row_counts = {name: e["rows"] for name, e in self._entries.items()}

        if previous is not None and _manifest_at(vdir / previous).get("content_hash") == digest:
            if _read_pointer(self.out_dir) != previous:  # LATEST was broken: point it back at a real version
                _write_latest(self.out_dir, previous)
            else:  # a crash between LATEST and the link, or a dataset made before the link existed
                _switch_current_link(self.out_dir, previous)
            log.info("store: content unchanged since %s, nothing published", previous)
            return PublishResult(previous, False, vdir / previous, row_counts, digest)

        # A complete version newer than LATEST is left by a publish that crashed before moving LATEST;
        # when it holds exactly this content, point LATEST at it instead of publishing a copy.
        complete = versions(self.out_dir)
        head = complete[-1] if complete else None
        if head is not None and head != previous and _manifest_or_none(vdir / head).get("content_hash") == digest:
            _write_latest(self.out_dir, head)
            log.info("store: %s already holds this content; LATEST now points to it", head)
            return PublishResult(head, True, vdir / head, row_counts, digest)

        version = _next_version(vdir)
        manifest = {
            "format": MANIFEST_FORMAT,
            "version": version,
            "previous_version": previous,
            "created": _utc_iso(now),
            "code_version": code_version,
            "content_hash": digest,
            "parquet": dict(PARQUET_SETTINGS) | {"pyarrow": pa.__version__},
            "tables": self._entries,
            "sources": list(sources),
        } | (extra or {})
        _write_text_durable(tmp / MANIFEST_FILE, json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")
        _write_protect(tmp)
        for sub in tmp.iterdir():
            if sub.is_dir():
                _fsync_dir(sub)
        _fsync_dir(tmp)
        final = vdir / version
        if final.exists():  # never rewrite a version (rename would replace an empty folder on POSIX)
            raise StoreError(f"version folder {final} already exists; not overwriting it")
        os.rename(tmp, final)
        self.staging = final  # no longer ours to remove
        _fsync_dir(vdir)
        _write_latest(self.out_dir, version)
        log.info("store: published %s at %s (%s)", version, final, ", ".join(f"{n}={c}" for n, c in row_counts.items()))
        if self.skipped or self.damaged:
            log.warning(
                "store: %s was built on %s%s%s",
                version,
                previous,
                f", passing over {', '.join(self.skipped)} (manifest unreadable)" if self.skipped else "",
                f"; damaged parts rebuilt: {'; '.join(self.damaged[:5])}" if self.damaged else "",
            )
        return PublishResult(version, True, final, row_counts, digest)


def _columns(meta: pq.FileMetaData) -> list[dict]:
    return [{"name": f.name, "type": str(f.type)} for f in meta.schema.to_arrow_schema()]


def _latest_for_publish(out_dir: Path) -> tuple[str | None, dict, list[str]]:
    """The version a new one follows, its manifest, and the newer versions passed over.

    LATEST when it names a complete version with a readable manifest; else (LATEST broken, or its
    manifest truncated or edited into invalid JSON) the newest version whose manifest reads, with a
    warning that says so. Damaged files of that version are found as its parts are reused.
    """
    pointer = _read_pointer(out_dir)
    known = versions(out_dir)
    if pointer is None and not known:
        return None, {}, []
    candidates = ([pointer] if pointer in known else []) + [v for v in reversed(known) if v != pointer]
    if pointer is not None and pointer not in known:
        log.warning("store: LATEST names %r, which is not a complete version", pointer)
    skipped: list[str] = []
    for vid in candidates:
        try:
            manifest = _manifest_at(out_dir / VERSIONS_DIR / vid)
        except StoreError as err:
            log.warning("store: %s; passing over %s", err, vid)
            skipped.append(vid)
            continue
        if vid != pointer:
            log.warning("store: building on %s, the newest version whose manifest reads", vid)
        return vid, manifest, skipped
    log.warning("store: no version under %s has a readable manifest; starting afresh", out_dir)
    return None, {}, skipped


def _write_protect(folder: Path) -> None:
    """Make every file under `folder` read-only (mode 0444): a published version is never written again."""
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.chmod(READ_ONLY)


def inside(folder: Path, rel: str) -> Path:
    """`folder / rel`, refused (StoreError) unless it is a relative path that stays inside `folder`."""
    if not isinstance(rel, str) or not rel or "\0" in rel or Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise StoreError(f"manifest of {folder.name} names {rel!r}, which is not a file inside {folder}")
    path = folder / rel
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(Path(os.path.realpath(folder))):
        raise StoreError(f"manifest of {folder.name} names {rel!r}, which leads outside {folder}")
    return path


def file_problem(path: Path, size: int | None, digest: str | None) -> str | None:
    """What is wrong with a file against its manifest record (missing, size, sha256), or None."""
    try:
        actual = path.stat().st_size
    except OSError:
        return "missing"
    if size is not None and actual != int(size):
        return f"has {actual:,} bytes where the manifest says {int(size):,}"
    if sha256_file(path) != digest:
        return "sha256 differs from the manifest"
    return None


# --------------------------------------------------------------------------------------------- reading


def _is_dxdata_project(folder: Path) -> bool:
    """`folder` holds a pyproject.toml whose project is named dxdata."""
    import tomllib

    try:
        with open(folder / "pyproject.toml", "rb") as f:
            return tomllib.load(f).get("project", {}).get("name") == "dxdata"
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return False


def project_folder() -> Path | None:
    """The dxdata project the working folder is in: the nearest folder, the working folder or above it, that
    holds a ``pyproject.toml`` with ``name = "dxdata"`` or a ``data/processed`` folder (None: none)."""
    cwd = Path.cwd()
    return next((f for f in (cwd, *cwd.parents) if _is_dxdata_project(f) or (f / DEFAULT_ROOT).is_dir()), None)


def dataset_root(root: Path | str | None = None) -> Path:
    """The dataset folder readers use: `root` when given; else the environment variable ``DXDATA_ROOT``;
    else ``data/processed`` of the project found upward from the working folder (the nearest folder that
    holds a ``pyproject.toml`` with ``name = "dxdata"`` or a ``data/processed`` folder), so a notebook in
    ``notebooks/`` reads the project's data. `StoreError` saying where it looked when nothing is found."""
    if root is not None and str(root) != "":
        return Path(root)
    env = os.environ.get(ROOT_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    project = project_folder()
    if project is not None:
        return project / DEFAULT_ROOT
    cwd = Path.cwd()
    raise StoreError(
        f"no dataset folder found: no root was given, {ROOT_ENV} is not set, and neither {cwd} nor any folder "
        f'above it holds a dxdata project (pyproject.toml with name = "dxdata") or a {DEFAULT_ROOT} folder; '
        f"pass root=..., set {ROOT_ENV}, or run from inside the project"
    )


def _read_pointer(root: Path) -> str | None:
    """What LATEST names: a version id, or the raw text when it is not one (it then names no version)."""
    try:
        text = (root / LATEST_FILE).read_text(encoding="utf-8", errors="replace").strip()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "<LATEST is a folder>"
    return text[:100] or None


def _manifest_at(folder: Path) -> dict:
    """The manifest in `folder`; StoreError (naming it) when it cannot be read or is not a manifest."""
    path = folder / MANIFEST_FILE
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise StoreError(f"{path} is damaged (not valid JSON: {err})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables", {}), dict):
        raise StoreError(f"{path} is damaged (not a manifest)")
    for name in manifest.get("tables", {}):
        if not isinstance(name, str) or not _TABLE_RE.match(name) or name == Path(MANIFEST_FILE).stem:
            raise StoreError(f"{path} names a table {name!r}, which is not a valid table name")
    return manifest


def _manifest_or_none(folder: Path) -> dict:
    try:
        return _manifest_at(folder)
    except (StoreError, OSError):
        return {}


def versions(root: Path | str | None = None) -> list[str]:
    """Complete published version ids under `root` (folders holding a manifest), oldest first.

    `root` as `dataset_root` finds it when not given. Temp folders of running or crashed publishes are not
    listed. An empty list when nothing has been published yet (or `root` does not exist).
    """
    root = dataset_root(root)
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} is not a folder")
    vdir = root / VERSIONS_DIR
    if not vdir.is_dir():
        return []
    found = [
        (int(m.group(1)), p.name)
        for p in vdir.iterdir()
        if (m := _VERSION_RE.match(p.name)) and (p / MANIFEST_FILE).is_file()
    ]
    return [name for _, name in sorted(found)]


def latest_version(root: Path | str | None = None) -> str | None:
    """The version `LATEST` points to, or None when nothing has been published yet."""
    root = dataset_root(root)
    pointer = _read_pointer(root)
    if pointer is None:
        return None
    if not _VERSION_RE.match(pointer) or not (root / VERSIONS_DIR / pointer / MANIFEST_FILE).is_file():
        raise StoreError(
            f"{root / LATEST_FILE} points to {pointer!r}, which is not a complete version "
            f"(known: {', '.join(versions(root)) or 'none'}); run `dxdata refresh` to repair it"
        )
    return pointer


def _resolve(version: str, root: Path) -> str:
    known = versions(root)
    if version == "latest":
        latest = latest_version(root)
        if latest is None:
            raise StoreError(f"no dataset yet at {root} (run `dxdata refresh`)")
        return latest
    if not known and _read_pointer(root) is None:
        raise StoreError(f"no dataset yet at {root} (run `dxdata refresh`)")
    if version not in known:
        raise StoreError(f"unknown version {version!r} at {root} (known: {', '.join(known) or 'none'})")
    return version


def read_manifest(version: str = "latest", root: Path | str | None = None) -> dict:
    """The manifest of one version ("latest" or an id such as "v0001") as a dict."""
    root = dataset_root(root)
    return _manifest_at(root / VERSIONS_DIR / _resolve(version, root))


def load(
    table: str = "observations", version: str = "latest", root: Path | str | None = None, *, verify: bool = True
) -> pd.DataFrame:
    """One table of one published version as a DataFrame with fixed dtypes.

    `version` is "latest" (what `LATEST` points to) or a version id such as "v0001"; every published
    version stays readable. `root` as `dataset_root` finds it when not given. Column dtypes:

    * dates (Arrow ``date32``: ``period_start``, ``period_end``, ``published``, ``event_date``) ->
      ``datetime64[s]``, missing dates as ``NaT``;
    * code columns (declared as codes in `dxdata.tables`: ``indicator_code``, ``region_code``,
      ``region_code_2025``, ``body_code``, ``unit``, ``qualifier``, ``status``, ...) -> ``category``, sorted; the
      categories are the full sets, not only the values present: every unit, qualifier and status, and
      every code of the version's ``indicators``, ``bodies`` and ``regions`` tables (so a merge with a
      codebook table keeps the column categorical);
    * other text -> pandas' string dtype (``str`` in pandas 3), missing as NaN;
    * ``value``, ``denominator`` and other floating columns -> ``float64``; integer columns -> ``int64``.

    Rows are in the published order (the table's sort keys). Raises `StoreError` when there is no
    dataset at `root`, or the version or table is unknown, or (with `verify`, the default) a file of the
    table does not have the size and sha256 its manifest records; ``verify=False`` skips that check
    (it reads each file twice).
    """
    folder, entry = _table_entry(table, version, dataset_root(root))
    if verify:
        check_table_files(folder, table, entry)
    arrow = read_arrow(folder, table, entry)
    return _typed_frame(arrow, table, _category_sets(folder, table, arrow.schema.names, verify=verify))


def _category_sets(folder: Path, table: str, columns: Sequence[str], *, verify: bool = True) -> dict[str, set[str]]:
    """The full set of codes of each code column of `table` among `columns`, as declared (dxdata.tables): a
    fixed set, or the codes of the version's codebook table the column takes its codes from (a version
    without that table: the column's values only)."""
    sets: dict[str, set[str]] = {}
    wanted: dict[str, list[tuple[str, str]]] = {}  # codebook table -> [(column, its column of codes)]
    for name in columns:
        col = declared(table, name)
        if col is None or col.kind != "code":
            continue
        if col.category_set:
            sets[name] = set(col.category_set)
        elif col.codes:
            wanted.setdefault(col.codes[0], []).append((name, col.codes[1]))
    entries = _manifest_or_none(folder).get("tables", {}) if wanted else {}
    for codebook_name, cols in wanted.items():
        if codebook_name not in entries:
            continue
        try:
            if verify:
                check_table_files(folder, codebook_name, entries[codebook_name])
            sources = sorted({src for _, src in cols})
            codebook = read_arrow(folder, codebook_name, entries[codebook_name], columns=sources)
        except (OSError, pa.ArrowException, KeyError, StoreError):
            continue  # the codebook table is damaged or lacks the column: the values present will do
        for name, src in cols:
            sets[name] = {v for v in codebook.column(src).to_pylist() if v}
    return sets


def _file_entries(table: str, entry: dict) -> list[tuple[str, dict]]:
    """(path relative to the version folder, {bytes, sha256, file}) of each file of a table's entry."""
    if "parts" in entry:
        return [(p["file"], p) for p in entry["parts"]]
    rel = entry.get("file", f"{table}.parquet")
    return [(rel, {"file": rel, "bytes": entry.get("bytes"), "sha256": entry.get("sha256")})]


def check_table_files(folder: Path, table: str, entry: dict) -> None:
    """StoreError naming the first file of `table` that is missing or differs from the manifest."""
    for rel, e in _file_entries(table, entry):
        problem = file_problem(inside(folder, rel), e.get("bytes"), e.get("sha256"))
        if problem:
            raise StoreError(
                f"{folder / rel} {problem}: the file is damaged; `dxdata verify --all` lists what is, "
                "and the next `dxdata refresh` rebuilds it in a new version"
            )


def _table_entry(table: str, version: str, root: Path) -> tuple[Path, dict]:
    """The version's folder and the manifest entry of `table`; StoreError naming the tables if unknown."""
    vid = _resolve(version, root)
    folder = root / VERSIONS_DIR / vid
    entries = _manifest_at(folder).get("tables", {})
    if table not in entries:
        raise StoreError(f"unknown table {table!r} in {vid} (tables: {', '.join(sorted(entries))})")
    return folder, entries[table]


def table_files(table: str, entry: dict) -> list[tuple[str, str]]:
    """(path relative to the version folder, sha256) of every Parquet file of a table's manifest entry."""
    if "parts" in entry:
        return [(p["file"], p["sha256"]) for p in entry["parts"]]
    return [(entry.get("file", f"{table}.parquet"), entry["sha256"])]


def parquet_files(table: str, version: str = "latest", root: Path | str | None = None) -> list[Path]:
    """The Parquet file(s) of one table of a version, in order: for DuckDB, Polars, Spark or pyarrow.

    Large tables (``articles``, ``observations``, ``mentions``, ``rejects``) are stored in parts,
    one per chunk of articles; the others in one file. ``duckdb.read_parquet([str(p) for p in ...])``.
    `root` as `dataset_root` finds it when not given.
    """
    folder, entry = _table_entry(table, version, dataset_root(root))
    return [inside(folder, rel) for rel, _ in table_files(table, entry)]


def verify(version: str = "latest", root: Path | str | None = None) -> list[str]:
    """Files of a version that are missing, outside the version, or whose size or sha256 differ from the
    manifest; an unreadable manifest is one problem too (an empty list: all good)."""
    root = dataset_root(root)
    vid = _resolve(version, root)
    folder = root / VERSIONS_DIR / vid
    try:
        tables = _manifest_at(folder).get("tables", {})
    except StoreError as err:
        return [f"{vid}/{MANIFEST_FILE}: {err}"]
    problems = []
    for name, entry in tables.items():
        try:
            files = _file_entries(name, entry)
        except (KeyError, TypeError, AttributeError):
            problems.append(f"{vid}: table {name!r} has a damaged manifest entry")
            continue
        for rel, e in files:
            try:
                problem = file_problem(inside(folder, rel), e.get("bytes"), e.get("sha256"))
            except StoreError as err:
                problem = str(err)
            if problem:
                problems.append(f"{vid}/{rel}: {problem}")
    return problems


def read_arrow(folder: Path, table: str, entry: dict, columns: Sequence[str] | None = None) -> pa.Table:
    """Table `table` of the version in `folder` (its manifest `entry`), whole or from its parts, in order."""
    if "parts" in entry:
        parts = [pq.read_table(inside(folder, p["file"]), columns=columns) for p in entry["parts"]]
        return pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    return pq.read_table(inside(folder, entry.get("file", f"{table}.parquet")), columns=columns)


def _typed_frame(arrow: pa.Table, table: str, category_sets: Mapping[str, set[str]] | None = None) -> pd.DataFrame:
    """The frame `load` returns for `table`; a declared code column's categories are its full set in
    `category_sets` (and any other value it holds), sorted; without a set, the values present."""
    category_sets = category_sets or {}
    df = arrow.to_pandas(date_as_object=False)
    for f in arrow.schema:
        col = f.name
        kind = c.kind if (c := declared(table, col)) else None
        if pa.types.is_date(f.type) or (pa.types.is_timestamp(f.type) and kind == "date"):
            df[col] = pd.to_datetime(df[col]).astype("datetime64[s]")
        elif kind == "code" and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type)):
            values = df[col]
            cats = pd.Index(sorted(set(values.dropna().unique()) | category_sets.get(col, set())), dtype=values.dtype)
            df[col] = pd.Categorical(values, categories=cats)
        elif pa.types.is_floating(f.type):
            df[col] = df[col].astype("float64")
    return df
