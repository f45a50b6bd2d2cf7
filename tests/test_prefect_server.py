"""The project's local Prefect server (`flows/server.py`, `dxdata server start|status|stop`; issue 15, point 1).

The slow test starts a real `prefect server start` in a home of its own and drives it through the command
line: two refreshes at once over a stale record start one server, a later refresh reuses it, `stop` stops
it. The fast ones put a record in front of processes that are not that server (a dead PID, a PID now
another process, a stranger answering on the port, a server of another Prefect version, one that never
answers) and check that each is told apart, with a message and without a hang.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from dxdata.orchestrate import prefect_server
from dxdata.publish import store

REPO = Path(__file__).resolve().parents[1]

# A stand-in for a server on the loopback interface: answers /api/health, and /api/admin/settings and
# /api/admin/version with the home and version it is given.
_STUB = """
import http.server, json, sys
from dxdata.orchestrate import prefect_server
port, home, version = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = {"/api/health": "true", "/api/admin/settings": json.dumps({"home": home}),
                "/api/admin/version": json.dumps(version)}.get(self.path)
        self.send_response(200 if body else 404)
        self.end_headers()
        self.wfile.write((body or "").encode())
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, DXDATA_SERVER_HOME=str(home), DXDATA_PREFECT_SERVER="local", PYTHONPATH=str(REPO / "src"))
    env.pop("PREFECT_API_URL", None)
    return env


def _dxdata(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dxdata.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def _refresh_cmd(raw: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dxdata.cli",
        "refresh",
        "--no-progress",
        "--raw-dir",
        str(raw),
        "--out-dir",
        str(out),
    ]


def _record(home: Path, pid: int, port: int, started: float | None = None, **extra: object) -> None:
    """Write the state file as a refresh that started a server at `pid` would."""
    home.mkdir(parents=True, exist_ok=True)
    state = {
        "pid": pid,
        "process_started": psutil.Process(pid).create_time() if started is None else started,
        "api_url": f"http://127.0.0.1:{port}/api",
        "ui": False,
        "home": str(home),
        "python": "/elsewhere/.venv/bin/python",
        "prefect_version": "2.99.0",
        "started_at": "2026-01-01 00:00:00 +0000",
    } | extra
    (home / "dxdata-server.json").write_text(json.dumps(state), encoding="utf-8")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _stub(port: int, home: Path, version: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _STUB, str(port), str(home), version], start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the stub server did not start")


@pytest.fixture
def server_mod():
    return prefect_server


def test_status_without_a_server(tmp_path: Path) -> None:
    done = _dxdata(_env(tmp_path / "home"), "server", "status")
    assert done.returncode == 1
    assert "stopped" in done.stdout


def test_record_of_a_dead_server_is_stale_even_if_its_port_answers(tmp_path: Path, server_mod) -> None:
    """The server died and another process took its port: not reused, and `stop` only forgets it."""
    home, port = tmp_path / "home", server_mod.free_port()
    stranger = _stub(port, tmp_path / "another-home", server_mod.installed_prefect_version())
    try:
        _record(home, _dead_pid(), port, started=1.0)
        found = server_mod.inspect_local_server(home)
        assert found.status == "stale" and "is not running" in found.detail
        done = _dxdata(_env(home), "server", "stop")
        assert done.returncode == 0
        assert "nothing was stopped" in done.stderr
        assert not (home / "dxdata-server.json").exists()
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()


def test_recorded_pid_now_another_process_is_not_killed(tmp_path: Path, server_mod) -> None:
    home = tmp_path / "home"
    other = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        _record(home, other.pid, server_mod.free_port(), started=psutil.Process(other.pid).create_time() - 100)
        status = _dxdata(_env(home), "server", "status")
        assert status.returncode == 1
        assert "is now another process" in status.stdout
        stop = _dxdata(_env(home), "server", "stop")
        assert stop.returncode == 0 and "nothing was stopped" in stop.stderr
        assert other.poll() is None  # still running
    finally:
        other.kill()
        other.wait()


def test_damaged_record_is_stale(tmp_path: Path, server_mod) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "dxdata-server.json").write_text("{not json", encoding="utf-8")
    found = server_mod.inspect_local_server(home)
    assert found.status == "stale" and "damaged" in found.detail


