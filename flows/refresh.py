"""Entry point of the Prefect flow `refresh` (defined in `dxdata.orchestrate.prefect_flow`).

Deployments name it ``flows/refresh.py:refresh`` (prefect.yaml, `prefect deploy`); `flows/serve.py`
serves it on a schedule. Run by hand, it is `dxdata refresh`:

    python flows/refresh.py --raw-dir data/raw --out-dir data/processed
"""

from __future__ import annotations

import sys

from dxdata.orchestrate.prefect_flow import refresh

__all__ = ["refresh"]

if __name__ == "__main__":
    from dxdata.cli import main

    sys.exit(main(["refresh", *sys.argv[1:]]))
