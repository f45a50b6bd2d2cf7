"""Whether the extraction modules run compiled (mypyc, see setup.py) or from their Python source.

A compiled module is a build of its source at one moment. Once a source is edited, its build would run
code that is not in the file any more, so the package then imports every compiled module from its
source (all of them: compiled modules call each other directly, never through an edited one) and
warns, until the next `make` (`pip install -e .`) builds them again. `DXDATA_PURE_PYTHON=1` asks for
the sources too (to debug, trace or measure coverage).

setup.py records the sha256 of each source it compiles in `BUILD_RECORD`; a compiled module whose
source no longer has that digest is stale.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

PURE_ENV = "DXDATA_PURE_PYTHON"
BUILD_RECORD = "_compiled_sources.json"  # module name -> sha256 of the source it was compiled from


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compiled_modules(package_dir: Path) -> dict[str, Path]:
    """Module name -> its compiled file, for each module of the package that has one beside its source."""
    found: dict[str, Path] = {}
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for path in package_dir.glob(f"*{suffix}"):
            name = path.name[: -len(suffix)]
            if (package_dir / f"{name}.py").is_file():
                found.setdefault(name, path)
    return found


def write_build_record(package_dir: Path, names: Sequence[str]) -> None:
    """Record the sources of the modules `names` as they are compiled (setup.py calls it)."""
    digests = {name: source_digest(package_dir / f"{name}.py") for name in names}
    (package_dir / BUILD_RECORD).write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def stale_modules(package_dir: Path, names: Sequence[str]) -> list[str]:
    """The modules among `names` whose source is not the one they were compiled from (or is not on record)."""
    try:
        record = json.loads((package_dir / BUILD_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    return sorted(name for name in names if record.get(name) != source_digest(package_dir / f"{name}.py"))


class _SourceFinder(MetaPathFinder):
    """Imports the named modules of one package from their `.py` files, ahead of their compiled builds."""

    def __init__(self, package: str, package_dir: Path, names: set[str]) -> None:
        self.package, self.package_dir, self.names = package, package_dir, names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != self.package or name not in self.names:
            return None
        return importlib.util.spec_from_file_location(fullname, self.package_dir / f"{name}.py")


def choose(package: str, package_dir: Path) -> str:
    """Set up where the package's compiled modules import from; says which way it went, for logs.

    Call it before any of them is imported (the package's `__init__` does).
    """
    compiled = compiled_modules(package_dir)
    if not compiled:
        return "python (no compiled modules)"
    if os.environ.get(PURE_ENV) == "1":
        why = f"python ({PURE_ENV}=1)"
    else:
        stale = stale_modules(package_dir, sorted(compiled))
        if not stale:
            return f"compiled ({len(compiled)} modules)"
        why = f"python ({', '.join(stale)} changed since the build)"
        warnings.warn(
            f"dxdata: {', '.join(f'{n}.py' for n in stale)} changed since it was compiled: the extraction "
            "modules run from their Python source (slower) until `make` or `pip install -e .` compiles them again",
            RuntimeWarning,
            stacklevel=2,
        )
    if not any(isinstance(f, _SourceFinder) and f.package == package for f in sys.meta_path):
        sys.meta_path.insert(0, _SourceFinder(package, package_dir, set(compiled)))
    return why


if __name__ == "__main__":  # `make compiled`: exit 1 when a compiled module is stale, so that it builds them again
    here = Path(__file__).parent
    sys.exit(1 if stale_modules(here, sorted(compiled_modules(here))) else 0)
