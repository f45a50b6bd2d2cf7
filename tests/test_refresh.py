"""The refresh end to end without Prefect: real files in, versioned tables out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import dxdata
from dxdata.orchestrate.refresh import run_refresh
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


def test_every_span_can_be_checked_against_the_raw_file(raw: Path, tmp_path: Path) -> None:
    """Issue 15.12: `dxdata.article_text(raw file)` rebuilds the text every span points into: all the spans
    of every observation and mention of the seeds match (NFC of the raw file alone matched 23 of 53)."""
    import hashlib

    run_refresh(raw, tmp_path / "out")
    obs = dxdata.load("observations", root=tmp_path / "out")
    mentions = dxdata.load("mentions", root=tmp_path / "out")
    texts = {name: dxdata.article_text(raw / name) for name in sorted(p.name for p in raw.iterdir())}
    for name, text in texts.items():
        assert dxdata.article_text((raw / name).read_bytes()) == text
    articles = dxdata.load("articles", root=tmp_path / "out")
    for row in articles.itertuples():
        assert hashlib.sha256(texts[row.source_file].encode()).hexdigest()[:16] == row.article_id
    assert len(obs) > 40 and len(mentions) > 100
    for row in obs.itertuples():
        text = texts[row.source_file]
        assert text[row.char_start : row.char_end] == row.evidence
        assert text[row.number_start : row.number_end] == row.number_text
    for row in mentions.itertuples():
        assert texts[row.source_file][row.char_start : row.char_end] == row.number_text


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
    manifests = [dxdata.publish.store.read_manifest("latest", tmp_path / d) for d in ("ref", "pool")]
    assert manifests[0]["content_hash"] == manifests[1]["content_hash"]
    assert set(timings) == {"scan", "build", "cache", "publish"}
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


def test_sources_manifest_reaches_the_articles_and_its_edits_the_next_incremental_refresh(
    raw: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A sources.tsv gives url and publisher; editing it rebuilds only the chunks of the files whose row
    changed, and the next incremental refresh publishes the new values. It is neither article nor reject."""
    import logging

    manifest = raw / "sources.tsv"
    rows = [
        "file\turl\tpublisher\tyear\tregion_focus\tsummary",
        "000_35315ea89c7fab3f.txt\thttps://sotttt.example.vn/phien-hop-thu-nhat.html\tSở TT&TT Kon Tum\t2021\tVN\tx",
        "004_317a2e9a7c9c831f.txt\thttps://vnexpress.net/so-ket-6-thang-2023.html\t\t2023\tVN\ty",
    ]
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    first = run_refresh(raw, out, batch_size=1, cached=True)
    assert (first.articles_read, first.files_rejected) == (5, 0)
    articles = dxdata.load("articles", root=out).set_index("source_file")
    assert "sources.tsv" not in articles.index and dxdata.load("rejects", root=out).empty
    assert articles.loc["000_35315ea89c7fab3f.txt", ["url", "publisher"]].tolist() == [
        "https://sotttt.example.vn/phien-hop-thu-nhat.html",
        "Sở TT&TT Kon Tum",
    ]
    assert articles.loc["004_317a2e9a7c9c831f.txt", "publisher"] == "VnExpress"  # from the URL's domain
    assert articles.loc["002_52f6af25ab725421.txt", "publisher"] == "Báo Sóc Trăng"  # not listed: the page's
    status = {s["source_file"]: s["status"] for s in dxdata.publish.store.read_manifest("latest", out)["sources"]}
    assert status["sources.tsv"] == "sources_manifest"

    manifest.write_text("\n".join([rows[0], rows[1].replace("Sở TT&TT Kon Tum", "Sở TTTT tỉnh Kon Tum"), rows[2]]))
    with caplog.at_level(logging.INFO, logger="dxdata"):
        again = run_refresh(raw, out, batch_size=1, cached=True)
    assert again.changed and again.version == "v0002"
    articles = dxdata.load("articles", root=out).set_index("source_file")
    assert articles.loc["000_35315ea89c7fab3f.txt", "publisher"] == "Sở TTTT tỉnh Kon Tum"
    plan = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("plan:"))
    assert "4 unchanged" in plan  # the edited row's chunk and the manifest's own chunk are built again
    obs = dxdata.load("observations", root=out)
    assert obs.equals(dxdata.load("observations", version="v0001", root=out))


def test_observation_ids_count_same_keyed_facts_in_text_order() -> None:
    """Two facts with the same file, indicator, period, region and body differ by their place in the text;
    the ids do not depend on the other files beside them or on the order they come in."""
    from dxdata.models import Observation
    from dxdata.validate.tables import obs_id, observation_ids

    def fact(source_file: str, start: int, code: str = "infra.fiber_households_share") -> Observation:
        return Observation(
            article_id="a", source_file=source_file, indicator_code=code, value=1.0, unit="percent",
            qualifier="eq", status="actual", region_code="VN", body_code=None, evidence="x", char_start=0,
            char_end=1, number_text="1", number_start=start, number_end=start + 1,
        )  # fmt: skip

    a1, a2, other = fact("a.txt", 10), fact("a.txt", 50), fact("b.txt", 10)
    ids = observation_ids([a2, other, a1])
    assert ids == [
        obs_id("a.txt", "infra.fiber_households_share", None, None, "VN", None, 1),
        obs_id("b.txt", "infra.fiber_households_share", None, None, "VN", None, 0),
        obs_id("a.txt", "infra.fiber_households_share", None, None, "VN", None, 0),
    ]
    assert observation_ids([a1, a2]) == [ids[2], ids[0]]
    assert len(set(ids)) == 3
    assert observation_ids([fact("a.txt", 10, "infra.mobile_4g_coverage_share")]) != [ids[2]]
