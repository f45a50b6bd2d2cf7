"""Prefect servers on the loopback interface: the project's local server, kept between runs, and a temporary one.

**The local server** (`ensure_local_server`, `inspect_local_server`, `stop_local_server`; the commands
``dxdata server start|status|stop``): ``dxdata refresh`` runs its flow against one Prefect server per
project, started in the background by the first refresh that needs it and reused by the next ones, so a
refresh pays for Prefect's bookkeeping only, not for a server's start-up (10-25 s). It is
``prefect server start --host 127.0.0.1 --port <free port>``, detached (its own session; no refresh ever
stops it), with its PREFECT_HOME (database, UI files), state file ``dxdata-server.json`` (pid, start time,
URL, the Python and Prefect version that started it), log and lock in ``.prefect/`` of the project, or in
``$DXDATA_SERVER_HOME``. Before reuse, its process must be alive and the same process (start time, so a
reused PID is not mistaken for it), answer ``/api/health`` and ``/api/admin/settings`` with this home (so a
reused port is not mistaken for it), and run this environment's Prefect version.

**A temporary server** (`prefect_server`, a context manager) for a block of code, stopped afterwards: the
slow tests, and the Dask path when the local server is not wanted (``DXDATA_PREFECT_SERVER=temporary``).

    with prefect_server() as api_url:      # e.g. "http://127.0.0.1:53211/api"
        ...                                # PREFECT_API_URL is set for this process and its children
"""

from __future__ import annotations

import contextlib
import json
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import filelock

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


def wait_healthy(
    api_url: str,
    timeout: float = STARTUP_TIMEOUT_S,
    proc: subprocess.Popen | None = None,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Wait until `api_url` answers /health; raise as soon as the server's process (`proc`, or `alive()`) ends."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with code {proc.returncode} while starting")
        if alive is not None and not alive():
            raise RuntimeError("the Prefect server's process ended while starting")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError) as err:
            last = err
        time.sleep(0.5)
    raise TimeoutError(f"the Prefect server at {api_url} did not answer within {timeout:g} s ({last})")


def server_env(prefect_home: Path, ui: str | None = None) -> dict[str, str]:
    """The environment of a server process: its own PREFECT_HOME, no analytics, the UI off unless `ui`."""
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED=ui or env.get("PREFECT_UI_ENABLED", "false"),
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


# --------------------------------------------------------------------------------------------- the local server
#
# `dxdata refresh` runs its flow against one Prefect server per project, started on first use and kept between
# runs (Prefect's temporary server cost 10-25 s per run for 1-3 s of work). Its PREFECT_HOME, database, log,
# state file and lock are in `local_server_home()`: the project's `.prefect/` unless DXDATA_SERVER_HOME says
# otherwise. The state file records how to find the server again and how to tell it from a stranger that
# took over its PID or port; the lock makes two refreshes starting at once start one server.

SERVER_HOME_VARIABLE = "DXDATA_SERVER_HOME"
STATE_FILE = "dxdata-server.json"
LOCK_FILE = "dxdata-server.lock"
LOG_FILE = "dxdata-server.log"
STOP_GRACE_S = 15.0

# Started through this, the server is a child of nobody: the launcher exits at once, so the server outlives
# the refresh that needed it and is never left a zombie of it.
_LAUNCHER = (
    "import subprocess, sys\n"
    "log = open(sys.argv[1], 'ab')\n"
    "proc = subprocess.Popen(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,\n"
    "                        start_new_session=True, close_fds=True)\n"
    "print(proc.pid, flush=True)\n"
    "import os; os._exit(0)\n"
)


class LocalServerError(RuntimeError):
    """The local server cannot be used or started; the message says why and what to do."""


def local_server_home() -> Path:
    """Where the local server keeps its PREFECT_HOME, state file and log: DXDATA_SERVER_HOME; else `.prefect/`
    of the dxdata project the working folder is in (git-ignored); else ``~/.cache/dxdata/prefect`` (an
    installed dxdata run outside a project)."""
    configured = os.environ.get(SERVER_HOME_VARIABLE)
    if configured:
        return Path(configured).expanduser().absolute()
    from dxdata.publish.store import project_folder

    project = project_folder()
    if project is not None:
        return project.absolute() / ".prefect"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser().absolute() / "dxdata" / "prefect"


def installed_prefect_version() -> str:
    """This environment's Prefect version (without importing Prefect, which takes a second)."""
    if "prefect" in sys.modules:
        return str(sys.modules["prefect"].__version__)
    from importlib.metadata import version

    return version("prefect")


def _process_started(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), or None if there is no such live process."""
    import psutil

    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc.create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return None


def _get(url: str, timeout: float = 2.0) -> str | None:
    """The body of a GET, or None when nothing answers with 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode("utf-8", "replace") if response.status == 200 else None
    except (urllib.error.URLError, OSError, ValueError):
        return None


