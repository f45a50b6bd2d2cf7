"""How `dxdata refresh` runs: in this process (`--no-prefect`), or as the Prefect flow, on a local or a
given Prefect server, with or without Dask; its extra options and its progress bar.

`dxdata.cli` adds the options with `add_refresh_arguments(parser)` and runs a refresh with
`run_refresh(args)`. Importing this module imports neither Prefect nor Dask, so ``dxdata --help`` stays fast.

Options added to ``dxdata refresh``:

``--workers N``     extract on a local Dask cluster of N worker processes (prefect-dask's
                    DaskTaskRunner). Needs a real Prefect server: ``PREFECT_API_URL`` if set, else the
                    local server (or, with ``DXDATA_PREFECT_SERVER=temporary``, a temporary one).
``--dask ADDRESS``  extract on an existing Dask scheduler (``tcp://host:8786``). Needs
                    ``PREFECT_API_URL`` set to a Prefect server that the workers can reach.
``--processes N``   extract in N worker processes of this machine (default: one per core).
``--no-progress``   no progress bar (it is shown only when stderr is a terminal anyway).

Which Prefect server a refresh talks to (`prefect_api`): ``PREFECT_API_URL`` (or a Prefect profile) when
the user configured one; else the project's local server (`dxdata.orchestrate.prefect_server`), started in
the background by the first refresh and reused by the next ones; with ``DXDATA_PREFECT_SERVER=temporary`` (CI, tests,
or a machine where nothing may outlive the command), Prefect's temporary server for this run only, tied
to this process. When the local server cannot be used (another Prefect version answers, it does not
start), the refresh says why and falls back to a temporary server.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Iterator

SERVER_MODE_VARIABLE = "DXDATA_PREFECT_SERVER"
SERVER_MODES = ("local", "temporary")


class EngineSetupError(RuntimeError):
    """A refresh through Prefect cannot run as asked; the message says why (the CLI exits with code 2)."""


class DaskSetupError(EngineSetupError):
    """The Dask path cannot run as asked (missing package, no Prefect server); the message says why."""


def add_refresh_arguments(parser: argparse.ArgumentParser) -> None:
    from dxdata.arguments import positive_int

    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="extract on a local Dask cluster of N processes (starts a Prefect server if PREFECT_API_URL is not set)",
    )
    where.add_argument(
        "--dask", metavar="ADDRESS", help="extract on the Dask scheduler at ADDRESS (needs PREFECT_API_URL)"
    )
    parser.add_argument(
        "--processes",
        type=positive_int,
        metavar="N",
        help="extract in N worker processes on this machine (default: one per core; 1: in-process)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


# --------------------------------------------------------------------------------------------- progress


@contextlib.contextmanager
def progress_bar(enabled: bool) -> Iterator[object]:
    """A rich progress bar over extraction batches; yields the hook `(stage, done, total)`."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("batches"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    tasks: dict[str, int] = {}

    def hook(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=max(total, 1) if total else 0)
        progress.update(tasks[stage], completed=done, total=total or None)

    with progress:
        yield hook


# --------------------------------------------------------------------------------------------- running


def _quiet_http_logs() -> None:
    for name in ("httpx", "httpcore", "asyncio"):  # distributed: `prefect_flow.quiet_dask_logs`
        logging.getLogger(name).setLevel(logging.WARNING)


def dask_task_runner(address: str | None = None, workers: int | None = None):
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as err:
        raise DaskSetupError("the Dask path needs prefect-dask: pip install 'prefect-dask==0.3.7'") from err
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": int(workers or 2),
            "threads_per_worker": 1,
            "processes": True,
            # distributed always starts its HTTP server: a free loopback port, not 8787 on every interface,
            # and no dashboard pages behind it
            "dashboard_address": "127.0.0.1:0",
            "scheduler_kwargs": {"dashboard": False},
        },
    )


