"""The compiled extraction modules (setup.py, `dxdata._compiled`): in use, the same rows as the source,
and never run once their source has been edited."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import warnings
from dataclasses import astuple
from pathlib import Path

import pytest

import dxdata
from dxdata import _compiled
from dxdata.codebook import load_codebook
from dxdata.extract import extract_article
from dxdata.ingest import read_raw_folder

REPO = Path(__file__).resolve().parents[1]
PACKAGE_DIR = Path(dxdata.__file__).parent
PURE = os.environ.get(_compiled.PURE_ENV) == "1"


@pytest.mark.skipif(PURE, reason="DXDATA_PURE_PYTHON=1 asks for the Python modules")
def test_the_extraction_modules_run_compiled() -> None:
    """A build where mypyc failed falls back to Python quietly (setup.py): this says so."""
    import dxdata.extract
    import dxdata.numbers

    assert dxdata.BUILD.startswith("compiled"), dxdata.BUILD
    for module in (dxdata.extract, dxdata.numbers):
        assert not module.__file__.endswith(".py"), module.__file__


_DUMP = """
import pickle, sys
from dataclasses import astuple
from pathlib import Path
import dxdata
from dxdata.codebook import load_codebook
from dxdata.extract import extract_article
from dxdata.ingest import read_raw_folder
articles, _ = read_raw_folder(Path(sys.argv[1]))
book = load_codebook()
rows = [(a.article_id, [astuple(o) for o in r.observations], [astuple(m) for m in r.mentions])
        for a in articles for r in [extract_article(a, book)]]
sys.stdout.buffer.write(pickle.dumps((dxdata.BUILD, rows)))
"""


@pytest.mark.skipif(PURE, reason="DXDATA_PURE_PYTHON=1: nothing compiled to compare")
def test_compiled_and_source_modules_give_the_same_rows() -> None:
    articles, _ = read_raw_folder(REPO / "data" / "raw")
    book = load_codebook()
    compiled_rows = [
        (a.article_id, [astuple(o) for o in r.observations], [astuple(m) for m in r.mentions])
        for a in articles
        for r in [extract_article(a, book)]
    ]
    done = subprocess.run(
        [sys.executable, "-c", _DUMP, str(REPO / "data" / "raw")],
        env={**os.environ, _compiled.PURE_ENV: "1"},
        capture_output=True,
        check=True,
    )
    build, source_rows = pickle.loads(done.stdout)
    assert build.startswith("python"), build
    assert sum(len(obs) for _, obs, _ in compiled_rows) > 40
    assert source_rows == compiled_rows


def _fake_build(tmp_path: Path, names: list[str]) -> Path:
    """A package folder with sources, a compiled file for each of `names` and the record of their sources."""
    package_dir = tmp_path / "pkg"
    package_dir.mkdir()
    suffix = _compiled.importlib.machinery.EXTENSION_SUFFIXES[0]
    for name in names:
        (package_dir / f"{name}.py").write_text(f"WHERE = 'source of {name}'\n", encoding="utf-8")
        (package_dir / f"{name}{suffix}").write_bytes(b"\x7fELF")
    (package_dir / "plain.py").write_text("WHERE = 'plain'\n", encoding="utf-8")
    _compiled.write_build_record(package_dir, names)
    return package_dir


def test_compiled_modules_are_those_with_a_source_beside_them(tmp_path: Path) -> None:
    package_dir = _fake_build(tmp_path, ["alpha", "beta"])
    (package_dir / f"orphan{_compiled.importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    assert sorted(_compiled.compiled_modules(package_dir)) == ["alpha", "beta"]


def test_an_edited_source_makes_its_build_stale(tmp_path: Path) -> None:
    package_dir = _fake_build(tmp_path, ["alpha", "beta"])
    assert _compiled.stale_modules(package_dir, ["alpha", "beta"]) == []
    with (package_dir / "beta.py").open("a", encoding="utf-8") as f:
        f.write("# edited\n")
    assert _compiled.stale_modules(package_dir, ["alpha", "beta"]) == ["beta"]


def test_without_a_record_every_build_is_stale(tmp_path: Path) -> None:
    package_dir = _fake_build(tmp_path, ["alpha"])
    (package_dir / _compiled.BUILD_RECORD).write_text("not json", encoding="utf-8")
    assert _compiled.stale_modules(package_dir, ["alpha"]) == ["alpha"]


@pytest.fixture
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`pkg` importable from tmp_path, its finders removed from `sys.meta_path` afterwards."""
    package_dir = _fake_build(tmp_path, ["alpha", "beta"])
    (package_dir / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.delenv(_compiled.PURE_ENV, raising=False)
    yield package_dir
    for name in [m for m in sys.modules if m == "pkg" or m.startswith("pkg.")]:
        del sys.modules[name]


def test_an_edit_sends_every_compiled_module_to_its_source_with_a_warning(fake_package: Path) -> None:
    with (fake_package / "alpha.py").open("a", encoding="utf-8") as f:
        f.write("EDITED = True\n")
    with pytest.warns(RuntimeWarning, match="alpha.py changed since it was compiled"):
        why = _compiled.choose("pkg", fake_package)
    assert why == "python (alpha changed since the build)"
    import pkg.alpha
    import pkg.beta  # not edited, yet from source too: compiled modules call each other directly

    assert pkg.alpha.EDITED and pkg.beta.WHERE == "source of beta"


def test_pure_python_is_asked_for_by_the_environment(fake_package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_compiled.PURE_ENV, "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # asked for: no warning
        assert _compiled.choose("pkg", fake_package) == "python (DXDATA_PURE_PYTHON=1)"
    import pkg.beta

    assert pkg.beta.__file__.endswith("beta.py")


def test_an_intact_build_is_left_to_run(fake_package: Path) -> None:
    before = list(sys.meta_path)
    assert _compiled.choose("pkg", fake_package) == "compiled (2 modules)"
    assert sys.meta_path == before


def test_make_asks_whether_to_compile_again(tmp_path: Path) -> None:
    """`python -m dxdata._compiled` (the Makefile's `compiled` target) exits 0 on this checkout's build."""
    done = subprocess.run([sys.executable, "-W", "ignore", "-m", "dxdata._compiled"], capture_output=True, check=False)
    assert done.returncode == (1 if "changed since" in dxdata.BUILD else 0), done.stderr


def test_internal_records_show_every_field() -> None:
    """`NumberMention`, `TimeExpr` and `Sentence` are plain classes (compiled: native ones, built by a direct
    call). They stay inside extraction, never pickled; their repr still shows every field, as a dataclass's did."""
    from dxdata.numbers import find_numbers
    from dxdata.periods import find_time_expressions
    from dxdata.sentences import split_sentences

    sentence = "Tỉnh có 52 địa phương, đạt 80,2% vào năm 2023."
    found = find_numbers(sentence)
    assert [n.value for n in found if n.not_fact is None] == [52.0, 80.2]
    assert repr(found[1]) == (
        "NumberMention(27, 32, '80,2%', 80.2, 'percent', denominator=None, qualifier='eq', not_fact=None, "
        "is_change=False, range_role=None)"
    )
    times = find_time_expressions(sentence, None)
    assert repr(times) == "[TimeExpr(37, 45, datetime.date(2023, 1, 1), datetime.date(2023, 12, 31), 'year')]"
    assert repr(split_sentences(sentence)) == "[Sentence(0, 46, 0, False)]"
