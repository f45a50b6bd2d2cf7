"""Turn one article into indicator rows (ROWS.md) and account for every other number.

For each number that is a fact: the indicator is the codebook entry whose cue
words stand closest to it in its sentence; the period comes from the nearest
time expression (else the event or publication date); the region from the
nearest place name (else the article's own province, else VN); the body from
the subject of the sentence (else the body whose meeting or report the article
covers).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from dxdata.codebook import Codebook, Indicator, fold
from dxdata.cues import CueIndex, body_hits, cue_index
from dxdata.models import Article, ExtractionResult, Mention, Observation
from dxdata.numbers import NumberMention, find_numbers
from dxdata.periods import TimeExpr, find_time_expressions
from dxdata.regions import RegionMatch, find_regions, region_2025
from dxdata.sentences import Sentence, split_sentences

MIN_CUE_SCORE = 6.0
PRIOR_WEIGHT = 0.4  # the article's topic breaks ties between local cues
MIN_PRIOR_SCORE = 2.0
PRIOR_UNITS = {"score", "rank"}  # units specific enough that the article topic alone can name the indicator
HEAD_NOUN_BONUS = 2.5
SHARE_BONUS = 10.0  # a percent right after 'x/y' of an indicator is that indicator's share
SHARE_WINDOW = 120
GENERIC_DISCOUNT = 0.5  # a cue part many indicators share says less than a specific one
HEAD_NOUN_MIN = 6  # unit words ('điểm', 'lần') say nothing about which indicator
OTHER_NUMBER_PENALTY = 0.3
AFTER_PENALTY = 0.35
DECAY_CHARS = 40.0
_ESTIMATE_RE = re.compile(r"\b(?:ước|ước đạt|ước tính|dự kiến đạt|dự kiến|dự báo|ước khoảng)\b", re.IGNORECASE)
_TARGET_RE = re.compile(
    r"\b(?:mục tiêu|phấn đấu|đặt ra|đề ra|kế hoạch|chỉ tiêu đến|đến năm 20\d\d sẽ|sẽ đạt|cam kết|định hướng|"
    r"tầm nhìn|dự thảo|đề xuất)\b",
    re.IGNORECASE,
)
_NATIONAL_MEETING_RE = re.compile(
    r"(?:phiên\s+họp|hội\s+nghị|cuộc\s+họp)[^.;]{0,80}(?:Ủy ban Quốc gia|Chính phủ|toàn quốc|Ban Chỉ đạo)",
    re.IGNORECASE,
)
_RESPECTIVELY_RE = re.compile(r"\blần lượt\b", re.IGNORECASE)
_VENUE_BEFORE_RE = re.compile(r"(?:điểm cầu|tại hội trường)\s*(?:tỉnh|thành phố|TP\.?)?\s*$", re.IGNORECASE)
_POSSESSIVE_BEFORE_RE = re.compile(r"\b(?:của|thuộc)\s*$", re.IGNORECASE)
_MEETING_RE = re.compile(
    r"(?:phiên\s+họp|hội\s+nghị|cuộc\s+họp|báo\s+cáo|kỳ\s+họp)[^.;]{0,60}?\bcủa\s+$", re.IGNORECASE
)
_PROVINCE_SUBJECT_RE = re.compile(r"(?:tỉnh|thành phố|TP\.?|Tp\.?)\s*$", re.IGNORECASE)
_CLAUSE_BREAK_RE = re.compile(r"[;:]|\s[-–]\s|,\s*trong đó\b", re.IGNORECASE)


@dataclass(frozen=True)
class BodyMention:
    start: int
    end: int
    code: str


def find_bodies(text: str, folded: str, codebook: Codebook) -> list[BodyMention]:
    """Body names and aliases in the text, leftmost-longest, non-overlapping."""
    hits = [BodyMention(s, e, code) for s, e, code in body_hits(codebook, folded)]
    hits.sort(key=lambda b: (b.start, -(b.end - b.start)))
    out: list[BodyMention] = []
    last_end = -1
    for b in hits:
        if b.start >= last_end and not _is_concept(folded, b):
            out.append(b)
            last_end = b.end
    return out


def _is_concept(folded: str, mention: BodyMention) -> bool:
    """'Chính phủ điện tử', 'Chính phủ số' are concepts, not the Government."""
    return mention.code == "GOV" and bool(
        re.match(r"\s+(?:dien tu|so\b|thong minh)", folded[mention.end : mention.end + 12])
    )


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
    default_region: str
    default_body: str | None
    cues: CueIndex
    matched: dict[int, str] = field(default_factory=dict)  # number start -> indicator code, in reading order


def extract_article(article: Article, codebook: Codebook) -> ExtractionResult:
    """All observations and unpublished number mentions of one article."""
    ctx = _context(article, codebook)
    result = ExtractionResult()
    seen: dict[tuple, int] = {}
    for sent in ctx.sentences:
        nums = [n for n in ctx.numbers if sent.start <= n.start < sent.end]
        if not nums:
            continue
        for num in nums:
            reason = _skip_reason(sent, num)
            if reason is None:
                obs, reason = _observe(ctx, codebook, sent, num, nums)
                if obs is not None:
                    # one fact, one row: a figure repeated in title, lead and body is kept once,
                    # with the denominator if any repetition gives it
                    key = (obs.indicator_code, obs.value, obs.unit, obs.period_end)
                    if key in seen:
                        reason = "repeated_fact"
                        kept = result.observations[seen[key]]
                        if kept.denominator is None and obs.denominator is not None:
                            result.observations[seen[key]] = replace(kept, denominator=obs.denominator)
                    else:
                        seen[key] = len(result.observations)
                        result.observations.append(obs)
                        continue
            result.mentions.append(_mention(ctx, sent, num, reason))
    return result


def _context(article: Article, codebook: Codebook) -> _ArticleContext:
    text = article.text
    folded = fold(text)
    ref = article.event_date or article.published
    regions = find_regions(text)
    bodies = find_bodies(text, folded, codebook)
    sentences = split_sentences(text)
    return _ArticleContext(
        article=article,
        text=text,
        folded=folded,
        sentences=sentences,
        numbers=find_numbers(text),
        times=find_time_expressions(text, article.published or article.event_date),
        regions=regions,
        bodies=bodies,
        ref_date=ref,
        default_region=_default_region(article, regions, sentences),
        default_body=_default_body(text, folded, bodies, sentences, regions),
        cues=cue_index(codebook, folded),
    )


def _default_region(article: Article, regions: list[RegionMatch], sentences: list[Sentence]) -> str:
    """The province an article is about: one named in its title (or first line), else VN."""
    if _national_meeting(article.text, sentences):
        return "VN"
    first = next((s for s in sentences if not s.is_chrome), None)
    title_span = (0, first.end) if first else (0, 0)
    codes = {r.region_code for r in regions if title_span[0] <= r.start < title_span[1]}
    if article.title:
        codes |= {r.region_code for r in find_regions(article.title)}
    if len(codes) == 1:
        return codes.pop()
    body_codes = Counter(
        r.region_code
        for r in regions
        if not _in_chrome(r.start, sentences)
        and not _VENUE_BEFORE_RE.search(article.text[max(0, r.start - 25) : r.start])
    )
    if body_codes:
        code, count = body_codes.most_common(1)[0]
        if count >= 3 and count >= 0.6 * sum(body_codes.values()):
            return code
    return "VN"


def _national_meeting(text: str, sentences: list[Sentence]) -> bool:
    """A lead that reports a meeting or report of a national body (covered by a provincial paper)."""
    lead = [s for s in sentences if not s.is_chrome][:4]
    return any(_NATIONAL_MEETING_RE.search(text[s.start : s.end].replace("\n", " ")) for s in lead)


def _in_chrome(pos: int, sentences: list[Sentence]) -> bool:
    """True when `pos` lies in page chrome or between sentences (sentences are sorted by start)."""
    i = bisect.bisect_right([s.start for s in sentences], pos) - 1
    return i < 0 or not (sentences[i].start <= pos < sentences[i].end) or sentences[i].is_chrome


def _default_body(
    text: str, folded: str, bodies: list[BodyMention], sentences: list[Sentence], regions: list[RegionMatch]
) -> str | None:
    """The body whose meeting or report the article covers, else the most named one in the lead."""
    body_sents = [s for s in sentences if not s.is_chrome]
    lead_end = body_sents[min(len(body_sents) - 1, 3)].end if body_sents else 0
    flat = text.replace("\n", " ")
    for b in bodies:
        if b.start < lead_end and _MEETING_RE.search(flat[max(0, b.start - 80) : b.start]):
            return b.code
    subjects = [b for b in bodies if not _POSSESSIVE_BEFORE_RE.search(text[max(0, b.start - 8) : b.start])]
    counts = Counter(b.code for b in subjects if b.start < lead_end)
    if counts:
        return counts.most_common(1)[0][0]
    counts = Counter(b.code for b in subjects if not _in_chrome(b.start, sentences))
    return counts.most_common(1)[0][0] if counts else None


def _skip_reason(sent: Sentence, num: NumberMention) -> str | None:
    if num.not_fact:
        return num.not_fact
    if sent.is_chrome:
        return "page_chrome"
    return None


def _clause_bounds(ctx: _ArticleContext, sent: Sentence, pos: int) -> tuple[int, int]:
    seg = ctx.text[sent.start : sent.end]
    start, end = sent.start, sent.end
    for m in _CLAUSE_BREAK_RE.finditer(seg):
        abs_pos = sent.start + m.start()
        if abs_pos < pos:
            start = sent.start + m.end()
        else:
            end = abs_pos
            break
    return start, end


def _observe(
    ctx: _ArticleContext,
    codebook: Codebook,
    sent: Sentence,
    num: NumberMention,
    sent_nums: list[NumberMention],
) -> tuple[Observation | None, str]:
    facts = [n for n in sent_nums if n.not_fact is None and n is not num]
    indicator, _score = _match_indicator(ctx, codebook, sent, num, facts, _share_base(ctx, num, facts))
    if indicator is None:
        return None, "no_indicator"
    ctx.matched[num.start] = indicator.code
    clause = _clause_bounds(ctx, sent, num.start)
    period_start, period_end = _period(ctx, sent, num, indicator)
    region = _region(ctx, sent, clause, num, indicator)
    body = _body(ctx, sent, clause, num, indicator, period_end)
    status = _status(ctx, sent, clause, num, indicator)
    evidence = ctx.text[sent.start : sent.end]
    return (
        Observation(
            article_id=ctx.article.article_id,
            source_file=ctx.article.source_file,
            indicator_code=indicator.code,
            value=float(num.value),
            unit=num.unit or indicator.unit,
            qualifier=num.qualifier,
            status=status,
            region_code=region,
            region_code_2025=region_2025(region),
            body_code=body,
            evidence=evidence,
            char_start=sent.start,
            char_end=sent.end,
            number_text=num.text,
            number_start=num.start,
            number_end=num.end,
            denominator=num.denominator,
            period_start=period_start,
            period_end=period_end,
        ),
        "",
    )


def _share_base(ctx: _ArticleContext, num: NumberMention, others: list[NumberMention]) -> NumberMention | None:
    """The count a percent is the share of: '388/1.146 TTHC (đạt 34%)', '1.579 trong tổng số 1.937 ..., đạt 81,5%'."""
    if num.unit != "percent":
        return None
    before = [o for o in others if o.end <= num.start and o.unit == "count" and num.start - o.end <= SHARE_WINDOW]
    return before[-1] if before and before[-1].denominator else None


_BY_KIND: dict[str, dict[tuple[str | None, bool], list[tuple[int, Indicator]]]] = {}


def _indicators_by_kind(codebook: Codebook) -> dict[tuple[str | None, bool], list[tuple[int, Indicator]]]:
    """Indicators grouped by (unit, is a change), in codebook order: the only ones a number can take."""
    grouped = _BY_KIND.get(codebook.fingerprint)
    if grouped is None:
        grouped = {}
        for order, indicator in enumerate(codebook.indicators.values()):
            grouped.setdefault((indicator.unit, indicator.kind == "change"), []).append((order, indicator))
        _BY_KIND[codebook.fingerprint] = grouped
    return grouped


def _match_indicator(
    ctx: _ArticleContext,
    codebook: Codebook,
    sent: Sentence,
    num: NumberMention,
    others: list[NumberMention],
    share_base: NumberMention | None = None,
) -> tuple[Indicator | None, float]:
    """The indicator whose cue parts stand closest to the number, weighted by cue length."""
    best: tuple[float, int, Indicator | None] = (0.0, 0, None)
    best_prior: tuple[float, int, Indicator | None] = (0.0, 0, None)
    hits = ctx.cues.hits_in(sent.start, sent.end)
    present = ctx.cues.codes_with_parts(hits)
    for order, indicator in _indicators_by_kind(codebook).get((num.unit, num.is_change), ()):
        prior = ctx.cues.article_prior(indicator.code)
        if indicator.code not in present:
            if num.unit in PRIOR_UNITS and PRIOR_WEIGHT * prior > best_prior[0] + 1e-9:
                best_prior = (PRIOR_WEIGHT * prior, -order, indicator)
            continue
        local = max(
            (
                _cue_score(ctx, sent, num, others, cue, hits)
                for _, cue in ctx.cues.cues_of(indicator.code)
                if all(pid in hits for pid in cue)
            ),
            default=0.0,
        )
        if share_base is not None and indicator.share_of:
            base_code = ctx.matched.get(share_base.start)
            if base_code == indicator.share_of:
                local += SHARE_BONUS
        combined = local + PRIOR_WEIGHT * prior
        if num.unit in PRIOR_UNITS and combined > best_prior[0] + 1e-9:
            best_prior = (combined, -order, indicator)
        if local >= MIN_CUE_SCORE and combined > best[0] + 1e-9:
            best = (combined, -order, indicator)
    if best[2] is not None:
        return best[2], best[0]
    if best_prior[2] is not None and best_prior[0] >= MIN_PRIOR_SCORE:
        return best_prior[2], best_prior[0]
    return None, max(best[0], best_prior[0])


def _cue_score(
    ctx: _ArticleContext,
    sent: Sentence,
    num: NumberMention,
    others: list[NumberMention],
    cue: tuple[int, ...],
    hits: dict[int, list[tuple[int, int]]],
) -> float:
    """Sum of the weighted lengths of the cue's parts, found in order ('a ... b': a before b)."""
    score, after = 0.0, -1
    for part_id in cue:
        options = [(s, e) for s, e in hits.get(part_id, ()) if s >= after]
        if not options:
            return 0.0
        part_score, s, e = max((_weight(ctx, sent, num, others, s, e) * (e - s), s, e) for s, e in options)
        if part_score <= 0.0:
            return 0.0
        score += part_score * (1.0 - GENERIC_DISCOUNT * (1.0 - ctx.cues.specificity(part_id)))
        after = e
    return score


