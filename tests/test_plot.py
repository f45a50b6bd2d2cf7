"""Charts of one indicator: a real Figure (and PNG/SVG file) from real published versions, no display.

Two datasets: the seed articles run through `run_refresh` (real extraction, a target-only series,
two regions), and a small hand-made version whose points are reported by 1 to 3 articles.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
import warnings
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

import dxdata
from dxdata.extract.regions import regions_table
from dxdata.orchestrate.refresh import run_refresh
from dxdata.products import plot
from dxdata.products.plot import PlotError, marker_size, plot_series
from dxdata.publish.store import publish

REPO = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CODE = "gov.online_applications_share"
TWO_REGIONS = "gov.procedures_full_online_provided_share"  # seeds: VN and VN-DN, actual figures
TARGETS_ONLY = "plan.indicator_count"  # seeds: two targets, nothing reported yet
TWO_OBS_ONE_ARTICLE = "plan.task_count"  # seeds: one article gives two figures for one date


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
        _obs(12, "a5", 38.5, date(2022, 12, 31), qualifier="gt"),  # three articles, one publisher
        _obs(13, "a6", 38.5, date(2022, 12, 31)),
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
            "article_id": ["a1", "a2", "a3", "a4", "a5", "a6"],
            "source_file": ["a1.txt", "a2.txt", "a3.txt", "a4.txt", "a5.txt", "a6.txt"],
            "publisher": ["Báo A", "Báo B", None, None, "Báo B", "báo  B"],
            "url": [None] * 6,
        }
    )
    publish({"observations": pd.DataFrame(rows), "articles": articles, "regions": regions_table()}, root, sources=[])
    return root


@pytest.fixture(scope="module")
def seed_root(tmp_path_factory):
    """The seed articles extracted and published as v0001 (the real pipeline, ~3 s)."""
    root = tmp_path_factory.mktemp("plot-seeds") / "processed"
    run_refresh(REPO / "data" / "raw", root)
    return root


def _legend(fig: Figure):
    (legend,) = fig.legends
    return {t.get_text(): h for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)}


def _shown_counts(fig: Figure) -> dict[tuple[str, str, str], str]:
    """(region, period_end, status) -> the "n=" text drawn beside that point."""
    (ax,) = fig.axes
    return {tuple(t.get_gid().split("|")[1:]): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("n|")}


def _marker_sizes(fig: Figure) -> dict[tuple[str, str, str], float]:
    (ax,) = fig.axes
    return {
        tuple(ln.get_gid().split("|")[1:]): ln.get_markersize()
        for ln in ax.lines
        if (ln.get_gid() or "").startswith("point|")
    }


def _counts_from_observations(root: Path, indicator: str, publishers: bool = False) -> dict[tuple[str, str, str], int]:
    """Distinct articles (or publishers) per dated point, straight from the observations table."""
    obs = dxdata.load("observations", root=root)
    obs = obs[(obs["indicator_code"].astype(object) == indicator) & obs["period_end"].notna()].copy()
    source = obs["article_id"].astype(object)
    if publishers:
        arts = dxdata.load("articles", root=root).set_index("article_id")["publisher"].astype(object)
        name = {a: " ".join(str(p).casefold().split()) for a, p in arts.items() if pd.notna(p) and str(p).strip()}
        source = source.map(lambda a: name.get(a, a))  # no publisher: the article counts as its own
    obs["source"] = source
    keys = [
        obs["region_code"].astype(object),
        obs["period_end"].dt.strftime("%Y-%m-%d"),
        obs["status"].astype(object),
    ]
    return {k: int(v) for k, v in obs.groupby(keys)["source"].nunique().items()}


# ------------------------------------------------------------------------------------------ figure and files


def test_returns_a_figure_and_writes_nothing_unless_asked(seed_root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig = plot_series(TWO_REGIONS, root=seed_root)
    assert isinstance(fig, Figure)
    assert list(tmp_path.iterdir()) == []
    png = fig._repr_png_()  # what a notebook shows, with or without pyplot's inline backend
    assert png[:8] == PNG_MAGIC


def test_save_to_png_and_svg(seed_root, tmp_path):
    fig = plot_series(TWO_REGIONS, None, seed_root, "latest", tmp_path / "sub" / "chart.png")
    pixels = imread(tmp_path / "sub" / "chart.png")  # decodes: a valid PNG of the figure's size
    width, height = fig.get_size_inches() * fig.dpi
    assert pixels.shape[:2] == (round(height), round(width))
    plot_series(TWO_REGIONS, root=seed_root, save_to=tmp_path / "chart.svg")
    svg = ET.parse(tmp_path / "chart.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Đà Nẵng (VN-DN)" in (tmp_path / "chart.svg").read_text(encoding="utf-8")  # legend text kept as text


def test_unknown_file_type(seed_root, tmp_path):
    with pytest.raises(PlotError, match=r"\.png"):
        plot_series(TWO_REGIONS, root=seed_root, save_to=tmp_path / "chart.docx")
    assert not (tmp_path / "chart.docx").exists()


def test_nothing_to_plot(root, tmp_path):
    with pytest.raises(PlotError, match="no rows"):
        plot_series("no.such_code", None, root, "latest", tmp_path / "x.png")
    with pytest.raises(PlotError, match="region"):
        plot_series(CODE, "VN-HN", root, "latest", tmp_path / "x.png")
    with pytest.raises(PlotError, match="undated"):
        plot_series("infra.mobile_4g_coverage_share", None, root, "latest", tmp_path / "x.png")
    with pytest.raises(ValueError, match="lang"):
        plot_series(CODE, None, root, lang="fr")
    assert not (tmp_path / "x.png").exists()


# ------------------------------------------------------------------------------------------ language


def test_legend_vietnamese_by_default(seed_root):
    fig = plot_series(TWO_REGIONS, root=seed_root)
    texts = list(_legend(fig))
    assert texts[:3] == ["Việt Nam (VN)", "Đà Nẵng (VN-DN)", "thực tế"]
    assert texts[3].startswith("n = số bài báo")
    assert "ước tính" not in texts and "mục tiêu" not in texts  # only the statuses drawn
    assert fig.texts[0].get_text().startswith("Tỷ lệ")  # the indicator's Vietnamese name as the title
    ticks = fig.axes[0].yaxis.get_major_formatter()
    assert ticks(80.25, 0) == "80,25%"  # Vietnamese decimal comma


def test_legend_english_on_request(seed_root):
    fig = plot_series(TWO_REGIONS, root=seed_root, lang="en")
    texts = list(_legend(fig))
    assert texts[:3] == ["Viet Nam (VN)", "Da Nang (VN-DN)", "actual"]
    assert texts[3].startswith("n = articles")
    assert fig.texts[0].get_text().startswith("Share")
    assert fig.axes[0].yaxis.get_major_formatter()(80.25, 0) == "80.25%"
    counts = plot_series("gov.portal_online_services", root=seed_root).axes[0].yaxis.get_major_formatter()
    assert counts(4409, 0) == "4.409"  # and '.' between thousands


def test_vietnamese_text_renders_without_missing_glyphs(seed_root, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plot_series(TWO_REGIONS, root=seed_root, save_to=tmp_path / "vi.png")
    assert not [w for w in caught if "missing from font" in str(w.message)], [str(w.message) for w in caught]


# ------------------------------------------------------------------------------------------ targets


def test_target_series_legend_is_dashed(seed_root):
    fig = plot_series(TARGETS_ONLY, root=seed_root)
    legend = _legend(fig)
    assert legend["Việt Nam (VN)"].get_linestyle() == "--"  # the region's only line is a target line
    target = legend["mục tiêu"]
    assert target.get_linestyle() == "--" and target.get_marker() == "^" and target.get_markerfacecolor() == "white"
    (ax,) = fig.axes
    assert [ln.get_linestyle() for ln in ax.lines if len(ln.get_xdata()) > 1] == ["--"]


def test_actual_and_target_legend_entries_differ(root):
    legend = _legend(plot_series(CODE, "VN", root, lang="en"))
    assert legend["actual"].get_linestyle() == "-" and legend["actual"].get_marker() == "o"
    assert legend["estimate"].get_linestyle() == "-" and legend["estimate"].get_marker() == "s"
    assert legend["target"].get_linestyle() == "--" and legend["target"].get_marker() == "^"
    assert legend["Viet Nam (VN)"].get_linestyle() == "-"  # reported figures: the region's line is solid
    assert "sources disagree" in legend


# ------------------------------------------------------------------------------------------ source counts


@pytest.mark.parametrize("indicator", [TWO_REGIONS, TWO_OBS_ONE_ARTICLE, TARGETS_ONLY])
def test_source_counts_on_seed_data(seed_root, indicator):
    expected = _counts_from_observations(seed_root, indicator)
    fig = plot_series(indicator, root=seed_root)
    assert _shown_counts(fig) == {k: f"n={n}" for k, n in expected.items()}
    assert _marker_sizes(fig) == {k: marker_size(n) for k, n in expected.items()}


def test_source_counts_vary_with_articles_and_publishers(root):
    articles = _counts_from_observations(root, CODE)
    assert sorted(set(articles.values())) == [1, 2, 3]  # the fixture really spans several counts
    fig = plot_series(CODE, None, root)
    assert _shown_counts(fig) == {k: f"n={n}" for k, n in articles.items()}
    sizes = _marker_sizes(fig)
    assert (
        sizes[("VN", "2022-12-31", "actual")]
        > sizes[("VN", "2023-12-31", "actual")]
        > sizes[("VN-DN", "2024-06-30", "actual")]
    )

    publishers = _counts_from_observations(root, CODE, publishers=True)
    assert publishers[("VN", "2022-12-31", "actual")] == 1  # three articles, all by "Báo B"
    fig = plot_series(CODE, None, root, sources="publishers", lang="en")
    assert _shown_counts(fig) == {k: f"n={n}" for k, n in publishers.items()}
    assert any(t.startswith("n = publishers") for t in _legend(fig))


# ------------------------------------------------------------------------------------------ no global state


def test_no_pyplot_and_no_backend_switch(root, tmp_path):
    """In a fresh process whose backend cannot even be loaded, plotting works and pyplot stays unimported."""
    script = textwrap.dedent(
        f"""
        import sys
        from dxdata.products.plot import plot_series
        fig = plot_series({CODE!r}, None, {str(root)!r}, save_to={str(tmp_path / "x.png")!r})
        assert fig._repr_png_()[:4] == b"\\x89PNG"
        assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
        import matplotlib
        assert matplotlib.rcParams._get_backend_or_none() == "module://no_such_backend"
        print("ok")
        """
    )
    env = {**os.environ, "MPLBACKEND": "module://no_such_backend"}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == "ok"


# ------------------------------------------------------------------------------------------ CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dxdata")
    plot.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli(root, tmp_path, capsys):
    png = tmp_path / "sub" / "cli.png"
    args = _parser().parse_args(["plot", CODE, "--region", "VN", "--out", str(png), "--root", str(root)])
    assert args.func(args) == 0
    assert capsys.readouterr().out.strip() == str(png)
    assert png.read_bytes()[:8] == PNG_MAGIC
    svg = tmp_path / "cli.svg"
    args = _parser().parse_args(["plot", CODE, "--out", str(svg), "--root", str(root), "--lang", "en"])
    assert args.func(args) == 0
    assert "Viet Nam (VN)" in svg.read_text(encoding="utf-8")
    args = _parser().parse_args(["plot", "no.such_code", "--root", str(root), "--out", str(png)])
    assert args.func(args) == 2
    args = _parser().parse_args(["plot", CODE, "--root", str(root), "--version", "v0042"])
    assert args.func(args) == 2


def test_cli_default_file_name(root, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = _parser().parse_args(["plot", CODE, "--region", "VN-DN", "--root", str(root), "--version", "v0001"])
    assert args.func(args) == 0
    assert capsys.readouterr().out.strip() == f"{CODE}-VN-DN.png"
    assert (tmp_path / f"{CODE}-VN-DN.png").read_bytes()[:8] == PNG_MAGIC