def configured_api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def server_mode() -> str:
    """``local`` (default: the project's server, kept between runs) or ``temporary`` (one per run)."""
    mode = os.environ.get(SERVER_MODE_VARIABLE, "").strip().lower() or "local"
    if mode not in SERVER_MODES:
        raise EngineSetupError(f"{SERVER_MODE_VARIABLE}={mode!r}: expected one of {', '.join(SERVER_MODES)}")
    return mode


@contextlib.contextmanager
def use_api_url(api_url: str) -> Iterator[str]:
    """Point Prefect at `api_url` in this process, every thread included, and in its children.

    The environment variable is for children (Dask workers); the global settings context is for Prefect's
    own threads (log and event workers), which do not see a `temporary_settings` of the calling thread:
    one that found no URL could start a temporary server of its own.
    """
    import prefect.context

    from dxdata.orchestrate import prefect_server as server

    old_env, old_global = os.environ.get("PREFECT_API_URL"), prefect.context.GLOBAL_SETTINGS_CONTEXT
    os.environ["PREFECT_API_URL"] = api_url
    prefect.context.refresh_global_settings_context()
    try:
        yield api_url
    finally:
        server.drain_prefect_workers()
        if old_env is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = old_env
        prefect.context.GLOBAL_SETTINGS_CONTEXT = old_global


@contextlib.contextmanager
def prefect_api(dask: bool = False, address: str | None = None) -> Iterator[str | None]:
    """The Prefect server of this refresh, as the module docstring says; yields its API URL, or None for
    Prefect's temporary server (started here, tied to this process)."""
    mode = server_mode()
    url = configured_api_url()
    if url:
        if dask:
            os.environ.setdefault("PREFECT_API_URL", url)  # the workers (child processes) read the environment
        yield url
        return
    if address:
        raise DaskSetupError(
            "--dask needs a Prefect server that the Dask workers can reach: start one "
            "(`prefect server start`) and set PREFECT_API_URL (see docs/operations.md)"
        )
    from dxdata.orchestrate import prefect_server as server

    if mode == "local":
        try:
            local_url, _ = server.ensure_local_server()
        except server.LocalServerError as err:
            print(f"warning: {err}\nwarning: this refresh uses a temporary Prefect server instead", file=sys.stderr)
        else:
            with use_api_url(local_url):
                yield local_url
            return
    if dask:  # Prefect's temporary server would be started again by every Dask worker: a real one for the run
        print("note: starting a temporary Prefect server for this run", file=sys.stderr)
        with server.prefect_server() as api_url:
            yield api_url
        return
    start_embedded_server_tied_to_this_process()
    yield None


