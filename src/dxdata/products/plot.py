"""One indicator over time as a matplotlib Figure: one line per region, markers by status.

    fig = plot_series("infra.fiber_households_share", "VN")          # a notebook shows it as is
    plot_series("infra.fiber_households_share", save_to="fibre.svg", lang="en")   # also writes a file
    dxdata plot infra.fiber_households_share --region VN --out fibre.png [--lang en]

Reads the consolidated ``series`` table of a version (built from its observations when the
version has none). Actual and estimated figures are joined by a solid line per region, targets by
a dashed one (from the last reported figure on); markers tell the status (filled circle actual,
open square estimate, open triangle target), and the legend draws each status with its line style.
Beside every point "n=3" says how many articles (or, with ``sources="publishers"``, publishers)
report it, and the marker grows with that number. A vertical bar spans value_min..value_max where
sources report different values, a red ring marks a conflict, and ">", "<", "~" note a figure
printed as "more than", "less than" or "about". Undated figures cannot be placed on the time axis
and are counted in the footnote. Names and labels are Vietnamese by default (``lang="en"``:
English); region names come from the regions codebook.

The figure is a plain `matplotlib.figure.Figure` on its own Agg canvas: no pyplot, no
``matplotlib.use``, so a notebook's pyplot state and backend stay as the user set them.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import textwrap
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from dxdata.products.series import build_series
from dxdata.publish.store import DEFAULT_ROOT, StoreError, load, read_manifest

LANGS = ("vi", "en")
STATUS_MARKERS = {"actual": ("o", True), "estimate": ("s", False), "target": ("^", False)}
STATUS_LINES = {"actual": "-", "estimate": "-", "target": "--"}  # estimates continue the reported line
QUALIFIER_MARKS = {"gt": ">", "lt": "<", "approx": "~"}
COUNT_COLUMNS = {"articles": "n_articles", "publishers": "n_publishers"}
UNIT_LABELS = {
    "en": {"percent": "%", "count": "count", "VND": "VND", "USD": "USD", "rank": "rank", "score": "score",
           "times": "times"},
    "vi": {"percent": "%", "count": "số lượng", "VND": "VND", "USD": "USD", "rank": "thứ hạng", "score": "điểm",
           "times": "lần"},
}  # fmt: skip
_SCALES = [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")]  # below a million: plain numbers
SCALE_WORDS = {
    "en": {"trillion": "trillion", "billion": "billion", "million": "million"},
    "vi": {"trillion": "nghìn tỷ", "billion": "tỷ", "million": "triệu"},
}
TEXTS = {
    "en": {
        "actual": "actual", "estimate": "estimate", "target": "target", "conflict": "sources disagree",
        "articles": "n = articles reporting the figure (bigger marker: more)",
        "publishers": "n = publishers reporting the figure (bigger marker: more)",
        "foot": "dxdata {version}; consolidated series (median of reported values); x axis: period end",
        "undated": "{n} undated row(s) not shown", "month": "%b %Y", "day": "%d %b %Y",
    },
    "vi": {
        "actual": "thực tế", "estimate": "ước tính", "target": "mục tiêu", "conflict": "các nguồn vênh nhau",
        "articles": "n = số bài báo đưa số liệu (điểm càng to, càng nhiều bài)",
        "publishers": "n = số cơ quan báo chí đưa số liệu (điểm càng to, càng nhiều nguồn)",
        "foot": "dxdata {version}; chuỗi hợp nhất (trung vị các giá trị được đưa tin); trục hoành: ngày cuối kỳ",
        "undated": "{n} dòng không có ngày, không vẽ", "month": "%m/%Y", "day": "%d/%m/%Y",
    },
}  # fmt: skip


class PlotError(ValueError):
    """Nothing to plot: unknown indicator, or no dated rows for it; or a file type matplotlib cannot write."""


class SeriesFigure(Figure):
    """A plain Figure that also shows itself in a notebook where pyplot was never imported."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()


def load_series(root: Path | str | None = None, version: str = "latest") -> pd.DataFrame:
    """The version's ``series`` table, or one built from its observations if it predates that table
    (or its source counts)."""
    tables = read_manifest(version, root).get("tables", {})
    if "series" in tables:
        series = load("series", version, root)
        if all(c in series.columns for c in COUNT_COLUMNS.values()):
            return series
    articles = load("articles", version, root) if "articles" in tables else pd.DataFrame()
    return build_series(load("observations", version, root), articles)


