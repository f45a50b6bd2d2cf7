"""Start a real Prefect server on the loopback interface for as long as a block of code runs.

Used by the Dask path (`dxdata refresh --workers N` without ``PREFECT_API_URL``: with the embedded
server every Dask worker would start a server of its own on the same SQLite file) and by the slow
tests. The server is ``prefect server start --host 127.0.0.1 --port <free port>`` in a child process
with its own ``PREFECT_HOME`` unless one is given; it is stopped (SIGTERM, then SIGKILL) on exit.

    with prefect_server() as api_url:      # e.g. "http://127.0.0.1:53211/api"
        ...                                # PREFECT_API_URL is set for this process and its children
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

STARTUP_TIMEOUT_S = 120.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def prefect_executable() -> list[str]:
    """`prefect` of the running interpreter's environment (the venv's, not another one on PATH)."""
    exe = Path(sys.executable).with_name("prefect")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "prefect"]


def wait_healthy(api_url: str, timeout: float = STARTUP_TIMEOUT_S, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with code {proc.returncode} while starting")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError) as err:
            last = err
        time.sleep(0.5)
    raise TimeoutError(f"the Prefect server at {api_url} did not answer within {timeout:g} s ({last})")


def server_env(prefect_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED=env.get("PREFECT_UI_ENABLED", "false"),
        PREFECT_LOGGING_LEVEL=env.get("PREFECT_LOGGING_LEVEL", "WARNING"),
    )
    return env


@contextlib.contextmanager
def prefect_server(
    prefect_home: Path | None = None,
    *,
    port: int | None = None,
    log_path: Path | None = None,
    timeout: float = STARTUP_TIMEOUT_S,
    set_env: bool = True,
) -> Iterator[str]:
    """Run `prefect server start` on 127.0.0.1; yield its API URL; stop it afterwards.

    With `set_env`, ``PREFECT_API_URL`` is set in ``os.environ`` (for child processes such as Dask
    workers) and in Prefect's settings of this process while the block runs.
    """
    own_home = prefect_home is None
    home = Path(tempfile.mkdtemp(prefix="dxdata-prefect-")) if own_home else Path(prefect_home)
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    log_file = open(log_path or home / "server.log", "ab")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [*prefect_executable(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=server_env(home),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    old_env = os.environ.get("PREFECT_API_URL")
    try:
        wait_healthy(api_url, timeout, proc)
        if not set_env:
            yield api_url
            return
        os.environ["PREFECT_API_URL"] = api_url
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            try:
                yield api_url
            finally:
                drain_prefect_workers()
    finally:
        if set_env:
            if old_env is None:
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = old_env
        stop(proc)
        log_file.close()
        if own_home:
            shutil.rmtree(home, ignore_errors=True)


def drain_prefect_workers() -> None:
    """Send buffered logs and events to the server before it stops (else: 'Error logging to API')."""
    if "prefect" not in sys.modules:
        return
    import inspect

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def drain() -> None:
        with contextlib.suppress(RuntimeError):
            result = APILogWorker.instance().drain()
            if inspect.isawaitable(result):
                await result
        result = EventsWorker.drain_all()
        if inspect.isawaitable(result):
            await result

    with contextlib.suppress(Exception):
        run_coro_as_sync(drain())


def stop(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """Stop a process started with start_new_session=True, and its children (the server's workers)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
