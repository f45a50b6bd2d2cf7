"""The time budget per file (issue 14, point 3): an article that runs past it is rejected as ``too_slow``
and the run goes on. Real extraction of long one-paragraph articles, a real child process killed."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from dxdata.codebook import load_codebook
from dxdata.extract import extract_article
from dxdata.extract.budget import GUARDED_CHARS, TooSlow, extract_within_budget, run_within
from dxdata.models import Article
from dxdata.orchestrate.refresh import run_refresh
from dxdata.publish import store
from dxdata.text import normalize_text
from dxdata.tools.synth import _provinces, article_text


def long_paragraph(chars: int, seed: int = 7, *, one_paragraph: bool = True) -> str:
    """Synthetic articles run together into one paragraph of at least `chars` characters (slow to extract),
    or kept in their paragraphs (fast)."""
    provinces, parts, size, i = _provinces(), [], 0, 0
    while size < chars:
        text = article_text(seed, i, provinces)
        text = text.replace("\n", " ") if one_paragraph else text
        parts.append(text)
        size += len(text) + 1
        i += 1
    return normalize_text(" ".join(parts))


def _article(text: str, name: str = "long.txt") -> Article:
    return Article(name[:16], name, text, "0" * 64, "txt", "utf-8", n_bytes=len(text.encode()))


def test_run_within_stops_a_busy_loop_and_leaves_nothing_pending() -> None:
    def spin() -> int:
        n = 0
        while True:
            n += 1

    started = time.perf_counter()
    with pytest.raises(TooSlow):
        run_within(spin, 0.2)
    assert time.perf_counter() - started < 2
    assert run_within(lambda: 42, 5) == 42
    time.sleep(0.3)  # a cancelled watchdog must not fire later


def test_run_within_works_outside_the_main_thread() -> None:
    seen: list[str] = []

    def spin() -> None:
        while True:
            pass

    def worker() -> None:
        try:
            run_within(spin, 0.2)
        except TooSlow:
            seen.append("too slow")

    t = threading.Thread(target=worker)
    t.start()
    t.join(10)
    assert seen == ["too slow"]


def test_in_process_article_past_its_budget_is_too_slow() -> None:
    """The watchdog stops real extraction code in this process (here: one article extracted again and again,
    which runs for minutes unless stopped)."""
    codebook = load_codebook()
    text = long_paragraph(20_000, one_paragraph=False)
    assert len(text) <= GUARDED_CHARS

    def again_and_again(article: Article, cb):  # noqa: ANN001, ANN202
        for _ in range(100_000):
            result = extract_article(article, cb)
        return result

    started = time.perf_counter()
    results, rejects = extract_within_budget([_article(text)], codebook, again_and_again, seconds=0.5)
    took = time.perf_counter() - started
    assert results == [None]
    assert [(r.source_file, r.reason) for r in rejects] == [("long.txt", "too_slow")]
    assert took < 3.0
    assert "0.5 s" in rejects[0].detail


def test_long_article_is_extracted_in_a_child_that_is_killed() -> None:
    codebook = load_codebook()
    text = long_paragraph(1_000_000)  # about a minute of extraction as one paragraph
    small = _article("Tỉnh đã có 98% hồ sơ công việc được xử lý trên môi trường mạng năm 2023.", "small.txt")
    started = time.perf_counter()
    results, rejects = extract_within_budget([_article(text), small], codebook, extract_article, seconds=2.0)
    assert time.perf_counter() - started < 2.0 + 5.0
    assert results[0] is None and results[1] is not None
    assert [r.reason for r in rejects] == ["too_slow"]


def test_child_gives_the_same_result_as_in_process() -> None:
    codebook = load_codebook()
    text = long_paragraph(GUARDED_CHARS + 1_000, seed=3, one_paragraph=False)
    article = _article(text)
    child, _ = extract_within_budget([article], codebook, extract_article, seconds=300)
    here = extract_article(article, codebook)
    assert child[0] == here


def test_refresh_goes_on_past_a_too_slow_file(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (seeds_copy / "zz_long.txt").write_text(long_paragraph(1_000_000), encoding="utf-8")
    monkeypatch.setenv("DXDATA_FILE_BUDGET_S", "2")
    out = tmp_path / "out"
    started = time.perf_counter()
    summary = run_refresh(seeds_copy, out, cached=True)
    assert time.perf_counter() - started < 60
    assert summary.articles_read == 5 and summary.files_rejected == 1
    assert summary.reject_reasons.get("too_slow") == 1
    rejects = store.load("rejects", root=out)
    assert list(rejects.loc[rejects.reason == "too_slow", "source_file"]) == ["zz_long.txt"]
    assert os.environ["DXDATA_FILE_BUDGET_S"] == "2"


def test_kill_9_of_a_refresh_leaves_no_extraction_behind(seeds_copy: Path, tmp_path: Path) -> None:
    """A refresh killed (SIGKILL) while a long article is extracted in its child: the child dies with it, the
    store stays intact, and the next refresh completes."""
    import signal
    import subprocess
    import sys

    import psutil

    (seeds_copy / "zz_long.txt").write_text(long_paragraph(1_000_000), encoding="utf-8")
    out = tmp_path / "out"
    env = dict(os.environ, DXDATA_FILE_BUDGET_S="600", PYTHONPATH=str(Path(store.__file__).parents[2]))
    code = (
        "import sys; from dxdata.orchestrate.refresh import run_refresh; "
        "run_refresh(sys.argv[1], sys.argv[2], cached=True)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(seeds_copy), str(out)], env=env)
    child = None
    deadline = time.monotonic() + 120
    while child is None and time.monotonic() < deadline:
        kids = psutil.Process(proc.pid).children(recursive=True)
        kids = [c for c in kids if "dxdata.extract.budget" in " ".join(c.cmdline())]
        child = kids[0] if kids else None
        time.sleep(0.2)
    assert child is not None, "the long article was not handed to a child process"
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    gone, alive = psutil.wait_procs([child], timeout=10)
    assert not alive, "the extraction child outlived the killed refresh"
    assert store.latest_version(out) is None  # nothing was published, nothing half-written is visible
    os.environ["DXDATA_FILE_BUDGET_S"] = "2"
    try:
        summary = run_refresh(seeds_copy, out, cached=True)
    finally:
        del os.environ["DXDATA_FILE_BUDGET_S"]
    assert summary.version == "v0001" and summary.reject_reasons.get("too_slow") == 1
    assert store.verify("v0001", out) == []


def test_an_article_that_breaks_extraction_is_rejected_and_the_run_goes_on() -> None:
    codebook = load_codebook()

    def breaks_on_long(article: Article, cb):  # noqa: ANN001, ANN202
        if article.source_file == "bad.txt":
            raise OverflowError("cannot convert float infinity to integer")
        return extract_article(article, cb)

    good = _article("Tỉnh đã có 98% hồ sơ công việc được xử lý trên môi trường mạng năm 2023.", "good.txt")
    results, rejects = extract_within_budget([_article("x", "bad.txt"), good], codebook, breaks_on_long, seconds=30)
    assert results[0] is None and results[1] is not None
    assert [(r.source_file, r.reason) for r in rejects] == [("bad.txt", "error")]
    assert "OverflowError" in rejects[0].detail
