"""Raw files -> `Article` records and `FileReject`s: the readers that put the steps of ingest together.

`read_article` takes one file through every step (the entry's checks, its bytes, decoding, HTML,
normalization once with `normalize_text`, the text's metadata, the sources manifest's url and
publisher); `read_raw_folder` and `read_files` do it for a folder, where one bad file never stops a
run and a text read before is a duplicate. `_read_body` is the one definition of an article's text,
which `article_text` rebuilds from a raw file: every character span of the dataset points into it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dxdata.ingest.decode import decode_bytes
from dxdata.ingest.errors import IngestError
from dxdata.ingest.files import _relative, _sha256, entry_problem, raw_files, read_raw_bytes
from dxdata.ingest.html import HTML_SUFFIXES, _extract_html, _HtmlPage, looks_like_html
from dxdata.ingest.metadata import _page_url, _parse_iso, _words, publisher_for_url, publisher_name, text_metadata
from dxdata.ingest.sources import Source, is_sources_manifest, read_sources, read_sources_manifest
from dxdata.models import Article, FileReject
from dxdata.text import normalize_text

log = logging.getLogger("dxdata.ingest")  # one logger for the stage, whichever module logs

MIN_HTML_WORDS = 15  # trafilatura falls back to menu text on pages without an article

# Files that are data or documentation, not articles: rejected by name, not decoded.
NOT_ARTICLE_SUFFIXES = {
    ".csv",
    ".tsv",
    ".json",
    ".jsonl",
    ".parquet",
    ".yaml",
    ".yml",
    ".md",
    ".xml",
    ".zip",
    ".gz",
    ".xlsx",
    ".xls",
    ".docx",
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".py",
}


@dataclass(frozen=True)
class _Body:
    """A raw file's normalized text (what every span points into), with what decoding it told."""

    text: str
    encoding: str
    page: _HtmlPage | None  # the HTML page's metadata; None for plain text


def _read_body(data: bytes, suffix: str, html: bool | None = None) -> _Body:
    """Decode, take the article out of HTML, normalize: the one definition of an article's text.

    `html` None decides as ingest does: by the suffix, else by the content (`looks_like_html`).
    Raises IngestError ("empty", "binary", "undecodable", "no_text").
    """
    decoded, encoding = decode_bytes(data)
    is_html = html if html is not None else (suffix.lower() in HTML_SUFFIXES or looks_like_html(decoded))
    page = None
    if is_html:
        page = _extract_html(decoded)
        text = normalize_text(page.text)
        if _words(text) < MIN_HTML_WORDS:
            raise IngestError(
                "no_text",
                f"Only {_words(text)} words (menus, links) could be extracted from the HTML page: "
                "it has no article text.",
            )
    else:
        text = normalize_text(decoded)
        if not text:
            raise IngestError("empty", "The file contains only whitespace.")
    if not any(ch.isalpha() for ch in text):
        raise IngestError("no_text", f"The text has no letters ({len(text)} characters): it is not an article.")
    return _Body(text, encoding, page)


def article_text(source: str | os.PathLike[str] | bytes, *, html: bool | None = None) -> str:
    """The normalized text of one raw file, exactly as ingest makes it: every span of the dataset points into it.

    `source` is the raw file's path or its bytes. ``article_text(path)[o.char_start:o.char_end] == o.evidence``
    for every observation `o` of that file, and ``sha256(article_text(path).encode()).hexdigest()[:16]`` is its
    ``article_id``. `html` None decides HTML as ingest does (the suffix, else the content; bytes have no
    suffix); True or False forces it. Raises `IngestError` for a file ingest rejects (with the same reason).
    """
    if isinstance(source, bytes | bytearray):
        return _read_body(bytes(source), "", html).text
    path = Path(source)
    return _read_body(read_raw_bytes(path), path.suffix, html).text


