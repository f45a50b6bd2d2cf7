"""Extraction time per MB as an article grows: does every stage stay near-linear in its input?

Builds articles of 0.1, 1 and 5 MB (by default) from synthetic articles (`dxdata synth`'s sentences,
numbers, dates and places), in two shapes:

* ``paragraphs``: the articles one after another, each with its own paragraphs (a long page);
* ``one-paragraph``: the same text with every line break replaced by a space (one huge paragraph, the
  shape that made extraction grow faster than the article in issue 14).

Each size is extracted in a child process under a time limit (``--limit``, default 120 s): a size that runs
past it is reported as ``> limit`` (as a refresh would reject the file as ``too_slow`` past its budget).
Prints seconds and seconds per MB for each size and shape.

    .venv/bin/python benchmarks/extract_scaling.py
    .venv/bin/python benchmarks/extract_scaling.py --sizes 0.1 0.5 1 --limit 60 --shapes one-paragraph
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
from dxdata.codebook import load_codebook
from dxdata.extract import extract_article
from dxdata.models import Article
from dxdata.tools.synth import _provinces, article_text
from dxdata.text import normalize_text

mb, shape = float(sys.argv[1]), sys.argv[2]
provinces, parts, size, i = _provinces(), [], 0, 0
while size < mb * 1e6:
    text = article_text(14, i, provinces)
    if shape == "one-paragraph":
        text = text.replace("\n", " ")
    parts.append(text)
    size += len(text.encode("utf-8")) + 2
    i += 1
text = normalize_text((" " if shape == "one-paragraph" else "\n\n").join(parts))
article = Article("bench", "bench.txt", text, "0" * 64, "txt", "utf-8", n_bytes=len(text.encode("utf-8")))
codebook = load_codebook()
extract_article(Article("warm", "warm.txt", parts[0], "0" * 64, "txt", "utf-8"), codebook)
started = time.perf_counter()
result = extract_article(article, codebook)
took = time.perf_counter() - started
print(json.dumps({"mb": article.n_bytes / 1e6, "seconds": took, "observations": len(result.observations),
                  "mentions": len(result.mentions)}))
"""


def run(mb: float, shape: str, limit: float) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(mb), shape], capture_output=True, text=True, timeout=limit, env=env
        )
    except subprocess.TimeoutExpired:
        return {"mb": mb, "seconds": None, "wall": time.perf_counter() - started}
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=float, nargs="+", default=[0.1, 1.0, 5.0], help="article sizes in MB")
    p.add_argument("--shapes", nargs="+", default=["paragraphs", "one-paragraph"])
    p.add_argument("--limit", type=float, default=120.0, help="seconds per size before giving up")
    args = p.parse_args(argv)
    print(f"extraction in a child process per size, limit {args.limit:g} s")
    print(f"{'shape':<14} {'MB':>6} {'seconds':>9} {'s per MB':>9} {'observations':>13} {'mentions':>9}")
    for shape in args.shapes:
        for mb in args.sizes:
            r = run(mb, shape, args.limit)
            if r["seconds"] is None:
                print(f"{shape:<14} {mb:>6.2f} {'> ' + format(args.limit, 'g'):>9} {'-':>9} {'-':>13} {'-':>9}")
                continue
            per = r["seconds"] / r["mb"]
            print(
                f"{shape:<14} {r['mb']:>6.2f} {r['seconds']:>9.2f} {per:>9.2f} "
                f"{r['observations']:>13} {r['mentions']:>9}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
