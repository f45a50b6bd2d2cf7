"""`dxdata.runtime`: the process-wide settings of the entry points."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dxdata import cli
from dxdata.runtime import BLAS_THREADS_VARIABLE, limit_blas_threads


def test_one_blas_thread_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BLAS_THREADS_VARIABLE, raising=False)
    limit_blas_threads()
    assert os.environ[BLAS_THREADS_VARIABLE] == "1"
    monkeypatch.setenv(BLAS_THREADS_VARIABLE, "4")
    limit_blas_threads()
    assert os.environ[BLAS_THREADS_VARIABLE] == "4"


def test_the_command_line_sets_it_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(BLAS_THREADS_VARIABLE, raising=False)
    assert cli.main(["versions", "--out-dir", str(tmp_path)]) == 0
    assert os.environ[BLAS_THREADS_VARIABLE] == "1"
