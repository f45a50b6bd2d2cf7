"""Extraction results and articles as plain JSON: how a result sits in the extraction cache and how an
article and its result cross to and from the child process of `dxdata.extract.budget`.

Plain data only, never pickle or anything that can run code: a damaged or hostile payload is a
`ValueError`, and a payload that would inflate past `_MAX_PAYLOAD` is refused (a zip bomb is a miss).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, fields
from datetime import date

from dxdata.models import Article, ExtractionResult, Mention, Observation

FORMAT = 2  # bump when the payload layout changes (2: JSON instead of pickle; older caches are discarded)

_OBS_FIELDS = tuple(f.name for f in fields(Observation))


_MENTION_FIELDS = tuple(f.name for f in fields(Mention))


_DATE_FIELDS = frozenset({"period_start", "period_end"})


_MAX_PAYLOAD = 512 << 20  # bytes a cached payload may inflate to (a zip bomb is a miss, not a crash)


def _row(record: object, names: tuple[str, ...]) -> list:
    out = []
    for name in names:
        value = getattr(record, name)
        out.append(value.isoformat() if isinstance(value, date) else value)
    return out


def _record(cls: type, names: tuple[str, ...], row: list) -> object:
    if not isinstance(row, list) or len(row) != len(names):
        raise ValueError(f"a cached {cls.__name__} has {len(row) if isinstance(row, list) else '?'} fields")
    values = {}
    for name, value in zip(names, row, strict=True):
        if name in _DATE_FIELDS and value is not None:
            value = date.fromisoformat(value)
        elif value is not None and not isinstance(value, str | int | float):
            raise ValueError(f"a cached {cls.__name__}.{name} is a {type(value).__name__}")
        values[name] = value
    return cls(**values)


def encode_result(result: ExtractionResult) -> bytes:
    """An `ExtractionResult` as zlib-compressed JSON (field names once, then one list per record)."""
    data = {
        "format": FORMAT,
        "observation_fields": _OBS_FIELDS,
        "mention_fields": _MENTION_FIELDS,
        "observations": [_row(o, _OBS_FIELDS) for o in result.observations],
        "mentions": [_row(m, _MENTION_FIELDS) for m in result.mentions],
    }
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)


def decode_result(blob: bytes) -> ExtractionResult:
    """The `ExtractionResult` of `encode_result`; ValueError for anything else (it is only ever data)."""
    inflater = zlib.decompressobj()
    raw = inflater.decompress(blob, _MAX_PAYLOAD)
    if inflater.unconsumed_tail:
        raise ValueError("cached payload too large")
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("cached payload of another format")
    names = (tuple(data.get("observation_fields", ())), tuple(data.get("mention_fields", ())))
    if names != (_OBS_FIELDS, _MENTION_FIELDS):
        raise ValueError("cached payload of other record fields")
    return ExtractionResult(
        observations=[_record(Observation, _OBS_FIELDS, r) for r in data["observations"]],  # type: ignore[misc]
        mentions=[_record(Mention, _MENTION_FIELDS, r) for r in data["mentions"]],  # type: ignore[misc]
    )


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def article_to_json(article: Article) -> dict:
    return {k: _plain(v) for k, v in asdict(article).items()}


def article_from_json(data: dict) -> Article:
    known = {f.name for f in fields(Article)}
    values = {k: v for k, v in data.items() if k in known}
    for name in ("published", "event_date"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    return Article(**values)


# --------------------------------------------------------------------------------------------- extraction