def indicator_info(indicator: str, root: Path | str | None = None, version: str = "latest") -> dict:
    """name_en, name_vi and unit of an indicator: from the version's codebook table, else the codebook files."""
    tables = read_manifest(version, root).get("tables", {})
    if "indicators" in tables:
        ind = load("indicators", version, root)
        row = ind[ind["indicator_code"].astype(object) == indicator]
        if not row.empty:
            r = row.iloc[0]
            return {
                "name_en": str(r.get("name_en") or indicator),
                "name_vi": str(r.get("name_vi") or ""),
                "unit": str(r.get("unit") or ""),
            }
    try:
        from dxdata.codebook import load_codebook

        i = load_codebook().indicators.get(indicator)
    except (OSError, ValueError):
        i = None
    if i is None:
        return {"name_en": indicator, "name_vi": "", "unit": ""}
    return {"name_en": i.name_en, "name_vi": i.name_vi, "unit": i.unit}


def region_names(lang: str = "vi", root: Path | str | None = None, version: str = "latest") -> dict[str, str]:
    """Region code -> name in `lang` ("Hà Nội" / "Ha Noi"): the version's regions table, gaps filled
    from the regions codebook (so versions without that table or column still get names)."""
    from dxdata.extract.regions import regions_table

    col = "name_en" if lang == "en" else "name_vi"
    frames = [regions_table()]
    if "regions" in read_manifest(version, root).get("tables", {}):
        frames.append(load("regions", version, root))  # later frames win: the version's own names
    names: dict[str, str] = {}
    for reg in frames:
        if col not in reg.columns:
            continue
        for code, name in zip(reg["region_code"].astype(object), reg[col].astype(object), strict=True):
            if isinstance(name, str) and name.strip():
                names[str(code)] = name.strip()
    return names


def marker_size(n: int) -> float:
    """Marker size (points) for a figure `n` sources report: 6 for one, +3 per doubling, at most 18."""
    return min(6.0 + 3.0 * math.log2(max(int(n), 1)), 18.0)


def default_path(indicator: str, region: str | None = None) -> Path:
    """``<indicator>[-<region>].png``: where the command line writes a chart without ``--out``."""
    return Path(f"{indicator}{'-' + region if region else ''}.png")


def _scale(unit: str, top: float) -> tuple[float, str]:
    if unit in {"VND", "USD", "count"}:
        for factor, word in _SCALES:
            if top >= factor:
                return factor, word
    return 1.0, ""


def _unit_text(unit: str, word: str, lang: str) -> str:
    """'%', 'billion VND', 'millions' (count) / '%', 'tỷ VND', 'triệu' (count)."""
    label = UNIT_LABELS[lang].get(unit, unit)
    if not word:
        return label
    scaled = SCALE_WORDS[lang][word]
    if unit == "count":
        return scaled + ("s" if lang == "en" else "")
    return f"{scaled} {label}"


def _axis_label(unit: str, word: str, lang: str) -> str:
    label = UNIT_LABELS[lang].get(unit, unit)
    if word and unit == "count":
        return f"{label} ({_unit_text(unit, word, lang)})"
    return _unit_text(unit, word, lang)


def _number(v: float, lang: str, percent: bool = False) -> str:
    """A tick label: '1,234.5' / '1.234,5' (Vietnamese: ',' decimal mark, '.' groups thousands)."""
    text = f"{v:g}" if percent else f"{v:,.10g}"
    if lang == "vi":
        text = text.translate(str.maketrans({",": ".", ".": ","}))
    return text + ("%" if percent else "")


def _check_format(path: Path) -> str:
    fmt = path.suffix.lstrip(".").lower()
    supported = FigureCanvasAgg.get_supported_filetypes()
    if fmt not in supported:
        raise PlotError(f"cannot write {path}: give a file name ending in one of .{', .'.join(sorted(supported))}")
    return fmt


_METADATA = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}  # stable bytes


