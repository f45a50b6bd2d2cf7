"""What a refresh tells Prefect (issue 15, points 2 and 4): the `dxdata` loggers' lines are run logs
("published v0001 at ..."), rejects give a warning with counts and reasons, and the Markdown summary
artifact is keyed per output folder. Read back from a real Prefect server through the client API."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import pytest

from dxdata.orchestrate import prefect_flow
from dxdata.orchestrate.refresh import RefreshSummary, run_refresh
from dxdata.orchestrate.report import rejects_note, summary_artifact_key, summary_markdown

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------------------------- helpers


def _client_settings(api_url: str):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    return temporary_settings(updates={PREFECT_API_URL: api_url})


def wait_for_logs(api_url: str, flow_run_id: UUID, wanted: str, timeout: float = 60.0) -> list:
    """The run's logs once one of them holds `wanted` (logs reach the server in batches, a little after
    the run ends); all of them, for the assertion message, when none does in time."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    deadline = time.monotonic() + timeout
    with _client_settings(api_url), get_client(sync_client=True) as client:
        while True:
            logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
            if any(wanted in log.message for log in logs) or time.monotonic() > deadline:
                return logs
            time.sleep(0.5)


def _summary_artifact(api_url: str, out: Path, flow_run_id: UUID):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    with _client_settings(api_url), get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[summary_artifact_key(out)]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
            )
        )
    assert len(found) == 1, f"no artifact {summary_artifact_key(out)} for run {flow_run_id}"
    return found[0]


def _run_flow(api_url: str, raw: Path, out: Path) -> UUID:
    """The flow in this process, against the server at `api_url`; returns the flow run's id."""
    refresh = prefect_flow.refresh
    from prefect.logging.handlers import APILogWorker

    with _client_settings(api_url):
        state = refresh(raw_dir=str(raw), out_dir=str(out), batch_size=500, processes=1, return_state=True)
        APILogWorker.drain_all(timeout=30)  # the run's last logs, before the server stops at the session's end
    assert state.is_completed(), state
    return state.state_details.flow_run_id


# --------------------------------------------------------------------------------------------- plain


def _summary(**changes) -> RefreshSummary:
    base = RefreshSummary(7, 5, 2, 53, 0, 154, "v0001", True, {"binary": 1, "empty": 1})
    return RefreshSummary(**{**base.as_dict(), **changes})


