"""Why a raw file is not an article: `IngestError`, raised by every step of ingest.

Decoding, HTML extraction, the checks of an entry of the raw folder and the sources manifest all say
why a file cannot become an article the same way: a short reason code and a sentence a person can act
on, which the readers turn into a `FileReject`. The error lives apart so that each step can raise it
without importing the others.
"""

from __future__ import annotations


class IngestError(Exception):
    """A raw file that cannot become an article: `reason` is a short code, `detail` a sentence."""

    def __init__(self, reason: str, detail: str, content_sha256: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.content_sha256 = content_sha256
