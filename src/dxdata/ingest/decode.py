"""Raw bytes -> text: the one place that decides what encoding a file is in.

Crawled Vietnamese pages come in UTF-8 (with or without a BOM, cut off at the end, with a few corrupt
bytes, or as mojibake), UTF-16 with or without a BOM, Windows-1258 and the pre-Unicode TCVN3 and VNI
(`legacy_encodings`). A wrong guess silently corrupts every character span of the dataset, so the
decision is made here and only here, and what is not text at all (PDFs, images, archives, NUL bytes,
control characters) is refused with an `IngestError`. Pure: bytes in, text and the encoding's name out;
the text is not normalized here.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from dxdata.ingest.errors import IngestError
from dxdata.ingest.legacy_encodings import best_legacy, mojibake_ratio, reads_as_vietnamese, repair_mojibake

_SNIFF_BYTES = 65_536
_MAGIC = [
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX/ODT document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
    (b"RIFF", "a RIFF media file"),
]
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_MAX_CONTROL_RATIO = 0.05


def _decode_utf8(data: bytes, name: str = "utf-8") -> tuple[str, str] | None:
    """Strict UTF-8; a multi-byte character cut off at the very end (truncated crawl) is dropped."""
    try:
        return data.decode(name), name
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3 and err.reason == "unexpected end of data":
            try:
                return data[: err.start].decode(name), name
            except UnicodeDecodeError:
                return None
        return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit on one side of each byte pair, as in UTF-16 text."""
    sample = sample[: len(sample) // 2 * 2]
    half = len(sample) // 2
    if half < 2:
        return None
    even = sample[0::2].count(0) / half
    odd = sample[1::2].count(0) / half
    if odd > 0.2 and even < 0.02:
        return "utf-16-le"
    if even > 0.2 and odd < 0.02:
        return "utf-16-be"
    return None


def _check_controls(text: str) -> None:
    sample = text[:_SNIFF_BYTES]
    if sample and len(_CONTROL_CHARS.findall(sample)) / len(sample) > _MAX_CONTROL_RATIO:
        raise IngestError("binary", "The file decodes to mostly control characters: it is not a text or HTML page.")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode raw bytes into text and say which encoding was used.

    Crawled Vietnamese pages come in UTF-8 (with or without BOM), UTF-16 and the legacy
    Windows-1258, TCVN3 (ABC) and VNI; a wrong guess silently corrupts every span, so the order is:
    BOMs, NUL-pattern UTF-16, strict UTF-8 (with UTF-8 mojibake repaired, `repair_mojibake`), an
    HTML <meta charset> unless it reads worse than a legacy Vietnamese encoding, then whichever of
    Windows-1258, TCVN3 and VNI reads as Vietnamese (`dxdata.ingest.legacy_encodings`), then
    charset-normalizer, whose guess is refused as "undecodable" when it still looks like a wrong
    decoding. The text is not normalized here. Raises IngestError ("empty", "binary", "undecodable").
    """
    if not data:
        raise IngestError("empty", "The file is empty (0 bytes).")
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32")):
        if data.startswith(bom) and len(data) % 4 == 0:
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                break
            _check_controls(text)
            return text, "utf-32-le" if bom == codecs.BOM_UTF32_LE else "utf-32-be"
    if data.startswith(codecs.BOM_UTF8):
        found = _decode_utf8(data, "utf-8-sig")
        if found:
            _check_controls(found[0])
            return found
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                text = data[2 : 2 + (len(data) - 2) // 2 * 2].decode(name)
            except UnicodeDecodeError as err:
                raise IngestError(
                    "undecodable",
                    f"The file starts with a {name.upper()} byte-order mark but is not valid {name}.",
                ) from err
            _check_controls(text)
            return text, name
    head = data[:_SNIFF_BYTES]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            raise IngestError("binary", f"The file is {kind}, not a text or HTML page; convert it to text first.")
    if b"\x00" in head or b"\x00" in data:
        name = _utf16_without_bom(head)
        if name:
            try:
                text = data[: len(data) // 2 * 2].decode(name)
            except UnicodeDecodeError as err:
                raise IngestError("binary", "The file has NUL bytes and is not valid UTF-16 text.") from err
            _check_controls(text)
            return text, name
        raise IngestError("binary", "The file contains NUL bytes: it is a binary file, not a text or HTML page.")
    if len(_CONTROL_BYTES.findall(head)) / len(head) > _MAX_CONTROL_RATIO:
        raise IngestError("binary", "The file is mostly control bytes: it is a binary file, not a text or HTML page.")

    found = _decode_utf8(data)
    if found is not None:
        repaired = repair_mojibake(found[0])  # UTF-8 that was read as Windows-1252/Latin-1 and saved again
        if repaired is not None:
            found = (repaired, "utf-8-mojibake-repaired")
    if found is None:
        found = _decode_lossy_utf8(data)
    if found is None:
        declared = _decode_declared(head, data)
        legacy = best_legacy(data)  # cp1258, TCVN3 or VNI, whichever reads as Vietnamese
        if declared is not None and (legacy is None or reads_as_vietnamese(declared[0])):
            found = declared
        elif legacy is not None:
            found = (legacy[1], legacy[0])
    if found is None:
        found = _decode_detected(data)
        if mojibake_ratio(found[0]) >= 0.02:
            raise IngestError(
                "undecodable",
                f"The bytes read neither as Vietnamese (UTF-8, Windows-1258, TCVN3, VNI) nor as clean text in the "
                f"best guess ({found[1]}); re-save the file as UTF-8.",
            )
    _check_controls(found[0])
    return found


def _decode_lossy_utf8(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a handful of corrupt bytes (a damaged crawl) rather than a legacy encoding."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    if bad and bad <= max(3, good // 1000) and good >= 10 * bad:
        return text, "utf-8-lossy"
    return None


def _decode_declared(head: bytes, data: bytes) -> tuple[str, str] | None:
    """The encoding an HTML page declares in <meta charset>, if it decodes the bytes cleanly."""
    match = _META_CHARSET.search(head)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if name.startswith("utf-8"):
        return None  # already failed as UTF-8
    try:
        text = data.decode(name)
    except UnicodeDecodeError:
        return None
    if name == "cp1258":
        text = unicodedata.normalize("NFC", text)
    return text, name


def _decode_detected(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise IngestError(
            "undecodable",
            "The bytes are not UTF-8, UTF-16 or Windows-1258 and no other encoding fits; re-save the file as UTF-8.",
        )
    text = str(best)
    if text.count("\ufffd") > max(3, len(text) // 1000):
        raise IngestError(
            "undecodable", f"The best encoding guess ({best.encoding}) leaves many unreadable characters."
        )
    return text, best.encoding