@dataclass
class LocalServer:
    """What the state file in `home` says, checked against the processes and the port.

    `status`: ``running`` (ours, answers, same Prefect version as this environment), ``stopped`` (no state
    file), ``stale`` (recorded, but its process is gone or is another process now; or the file is damaged),
    ``unresponsive`` (its process lives but the port does not answer: starting, or stuck), ``other-version``
    (ours and answering, but started from an environment with another Prefect version).
    """

    home: Path
    status: str
    detail: str
    state: dict = field(default_factory=dict)
    server_version: str | None = None

    @property
    def api_url(self) -> str | None:
        return self.state.get("api_url")

    @property
    def pid(self) -> int | None:
        return self.state.get("pid")

    def describe(self) -> str:
        """Several lines for `dxdata server status`."""
        lines = [f"local Prefect server: {self.status}: {self.detail}"]
        if self.state and self.status != "stale":
            url = self.state.get("api_url", "")
            lines += [
                f"  API:      {url}   (PREFECT_API_URL={url} to use it from Prefect's own commands)",
                f"  UI:       {url.removesuffix('/api')}" if self.state.get("ui") else "  UI:       off",
                f"  pid:      {self.state.get('pid')}, started {self.state.get('started_at', '?')}",
                f"  started by: {self.state.get('python', '?')} (Prefect {self.state.get('prefect_version', '?')})",
            ]
        lines += [f"  home:     {self.home}  (state {STATE_FILE}, log {LOG_FILE})"]
        return "\n".join(lines)


