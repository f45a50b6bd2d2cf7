"""Nothing corrupt gets out (issue 14, points 2, 5 and 6): damaged files are found by `load`, `verify`
and the next refresh, never reused; published files are write-protected; paths and table names read from
a manifest or LATEST stay inside their folder; a truncated latest manifest is passed over. Real refreshes
on the seed articles, real byte flips in the published files."""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dxdata.orchestrate.refresh import run_refresh
from dxdata.products.release import build_release
from dxdata.publish import store

ARTICLE = (
    "Tỉnh Bắc Ninh đẩy mạnh chuyển đổi số năm 2023\n\n"
    "Theo báo cáo của Sở Thông tin và Truyền thông, đến nay tỉnh đã có 98% hồ sơ công việc được xử lý "
    "trên môi trường mạng, 85% dịch vụ công trực tuyến toàn trình được cung cấp cho người dân.\n"
)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dxdata.cli", *args], capture_output=True, text=True, timeout=300)


def _files(out: Path, version: str) -> list[Path]:
    folder = out / "versions" / version
    manifest = store.read_manifest(version, out)
    return [folder / rel for name, e in manifest["tables"].items() for rel, _ in store.table_files(name, e)]


def _flip(path: Path, rng: random.Random) -> tuple[int, int]:
    """Flip one random byte of a file (made writable for it); returns (offset, old byte)."""
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    i = rng.randrange(len(data))
    old = data[i]
    data[i] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return i, old


def _unflip(path: Path, at: tuple[int, int]) -> None:
    data = bytearray(path.read_bytes())
    data[at[0]] = at[1]
    path.write_bytes(bytes(data))
    path.chmod(store.READ_ONLY)


