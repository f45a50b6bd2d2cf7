"""Fitting the indicator model on gold, and cross-validation by article, on the seeds and their gold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dxdata.codebook import load_codebook, schemas_dir
from dxdata.extract.body_model import BODY_FEATURES, BodyModel
from dxdata.extract.fit import choose_threshold, examples, fit, gold_codes
from dxdata.extract.model import FEATURES, load_synonyms, logistic
from dxdata.tools.evaluate import cross_validate, load_gold_articles

REPO = Path(__file__).resolve().parents[1]
SEEDS = [(REPO / "tests" / "data" / "seeds_gold.csv", REPO / "data" / "raw")]


def test_gold_codes_match_on_value_and_unit() -> None:
    rows = [
        {"value": 86000000.0, "unit": "count", "indicator_code": "id.chip_id_cards_issued"},
        {"value": 12.0, "unit": "percent", "indicator_code": ""},
    ]
    assert gold_codes(rows, 86_000_000, "count") == ({"id.chip_id_cards_issued"}, True)
    assert gold_codes(rows, 12, "percent") == (set(), True)  # a fact outside the codebook
    assert gold_codes(rows, 12, "count") == (set(), False)


def test_fit_on_the_seeds_learns_weights_a_threshold_and_evidence() -> None:
    codebook = load_codebook()
    items = load_gold_articles(SEEDS)
    model = fit(items, codebook, load_synonyms(schemas_dir() / "synonyms.yaml"))
    assert len(model.coef) == len(FEATURES)
    assert model.coef[FEATURES.index("right")] > 0 and model.coef[FEATURES.index("cue")] > 0
    assert 0 < model.threshold < 1
    assert "id.chip_id_cards_issued" in model.evidence_terms
    exs = examples(items, codebook, model)
    right = sum(1 for ex in exs if ex.gold and ex.features and ex.codes[_best(model, ex)] in ex.gold)
    assert right / sum(1 for ex in exs if ex.gold) > 0.9  # a training figure: it must at least fit
    # the body weights are fitted on the same articles: the hand rule and the meeting speak for a body
    assert model.info["body_examples"] > 20
    assert model.body.coef[BODY_FEATURES.index("rule")] > 0 and model.body.coef != BodyModel().coef


def _best(model, ex) -> int:
    import numpy as np

    return int(np.argmax(logistic(np.array(ex.features), model.coef, model.intercept)))


def test_threshold_trades_false_rows_for_misses() -> None:
    from dxdata.extract.fit import Example

    right = Example([(1.0,)], [1], ["a"], {"a"}, True)
    wrong = Example([(0.0,)], [0], ["b"], set(), False)
    assert choose_threshold([right, wrong], (10.0,), -5.0) > 0.01  # the wrong one (p 0.007) stays out


def test_cross_validation_scores_every_article_with_a_model_that_did_not_see_it() -> None:
    pooled, per_set = cross_validate(load_gold_articles(SEEDS), 5)
    assert pooled.metrics["files"] == 5
    assert set(per_set) == {"seeds_gold"}
    assert pooled.metrics["quantity_f1"] > 0.8


def test_evaluate_cv_on_the_command_line() -> None:
    gold, raw = SEEDS[0]
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "dxdata.cli",
            "evaluate",
            "--cv",
            "2",
            "--repeats",
            "2",
            "--quiet",
            "--gold",
            str(gold),
            "--raw-dir",
            str(raw),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "cross-validated, 2 folds" in out.stdout and "row_f1:" in out.stdout
    assert "mean of 2 deals of the folds" in out.stdout


def test_evaluate_refuses_a_malformed_gold_file(tmp_path: Path) -> None:
    bad = tmp_path / "gold.csv"
    bad.write_text("source_file,indicator_code,value,unit\nx.txt,a.b,abc,count\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "dxdata.cli", "evaluate", "--gold", str(bad), "--raw-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "non-numeric value" in out.stderr


def test_repeated_cross_validation_deals_the_folds_anew() -> None:
    items = load_gold_articles(SEEDS)
    first, _ = cross_validate(items, 2, deal=0)
    again, _ = cross_validate(items, 2, deal=0)
    assert first.metrics == again.metrics  # a deal is reproducible
    shuffled = [cross_validate(items, 2, deal=d)[0].metrics["quantity_f1"] for d in (1, 2, 3)]
    assert all(0 < f <= 1 for f in shuffled)
