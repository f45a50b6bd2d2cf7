"""Turn one article into indicator rows (ROWS.md) and account for every other number.

For each number that is a fact: the indicator is the most probable candidate of the indicator model
(`dxdata.extract.model`), chosen for all the figures of the article at once; the period comes from the
nearest time expression (else the event or publication date); the region from the nearest place name (else
the article's own province, else VN); the body from the subject of the sentence (else the body whose meeting
or report the article covers).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final

import numpy as np

from dxdata.codebook import Codebook, Indicator, schemas_dir
from dxdata.extract import numbers, periods
from dxdata.extract.body_model import NO_BODY
from dxdata.extract.cues import CueIndex, body_hits, scan_article
from dxdata.extract.model import FEATURES, ArticleWords, IndicatorModel, Profiles, load_model
from dxdata.extract.numbers import NumberMention, find_numbers
from dxdata.extract.periods import TimeExpr, find_time_expressions
from dxdata.extract.regions import RegionMatch, find_regions, find_regions_and_words, region_2025
from dxdata.extract.sentences import Sentence, split_sentences
from dxdata.extract.settings import settings
from dxdata.models import Article, ExtractionResult, Mention, Observation
from dxdata.text import text_views

_CUE: Final = settings().cue_weights  # how an exact cue hit is weighed (schemas/extraction.yaml)
_ESTIMATE_WORDS: Final = settings().status_words.estimate
_TARGET_WORDS: Final = settings().status_words.target
_ESTIMATE_RE: Final = re.compile(rf"\b(?:{'|'.join(_ESTIMATE_WORDS)})\b", re.IGNORECASE)
_TARGET_RE: Final = re.compile(rf"\b(?:{'|'.join(_TARGET_WORDS)})\b", re.IGNORECASE)


_NATIONAL_MEETING_RE: Final = re.compile(
    r"(?:phiên\s+họp|hội\s+nghị|cuộc\s+họp)[^.;]{0,80}(?:Ủy ban Quốc gia|Chính phủ|toàn quốc|Ban Chỉ đạo)",
    re.IGNORECASE,
)
_RESPECTIVELY_RE: Final = re.compile(r"\blần lượt\b", re.IGNORECASE)
_VENUE_BEFORE_RE: Final = re.compile(r"(?:điểm cầu|tại hội trường)(?:\s*(?:tỉnh|thành phố|TP\.?))?\s*$", re.IGNORECASE)
_POSSESSIVE_BEFORE_RE: Final = re.compile(r"\b(?:của|thuộc)\s*$", re.IGNORECASE)
_MEETING_RE: Final = re.compile(
    r"(?:phiên\s+họp|hội\s+nghị|cuộc\s+họp|báo\s+cáo|kỳ\s+họp)[^.;]{0,60}?\bcủa\s+$"
    r"|(?:phiên\s+họp|kỳ\s+họp|cuộc\s+họp)(?:\s+(?:lần\s+)?thứ\s+\S+)?\s+$",
    re.IGNORECASE,
)
_PROVINCE_SUBJECT_RE: Final = re.compile(r"(?:tỉnh|thành phố|TP\.?|Tp\.?)\s*$", re.IGNORECASE)
_MAX_FIGURES_AWAY: Final = 10  # a cue word past this many other figures no longer speaks for a number
# a dash between two numbers joins the ends of a range ("90 - 93%"), it does not break the clause
_CLAUSE_BREAK_RE: Final = re.compile(r"[;:]|(?<!\d)\s[-–]\s|\s[-–]\s(?!\d)|,\s*trong đó\b", re.IGNORECASE)


class BodyMention:
    """A body's name in the text. A plain class, as `dxdata.extract.sentences.Sentence` (built by a direct call)."""

    def __init__(self, start: int, end: int, code: str) -> None:
        self.start = start
        self.end = end
        self.code = code

    def __repr__(self) -> str:
        return f"BodyMention({self.start}, {self.end}, {self.code!r})"


def find_bodies(
    text: str, folded: str, codebook: Codebook, found: list[tuple[int, int, str]] | None = None
) -> list[BodyMention]:
    """Body names and aliases in the text, leftmost-longest, non-overlapping.

    `found`: `body_hits(codebook, folded)`, when the caller has it already.
    """
    if found is None:
        found = body_hits(codebook, folded)
    hits = [BodyMention(s, e, code) for s, e, code in found]
    hits.sort(key=lambda b: (b.start, -(b.end - b.start)))
    out: list[BodyMention] = []
    last_end = -1
    for b in hits:
        if b.start >= last_end and not _is_concept(folded, b):
            out.append(b)
            last_end = b.end
    return out


_CONCEPT_AFTER_RE: Final = re.compile(r"\s+(?:dien tu|so\b|thong minh)")


def _is_concept(folded: str, mention: BodyMention) -> bool:
    """'Chính phủ điện tử', 'Chính phủ số' are concepts, not the Government."""
    return mention.code == "GOV" and _CONCEPT_AFTER_RE.match(folded, mention.end) is not None


