"""Build: the extraction modules compiled to C by mypyc, from the same Python source.

Extraction is pure Python that spends its time in small loops over numbers, cue hits and sentences;
mypyc turns those into C calls and native attribute reads (about 27% fewer instructions, see
docs/operations.md). Nothing else changes: the compiled modules give the same rows as the source
(`tests/test_compiled.py`), and a module edited after the build runs from its source
(`dxdata._compiled`) until the next `make` recompiles it.

    DXDATA_PURE_PYTHON=1 pip install -e .   # no compilation: plain Python modules only

Where compilation cannot run (no C compiler, a mypy type error in one of these modules), the install
goes on without it and says so; `tests/test_compiled.py` fails on such a build unless
DXDATA_PURE_PYTHON=1 asks for it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from setuptools import setup

# Imported by each other's hot loops; `models` stays Python (its records are pickled between processes).
COMPILED_MODULES = ("text", "sentences", "regions", "cues", "numbers", "periods", "extract")
PACKAGE_DIR = Path("src/dxdata")


def _build_record() -> ModuleType:
    """`dxdata._compiled`, which writes and reads the record of compiled sources, loaded from its file: the
    package itself is not importable before it is installed."""
    spec = importlib.util.spec_from_file_location("_dxdata_compiled", PACKAGE_DIR / "_compiled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _remove_earlier_builds() -> None:
    """An editable install builds in place: a pure build must not leave an earlier compiled one running.
    (A compiled build overwrites them.)"""
    for path in [*PACKAGE_DIR.glob("*.so"), *PACKAGE_DIR.glob("*.pyd"), *Path("src").glob("*__mypyc*")]:
        path.unlink()
    (PACKAGE_DIR / _build_record().BUILD_RECORD).unlink(missing_ok=True)


def _ext_modules() -> list:
    if os.environ.get("DXDATA_PURE_PYTHON") == "1":
        _remove_earlier_builds()
        return []
    try:
        from mypyc.build import mypycify

        paths = [str(PACKAGE_DIR / f"{name}.py") for name in COMPILED_MODULES]
        extensions = mypycify(["--ignore-missing-imports", *paths], opt_level="3")
        _build_record().write_build_record(PACKAGE_DIR, COMPILED_MODULES)
    except (Exception, SystemExit) as exc:  # mypy reports type errors by exiting
        print(f"dxdata: not compiling the extraction modules ({exc!r}); they run as Python", file=sys.stderr)
        return []
    for ext in extensions:
        ext.optional = True  # a failed C build leaves the Python modules in charge
    return extensions


setup(ext_modules=_ext_modules())
