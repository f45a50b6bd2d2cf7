"""Process-wide settings the pipeline's entry points apply: the command line, the process pool, benchmarks.

Kept free of heavy imports, so that calling it before numpy loads is possible.
"""

from __future__ import annotations

import os

BLAS_THREADS_VARIABLE = "OPENBLAS_NUM_THREADS"


def limit_blas_threads() -> None:
    """One OpenBLAS thread per process, unless the user chose a number.

    dxdata does no linear algebra and already runs one process per core, yet numpy's OpenBLAS starts a
    thread per core in every process that loads it. On the 2-core machine of our benchmarks those idle
    threads made extraction about 13% slower (`benchmarks/extract_speed.py`, six alternating runs).
    Takes effect in this process if numpy is not loaded yet, and in every process started after it.
    """
    os.environ.setdefault(BLAS_THREADS_VARIABLE, "1")