@dataclass
class _ArticleContext:
    article: Article
    text: str
    folded: str
    sentences: list[Sentence]
    numbers: list[NumberMention]
    times: list[TimeExpr]
    regions: list[RegionMatch]
    bodies: list[BodyMention]
    ref_date: date | None
    report_period: TimeExpr | None  # the span of months the lead names (`_report_period`)
    default_region: str
    body_tally: _BodyTally
    cues: CueIndex
    scorers: dict[Sentence, _SentenceScorer] = field(default_factory=dict)  # built once per sentence
    sentence_index: dict[Sentence, int] = field(default_factory=dict)
    clause_breaks: dict[Sentence, list[tuple[int, int]]] = field(default_factory=dict)
    possessive: dict[int, bool] = field(default_factory=dict)  # body start -> '... của <body>'
    sentence_times: dict[Sentence, list[TimeExpr]] = field(default_factory=dict)  # `_times_in`
    first_match_ends: dict[tuple[int, str], int] = field(default_factory=dict)  # `_sentence_says`
    sentence_time_ends: dict[int, list[int]] = field(default_factory=dict)  # `_nearest_time`
    time_starts: list[int] = field(default_factory=list)  # the starts of `times`, `regions`, `bodies`
    region_starts: list[int] = field(default_factory=list)
    body_starts: list[int] = field(default_factory=list)
    year_mentions: list[tuple[int, int]] | None = None  # `_article_index_year`
    model: IndicatorModel | None = None
    words: ArticleWords | None = None
    trace: Trace | None = None  # what the decisions saw, for fitting the model
    sentence_contexts: dict[tuple, np.ndarray] = field(default_factory=dict)
    lead_contexts: dict[tuple, np.ndarray] = field(default_factory=dict)
    sentence_rows: dict[int, list[int]] = field(default_factory=dict)  # sentence start -> its terms' profile rows

    def sentence_context(self, sent: Sentence, kind: _Kind) -> np.ndarray:
        """The similarities of the sentence to the indicators of one kind (once per sentence and kind)."""
        key = (sent.start, kind.key)
        found = self.sentence_contexts.get(key)
        if found is None:
            rows = self.sentence_rows.get(sent.start)
            if rows is None:  # the same for every kind
                rows = self.sentence_rows[sent.start] = kind.profiles.rows(self.words.span_terms(sent.start, sent.end))
            found = self.sentence_contexts[key] = kind.profiles.presence(rows)
        return found

    def lead_context(self, kind: _Kind) -> np.ndarray:
        """The similarities of the title and the first sentences to the indicators of one kind."""
        found = self.lead_contexts.get(kind.key)
        if found is None:
            found = self.lead_contexts[kind.key] = kind.profiles.presence(kind.profiles.rows(self.words.lead))
        return found

    def scorer(self, sent: Sentence, sent_nums: list[NumberMention]) -> _SentenceScorer:
        """The cue hits and number layout of a sentence, shared by all numbers in it."""
        scorer = self.scorers.get(sent)
        if scorer is None:
            scorer = self.scorers[sent] = _SentenceScorer(self, sent, sent_nums)
        return scorer

    def index_of(self, sent: Sentence) -> int:
        """`sentences.index(sent)` without the linear scan."""
        if not self.sentence_index:
            for i, s in enumerate(self.sentences):
                self.sentence_index.setdefault(s, i)
        return self.sentence_index[sent]


@dataclass
class Trace:
    """What extraction's decisions saw, for fitting their weights on gold (`dxdata.extract.fit`)."""

    indicators: list = field(default_factory=list)  # (number, its candidates with features, its context terms)
    bodies: list = field(default_factory=list)  # (number, its indicator's code, {body: its BODY_FEATURES})


def extract_article(
    article: Article, codebook: Codebook, model: IndicatorModel | None = None, trace: Trace | None = None
) -> ExtractionResult:
    """All observations and unpublished number mentions of one article.

    `model`: the indicator model (default: the fitted one beside the codebook); `trace`: receives the
    candidates with their features of every decision, for fitting the model on gold.
    """
    ctx = _context(article, codebook)
    ctx.model = model or load_model(codebook, codebook.folder or schemas_dir())
    ctx.words = ArticleWords(ctx.folded, ctx.model.synonyms, _lead_end(ctx.sentences), article.title)
    ctx.trace = trace
    pieces = _sentences_with_numbers(ctx)
    facts: list[tuple[Sentence, NumberMention]] = []
    for sent, nums in pieces:
        sent_facts = [(sent, num) for num in nums if _skip_reason(sent, num) is None]
        if sent_facts:  # the layout of its figures and cue hits, for weighing cues
            ctx.scorer(sent, nums)
            facts += sent_facts
    chosen = _choose_indicators(ctx, codebook, facts)
    result = ExtractionResult()
    rows: dict[tuple, int] = {}  # (indicator, value, unit, period_end) -> its row
    dated: dict[tuple, int] = {}  # (indicator, value, unit) -> its first row dated by time words of its own
    undated: dict[tuple, tuple[int, Sentence, NumberMention]] = {}  # ... -> its row dated by the article only
    for sent, nums in pieces:
        for num in nums:
            reason = _skip_reason(sent, num)
            if reason is None:
                obs, reason = _observe(ctx, sent, num, chosen[id(num)])
                if obs is not None:
                    # one fact, one row: a figure repeated in title, lead and body is kept once, dated by the
                    # repetition that has time words ("661 triệu giao dịch" in the title, "tính đến cuối tháng
                    # 9-2022, ... hơn 661 triệu" in the body), with the denominator if any repetition gives it
                    key = (obs.indicator_code, obs.value, obs.unit, obs.period_end)
                    fact = key[:3]
                    own_date = not (obs.period_start is None and obs.period_end == ctx.ref_date)
                    if key not in rows and not own_date and fact in dated:
                        key = (*fact, result.observations[dated[fact]].period_end)
                    if key in rows:
                        reason = "repeated_fact"
                        kept = result.observations[rows[key]]
                        if kept.denominator is None and obs.denominator is not None:
                            result.observations[rows[key]] = replace(kept, denominator=obs.denominator)
                    elif own_date and fact in undated:  # the dated repetition replaces the undated row
                        row, old_sent, old_num = undated.pop(fact)
                        old = result.observations[row]
                        del rows[(*fact, old.period_end)]
                        if obs.denominator is None:
                            obs = replace(obs, denominator=old.denominator)
                        result.observations[row] = obs
                        rows[key] = dated[fact] = row
                        result.mentions.append(_mention(ctx, old_sent, old_num, "repeated_fact"))
                        continue
                    else:
                        row = rows[key] = len(result.observations)
                        if own_date:
                            dated.setdefault(fact, row)
                        else:
                            undated[fact] = (row, sent, num)
                        result.observations.append(obs)
                        continue
            result.mentions.append(_mention(ctx, sent, num, reason))
    return result


def _sentences_with_numbers(ctx: _ArticleContext) -> list[tuple[Sentence, list[NumberMention]]]:
    """Each sentence that holds numbers, with them, in text order."""
    out = []
    starts = [n.start for n in ctx.numbers]  # numbers are sorted by start
    for sent in ctx.sentences:
        lo, hi = bisect_left(starts, sent.start), bisect_left(starts, sent.end)
        if hi > lo:
            out.append((sent, ctx.numbers[lo:hi]))
    return out


def _context(article: Article, codebook: Codebook) -> _ArticleContext:
    text = article.text
    # `fold(text)` for cues and bodies; `text.lower()` (None if that moves offsets: each finder then lowers the
    # text its own way) for regions, numbers and times; the digit runs numbers and times start at
    folded, lowered, runs, *_ = text_views(text)
    ref = article.event_date or article.published
    if lowered is None:
        regions, anchors = find_regions(text), None
    else:  # one scan for the region names and the words numbers and time expressions start with
        regions, anchors = find_regions_and_words(text, lowered, _ANCHOR_WORDS)
    cues, body_found = scan_article(codebook, folded)
    bodies = find_bodies(text, folded, codebook, body_found)
    sentences = split_sentences(text)
    times = find_time_expressions(text, article.published or article.event_date, runs, lowered, anchors)
    return _ArticleContext(
        article=article,
        text=text,
        folded=folded,
        sentences=sentences,
        numbers=find_numbers(text, runs, lowered, anchors),
        times=times,
        regions=regions,
        bodies=bodies,
        ref_date=ref,
        report_period=_report_period(sentences, times),
        default_region=_default_region(article, regions, sentences),
        body_tally=_body_tally(text, bodies, sentences),
        cues=cues,
        time_starts=[t.start for t in times],
        region_starts=[r.start for r in regions],
        body_starts=[b.start for b in bodies],
    )


