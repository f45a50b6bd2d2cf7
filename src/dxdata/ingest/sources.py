"""The optional sources manifest (`sources.tsv`) beside the articles: the url and publisher of the files it lists.

Whoever crawled the pages often knows where each came from better than the page says: a tab-separated
manifest in the raw folder, or in one of its folders, says it, and what it says wins over the page's
own url and publisher. Parsing is pure (`parse_sources`); a row that cannot be used is warned about and
skipped, a manifest that cannot be read at all is a reject: neither stops a run.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dxdata.ingest.decode import decode_bytes
from dxdata.ingest.errors import IngestError
from dxdata.ingest.files import _sha256, read_raw_bytes

log = logging.getLogger("dxdata.ingest")  # one logger for the stage, whichever module logs

SOURCES_FILE = "sources.tsv"
MAX_SOURCES_BYTES = 64_000_000  # a manifest of 100,000 files with a summary each
_FILE_HEADERS = ("file", "source_file")
_MAX_WARNINGS = 20  # bad rows named one by one per manifest; the rest are counted


@dataclass(frozen=True)
class Source:
    """What a sources manifest says of one raw file (None: the manifest leaves it to the page)."""

    url: str | None = None
    publisher: str | None = None


def is_sources_manifest(source_file: str) -> bool:
    """A file named `SOURCES_FILE` (in the raw folder or one of its folders) lists sources, it is no article."""
    return source_file.rsplit("/", 1)[-1] == SOURCES_FILE


def _cell(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('""', '"').strip()
    return value


def _manifest_path(value: str) -> tuple[str | None, str]:
    """(the path a manifest row names, relative and posix; or None and why it is refused)."""
    value = value.replace("\\", "/")
    if not value:
        return None, "no file name"
    if value.startswith("/") or re.match(r"^[A-Za-z]:", value) or "://" in value:
        return None, f"{value!r} is an absolute path or a URL; name files by their path inside the folder"
    parts = [part for part in value.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None, f"{value!r} leads out of the folder ('..'); only files inside it can be described"
    if not parts:
        return None, f"{value!r} names no file"
    return unicodedata.normalize("NFC", "/".join(parts)), ""


def parse_sources(text: str) -> tuple[dict[str, Source], list[str]]:
    """The rows of a sources manifest: (url and publisher by file path, one sentence per row not used).

    Tab-separated, one row per raw file. With a header (first cell ``file``), the columns ``url`` and
    ``publisher`` are found by name (``year``, ``region_focus``, ``summary`` ... are not read); without
    one, the columns are ``file``, ``url`` and, if present, ``publisher``. A path that is absolute or
    leads out of the folder, a URL that is not http(s), and a second row for the same file are refused,
    each with a line number; the other rows are used.
    """
    rows = [(n, line.split("\t")) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    problems: list[str] = []
    columns: dict[str, int | None] = {"file": 0, "url": 1, "publisher": 2}
    if rows and _cell(rows[0][1][0]).lower().lstrip("\ufeff") in _FILE_HEADERS:
        names = [_cell(c).lower().lstrip("\ufeff") for c in rows[0][1]]
        columns = {"file": 0, "url": None, "publisher": None}
        for name in ("url", "publisher"):
            columns[name] = names.index(name) if name in names else None
        rows = rows[1:]
    entries: dict[str, Source] = {}
    for line, cells in rows:

        def cell(name: str, cells: list[str] = cells) -> str:
            i = columns[name]
            return _cell(cells[i]) if i is not None and i < len(cells) else ""

        path, why = _manifest_path(cell("file"))
        if path is None:
            problems.append(f"line {line}: {why}")
            continue
        url, publisher = cell("url") or None, cell("publisher") or None
        if url is not None and not url.lower().startswith(("http://", "https://")):
            problems.append(f"line {line}: the url of {path} ({url!r}) is not an http(s) URL; it is not used")
            url = None
        if path in entries:
            problems.append(f"line {line}: {path} is listed again; its first row is used")
            continue
        entries[path] = Source(
            url=url, publisher=unicodedata.normalize("NFC", " ".join(publisher.split())) or None if publisher else None
        )
    return entries, problems


def read_sources_manifest(path: Path, raw_dir: Path) -> str:
    """The text of one sources manifest under `raw_dir`; IngestError when it cannot be read as text."""
    data = read_raw_bytes(path, raw_dir, max_bytes=MAX_SOURCES_BYTES)
    try:
        text, _ = decode_bytes(data)
    except IngestError as err:
        err.content_sha256 = _sha256(data)
        raise
    return unicodedata.normalize("NFC", text)


def read_sources(raw_dir: Path, files: Sequence[tuple[str, Path]]) -> dict[str, Source]:
    """What the sources manifests among `files` (``raw_files(raw_dir)``) say, by source_file.

    A manifest describes files under its own folder; a deeper manifest's row wins over a shallower
    one's for the same file. Rows that cannot be used (see `parse_sources`) and rows naming no file
    of the raw folder are logged as warnings; the run goes on.
    """
    present = {unicodedata.normalize("NFC", name): name for name, _ in files}
    manifests = sorted(
        ((name, path) for name, path in files if is_sources_manifest(name)), key=lambda item: item[0].count("/")
    )
    found: dict[str, Source] = {}
    for name, path in manifests:
        try:
            entries, problems = parse_sources(read_sources_manifest(Path(path), Path(raw_dir)))
        except IngestError as err:
            log.warning("%s is not read as a sources manifest: %s: %s", name, err.reason, err.detail)
            continue
        folder = name[: -len(SOURCES_FILE)]
        for rel, entry in entries.items():
            source_file = present.get(unicodedata.normalize("NFC", folder + rel))
            if source_file is None or source_file == name:
                problems.append(f"{rel} is not a file of the raw folder{' under ' + folder if folder else ''}")
                continue
            found[source_file] = entry
        for problem in problems[:_MAX_WARNINGS]:
            log.warning("%s: %s", name, problem)
        if len(problems) > _MAX_WARNINGS:
            log.warning("%s: %d more rows not used", name, len(problems) - _MAX_WARNINGS)
        log.info("%s: url or publisher of %d files", name, sum(1 for e in entries if folder + e in present))
    return found
