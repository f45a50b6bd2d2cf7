"""The synthetic corpus generator: deterministic, realistic enough to exercise every stage."""

from __future__ import annotations

import re
from pathlib import Path

from dxdata.codebook import load_codebook
from dxdata.extract import extract_article
from dxdata.ingest import read_raw_folder
from dxdata.tools import synth


def test_deterministic_per_seed_and_prefix_stable(tmp_path: Path) -> None:
    a = synth.generate(20, tmp_path / "a", seed=3)
    b = synth.generate(30, tmp_path / "b", seed=3)
    c = synth.generate(20, tmp_path / "c", seed=4)
    assert [p.name for p in a] == [p.name for p in b[:20]]
    assert all(p.read_bytes() == q.read_bytes() for p, q in zip(a, b, strict=False))
    assert {p.read_bytes() for p in a}.isdisjoint({p.read_bytes() for p in c})
    assert len({p.read_bytes() for p in b}) == 30  # no duplicates within a corpus


def test_growing_a_corpus_writes_only_new_files(tmp_path: Path) -> None:
    first = synth.generate(5, tmp_path)
    mtimes = {p: p.stat().st_mtime_ns for p in first}
    more = synth.generate(3, tmp_path, start=5)
    assert len(list(tmp_path.iterdir())) == 8 and not set(first) & set(more)
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())


def test_articles_look_like_the_seeds(tmp_path: Path) -> None:
    paths = synth.generate(40, tmp_path)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    sizes = [len(t.encode()) for t in texts]
    assert 1000 < sum(sizes) / len(sizes) < 15000
    joined = "\n".join(texts)
    assert re.search(r"\d+,\d+%", joined)  # decimal commas
    assert re.search(r"\d{1,3}\.\d{3}", joined)  # thousands dots
    assert re.search(r"Ngày đăng|Lượt xem|GMT \+7", joined)  # header chrome
    assert re.search(r"Giấy phép|Tổng số lượt truy cập|Đăng nhập|FlippingBook", joined)  # footer chrome
    assert len({re.search(r"(tỉnh|thành phố) ([A-ZĐ]\w+(?: \w+)?)", t).group(0) for t in texts}) > 10


def test_synthetic_articles_ingest_and_extract(tmp_path: Path) -> None:
    synth.generate(10, tmp_path)
    articles, rejects = read_raw_folder(tmp_path)
    assert len(articles) == 10 and not rejects
    assert sum(a.published is not None for a in articles) >= 5  # pages without a date line exist too
    book = load_codebook()
    rows = sum(len(extract_article(a, book).observations) for a in articles)
    assert rows >= 10


def test_cli_parser(tmp_path: Path, capsys) -> None:
    assert synth.main(["--n", "3", "--out", str(tmp_path / "c"), "--seed", "1"]) == 0
    assert len(list((tmp_path / "c").iterdir())) == 3
    assert "3 articles" in capsys.readouterr().out
