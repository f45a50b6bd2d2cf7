"""The package goes down its stages and never back: a module imports only its own layer and the ones below.

    shared (models, text, codebook, tables, pool, ...)  <  ingest  <  extract  <  validate  <  publish
    <  products  <  orchestrate  <  the front doors (cli, tools, the package's top level)

This is what lets one article be followed from its raw file to its Parquet row module by module
(docs/architecture.md). Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dxdata

PACKAGE = Path(dxdata.__file__).resolve().parent
STAGES = ["ingest", "extract", "validate", "publish", "products", "orchestrate"]
FRONT = len(STAGES) + 1  # cli, tools, dxdata/__init__.py


def layer_of(module: str) -> int:
    """0 for the shared top-level modules (and the package's `__version__`), 1.. for the stages, FRONT above."""
    parts = module.split(".")
    if len(parts) == 1:
        return 0  # `from dxdata import __version__`, `import dxdata` for its folder
    if parts[1] in STAGES:
        return STAGES.index(parts[1]) + 1
    if parts[1] in ("cli", "tools"):
        return FRONT
    return 0


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.split(".")[0] == "dxdata"
        ):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "dxdata"]
    return found


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = []
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 30, "the test found too few modules"
    for path in modules:
        name = _module_name(path)
        own = FRONT if name == "dxdata" else layer_of(name)
        upward += [f"{name}:{line} imports {target}" for line, target in _imports(path) if layer_of(target) > own]
    assert upward == []


def test_every_stage_is_a_subpackage() -> None:
    assert all((PACKAGE / stage / "__init__.py").is_file() for stage in STAGES)
    assert layer_of("dxdata.publish.store") > layer_of("dxdata.validate.schemas") > layer_of("dxdata.models")
