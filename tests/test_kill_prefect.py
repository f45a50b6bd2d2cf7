"""kill -9 of a `dxdata refresh` through Prefect leaves no Prefect server behind (issue 14, point 9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from dxdata.publish import store


def _servers(pid: int) -> list[psutil.Process]:
    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for kid in kids:
        try:
            if "uvicorn" in " ".join(kid.cmdline()):
                found.append(kid)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.mark.slow
@pytest.mark.parametrize("attempt", [1, 2])
def test_kill_9_of_a_prefect_refresh_leaves_no_server(seeds_copy: Path, tmp_path: Path, attempt: int) -> None:
    out = tmp_path / "out"
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"), PYTHONPATH=str(Path(store.__file__).parents[1]))
    env.pop("PREFECT_API_URL", None)
    cmd = [sys.executable, "-m", "dxdata.cli", "refresh", "--raw-dir", str(seeds_copy), "--out-dir", str(out)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers: list[psutil.Process] = []
    deadline = time.monotonic() + 120
    while not servers and time.monotonic() < deadline and proc.poll() is None:
        servers = _servers(proc.pid)
        time.sleep(0.2)
    assert servers, "the refresh did not start its embedded Prefect server"
    time.sleep(0.5 * attempt)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    _, alive = psutil.wait_procs(servers, timeout=15)
    assert not alive, f"Prefect server left running after kill -9: {[p.pid for p in alive]}"
    # and the next refresh completes
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert store.verify("latest", out) == []
