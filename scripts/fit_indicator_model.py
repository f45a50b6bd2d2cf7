"""Fit the indicator model (with the body decision's weights) on every gold set; write `schemas/indicator_model.json`.

    python scripts/fit_indicator_model.py --gold GOLD.csv RAW_DIR [--gold GOLD.csv RAW_DIR ...]

Without arguments it reads the gold the project has: the seeds (`tests/data/seeds_gold.csv`, `data/raw/`)
and, when the shared evaluation folder sits beside the repository, its dev corpora. The articles are read
to fit, never copied: what is committed is the derived weights, threshold and evidence terms.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dxdata.codebook import load_codebook, schemas_dir
from dxdata.extract.body_model import BODY_FEATURES
from dxdata.extract.fit import fit
from dxdata.extract.model import FEATURES, MODEL_FILE, SYNONYMS_FILE, load_synonyms, save_model
from dxdata.tools.evaluate import default_gold_sets, load_gold_articles


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", nargs=2, action="append", metavar=("GOLD_CSV", "RAW_DIR"), help="a gold set")
    ap.add_argument("--out", type=Path, default=schemas_dir() / MODEL_FILE)
    args = ap.parse_args()
    sets = [(Path(g), Path(r)) for g, r in args.gold] if args.gold else default_gold_sets()
    codebook = load_codebook()
    items = load_gold_articles(sets)
    model = fit(items, codebook, load_synonyms(schemas_dir() / SYNONYMS_FILE))
    model.info["gold_sets"] = [f"{g.parent.name}/{g.name}" for g, _ in sets]
    save_model(model, args.out)
    print(f"{args.out}: fitted on {model.info['articles']} articles, threshold {model.threshold}")
    for name, w in zip(FEATURES, model.coef, strict=True):
        print(f"  {name}: {w:+.3f}")
    print("body weights:")
    for name, w in zip(BODY_FEATURES, model.body.coef, strict=True):
        print(f"  {name}: {w:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
