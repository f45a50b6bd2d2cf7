"""Score extraction against gold rows, for curators who extend the codebook.

Rows are matched per source file on (value, unit), as ROWS.md describes; among
candidates the pair agreeing on most fields wins. Gold rows without an
indicator code are facts outside the codebook: a predicted row matching one is
neither right nor wrong.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

FIELDS = ["indicator_code", "region_code", "period_end", "body_code", "qualifier", "status", "denominator"]


@dataclass
class Score:
    metrics: dict[str, float | int | None]
    misses: list[dict] = field(default_factory=list)
    false_rows: list[dict] = field(default_factory=list)
    wrong_fields: list[tuple[dict, dict, list[str]]] = field(default_factory=list)


def _text(v: object) -> str:
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return ""
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    return str(v).strip()


def _num_text(v: object) -> str:
    try:
        f = float(_text(v))
    except ValueError:
        return ""
    return "" if math.isnan(f) else repr(f)


def normalize_rows(df: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts of comparable strings (dates as YYYY-MM-DD, denominators as floats)."""
    out = []
    for rec in df.to_dict("records"):
        row = {
            "source_file": Path(str(rec["source_file"])).name,
            "value": float(rec["value"]),
            "unit": _text(rec["unit"]),
        }
        for col in FIELDS + ["period_start"]:
            row[col] = _text(rec.get(col))[:10] if col.startswith("period") else _text(rec.get(col))
        row["denominator"] = _num_text(rec.get("denominator"))
        out.append(row)
    return out


