"""Fit the indicator model (and the body decision's weights) on gold rows, measured by cross-validation.

Gold rows label the numbers of their articles: a number whose value and unit match a gold row with a code
is a positive example for that code, every other candidate of it a negative one; a figure coded as gold
codes it is a positive example for the body gold credits it to. What is learned from gold
(the evidence terms of each indicator's profile, the weights, the threshold) is learned from the training
articles only. The features of a training article are computed with profiles that did not see it
(cross-fitting), so the weights learn how much an unseen article's words say, not how well the profiles
remember their own text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dxdata.codebook import Codebook
from dxdata.extract.article import Trace, extract_article
from dxdata.extract.body_model import NO_BODY, BodyModel
from dxdata.extract.model import FEATURES, IndicatorModel, Synonyms, logistic, make_model
from dxdata.models import Article, ExtractionResult

INNER_FOLDS = 4
REGULARIZATION = 1.0  # sklearn's C: the inverse strength of the L2 penalty (0.3, 3 and 10 gave lower CV figures)
_NEUTRAL_COEF = tuple(1.0 if name in ("cue", "left", "right") else 0.0 for name in FEATURES)


@dataclass(frozen=True)
class GoldArticle:
    """An article and its gold rows (dicts with at least value, unit and indicator_code)."""

    key: str  # unique across gold sets: "<set>/<file>"
    article: Article
    rows: tuple[dict, ...]


def _same(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-6 * max(abs(a), abs(b))


def gold_codes(rows: Sequence[dict], value: float, unit: str | None) -> tuple[set[str], bool]:
    """The codes gold gives a number of this value and unit, and whether gold holds it as a fact at all."""
    matched = [r for r in rows if r["unit"] == unit and _same(float(r["value"]), float(value))]
    return {r["indicator_code"] for r in matched if r["indicator_code"]}, bool(matched)


def trace_article(item: GoldArticle, codebook: Codebook, model: IndicatorModel) -> tuple[Trace, ExtractionResult]:
    trace = Trace()
    result = extract_article(item.article, codebook, model, trace)
    return trace, result


def evidence_terms(items: Sequence[GoldArticle], codebook: Codebook, synonyms: Synonyms) -> dict[str, dict[str, float]]:
    """code -> how often each term stood around the gold numbers of that code (before and after the number)."""
    probe = make_model(codebook, _NEUTRAL_COEF, 0.0, 0.0, {}, synonyms)
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        trace, _ = trace_article(item, codebook, probe)
        for num, _choices, context in trace.indicators:
            codes, _ = gold_codes(item.rows, num.value, num.unit)
            for code in codes:
                out[code].update(context.keys())
    return {code: dict(counts) for code, counts in out.items()}


@dataclass
class Example:
    features: list[tuple[float, ...]]
    labels: list[int]
    codes: list[str]
    gold: set[str]
    is_fact: bool


def examples(items: Sequence[GoldArticle], codebook: Codebook, model: IndicatorModel) -> list[Example]:
    """One example per fact number of the articles: its candidates' features and labels."""
    out = []
    for item in items:
        trace, _ = trace_article(item, codebook, model)
        for num, choices, _context in trace.indicators:
            codes, is_fact = gold_codes(item.rows, num.value, num.unit)
            out.append(
                Example(
                    [f for _, f in choices],
                    [int(ind.code in codes) for ind, _ in choices],
                    [ind.code for ind, _ in choices],
                    codes,
                    is_fact,
                )
            )
    return out


def _folds(n: int, k: int) -> list[list[int]]:
    """Indices 0..n-1 dealt into k folds in turn (the items come sorted: each fold mixes the gold sets)."""
    return [list(range(i, n, k)) for i in range(k)]


def _inner_folds(
    items: Sequence[GoldArticle], codebook: Codebook, synonyms: Synonyms
) -> list[tuple[list[GoldArticle], list[GoldArticle], dict[str, dict[str, float]]]]:
    """(training items, held-out items, evidence terms of the training items) for each inner fold."""
    out = []
    for fold in _folds(len(items), min(INNER_FOLDS, len(items))):
        held = set(fold)
        train = [it for i, it in enumerate(items) if i not in held]
        out.append((train, [items[i] for i in fold], evidence_terms(train, codebook, synonyms)))
    return out


