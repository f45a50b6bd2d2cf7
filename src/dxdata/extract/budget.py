"""A time budget per file for extraction: an article that runs past it is rejected as ``too_slow``.

Extraction should take milliseconds per article and grow with its size, but a crafted or unusual text
(megabytes in one paragraph, thousands of numbers and dates) can take far longer. One such file must not
hold up a refresh, so every article is extracted under a budget (`FILE_BUDGET_S`, or
``DXDATA_FILE_BUDGET_S`` in the environment), two ways:

* an article of up to `GUARDED_CHARS` characters is extracted in this process; a watchdog thread raises
  `TooSlow` in the extracting thread when the budget runs out (an asynchronous exception: it takes effect
  at the next step of interpreted code, which extraction reaches many times per millisecond);
* a longer article is extracted in a child process (``python -m dxdata.extract.budget``), handed over as JSON and
  killed (SIGKILL) when the budget runs out: nothing can run past it, whatever the code does.

Either way the article becomes a file reject with reason ``too_slow`` and the run goes on. An article
whose extraction raises (a bug met by an odd text) becomes a reject with reason ``error`` and the
exception in the log; the run goes on too. The results of the others are the same as without a budget.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from dxdata.codebook import Codebook, load_codebook
from dxdata.extract.payload import article_from_json, article_to_json, decode_result, encode_result
from dxdata.models import Article, ExtractionResult, FileReject

log = logging.getLogger("dxdata.budget")

FILE_BUDGET_S = 120.0  # seconds of extraction one file may take
GUARDED_CHARS = 200_000  # articles longer than this are extracted in a child process that can be killed
T = TypeVar("T")


class TooSlow(Exception):  # noqa: N818 - the name says what happened
    """Raised in the extracting thread when an article's time budget runs out."""


def file_budget() -> float:
    """The budget in seconds: ``DXDATA_FILE_BUDGET_S`` if set (and positive), else `FILE_BUDGET_S`."""
    try:
        value = float(os.environ.get("DXDATA_FILE_BUDGET_S", ""))
    except ValueError:
        return FILE_BUDGET_S
    return value if value > 0 else FILE_BUDGET_S


def _async_raise(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


def run_within(fn: Callable[[], T], seconds: float) -> T:
    """``fn()``, or `TooSlow` once it has run for `seconds` (raised inside it, in this thread)."""
    lock = threading.Lock()
    state = {"done": False, "fired": False}
    me = threading.get_ident()

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                _async_raise(me, TooSlow)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        result = fn()
    finally:
        with lock:
            state["done"] = True
            if state["fired"]:
                _async_raise(me, None)  # clear it if it has not been raised yet
        timer.cancel()
    if state["fired"]:
        raise TooSlow()
    return result


def _extract_in_child(article: Article, codebook: Codebook, seconds: float) -> ExtractionResult:
    """Extract one article in a child process, killed when `seconds` run out (TooSlow)."""
    payload = json.dumps({"article": article_to_json(article), "codebook": str(codebook.folder or "")})
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2])  # the folder holding the dxdata package
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    env["DXDATA_BUDGET_PARENT"] = str(os.getpid())
    proc = subprocess.Popen(
        [sys.executable, "-m", "dxdata.extract.budget"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = proc.communicate(payload.encode("utf-8"), timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()  # SIGKILL
        proc.communicate()
        raise TooSlow() from None
    if proc.returncode != 0:
        raise RuntimeError(f"extraction in a child process failed: {err.decode('utf-8', 'replace')[-500:]}")
    return decode_result(out)


def extract_within_budget(
    articles: Sequence[Article],
    codebook: Codebook,
    extract: Callable[[Article, Codebook], ExtractionResult],
    *,
    seconds: float | None = None,
) -> tuple[list[ExtractionResult | None], list[FileReject]]:
    """Each article's result (None where it ran out of time or failed) and a ``too_slow`` or ``error``
    reject for each of those."""
    seconds = seconds or file_budget()
    results: list[ExtractionResult | None] = []
    rejects: list[FileReject] = []
    for article in articles:
        started = time.perf_counter()
        try:
            if len(article.text) > GUARDED_CHARS and codebook.folder is not None:
                results.append(_extract_in_child(article, codebook, seconds))
            else:
                results.append(run_within(lambda a=article: extract(a, codebook), seconds))
        except TooSlow:
            took = time.perf_counter() - started
            detail = (
                f"Extraction ran past its time budget of {seconds:g} s ({took:.1f} s, "
                f"{len(article.text):,} characters) and was stopped; split the file into articles, "
                "or raise DXDATA_FILE_BUDGET_S."
            )
            log.warning("rejected %s: too_slow: %s", article.source_file, detail)
            rejects.append(FileReject(article.source_file, "too_slow", detail, article.content_sha256))
            results.append(None)
        except Exception as err:  # a bug of extraction on one odd text must not stop the run
            detail = f"Extraction failed with {type(err).__name__}: {str(err)[:300]}"
            log.error("rejected %s: error: %s", article.source_file, detail, exc_info=True)
            rejects.append(FileReject(article.source_file, "error", detail, article.content_sha256))
            results.append(None)
    return results, rejects


def _die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this child when the refresh that started it dies (even by SIGKILL),
    so that no extraction is left running behind a killed refresh."""
    parent = int(os.environ.get("DXDATA_BUDGET_PARENT", "0"))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        return
    if parent and os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _child_main() -> int:
    """``python -m dxdata.extract.budget``: one article as JSON on stdin, its result as JSON on stdout."""
    from dxdata.extract import extract_article

    _die_with_parent()
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    folder = request.get("codebook")
    codebook = load_codebook(Path(folder)) if folder else load_codebook()
    result = extract_article(article_from_json(request["article"]), codebook)
    sys.stdout.buffer.write(encode_result(result))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