def _weight(
    ctx: _ArticleContext,
    sent: Sentence,
    num: NumberMention,
    others: list[NumberMention],
    start: int,
    end: int,
) -> float:
    """How much a cue occurrence at [start, end) speaks for this number: near and not across others."""
    if end <= num.start:
        gap = num.start - end
        lo, hi = end, num.start
    elif start >= num.end:
        gap = start - num.end
        lo, hi = num.end, start
    else:
        gap, lo, hi = 0, num.start, num.start
    crossings = sum(1 for o in others if lo <= o.start < hi)
    between = ctx.text[lo:hi]
    breaks = len(_CLAUSE_BREAK_RE.findall(between))
    if any(start >= o.end and start - o.end <= 2 and not ctx.text[o.end : start].strip() for o in others):
        return 0.0  # the counted noun of another number ("5 quyết định, 2 chỉ thị"): not ours
    weight = 1.0 / (1.0 + gap / DECAY_CHARS)
    if (
        start >= num.end
        and gap <= 2
        and not ctx.text[num.end : start].strip()
        and end - start >= HEAD_NOUN_MIN
        and num.unit not in ("VND", "USD")
    ):
        weight *= HEAD_NOUN_BONUS  # the counted noun right after the number: "52 địa phương"
    else:
        if start >= num.end:
            weight *= AFTER_PENALTY  # words describing a number mostly precede it or follow it at once
        if any(_gap_between(o, start, end) < gap for o in others):
            weight *= OTHER_NUMBER_PENALTY  # the cue words sit closer to another number: they are its words
    return weight * (0.5**crossings) * (0.35**breaks)


