"""One indicator over time as a PNG: one line per region, markers by status.

    dxdata plot infra.fiber_households_share --region VN --out fibre.png

Reads the consolidated ``series`` table of a version (built from its observations when the
version has none). Actual and estimated figures are joined by a solid line per region, targets by
a dotted one (from the last reported figure on); markers tell the status (filled circle actual,
open square estimate, open triangle target). A vertical bar spans value_min..value_max where
sources report different values, a red ring marks a conflict, and ">", "<", "~" beside a point
note a figure printed as "more than", "less than" or "about". Undated figures cannot be placed on
the time axis and are counted in the footnote. Uses matplotlib's Agg canvas directly (no pyplot,
no display needed).
"""

from __future__ import annotations

import argparse
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

from dxdata.series import build_series
from dxdata.store import DEFAULT_ROOT, StoreError, load, read_manifest

STATUS_MARKERS = {"actual": ("o", True), "estimate": ("s", False), "target": ("^", False)}
QUALIFIER_MARKS = {"gt": ">", "lt": "<", "approx": "~"}
UNIT_LABELS = {"percent": "%", "count": "count", "VND": "VND", "USD": "USD", "rank": "rank", "score": "score",
               "times": "times"}  # fmt: skip
_SCALES = [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")]  # below a million: plain numbers


class PlotError(ValueError):
    """Nothing to plot: unknown indicator, or no dated rows for it."""


def load_series(root: Path | str | None = None, version: str = "latest") -> pd.DataFrame:
    """The version's ``series`` table, or one built from its observations if it predates that table."""
    tables = read_manifest(version, root).get("tables", {})
    if "series" in tables:
        return load("series", version, root)
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


def _region_names(root: Path | str, version: str) -> dict[str, str]:
    if "regions" not in read_manifest(version, root).get("tables", {}):
        return {}
    reg = load("regions", version, root)
    col = "name_en" if "name_en" in reg.columns else "name_vi"
    return {
        str(c): str(n)
        for c, n in zip(reg["region_code"].astype(object), reg[col].astype(object), strict=True)
        if isinstance(n, str) and n
    }


def _scale(unit: str, top: float) -> tuple[float, str]:
    if unit in {"VND", "USD", "count"}:
        for factor, word in _SCALES:
            if top >= factor:
                return factor, word
    return 1.0, ""


def _axis_label(unit: str, word: str) -> str:
    label = UNIT_LABELS.get(unit, unit)
    return f"{label} ({word}s)" if word and unit == "count" else (f"{word} {label}" if word else label)


def plot_series(
    indicator: str,
    region: str | None = None,
    root: Path | str | None = None,
    version: str = "latest",
    out: Path | str | None = None,
) -> Path:
    """Draw `indicator` for `region` (None: every region with data) from a published version to a PNG.

    Returns the PNG's path (`out`, default ``<indicator>[-<region>].png``). Raises `PlotError` when
    the indicator has no dated rows there, and `StoreError` when the version does not exist.
    """
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
    names = _region_names(root, vid)

    fig = Figure(figsize=(9, 5.2), dpi=120, layout="constrained")
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
        if not targets.empty:  # dotted: from the last reported figure on to the targets after it
            path = targets
            if not reported.empty and reported["period_end"].max() < targets["period_end"].min():
                path = pd.concat([reported.tail(1), targets])
            if len(path) > 1:
                ax.plot(path["period_end"], path["value"] / factor, ":", color=color, lw=1.5, zorder=2)
        for _, p in r.iterrows():
            marker, filled = STATUS_MARKERS.get(p["status"], ("D", True))
            x, y = p["period_end"], p["value"] / factor
            lo, hi = p["value_min"] / factor, p["value_max"] / factor
            if math.isfinite(lo) and math.isfinite(hi) and hi > lo:
                ax.vlines(x, lo, hi, color=color, lw=1, alpha=0.6, zorder=1)
            ax.plot(
                [x],
                [y],
                marker=marker,
                ms=8,
                color=color,
                mfc=color if filled else "white",
                mew=1.8,
                ls="none",
                zorder=3,
            )
            if bool(p.get("conflict", False)):
                ax.plot([x], [y], marker="o", ms=15, mfc="none", mec="crimson", mew=1.2, ls="none", zorder=4)
            mark = QUALIFIER_MARKS.get(p["qualifier"])
            if mark:
                ax.annotate(mark, (x, y), xytext=(7, 4), textcoords="offset points", fontsize=10, color=color)
        label = f"{names[code]} ({code})" if code in names else code
        region_handles.append(Line2D([], [], color=color, lw=2, label=label))

    statuses = [s for s in STATUS_MARKERS if s in set(rows["status"])]
    status_handles = [
        Line2D(
            [],
            [],
            marker=STATUS_MARKERS[s][0],
            color="0.3",
            mfc="0.3" if STATUS_MARKERS[s][1] else "white",
            mew=1.8,
            ls="none",
            ms=8,
            label=s,
        )
        for s in statuses
    ]
    if bool(rows["conflict"].astype(bool).any()):
        status_handles.append(
            Line2D([], [], marker="o", ms=12, mfc="none", mec="crimson", ls="none", label="sources disagree")
        )
    handles = region_handles + status_handles
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4), fontsize=9, frameon=False)

    dates = rows["period_end"]
    span = max((dates.max() - dates.min()).days, 1)
    pad = pd.Timedelta(days=max(30, int(span * 0.06)))
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=7))
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y" if span + 2 * pad.days > 120 else "%d %b %Y"))
    ax.set_xlim(dates.min() - pad, dates.max() + pad)
    if unit == "percent":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.10g}"))
    if unit == "rank":
        ax.invert_yaxis()  # rank 1 at the top
    ax.set_ylabel(_axis_label(unit, word))
    ax.margins(y=0.12)
    ax.grid(True, alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    unit_text = UNIT_LABELS.get(unit, unit)
    if word:
        unit_text = f"{word} {unit_text}" if unit != "count" else f"{word}s"
    fig.suptitle(textwrap.fill(f"{info['name_en']} ({unit_text})", 75), fontsize=13, fontweight="bold")
    subtitle = indicator + (f" - {info['name_vi']}" if info["name_vi"] else "")
    ax.set_title(textwrap.fill(subtitle, 110), fontsize=9, color="0.35")
    foot = f"dxdata {vid}; consolidated series (median of reported values); x axis: period end"
    if undated:
        foot += f"; {undated} undated row{'s' if undated > 1 else ''} not shown"
    ax.set_xlabel(foot, loc="left", fontsize=7.5, color="0.4")

    path = Path(out) if out is not None else Path(f"{indicator}{'-' + region if region else ''}.png")
    if path.parent != Path("."):
        path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", metadata={"Software": None})
    return path


# ------------------------------------------------------------------------------------------ CLI


def _cmd_plot(args: argparse.Namespace) -> int:
    try:
        path = plot_series(args.indicator, args.region, args.root, args.version, args.out)
    except (StoreError, PlotError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(path)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="draw one indicator over time to a PNG (one line per region)")
    p.add_argument("indicator", metavar="INDICATOR", help="indicator code, e.g. infra.fiber_households_share")
    p.add_argument("--region", default=None, help="one region code (e.g. VN, VN-DN); default: every region")
    p.add_argument("--out", default=None, help="PNG file to write (default: <indicator>[-<region>].png)")
    p.add_argument("--root", default=DEFAULT_ROOT, help="dataset folder (default: %(default)s)")
    p.add_argument("--version", default="latest", help="version id such as v0002 (default: latest)")
    p.set_defaults(func=_cmd_plot)
