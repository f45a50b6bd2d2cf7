"""Against a real Prefect server (127.0.0.1, free port, own PREFECT_HOME): the scheduled deployment,
and the Dask task runner. Both slow: the server takes 7-15 s to start, a Dask cluster a few more."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dxdata.orchestrate import engines
from dxdata.orchestrate.refresh import run_refresh
from dxdata.publish import store
from dxdata.tools import synth
from test_flow_logs import LogRecords, wait_for_logs

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _client_settings(api_url: str):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    return temporary_settings(updates={PREFECT_API_URL: api_url})


def test_served_deployment_runs_through_the_server(real_prefect_server: str, seeds_copy: Path, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    serve_mod_path = REPO / "flows" / "serve.py"
    out = tmp_path / "out"
    env = dict(os.environ) | {
        "PREFECT_API_URL": real_prefect_server,
        "PREFECT_HOME": str(tmp_path / "client-home"),
        "PREFECT_LOGGING_LEVEL": "INFO",  # Prefect's default (the tests' is WARNING)
    }
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115
    server_proc = subprocess.Popen(
        [
            sys.executable,
            str(serve_mod_path),
            "--cron",
            "0 3 * * *",
            "--raw-dir",
            str(seeds_copy),
            "--out-dir",
            str(out),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with _client_settings(real_prefect_server), get_client(sync_client=True) as client:
            deadline = time.monotonic() + 120
            deployment = None
            while deployment is None:
                assert server_proc.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
                try:
                    deployment = client.read_deployment_by_name("refresh/dxdata-serve")
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(1)
            crons = [getattr(s.schedule, "cron", None) for s in deployment.schedules]
            assert "0 3 * * *" in crons
            run = run_deployment("refresh/dxdata-serve", timeout=300, poll_interval=1)
            assert run.state is not None and run.state.is_completed(), run.state
        assert store.versions(out) == ["v0001"]
        assert len(store.load("articles", "latest", out)) == 5
        logs = wait_for_logs(real_prefect_server, run.id, "published v0001 at")  # the store's line is a run log
        assert any(f"published v0001 at {out}" in log.message for log in logs), [log.message for log in logs]
        assert "published v0001 at" in (tmp_path / "serve.log").read_text()  # and in the serve log
    finally:
        if server_proc.poll() is None:
            os.killpg(server_proc.pid, signal.SIGINT)
            try:
                server_proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server_proc.pid, signal.SIGKILL)
                server_proc.wait(10)
        log.close()


def test_dask_runner_gives_the_same_dataset(real_prefect_server: str, tmp_path: Path, monkeypatch, capfd) -> None:
    raw = tmp_path / "raw"
    synth.generate(40, raw, seed=9)
    plain = run_refresh(raw, tmp_path / "plain", batch_size=10)

    cli_support = engines
    monkeypatch.setenv("PREFECT_API_URL", real_prefect_server)  # the Dask workers read the environment
    args = argparse.Namespace(
        raw_dir=str(raw),
        out_dir=str(tmp_path / "dask"),
        batch_size=10,
        workers=2,
        dask=None,
        no_progress=True,
        no_prefect=False,
    )
    capfd.readouterr()
    seen = LogRecords()
    logging.getLogger("distributed").addHandler(seen)  # sees every record its loggers let through
    try:
        with _client_settings(real_prefect_server):
            summary = cli_support.run_refresh(args)
    finally:
        logging.getLogger("distributed").removeHandler(seen)
    assert summary == plain.as_dict()
    # Dask says nothing below WARNING: neither here (scheduler, nannies) nor in its worker processes (stderr)
    chatter = [r.getMessage() for r in seen.records if r.levelno < logging.WARNING]
    assert not chatter, chatter[:5]
    err = capfd.readouterr().err
    assert not re.search(r"\bINFO\b.*\bdistributed\.|\bdistributed\.\S+ - INFO\b", err), err[-3000:]
    assert ":8787" not in err  # no dashboard on the default port of every interface
    assert (
        store.read_manifest("latest", tmp_path / "dask")["content_hash"]
        == store.read_manifest("latest", tmp_path / "plain")["content_hash"]
    )


def test_dask_address_without_server_is_refused(tmp_path: Path, monkeypatch) -> None:
    cli_support = engines
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    args = argparse.Namespace(
        raw_dir=str(tmp_path),
        out_dir=str(tmp_path / "o"),
        batch_size=10,
        workers=None,
        dask="tcp://127.0.0.1:1",
        no_progress=True,
        no_prefect=False,
    )
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (
        temporary_settings(restore_defaults={PREFECT_API_URL}),
        pytest.raises(cli_support.DaskSetupError, match="PREFECT_API_URL"),
    ):
        cli_support.run_refresh(args)
