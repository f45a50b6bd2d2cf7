"""Extraction's vocabularies and weights are read from `schemas/extraction.yaml` and checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dxdata.codebook import schemas_dir
from dxdata.extract.settings import SETTINGS_FILE, read_settings, settings


def test_the_project_settings_read() -> None:
    s = settings()
    assert "ước đạt" in s.status_words.estimate and "mục tiêu" in s.status_words.target
    assert s.context.left_words > 0 and s.cue_weights.decay_chars > 0


def _write(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load((schemas_dir() / SETTINGS_FILE).read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / SETTINGS_FILE
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["context"].pop("left_words"), "missing keys"),
        (lambda r: r["context"].update(extra=1), "unknown keys"),
        (lambda r: r["cue_weights"].update(decay_chars=-1), "positive number"),
        (lambda r: r["cue_weights"].update(decay_chars="far"), "positive number"),
        (lambda r: r["status_words"].update(target="mục tiêu"), "list of words"),
        (lambda r: r["status_words"].update(target=["(unclosed"]), "missing"),
    ],
)
def test_a_bad_value_is_refused_with_its_place(tmp_path: Path, change, message: str) -> None:
    with pytest.raises(Exception, match=message):
        read_settings(_write(tmp_path, change))