# the words numbers and time expressions start with
_ANCHOR_WORDS: Final = tuple(dict.fromkeys(numbers.ANCHOR_LITERALS + periods.ANCHOR_LITERALS))


def _starting_in(items: list, starts: list[int], lo: int, hi: int) -> list:
    """The items (sorted by start; `starts` their starts) that start in [lo, hi): two bisections."""
    return items[bisect_left(starts, lo) : bisect_left(starts, hi)]


def _lead_end(sentences: list[Sentence], n: int = 3) -> int:
    """Where the article's first `n` sentences (not page chrome) end: its lead."""
    body = [s for s in sentences if not s.is_chrome]
    return body[min(n, len(body)) - 1].end if body else 0


def _default_region(article: Article, regions: list[RegionMatch], sentences: list[Sentence]) -> str:
    """The province an article is about: one named in its title (or first line), else the one most of its
    place names name, else the only one it names, if its lead names it; else VN."""
    if _national_meeting(article.text, sentences):
        return "VN"
    first = next((s for s in sentences if not s.is_chrome), None)
    title_span = (0, first.end) if first else (0, 0)
    codes = {r.region_code for r in regions if title_span[0] <= r.start < title_span[1]}
    if article.title:
        codes |= {r.region_code for r in find_regions(article.title)}
    if len(codes) == 1:
        return codes.pop()
    starts = [s.start for s in sentences]
    body_codes = Counter(
        r.region_code
        for r in regions
        if not _in_chrome(r.start, sentences, starts)
        and not _VENUE_BEFORE_RE.search(article.text[max(0, r.start - 25) : r.start])
    )
    if body_codes:
        code, count = body_codes.most_common(1)[0]
        if count >= 3 and count >= 0.6 * sum(body_codes.values()):
            return code
        lead_end = _lead_end(sentences)
        if len(body_codes) == 1 and any(r.start < lead_end for r in regions if r.region_code == code):
            return code
    return "VN"


def _national_meeting(text: str, sentences: list[Sentence]) -> bool:
    """A lead that reports a meeting or report of a national body (covered by a provincial paper)."""
    lead: list[str] = []
    for s in sentences:
        if not s.is_chrome:
            lead.append(text[s.start : s.end])
            if len(lead) == 4:
                break
    return any(_NATIONAL_MEETING_RE.search(seg.replace("\n", " ")) for seg in lead)


def _in_chrome(pos: int, sentences: list[Sentence], starts: list[int]) -> bool:
    """True when `pos` lies in page chrome or between sentences (sorted by start; `starts`: their starts)."""
    i = bisect_left(starts, pos + 1) - 1  # the sentences starting at or before `pos`, less one
    return i < 0 or not (sentences[i].start <= pos < sentences[i].end) or sentences[i].is_chrome


@dataclass(frozen=True)
class _BodyTally:
    """The article's bodies: whose meeting or report it covers, and each body's share of the names."""

    meeting: str | None
    lead: dict[str, float]  # body -> its share of the (non-possessive) body names in the lead
    article: dict[str, float]  # the same over the article, page chrome left out
    named: dict[str, float]  # its share of all body names in the article, possessives too ("... của Bộ Y tế")

    @property
    def default(self) -> str | None:
        """The body whose meeting or report the article covers, else the most named one in the lead, else in
        the article."""
        for shares in ({self.meeting: 1.0} if self.meeting else {}, self.lead, self.article):
            if shares:
                return max(shares, key=shares.__getitem__)
        return None


def _body_tally(text: str, bodies: list[BodyMention], sentences: list[Sentence]) -> _BodyTally:
    body_sents = [s for s in sentences if not s.is_chrome]
    lead_end = body_sents[min(len(body_sents) - 1, 3)].end if body_sents else 0
    flat = text.replace("\n", " ")
    meeting = next(
        (b.code for b in bodies if b.start < lead_end and _MEETING_RE.search(flat[max(0, b.start - 80) : b.start])),
        None,
    )
    subjects = [b for b in bodies if not _POSSESSIVE_BEFORE_RE.search(text[max(0, b.start - 8) : b.start])]
    starts = [s.start for s in sentences]
    lead = Counter(b.code for b in subjects if b.start < lead_end)
    article = Counter(b.code for b in subjects if not _in_chrome(b.start, sentences, starts))
    named = Counter(b.code for b in bodies if not _in_chrome(b.start, sentences, starts))
    return _BodyTally(meeting, _shares(lead), _shares(article), _shares(named))


def _shares(counts: Counter[str]) -> dict[str, float]:
    """Each key's share of the total, in order of first appearance (`most_common` ties go to the first)."""
    total = sum(counts.values())
    return {code: n / total for code, n in counts.items()}


def _skip_reason(sent: Sentence, num: NumberMention) -> str | None:
    if num.not_fact:
        return num.not_fact
    if sent.is_chrome:
        return "page_chrome"
    return None


def _sentence_breaks(ctx: _ArticleContext, sent: Sentence) -> list[tuple[int, int]]:
    """The spans of the sentence's `_CLAUSE_BREAK_RE` matches, found once per sentence."""
    breaks = ctx.clause_breaks.get(sent)
    if breaks is None:
        seg = ctx.text[sent.start : sent.end]
        breaks = [(sent.start + m.start(), sent.start + m.end()) for m in _CLAUSE_BREAK_RE.finditer(seg)]
        ctx.clause_breaks[sent] = breaks
    return breaks


def _clause_bounds(ctx: _ArticleContext, sent: Sentence, pos: int) -> tuple[int, int]:
    start, end = sent.start, sent.end
    for break_start, break_end in _sentence_breaks(ctx, sent):
        if break_start < pos:
            start = break_end
        else:
            end = break_start
            break
    return start, end


