"""`dxdata` command line: refresh, versions, verify, server, evaluate, release, diff, plot, synth.

Exit codes: 0 done (a new version, or no change; `verify`: every file good); 1 the run failed (`verify`:
damage found; a full disk or write error: one line saying so); 2 bad arguments, input or output folder
(missing, a file, read-only, one inside the other); 4 another refresh holds the output folder.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

from dxdata.arguments import add_batch_size_argument, describe_os_error, output_folder_problem, positive_int
from dxdata.runtime import limit_blas_threads

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 4


def _prefect_defaults() -> None:
    """An embedded Prefect that starts reliably offline, unless the user configured otherwise."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")


def _cmd_refresh(args: argparse.Namespace) -> int:
    raw_dir, out_dir = Path(args.raw_dir), Path(args.out_dir)
    if not raw_dir.is_dir():
        print(f"error: raw folder {raw_dir} does not exist", file=sys.stderr)
        return EXIT_USAGE
    problem = output_folder_problem(out_dir)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from dxdata.orchestrate import engines
    from dxdata.orchestrate.refresh import FolderError, check_folders
    from dxdata.publish.store import StoreError

    try:
        check_folders(raw_dir, out_dir)
    except FolderError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    if not args.no_prefect:
        _prefect_defaults()
    try:
        summary = engines.run_refresh(args)
    except engines.EngineSetupError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_LOCKED if "another refresh" in str(err) else EXIT_FAILED
    except FolderError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:  # a full disk, a write error: one line, not a traceback
        print(f"error: {describe_os_error(err)}", file=sys.stderr)
        return EXIT_FAILED
    _print_summary(summary, out_dir)
    return EXIT_OK


def _print_summary(summary: dict, out_dir: Path) -> None:
    print(f"files seen:        {summary['files_seen']}")
    print(f"articles read:     {summary['articles_read']}")
    print(f"files rejected:    {summary['files_rejected']}")
    print(f"rows published:    {summary['observations']}")
    print(f"rows rejected:     {summary['rows_rejected']}")
    print(f"numbers left out:  {summary['mentions']} (see the mentions table)")
    if summary["reject_reasons"]:
        reasons = ", ".join(f"{k}={v}" for k, v in summary["reject_reasons"].items())
        print(f"reject reasons:    {reasons}")
    if summary["changed"]:
        print(f"version:           {summary['version']} (new) in {out_dir}")
    else:
        print(f"version:           no change (latest is {summary['version']})")


