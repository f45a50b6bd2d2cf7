"""One-line errors with the documented exit codes instead of tracebacks (issue 14, point 12), and HTML
nested too deeply for the parser still read. Real processes of the `dxdata` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dxdata.ingest import MAX_HTML_DEPTH, html_depth, read_article
from dxdata.orchestrate.refresh import run_refresh

PARAGRAPH = (
    "<p>Theo báo cáo của Sở Thông tin và Truyền thông, đến nay tỉnh đã có 98% hồ sơ công việc được xử lý "
    "trên môi trường mạng, 85% dịch vụ công trực tuyến toàn trình được cung cấp cho người dân.</p>"
)


def dxdata(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dxdata.cli", *args], capture_output=True, text=True, timeout=300)


def assert_one_line_error(done: subprocess.CompletedProcess, code: int, words: str) -> None:
    assert done.returncode == code, (done.returncode, done.stderr[-2000:])
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:") or "error:" in line[:30]]
    assert errors and words in errors[-1], done.stderr[-2000:]
    assert "Traceback" not in done.stderr


@pytest.fixture
def raw(seeds_copy: Path) -> Path:
    return seeds_copy


def test_output_folder_that_is_a_file(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("not a folder")
    done = dxdata("refresh", "--no-prefect", "--raw-dir", str(raw), "--out-dir", str(out))
    assert_one_line_error(done, 2, "is a file")
    done = dxdata("refresh", "--no-prefect", "--raw-dir", str(raw), "--out-dir", str(out / "sub"))
    assert_one_line_error(done, 2, "is a file")


def test_read_only_output_folder(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    if os.geteuid() == 0:  # root writes through a mode of 0555: a read-only file system is read-only for all
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(out)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("root, and no read-only tmpfs to mount")
    else:
        out.chmod(0o555)
    try:
        done = dxdata("refresh", "--no-prefect", "--raw-dir", str(raw), "--out-dir", str(out / "data"))
        assert done.returncode == 2 if os.geteuid() != 0 else done.returncode in (1, 2), done.stderr
        assert "error:" in done.stderr and "Traceback" not in done.stderr
        assert "read-only" in done.stderr or "not writable" in done.stderr or "permission" in done.stderr
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", "-l", str(out)], capture_output=True)
        else:
            out.chmod(0o755)


def test_release_out_an_existing_file(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_refresh(raw, out, cached=True)
    target = tmp_path / "dist"
    target.write_text("a file")
    done = dxdata("release", "--root", str(out), "--out", str(target))
    assert_one_line_error(done, 2, "is a file")
    assert target.read_text() == "a file"


@pytest.mark.parametrize("option", ["--batch-size", "--processes", "--workers"])
@pytest.mark.parametrize("value", ["0", "-3", "x"])
def test_sizes_below_one_are_refused(raw: Path, tmp_path: Path, option: str, value: str) -> None:
    done = dxdata("refresh", "--no-prefect", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "o"), option, value)
    assert done.returncode == 2
    assert option in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("depth", [MAX_HTML_DEPTH + 10, 1_000, 20_000])
def test_deeply_nested_html_is_read(tmp_path: Path, depth: int) -> None:
    html = (
        "<!doctype html><html><head><title>Tỉnh đẩy mạnh chuyển đổi số</title></head><body>"
        + "<div>" * depth + PARAGRAPH * 2 + "<script>var x = '<div>';</script>" + "</div>" * depth
        + "</body></html>"
    )  # fmt: skip
    (tmp_path / "deep.html").write_text(html, encoding="utf-8")
    assert html_depth(html) > MAX_HTML_DEPTH
    article = read_article(tmp_path / "deep.html", tmp_path)
    assert "98% hồ sơ công việc" in article.text
    assert "var x" not in article.text
    assert article.title == "Tỉnh đẩy mạnh chuyển đổi số"