def _observe(
    ctx: _ArticleContext, sent: Sentence, num: NumberMention, indicator: Indicator | None
) -> tuple[Observation | None, str]:
    if indicator is None:
        return None, "no_indicator"
    clause = _clause_bounds(ctx, sent, num.start)
    period_start, period_end = _period(ctx, sent, num, indicator)
    region = _region(ctx, sent, clause, num, indicator)
    body = _body(ctx, sent, clause, num, indicator, period_end)
    status = _status(ctx, sent, clause, num, indicator)
    evidence = ctx.text[sent.start : sent.end]
    return (
        Observation(  # every field, in the order `Observation` declares them (positional: see `_mention`)
            ctx.article.article_id,
            ctx.article.source_file,
            indicator.code,  # indicator_code
            float(num.value),  # value
            num.unit or indicator.unit,  # unit
            num.qualifier,
            status,
            region,  # region_code
            body,  # body_code
            evidence,
            sent.start,  # char_start
            sent.end,  # char_end
            num.text,  # number_text
            num.start,  # number_start
            num.end,  # number_end
            num.denominator,
            period_start,
            period_end,
            region_2025(region),  # region_code_2025
        ),
        "",
    )


_BY_KIND: Final[dict[str, dict[tuple[str | None, bool], list[Indicator]]]] = {}


def _indicators_by_kind(codebook: Codebook) -> dict[tuple[str | None, bool], list[Indicator]]:
    """Indicators grouped by (unit, is a change), in codebook order: the only ones a number can take."""
    grouped = _BY_KIND.get(codebook.fingerprint)
    if grouped is None:
        grouped = {}
        for indicator in codebook.indicators.values():
            for unit in indicator.units:
                grouped.setdefault((unit, indicator.kind == "change"), []).append(indicator)
        _BY_KIND[codebook.fingerprint] = grouped
    return grouped


Choice = tuple[Indicator, tuple[float, ...]]  # a candidate indicator and its features (`indicator_model.FEATURES`)


@dataclass(frozen=True)
class _Kind:
    """The indicators a number of one (unit, is a change) may take, as arrays over the model's profiles."""

    key: tuple[str | None, bool]
    indicators: tuple[Indicator, ...]
    position: dict[str, int]  # code -> its row among `indicators`
    profiles: Profiles  # theirs alone, one column each in the order of `indicators`


def _kinds(codebook: Codebook, model: IndicatorModel) -> dict[tuple[str | None, bool], _Kind]:
    """The kinds of number and their candidates, made once per model (kept with it) and codebook."""
    key = ("kinds", codebook.fingerprint)
    found = model.derived.get(key)
    if found is None:
        found = {
            kind: _Kind(
                kind,
                tuple(inds),
                {ind.code: j for j, ind in enumerate(inds)},
                model.profiles.restricted([ind.code for ind in inds]),
            )
            for kind, inds in _indicators_by_kind(codebook).items()
        }
        model.derived[key] = found
    return found


def _choose_indicators(
    ctx: _ArticleContext, codebook: Codebook, facts: list[tuple[Sentence, NumberMention]]
) -> dict[int, Indicator | None]:
    """The indicator of every fact of the article (by `id` of the number), or None: the most probable
    candidate if the model gives it at least its threshold. One batch of arrays per kind of number."""
    kinds = _kinds(codebook, ctx.model)
    chosen: dict[int, Indicator | None] = {}
    groups: dict[tuple[str | None, bool], list[tuple[Sentence, NumberMention]]] = {}
    for sent, num in facts:
        key = (num.unit, num.is_change)
        if key in kinds:
            groups.setdefault(key, []).append((sent, num))
        else:
            chosen[id(num)] = None
            if ctx.trace is not None:
                ctx.trace.indicators.append((num, [], {}))
    for key, items in groups.items():
        kind = kinds[key]
        features, candidate, contexts = _features(ctx, kind, items)
        scores = np.where(candidate, features @ ctx.model.weights, -np.inf)
        best = np.argmax(scores, axis=1)
        for i, (_, num) in enumerate(items):
            ok = scores[i, best[i]] >= ctx.model.min_score
            chosen[id(num)] = kind.indicators[best[i]] if ok else None
            if ctx.trace is not None:
                rows = np.flatnonzero(candidate[i])
                choices = [(kind.indicators[j], tuple(float(x) for x in features[i, j])) for j in rows]
                ctx.trace.indicators.append((num, choices, {**contexts[2 * i], **contexts[2 * i + 1]}))
    return chosen


def _features(
    ctx: _ArticleContext, kind: _Kind, items: list[tuple[Sentence, NumberMention]]
) -> tuple[np.ndarray, np.ndarray, list[dict[str, float]]]:
    """For figures of one kind: their features against each indicator of the kind (figures x indicators x
    `indicator_model.FEATURES`), which indicators are their candidates (those some word of the sentence speaks
    for), and the words before and after each (two dicts a figure)."""
    m, n = len(items), len(kind.indicators)
    words = ctx.words
    contexts: list[dict[str, float]] = []
    cue = np.zeros((m, n))
    sentence = np.empty((m, n))
    heads: dict[int, int] = {}  # the start of a list's first figure -> the row its cues were weighed in
    for i, (sent, num) in enumerate(items):
        scorer = ctx.scorers[sent]
        clause = _clause_bounds(ctx, sent, num.start)
        k = bisect_right(scorer.fact_starts, num.start)
        next_fact = scorer.fact_starts[k] if k < len(scorer.fact_starts) else clause[1]
        # "lần lượt là 30%, 45% và 60%": a figure in a list shares the words before the list's first figure
        head = scorer.list_head(num)
        head_clause = clause if head is num else _clause_bounds(ctx, sent, head.start)
        contexts.append(words.left_terms(head_clause[0], head.start))
        contexts.append(words.right_terms(num.end, min(clause[1], next_fact)))
        sentence[i] = ctx.sentence_context(sent, kind)
        done = heads.get(head.start)
        if done is not None:  # the list's first figure was weighed already: the same cues, the same figure
            cue[i] = cue[done]
            continue
        heads[head.start] = i
        weights: dict[tuple[int, int], float] = {}
        cue_scores: dict[tuple[int, ...], float] = {}
        for code in scorer.present:
            j = kind.position.get(code)
            if j is None:
                continue
            best = 0.0
            for ids in scorer.usable_cues(code):
                score = cue_scores.get(ids)
                if score is None:
                    score = cue_scores[ids] = _cue_score(ctx, scorer, head, ids, weights)
                best = max(best, score)
            cue[i, j] = math.log1p(best)
    around = kind.profiles.similarities(contexts)
    local = np.stack((cue, around[0::2], around[1::2], sentence), axis=2)
    features = np.empty((m, n, len(FEATURES)))
    features[..., :4] = local
    features[..., 4] = ctx.lead_context(kind)
    # margins over the best other candidate; the ones left out have 0 in all four, as if they were not there
    features[..., 5:9] = _margins(local[..., [1, 2, 3, 0]])  # of left, right, sentence and cue
    features[..., 9] = math.log(n)
    return features, (local > 0).any(axis=2), contexts