def _same(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-6 * max(abs(a), abs(b))


def _agreement(g: dict, p: dict) -> int:
    return sum(g[f] == p[f] for f in FIELDS) + (g["period_end"][:7] == p["period_end"][:7])


def _prf(name: str, tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {f"{name}_precision": round(p, 4), f"{name}_recall": round(r, 4), f"{name}_f1": round(f, 4)}


def score(gold: list[dict], pred: list[dict]) -> Score:
    """Precision, recall and F1 on quantities and on full rows, plus per-field accuracy."""
    gold_by, pred_by = defaultdict(list), defaultdict(list)
    for g in gold:
        gold_by[g["source_file"]].append(g)
    gold_files = set(gold_by)
    for p in pred:
        if p["source_file"] in gold_files:
            pred_by[p["source_file"]].append(p)
    pairs, result = [], Score(metrics={})
    ignored = 0
    for f in sorted(gold_by):
        gs, ps = gold_by[f], pred_by.get(f, [])
        cand = sorted(
            (
                (_agreement(g, p), i, j)
                for i, g in enumerate(gs)
                for j, p in enumerate(ps)
                if g["unit"] == p["unit"] and _same(g["value"], p["value"])
            ),
            key=lambda c: -c[0],
        )
        used_g, used_p = set(), set()
        for _, i, j in cand:
            if i in used_g or j in used_p:
                continue
            used_g.add(i)
            used_p.add(j)
            if gs[i]["indicator_code"]:
                pairs.append((gs[i], ps[j]))
            else:
                ignored += 1
        result.misses += [g for i, g in enumerate(gs) if i not in used_g and g["indicator_code"]]
        result.false_rows += [p for j, p in enumerate(ps) if j not in used_p]
    tp, fp, fn = len(pairs), len(result.false_rows), len(result.misses)
    m: dict[str, float | int | None] = {
        "files": len(gold_by),
        "gold_facts": tp + fn,
        "pred_rows": tp + fp + ignored,
        "ignored_outside_codebook": ignored,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }
    m.update(_prf("quantity", tp, fp, fn))
    for f in FIELDS:
        rel = [(g, p) for g, p in pairs if f != "denominator" or g[f]]
        m[f"acc_{f}"] = round(sum(g[f] == p[f] for g, p in rel) / len(rel), 4) if rel else None
    full = [
        (g, p)
        for g, p in pairs
        if g["indicator_code"] == p["indicator_code"]
        and g["region_code"] == p["region_code"]
        and g["period_end"][:7] == p["period_end"][:7]
    ]
    m.update(_prf("row", len(full), fp + tp - len(full), fn + tp - len(full)))
    for g, p in pairs:
        wrong = [f for f in FIELDS if g[f] != p[f] and (f != "denominator" or g[f])]
        if wrong:
            result.wrong_fields.append((g, p, wrong))
    result.metrics = m
    return result


def extract_folder(raw_dir: Path) -> pd.DataFrame:
    """Extraction (no validation, no publishing) over a folder, as an observations frame."""
    from dxdata.codebook import load_codebook
    from dxdata.extract.batches import extract_batch
    from dxdata.ingest import read_raw_folder
    from dxdata.validate.tables import observations_frame

    articles, _ = read_raw_folder(raw_dir)
    return observations_frame(extract_batch(articles, load_codebook()))


def report(result: Score, *, verbose: bool = True) -> str:
    lines = []
    if verbose:
        for g in result.misses:
            lines.append(f"MISSED  {g['source_file']}  {g['value']:g} {g['unit']}  {g['indicator_code']}")
        for p in result.false_rows:
            lines.append(f"FALSE   {p['source_file']}  {p['value']:g} {p['unit']}  {p['indicator_code']}")
        for g, p, wrong in result.wrong_fields:
            detail = "; ".join(f"{f}: {p[f] or '-'} (gold {g[f] or '-'})" for f in wrong)
            lines.append(f"FIELDS  {g['source_file']}  {g['value']:g} {g['unit']}  {detail}")
    lines += [f"{k}: {v}" for k, v in result.metrics.items()]
    return "\n".join(lines)


GOLD_COLUMNS = ("source_file", "indicator_code", "value", "unit")


class GoldError(ValueError):
    """A gold file that cannot be scored against: says which file and what is wrong."""


def read_gold(path: Path) -> list[dict]:
    """Gold rows as `normalize_rows` gives them; a missing column or a non-numeric value is an error."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise GoldError(f"{path}: not a readable gold CSV ({err})") from err
    missing = [c for c in GOLD_COLUMNS if c not in df.columns]
    if missing:
        raise GoldError(f"{path}: missing columns {missing}")
    values = pd.to_numeric(df["value"], errors="coerce")
    bad = df.index[values.isna()].tolist()
    if bad:
        raise GoldError(f"{path}: non-numeric value in rows {[i + 2 for i in bad[:5]]} (line numbers)")
    return normalize_rows(df.assign(value=values))


def default_gold_sets() -> list[tuple[Path, Path]]:
    """(gold CSV, raw folder) pairs the project has: the seeds, and the shared dev corpora when present; the
    project is the source checkout the package runs from, else the one found upward from the working folder."""
    from dxdata.codebook import source_checkout
    from dxdata.publish.store import project_folder

    root = source_checkout() or project_folder() or Path.cwd()
    sets = [(root / "tests" / "data" / "seeds_gold.csv", root / "data" / "raw")]
    dev = root.parent / "shared" / "eval" / "dev"
    for name in ("corpus", "corpus2"):
        if (dev / name / "gold.csv").is_file():
            sets.append((dev / name / "gold.csv", dev / name))
    return sets


def load_gold_articles(sets: list[tuple[Path, Path]]):
    """The articles that gold rows are given for, each with its rows, keyed "<set>/<file>" across sets."""
    from dxdata.extract.fit import GoldArticle
    from dxdata.ingest import read_raw_folder

    items = []
    for gold_path, raw_dir in sets:
        rows = read_gold(gold_path)
        by_file: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            by_file[row["source_file"]].append(row)
        articles, _ = read_raw_folder(raw_dir)
        found = {Path(a.source_file).name: a for a in articles}
        absent = sorted(set(by_file) - set(found))
        if absent:
            raise GoldError(f"{gold_path}: no article in {raw_dir} for {absent[:5]}")
        set_name = gold_path.stem if gold_path.stem != "gold" else gold_path.parent.name  # seeds_gold, corpus2
        for name in sorted(by_file):
            items.append(GoldArticle(f"{set_name}/{name}", found[name], tuple(by_file[name])))
    return items


def _keyed(rows: list[dict], key: str) -> list[dict]:
    return [{**r, "source_file": key} for r in rows]


def cross_validate(items, k: int, deal: int = 0) -> tuple[Score, dict[str, Score]]:
    """K-fold cross-validation by article: the model is fitted on k-1 folds and scored on the one left out.

    `deal` 0 deals the articles (sorted by set and name) into the folds in turn; another number shuffles
    them first with that seed, for repeated cross-validation. Returns the pooled score and one per gold set.
    """
    from dxdata.codebook import load_codebook, schemas_dir
    from dxdata.extract import extract_article
    from dxdata.extract.fit import _folds, fit
    from dxdata.extract.model import SYNONYMS_FILE, load_synonyms
    from dxdata.validate.tables import observations_frame

    codebook = load_codebook()
    synonyms = load_synonyms(schemas_dir() / SYNONYMS_FILE)
    items = sorted(items, key=lambda it: it.key)
    if deal:
        random.Random(deal).shuffle(items)
    gold, pred = [], []
    for fold in _folds(len(items), k):
        held = set(fold)
        model = fit([it for i, it in enumerate(items) if i not in held], codebook, synonyms)
        for i in fold:
            item = items[i]
            frame = observations_frame([extract_article(item.article, codebook, model)])
            pred += _keyed(normalize_rows(frame), item.key)
            gold += _keyed(list(item.rows), item.key)
    per_set = {}
    for set_name in sorted({it.key.split("/")[0] for it in items}):
        prefix = set_name + "/"
        per_set[set_name] = score(
            [g for g in gold if g["source_file"].startswith(prefix)],
            [p for p in pred if p["source_file"].startswith(prefix)],
        )
    return score(gold, pred), per_set


def _cmd_evaluate(args: argparse.Namespace) -> int:
    golds, raws = args.gold or [], args.raw_dir or []
    if len(golds) != len(raws):
        print("error: give one --raw-dir for each --gold, in the same order", file=sys.stderr)
        return 2
    sets = [(Path(g), Path(r)) for g, r in zip(golds, raws, strict=True)] if golds else default_gold_sets()
    try:
        if args.cv:
            if args.cv < 2:
                print("error: --cv needs at least 2 folds", file=sys.stderr)
                return 2
            if args.repeats < 1:
                print("error: --repeats needs at least 1", file=sys.stderr)
                return 2
            items = load_gold_articles(sets)
            runs = [cross_validate(items, args.cv, deal) for deal in range(args.repeats)]
            pooled, per_set = runs[0]
            for name, result in per_set.items():
                print(f"== {name} (cross-validated, {args.cv} folds)")
                print(report(result, verbose=not args.quiet))
            print(f"== all sets (cross-validated, {args.cv} folds)")
            print(report(pooled, verbose=False))
            if args.repeats > 1:
                print(f"== all sets, mean of {args.repeats} deals of the folds (min-max)")
                print(_mean_report([p.metrics for p, _ in runs]))
            return 0
        for gold_path, raw_dir in sets:
            gold = read_gold(gold_path)
            pred = normalize_rows(extract_folder(raw_dir))
            if len(sets) > 1:
                print(f"== {gold_path}")
            print(report(score(gold, pred), verbose=not args.quiet))
    except GoldError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def _mean_report(runs: list[dict]) -> str:
    """The mean of each rate over repeated cross-validations, with its range: one small change moves a
    single deal's figures by about as much as it moves the truth."""
    lines = []
    for key, first in runs[0].items():
        values = [r[key] for r in runs]
        if isinstance(first, float) and all(isinstance(v, float) for v in values):
            lines.append(f"{key}: {sum(values) / len(values):.4f} ({min(values):.4f}-{max(values):.4f})")
    return "\n".join(lines)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score extraction against gold rows (or cross-validate the indicator model with --cv K)",
        description="Score extraction against gold rows. Give --gold and --raw-dir once per gold set, in pairs; "
        "with none, the project's own gold sets are used (the seeds, and ../shared/eval/dev when present).",
    )
    p.add_argument("--gold", action="append", help="gold CSV with the columns of ROWS.md (repeatable)")
    p.add_argument("--raw-dir", action="append", help="folder with the articles of the --gold before it")
    p.add_argument("--cv", type=int, default=0, metavar="K", help="K-fold cross-validation by article")
    p.add_argument(
        "--repeats",
        type=int,
        default=1,
        metavar="R",
        help="with --cv: also the mean of R different deals of the articles into folds (default: 1)",
    )
    p.add_argument("--quiet", action="store_true", help="only the figures, no list of misses")
    p.set_defaults(func=_cmd_evaluate)