def _cmd_versions(args: argparse.Namespace) -> int:
    from dxdata.publish.store import StoreError, latest_version, read_manifest, versions

    try:
        ids = versions(args.out_dir)
        latest = latest_version(args.out_dir)
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    if not ids:
        print(f"no versions in {args.out_dir} yet: run `dxdata refresh`")
        return EXIT_OK
    for v in ids:
        try:
            m = read_manifest(v, args.out_dir)
        except StoreError as err:
            print(f"! {v}  damaged: {err}")
            continue
        counts = m.get("tables", {})
        obs = counts.get("observations", {}).get("rows", "?")
        arts = counts.get("articles", {}).get("rows", "?")
        mark = "*" if v == latest else " "
        print(f"{mark} {v}  {m.get('created', '')}  articles={arts}  observations={obs}")
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    """Check every file of one version (or all) against its manifest: exit 0 all good, 1 damage found,
    2 no such version or no dataset."""
    from dxdata.publish.store import StoreError, latest_version, verify, versions

    try:
        ids = versions(args.root) if args.all else [args.version]
        if ids == ["latest"]:
            ids = [latest_version(args.root) or "latest"]
        if args.all and not ids:
            raise StoreError(f"no dataset yet at {args.root} (run `dxdata refresh`)")
        results = {v: verify(v, args.root) for v in ids}
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    bad = 0
    for v, problems in results.items():
        if problems:
            bad += 1
            print(f"{v}: DAMAGED ({len(problems)} problems)")
            for line in problems:
                print(f"  {line}")
        else:
            print(f"{v}: ok")
    if bad:
        print(f"{bad} of {len(results)} versions damaged", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _cmd_server(args: argparse.Namespace) -> int:
    """`dxdata server start|status|stop`: the project's local Prefect server (`dxdata.orchestrate.prefect_server`).

    Exit codes: start 0 running (1 it did not start); status 0 running, 1 not; stop 0 (stopped or none).
    """
    from dxdata.orchestrate import prefect_server as server

    home = server.local_server_home()
    if args.action == "start":
        try:
            _, started = server.ensure_local_server(home, port=args.port)
        except server.LocalServerError as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_FAILED
        if not started:
            print("already running", file=sys.stderr)
    elif args.action == "stop":
        server.stop_local_server(home)
        return EXIT_OK
    found = server.inspect_local_server(home)
    print(found.describe())
    if os.environ.get("PREFECT_API_URL"):
        print(
            f"note: PREFECT_API_URL is set ({os.environ['PREFECT_API_URL']}): refreshes use that server, not this one"
        )
    return EXIT_OK if found.status == "running" else EXIT_FAILED


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with `command`, only that command's module is loaded for it."""
    parser = argparse.ArgumentParser(
        prog="dxdata", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("refresh", help="build the dataset from the raw folder and publish a version if it changed")
    p.add_argument(
        "--raw-dir",
        default="data/raw",
        metavar="DIR",
        help="folder of the articles (.txt, .html), read recursively and never changed (default: %(default)s)",
    )
    p.add_argument(
        "--out-dir",
        default="data/processed",
        metavar="DIR",
        help="dataset folder: versions/, LATEST and the caches; created if missing (default: %(default)s)",
    )
    add_batch_size_argument(p)
    p.add_argument("--no-prefect", action="store_true", help="run the same stages without Prefect")
    from dxdata.orchestrate.engines import add_refresh_arguments

    add_refresh_arguments(p)
    p.set_defaults(func=_cmd_refresh)

    p = sub.add_parser("versions", help="list published versions (* marks latest)")
    p.add_argument("--out-dir", default="data/processed", metavar="DIR", help="dataset folder (default: %(default)s)")
    p.set_defaults(func=_cmd_versions)

    p = sub.add_parser(
        "verify", help="check the files of a version against its manifest (exit 0 good, 1 damaged, 2 unknown)"
    )
    p.add_argument("version", nargs="?", default="latest", help="version id such as v0002 (default: latest)")
    p.add_argument("--all", action="store_true", help="every version")
    p.add_argument("--root", "--out-dir", dest="root", default="data/processed", help="dataset folder")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser(
        "server",
        help="the project's local Prefect server that refreshes reuse: start, status (exit 0 running, 1 not), stop",
        description="A refresh through Prefect starts this server itself when none runs and reuses it later; "
        "PREFECT_API_URL, when set, wins; DXDATA_PREFECT_SERVER=temporary uses a temporary server per run instead. "
        "Its database, log and state file are in .prefect/ of the project (or $DXDATA_SERVER_HOME).",
    )
    p.add_argument("action", choices=["start", "status", "stop"])
    p.add_argument("--port", type=positive_int, metavar="N", help="start: port on 127.0.0.1 (default: a free one)")
    p.set_defaults(func=_cmd_server)

    for (
        name,
        module,
    ) in COMMAND_MODULES.items():  # a command run loads only its own module (no matplotlib for a refresh)
        if command in (None, name):
            importlib.import_module(module).add_parser(sub)
    return parser


COMMAND_MODULES = {  # command -> the module that declares it (`add_parser`) and runs it
    "evaluate": "dxdata.tools.evaluate",
    "release": "dxdata.products.release",
    "diff": "dxdata.products.diff",
    "plot": "dxdata.products.plot",
    "synth": "dxdata.tools.synth",
}


def _command_in(argv: list[str]) -> str | None:
    """The command named on the command line (the first word that is not an option), if it is one of
    `COMMAND_MODULES`; else None, and the parser knows every command (for --help and errors)."""
    words = [a for a in argv if not a.startswith("-")]
    return words[0] if words and words[0] in (*COMMAND_MODULES, "refresh", "versions", "verify", "server") else None


def main(argv: list[str] | None = None) -> int:
    limit_blas_threads()  # before anything loads numpy
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(_command_in(argv)).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