def _margins(values: np.ndarray) -> np.ndarray:
    """Each value less the largest other value of its column, per figure (figures x indicators x columns)."""
    if values.shape[1] < 2:
        return values.copy()
    top = np.sort(values, axis=1)[:, -2:]  # per figure and column: the second largest, then the largest
    second, largest = top[:, :1], top[:, 1:]
    return values - np.where(values >= largest, second, largest)


def _cue_score(
    ctx: _ArticleContext,
    scorer: _SentenceScorer,
    num: NumberMention,
    cue: tuple[int, ...],
    weights: dict[tuple[int, int], float],
) -> float:
    """Sum of the weighted lengths of the cue's parts, found in order ('a ... b': a before b)."""
    score, after = 0.0, -1
    hits = scorer.hits
    lo, hi = scorer.reach(num)
    for part_id in cue:
        # the best occurrence of the part after the previous one: the greatest (weighted length, start, end),
        # compared field by field (no tuple built per occurrence); best_end < 0 while there is none
        best_score, best_start, best_end = 0.0, 0, -1
        found = hits.get(part_id, ())
        for k in range(bisect_left(scorer.hit_starts.get(part_id, ()), max(after, lo)), len(found)):
            s, e = found[k]
            if s >= hi:
                break
            w = weights.get((s, e))
            if w is None:
                w = weights[(s, e)] = scorer.weight(num, s, e)
            part_score = w * (e - s)
            if (
                best_end < 0
                or part_score > best_score
                or (part_score == best_score and (s > best_start or (s == best_start and e > best_end)))
            ):
                best_score, best_start, best_end = part_score, s, e
        if best_end < 0 or best_score <= 0.0:
            return 0.0
        score += best_score * scorer.discount(part_id)
        after = best_end
    return score


class _SentenceScorer:
    """One sentence's cue hits and the layout of its fact numbers, for weighing cues against each number."""

    def __init__(self, ctx: _ArticleContext, sent: Sentence, sent_nums: list[NumberMention]) -> None:
        self.text = ctx.text
        self.hits = ctx.cues.hits_in(sent.start, sent.end)
        self.present = ctx.cues.codes_with_parts(self.hits)
        facts = [n for n in sent_nums if n.not_fact is None]
        self.facts = sorted(facts, key=lambda n: n.start)
        # the facts' spans, as two lists of unboxed integers, both in order (facts do not overlap)
        self.fact_starts = [n.start for n in self.facts]
        self.span_ends = [n.end for n in self.facts]
        self.fact_ends: dict[int, int] = {}  # end offset -> how many facts end there
        for n in facts:
            self.fact_ends[n.end] = self.fact_ends.get(n.end, 0) + 1
        self.position = {id(n): i for i, n in enumerate(self.facts)}  # a fact -> its place among them
        self.breaks = _sentence_breaks(ctx, sent)
        self.break_starts = [b for b, _ in self.breaks]  # sorted, and so are their ends: breaks do not overlap
        self.break_ends = [e for _, e in self.breaks]
        self.hit_starts = {pid: [s for s, _ in found] for pid, found in self.hits.items()}
        self.ends_before: dict[int, tuple[int, ...]] = {}  # cue start -> `_ends_just_before` it, where one is
        self._cues = ctx.cues
        self._hit_parts = set(self.hits)
        self._usable: dict[str, list[tuple[int, ...]]] = {}
        self._discounts: dict[int, float] = {}
        # (unit, is a change) -> the indicators of that kind with a cue part here, as (order, indicator)
        self.candidates: dict[tuple[str | None, bool], list[tuple[int, Indicator]]] = {}

    def list_head(self, num: NumberMention) -> NumberMention:
        """The first figure of the list `num` stands in ("30%, 45% và 60%": only ',', ';', 'và', 'hoặc' between
        figures of one unit), else `num` itself."""
        head = num
        i = self.position[id(num)]
        while i > 0:
            prev = self.facts[i - 1]
            if prev.unit != head.unit or not _LIST_LINK_RE.fullmatch(self.text, prev.end, head.start):
                break
            head, i = prev, i - 1
        return head

    def reach(self, num: NumberMention) -> tuple[int, int]:
        """The stretch of the sentence whose cue words may speak for `num`: up to `_MAX_FIGURES_AWAY` other
        figures on either side (past them a cue keeps at most `per_figure_between` to that
        power of its weight), so that a sentence of many figures costs in proportion to its length."""
        i, n = self.position[id(num)], len(self.facts)
        lo = self.span_ends[i - _MAX_FIGURES_AWAY - 1] if i > _MAX_FIGURES_AWAY else -1
        hi = self.fact_starts[i + _MAX_FIGURES_AWAY + 1] if i + _MAX_FIGURES_AWAY + 1 < n else len(self.text)
        return lo, hi

    def discount(self, part_id: int) -> float:
        """The share of a cue part's score it keeps: a part many indicators share says less (`generic_discount`)."""
        found = self._discounts.get(part_id)
        if found is None:
            found = self._discounts[part_id] = 1.0 - _CUE.generic_discount * (1.0 - self._cues.specificity(part_id))
        return found

    def usable_cues(self, code: str) -> list[tuple[int, ...]]:
        """The indicator's cues (as part ids) whose every part occurs in this sentence."""
        found = self._usable.get(code)
        if found is None:
            hit_parts = self._hit_parts
            found = self._usable[code] = [ids for ids, parts in self._cues.cue_parts_of(code) if parts <= hit_parts]
        return found

    def weight(self, num: NumberMention, start: int, end: int) -> float:
        """How much a cue occurrence at [start, end) speaks for `num` (a fact of this sentence):
        near it, and not across other numbers or clause breaks."""
        text = self.text
        if end <= num.start:
            gap = num.start - end
            lo, hi = end, num.start
        elif start >= num.end:
            gap = start - num.end
            lo, hi = num.end, start
        else:
            gap, lo, hi = 0, num.start, num.start
        # other numbers in between ([lo, hi) never holds num.start)
        crossings = bisect_left(self.fact_starts, hi) - bisect_left(self.fact_starts, lo)
        breaks = max(0, bisect_right(self.break_ends, hi) - bisect_left(self.break_starts, lo))
        for other_end in self._ends_just_before(start):
            if self.fact_ends[other_end] > (other_end == num.end):
                return 0.0  # the counted noun of another number ("5 quyết định, 2 chỉ thị"): not ours
        weight = 1.0 / (1.0 + gap / _CUE.decay_chars)
        if (
            start >= num.end
            and gap <= 2
            and not text[num.end : start].strip()
            and end - start >= _CUE.head_noun_min_chars
            and num.unit not in ("VND", "USD")
        ):
            weight *= _CUE.head_noun_bonus  # the counted noun right after the number: "52 địa phương"
        else:
            if start >= num.end:
                weight *= _CUE.after_penalty  # words describing a number mostly precede it or follow it at once
            if self._min_gap(start, end) < gap:  # num's own gap is `gap`: a smaller one is another number's
                weight *= _CUE.other_number_penalty  # the cue words sit closer to another number: they are its words
        return weight * _CUE.per_figure_between**crossings * _CUE.per_clause_break_between**breaks

    def _ends_just_before(self, start: int) -> tuple[int, ...]:
        """The fact ends at most 2 characters before `start`, with only spaces in between (once per start)."""
        ends = self.span_ends  # mostly no fact ends there: told by a bisection, nothing cached
        i = bisect_left(ends, start - 2)
        if i == len(ends) or ends[i] > start:
            return ()
        found = self.ends_before.get(start)
        if found is None:
            ends, text = self.fact_ends, self.text
            near = (start, start - 1, start - 2)
            found = self.ends_before[start] = tuple(end for end in near if end in ends and not text[end:start].strip())
        return found

    def _min_gap(self, start: int, end: int) -> int:
        """The characters between the occurrence and the nearest fact (0 when they overlap). The facts hold the
        number being weighed; no gap reaches the length of the text. Facts are sorted and do not overlap: the
        nearest is the last one starting before the occurrence ends or the first one starting after."""
        starts, ends = self.fact_starts, self.span_ends
        i = bisect_left(starts, end)
        found = starts[i] - end if i < len(starts) else len(self.text)
        if i > 0:
            before = ends[i - 1]
            found = min(found, start - before if start >= before else 0)
        return found


