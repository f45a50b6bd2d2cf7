"""Which indicator a number measures: a scored choice among candidates, not a phrase look-up.

Each indicator has a **profile**: the accent-folded syllables and syllable pairs of its names and cues in
the codebook, plus the words that stood around its numbers in gold articles (`evidence_terms` in the model
file), each weighted by how specific it is across the codebook (TF-IDF). A number's candidates are the
indicators whose unit fits; each is described by a few features (how much of its profile the words before
and after the number, the sentence, the sentence before and the article's lead hold, and the exact cue
hits), and a logistic model whose weights are fitted on gold (`dxdata.extract.fit`,
`scripts/fit_indicator_model.py`) turns them into a probability. The best candidate wins if its probability
reaches the model's threshold, chosen by cross-validation; else the number has no indicator.

A curator adds an indicator with its names, unit and a few cues in `schemas/indicators.yaml`: its profile
comes from those, with no code change.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np

from dxdata.codebook import Codebook, fold
from dxdata.extract.body_model import BodyModel
from dxdata.extract.settings import settings

MODEL_FILE: Final = "indicator_model.json"
SYNONYMS_FILE: Final = "synonyms.yaml"

# the features of one (number, candidate indicator) pair, in the order of the model's weights
FEATURES: Final = (
    "cue",  # log(1 + the best exact cue hit's weighted length)
    "left",  # profile share of the words before the number in its clause, nearer words weighing more
    "right",  # profile share of the few words right after the number (the counted noun)
    "sentence",  # profile share of the whole sentence
    "lead",  # profile share of the title and the first sentences (the article's topic)
    "left_margin",  # `left` less the best other candidate's
    "right_margin",
    "sentence_margin",
    "cue_margin",
    "candidates",  # log of the number of candidates (a rare unit narrows the choice)
)

_WORD_RE: Final = re.compile(r"[a-z0-9]+")  # the words of codebook names and cues, numerals included
_TEXT_WORD_RE: Final = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")  # an article's words: its numbers are the figures
_CONTEXT: Final = settings().context  # the words around a number it reads (schemas/extraction.yaml)
LEFT_WORDS: Final = _CONTEXT.left_words  # the words before a number that may describe it (within its clause)
RIGHT_WORDS: Final = _CONTEXT.right_words  # the words after it: the counted noun and its complement
NEAR_WORDS: Final = _CONTEXT.near_words  # a word this many words away counts half as much as the adjacent one
CODEBOOK_WEIGHT: Final = _CONTEXT.codebook_weight  # a codebook word counts as this many words of evidence
PROFILE_TERMS: Final = _CONTEXT.profile_terms  # a profile keeps its most weighty terms


def words_of(folded: str, start: int = 0, end: int | None = None) -> list[str]:
    """The words of folded text in [start, end): runs of letters and digits with a letter (numerals are the
    figures, not words)."""
    return _TEXT_WORD_RE.findall(folded, start, len(folded) if end is None else end)


@dataclass(frozen=True)
class Synonyms:
    """Abbreviations and other words for the same thing ("tmdt" -> "thuong mai dien tu"), folded."""

    expansions: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    longest: int = 1  # the most words a variant has
    firsts: frozenset[str] = frozenset()  # the words a variant starts with


def load_synonyms(path: Path) -> Synonyms:
    import yaml

    if not path.exists():
        return Synonyms()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for canonical, variants in raw.items():
        target = tuple(_WORD_RE.findall(fold(str(canonical))))
        for variant in variants or []:
            key = tuple(_WORD_RE.findall(fold(str(variant))))
            if key and target and key != target:
                out[key] = target
    return Synonyms(out, max((len(k) for k in out), default=1), frozenset(k[0] for k in out))


def terms(words: list[str], synonyms: Synonyms) -> list[tuple[int, str]]:
    """(word index, term) for every word and pair of adjacent words, with synonyms' words added at the same
    index as the words they stand for (so "tmdt" also yields "thuong mai", "dien tu" ...)."""
    seq = list(enumerate(words))
    seq += [(i, f"{a} {b}") for i, (a, b) in enumerate(zip(words, words[1:], strict=False))]
    if synonyms.firsts.isdisjoint(words):
        return seq
    for i, word in enumerate(words):
        if word not in synonyms.firsts:
            continue
        for n in range(1, synonyms.longest + 1):
            target = synonyms.expansions.get(tuple(words[i : i + n]))
            if target is not None:
                seq += [(i, w) for w in target]
                seq += [(i, f"{a} {b}") for a, b in zip(target, target[1:], strict=False)]
    return seq


@dataclass
class Profiles:
    """Every indicator's profile as one column of a matrix over the terms, each column of unit length."""

    codes: tuple[str, ...]  # the columns
    vocabulary: dict[str, int]  # term -> its row
    matrix: np.ndarray  # (terms, codes)

    @property
    def nothing(self) -> np.ndarray:
        return np.zeros(len(self.codes))

    def restricted(self, codes: list[str]) -> Profiles:
        """The profiles of these codes alone (a number is compared with the indicators of its unit only)."""
        column = {code: j for j, code in enumerate(self.codes)}
        return Profiles(tuple(codes), self.vocabulary, np.ascontiguousarray(self.matrix[:, [column[c] for c in codes]]))

    def rows(self, found_terms: set[str]) -> list[int]:
        """The rows of the terms some profile holds."""
        vocabulary = self.vocabulary
        return [vocabulary[t] for t in found_terms if t in vocabulary]

    def presence(self, rows: list[int]) -> np.ndarray:
        """Per indicator: the sum of its weights of these terms (`rows`), each present once."""
        return self.matrix[rows].sum(axis=0) if rows else self.nothing

    def similarities(self, contexts: list[dict[str, float]]) -> np.ndarray:
        """`similarity` of several contexts at once: one row each (one gather, one product)."""
        columns: dict[int, int] = {}  # profile row -> its column among the terms the contexts hold
        cells: list[tuple[int, int, float]] = []
        for k, context in enumerate(contexts):
            for term, w in context.items():
                row = self.vocabulary.get(term)
                if row is not None:
                    cells.append((k, columns.setdefault(row, len(columns)), w))
        weights = np.zeros((len(contexts), len(columns)))
        for k, column, w in cells:
            weights[k, column] = w
        return weights @ self.matrix[list(columns)]