def plot_series(
    indicator: str,
    region: str | None = None,
    root: Path | str | None = None,
    version: str = "latest",
    save_to: Path | str | None = None,
    *,
    lang: str = "vi",
    sources: str = "articles",
) -> Figure:
    """Draw `indicator` for `region` (None: every region with data) from a published version.

    Returns the matplotlib `Figure` (a notebook displays it). `save_to` also writes it there, in the
    format its suffix names (.png, .svg, .pdf, ...). `lang` "vi" (default) or "en" picks the names
    of regions and indicator and the labels; `sources` "articles" (default) or "publishers" picks
    what the "n=" beside each point counts. Raises `PlotError` when the indicator has no dated rows
    there or the file type is unknown, and `StoreError` when the version does not exist.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    if sources not in COUNT_COLUMNS:
        raise ValueError(f"sources must be one of {', '.join(COUNT_COLUMNS)}, not {sources!r}")
    fmt = _check_format(Path(save_to)) if save_to is not None else None
    text = TEXTS[lang]
    vid = str(read_manifest(version, root)["version"])
    series = load_series(root, vid)
    codes = series["indicator_code"].astype(object)
    rows = series[codes == indicator].copy()
    if rows.empty:
        known = sorted(set(codes.dropna()))
        raise PlotError(
            f"no rows for indicator {indicator!r} in {vid} (indicators with data: {len(known)}, "
            f"e.g. {', '.join(known[:5])})"
        )
    rows["region_code"] = rows["region_code"].astype(object).astype(str)
    if region is not None:
        rows = rows[rows["region_code"] == region]
        if rows.empty:
            raise PlotError(f"no rows for {indicator!r} in region {region!r} in {vid}")
    rows["period_end"] = pd.to_datetime(rows["period_end"].astype(object), errors="coerce")
    rows["status"] = rows["status"].astype(object).astype(str)
    rows["qualifier"] = rows["qualifier"].astype(object).astype(str)
    undated = int(rows["period_end"].isna().sum())
    rows = rows[rows["period_end"].notna()].sort_values(["region_code", "period_end", "status"], kind="mergesort")
    if rows.empty:
        raise PlotError(f"{indicator!r} has only undated rows in {vid}; nothing to place on a time axis")

    info = indicator_info(indicator, root, vid)
    unit = info["unit"] or str(rows["unit"].astype(object).iloc[0])
    top = float(rows[["value", "value_max"]].abs().max().max())
    factor, word = _scale(unit, top)
    names = region_names(lang, root, vid)
    count_col = COUNT_COLUMNS[sources]

    fig = SeriesFigure(figsize=(9, 5.4), dpi=120, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    palette = [f"C{i}" for i in range(10)]
    regions = list(dict.fromkeys(rows["region_code"]))
    region_handles = []
    for n, code in enumerate(regions):
        color = palette[n % len(palette)]
        r = rows[rows["region_code"] == code]
        reported = r[r["status"] != "target"]
        targets = r[r["status"] == "target"]
        if len(reported) > 1:
            ax.plot(reported["period_end"], reported["value"] / factor, "-", color=color, lw=1.8, zorder=2)
        if not targets.empty:  # dashed: from the last reported figure on to the targets after it
            path = targets
            if not reported.empty and reported["period_end"].max() < targets["period_end"].min():
                path = pd.concat([reported.tail(1), targets])
            if len(path) > 1:
                ax.plot(path["period_end"], path["value"] / factor, "--", color=color, lw=1.5, zorder=2)
        for _, p in r.iterrows():
            marker, filled = STATUS_MARKERS.get(p["status"], ("D", True))
            x, y = p["period_end"], p["value"] / factor
            count = int(p[count_col])
            ms = marker_size(count)
            point_id = f"{code}|{x.date().isoformat()}|{p['status']}"
            lo, hi = p["value_min"] / factor, p["value_max"] / factor
            if math.isfinite(lo) and math.isfinite(hi) and hi > lo:
                ax.vlines(x, lo, hi, color=color, lw=1, alpha=0.6, zorder=1)
            ax.plot(
                [x],
                [y],
                marker=marker,
                ms=ms,
                color=color,
                mfc=color if filled else "white",
                mew=1.8,
                ls="none",
                zorder=3,
                gid=f"point|{point_id}",
            )
            below = ms / 2 + 3  # the "n=" label sits under the marker, or under the conflict ring
            if bool(p.get("conflict", False)):
                ax.plot([x], [y], marker="o", ms=ms + 7, mfc="none", mec="crimson", mew=1.2, ls="none", zorder=4)
                below += 4
            ax.annotate(
                f"n={count}",
                (x, y),
                xytext=(0, -below),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=7,
                color="0.3",
                gid=f"n|{point_id}",
            )
            mark = QUALIFIER_MARKS.get(p["qualifier"])
            if mark:
                ax.annotate(mark, (x, y), xytext=(ms / 2 + 3, 4), textcoords="offset points", fontsize=10, color=color)
        label = f"{names[code]} ({code})" if code in names else code
        only_targets = reported.empty  # a series of targets shows its dashed line in the legend too
        region_handles.append(Line2D([], [], color=color, lw=2, ls="--" if only_targets else "-", label=label))

    statuses = [s for s in STATUS_MARKERS if s in set(rows["status"])]
    status_handles = [
        Line2D(
            [],
            [],
            marker=STATUS_MARKERS[s][0],
            color="0.3",
            mfc="0.3" if STATUS_MARKERS[s][1] else "white",
            mew=1.8,
            ls=STATUS_LINES[s],
            lw=1.5,
            ms=8,
            label=text[s],
            gid=f"status|{s}",
        )
        for s in statuses
    ]
    if bool(rows["conflict"].astype(bool).any()):
        status_handles.append(
            Line2D([], [], marker="o", ms=12, mfc="none", mec="crimson", ls="none", label=text["conflict"])
        )
    status_handles.append(
        Line2D([], [], marker="o", ms=marker_size(1), mfc="white", mec="0.3", ls="none", label=text[sources])
    )
    handles = region_handles + status_handles
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 3),
        fontsize=9,
        frameon=False,
        handlelength=3.2,  # long enough to show a dashed line as dashed
    )

    dates = rows["period_end"]
    span = max((dates.max() - dates.min()).days, 1)
    pad = pd.Timedelta(days=max(30, int(span * 0.06)))
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=7))
    ax.xaxis.set_major_formatter(DateFormatter(text["month"] if span + 2 * pad.days > 120 else text["day"]))
    ax.set_xlim(dates.min() - pad, dates.max() + pad)
    percent = unit == "percent"
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _number(v, lang, percent)))
    if unit == "rank":
        ax.invert_yaxis()  # rank 1 at the top
    ax.set_ylabel(_axis_label(unit, word, lang))
    ax.margins(y=0.15)
    ax.grid(True, alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    own, other = (info["name_en"], info["name_vi"]) if lang == "en" else (info["name_vi"], info["name_en"])
    title = own or other or indicator
    fig.suptitle(textwrap.fill(f"{title} ({_unit_text(unit, word, lang)})", 75), fontsize=13, fontweight="bold")
    subtitle = indicator + (f" - {other}" if other and other != title else "")
    ax.set_title(textwrap.fill(subtitle, 110), fontsize=9, color="0.35")
    foot = text["foot"].format(version=vid)
    if undated:
        foot += "; " + text["undated"].format(n=undated)
    ax.set_xlabel(foot, loc="left", fontsize=7.5, color="0.4")

    if save_to is not None:
        out = Path(save_to)
        if out.parent != Path("."):
            out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, format=fmt, metadata=_METADATA.get(fmt))
    return fig


# ------------------------------------------------------------------------------------------ CLI


def _cmd_plot(args: argparse.Namespace) -> int:
    path = Path(args.out) if args.out is not None else default_path(args.indicator, args.region)
    try:
        plot_series(args.indicator, args.region, args.root, args.version, path, lang=args.lang, sources=args.sources)
    except (StoreError, PlotError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(path)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="draw one indicator over time to a PNG/SVG/PDF (one line per region)")
    p.add_argument("indicator", metavar="INDICATOR", help="indicator code, e.g. infra.fiber_households_share")
    p.add_argument("--region", default=None, help="one region code (e.g. VN, VN-DN); default: every region")
    p.add_argument(
        "--out", default=None, help="file to write; its suffix gives the format (default: <indicator>[-<region>].png)"
    )
    p.add_argument("--lang", choices=LANGS, default="vi", help="names and labels: vi (default) or en")
    p.add_argument(
        "--sources",
        choices=list(COUNT_COLUMNS),
        default="articles",
        help="what n= beside a point counts (default: articles)",
    )
    p.add_argument("--root", default=DEFAULT_ROOT, help="dataset folder (default: %(default)s)")
    p.add_argument("--version", default="latest", help="version id such as v0002 (default: latest)")
    p.set_defaults(func=_cmd_plot)
