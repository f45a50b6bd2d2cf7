"""Extraction alone, one core: articles per second on the seed articles (and on synthetic ones).

Runs `extract_article` over the corpus again and again for at least `--seconds`, after one warm-up
pass (codebook, automatons and gazetteer built). Target: >= 500 seed-sized articles/s.
With ``--profile`` prints the 25 functions with most own time (cProfile).

    .venv/bin/python benchmarks/extract_speed.py                 # seeds (data/raw)
    .venv/bin/python benchmarks/extract_speed.py --synthetic 200 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import statistics
import sys
import tempfile
import time
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = 500.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--raw-dir", type=Path, default=REPO / "data" / "raw")
    p.add_argument("--synthetic", type=int, default=0, help="use N synthetic articles instead of --raw-dir")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--profile", action="store_true")
    args = p.parse_args(argv)

    from dxdata.runtime import limit_blas_threads

    limit_blas_threads()  # as the command line does, before numpy loads
    from dxdata.codebook import load_codebook
    from dxdata.extract import extract_article
    from dxdata.ingest import read_raw_folder

    source = str(args.raw_dir)
    if args.synthetic:
        from dxdata import synth

        with tempfile.TemporaryDirectory(prefix="dxdata-extract-speed-") as tmp:  # removed once read
            synth.generate(args.synthetic, Path(tmp))
            articles, _ = read_raw_folder(Path(tmp))
        source = "a synthetic corpus"
    else:
        articles, _ = read_raw_folder(args.raw_dir)
    book = load_codebook()
    for a in articles:  # warm-up
        extract_article(a, book)
    passes: list[float] = []  # seconds per pass over the corpus
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < args.seconds:
        start = time.perf_counter()
        for a in articles:
            extract_article(a, book)
        passes.append(time.perf_counter() - start)
    chars = sum(len(a.text) for a in articles) / len(articles)
    rate = len(articles) * len(passes) / sum(passes)
    # on a shared machine other processes slow some passes down: the median pass says what the code does
    median_rate = len(articles) / statistics.median(passes)
    print(f"{len(articles)} articles from {source} (mean {chars:,.0f} characters), {len(passes)} passes")
    print(f"extraction: {rate:.1f} articles/s on one core ({1000 / rate:.2f} ms per article; target >= {TARGET:.0f}/s)")
    print(f"median pass: {median_rate:.1f} articles/s; {_machine()}")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for a in articles:
            extract_article(a, book)
        prof.disable()
        pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(25)
    return 0 if median_rate >= TARGET else 1


def _machine() -> str:
    """The CPU, and the time of a fixed pure-Python loop: figures from two machines compare through it."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    best = min(timeit.repeat("for i in range(1_000_000): s += i", "s = 0", number=1, repeat=5))
    return f"Python {platform.python_version()} on {cpu}; a 1M-step Python loop takes {best * 1000:.0f} ms"


if __name__ == "__main__":
    sys.exit(main())