def codebook_documents(codebook: Codebook) -> dict[str, Counter[str]]:
    """code -> term counts of its Vietnamese name and cues."""
    docs: dict[str, Counter[str]] = {}
    for code, ind in codebook.indicators.items():
        counts: Counter[str] = Counter()
        for text in (ind.name_vi, *ind.cue_texts):
            for part in str(text).split("..."):
                for _, t in terms(_WORD_RE.findall(fold(part)), Synonyms()):
                    counts[t] += CODEBOOK_WEIGHT
        docs[code] = counts
    return docs


def build_profiles(codebook: Codebook, evidence: dict[str, dict[str, float]], synonyms: Synonyms) -> Profiles:
    """TF-IDF profiles: codebook terms plus gold evidence terms; idf over the profiles (codebook specificity)."""
    docs = codebook_documents(codebook)
    for code, counts in evidence.items():
        if code in docs:
            for term, n in counts.items():
                docs[code][term] += n
    df: Counter[str] = Counter()
    for counts in docs.values():
        df.update(counts.keys())
    n_docs = max(1, len(docs))
    codes = tuple(docs)
    columns: list[dict[str, float]] = []
    for code in codes:
        counts = docs[code]
        weights = {t: (1.0 + math.log(c)) * math.log(1.0 + n_docs / df[t]) for t, c in counts.items() if c > 0}
        weights = dict(sorted(weights.items(), key=lambda tw: (-tw[1], tw[0]))[:PROFILE_TERMS])
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        columns.append({t: w / norm for t, w in weights.items()})
    vocabulary = {t: i for i, t in enumerate(sorted({t for col in columns for t in col}))}
    matrix = np.zeros((len(vocabulary), len(codes)))
    for j, col in enumerate(columns):
        for term, w in col.items():
            matrix[vocabulary[term], j] = w
    return Profiles(codes, vocabulary, matrix)


@dataclass
class IndicatorModel:
    """Fitted weights (one per feature, plus an intercept), the decision threshold and the profiles."""

    coef: tuple[float, ...]
    intercept: float
    threshold: float
    evidence_terms: dict[str, dict[str, float]]
    profiles: Profiles
    synonyms: Synonyms
    info: dict = field(default_factory=dict)
    body: BodyModel = field(default_factory=BodyModel)  # the weights of the body decision
    derived: dict = field(default_factory=dict)  # what extraction derives from the model once (`extract._kinds`)

    def __post_init__(self) -> None:
        self.weights = np.asarray(self.coef)
        # the linear score at which the probability reaches the threshold (the logit of the threshold)
        t = min(max(self.threshold, 1e-9), 1 - 1e-9)
        self.min_score = math.log(t / (1 - t)) - self.intercept