def read_article(path: Path, raw_dir: Path, source: Source | None = None) -> Article:
    """Read one raw file into an Article (text normalized once, here). Raises IngestError.

    `source` is what a sources manifest says of the file: its url and publisher replace the page's own.
    """
    source_file = _relative(path, raw_dir)
    problem = entry_problem(path, raw_dir)
    if problem is not None:
        raise problem
    if path.suffix.lower() in NOT_ARTICLE_SUFFIXES:
        raise IngestError(
            "unsupported_type",
            f"A {path.suffix.lower()} file is not an article; the raw folder takes .txt and .html articles.",
        )
    data = read_raw_bytes(path, raw_dir)
    sha = _sha256(data)
    try:
        body = _read_body(data, path.suffix)
    except IngestError as err:
        err.content_sha256 = sha
        raise
    text, page = body.text, body.page
    if page is not None:
        meta = text_metadata(text, _parse_iso(page.date))
        title = page.title or meta.title
        publisher = (publisher_name(page.sitename) if page.sitename else None) or meta.publisher
        url = _page_url(page.url) or meta.url
    else:
        meta = text_metadata(text)
        title, publisher, url = meta.title, meta.publisher, meta.url
    if source is not None:
        url = source.url or url
        publisher = source.publisher or publisher
    if publisher is None and url:
        publisher = publisher_for_url(url)
    if body.encoding == "utf-8-lossy":
        log.warning("%s: invalid UTF-8 byte sequences were replaced by U+FFFD", source_file)
    return Article(
        article_id=_sha256(text.encode("utf-8"))[:16],
        source_file=source_file,
        text=text,
        content_sha256=sha,
        format="html" if page is not None else "txt",
        encoding=body.encoding,
        title=title,
        published=meta.published,
        event_date=meta.event_date,
        publisher=publisher,
        url=url,
        n_bytes=len(data),
    )


def _reject(source_file: str, reason: str, detail: str, sha: str | None) -> FileReject:
    log.warning("rejected %s: %s: %s", source_file, reason, detail)
    return FileReject(source_file=source_file, reason=reason, detail=detail, content_sha256=sha)


def read_raw_folder(raw_dir: Path) -> tuple[list[Article], list[FileReject]]:
    """Every file under raw_dir as an Article or a FileReject; never raises for a bad file.

    Files whose normalized text is identical to an earlier file (in path order) are
    rejected as duplicates, so each text is counted once. A sources manifest is neither: it is
    read for the url and publisher of the files it lists (`read_sources`).
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise NotADirectoryError(f"raw folder {raw_dir} does not exist or is not a directory")
    files = raw_files(raw_dir)
    articles, rejects = read_files(files, raw_dir, read_sources(raw_dir, files))
    log.info("ingest: %d articles read, %d files rejected from %s", len(articles), len(rejects), raw_dir)
    return articles, rejects


def read_files(
    files: Sequence[tuple[str, Path]], raw_dir: Path, sources: Mapping[str, Source] | None = None
) -> tuple[list[Article], list[FileReject]]:
    """The given files of `raw_dir` (``(source_file, path)`` in path order) as Articles or FileRejects.

    A file whose normalized text equals an earlier one's is rejected as a duplicate of it. `sources`
    is what the sources manifests say of the files (None: read them from `raw_dir`, `read_sources`);
    a manifest that reads as one is skipped (neither article nor reject), one that does not is a reject.
    """
    if sources is None:
        sources = read_sources(Path(raw_dir), raw_files(Path(raw_dir)))
    articles: list[Article] = []
    rejects: list[FileReject] = []
    seen: dict[str, str] = {}
    for source_file, path in files:
        if is_sources_manifest(source_file):
            try:
                read_sources_manifest(Path(path), Path(raw_dir))
            except IngestError as err:
                detail = f"Not read as a sources manifest: {err.detail}"
                rejects.append(_reject(source_file, err.reason, detail, err.content_sha256))
            continue
        try:
            article = read_article(Path(path), Path(raw_dir), sources.get(source_file))
        except IngestError as err:
            rejects.append(_reject(source_file, err.reason, err.detail, err.content_sha256))
            continue
        except Exception as err:  # a bug or a library failure on one file must not stop the run
            detail = f"Unexpected {type(err).__name__} while reading the file: {err}"
            log.error("rejected %s: error: %s", source_file, detail, exc_info=True)
            rejects.append(FileReject(source_file=source_file, reason="error", detail=detail))
            continue
        key = _sha256(article.text.encode("utf-8"))
        if key in seen:
            rejects.append(duplicate_reject(source_file, seen[key], article.content_sha256))
            continue
        seen[key] = source_file
        articles.append(article)
    return articles, rejects


def duplicate_reject(source_file: str, kept: str, sha: str | None) -> FileReject:
    return _reject(source_file, "duplicate", f"Same text as {kept}, which is kept; this copy is skipped.", sha)
