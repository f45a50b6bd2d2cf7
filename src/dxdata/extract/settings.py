"""Extraction's vocabularies and tunable weights, read from `schemas/extraction.yaml` once and checked."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

import yaml

from dxdata.codebook import schemas_dir

SETTINGS_FILE = "extraction.yaml"


@dataclass(frozen=True)
class StatusWords:
    estimate: tuple[str, ...]
    target: tuple[str, ...]


@dataclass(frozen=True)
class Qualifiers:
    approx: tuple[str, ...]
    gt: tuple[str, ...]
    lt: tuple[str, ...]


@dataclass(frozen=True)
class NotFactWords:
    ordinal: tuple[str, ...]
    document_number: tuple[str, ...]
    label: tuple[str, ...]
    date: tuple[str, ...]
    phone: tuple[str, ...]


@dataclass(frozen=True)
class CueWeights:
    decay_chars: float
    head_noun_bonus: float
    head_noun_min_chars: int
    after_penalty: float
    other_number_penalty: float
    per_figure_between: float
    per_clause_break_between: float
    generic_discount: float


@dataclass(frozen=True)
class Context:
    left_words: int
    right_words: int
    near_words: float
    profile_terms: int
    codebook_weight: float


@dataclass(frozen=True)
class Settings:
    status_words: StatusWords
    qualifiers: Qualifiers
    not_fact_words: NotFactWords
    cue_weights: CueWeights
    context: Context


def _section(cls, raw: object, where: str):
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping")
    names = {f.name: f for f in fields(cls)}
    unknown, missing = sorted(set(raw) - set(names)), sorted(set(names) - set(raw))
    if unknown or missing:
        raise ValueError(f"{where}: unknown keys {unknown}, missing keys {missing}")
    values = {}
    for name, f in names.items():
        value = raw[name]
        if f.type in ("float", "int"):
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{where}.{name}: expected a positive number, got {value!r}")
            value = int(value) if f.type == "int" else float(value)
        else:
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ValueError(f"{where}.{name}: expected a list of words")
            for v in value:
                re.compile(v)
            value = tuple(value)
        values[name] = value
    return cls(**values)


def read_settings(path: Path) -> Settings:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping")
    return Settings(
        _section(StatusWords, raw.get("status_words"), f"{path.name}: status_words"),
        _section(Qualifiers, raw.get("qualifiers"), f"{path.name}: qualifiers"),
        _section(NotFactWords, raw.get("not_fact_words"), f"{path.name}: not_fact_words"),
        _section(CueWeights, raw.get("cue_weights"), f"{path.name}: cue_weights"),
        _section(Context, raw.get("context"), f"{path.name}: context"),
    )


@cache
def settings() -> Settings:
    """The settings beside the codebooks (`schemas_dir()`), read once."""
    return read_settings(schemas_dir() / SETTINGS_FILE)