def _nearest_time(ctx: _ArticleContext, sent: Sentence, num: NumberMention) -> TimeExpr | None:
    """The time expression of the figure's sentence nearest to it, by `_time_distance`: the nearest one before
    it (any earlier in the sentence is farther), or one after it in its clause before the next figure.

    Times do not overlap, so their ends are in order as their starts: both sides are found by bisection and a
    walk that stops at the first that holds, and a sentence of many figures costs in proportion to its length.
    """
    clause_start, clause_end = _clause_bounds(ctx, sent, num.start)
    times = _times_in(ctx, sent)
    ends = ctx.sentence_time_ends.get(sent.start)
    if ends is None:
        ends = ctx.sentence_time_ends[sent.start] = [t.end for t in times]
    n_before = bisect_right(ends, num.start)  # times[:n_before] end before the figure
    if n_before:
        t = times[n_before - 1]
        # "tăng 8,6% so với năm 2023 (0,7326)": the figure in brackets is the compared year's
        if t.kind == "comparison" and ctx.text[t.end : num.start].strip() == "(":
            return TimeExpr(t.start, t.end, t.period_start, t.period_end, "year")
    best: TimeExpr | None = None
    for k in range(n_before - 1, -1, -1):
        t = times[k]
        if t.kind in ("comparison", "year_of"):  # "thứ 2 của năm 2018" dates what precedes it
            continue
        # "từ dưới 1% cách đây hai năm đến khoảng 90%": the time between the two ends of a move is the first's
        if _MOVE_TO_RE.fullmatch(ctx.text, t.end, num.start) and _follows_fact(ctx, sent, t):
            continue
        best = t
        break
    best_distance = _time_distance(ctx, num, best, clause_start, clause_end) if best else math.inf
    fact_starts = ctx.scorers[sent].fact_starts  # the sentence's facts (its scorer is made before any period)
    for k in range(n_before, len(times)):
        t = times[k]
        if t.start >= clause_end:
            break
        # "12%, cao hơn mức 10% của năm 2023": a time after another figure is that figure's (and so is any later)
        if t.start >= num.end and bisect_left(fact_starts, t.start) > bisect_left(fact_starts, num.end):
            break
        if t.kind == "comparison" or t.start < clause_start:
            continue
        distance = _time_distance(ctx, num, t, clause_start, clause_end)
        if distance < best_distance:
            best, best_distance = t, distance
    return best


def _time_distance(ctx: _ArticleContext, num: NumberMention, t: TimeExpr, clause_start: int, clause_end: int) -> float:
    if t.end <= num.start:
        d = num.start - t.end
    elif _TIGHT_AFTER_RE.fullmatch(ctx.text, num.end, t.start):
        d = 0  # "58.000 DN năm 2020": the year right after the counted noun is the number's
    else:
        d = (t.start - num.end) * 1.5 + 10
    if not (clause_start <= t.start < clause_end):
        d += 150
    return d


# what joins two figures of one subject: a list ("30%, 45% và 60%") or a move ("từ 25% lên 45%"). (Allowing
# the first figure's time phrase in between, "từ 25% năm 2022 lên 45%", found more facts and coded fewer right:
# CV quantity F1 0.912 -> 0.924, indicator 0.920 -> 0.887, row F1 0.754 -> 0.736.)
_LIST_LINK_RE: Final = re.compile(
    r"\s*(?:,|;|và|hoặc|,\s*và|lên|xuống|xuống còn|còn)"
    r"(?:\s+(?:mức|con số))?\s*",
    re.IGNORECASE,
)
# at most two words, no digits or punctuation, between a number and the time expression after it
_TIGHT_AFTER_RE: Final = re.compile(r"\s*(?:[^\W\d]+\s+){0,2}")


def _times_in(ctx: _ArticleContext, sent: Sentence) -> list[TimeExpr]:
    """The time expressions starting in the sentence, in text order (found once per sentence)."""
    found = ctx.sentence_times.get(sent)
    if found is None:
        found = ctx.sentence_times[sent] = _starting_in(ctx.times, ctx.time_starts, sent.start, sent.end)
    return found