def _cross_fitted_examples(codebook: Codebook, synonyms: Synonyms, folds: list) -> list[Example]:
    out = []
    for _train, held, evidence in folds:
        out += examples(held, codebook, make_model(codebook, _NEUTRAL_COEF, 0.0, 0.0, evidence, synonyms))
    return out


def body_examples(items: Sequence[GoldArticle], codebook: Codebook, model: IndicatorModel) -> list[Example]:
    """One example per figure coded as gold codes it: its body candidates' features and labels."""
    out = []
    for item in items:
        trace, _ = trace_article(item, codebook, model)
        for num, code, candidates in trace.bodies:
            gold = {
                r.get("body_code") or NO_BODY
                for r in item.rows
                if r["indicator_code"] == code and r["unit"] == num.unit and _same(float(r["value"]), num.value)
            }
            labels = [int(body in gold) for body in candidates]
            if any(labels):  # a body no candidate offers cannot be learned from
                out.append(Example(list(candidates.values()), labels, list(candidates), gold, True))
    return out


def choose_threshold(exs: Sequence[Example], coef: Sequence[float], intercept: float) -> float:
    """The probability above which the best candidate is taken, best for F1 on correctly coded numbers."""
    scored = []
    for ex in exs:
        if not ex.features:
            continue
        probs = logistic(ex.features, coef, intercept)
        best = int(np.argmax(probs))
        scored.append((float(probs[best]), ex.codes[best] in ex.gold, bool(ex.gold), ex.is_fact))
    n_gold = sum(1 for ex in exs if ex.gold)
    best_t, best_f1 = 0.5, -1.0
    for t in [i / 100 for i in range(5, 96)]:
        tp = sum(1 for p, right, _, _ in scored if p >= t and right)
        # a code on a fact outside the codebook is neither right nor wrong (ROWS.md)
        fp = sum(1 for p, right, has_gold, is_fact in scored if p >= t and not right and (has_gold or not is_fact))
        f1 = 2 * tp / (2 * tp + fp + (n_gold - tp)) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best_t, best_f1 = t, f1
    return best_t


def fit(items: Sequence[GoldArticle], codebook: Codebook, synonyms: Synonyms) -> IndicatorModel:
    """The model learned from these gold articles: evidence terms, weights, threshold, body weights."""
    items = sorted(items, key=lambda it: it.key)
    folds = _inner_folds(items, codebook, synonyms)
    exs = _cross_fitted_examples(codebook, synonyms, folds)
    coef, intercept = _logistic_fit(exs)
    threshold = choose_threshold(exs, coef, intercept)
    # the body weights, on figures coded by the fitted indicator weights with the evidence terms of the
    # held-out articles' training folds (as an unseen article is coded)
    body_exs = []
    for _train, held, evidence in folds:
        probe = make_model(codebook, coef, intercept, threshold, evidence, synonyms)
        body_exs += body_examples(held, codebook, probe)
    body = BodyModel(_logistic_fit(body_exs)[0]) if body_exs else BodyModel()
    evidence = evidence_terms(items, codebook, synonyms)
    y = [label for ex in exs for label in ex.labels]
    info = {
        "articles": len(items),
        "numbers": len(exs),
        "candidate_pairs": len(y),
        "positives": int(sum(y)),
        "body_examples": len(body_exs),
    }
    return make_model(codebook, coef, intercept, threshold, evidence, synonyms, info, body)


def _logistic_fit(exs: Sequence[Example]) -> tuple[tuple[float, ...], float]:
    """Weights and intercept of a logistic regression of the candidates' labels on their features."""
    from sklearn.linear_model import LogisticRegression

    x = [f for ex in exs for f in ex.features]
    y = [label for ex in exs for label in ex.labels]
    if len(set(y)) < 2:
        raise ValueError("the gold rows give no positive and negative examples to fit on")
    lr = LogisticRegression(C=REGULARIZATION, max_iter=2000)
    lr.fit(x, y)
    return tuple(float(w) for w in lr.coef_[0]), float(lr.intercept_[0])