def test_artifact_key_is_one_per_output_folder(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "out", tmp_path / "b" / "out"
    key = summary_artifact_key(a)
    assert re.fullmatch(r"refresh-out-[0-9a-f]{8}", key)
    assert summary_artifact_key(a) == key == summary_artifact_key(tmp_path / "a" / "." / "out")  # same folder
    assert summary_artifact_key(b) != key  # same name, other folder
    assert re.fullmatch(r"refresh-du-lieu-da-nang-[0-9a-f]{8}", summary_artifact_key(tmp_path / "Dữ liệu Đà Nẵng"))
    assert re.fullmatch(r"refresh-[a-z0-9-]+", summary_artifact_key("/"))


def test_rejects_note_gives_counts_and_reasons() -> None:
    assert rejects_note(_summary(files_rejected=0, files_seen=5, reject_reasons={})) is None
    note = rejects_note(_summary())
    assert note is not None
    assert "2 of 7 files" in note and "0 rows" in note and "binary 1, empty 1" in note and "v0001" in note


def test_summary_markdown_is_tables_of_one_kind_each(tmp_path: Path) -> None:
    text = summary_markdown(
        _summary(),
        raw_dir=tmp_path / "raw",
        out_dir=tmp_path / "out",
        seconds={"scan": 0.04, "build": 1.26, "publish": 0.3, "total": 1.7},
        counts={"chunks": 3},
    )
    assert f"| output folder | `{(tmp_path / 'out').resolve()}` |" in text
    assert "| version | v0001 (new) |" in text
    assert "**Rejects**: 2 of 7 files" in text
    assert "| files rejected | 2 |" in text and "| chunks | 3 |" in text
    assert "| binary | 1 |" in text and "| empty | 1 |" in text
    assert "| scan | 0.0 |" in text and "| build | 1.3 |" in text and "| total | 1.7 |" in text
    assert "No file or row was rejected." in summary_markdown(
        _summary(files_rejected=0, reject_reasons={}), raw_dir=tmp_path, out_dir=tmp_path / "o", seconds={}
    )


class LogRecords(logging.Handler):
    """Every record of the loggers it is added to (pytest's caplog loses them once Prefect sets up logging)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_plain_refresh_warns_about_rejects(seeds_copy: Path, tmp_path: Path) -> None:
    (seeds_copy / "empty.txt").write_bytes(b"")
    seen = LogRecords()
    logger = logging.getLogger("dxdata.refresh")
    logger.addHandler(seen)
    try:
        run_refresh(seeds_copy, tmp_path / "out", batch_size=500)
    finally:
        logger.removeHandler(seen)
    warnings = [r.getMessage() for r in seen.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "1 of 6 files" in warnings[0] and "empty 1" in warnings[0]


def test_dxdata_lines_outside_a_run_are_not_sent(seeds_copy: Path, tmp_path: Path) -> None:
    """With the flows loaded (the `dxdata` loggers reach Prefect's API handler), the plain refresh still
    runs without a flow run: its lines are not sent, and Prefect does not warn about them."""
    import warnings

    assert prefect_flow.refresh  # imported: the `dxdata` loggers now reach Prefect's API handler
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run_refresh(seeds_copy, tmp_path / "out", batch_size=500)


# --------------------------------------------------------------------------------------------- server


@pytest.mark.slow
def test_dxdata_lines_are_run_logs_of_a_cli_refresh(real_prefect_server: str, seeds_copy: Path, tmp_path: Path) -> None:
    """`python flows/refresh.py` (what `dxdata refresh` runs) in a fresh process: the store's line is a run log."""
    from prefect.client.orchestration import get_client

    out = tmp_path / "out"
    env = dict(os.environ) | {
        "PREFECT_API_URL": real_prefect_server,
        "PREFECT_HOME": str(tmp_path / "home"),
        "PREFECT_LOGGING_LEVEL": "INFO",  # Prefect's default (the tests' is WARNING)
    }
    env.pop("PREFECT_LOGGING_EXTRA_LOGGERS", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "flows" / "refresh.py"), "--raw-dir", str(seeds_copy), "--out-dir", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with _client_settings(real_prefect_server), get_client(sync_client=True) as client:
        runs = [r for r in client.read_flow_runs() if r.parameters.get("out_dir") == str(out)]
    assert len(runs) == 1
    logs = wait_for_logs(real_prefect_server, runs[0].id, "published v0001 at")
    published = [log for log in logs if "published v0001 at" in log.message]
    assert published, [log.message for log in logs]
    assert published[0].name == "dxdata.store" and str(out) in published[0].message
    assert published[0].level == logging.INFO


@pytest.mark.slow
def test_rejects_are_a_warning_and_in_the_artifact(real_prefect_server: str, seeds_copy: Path, tmp_path: Path) -> None:
    (seeds_copy / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    run_id = _run_flow(real_prefect_server, seeds_copy, out)

    logs = wait_for_logs(real_prefect_server, run_id, "rejects:")
    warnings = [log.message for log in logs if log.level == logging.WARNING and "rejects:" in log.message]
    assert len(warnings) == 1, [log.message for log in logs]
    assert "1 of 6 files" in warnings[0] and "0 rows" in warnings[0] and "empty 1" in warnings[0]

    artifact = _summary_artifact(real_prefect_server, out, run_id)
    assert artifact.type == "markdown"
    text = str(artifact.data)
    assert f"| output folder | `{out.resolve()}` |" in text
    assert "| version | v0001 (new) |" in text
    assert "**Rejects**: 1 of 6 files" in text
    assert "| files seen | 6 |" in text and "| articles read | 5 |" in text and "| files rejected | 1 |" in text
    assert "| empty | 1 |" in text
    for stage in ("scan", "build", "publish", "total"):
        assert re.search(rf"^\| {stage} \| \d+\.\d \|$", text, re.MULTILINE), stage
    assert "rejected" in (artifact.description or "")


@pytest.mark.slow
def test_two_output_folders_have_two_artifact_keys(real_prefect_server: str, seeds_copy: Path, tmp_path: Path) -> None:
    outs = [tmp_path / "a" / "out", tmp_path / "b" / "out"]  # the same name: the key's hash tells them apart
    runs = [_run_flow(real_prefect_server, seeds_copy, out) for out in outs]
    keys = [_summary_artifact(real_prefect_server, out, run).key for out, run in zip(outs, runs, strict=True)]
    assert keys[0] != keys[1] and all(k.startswith("refresh-out-") for k in keys)
    for out, run in zip(outs, runs, strict=True):
        text = str(_summary_artifact(real_prefect_server, out, run).data)
        assert f"`{out.resolve()}`" in text and "No file or row was rejected." in text