def _gap_between(num: NumberMention, start: int, end: int) -> int:
    if end <= num.start:
        return num.start - end
    if start >= num.end:
        return start - num.end
    return 0


def _nearest_time(ctx: _ArticleContext, sent: Sentence, num: NumberMention) -> TimeExpr | None:
    clause_start, clause_end = _clause_bounds(ctx, sent, num.start)
    for t in ctx.times:
        # "tăng 8,6% so với năm 2023 (0,7326)": the figure in brackets is the compared year's
        if t.kind == "comparison" and t.end <= num.start and ctx.text[t.end : num.start].strip() == "(":
            return replace(t, kind="year")
    candidates = [
        t
        for t in ctx.times
        if sent.start <= t.start < sent.end
        and t.kind != "comparison"
        and (clause_start <= t.start < clause_end or t.end <= num.start)
        and not (t.kind == "year_of" and t.end <= num.start)  # "thứ 2 của năm 2018" dates what precedes it
    ]
    if not candidates:
        return None

    def distance(t: TimeExpr) -> float:
        d = num.start - t.end if t.end <= num.start else (t.start - num.end) * 1.5 + 10
        if not (clause_start <= t.start < clause_end):
            d += 150
        return d

    return min(candidates, key=distance)


def _period(
    ctx: _ArticleContext, sent: Sentence, num: NumberMention, indicator: Indicator
) -> tuple[date | None, date | None]:
    t = _nearest_time(ctx, sent, num)
    if t is None:
        t = _previous_sentence_period(ctx, sent)
    if t is not None and t.kind != "now":
        return t.period_start, t.period_end
    if indicator.periodicity == "annual" and t is None:
        year = _article_index_year(ctx, num.start)
        if year:
            return date(year, 1, 1), date(year, 12, 31)
    return None, ctx.ref_date


