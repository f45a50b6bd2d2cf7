"""Serve the `refresh` flow as a scheduled Prefect deployment (one long-running process, no work pool).

    prefect server start                                   # terminal 1 (UI at http://127.0.0.1:4200)
    export PREFECT_API_URL=http://127.0.0.1:4200/api       # terminal 2
    python flows/serve.py --cron "0 3 * * *" --raw-dir data/raw --out-dir data/processed

The process registers the deployment ``refresh/dxdata-serve`` with the server and runs every
scheduled (or manually triggered) run of it until stopped with Ctrl-C. prefect.yaml's deployment (work pool
and worker) is ``refresh/dxdata-worker``, a different name: use one of the two per output folder. See
docs/operations.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEPLOYMENT_NAME = "dxdata-serve"  # prefect.yaml's is "dxdata-worker": never the same (issue 15, point 3)
DEFAULT_CRON = "0 3 * * *"  # every day at 03:00
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def main(argv: list[str] | None = None) -> int:
    from dxdata.arguments import add_batch_size_argument  # argparse only: loads neither numpy nor Prefect

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--name", default=DEPLOYMENT_NAME, help="deployment name (default: %(default)s)")
    p.add_argument("--cron", default=DEFAULT_CRON, help="cron schedule (default: %(default)r, daily at 03:00)")
    p.add_argument("--timezone", default=DEFAULT_TIMEZONE, help="time zone of the cron schedule (default: %(default)s)")
    p.add_argument("--no-schedule", action="store_true", help="serve without a schedule (manual runs only)")
    p.add_argument(
        "--raw-dir",
        default="data/raw",
        metavar="DIR",
        help="folder of the articles, resolved against the current folder when serving (default: %(default)s)",
    )
    p.add_argument(
        "--out-dir",
        default="data/processed",
        metavar="DIR",
        help="dataset folder, resolved against the current folder when serving (default: %(default)s)",
    )
    add_batch_size_argument(p)
    args = p.parse_args(argv)
    from dxdata.runtime import limit_blas_threads

    limit_blas_threads()  # before anything loads numpy: every scheduled run is served from this process
    if not os.environ.get("PREFECT_API_URL"):
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            print(
                "error: set PREFECT_API_URL to a running Prefect server (`prefect server start`); "
                "the embedded server never runs schedules",
                file=sys.stderr,
            )
            return 2
    from dxdata.orchestrate.prefect_flow import refresh

    params = {
        "raw_dir": str(Path(args.raw_dir).resolve()),
        "out_dir": str(Path(args.out_dir).resolve()),
        "batch_size": args.batch_size,
    }
    kwargs = {} if args.no_schedule else {"cron": args.cron}
    if not args.no_schedule and args.timezone:
        from prefect.schedules import Cron

        kwargs = {"schedule": Cron(args.cron, timezone=args.timezone)}
    # limit=1: this process runs one refresh at a time; a run that comes due meanwhile waits its turn
    refresh.serve(name=args.name, parameters=params, tags=["dxdata"], limit=1, **kwargs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