@contextlib.contextmanager
def run_settings(api_url: str | None) -> Iterator[None]:
    """Prefect's settings for the flow run: `api_url` (if any), and no flow-run heartbeats unless the user
    set PREFECT_FLOWS_HEARTBEAT_FREQUENCY.

    Prefect joins the heartbeat thread when the flow ends, and that thread sleeps in steps of one second:
    every run paid up to 1 s (0.5-0.9 s measured) for a signal that only an automation watching for crashed
    runs reads. Served deployments (`flows/serve.py`) keep them.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    updates: dict = {PREFECT_API_URL: api_url} if api_url else {}
    if not any(
        name in os.environ for name in ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")
    ):
        updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
    if not updates:
        yield
        return
    with temporary_settings(updates=updates):
        yield


# The embedded Prefect server runs as `python -m uvicorn ...` in a child process. Started through this code
# instead, the child first asks the kernel to SIGKILL it when the refresh that started it dies (Linux
# PR_SET_PDEATHSIG), so that a refresh killed with SIGKILL leaves no server behind.
_UVICORN_TIED = (
    "import ctypes, os, runpy, sys\n"
    "try:\n"
    "    ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "if os.getppid() != int(os.environ.get('DXDATA_SERVER_PARENT', os.getppid())):\n"
    "    sys.exit(1)\n"
    "sys.argv[0] = 'uvicorn'\n"
    "runpy.run_module('uvicorn', run_name='__main__', alter_sys=True)\n"
)


class _TiedSubprocess:
    """The `subprocess` module as Prefect's server module sees it while the embedded server starts: the
    same, except that the uvicorn child is started through `_UVICORN_TIED`."""

    def __getattr__(self, name: str) -> object:
        import subprocess

        return getattr(subprocess, name)

    @staticmethod
    def Popen(args, **kwargs):  # noqa: ANN001, ANN205, N802 - the name Prefect calls
        import subprocess

        args = list(args)
        if args[1:3] == ["-m", "uvicorn"]:
            args = [args[0], "-c", _UVICORN_TIED, *args[3:]]
            kwargs["env"] = {**(kwargs.get("env") or os.environ), "DXDATA_SERVER_PARENT": str(os.getpid())}
        return subprocess.Popen(args, **kwargs)


def start_embedded_server_tied_to_this_process() -> None:
    """Start Prefect's embedded server now, from this (the main) thread, so that it dies with this process.

    Prefect would start it on first use, from whichever thread needs it; PR_SET_PDEATHSIG fires when the
    thread that started the child ends, so it is started here, by the thread that lives as long as the
    process. Does nothing when a Prefect server is configured (``PREFECT_API_URL``) or off Linux.
    """
    if configured_api_url() or not sys.platform.startswith("linux"):
        return
    from prefect.server.api import server as prefect_server_module

    real = prefect_server_module.subprocess
    prefect_server_module.subprocess = _TiedSubprocess()  # type: ignore[assignment]
    try:
        prefect_server_module.SubprocessASGIServer().start()
    finally:
        prefect_server_module.subprocess = real


def skip_final_collection() -> None:
    """At exit, leave the objects alive now out of the interpreter's last garbage collections.

    After a refresh those are Prefect's, pandas' and pyarrow's modules and caches: collecting them when the
    process ends took 0.3-0.5 s of a 3 s refresh (measured on the seeds) and frees nothing that matters.
    Files are closed by the code that opens them, so no buffer waits for that collection.
    """
    import atexit
    import gc

    atexit.register(gc.freeze)


def run_refresh(args: argparse.Namespace) -> dict:
    """Run one refresh as the parsed `dxdata refresh` options ask; return the summary dict.

    Raises `dxdata.publish.store.StoreError` like the flow does (the CLI maps it to its exit codes) and
    `EngineSetupError` (`DaskSetupError` for the Dask path) when the run cannot start as asked.
    """
    raw_dir, out_dir, batch_size = str(args.raw_dir), str(args.out_dir), int(args.batch_size)
    skip_final_collection()
    show = not getattr(args, "no_progress", False) and sys.stderr.isatty()
    workers, address = getattr(args, "workers", None), getattr(args, "dask", None)
    _quiet_http_logs()
    processes = getattr(args, "processes", None)
    if getattr(args, "no_prefect", False):
        if workers or address:
            raise DaskSetupError("--workers/--dask run through Prefect; drop --no-prefect")
        from dxdata.orchestrate.refresh import run_refresh as run_plain
        from dxdata.pool import default_workers

        with progress_bar(show) as hook:
            on_batch = (lambda done, total: hook("extract", done, total)) if hook else None
            summary = run_plain(
                raw_dir,
                out_dir,
                batch_size=batch_size,
                cached=True,
                workers=processes or default_workers(),
                on_batch=on_batch,
            )
            return summary.as_dict()

    from dxdata.orchestrate import prefect_flow as flows

    runner = dask_task_runner(address, workers) if (workers or address) else None
    with prefect_api(runner is not None, address) as api_url, run_settings(api_url), progress_bar(show) as hook:
        old = flows.set_progress_hook(hook)
        try:
            if runner is None:
                return flows.refresh(raw_dir=raw_dir, out_dir=out_dir, batch_size=batch_size, processes=processes)
            # on Dask, each Dask worker extracts its batch in-process
            return flows.refresh.with_options(task_runner=runner)(
                raw_dir=raw_dir, out_dir=out_dir, batch_size=batch_size, processes=1
            )
        finally:
            flows.set_progress_hook(old)