@pytest.fixture
def published(seeds_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    out = tmp_path / "out"
    run_refresh(seeds_copy, out, batch_size=2, cached=True)
    return seeds_copy, out


def test_published_files_are_write_protected(published: tuple[Path, Path]) -> None:
    _, out = published
    files = [p for p in (out / "versions" / "v0001").rglob("*") if p.is_file()]
    assert len(files) > 8
    assert all(stat.S_IMODE(p.stat().st_mode) == store.READ_ONLY for p in files)


def test_every_flipped_byte_is_detected_by_load_and_verify(published: tuple[Path, Path]) -> None:
    _, out = published
    rng = random.Random(14)
    files = _files(out, "v0001")
    tables = {p: name for name, e in store.read_manifest("v0001", out)["tables"].items()
              for p in [out / "versions" / "v0001" / rel for rel, _ in store.table_files(name, e)]}  # fmt: skip
    detected_load = detected_verify = 0
    for path in files:
        at = _flip(path, rng)
        try:
            with pytest.raises(store.StoreError, match="damaged") as err:
                store.load(tables[path], root=out)
            assert str(path) in str(err.value)
            detected_load += 1
            problems = store.verify("v0001", out)
            assert [p.split(":")[0] for p in problems] == [f"v0001/{path.relative_to(out / 'versions' / 'v0001')}"]
            detected_verify += 1
        finally:
            _unflip(path, at)
    assert detected_load == detected_verify == len(files) >= 10
    assert store.verify("v0001", out) == []
    print(f"corruptions detected: load {detected_load}/{len(files)}, verify {detected_verify}/{len(files)}")


def test_load_without_verify_skips_the_check(published: tuple[Path, Path]) -> None:
    _, out = published
    path = out / "versions" / "v0001" / "indicators.parquet"
    path.chmod(0o644)
    with open(path, "ab") as f:
        f.write(b"\0")  # a longer file: its size no longer matches, the Parquet footer is gone
    with pytest.raises(store.StoreError, match="bytes where the manifest says"):
        store.load("indicators", root=out)
    assert len(store.load("observations", root=out, verify=False)) > 0


def test_damaged_part_is_rebuilt_not_linked(published: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    raw, out = published
    manifest = store.read_manifest("v0001", out)
    part = manifest["tables"]["observations"]["parts"][0]
    path = out / "versions" / "v0001" / part["file"]
    _flip(path, random.Random(1))
    (raw / "zz_new.txt").write_text(ARTICLE, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="dxdata.store"):
        result = run_refresh(raw, out, batch_size=2, cached=True)
    assert result.version == "v0002"
    assert store.verify("v0002", out) == []
    assert any("not reused" in r.getMessage() for r in caplog.records)
    new = {p["chunk"]: p for p in store.read_manifest("v0002", out)["tables"]["observations"]["parts"]}
    rebuilt = out / "versions" / "v0002" / new[part["chunk"]]["file"]
    assert rebuilt.stat().st_ino != path.stat().st_ino  # not the damaged inode
    assert new[part["chunk"]]["sha256"] == part["sha256"]  # the same bytes as first published
    # the reference: the same raw folder refreshed from nothing
    ref = raw.parent / "ref"
    run_refresh(raw, ref, batch_size=2, cached=False)
    assert store.load("observations", root=out).equals(store.load("observations", root=ref))
    # v0001 stays damaged (and says so), v0002 is sound
    assert _cli("verify", "--all", "--root", str(out)).returncode == 1
    assert _cli("verify", "v0002", "--root", str(out)).returncode == 0


def test_edited_manifest_hash_is_not_copied_into_the_next_version(published: tuple[Path, Path]) -> None:
    raw, out = published
    mpath = out / "versions" / "v0001" / "manifest.json"
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    manifest["tables"]["mentions"]["parts"][0]["sha256"] = "0" * 64
    mpath.chmod(0o644)
    mpath.write_text(json.dumps(manifest), encoding="utf-8")
    (raw / "zz_new.txt").write_text(ARTICLE, encoding="utf-8")
    run_refresh(raw, out, batch_size=2, cached=True)
    assert store.verify("v0002", out) == []
    assert "0" * 64 not in (out / "versions" / "v0002" / "manifest.json").read_text(encoding="utf-8")


def test_verify_command_exit_codes(published: tuple[Path, Path]) -> None:
    _, out = published
    ok = _cli("verify", "--root", str(out))
    assert ok.returncode == 0 and "v0001: ok" in ok.stdout
    assert _cli("verify", "v0009", "--root", str(out)).returncode == 2
    assert _cli("verify", "--all", "--root", str(out.parent / "nothing")).returncode == 2
    path = _files(out, "v0001")[0]
    _flip(path, random.Random(3))
    bad = _cli("verify", "--all", "--root", str(out))
    assert bad.returncode == 1
    assert "DAMAGED" in bad.stdout and path.name in bad.stdout and "Traceback" not in bad.stderr


# ------------------------------------------------------------------------------------ crafted manifests


def _edit_manifest(out: Path, version: str, edit) -> None:  # noqa: ANN001
    mpath = out / "versions" / version / "manifest.json"
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    edit(manifest)
    mpath.chmod(0o644)
    mpath.write_text(json.dumps(manifest), encoding="utf-8")


def test_manifest_paths_outside_the_version_are_refused(published: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = published
    outside = tmp_path / "evil.parquet"
    shutil.copyfile(out / "versions" / "v0001" / "bodies.parquet", outside)
    digest = store.sha256_file(outside)

    def absolute(m: dict) -> None:
        m["tables"]["bodies"]["file"] = str(outside)
        m["tables"]["bodies"]["sha256"] = digest

    _edit_manifest(out, "v0001", absolute)
    for call in (lambda: store.load("bodies", root=out), lambda: store.load("bodies", root=out, verify=False),
                 lambda: store.parquet_files("bodies", root=out)):  # fmt: skip
        with pytest.raises(store.StoreError, match="not a file inside"):
            call()
    assert any("not a file inside" in p for p in store.verify("v0001", out))
    with pytest.raises(store.StoreError):
        build_release(root=out, out_dir=tmp_path / "dist")
    _edit_manifest(out, "v0001", lambda m: m["tables"]["bodies"].update(file="../../../evil.parquet"))
    with pytest.raises(store.StoreError, match="not a file inside"):
        store.load("bodies", root=out)
    # a link planted inside the version that leads out
    (out / "versions" / "v0001" / "link.parquet").symlink_to(outside)
    _edit_manifest(out, "v0001", lambda m: m["tables"]["bodies"].update(file="link.parquet"))
    with pytest.raises(store.StoreError, match="leads outside"):
        store.load("bodies", root=out)


def test_crafted_table_name_and_latest_pointer_are_refused(published: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = published
    dist = tmp_path / "dist" / "a" / "b"
    _edit_manifest(out, "v0001", lambda m: m["tables"].update({"../../..": m["tables"]["bodies"]}))
    with pytest.raises(store.StoreError, match="not a valid table name"):
        store.read_manifest("v0001", out)
    done = _cli("release", "--root", str(out), "--out", str(dist))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw"]  # nothing written anywhere
    _edit_manifest(out, "v0001", lambda m: m["tables"].pop("../../.."))
    _edit_manifest(out, "v0001", lambda m: m["tables"].update({"secrets": m["tables"]["bodies"]}))
    with pytest.raises(store.StoreError, match="unknown tables"):
        build_release(root=out, out_dir=dist)
    _edit_manifest(out, "v0001", lambda m: m["tables"].pop("secrets"))
    evil = tmp_path / "evil" / "versions" / "v0001"
    shutil.copytree(out / "versions" / "v0001", evil)
    (out / "LATEST").write_text("../../../evil\n", encoding="utf-8")
    with pytest.raises(store.StoreError, match="not a complete version"):
        store.load("observations", root=out)
    assert _cli("release", "--root", str(out), "--out", str(dist)).returncode == 2


def test_truncated_latest_manifest_falls_back_and_says_so(
    published: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    raw, out = published
    (raw / "zz_new.txt").write_text(ARTICLE, encoding="utf-8")
    run_refresh(raw, out, batch_size=2, cached=True)
    mpath = out / "versions" / "v0002" / "manifest.json"
    mpath.chmod(0o644)
    data = mpath.read_bytes()
    mpath.write_bytes(data[: len(data) // 2])
    with pytest.raises(store.StoreError, match="damaged"):
        store.load("observations", root=out)
    assert store.verify("v0002", out)[0].startswith("v0002/manifest.json")
    (raw / "zz_new2.txt").write_text(ARTICLE.replace("98%", "99%"), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="dxdata.store"):
        result = run_refresh(raw, out, batch_size=2, cached=True)
    assert result.version == "v0003"
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "passing over v0002" in messages and "built on v0001" in messages
    assert store.verify("v0003", out) == []
    assert len(store.load("articles", root=out)) == 7
    listed = _cli("versions", "--out-dir", str(out))
    assert listed.returncode == 0 and "v0002  damaged" in listed.stdout


def test_cache_of_a_version_is_not_shared_writable(published: tuple[Path, Path]) -> None:
    """A reused part is a hard link to a write-protected file: no writer without force can change it."""
    raw, out = published
    (raw / "zz_new.txt").write_text(ARTICLE, encoding="utf-8")
    run_refresh(raw, out, batch_size=2, cached=True)
    v1 = {p["chunk"]: p["file"] for p in store.read_manifest("v0001", out)["tables"]["observations"]["parts"]}
    v2 = {p["chunk"]: p["file"] for p in store.read_manifest("v0002", out)["tables"]["observations"]["parts"]}
    shared = [c for c in v1 if c in v2]
    assert shared
    for chunk in shared:
        a, b = out / "versions" / "v0001" / v1[chunk], out / "versions" / "v0002" / v2[chunk]
        assert a.stat().st_ino == b.stat().st_ino
        assert stat.S_IMODE(b.stat().st_mode) == store.READ_ONLY
        if os.geteuid() != 0:
            with pytest.raises(PermissionError):
                open(b, "r+b").close()  # noqa: SIM115
