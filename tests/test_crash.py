"""Crash safety and concurrency of refreshes on one output folder.

Refreshes run in child processes that are killed with SIGKILL (no cleanup runs): in the middle of a
publish slowed down by a wrapper script of this test (the store itself has no test hooks), and at
random moments of whole refreshes. After every kill the last good version must be intact and
readable, and the next refresh must complete. Two refreshes started at once must both finish with
one consistent history.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dxdata.orchestrate.refresh import run_refresh
from dxdata.publish import store
from dxdata.tools import synth

REPO = Path(__file__).resolve().parents[1]

REFRESH_SCRIPT = """
import sys, time
import dxdata.publish.store as st
from dxdata.orchestrate.refresh import run_refresh

delay = float(sys.argv[3])
if delay:
    real = st.write_parquet

    def slow_write(df, path, *args, **kwargs):
        print("PUBLISHING", path.name, flush=True)
        digest = real(df, path, *args, **kwargs)
        time.sleep(delay)
        return digest

    st.write_parquet = slow_write
summary = run_refresh(sys.argv[1], sys.argv[2], batch_size=int(sys.argv[4]), cached=True)
print("DONE", summary.version, "new" if summary.changed else "no-change", flush=True)
"""


@pytest.fixture
def refresh_script(tmp_path: Path) -> Path:
    path = tmp_path / "refresh_wrapper.py"
    path.write_text(REFRESH_SCRIPT, encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _start(script: Path, raw: Path, out: Path, delay: float = 0.0, batch: int = 500) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(script), str(raw), str(out), str(delay), str(batch)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(),
    )


def assert_store_intact(out: Path) -> list[str]:
    """LATEST names a complete version; every version's files match its manifest and load."""
    known = store.versions(out)
    latest = store.latest_version(out)  # raises StoreError if LATEST is broken
    assert (latest is None) == (not known)
    if latest is not None:
        assert latest in known
    for v in known:
        assert store.verify(v, out) == [], f"{v} does not match its manifest"
        for name, entry in store.read_manifest(v, out)["tables"].items():
            assert len(store.load(name, v, out)) == entry["rows"]
    return known


def test_kill_during_publish_keeps_last_version(refresh_script: Path, seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_refresh(seeds_copy, out, cached=True)
    assert first.version == "v0001"
    obs_before = store.load("observations", "v0001", out)
    synth.generate(2, seeds_copy, seed=11)

    proc = _start(refresh_script, seeds_copy, out, delay=30)
    try:
        line = proc.stdout.readline()
        assert line.startswith("PUBLISHING"), line
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    assert list((out / "versions").glob(".tmp-*")), "the killed publish should have left its temp folder"
    assert assert_store_intact(out) == ["v0001"]
    assert store.latest_version(out) == "v0001"
    assert store.load("observations", "latest", out).equals(obs_before)

    after = run_refresh(seeds_copy, out, cached=True)
    assert after.changed and after.version == "v0002"
    assert not list((out / "versions").glob(".tmp-*"))
    assert assert_store_intact(out) == ["v0001", "v0002"]


def test_kill_at_random_moments(refresh_script: Path, tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    synth.generate(30, raw, seed=5)
    run_refresh(raw, out, batch_size=10, cached=True)
    rng = random.Random(1234)
    for i in range(6):
        synth.generate(3, raw, seed=5, start=30 + 3 * i)  # something new to extract and publish
        proc = _start(refresh_script, raw, out, batch=2)
        time.sleep(rng.uniform(0.8, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        assert_store_intact(out)
    final = run_refresh(raw, out, batch_size=10, cached=True)
    assert_store_intact(out)
    clean = run_refresh(raw, tmp_path / "clean", batch_size=10)  # the same chunks, nothing cached
    assert final.as_dict() | {"version": None, "changed": None} == clean.as_dict() | {"version": None, "changed": None}
    assert (
        store.read_manifest("latest", out)["content_hash"]
        == store.read_manifest("latest", tmp_path / "clean")["content_hash"]
    )


def test_two_plain_refreshes_at_once(seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "dxdata.cli",
        "refresh",
        "--no-prefect",
        "--raw-dir",
        str(seeds_copy),
        "--out-dir",
        str(out),
    ]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()) for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _, e in outs]
    assert assert_store_intact(out) == ["v0001"]
    said = [o for o, _ in outs]
    assert sum("v0001 (new)" in s for s in said) == 1
    assert sum("no change (latest is v0001)" in s for s in said) == 1


def test_two_cached_refreshes_at_once(refresh_script: Path, seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    synth.generate(20, seeds_copy, seed=3)
    procs = [_start(refresh_script, seeds_copy, out, batch=3) for _ in range(2)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert sorted(o.strip().splitlines()[-1] for o in outs) == ["DONE v0001 new", "DONE v0001 no-change"]
    assert assert_store_intact(out) == ["v0001"]
    again = run_refresh(seeds_copy, out, batch_size=3, cached=True)
    assert again.changed is False


@pytest.mark.slow
def test_two_flow_refreshes_at_once(seeds_copy: Path, tmp_path: Path) -> None:
    """The Prefect path: two `dxdata refresh` processes (each with its embedded server) at once."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dxdata.cli", "refresh", "--raw-dir", str(seeds_copy), "--out-dir", str(out)]
    procs = []
    for i in range(2):
        env = _env() | {"PREFECT_HOME": str(tmp_path / f"prefect-{i}")}
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e[-2000:] for _, e in outs]
    assert assert_store_intact(out) == ["v0001"]
    said = [o for o, _ in outs]
    assert sum("v0001 (new)" in s for s in said) == 1
    assert sum("no change (latest is v0001)" in s for s in said) == 1
