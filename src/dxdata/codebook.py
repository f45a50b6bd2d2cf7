"""The codebooks (indicators, bodies) as data: loaded from `schemas/*.yaml`, never hard-coded.

`schemas/` is their one copy; an installed wheel carries it as `dxdata/codebooks/` (`schemas_dir`).

Matching is accent-insensitive: cues and text are both folded with
`dxdata.text.fold_accents`, which keeps offsets, so a match in folded text is a
match at the same offsets in the original.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Final

import yaml

from dxdata.tables import UNITS
from dxdata.text import fold_flat

# beside the codebooks, the files that decide what extraction returns as they do (the cache key holds them)
DECIDING_FILES = ("indicator_model.json", "synonyms.yaml", "extraction.yaml")


def source_checkout() -> Path | None:
    """The source checkout this package is imported from (an editable install, or `src/` on the path): the
    folder holding `src/dxdata/`, `pyproject.toml` and `schemas/`. None for an installed wheel."""
    package = Path(__file__).resolve().parent
    root = package.parents[1]
    if package.parent.name == "src" and (root / "pyproject.toml").is_file() and (root / "schemas").is_dir():
        return root
    return None


def schemas_dir() -> Path:
    """The folder holding the codebooks: $DXDATA_SCHEMAS; else `schemas/` of the source checkout the package
    is imported from; else the codebooks installed with the package, `dxdata/codebooks/` (pyproject.toml
    ships `schemas/` there in the wheel, so `pip install .` needs no checkout)."""
    env = os.environ.get("DXDATA_SCHEMAS")
    if env:
        return Path(env)
    checkout = source_checkout()
    return checkout / "schemas" if checkout else Path(__file__).resolve().parent / "codebooks"


@dataclass(frozen=True)
class Cue:
    """A cue phrase split on '...': every part must occur near the number."""

    parts: tuple[str, ...]  # folded text of each part

    @property
    def weight(self) -> int:
        return sum(len(p) for p in self.parts)


@dataclass(frozen=True)
class BodyPeriod:
    body: str
    until: date | None


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name_vi: str
    name_en: str
    units: tuple[str, ...]  # a money indicator may be reported in either currency: ("USD", "VND")
    cues: tuple[Cue, ...]
    per: str | None = None
    kind: str = "level"  # "level" or "change" (growth rates match only changes)
    default_status: str | None = None  # e.g. "target" for plan indicators
    periodicity: str | None = None  # "annual" for yearly indices: period = the index year
    source_bodies: tuple[BodyPeriod, ...] = ()  # who publishes it, by date
    region_scope: str | None = None  # "national" when the indicator is only ever about VN
    cue_texts: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        """The units as the codebook table shows them ("USD|VND" for a money indicator in either currency)."""
        return "|".join(self.units)

    def source_body(self, on: date | None) -> str | None:
        for bp in self.source_bodies:
            if bp.until is None or on is None or on <= bp.until:
                return bp.body
        return None


@dataclass(frozen=True)
class Body:
    code: str
    name_vi: str
    name_en: str
    aliases: tuple[str, ...]
    level: str = "national"  # "national" or "provincial"


@dataclass(frozen=True)
class Codebook:
    indicators: dict[str, Indicator]
    bodies: dict[str, Body]
    fingerprint: str  # sha256 of the codebook files: changes when they change
    body_patterns: list[tuple[str, str]] = field(default_factory=list)
    folder: Path | None = None  # where it was read from (the fitted indicator model lies beside it)


def fold(text: str) -> str:
    """The form both cues and article text are compared in (same length as the input)."""
    # stripping accents also makes old and new tone placement ("hoà", "hòa") equal
    return fold_flat(text)


def _cue(text: str) -> Cue:
    parts = tuple(p for p in (fold(part).strip(" ,") for part in text.split("...")) if p)
    return Cue(parts)


def _rejoin_split_cues(cues: list[str]) -> list[str]:
    """Undo YAML's comma split of one phrase: [bộ, ngành ... đã ban hành] -> ["bộ, ngành ... đã ban hành"].

    A fragment that is a single lower-case word ("bộ", "xã", "phí") is never a cue on
    its own in the codebook; it is the head of an enumeration cut at its comma.
    """
    out: list[str] = []
    pending = ""
    for cue in cues:
        text = f"{pending}, {cue}" if pending else cue
        if " " not in cue.strip() and cue == cue.lower() and cue is not cues[-1]:
            pending = text
            continue
        out.append(text)
        pending = ""
    if pending:
        out.append(pending)
    return out


def _load_indicators(path: Path, rules_path: Path | None = None) -> dict[str, Indicator]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = yaml.safe_load(rules_path.read_text(encoding="utf-8")) if rules_path and rules_path.exists() else {}
    known = {code for entries in raw.values() for code in entries}
    unknown = sorted(set(rules or {}) - known)
    if unknown:
        raise ValueError(f"{rules_path}: rules for codes not in {path.name}: {unknown}")
    out: dict[str, Indicator] = {}
    for group, entries in raw.items():
        for code, base_spec in entries.items():
            spec = {**base_spec, **(rules or {}).get(code, {})}
            units = tuple(spec["unit"]) if isinstance(spec["unit"], list) else (spec["unit"],)
            unknown_units = [u for u in units if u not in UNITS]
            if unknown_units or not units:
                raise ValueError(f"{path}: {code} has unknown unit {unknown_units or spec['unit']!r}")
            cue_texts = _rejoin_split_cues([str(c) for c in spec.get("cues", [])]) + [
                str(c) for c in spec.get("extra_cues", [])
            ]
            bodies = tuple(
                BodyPeriod(b["body"], date.fromisoformat(str(b["until"])) if b.get("until") else None)
                for b in spec.get("source_bodies", [])
            )
            out[code] = Indicator(
                code=code,
                group=group,
                name_vi=spec["name_vi"],
                name_en=spec["name_en"],
                units=units,
                cues=tuple(c for c in (_cue(t) for t in cue_texts) if c.parts),
                per=spec.get("per"),
                kind=spec.get("kind", "level"),
                default_status=spec.get("default_status"),
                periodicity=spec.get("periodicity"),
                source_bodies=bodies,
                region_scope=spec.get("region_scope"),
                cue_texts=tuple(cue_texts),
            )
    return out


def _load_bodies(path: Path) -> dict[str, Body]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        code: Body(
            code=code,
            name_vi=spec["name_vi"],
            name_en=spec["name_en"],
            aliases=tuple(spec.get("aliases", [])) + tuple(spec.get("extra_aliases", [])),
            level=spec.get("level", "national"),
        )
        for code, spec in raw.items()
    }


def _body_patterns(bodies: dict[str, Body]) -> list[tuple[str, str]]:
    """(folded name or alias, body code) pairs; matched by one automaton in `dxdata.extract.cues`."""
    pairs = set()
    for body in bodies.values():
        for name in (body.name_vi, *body.aliases):
            folded = fold(name).strip()
            # an all-lower-case alias ("tỉnh", "thành phố") is a common word, not a name
            if len(folded) >= 3 and name != name.lower():
                pairs.update((variant, body.code) for variant in _joined_forms(name, folded))
    return sorted(pairs)


# two capitalised halves of an abbreviation and what joins them: "TT&TT", "TT-TT", "TTTT", "KH&CN"
_ABBREVIATION_RE: Final = re.compile(r"\b([A-ZĐ]{2})(&|-| và |)([A-ZĐ]{2})\b")
_JOINTS: Final = ("&", "-", "", " va ")


def _joined_forms(name: str, folded: str) -> set[str]:
    """A name with an abbreviation in every way texts join its halves: "Bộ TT&TT" is also written
    "Bộ TT-TT", "Bộ TTTT" and "Bộ TT và TT" (`folded` is `name` folded, of the same length)."""
    match = _ABBREVIATION_RE.search(name)
    if match is None:
        return {folded}
    head, tail = folded[: match.start(2)], folded[match.end(2) :]
    return {head + joint + tail for joint in _JOINTS}


@lru_cache(maxsize=4)
def _load(folder: str) -> Codebook:
    base = Path(folder)
    ind_path, body_path, rules_path = (
        base / "indicators.yaml",
        base / "bodies.yaml",
        base / "indicator_rules.yaml",
    )
    digest = hashlib.sha256()
    # the fitted indicator model and its synonyms decide extraction as the codebook does
    for path in (ind_path, rules_path, body_path, *(base / name for name in DECIDING_FILES)):
        digest.update(path.read_bytes() if path.exists() else b"")
        digest.update(b"\0")
    indicators = _load_indicators(ind_path, rules_path)
    bodies = _load_bodies(body_path)
    return Codebook(indicators, bodies, digest.hexdigest(), _body_patterns(bodies), base)


def load_codebook(folder: Path | None = None) -> Codebook:
    """The indicator and body codebooks from `folder` (default: `schemas_dir()`), cached."""
    return _load(str((folder or schemas_dir()).resolve()))