def _period(
    ctx: _ArticleContext, sent: Sentence, num: NumberMention, indicator: Indicator
) -> tuple[date | None, date | None]:
    t = _respective_period(ctx, sent, num) or _nearest_time(ctx, sent, num)
    if t is None:
        t = _previous_sentence_period(ctx, sent)
    if t is None and _sentence_says(ctx, sent, _ESTIMATE_RE, num.start):  # a report's estimate: its period
        t = ctx.report_period
    if _is_year_plan(ctx, num):  # the plan of the whole year its period lies in
        anchor = t.period_end if t is not None and t.period_end else ctx.ref_date
        if anchor is not None:
            return date(anchor.year, 1, 1), date(anchor.year, 12, 31)
    if t is not None and t.kind != "now":
        if _FROM_BEFORE_RE.search(ctx.text, max(0, num.start - 25), num.start) and _spans_years(t):
            # "giai đoạn 2014 - 2020 từ vị trí 99 lên vị trí 86": where the span started
            return date(t.period_start.year, 1, 1), date(t.period_start.year, 12, 31)
        return t.period_start, t.period_end
    if indicator.periodicity == "annual" and t is None:
        year = _article_index_year(ctx, num.start)
        if year:
            return date(year, 1, 1), date(year, 12, 31)
    return None, ctx.ref_date


# what leads from a move's first figure (and its time) to its second: "... đến khoảng 90%", ", lên 45%"
_MOVE_TO_RE: Final = re.compile(r"\s*,?\s*(?:đến|lên|xuống|tới)(?:\s+(?:mức|khoảng|gần|hơn|trên|con số))*\s*", re.I)


def _follows_fact(ctx: _ArticleContext, sent: Sentence, t: TimeExpr) -> bool:
    """A fact figure of the sentence stands right before the time expression (at most two words between: only
    the last figure ending before it can)."""
    ends = ctx.scorers[sent].span_ends  # the facts' ends, in order (facts do not overlap)
    i = bisect_right(ends, t.start) - 1
    return i >= 0 and _TIGHT_AFTER_RE.fullmatch(ctx.text, ends[i], t.start) is not None


# the start of a move "từ X lên Y"
_FROM_BEFORE_RE: Final = re.compile(r"\btừ(?:\s+(?:mức|vị trí|vị trí thứ|hạng|thứ|con số))?\s*$", re.IGNORECASE)


def _spans_years(t: TimeExpr) -> bool:
    """A period over several years ("giai đoạn 2014 - 2020")."""
    return t.period_start is not None and t.period_end is not None and t.period_start.year < t.period_end.year


def _previous_sentence_period(ctx: _ArticleContext, sent: Sentence) -> TimeExpr | None:
    """A sentence with no time words of its own continues the period of the one before it (in its paragraph).

    (Carrying a period further, from any earlier sentence of the paragraph or from the article's first
    sentence, lowered the cross-validated period accuracy: 0.888 -> 0.826 and 0.880.)"""
    index = ctx.index_of(sent)
    if index == 0:
        return None
    # "Trong đó, ...", "Cụ thể, ...": a sentence that opens on the one before it continues it across a paragraph
    # break too ("Tính đến ngày 13/11/2024, ... 2.206 dịch vụ công. // Trong đó, ... có 742 dịch vụ")
    if ctx.sentences[index - 1].paragraph != sent.paragraph and not _CONTINUES_RE.match(ctx.text, sent.start):
        return None
    periods = [t for t in _times_in(ctx, ctx.sentences[index - 1]) if t.kind in _CARRIED_KINDS]
    return periods[-1] if periods else None


def _report_period(sentences: list[Sentence], times: list[TimeExpr]) -> TimeExpr | None:
    """The period a report's lead names ("Trong 2 tháng đầu năm 2024", "quý I/2024"): the first span of months
    within one year in the article's first paragraph (None when there is none)."""
    first = next((s for s in sentences if not s.is_chrome), None)
    if first is None:
        return None
    lead_end = max(s.end for s in sentences if s.paragraph == first.paragraph)
    for t in times:  # in text order
        if t.start >= lead_end:
            break
        if t.start >= first.start and t.kind == "range" and t.period_start and t.period_end and _within_a_year(t):
            return t
    return None


def _within_a_year(t: TimeExpr) -> bool:
    return t.period_start.year == t.period_end.year and (t.period_end - t.period_start).days < 360


_CONTINUES_RE: Final = re.compile(r"\s*(?:trong đó|trong số (?:này|đó)|cụ thể)\b", re.IGNORECASE)
_CARRIED_KINDS: Final = ("range", "year", "cumulative", "day", "month")  # not "now", comparisons, "của năm"


def _article_index_year(ctx: _ArticleContext, before: int) -> int | None:
    """The year of the ranking an article discusses: the latest 'năm YYYY' before the number."""
    if ctx.year_mentions is None:  # (start, year) of every 'năm YYYY', once per article
        ctx.year_mentions = [(t.start, t.period_end.year) for t in ctx.times if t.kind == "year" and t.period_end]
    years = ctx.year_mentions
    i = bisect_left(years, (before,))  # the ones starting before the number
    if i:
        return years[i - 1][1]
    return years[0][1] if years else None


def _region(
    ctx: _ArticleContext, sent: Sentence, clause: tuple[int, int], num: NumberMention, indicator: Indicator
) -> str:
    if indicator.region_scope == "national":
        return "VN"
    respective = _respective_region(ctx, sent, num)
    if respective:
        return respective
    in_clause = _starting_in(ctx.regions, ctx.region_starts, clause[0], clause[1])
    if in_clause:
        before = [r for r in in_clause if r.end <= num.start]
        return (before[-1] if before else in_clause[0]).region_code
    in_sent = [r for r in _starting_in(ctx.regions, ctx.region_starts, sent.start, sent.end) if r.end <= num.start]
    if in_sent:
        return in_sent[-1].region_code
    return ctx.default_region


def _respective(ctx: _ArticleContext, sent: Sentence, num: NumberMention, things: list) -> object | None:
    """'TP.HCM và Quảng Ninh lần lượt xếp thứ 2 và 3', 'năm 2021 và 2022 lần lượt đạt 30% và 45%': in a sentence
    that says 'lần lượt', the i-th figure of a unit goes with the i-th of the `things` it names (places, years)."""
    if not _says_respectively(ctx, sent) or len(things) < 2:
        return None
    same_unit = [n for n in ctx.scorers[sent].facts if n.unit == num.unit and not n.is_change]
    if num not in same_unit or len(same_unit) % len(things):
        return None
    return things[same_unit.index(num) % len(things)]


def _says_respectively(ctx: _ArticleContext, sent: Sentence) -> bool:
    """The sentence says 'lần lượt' (`_sentence_says` searches it once)."""
    return _sentence_says(ctx, sent, _RESPECTIVELY_RE)


