"""The Prefect flow `refresh` end to end, under one temporary Prefect server for the session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dxdata.orchestrate import prefect_flow
from dxdata.publish import store
from dxdata.tools import synth
from test_ingest import to_cp1258

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def flow():
    return prefect_flow.refresh


def test_refresh_seeds_then_no_change_then_new_article(flow, seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = flow(raw_dir=str(seeds_copy), out_dir=str(out), batch_size=2)
    assert first["files_seen"] == 5 and first["articles_read"] == 5 and first["files_rejected"] == 0
    assert first["observations"] > 0
    assert first["changed"] is True and first["version"] == "v0001"
    obs_v1 = store.load("observations", "v0001", out)
    assert len(obs_v1) == first["observations"]
    assert (out / "cache" / "extraction.sqlite").is_file()

    second = flow(raw_dir=str(seeds_copy), out_dir=str(out), batch_size=2)
    assert second["changed"] is False and second["version"] == "v0001"
    assert store.versions(out) == ["v0001"]
    assert {k: v for k, v in second.items() if k != "changed"} == {k: v for k, v in first.items() if k != "changed"}

    synth.generate(1, seeds_copy, seed=7)
    third = flow(raw_dir=str(seeds_copy), out_dir=str(out), batch_size=2)
    assert third["changed"] is True and third["version"] == "v0002"
    assert third["articles_read"] == 6 and third["observations"] > first["observations"]
    assert store.versions(out) == ["v0001", "v0002"]
    assert store.latest_version(out) == "v0002"
    again = store.load("observations", "v0001", out)  # the old version stays readable, unchanged
    assert len(again) == len(obs_v1)
    assert store.read_manifest("v0001", out)["content_hash"] != store.read_manifest("v0002", out)["content_hash"]


def test_flow_matches_the_plain_pipeline(flow, seeds_copy: Path, tmp_path: Path) -> None:
    from dxdata.orchestrate.refresh import run_refresh

    plain = run_refresh(seeds_copy, tmp_path / "plain", batch_size=2)  # in-process, no cache: the reference
    flowed = flow(raw_dir=str(seeds_copy), out_dir=str(tmp_path / "flow"), batch_size=2, processes=2)
    assert flowed == plain.as_dict()
    assert (
        store.read_manifest("latest", tmp_path / "plain")["content_hash"]
        == store.read_manifest("latest", tmp_path / "flow")["content_hash"]
    )


def test_summary_artifact_is_created(flow, seeds_copy: Path, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from dxdata.orchestrate.report import summary_artifact_key

    out = tmp_path / "out"
    summary = flow(raw_dir=str(seeds_copy), out_dir=str(out), batch_size=500)
    key = summary_artifact_key(out)
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    assert found, f"no {key} artifact"
    latest = max(found, key=lambda a: a.created)
    assert latest.type == "markdown"
    text = str(latest.data)
    assert f"`{out.resolve()}`" in text and f"| rows published (observations) | {summary['observations']} |" in text


def test_messy_folder_is_processed_to_the_end(flow, seeds_copy: Path, tmp_path: Path) -> None:
    raw = seeds_copy
    (raw / "empty.txt").write_bytes(b"")
    (raw / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    text = (
        "Hội nghị sơ kết chuyển đổi số tỉnh Kon Tum\nNgày đăng: 13/07/2023 08:15\n\n"
        "Chiều 12/7, UBND tỉnh Kon Tum tổ chức hội nghị sơ kết 6 tháng đầu năm 2023 về chuyển đổi số. "
        "Đến nay, 95% hồ sơ thủ tục hành chính của tỉnh được tiếp nhận trực tuyến, tăng mạnh so với năm trước.\n"
    )
    (raw / "windows1258.txt").write_bytes(to_cp1258(text))
    html_src = Path(__file__).parent / "data" / "ingest" / "page_with_chrome.html"
    if html_src.exists():
        shutil.copy(html_src, raw / "page.html")
    else:
        (raw / "page.html").write_text(
            "<html><head><title>Chuyển đổi số</title></head><body><article><h1>Chuyển đổi số</h1>"
            f"<p>{text}</p></article></body></html>",
            encoding="utf-8",
        )
    names = sorted(p.name for p in raw.iterdir())

    summary = flow(raw_dir=str(raw), out_dir=str(tmp_path / "out"), batch_size=3)

    assert summary["version"] == "v0001"
    assert summary["files_seen"] == len(names)
    articles = store.load("articles", "latest", tmp_path / "out")
    rejects = store.load("rejects", "latest", tmp_path / "out")
    ingest_rejects = rejects[rejects["stage"] == "ingest"]
    read = set(articles["source_file"])
    rejected = set(ingest_rejects["source_file"])
    assert read | rejected == set(names) and not read & rejected  # every file read or rejected, once
    assert {"empty.txt", "image.txt"} <= rejected
    reasons = dict(zip(ingest_rejects["source_file"], ingest_rejects["reason"], strict=True))
    assert reasons["empty.txt"] == "empty" and reasons["image.txt"] == "binary"
    assert all(ingest_rejects["detail"].astype(str).str.len() > 10)  # a reason a person can act on
    assert "windows1258.txt" in read and "page.html" in read
    enc = dict(zip(articles["source_file"], articles["encoding"], strict=True))
    assert enc["windows1258.txt"].lower().replace("-", "") in {"cp1258", "windows1258"}
    manifest = store.read_manifest("latest", tmp_path / "out")
    assert {s["source_file"] for s in manifest["sources"]} == set(names)


def test_build_retries_unreadable_files(seeds_copy: Path, tmp_path: Path, monkeypatch) -> None:
    """A chunk whose files could not all be read is built again (transient I/O error) before giving up."""
    mod = prefect_flow
    real = mod.build_chunk
    calls = {"n": 0}

    def flaky(chunk, staging, cache_dir):
        calls["n"] += 1
        out = real(chunk, staging, cache_dir)
        if calls["n"] == 1:
            out.unreadable = [chunk.files[0].source_file]
        return out

    monkeypatch.setattr(mod, "build_chunk", flaky)
    monkeypatch.setattr(mod.build, "retry_delay_seconds", 0)
    summary = mod.refresh(raw_dir=str(seeds_copy), out_dir=str(tmp_path / "out"), batch_size=500, processes=1)
    assert calls["n"] == 2
    assert summary["articles_read"] == 5 and summary["files_rejected"] == 0