def _previous_sentence_period(ctx: _ArticleContext, sent: Sentence) -> TimeExpr | None:
    """A sentence with no time words of its own continues the period of the one before it."""
    index = ctx.sentences.index(sent)
    if index == 0 or ctx.sentences[index - 1].paragraph != sent.paragraph:
        return None
    prev = ctx.sentences[index - 1]
    periods = [t for t in ctx.times if prev.start <= t.start < prev.end and t.kind in ("range", "year")]
    return periods[-1] if periods else None


def _article_index_year(ctx: _ArticleContext, before: int) -> int | None:
    """The year of the ranking an article discusses: the latest 'năm YYYY' before the number."""
    years = [t for t in ctx.times if t.kind == "year" and t.period_end and t.start < before]
    if years:
        return years[-1].period_end.year
    years = [t for t in ctx.times if t.kind == "year" and t.period_end]
    return years[0].period_end.year if years else None


def _region(
    ctx: _ArticleContext, sent: Sentence, clause: tuple[int, int], num: NumberMention, indicator: Indicator
) -> str:
    if indicator.region_scope == "national":
        return "VN"
    respective = _respective_region(ctx, sent, num)
    if respective:
        return respective
    in_clause = [r for r in ctx.regions if clause[0] <= r.start < clause[1]]
    if in_clause:
        before = [r for r in in_clause if r.end <= num.start]
        return (before[-1] if before else in_clause[0]).region_code
    in_sent = [r for r in ctx.regions if sent.start <= r.start < sent.end and r.end <= num.start]
    if in_sent:
        return in_sent[-1].region_code
    return ctx.default_region


