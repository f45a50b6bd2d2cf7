"""Load `flows/<name>.py` by path.

`flows/` sits beside the package in the repository (the layout Prefect deployments point at), not inside
it, so the CLI, the serve script and the tests import its files by path, once per process, under the
module name ``dxdata_flows_<name>`` (which Prefect and cloudpickle then see).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]
FLOWS_DIR = REPO_ROOT / "flows"


def load_flows_module(name: str) -> ModuleType:
    """`flows/<name>.py` as module ``dxdata_flows_<name>`` (loaded once per process)."""
    mod_name = f"dxdata_flows_{name}"
    if mod_name in sys.modules:
        return sys.modules[mod_name]
    path = FLOWS_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(mod_name, None)
        raise
    return module
