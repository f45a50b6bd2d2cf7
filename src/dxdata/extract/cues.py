"""Find every codebook cue part in an article at once (Aho-Corasick over folded text)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from dxdata.codebook import Codebook
from dxdata.text import Matcher


@dataclass(frozen=True)
class _CueTable:
    automaton: Matcher[int]  # cue part -> its part id
    cues_by_indicator: dict[str, list[tuple[int, tuple[int, ...]]]]  # code -> [(cue id, part ids)]
    specificity: dict[int, float]  # part id -> 1 / number of indicators whose cues use it
    codes_by_part: dict[int, frozenset[str]]  # part id -> indicators with a cue using it
    cue_sets: dict[str, list[tuple[tuple[int, ...], frozenset[int]]]]  # code -> [(part ids, set of them)]


_TABLES: Final[dict[str, _CueTable]] = {}


def _table(codebook: Codebook) -> _CueTable:
    """One automaton per codebook (keyed by its fingerprint)."""
    cached = _TABLES.get(codebook.fingerprint)
    if cached is not None:
        return cached
    part_ids: dict[str, int] = {}
    cues_by_indicator: dict[str, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
    cue_id = 0
    for code, indicator in codebook.indicators.items():
        for cue in indicator.cues:
            ids = tuple(part_ids.setdefault(part, len(part_ids)) for part in cue.parts)
            cues_by_indicator[code].append((cue_id, ids))
            cue_id += 1
    users: dict[int, set[str]] = defaultdict(set)
    for code, cues in cues_by_indicator.items():
        for _, ids in cues:
            for pid in ids:
                users[pid].add(code)
    specificity = {pid: 1.0 / len(codes) for pid, codes in users.items()}
    if len(part_ids) > 1 << _PID_BITS:
        raise ValueError(f"{len(part_ids)} cue parts: more than `CueIndex` packs")
    automaton = Matcher(part_ids)
    codes_by_part = {pid: frozenset(codes) for pid, codes in users.items()}
    cue_sets = {code: [(ids, frozenset(ids)) for _, ids in cues] for code, cues in cues_by_indicator.items()}
    table = _CueTable(automaton, dict(cues_by_indicator), specificity, codes_by_part, cue_sets)
    _TABLES[codebook.fingerprint] = table
    return table


_PID_BITS: Final = 20  # cue part ids are below 2**20 (`_table` checks): packed under the offsets


def _hit_key(start: int, end: int, pid: int, width: int) -> int:
    """A cue part's occurrence as one integer, ordered as (start, end, part id) are (`width`: the bits of the
    text's length). A list of them sorts several times faster than a list of tuples."""
    return (((start << width) | end) << _PID_BITS) | pid


class CueIndex:
    """Where each cue part occurs in one article's folded text, on word boundaries."""

    def __init__(self, codebook: Codebook, folded: str, hits: list[int] | None = None) -> None:
        """`hits`: the `_hit_key`s of the cue parts on word boundaries (width: `len(folded).bit_length()`),
        when a combined scan found them already."""
        table = _table(codebook)
        self._specificity = table.specificity
        self._codes_by_part = table.codes_by_part
        self._cue_sets = table.cue_sets
        n = len(folded)
        width = n.bit_length()
        if hits is None:
            hits = []
            values = table.automaton.values
            for i, start, end in table.automaton.found(folded):
                # on word boundaries: no alphanumeric character on both sides of an edge
                if start > 0 and folded[start - 1].isalnum() and folded[start].isalnum():
                    continue
                if end < n and folded[end].isalnum() and folded[end - 1].isalnum():
                    continue
                hits.append(_hit_key(start, end, values[i], width))
        hits.sort()
        # the occurrences by start, then end: three lists of unboxed integers
        self._starts = [key >> (width + _PID_BITS) for key in hits]
        self._ends = [(key >> _PID_BITS) & ((1 << width) - 1) for key in hits]
        self._pids = [key & ((1 << _PID_BITS) - 1) for key in hits]

    def hits_in(self, start: int, end: int) -> dict[int, list[tuple[int, int]]]:
        """Cue part id -> occurrences [(start, end)] inside [start, end)."""
        out: dict[int, list[tuple[int, int]]] = {}  # (not a defaultdict: compiled, its `out[pid]` is a slow call)
        starts, ends, pids = self._starts, self._ends, self._pids
        i = bisect_left(starts, start)
        while i < len(starts) and starts[i] < end:
            e = ends[i]
            if e <= end:
                pid = pids[i]
                found = out.get(pid)
                if found is None:
                    found = out[pid] = []
                found.append((starts[i], e))
            i += 1
        return out

    def codes_with_parts(self, part_ids) -> set[str]:
        """Indicators having at least one cue part among `part_ids`: the only ones worth scoring."""
        out: set[str] = set()
        for pid in part_ids:
            codes = self._codes_by_part.get(pid)
            if codes is not None:
                out.update(codes)
        return out

    def cue_parts_of(self, code: str) -> list[tuple[tuple[int, ...], frozenset[int]]]:
        """The indicator's cues as (part ids, the set of them), for a quick 'all parts present' test."""
        return self._cue_sets.get(code, [])

    def specificity(self, part_id: int) -> float:
        """1 for a cue part only one indicator uses, down to 1/n for a part n indicators share."""
        return self._specificity.get(part_id, 1.0)