def _respective_region(ctx: _ArticleContext, sent: Sentence, num: NumberMention) -> str | None:
    """'TP.HCM và Quảng Ninh lần lượt xếp thứ 2 và 3': the i-th number goes with the i-th place."""
    if not _RESPECTIVELY_RE.search(ctx.text[sent.start : sent.end]):
        return None
    codes: list[str] = []
    for r in ctx.regions:
        if sent.start <= r.start < sent.end and r.region_code not in codes:
            codes.append(r.region_code)
    same_unit = [
        n
        for n in ctx.numbers
        if sent.start <= n.start < sent.end and n.not_fact is None and n.unit == num.unit and not n.is_change
    ]
    if len(codes) < 2 or num not in same_unit or len(same_unit) % len(codes):
        return None
    return codes[same_unit.index(num) % len(codes)]


def _body(
    ctx: _ArticleContext,
    sent: Sentence,
    clause: tuple[int, int],
    num: NumberMention,
    indicator: Indicator,
    period_end: date | None,
) -> str | None:
    source = indicator.source_body(ctx.ref_date or period_end)
    if source:
        return source
    before = _subjects(ctx, sent.start, num.start)
    subject_regions = [
        r
        for r in ctx.regions
        if clause[0] <= r.start < num.start and _PROVINCE_SUBJECT_RE.search(ctx.text[max(0, r.start - 12) : r.start])
    ]
    if subject_regions and (not before or subject_regions[-1].start > before[-1].start):
        return "PPC"
    if before:
        return before[-1].code
    carried = _previous_sentence_subject(ctx, sent)
    if carried:
        return carried
    if ctx.default_region != "VN" and ctx.default_body in (None, "GOV", "PM"):
        return "PPC"
    return ctx.default_body