def _respective_region(ctx: _ArticleContext, sent: Sentence, num: NumberMention) -> str | None:
    if not _says_respectively(ctx, sent):
        return None
    codes: list[str] = []
    for r in _starting_in(ctx.regions, ctx.region_starts, sent.start, sent.end):
        if r.region_code not in codes:
            codes.append(r.region_code)
    return _respective(ctx, sent, num, codes)


def _respective_period(ctx: _ArticleContext, sent: Sentence, num: NumberMention) -> TimeExpr | None:
    if not _says_respectively(ctx, sent):
        return None
    years: list[TimeExpr] = []
    for t in _times_in(ctx, sent):
        if t.kind == "year" and t.end <= num.start and all(y.period_end != t.period_end for y in years):
            years.append(t)
    return _respective(ctx, sent, num, years)


def _body(
    ctx: _ArticleContext,
    sent: Sentence,
    clause: tuple[int, int],
    num: NumberMention,
    indicator: Indicator,
    period_end: date | None,
) -> str | None:
    """The body the figure is credited to: the codebook's source of the indicator, else the best scored of
    the candidates (`dxdata.extract.body_model`)."""
    source = indicator.source_body(ctx.ref_date or period_end)
    if source:
        return source
    candidates = _body_candidates(ctx, sent, clause, num, indicator)
    if ctx.trace is not None:
        ctx.trace.bodies.append((num, indicator.code, candidates))
    return ctx.model.body.choose(candidates) or None


def _body_candidates(
    ctx: _ArticleContext, sent: Sentence, clause: tuple[int, int], num: NumberMention, indicator: Indicator
) -> dict[str, tuple[float, ...]]:
    """Every body the figure may be credited to (NO_BODY: none), with its `BODY_FEATURES`."""
    before = _subjects(ctx, sent.start, num.start)
    subject = before[-1].code if before else None
    province_subject = any(
        _PROVINCE_SUBJECT_RE.search(ctx.text[max(0, r.start - 12) : r.start])
        and (not before or r.start > before[-1].start)
        for r in _starting_in(ctx.regions, ctx.region_starts, clause[0], num.start)
    )
    carried = _previous_sentence_subject(ctx, sent)
    provincial = ctx.default_region != "VN"
    tally = ctx.body_tally
    # the hand rule: the subject (a province as subject: its People's Committee), else the previous
    # sentence's, else the article's (a provincial article's own People's Committee before the Government)
    if province_subject:
        rule = "PPC"
    elif subject or carried:
        rule = subject or carried
    elif provincial and tally.default in (None, "GOV", "PM"):
        rule = "PPC"
    else:
        rule = tally.default or NO_BODY
    in_sentence = {b.code for b in _starting_in(ctx.bodies, ctx.body_starts, sent.start, sent.end)}
    codes = dict.fromkeys([NO_BODY, rule, *in_sentence, *tally.named])
    if provincial or province_subject:
        codes["PPC"] = None
    return {
        code: (
            float(code == rule),
            float(code == NO_BODY),
            float(code == subject),
            float(code in in_sentence),
            float(code == carried),
            float(code == tally.meeting),
            tally.lead.get(code, 0.0),
            tally.article.get(code, 0.0),
            tally.named.get(code, 0.0),
            float(code == "PPC" and (province_subject or provincial)),
        )
        for code in codes
    }


def _subjects(ctx: _ArticleContext, start: int, end: int) -> list[BodyMention]:
    """Body mentions in [start, end) that are not possessives ('... của Chính phủ')."""
    return [b for b in _starting_in(ctx.bodies, ctx.body_starts, start, end) if not _is_possessive(ctx, b)]


def _is_possessive(ctx: _ArticleContext, body: BodyMention) -> bool:
    """'... của Chính phủ': asked once per body mention, though many numbers ask."""
    found = ctx.possessive.get(body.start)
    if found is None:
        window = ctx.text[max(0, body.start - 8) : body.start]
        found = ctx.possessive[body.start] = _POSSESSIVE_BEFORE_RE.search(window) is not None
    return found


def _previous_sentence_subject(ctx: _ArticleContext, sent: Sentence) -> str | None:
    """A sentence with no body of its own continues the subject of the one before it."""
    index = ctx.index_of(sent)
    if index == 0 or ctx.sentences[index - 1].paragraph != sent.paragraph:
        return None
    prev = ctx.sentences[index - 1]
    found = _subjects(ctx, prev.start, prev.end)
    return found[0].code if found else None


def _status(
    ctx: _ArticleContext, sent: Sentence, clause: tuple[int, int], num: NumberMention, indicator: Indicator
) -> str:
    if _is_year_plan(ctx, num):
        return "target"
    if _sentence_says(ctx, sent, _ESTIMATE_RE, num.start):
        return "estimate"
    if indicator.default_status:
        return indicator.default_status
    if _sentence_says(ctx, sent, _TARGET_RE, num.start):
        return "target"
    return "actual"


# "đạt 15% so với kế hoạch năm (101.593 tỷ đồng)", "bằng 98% kế hoạch năm là 0,7": the year's plan
_YEAR_PLAN_BEFORE_RE: Final = re.compile(r"kế\s+hoạch\s+(?:cả\s+|của\s+)?năm(?:\s+\d{4})?\s*(?:là|:|\()?\s*$", re.I)


def _is_year_plan(ctx: _ArticleContext, num: NumberMention) -> bool:
    return bool(_YEAR_PLAN_BEFORE_RE.search(ctx.text, max(0, num.start - 40), num.start))


def _sentence_says(ctx: _ArticleContext, sent: Sentence, rx: re.Pattern[str], end: int | None = None) -> bool:
    """Whether `rx` matches in the sentence, or in its part before `end` (the sentence is searched once per
    rule: its first match ends earliest)."""
    key = (sent.start, rx.pattern)
    first_end = ctx.first_match_ends.get(key)
    if first_end is None:
        m = rx.search(ctx.text, sent.start, sent.end)
        first_end = ctx.first_match_ends[key] = m.end() if m else sent.end + 1
    return first_end <= (sent.end if end is None else end)


def _mention(ctx: _ArticleContext, sent: Sentence, num: NumberMention, reason: str) -> Mention:
    value = None if num.value != num.value else float(num.value)
    # every field, in the order `Mention` declares them: positional arguments reach the record's interpreted
    # `__init__` in a third of the time keywords take (no dict of them built and unpacked on each call)
    return Mention(
        ctx.article.article_id,
        ctx.article.source_file,
        num.text,  # number_text
        num.start,  # char_start
        num.end,  # char_end
        reason,
        value,
        num.unit,
        ctx.text[sent.start : sent.end],  # sentence
    )