def test_server_of_another_prefect_version_is_refused_with_a_message(tmp_path: Path, server_mod) -> None:
    """A server started from another venv with another Prefect: not reused; `start` says why; `stop` stops it."""
    home, port = tmp_path / "home", server_mod.free_port()
    other_venv = _stub(port, home, "2.99.0")
    try:
        _record(home, other_venv.pid, port)
        found = server_mod.inspect_local_server(home)
        assert found.status == "other-version"
        started = time.monotonic()
        with pytest.raises(server_mod.LocalServerError, match=r"Prefect 2\.99\.0.*/elsewhere/\.venv/bin/python"):
            server_mod.ensure_local_server(home, timeout=5, say=lambda _: None)
        assert time.monotonic() - started < 5
        start = _dxdata(_env(home), "server", "start")
        assert start.returncode == 1
        assert "dxdata server stop" in start.stderr and "2.99.0" in start.stderr
        stop = _dxdata(_env(home), "server", "stop")
        assert stop.returncode == 0 and f"stopped the local Prefect server (pid {other_venv.pid}" in stop.stderr
        assert other_venv.wait(10) is not None
        assert not (home / "dxdata-server.json").exists()
    finally:
        if other_venv.poll() is None:
            other_venv.kill()
            other_venv.wait()


def test_recorded_server_that_never_answers_gives_up_in_time(tmp_path: Path, server_mod) -> None:
    """Its process lives (ours, by its start time) but nothing answers on the port: a message, not a hang."""
    home = tmp_path / "home"
    silent = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        _record(home, silent.pid, server_mod.free_port())
        assert server_mod.inspect_local_server(home).status == "unresponsive"
        started = time.monotonic()
        with pytest.raises(server_mod.LocalServerError, match="did not answer"):
            server_mod.ensure_local_server(home, timeout=3, say=lambda _: None)
        assert time.monotonic() - started < 15
        assert silent.poll() is None  # left for `dxdata server stop`, which the message names
    finally:
        silent.kill()
        silent.wait()


def test_unknown_server_mode_is_a_usage_error(tmp_path: Path, seeds_copy: Path) -> None:
    env = _env(tmp_path / "home") | {"DXDATA_PREFECT_SERVER": "remote"}
    done = subprocess.run(_refresh_cmd(seeds_copy, tmp_path / "out"), env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert "DXDATA_PREFECT_SERVER='remote'" in done.stderr


def _flow_runs(api_url: str) -> int:
    request = urllib.request.Request(f"{api_url}/flow_runs/count", data=b"{}", method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(response.read())


@pytest.mark.slow
def test_local_server_started_once_reused_and_stopped(tmp_path: Path, seeds_copy: Path, server_mod) -> None:
    home = tmp_path / "home"
    env = _env(home)
    _record(home, _dead_pid(), server_mod.free_port(), started=1.0)  # a server that died since
    try:
        # two refreshes at once: one starts the server, the other waits for it and reuses it
        outs = [tmp_path / "out-a", tmp_path / "out-b"]
        procs = [
            subprocess.Popen(
                _refresh_cmd(seeds_copy, out), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for out in outs
        ]
        said = [p.communicate(timeout=600) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err[-3000:] for _, err in said]
        errs = "".join(err for _, err in said)
        assert errs.count("started a local Prefect server") == 1, errs[-3000:]
        assert errs.count("is not running; starting a new one") == 1
        state = json.loads((home / "dxdata-server.json").read_text(encoding="utf-8"))
        assert psutil.Process(state["pid"]).is_running()
        assert all(store.versions(out) == ["v0001"] for out in outs)

        status = _dxdata(env, "server", "status")
        assert status.returncode == 0, status.stdout + status.stderr
        assert "running" in status.stdout and state["api_url"] in status.stdout

        # a later refresh reuses it: no new server, its run is recorded by this one
        again = subprocess.run(_refresh_cmd(seeds_copy, outs[0]), env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "no change (latest is v0001)" in again.stdout
        assert "started a local Prefect server" not in again.stderr
        assert json.loads((home / "dxdata-server.json").read_text(encoding="utf-8"))["pid"] == state["pid"]
        assert _flow_runs(state["api_url"]) == 3

        start = _dxdata(env, "server", "start")
        assert start.returncode == 0 and "already running" in start.stderr
        assert f"pid:      {state['pid']}" in start.stdout

        stop = _dxdata(env, "server", "stop")
        assert stop.returncode == 0 and f"pid {state['pid']}" in stop.stderr
        assert not psutil.pid_exists(state["pid"]) or psutil.Process(state["pid"]).status() == psutil.STATUS_ZOMBIE
        assert not (home / "dxdata-server.json").exists()
        assert _dxdata(env, "server", "status").returncode == 1
    finally:
        server_mod.stop_local_server(home, say=lambda _: None)
