"""Rewrite the documentation generated from the table declarations (src/dxdata/tables.py): the tables
section of README.md, the column tables of schemas/ROWS.md and schemas/*.schema.yaml.

    python scripts/generate_docs.py            # rewrite what is stale
    python scripts/generate_docs.py --check    # list it, exit status 1 when there is any

tests/test_tables.py fails while a generated file is stale. The work is done by `dxdata.tools.docs`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dxdata.tools.docs import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], repo=Path(__file__).resolve().parents[1]))
