"""Plain records passed between the pipeline stages (no pandas, no Prefect)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Article:
    """One raw file that was read: its normalized text plus what we know about it."""

    article_id: str  # sha256 of the normalized text, first 16 hex chars: stable across renames
    source_file: str  # path relative to the raw folder, e.g. "002_52f6af25ab725421.txt"
    text: str  # NFC, whitespace-normalized article text; all char spans point into this
    content_sha256: str  # sha256 of the raw bytes
    format: str  # "txt" or "html"
    encoding: str  # the encoding the bytes were decoded with
    title: str | None = None
    published: date | None = None  # publication date given by the page
    event_date: date | None = None  # the day of the meeting/event the article reports
    publisher: str | None = None
    url: str | None = None
    n_bytes: int = 0


@dataclass(frozen=True)
class FileReject:
    """A raw file that could not be turned into an article, with the reason why."""

    source_file: str
    reason: str  # empty, binary, undecodable, too_large, no_text, duplicate, unreadable, unsupported_type, error
    detail: str  # a sentence a person can act on
    content_sha256: str | None = None


# Observations and mentions are made by the thousand per second: plain slotted records build in a third of
# the time of frozen ones (whose every field is set through `object.__setattr__`). Nothing changes them.
@dataclass(slots=True)
class Observation:
    """One indicator fact as ROWS.md defines it, with provenance into the article text."""

    article_id: str
    source_file: str
    indicator_code: str
    value: float
    unit: str
    qualifier: str
    status: str
    region_code: str
    body_code: str | None
    evidence: str
    char_start: int  # span of `evidence` in Article.text
    char_end: int
    number_text: str  # the number as written, e.g. "13,2 triệu"
    number_start: int  # span of the number in Article.text
    number_end: int
    denominator: float | None = None
    period_start: date | None = None
    period_end: date | None = None
    region_code_2025: str | None = None


@dataclass(slots=True)
class Mention:
    """A number the extractor saw but did not publish, and why (for curators)."""

    article_id: str
    source_file: str
    number_text: str
    char_start: int
    char_end: int
    reason: str  # date, year, document_number, ordinal, label, chrome, no_indicator, ...
    value: float | None = None
    unit: str | None = None
    sentence: str = ""


@dataclass
class ExtractionResult:
    observations: list[Observation] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