def inspect_local_server(home: Path | None = None) -> LocalServer:
    """Read the state file and check that its server is alive, ours and answering. Never waits."""
    home = home or local_server_home()
    path = home / STATE_FILE
    if not path.exists():
        return LocalServer(home, "stopped", f"none recorded in {path}")
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        pid, api_url, started = int(state["pid"]), str(state["api_url"]), float(state["process_started"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        return LocalServer(home, "stale", f"the state file {path} is damaged ({err})")
    where = f"pid {pid}, {api_url}"
    actual = _process_started(pid)
    if actual is None:
        return LocalServer(home, "stale", f"the server recorded in {path} ({where}) is not running", state)
    if abs(actual - started) > 1.0:
        return LocalServer(
            home, "stale", f"the server recorded in {path} ({where}) is gone: pid {pid} is now another process", state
        )
    if _get(f"{api_url}/health") is None:
        return LocalServer(home, "unresponsive", f"its process ({where}) runs but does not answer (yet)", state)
    settings = _get(f"{api_url}/admin/settings")
    try:
        served_home = json.loads(settings or "{}").get("home")
    except ValueError:
        served_home = None
    if served_home is None or Path(served_home).absolute() != home.absolute():
        return LocalServer(home, "unresponsive", f"{api_url} answers, but not as the server of {home}", state)
    version = (_get(f"{api_url}/admin/version") or "").strip().strip('"') or None
    ours = installed_prefect_version()
    if version != ours:
        return LocalServer(
            home,
            "other-version",
            f"{where} runs Prefect {version}, started by {state.get('python', '?')}; this environment "
            f"({sys.executable}) has Prefect {ours}",
            state,
            version,
        )
    return LocalServer(home, "running", where, state, version)


@contextlib.contextmanager
def _state_lock(home: Path, timeout: float, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of `home` (one process at a time checks, starts or stops the server); wait at most `timeout`.

    A `filelock.FileLock`, as the store's publish lock; a note after a second of waiting says why nothing moves.
    """
    home.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(home / LOCK_FILE)
    started = time.monotonic()
    try:
        lock.acquire(timeout=min(1.0, timeout))
    except filelock.Timeout:
        if timeout > 1.0:
            say("note: another process is starting or stopping the local Prefect server; waiting for it")
        try:
            lock.acquire(timeout=max(0.0, timeout - (time.monotonic() - started)))
        except filelock.Timeout:
            raise LocalServerError(
                f"another process has held {home / LOCK_FILE} for {time.monotonic() - started:.0f} s while "
                "starting or stopping the local Prefect server"
            ) from None
    try:
        yield
    finally:
        lock.release()


def ensure_local_server(
    home: Path | None = None,
    *,
    port: int | None = None,
    timeout: float = STARTUP_TIMEOUT_S,
    say: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
) -> tuple[str, bool]:
    """The API URL of the local server, started now if none is running; and whether it was started now.

    Raises `LocalServerError` (without waiting longer than `timeout`) when the recorded server answers with
    another Prefect version, does not answer, or a new one does not start, or `home` cannot be written.
    """
    home = home or local_server_home()
    try:
        return _ensure_local_server(home, port, timeout, say)
    except (OSError, subprocess.SubprocessError) as err:
        raise LocalServerError(f"cannot keep a local Prefect server in {home}: {err}") from None


def _ensure_local_server(home: Path, port: int | None, timeout: float, say: Callable[[str], None]) -> tuple[str, bool]:
    with _state_lock(home, timeout + 30.0, say):
        found = inspect_local_server(home)
        if found.status == "running":
            return str(found.api_url), False
        if found.status == "other-version":
            raise LocalServerError(
                f"the local Prefect server ({found.detail}); stop it with `dxdata server stop` and run again, "
                "or set PREFECT_API_URL to a server of your own"
            )
        if found.status == "unresponsive":
            say(f"note: waiting up to {timeout:g} s for the local Prefect server: {found.detail}")
            try:
                wait_healthy(str(found.api_url), timeout, alive=lambda: _process_started(found.pid or 0) is not None)
            except (RuntimeError, TimeoutError) as err:
                raise LocalServerError(
                    f"the local Prefect server ({found.detail}) did not answer: {err}; see {home / LOG_FILE}, "
                    "and stop it with `dxdata server stop`"
                ) from None
            again = inspect_local_server(home)
            if again.status == "running":
                return str(again.api_url), False
            raise LocalServerError(f"the local Prefect server: {again.detail}; `dxdata server stop` stops it")
        if found.status == "stale":
            say(f"note: {found.detail}; starting a new one")
            (home / STATE_FILE).unlink(missing_ok=True)
        return _start_local_server(home, port or free_port(), timeout, say), True


def _start_local_server(home: Path, port: int, timeout: float, say: Callable[[str], None]) -> str:
    api_url = f"http://127.0.0.1:{port}/api"
    env = server_env(home, ui=os.environ.get("PREFECT_UI_ENABLED", "true"))
    command = [*prefect_executable(), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    launched = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, str(home / LOG_FILE), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if launched.returncode != 0 or not launched.stdout.strip().isdigit():
        raise LocalServerError(f"could not launch `prefect server start`: {launched.stderr.strip()[-500:]}")
    pid = int(launched.stdout.strip())
    state = {
        "pid": pid,
        "process_started": _process_started(pid) or 0.0,
        "api_url": api_url,
        "ui": env["PREFECT_UI_ENABLED"].lower() in ("1", "true", "yes"),
        "home": str(home),
        "python": sys.executable,
        "prefect_version": installed_prefect_version(),
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }
    _write_state(home, state)  # first: a process killed while waiting leaves a record the next one can check
    try:
        wait_healthy(api_url, timeout, alive=lambda: _process_started(pid) is not None)
    except (RuntimeError, TimeoutError) as err:
        _terminate(pid)
        (home / STATE_FILE).unlink(missing_ok=True)
        raise LocalServerError(f"the local Prefect server did not start: {err}; {_log_tail(home)}") from None
    shown = api_url.removesuffix("/api") if state["ui"] else api_url
    say(
        f"note: started a local Prefect server at {shown} (pid {pid}, home {home}); "
        "later refreshes reuse it, `dxdata server stop` stops it"
    )
    return api_url


def stop_local_server(
    home: Path | None = None, say: Callable[[str], None] = lambda message: print(message, file=sys.stderr)
) -> bool:
    """Stop the recorded server if it is still ours, and forget it; True if a server was stopped."""
    home = home or local_server_home()
    with _state_lock(home, STARTUP_TIMEOUT_S + 30.0, say):
        found = inspect_local_server(home)
        if found.status == "stopped":
            say(f"no local Prefect server is running ({found.detail})")
            return False
        if found.status == "stale":
            (home / STATE_FILE).unlink(missing_ok=True)
            say(f"{found.detail}; its record is removed, nothing was stopped")
            return False
        _terminate(int(found.pid or 0))
        (home / STATE_FILE).unlink(missing_ok=True)
        say(f"stopped the local Prefect server (pid {found.pid}, {found.api_url})")
        return True


def _terminate(pid: int, grace: float = STOP_GRACE_S) -> None:
    """SIGTERM to the server's process group (it leads its own session), then SIGKILL after `grace` seconds."""
    if pid <= 0:
        return
    try:
        group = os.getpgid(pid)
    except ProcessLookupError:
        return
    kill = os.killpg if group == pid else os.kill
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if _process_started(pid) is None:
                return
            time.sleep(0.1)


def _write_state(home: Path, state: dict) -> None:
    path = home / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _log_tail(home: Path, lines: int = 15) -> str:
    try:
        text = (home / LOG_FILE).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    except OSError:
        return f"no log at {home / LOG_FILE}"
    return f"last lines of {home / LOG_FILE}:\n" + "\n".join(text)
