"""The refresh end to end without Prefect: real files in, versioned tables out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import dxdata
from dxdata.refresh import run_refresh
from test_ingest import to_cp1258

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    shutil.copytree(RAW, folder, ignore=shutil.ignore_patterns(".*"))
    return folder


def test_refresh_builds_every_table_with_types(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_refresh(raw, out)
    assert summary.changed and summary.version == "v0001"
    assert summary.articles_read == 5 and summary.files_rejected == 0
    obs = dxdata.load("observations", root=out)
    assert len(obs) == summary.observations > 40
    for col in [
        "source_file",
        "indicator_code",
        "value",
        "unit",
        "denominator",
        "qualifier",
        "status",
        "period_start",
        "period_end",
        "region_code",
        "body_code",
        "evidence",
        "obs_id",
        "article_id",
        "char_start",
        "char_end",
    ]:
        assert col in obs.columns
    assert obs["value"].dtype == "float64"
    assert str(obs["period_end"].dtype).startswith("datetime64")
    assert isinstance(obs["indicator_code"].dtype, pd.CategoricalDtype)
    assert obs["obs_id"].is_unique
    articles = dxdata.load("articles", root=out)
    texts = {p.name: p for p in raw.iterdir()}
    assert set(articles["source_file"]) == set(texts)
    for table in ("mentions", "rejects", "indicators", "bodies", "regions"):
        dxdata.load(table, root=out)


def test_evidence_is_the_article_text_at_its_span(raw: Path, tmp_path: Path) -> None:
    from dxdata.ingest import read_raw_folder

    run_refresh(raw, tmp_path / "out")
    obs = dxdata.load("observations", root=tmp_path / "out")
    texts = {a.article_id: a.text for a in read_raw_folder(raw)[0]}
    for row in obs.itertuples():
        assert texts[row.article_id][row.char_start : row.char_end] == row.evidence


def test_same_input_twice_publishes_nothing_new_and_is_reproducible(raw: Path, tmp_path: Path) -> None:
    first = run_refresh(raw, tmp_path / "a")
    again = run_refresh(raw, tmp_path / "a")
    assert again.changed is False and again.version == first.version
    assert dxdata.versions(tmp_path / "a") == ["v0001"]
    other = run_refresh(raw, tmp_path / "b")  # a fresh build elsewhere gives the same bytes

    def files(root: Path) -> dict[str, bytes]:
        folder = root / "versions" / "v0001"
        return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*.parquet")}

    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert other.changed and any(name.startswith("observations/part-") for name in a) and a == b


def test_process_pool_and_caches_give_the_same_dataset(raw: Path, tmp_path: Path) -> None:
    timings: dict[str, float] = {}
    reference = run_refresh(raw, tmp_path / "ref", batch_size=2)  # in-process, nothing cached
    pooled = run_refresh(raw, tmp_path / "pool", batch_size=2, workers=2, cached=True, timings=timings)
    assert pooled.as_dict() == reference.as_dict()
    manifests = [dxdata.store.read_manifest("latest", tmp_path / d) for d in ("ref", "pool")]
    assert manifests[0]["content_hash"] == manifests[1]["content_hash"]
    assert set(timings) == {"scan", "build", "publish"}
    assert all(seconds >= 0 for seconds in timings.values())


def test_a_new_article_makes_a_new_version_and_keeps_the_old(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_refresh(raw, out)
    before = dxdata.load("observations", root=out)
    (raw / "005_new.txt").write_text(
        "Kinh tế số Bắc Ninh\nNăm 2023, tỷ trọng kinh tế số trong GRDP của tỉnh Bắc Ninh đạt 30,5%.",
        encoding="utf-8",
    )
    summary = run_refresh(raw, out)
    assert summary.changed and summary.version == "v0002"
    assert dxdata.versions(out) == ["v0001", "v0002"]
    assert len(dxdata.load("observations", version="v0001", root=out)) == len(before)
    new = dxdata.load("observations", root=out)
    added = new[new["source_file"] == "005_new.txt"]
    assert list(added["value"]) == [30.5]
    assert added["region_code"].astype(str).tolist() == ["VN-56"]


def test_bad_files_are_rejected_with_reasons_and_the_run_goes_on(raw: Path, tmp_path: Path) -> None:
    (raw / "empty.txt").write_bytes(b"")
    (raw / "image.txt").write_bytes(bytes(range(256)) * 40)
    (raw / "legacy.txt").write_bytes(to_cp1258("Hà Giang có 2.418 trạm thu phát sóng (BTS) trên địa bàn."))
    (raw / "page.html").write_text(
        "<html><head><title>Tin</title></head><body><nav>Trang chủ | Tin tức</nav><article><h1>Cần Thơ</h1>"
        + "<p>Thành phố Cần Thơ có 95% hồ sơ được xử lý trực tuyến trong năm 2023.</p>" * 3
        + "<p>Đây là nội dung bài viết về chuyển đổi số của thành phố với nhiều kết quả nổi bật.</p></article>"
        "<footer>Bản quyền</footer></body></html>",
        encoding="utf-8",
    )
    shutil.copy(raw / "002_52f6af25ab725421.txt", raw / "copy_of_002.txt")
    (raw / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_refresh(raw, out)
    articles = dxdata.load("articles", root=out)
    rejects = dxdata.load("rejects", root=out)
    files = {p.name for p in raw.iterdir()}
    accounted = set(articles["source_file"]) | set(rejects["source_file"])
    assert accounted == files
    reasons = dict(zip(rejects["source_file"], rejects["reason"].astype(str), strict=True))
    assert reasons["empty.txt"] == "empty"
    assert reasons["image.txt"] == "binary"
    assert reasons["copy_of_002.txt"] == "duplicate"
    assert reasons["notes.csv"] == "unsupported_type"
    assert {"legacy.txt", "page.html"} <= set(articles["source_file"])
    assert summary.files_rejected == 4
    assert (rejects["detail"].str.len() > 10).all()
