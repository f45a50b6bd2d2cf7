"""The raw folder is the only input: links out of it are refused, and every entry under it ends up as an
article or a reject with a reason (issue 14, points 1, 7 and 10). Real files, links, FIFOs and modes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dxdata.ingest import raw_files, read_raw_folder
from dxdata.orchestrate.refresh import FolderError, check_folders, run_refresh
from dxdata.publish import store
from dxdata.publish.chunks import scan_raw_folder

ARTICLE = (
    "Tỉnh Bắc Ninh đẩy mạnh chuyển đổi số năm 2023\n\n"
    "Theo báo cáo của Sở Thông tin và Truyền thông, đến nay tỉnh đã có 98% hồ sơ công việc được xử lý "
    "trên môi trường mạng, 85% dịch vụ công trực tuyến toàn trình được cung cấp cho người dân.\n"
)


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the raw folder, with a secret article-like file and a folder of articles."""
    folder = tmp_path / "outside"
    _write(folder, "secret.txt", ARTICLE.replace("98%", "77%") + "\nMật khẩu: hunter2 của máy chủ nội bộ.\n")
    _write(folder, "more/x.txt", ARTICLE.replace("98%", "66%"))
    return folder


def test_links_out_of_the_raw_folder_are_refused(tmp_path: Path, outside: Path) -> None:
    raw = tmp_path / "raw"
    _write(raw, "a.txt", ARTICLE)
    (raw / "passwd.txt").symlink_to("/etc/passwd")
    (raw / "secret.txt").symlink_to(outside / "secret.txt")
    (raw / "rel.txt").symlink_to("../outside/secret.txt")  # relative, still outside
    (raw / "more").symlink_to(outside / "more")  # a folder outside
    (raw / "sibling.txt").symlink_to("a.txt")  # inside: read as that file (a duplicate here)
    articles, rejects = read_raw_folder(raw)
    assert [a.source_file for a in articles] == ["a.txt"]
    reasons = {r.source_file: r.reason for r in rejects}
    assert reasons == {
        "passwd.txt": "outside_raw_folder",
        "secret.txt": "outside_raw_folder",
        "rel.txt": "outside_raw_folder",
        "more": "outside_raw_folder",
        "sibling.txt": "duplicate",
    }
    assert all("/etc/passwd" not in a.text and "hunter2" not in a.text for a in articles)
    assert "outside the raw folder" in next(r.detail for r in rejects if r.source_file == "passwd.txt")


def test_link_inside_to_a_sibling_is_read(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _write(raw, "sub/real.txt", ARTICLE)
    (raw / "alias.txt").symlink_to(raw / "sub" / "real.txt")
    (raw / "linkdir").symlink_to(raw / "sub")
    articles, rejects = read_raw_folder(raw)
    assert [a.source_file for a in articles] == ["alias.txt"]
    assert {r.source_file: r.reason for r in rejects} == {"linkdir": "link_to_folder", "sub/real.txt": "duplicate"}


def test_refresh_publishes_nothing_from_outside(tmp_path: Path, outside: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    _write(raw, "a.txt", ARTICLE)
    (raw / "passwd.txt").symlink_to("/etc/passwd")
    (raw / "secret.txt").symlink_to(outside / "secret.txt")
    run_refresh(raw, out, cached=True)
    mentions = store.load("mentions", root=out)
    articles = store.load("articles", root=out)
    rejects = store.load("rejects", root=out)
    assert list(articles["source_file"]) == ["a.txt"]
    assert not mentions["sentence"].str.contains("hunter2|root:", regex=True).any()
    assert not mentions["number_text"].isin(["77%"]).any()
    assert dict(zip(rejects["source_file"], rejects["reason"], strict=True)) == {
        "passwd.txt": "outside_raw_folder",
        "secret.txt": "outside_raw_folder",
    }


def test_every_entry_ends_in_articles_or_rejects(tmp_path: Path, outside: Path) -> None:
    raw = tmp_path / "raw"
    _write(raw, "a.txt", ARTICLE)
    _write(raw, ".hidden.txt", ARTICLE + "\nẩn")
    _write(raw, ".cache/x.txt", ARTICLE + "\nẩn 2")
    _write(raw, "locked/y.txt", ARTICLE + "\nkhóa")
    os.mkfifo(raw / "pipe.txt")
    (raw / "dirlink").symlink_to(outside / "more")
    (raw / "broken.txt").symlink_to(raw / "nowhere.txt")
    locked = os.geteuid() != 0  # root lists folders whatever their mode: then the folder is read
    (raw / "locked").chmod(0 if locked else 0o755)
    try:
        entries = [rel for rel, _ in raw_files(raw)]
        scanned = scan_raw_folder(raw)  # must not block on the FIFO
        articles, rejects = read_raw_folder(raw)
    finally:
        (raw / "locked").chmod(0o755)
    assert [f.source_file for f in scanned] == entries
    recorded = sorted([a.source_file for a in articles] + [r.source_file for r in rejects])
    assert recorded == sorted(entries)
    reasons = {r.source_file: r.reason for r in rejects}
    expected = {
        ".cache": "hidden",
        ".hidden.txt": "hidden",
        "broken.txt": "unreadable",
        "dirlink": "outside_raw_folder",
        "pipe.txt": "not_a_file",
    }
    assert reasons == (expected | {"locked": "unreadable"} if locked else expected)
    if locked:
        assert "could not be listed" in next(r.detail for r in rejects if r.source_file == "locked")


def test_unlistable_folder_is_a_reject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder the walk cannot list (EACCES, as for a non-root user on a mode-0 folder) is recorded."""
    raw = tmp_path / "raw"
    _write(raw, "a.txt", ARTICLE)
    _write(raw, "locked/y.txt", ARTICLE + "\nkhóa")
    real_scandir = os.scandir

    def scandir(path=".", *args, **kwargs):  # noqa: ANN001, ANN202
        if Path(os.fsdecode(path)).name == "locked":
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    articles, rejects = read_raw_folder(raw)
    assert [a.source_file for a in articles] == ["a.txt"]
    assert [(r.source_file, r.reason) for r in rejects] == [("locked", "unreadable")]
    assert "could not be listed" in rejects[0].detail


def test_fifo_does_not_block_a_refresh(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    _write(raw, "a.txt", ARTICLE)
    os.mkfifo(raw / "pipe.txt")
    code = (
        "import sys; from dxdata.orchestrate.refresh import run_refresh; "
        "s = run_refresh(sys.argv[1], sys.argv[2], cached=True); print(s.files_rejected)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(raw), str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


def test_output_folder_inside_raw_folder_and_reverse_are_refused(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _write(raw, "a.txt", ARTICLE)
    for out in (raw / "processed", raw, tmp_path):
        with pytest.raises(FolderError, match="inside|same folder"):
            check_folders(raw, out)
        with pytest.raises(FolderError):
            run_refresh(raw, out, cached=True)
    assert not (raw / "processed").exists()
    check_folders(raw, tmp_path / "out")  # side by side: fine
    cli = [sys.executable, "-m", "dxdata.cli", "refresh", "--no-prefect", "--raw-dir", str(raw)]
    done = subprocess.run([*cli, "--out-dir", str(raw / "processed")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "inside the raw folder" in done.stderr and "Traceback" not in done.stderr
