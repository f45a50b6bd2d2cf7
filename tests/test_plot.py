"""Charts of one indicator: a real PNG from a real published version (Agg backend, no display)."""

from __future__ import annotations

import argparse
from datetime import date

import pandas as pd
import pytest

from dxdata import plot
from dxdata.extract.regions import regions_table
from dxdata.plot import PlotError, plot_series
from dxdata.store import publish

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CODE = "gov.online_applications_share"


def _obs(
    i: int,
    article: str,
    value: float,
    end: date | None,
    region: str = "VN",
    status: str = "actual",
    qualifier: str = "eq",
    code: str = CODE,
) -> dict:
    return {"obs_id": f"o{i:02d}", "article_id": article, "source_file": f"{article}.txt", "indicator_code": code,
            "value": value, "unit": "percent", "denominator": None, "qualifier": qualifier, "status": status,
            "period_start": None, "period_end": end, "region_code": region, "region_code_2025": region,
            "body_code": None, "evidence": "...", "number_text": f"{value:g}%".replace(".", ","),
            "number_start": i}  # fmt: skip


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("plot")
    rows = [
        _obs(1, "a1", 25.0, date(2021, 12, 31)),
        _obs(2, "a2", 38.5, date(2022, 12, 31), qualifier="gt"),
        _obs(3, "a3", 44.0, date(2023, 12, 31)),
        _obs(4, "a4", 47.0, date(2023, 12, 31)),  # disagrees with a3: a conflict
        _obs(5, "a1", 52.0, date(2024, 6, 30), status="estimate"),
        _obs(6, "a2", 80.0, date(2025, 12, 31), status="target"),
        _obs(7, "a3", 30.0, date(2022, 6, 30), region="VN-DN"),
        _obs(8, "a4", 55.0, date(2023, 12, 31), region="VN-DN", qualifier="approx"),
        _obs(9, "a1", 61.0, date(2024, 6, 30), region="VN-DN"),
        _obs(10, "a2", 20.0, None),  # undated: counted in the footnote
        _obs(11, "a2", 99.0, None, code="infra.mobile_4g_coverage_share"),  # undated only
    ]
    articles = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3", "a4"],
            "source_file": ["a1.txt", "a2.txt", "a3.txt", "a4.txt"],
            "publisher": ["Báo A", "Báo B", None, None],
            "url": [None] * 4,
        }
    )
    publish({"observations": pd.DataFrame(rows), "articles": articles, "regions": regions_table()}, root, sources=[])
    return root


def _check_png(path, min_bytes: int = 15_000) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > min_bytes


def test_plot_every_region(root, tmp_path):
    out = plot_series(CODE, None, root, "latest", tmp_path / "all.png")
    assert out == tmp_path / "all.png"
    _check_png(out)


def test_plot_one_region_and_default_name(root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = plot_series(CODE, "VN-DN", root, "v0001")
    assert out.name == f"{CODE}-VN-DN.png"
    _check_png(tmp_path / out)


def test_nothing_to_plot(root, tmp_path):
    with pytest.raises(PlotError, match="no rows"):
        plot_series("no.such_code", None, root, "latest", tmp_path / "x.png")
    with pytest.raises(PlotError, match="region"):
        plot_series(CODE, "VN-HN", root, "latest", tmp_path / "x.png")
    with pytest.raises(PlotError, match="undated"):
        plot_series("infra.mobile_4g_coverage_share", None, root, "latest", tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_cli(root, tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="dxdata")
    plot.add_parser(parser.add_subparsers(dest="command", required=True))
    png = tmp_path / "sub" / "cli.png"
    args = parser.parse_args(["plot", CODE, "--region", "VN", "--out", str(png), "--root", str(root)])
    assert args.func(args) == 0
    assert capsys.readouterr().out.strip() == str(png)
    _check_png(png)
    args = parser.parse_args(["plot", "no.such_code", "--root", str(root), "--out", str(png)])
    assert args.func(args) == 2
    args = parser.parse_args(["plot", CODE, "--root", str(root), "--version", "v0042"])
    assert args.func(args) == 2
