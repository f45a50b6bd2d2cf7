"""Shared test setup.

* Prefect never touches the developer's ``~/.prefect`` or server: ``PREFECT_HOME`` is a temporary
  folder for the whole session, ``PREFECT_API_URL`` is unset, analytics are off, and the embedded
  server gets 120 s to start (15 s is a cold start on CI machines).
* A refresh in a test uses a temporary Prefect server of its own (``DXDATA_PREFECT_SERVER=temporary``), never
  the project's reusable local server in ``.prefect/`` (``DXDATA_SERVER_HOME`` points into the temporary home).
* ``prefect_harness`` (session): one temporary Prefect server + database shared by every flow test,
  so its start-up (~7 s) is paid once.
* ``real_prefect_server`` (session, slow tests only): ``prefect server start`` on 127.0.0.1 with a free
  port, for the deployment and Dask tests; yields its API URL and stops it at the end.
* The ``slow`` marker: tests that start servers, clusters or big corpora; deselect with ``-m "not slow"``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO_ROOT / "data" / "raw"

_PREFECT_HOME = tempfile.mkdtemp(prefix="dxdata-tests-prefect-")
atexit.register(shutil.rmtree, _PREFECT_HOME, True)
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("PREFECT_PROFILE", None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
# each refresh a test runs gets Prefect's temporary server, tied to it: no test leaves the project's local
# server running, and none ever uses the project's .prefect/ (tests/test_prefect_server.py sets its own)
os.environ["DXDATA_PREFECT_SERVER"] = "temporary"
os.environ["DXDATA_SERVER_HOME"] = str(Path(_PREFECT_HOME) / "dxdata-server")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: starts servers, clusters or big corpora (deselect: -m 'not slow')")


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect server and database for all flow tests of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=None):
        yield


@pytest.fixture(scope="session")
def real_prefect_server(tmp_path_factory):
    """A real `prefect server start` on 127.0.0.1 (own PREFECT_HOME); yields its API URL."""
    from dxdata.orchestrate import prefect_server as server

    home = tmp_path_factory.mktemp("prefect-server-home")
    with server.prefect_server(home, set_env=False) as api_url:
        yield api_url


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed articles."""
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS_DIR, raw)
    for p in raw.iterdir():
        p.chmod(0o644)
    return raw


@pytest.fixture(scope="session")
def seed_articles():
    """The seed articles, read once (frozen records: tests share them)."""
    from dxdata.ingest import read_raw_folder

    articles, rejects = read_raw_folder(SEEDS_DIR)
    assert not rejects
    return articles