def make_model(
    codebook: Codebook,
    coef: tuple[float, ...],
    intercept: float,
    threshold: float,
    evidence_terms: dict[str, dict[str, float]],
    synonyms: Synonyms,
    info: dict | None = None,
    body: BodyModel | None = None,
) -> IndicatorModel:
    if len(coef) != len(FEATURES):
        raise ValueError(f"the model has {len(coef)} weights for {len(FEATURES)} features")
    profiles = build_profiles(codebook, evidence_terms, synonyms)
    return IndicatorModel(
        tuple(coef), intercept, threshold, evidence_terms, profiles, synonyms, info or {}, body or BodyModel()
    )


def logistic(features: np.ndarray, coef, intercept: float) -> np.ndarray:
    """The logistic model's probability for each row of features."""
    z = np.asarray(features, dtype=float) @ np.asarray(coef, dtype=float) + intercept
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))


_MODELS: Final[dict[str, IndicatorModel]] = {}


def load_model(codebook: Codebook, folder: Path) -> IndicatorModel:
    """The fitted model in `folder/indicator_model.json` (plain JSON: weights, threshold, evidence terms)."""
    key = f"{codebook.fingerprint}:{folder}"
    cached = _MODELS.get(key)
    if cached is not None:
        return cached
    synonyms = load_synonyms(folder / SYNONYMS_FILE)
    path = folder / MODEL_FILE
    raw = json.loads(path.read_text(encoding="utf-8"))
    if list(raw["features"]) != list(FEATURES):
        raise ValueError(f"{path}: fitted for features {raw['features']}, the code has {list(FEATURES)}")
    model = make_model(
        codebook,
        tuple(float(w) for w in raw["coef"]),
        float(raw["intercept"]),
        float(raw["threshold"]),
        {code: {t: float(n) for t, n in terms_.items()} for code, terms_ in raw.get("evidence_terms", {}).items()},
        synonyms,
        raw.get("info", {}),
        BodyModel.from_json(raw.get("body"), str(path)),
    )
    _MODELS[key] = model
    return model


def save_model(model: IndicatorModel, path: Path) -> None:
    data = {
        "features": list(FEATURES),
        "coef": [round(w, 6) for w in model.coef],
        "intercept": round(model.intercept, 6),
        "threshold": round(model.threshold, 4),
        "info": model.info,
        "body": model.body.to_json(),
        "evidence_terms": {
            code: {t: round(n, 4) for t, n in sorted(terms_.items())}
            for code, terms_ in sorted(model.evidence_terms.items())
        },
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")


class ArticleWords:
    """The folded words of an article around its figures, its sentences' terms, and its lead's terms."""

    def __init__(self, folded: str, synonyms: Synonyms, lead_end: int, title: str | None) -> None:
        self.folded = folded
        self.synonyms = synonyms
        lead_words = words_of(folded, 0, lead_end)
        if title:
            lead_words = words_of(fold(title)) + lead_words
        self.lead = {t for _, t in terms(lead_words, synonyms)}

    def span_terms(self, start: int, end: int) -> set[str]:
        """The terms of the text [start, end) (a sentence)."""
        return {t for _, t in terms(words_of(self.folded, start, end), self.synonyms)}

    def left_terms(self, clause_start: int, num_start: int) -> dict[str, float]:
        """The words before the number in its clause (at most LEFT_WORDS), the nearest weighing most."""
        # the words of a stretch before the number that holds more than LEFT_WORDS of them, else of the clause:
        # a long clause costs no more than a short one
        window = max(clause_start, num_start - _LEFT_WINDOW_CHARS)
        words = words_of(self.folded, window, num_start)
        if len(words) <= LEFT_WORDS and window > clause_start:
            words = words_of(self.folded, clause_start, num_start)
        words = words[-LEFT_WORDS:]
        return _decayed(terms(words, self.synonyms), len(words), backwards=True)

    def right_terms(self, num_end: int, limit: int) -> dict[str, float]:
        """The few words after the number (at most RIGHT_WORDS, up to `limit`: the clause end or the next
        number)."""
        words = words_of(self.folded, num_end, limit)[:RIGHT_WORDS]
        return _decayed(terms(words, self.synonyms), len(words), backwards=False)


def _decayed(seq: list[tuple[int, str]], n: int, backwards: bool) -> dict[str, float]:
    """Each term's weight by its word's distance from the number: 1 beside it, 1/2 at NEAR_WORDS words
    (`backwards`: the words come before the number, the last of the `n` is beside it)."""
    out: dict[str, float] = {}
    for i, term in seq:
        w = _NEARNESS[n - 1 - i if backwards else i]
        if w > out.get(term, 0.0):
            out[term] = w
    return out


_LEFT_WINDOW_CHARS: Final = 400  # holds LEFT_WORDS words but where the clause is mostly figures
_NEARNESS: Final = [1.0 / (1.0 + d / NEAR_WORDS) for d in range(max(LEFT_WORDS, RIGHT_WORDS))]