def cue_index(codebook: Codebook, folded: str) -> CueIndex:
    return CueIndex(codebook, folded)


_BODY_AUTOMATA: Final[dict[str, Matcher[tuple[str, int]]]] = {}


def body_hits(codebook: Codebook, folded: str) -> list[tuple[int, int, str]]:
    """(start, end, body code) of every body name or alias in folded text, on word boundaries."""
    automaton = _BODY_AUTOMATA.get(codebook.fingerprint)
    if automaton is None:
        automaton = Matcher({name: (code, len(name)) for name, code in codebook.body_patterns})  # the last code wins
        _BODY_AUTOMATA[codebook.fingerprint] = automaton
    out = []
    n = len(folded)
    for end_index, (code, length) in automaton.iter(folded):
        start, end = end_index - length + 1, end_index + 1
        if (start > 0 and folded[start - 1].isalnum()) or (end < n and folded[end].isalnum()):  # not inside a word
            continue
        out.append((start, end, code))
    return out


_BothValue = tuple[int, str | None, bool, bool]
_BOTH_AUTOMATA: Final[dict[str, Matcher[_BothValue]]] = {}


def scan_matcher(codebook: Codebook) -> Matcher[_BothValue]:
    """Cue parts and body names in one automaton: value (cue part id or -1, body code or None, whether the
    key's first character is alphanumeric, whether its last one is)."""
    automaton = _BOTH_AUTOMATA.get(codebook.fingerprint)
    if automaton is None:
        values: dict[str, list] = {}
        for part, pid in _table(codebook).automaton.items():
            values[part] = [pid, None]
        for name, code in codebook.body_patterns:  # a name listed twice keeps its last code, as in `body_hits`
            values.setdefault(name, [-1, None])[1] = code
        automaton = Matcher(
            {word: (pid, code, word[0].isalnum(), word[-1].isalnum()) for word, (pid, code) in values.items()}
        )
        _BOTH_AUTOMATA[codebook.fingerprint] = automaton
    return automaton


def scan_article(codebook: Codebook, folded: str) -> tuple[CueIndex, list[tuple[int, int, str]]]:
    """`cue_index` and `body_hits` of one folded text from a single automaton pass (each pass reads every char)."""
    cue_hits: list[int] = []  # `_hit_key`s
    bodies: list[tuple[int, int, str]] = []
    n = len(folded)
    width = n.bit_length()
    automaton = scan_matcher(codebook)
    values = automaton.values
    for i, start, end in automaton.found(folded):
        pid, code, first_alnum, last_alnum = values[i]
        left_word = start > 0 and folded[start - 1].isalnum()
        right_word = end < n and folded[end].isalnum()
        # a cue part may touch a word when its own edge character is not alphanumeric (`CueIndex`)
        if pid >= 0 and not (left_word and first_alnum) and not (right_word and last_alnum):
            cue_hits.append(_hit_key(start, end, pid, width))
        if code is not None and not left_word and not right_word:
            bodies.append((start, end, code))
    return CueIndex(codebook, folded, cue_hits), bodies
