"""Ingest: turn the raw folder (crawled .txt pages, saved .html pages) into `Article` records.

Every file is decoded robustly (UTF-8/16, Windows-1258, TCVN3, VNI, charset detection), normalized
once with `normalize_text` (all character spans in the dataset point into that text;
`article_text` rebuilds it from a raw file by the same code) and described with what the
page itself says: title, publication date, publisher, URL and the day of the event the
article reports. A sources manifest (`sources.tsv`) may give the url and publisher of the
files it lists; they win over the page's. A file that cannot become an article is a
`FileReject` with a reason code and a sentence a person can act on; one bad file never stops a run.

One module a step:

* `errors`: `IngestError`, why a file is not an article (a reason code and a sentence);
* `decode`: raw bytes -> text (BOMs, UTF-8/16, legacy Vietnamese encodings via `legacy_encodings`,
  mojibake, binary files and control characters);
* `html`: HTML page -> article text (trafilatura, the depth limit, the plain fallback);
* `metadata`: title, publication and event dates, publisher and URL as the text gives them;
* `files`: the raw folder on disk (its entries, links that leave it, size limits, reading bytes);
* `sources`: the optional `sources.tsv` manifest beside the articles;
* `read`: files -> `Article` or `FileReject` (duplicates, `article_text`).

Only the readers (`read_raw_folder`, `read_files`, `read_article`, `read_sources`, `article_text`, ...)
touch the file system; the rest is pure. Code outside ingest imports from `dxdata.ingest`, which
re-exports the names below.
"""

from __future__ import annotations

from dxdata.ingest.decode import decode_bytes
from dxdata.ingest.errors import IngestError
from dxdata.ingest.files import MAX_BYTES, entry_problem, raw_files, read_raw_bytes
from dxdata.ingest.html import MAX_HTML_DEPTH, html_depth
from dxdata.ingest.metadata import TextMetadata, find_event_date, publisher_for_url, text_metadata
from dxdata.ingest.read import article_text, duplicate_reject, read_article, read_files, read_raw_folder
from dxdata.ingest.sources import MAX_SOURCES_BYTES, Source, is_sources_manifest, parse_sources, read_sources

__all__ = [
    "MAX_BYTES",
    "MAX_HTML_DEPTH",
    "MAX_SOURCES_BYTES",
    "IngestError",
    "Source",
    "TextMetadata",
    "article_text",
    "decode_bytes",
    "duplicate_reject",
    "entry_problem",
    "find_event_date",
    "html_depth",
    "is_sources_manifest",
    "parse_sources",
    "publisher_for_url",
    "raw_files",
    "read_article",
    "read_files",
    "read_raw_bytes",
    "read_raw_folder",
    "read_sources",
    "text_metadata",
]