def _subjects(ctx: _ArticleContext, start: int, end: int) -> list[BodyMention]:
    """Body mentions in [start, end) that are not possessives ('... của Chính phủ')."""
    return [
        b
        for b in ctx.bodies
        if start <= b.start < end and not _POSSESSIVE_BEFORE_RE.search(ctx.text[max(0, b.start - 8) : b.start])
    ]


def _previous_sentence_subject(ctx: _ArticleContext, sent: Sentence) -> str | None:
    """A sentence with no body of its own continues the subject of the one before it."""
    index = ctx.sentences.index(sent)
    if index == 0 or ctx.sentences[index - 1].paragraph != sent.paragraph:
        return None
    prev = ctx.sentences[index - 1]
    found = _subjects(ctx, prev.start, prev.end)
    return found[0].code if found else None


def _status(
    ctx: _ArticleContext, sent: Sentence, clause: tuple[int, int], num: NumberMention, indicator: Indicator
) -> str:
    if _ESTIMATE_RE.search(ctx.text[sent.start : num.start]):
        return "estimate"
    if indicator.default_status:
        return indicator.default_status
    if _TARGET_RE.search(ctx.text[sent.start : num.start]):
        return "target"
    return "actual"


def _mention(ctx: _ArticleContext, sent: Sentence, num: NumberMention, reason: str) -> Mention:
    value = None if num.value != num.value else float(num.value)
    return Mention(
        article_id=ctx.article.article_id,
        source_file=ctx.article.source_file,
        number_text=num.text,
        char_start=num.start,
        char_end=num.end,
        reason=reason,
        value=value,
        unit=num.unit,
        sentence=ctx.text[sent.start : sent.end],
    )
