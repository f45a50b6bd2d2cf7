"""The publish/load stage: versioned, deterministic, atomic Parquet output (real files, no mocks)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import filelock
import pandas as pd
import pyarrow.parquet as pq
import pytest

from dxdata.publish.store import (
    PublishResult,
    StoreError,
    content_hash,
    latest_version,
    load,
    publish,
    read_manifest,
    versions,
    write_parquet,
)

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
SOURCES = [{"source_file": "a.txt", "sha256": "ab" * 32, "status": "read"}]
SORT_KEYS = {"observations": ["source_file", "number_start", "indicator_code"], "articles": ["source_file"]}


def observations() -> pd.DataFrame:
    # Typed the way pipeline._typed leaves it: object columns with None, dates as datetime.date.
    return pd.DataFrame(
        {
            "obs_id": ["o2", "o1", "o3"],
            "source_file": ["b.txt", "a.txt", "a.txt"],
            "indicator_code": ["ECOM_SHARE", "INTERNET_USERS", "ECOM_SHARE"],
            "value": [12.5, 78.0, 3.0],
            "unit": ["percent", "percent", "percent"],
            "denominator": [None, 100.0, None],
            "qualifier": ["eq", "approx", "gt"],
            "status": ["actual", "estimate", "target"],
            "period_start": [date(2024, 1, 1), None, date(2025, 1, 1)],
            "period_end": [date(2024, 12, 31), None, date(2025, 12, 31)],
            "region_code": ["VN", "VN-HN", "VN"],
            "region_code_2025": [None, "VN-HN", None],
            "body_code": [None, None, "MIC"],
            "evidence": ["12,5%", "78%", "hơn 3%"],
            "number_start": pd.Series([40, 10, 5], dtype="int64"),
        },
        columns=[
            "obs_id", "source_file", "indicator_code", "value", "unit", "denominator", "qualifier", "status",
            "period_start", "period_end", "region_code", "region_code_2025", "body_code", "evidence",
            "number_start",
        ],
    ).astype({c: object for c in ["obs_id", "source_file", "indicator_code", "unit", "qualifier", "status",
                                   "region_code", "region_code_2025", "body_code", "evidence"]})  # fmt: skip


def articles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": ["A1", "A2"],
            "source_file": ["a.txt", "b.txt"],
            "published": [date(2024, 5, 1), None],
            "event_date": [None, None],
            "n_chars": pd.Series([100, 200], dtype="int64"),
        }
    )


def tables() -> dict[str, pd.DataFrame]:
    return {"articles": articles(), "observations": observations()}


def do_publish(root: Path, tbls: dict[str, pd.DataFrame] | None = None, **kw) -> PublishResult:
    kw.setdefault("now", NOW)
    return publish(tbls if tbls is not None else tables(), root, sources=SOURCES, sort_keys=SORT_KEYS, **kw)


def folder_listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "versions").rglob("*"))


# ------------------------------------------------------------------------------------------ round-trip


def test_publish_then_load_round_trip_with_dtypes(tmp_path: Path) -> None:
    result = do_publish(tmp_path, code_version="dxdata 0.1.0")
    assert result == PublishResult("v0001", True, tmp_path / "versions" / "v0001",
                                   {"articles": 2, "observations": 3}, result.content_hash)  # fmt: skip
    assert (tmp_path / "LATEST").read_text().strip() == "v0001"
    assert sorted(p.name for p in result.path.iterdir()) == ["articles.parquet", "manifest.json",
                                                             "observations.parquet"]  # fmt: skip
    assert versions(tmp_path) == ["v0001"] and latest_version(tmp_path) == "v0001"

    obs = load("observations", root=tmp_path)
    # Sorted by the sort keys (source_file, number_start, indicator_code), fresh index.
    assert obs["obs_id"].tolist() == ["o3", "o1", "o2"]
    assert obs.index.tolist() == [0, 1, 2]
    assert str(obs["period_start"].dtype) == "datetime64[s]"
    assert obs["period_start"].tolist()[0] == pd.Timestamp("2025-01-01")
    assert pd.isna(obs["period_start"].iloc[1])
    for col in [
        "indicator_code",
        "unit",
        "qualifier",
        "status",
        "region_code",
        "region_code_2025",
        "body_code",
    ]:
        assert isinstance(obs[col].dtype, pd.CategoricalDtype), col
    assert list(obs["indicator_code"].cat.categories) == ["ECOM_SHARE", "INTERNET_USERS"]
    assert obs["body_code"].tolist()[0] == "MIC" and pd.isna(obs["body_code"].iloc[1])
    for col in ["obs_id", "source_file", "evidence"]:
        assert pd.api.types.is_string_dtype(obs[col].dtype), col
    assert obs["evidence"].tolist() == ["hơn 3%", "78%", "12,5%"]
    assert obs["value"].dtype == "float64" and obs["denominator"].dtype == "float64"
    assert obs["number_start"].dtype == "int64"

    arts = load("articles", "v0001", root=tmp_path)
    assert str(arts["published"].dtype) == "datetime64[s]"
    # An all-null date column is still a date column (written as date32, not as null or string).
    assert str(arts["event_date"].dtype) == "datetime64[s]" and arts["event_date"].isna().all()
    assert pq.read_schema(result.path / "articles.parquet").field("event_date").type == "date32[day]"


def test_manifest_records_version_tables_sources(tmp_path: Path) -> None:
    first = do_publish(tmp_path, code_version="dxdata 0.1.0")
    m = read_manifest(root=tmp_path)
    assert m["version"] == "v0001" and m["previous_version"] is None
    assert m["created"] == "2025-03-01T12:00:00Z"
    assert m["code_version"] == "dxdata 0.1.0"
    assert m["sources"] == SOURCES
    assert m["content_hash"] == first.content_hash
    obs = m["tables"]["observations"]
    assert obs["rows"] == 3 and obs["file"] == "observations.parquet"
    types = {c["name"]: c["type"] for c in obs["columns"]}
    assert types["period_start"] == "date32[day]" and types["value"] == "double"
    assert types["indicator_code"] == "string" and types["number_start"] == "int64"
    import hashlib

    for name, entry in m["tables"].items():
        data = (first.path / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
    assert m["content_hash"] == content_hash({n: e["sha256"] for n, e in m["tables"].items()})

    changed = observations()
    changed.loc[0, "value"] = 13.0
    do_publish(tmp_path, {"articles": articles(), "observations": changed},
               now=datetime(2025, 3, 2, 8, 30, tzinfo=UTC))  # fmt: skip
    m2 = read_manifest("latest", tmp_path)
    assert m2["version"] == "v0002" and m2["previous_version"] == "v0001"
    assert m2["created"] == "2025-03-02T08:30:00Z"
    assert read_manifest("v0001", tmp_path)["version"] == "v0001"


# -------------------------------------------------------------------------------------- change detection


def test_identical_publish_changes_nothing(tmp_path: Path) -> None:
    first = do_publish(tmp_path)
    before = folder_listing(tmp_path)
    # Same content in another row order and at another time: still no new version.
    shuffled = {name: df.iloc[::-1] for name, df in tables().items()}
    second = do_publish(tmp_path, shuffled, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert second.changed is False
    assert second.version == "v0001" and second.path == first.path
    assert second.content_hash == first.content_hash
    assert second.row_counts == {"articles": 2, "observations": 3}
    assert folder_listing(tmp_path) == before
    assert versions(tmp_path) == ["v0001"]
    assert read_manifest(root=tmp_path)["created"] == "2025-03-01T12:00:00Z"


def test_changed_table_makes_new_version_and_old_stays_readable(tmp_path: Path) -> None:
    first = do_publish(tmp_path)
    v1_bytes = (first.path / "observations.parquet").read_bytes()
    more = pd.concat([observations(), observations().iloc[[0]].assign(obs_id="o4", number_start=99)],
                     ignore_index=True)  # fmt: skip
    second = do_publish(tmp_path, {"articles": articles(), "observations": more})
    assert second.changed and second.version == "v0002"
    assert second.content_hash != first.content_hash
    assert versions(tmp_path) == ["v0001", "v0002"] and latest_version(tmp_path) == "v0002"
    assert len(load("observations", root=tmp_path)) == 4
    assert len(load("observations", "v0001", tmp_path)) == 3
    assert (first.path / "observations.parquet").read_bytes() == v1_bytes  # versions are immutable
    # Back to the first content: a new version (v0003) again, not a rewrite of v0001.
    third = do_publish(tmp_path)
    assert third.version == "v0003" and third.content_hash == first.content_hash
    assert read_manifest("v0003", tmp_path)["previous_version"] == "v0002"


def test_new_table_or_renamed_table_changes_content_hash(tmp_path: Path) -> None:
    first = do_publish(tmp_path)
    second = do_publish(tmp_path, {**tables(), "regions": pd.DataFrame({"region_code": ["VN"]})})
    assert second.changed and second.content_hash != first.content_hash
    assert load("regions", root=tmp_path)["region_code"].tolist() == ["VN"]


# ---------------------------------------------------------------------------------------- determinism


def test_empty_table_has_the_same_schema_as_a_full_one(tmp_path: Path) -> None:
    full = do_publish(tmp_path / "full")
    empty_obs = observations().iloc[0:0]
    empty_arts = articles().iloc[0:0].astype({"published": object, "event_date": object})
    empty = do_publish(tmp_path / "empty", {"articles": empty_arts, "observations": empty_obs})
    for name in ["articles", "observations"]:
        assert pq.read_schema(empty.path / f"{name}.parquet") == pq.read_schema(full.path / f"{name}.parquet")
    obs = load("observations", root=tmp_path / "empty")
    assert obs.empty and str(obs["period_start"].dtype) == "datetime64[s]"
    assert isinstance(obs["indicator_code"].dtype, pd.CategoricalDtype)
    assert obs["value"].dtype == "float64"


def test_same_frame_gives_identical_bytes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    h1 = write_parquet(observations(), tmp_path / "a" / "t.parquet", SORT_KEYS["observations"])
    h2 = write_parquet(observations(), tmp_path / "b" / "t.parquet", SORT_KEYS["observations"])
    assert h1 == h2
    assert (tmp_path / "a" / "t.parquet").read_bytes() == (tmp_path / "b" / "t.parquet").read_bytes()
    # Row order, index, and the pandas dtype flavour of text (object vs str vs category) do not matter.
    variant = observations().iloc[[2, 0, 1]].set_index("obs_id", drop=False)
    variant["evidence"] = variant["evidence"].astype("str")
    variant["unit"] = variant["unit"].astype("category")
    h3 = write_parquet(variant, tmp_path / "b" / "variant.parquet", SORT_KEYS["observations"])
    assert h3 == h1
    # No sort keys: all columns are the sort order, still the same bytes for the same rows.
    h4 = write_parquet(articles(), tmp_path / "a" / "x.parquet")
    h5 = write_parquet(articles().iloc[::-1], tmp_path / "b" / "x.parquet")
    assert h4 == h5


def test_two_roots_same_tables_same_files_and_hash(tmp_path: Path) -> None:
    r1 = do_publish(tmp_path / "one", code_version="x")
    r2 = do_publish(tmp_path / "two", now=datetime(2031, 6, 1, tzinfo=UTC), code_version="y")
    assert r1.content_hash == r2.content_hash
    for name in ["articles", "observations"]:
        assert (r1.path / f"{name}.parquet").read_bytes() == (r2.path / f"{name}.parquet").read_bytes()
    meta = pq.read_metadata(r1.path / "observations.parquet")
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert b"pandas" not in (meta.metadata or {})


# ------------------------------------------------------------------------------------------- atomicity


def test_leftover_tmp_folder_is_ignored_and_cleaned(tmp_path: Path) -> None:
    do_publish(tmp_path)
    # A publish that crashed after writing some files into its temp folder.
    crashed = tmp_path / "versions" / ".tmp-deadbeef"
    crashed.mkdir()
    (crashed / "observations.parquet").write_bytes(b"partial")
    (crashed / "manifest.json").write_text("{}")
    # ... and one that crashed before the rename, under a name that is not a version yet.
    assert versions(tmp_path) == ["v0001"]
    assert latest_version(tmp_path) == "v0001"
    assert len(load("observations", root=tmp_path)) == 3
    # The next publish removes it (whether or not it publishes anything).
    result = do_publish(tmp_path)
    assert result.changed is False
    assert not crashed.exists()
    assert [p.name for p in (tmp_path / "versions").iterdir()] == ["v0001"]


def test_failure_midway_leaves_latest_and_versions_intact(tmp_path: Path) -> None:
    do_publish(tmp_path)
    before = folder_listing(tmp_path)
    latest_before = (tmp_path / "LATEST").read_bytes()
    bad = pd.DataFrame({"x": [1, "not a number", 2.5]})  # mixed objects: pyarrow cannot convert
    changed = observations().assign(value=[1.0, 2.0, 3.0])
    with pytest.raises(StoreError, match="'broken' cannot be written as Parquet"):
        do_publish(tmp_path, {"articles": articles(), "observations": changed, "broken": bad})
    assert (tmp_path / "LATEST").read_bytes() == latest_before
    assert versions(tmp_path) == ["v0001"]
    assert folder_listing(tmp_path) == before  # the partial temp folder is gone too
    assert len(load("observations", root=tmp_path)) == 3
    # The store still works afterwards.
    assert do_publish(tmp_path, {"articles": articles(), "observations": changed}).version == "v0002"


def test_crash_before_latest_moved_is_adopted_not_copied(tmp_path: Path) -> None:
    first = do_publish(tmp_path)
    changed = {"articles": articles(), "observations": observations().assign(value=[1.0, 2.0, 3.0])}
    second = do_publish(tmp_path, changed)
    # Simulate a crash between the rename of v0002 and the LATEST update.
    (tmp_path / "LATEST").write_text("v0001\n")
    assert latest_version(tmp_path) == "v0001" and versions(tmp_path) == ["v0001", "v0002"]
    assert (
        load("observations", root=tmp_path)["value"].tolist()
        == load("observations", "v0001", tmp_path)["value"].tolist()
    )
    again = do_publish(tmp_path, changed)
    assert again.changed and again.version == "v0002" and again.content_hash == second.content_hash
    assert versions(tmp_path) == ["v0001", "v0002"] and latest_version(tmp_path) == "v0002"
    assert first.version == "v0001"


def test_empty_version_folder_is_never_overwritten(tmp_path: Path) -> None:
    do_publish(tmp_path)
    squatter = tmp_path / "versions" / "v0002"
    squatter.mkdir()  # incomplete (no manifest): not a version, but its name is taken
    assert versions(tmp_path) == ["v0001"]
    result = do_publish(tmp_path, {"articles": articles().iloc[:1], "observations": observations()})
    assert result.version == "v0003"
    assert list(squatter.iterdir()) == []


# ----------------------------------------------------------------------------------------- concurrency


def test_lock_held_by_another_publisher_times_out(tmp_path: Path) -> None:
    do_publish(tmp_path)
    holder = filelock.FileLock(tmp_path / ".lock")
    with holder, pytest.raises(StoreError, match="another refresh is publishing"):
        do_publish(tmp_path, {"articles": articles().iloc[:1]}, lock_timeout=0.1)
    assert versions(tmp_path) == ["v0001"] and latest_version(tmp_path) == "v0001"
    # Once the lock is free, publishing works again.
    assert do_publish(tmp_path, {"articles": articles().iloc[:1]}, lock_timeout=0.1).version == "v0002"


def test_concurrent_publishes_make_distinct_versions(tmp_path: Path) -> None:
    payloads = [{"articles": articles().assign(n_chars=[i, i])} for i in range(4)]
    results: list[PublishResult] = []
    errors: list[BaseException] = []

    def run(p: dict) -> None:
        try:
            results.append(do_publish(tmp_path, p))
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(r.version for r in results) == ["v0001", "v0002", "v0003", "v0004"]
    assert versions(tmp_path) == ["v0001", "v0002", "v0003", "v0004"]
    chain = [read_manifest(v, tmp_path)["previous_version"] for v in versions(tmp_path)]
    assert chain == [None, "v0001", "v0002", "v0003"]


# ---------------------------------------------------------------------------------------------- errors


def test_missing_root_has_helpful_error(tmp_path: Path) -> None:
    root = tmp_path / "nowhere"
    assert versions(root) == [] and latest_version(root) is None
    with pytest.raises(StoreError, match=r"no dataset yet at .*nowhere \(run `dxdata refresh`\)"):
        load(root=root)
    with pytest.raises(StoreError, match="no dataset yet"):
        load("observations", "v0001", root)
    with pytest.raises(StoreError, match="no dataset yet"):
        read_manifest(root=root)


def test_unknown_version_and_table_have_helpful_errors(tmp_path: Path) -> None:
    do_publish(tmp_path)
    with pytest.raises(StoreError, match=r"unknown version 'v0042' .*\(known: v0001\)"):
        load("observations", "v0042", tmp_path)
    with pytest.raises(StoreError, match=r"unknown version 'v0042'"):
        read_manifest("v0042", tmp_path)
    with pytest.raises(StoreError, match=r"unknown table 'obs' in v0001 \(tables: articles, observations\)"):
        load("obs", root=tmp_path)


def test_broken_latest_pointer_is_reported_and_repaired_by_publish(tmp_path: Path) -> None:
    do_publish(tmp_path)
    (tmp_path / "LATEST").write_text("v0009\n")
    with pytest.raises(StoreError, match="points to 'v0009', which is not a complete version"):
        load(root=tmp_path)
    result = do_publish(tmp_path)  # same content as v0001, the newest complete version
    assert result.changed is False and result.version == "v0001"
    assert latest_version(tmp_path) == "v0001"  # the pointer is repaired
    changed = do_publish(tmp_path, {"articles": articles().iloc[:1]})
    assert changed.version == "v0002" and latest_version(tmp_path) == "v0002"
    assert read_manifest(root=tmp_path)["previous_version"] == "v0001"


def test_bad_sort_keys_and_names_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"sort keys \['nope'\] of table 'articles'"):
        publish({"articles": articles()}, tmp_path, sources=[], sort_keys={"articles": ["nope"]})
    with pytest.raises(StoreError, match="invalid table names"):
        publish({"../x": articles()}, tmp_path, sources=[])
    with pytest.raises(StoreError, match="no tables"):
        publish({}, tmp_path, sources=[])
    assert versions(tmp_path) == [] and not (tmp_path / "LATEST").exists()


def test_manifest_is_plain_json(tmp_path: Path) -> None:
    result = do_publish(tmp_path)
    data = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert set(data) >= {"version", "previous_version", "created", "code_version", "tables", "sources",
                         "content_hash"}  # fmt: skip


def test_arrow_sort_has_no_future_warning_and_same_bytes_as_pandas(tmp_path: Path) -> None:
    """pyarrow 25 deprecates `null_placement` in SortOptions (a FutureWarning in every run): the Arrow path
    passes it per key, and still writes the bytes of the pandas path, nulls in the keys last."""
    import warnings

    import pyarrow as pa

    frame = observations()
    frame.loc[1, "indicator_code"] = None  # a null in a sort key
    frame.loc[2, "source_file"] = None
    table = pa.Table.from_pandas(frame, preserve_index=False)
    keys = SORT_KEYS["observations"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h_arrow = write_parquet(table, tmp_path / "arrow.parquet", keys)
    h_pandas = write_parquet(frame, tmp_path / "pandas.parquet", keys)
    assert h_arrow == h_pandas
    assert pq.read_table(tmp_path / "arrow.parquet").column("source_file").to_pylist() == ["a.txt", "b.txt", None]
