"""The body decision: a scored choice among candidates, with weights fitted on gold and stored with the model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dxdata.codebook import load_codebook, schemas_dir
from dxdata.extract import extract_article
from dxdata.extract.body_model import BODY_FEATURES, NO_BODY, BodyModel
from dxdata.extract.model import MODEL_FILE, load_model, save_model
from test_extract import article, by_value


def _features(**named: float) -> tuple[float, ...]:
    return tuple(named.get(name, 0.0) for name in BODY_FEATURES)


def test_neutral_weights_follow_the_hand_rule() -> None:
    candidates = {NO_BODY: _features(none=1), "MIC": _features(rule=1, named=1), "MOH": _features(sentence=1)}
    assert BodyModel().choose(candidates) == "MIC"


def test_the_best_score_wins_and_a_tie_goes_to_the_first_candidate() -> None:
    model = BodyModel(_features(sentence=2.0, named=1.0))
    assert model.choose({"MIC": _features(named=1), "MOH": _features(sentence=1)}) == "MOH"
    assert model.choose({"MIC": _features(sentence=1), "MOH": _features(sentence=1)}) == "MIC"


def test_weights_for_other_features_are_refused() -> None:
    with pytest.raises(ValueError, match="weights for"):
        BodyModel((1.0,))
    with pytest.raises(ValueError, match="body weights fitted for"):
        BodyModel.from_json({"features": ["rule"], "coef": [1.0]}, "m.json")
    assert BodyModel.from_json(None, "old.json") == BodyModel()  # a model file from before bodies were scored


def test_body_weights_survive_saving_and_loading(tmp_path: Path) -> None:
    for name in ("indicators.yaml", "bodies.yaml", "indicator_rules.yaml", "synonyms.yaml", "extraction.yaml"):
        if (schemas_dir() / name).exists():
            shutil.copy(schemas_dir() / name, tmp_path / name)
    model = load_model(load_codebook(), schemas_dir())
    model.body = BodyModel(_features(rule=1.5, named=0.25))
    save_model(model, tmp_path / MODEL_FILE)
    stored = json.loads((tmp_path / MODEL_FILE).read_text(encoding="utf-8"))["body"]
    assert stored == {"features": list(BODY_FEATURES), "coef": list(_features(rule=1.5, named=0.25))}
    assert load_model(load_codebook(tmp_path), tmp_path).body == model.body


@pytest.mark.parametrize(
    ("name", "code"),
    [("Bộ TT&TT", "MIC"), ("Bộ TT-TT", "MIC"), ("Bộ TTTT", "MIC"), ("Bộ TT và TT", "MIC"), ("Bộ KH-CN", "MOST")],
)
def test_an_abbreviated_ministry_is_found_however_its_halves_are_joined(name: str, code: str) -> None:
    text = f"Theo {name}, số doanh nghiệp công nghệ số đến nay ước đạt 67.300 doanh nghiệp."
    obs = by_value(extract_article(article(text), load_codebook()).observations)
    assert obs[67300].body_code == code


def test_the_committed_model_has_fitted_body_weights() -> None:
    raw = json.loads((schemas_dir() / MODEL_FILE).read_text(encoding="utf-8"))
    assert raw["body"]["features"] == list(BODY_FEATURES)
    assert raw["body"]["coef"] != list(BodyModel().coef)
