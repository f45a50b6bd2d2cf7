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
import pstats
import sys
import tempfile
import time
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
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < args.seconds:
        for a in articles:
            extract_article(a, book)
        n += len(articles)
    dt = time.perf_counter() - t0
    chars = sum(len(a.text) for a in articles) / len(articles)
    rate = n / dt
    print(f"{len(articles)} articles from {source} (mean {chars:,.0f} characters)")
    print(f"extraction: {rate:.1f} articles/s on one core ({1000 / rate:.1f} ms per article; target >= {TARGET:.0f}/s)")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for a in articles:
            extract_article(a, book)
        prof.disable()
        pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(25)
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
