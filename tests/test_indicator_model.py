"""The indicator model: profiles from the codebook and evidence, terms with synonyms, the fitted file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from dxdata.codebook import load_codebook, schemas_dir
from dxdata.extract import extract_article
from dxdata.extract.model import (
    FEATURES,
    MODEL_FILE,
    Synonyms,
    build_profiles,
    load_model,
    load_synonyms,
    save_model,
    terms,
    words_of,
)
from test_extract import article, by_value


def test_words_are_folded_syllables_without_numerals() -> None:
    assert words_of("tmdt dat 20 ty usd 5g") == ["tmdt", "dat", "ty", "usd", "5g"]


def test_terms_are_words_and_pairs_and_synonyms_add_their_words() -> None:
    synonyms = Synonyms({("tmdt",): ("thuong", "mai", "dien", "tu")}, 1, frozenset({"tmdt"}))
    found = {t for _, t in terms(["doanh", "thu", "tmdt"], synonyms)}
    assert {"doanh", "doanh thu", "thu tmdt", "thuong mai", "dien tu", "thuong"} <= found


def test_the_project_synonyms_load_folded(tmp_path: Path) -> None:
    synonyms = load_synonyms(schemas_dir() / "synonyms.yaml")
    assert synonyms.expansions[("tmdt",)] == ("thuong", "mai", "dien", "tu")
    assert load_synonyms(tmp_path / "none.yaml").expansions == {}


def test_profiles_are_unit_columns_and_a_specific_word_weighs_more() -> None:
    codebook = load_codebook()
    profiles = build_profiles(codebook, {}, Synonyms())
    norms = np.linalg.norm(profiles.matrix, axis=0)
    assert np.allclose(norms[norms > 0], 1.0)
    found = {t for _, t in terms(["ho", "gia", "dinh", "su", "dung", "cap", "quang"], Synonyms())}
    sims = profiles.presence(profiles.rows(found))
    best = profiles.codes[int(np.argmax(sims))]
    assert best == "infra.fiber_households_share"


def test_the_fitted_model_matches_the_code() -> None:
    raw = json.loads((schemas_dir() / MODEL_FILE).read_text(encoding="utf-8"))
    assert raw["features"] == list(FEATURES)
    assert len(raw["coef"]) == len(FEATURES) and 0 < raw["threshold"] < 1
    model = load_model(load_codebook(), schemas_dir())
    assert model.weights.shape == (len(FEATURES),)


def test_a_model_fitted_for_other_features_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    shutil.copytree(schemas_dir(), folder)
    raw = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
    raw["features"] = raw["features"][:-1]
    (folder / MODEL_FILE).write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="fitted for features"):
        load_model(load_codebook(folder), folder)


def test_a_curator_adds_an_indicator_in_yaml_alone(tmp_path: Path) -> None:
    """A new code with its names, unit and cues is found with no code change and no refit."""
    folder = tmp_path / "schemas"
    shutil.copytree(schemas_dir(), folder)
    with (folder / "indicators.yaml").open("a", encoding="utf-8") as f:
        f.write(
            "\nadded_by_test:\n"
            "  soc.drone_delivery_flights:\n"
            "    name_vi: Số chuyến giao hàng bằng thiết bị bay không người lái\n"
            "    name_en: Drone delivery flights\n"
            "    unit: count\n"
            "    cues: [chuyến giao hàng bằng drone, thiết bị bay không người lái]\n"
        )
    codebook = load_codebook(folder)
    text = "Trong năm, bưu điện tỉnh đã thực hiện 2.300 chuyến giao hàng bằng thiết bị bay không người lái."
    obs = by_value(extract_article(article(text), codebook).observations)
    assert obs[2300].indicator_code == "soc.drone_delivery_flights"


def test_save_and_load_give_the_same_model(tmp_path: Path) -> None:
    codebook = load_codebook()
    model = load_model(codebook, schemas_dir())
    folder = tmp_path / "schemas"
    shutil.copytree(schemas_dir(), folder)
    save_model(model, folder / MODEL_FILE)
    again = load_model(load_codebook(folder), folder)
    assert again.coef == pytest.approx(model.coef, abs=1e-6)
    assert again.threshold == pytest.approx(model.threshold, abs=1e-4)
    assert again.evidence_terms.keys() == model.evidence_terms.keys()
