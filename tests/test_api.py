"""The package's top level is what analysts use: loaders and the three products, cheap to import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import dxdata
from dxdata.products import diff, plot, series


def test_products_are_reachable_from_the_top_level() -> None:
    assert dxdata.wide is series.wide
    assert dxdata.plot_series is plot.plot_series
    assert dxdata.diff_versions is diff.diff_versions
    assert set(dxdata.__all__) >= {"load", "versions", "wide", "plot_series", "diff_versions", "article_text"}
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        dxdata.nothing  # noqa: B018


def test_importing_dxdata_loads_no_heavy_library() -> None:
    code = "import sys, dxdata; print(sorted(m for m in ('pandas', 'prefect', 'matplotlib') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
