"""What changed between two published versions: observations added, removed and changed, by `obs_id`.

``obs_id`` names a fact, not a text: a hash of the raw file's path, the indicator, the period, the
region, the body and the fact's place among the article's facts with those five
(`dxdata.validate.tables.obs_id`). So it survives an edit of the article: "80,2%" corrected to "81,0%" is one
observation whose value *changed*, not one removed and one added. An observation counts as *changed*
when any of `COMPARED` differs (``value`` and ``denominator`` compare up to float noise, missing
equals missing); in the pipeline's output a new period, region or body makes it another fact (removed
and added). Counts are given overall and per indicator, with the row counts of every table from the
two manifests.

    dxdata diff v0001 v0002            # text tables
    dxdata diff v0001 latest --json    # the same as JSON
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

import pandas as pd

from dxdata.publish.store import DEFAULT_ROOT, StoreError, dataset_root, load, read_manifest

COMPARED = ["value", "denominator", "unit", "period_start", "period_end", "region_code", "body_code", "qualifier",
            "status"]  # fmt: skip
SHOWN = ["obs_id", "indicator_code", "source_file", "value", "unit", "qualifier", "status", "period_end",
         "region_code"]  # fmt: skip
MAX_TEXT_ROWS = 50  # rows listed per section by `to_text` (the JSON has all)


@dataclass
class DiffResult:
    """The difference from version `a` to version `b` (`a` None: everything in `b` is new)."""

    a: str | None
    b: str
    added: pd.DataFrame  # observations of b whose obs_id is not in a (columns SHOWN)
    removed: pd.DataFrame  # observations of a whose obs_id is not in b (columns SHOWN)
    changed: pd.DataFrame  # one row per changed field: obs_id, indicator_code, field, old, new
    per_indicator: pd.DataFrame  # indicator_code, rows_a, rows_b, added, removed, changed
    tables: pd.DataFrame = field(default_factory=pd.DataFrame)  # table, rows_a, rows_b

    @property
    def n_added(self) -> int:
        return len(self.added)

    @property
    def n_removed(self) -> int:
        return len(self.removed)

    @property
    def n_changed(self) -> int:
        """Changed observations (an observation with several changed fields counts once)."""
        return int(self.changed["obs_id"].nunique()) if not self.changed.empty else 0

    @property
    def is_empty(self) -> bool:
        return not (self.n_added or self.n_removed or self.n_changed)

    def to_dict(self) -> dict:
        def records(df: pd.DataFrame) -> list[dict]:
            return [{k: _jsonable(v) for k, v in row.items()} for row in df.to_dict("records")]

        return {
            "a": self.a,
            "b": self.b,
            "summary": {"added": self.n_added, "removed": self.n_removed, "changed": self.n_changed},
            "tables": records(self.tables),
            "per_indicator": records(self.per_indicator),
            "added": records(self.added),
            "removed": records(self.removed),
            "changed": records(self.changed),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, sort_keys=False)

    def to_text(self, max_rows: int = MAX_TEXT_ROWS) -> str:
        """A readable report: summary, table row counts, per-indicator counts, then the rows."""
        head = f"{self.a or '(nothing)'} -> {self.b}"
        lines = [
            f"observations {head}: {self.n_added} added, {self.n_removed} removed, {self.n_changed} changed",
            "",
        ]
        if not self.tables.empty:
            lines += ["tables", _table(self.tables.assign(delta=self.tables["rows_b"] - self.tables["rows_a"])), ""]
        moved = (
            self.per_indicator[(self.per_indicator[["added", "removed", "changed"]].sum(axis=1) > 0)]
            if not self.per_indicator.empty
            else self.per_indicator
        )
        if not moved.empty:
            lines += ["per indicator (indicators with a change)", _table(moved), ""]
        for title, df in (("added", self.added), ("removed", self.removed), ("changed", self.changed)):
            if df.empty:
                continue
            lines.append(f"{title} ({len(df)} rows)")
            lines.append(_table(df.head(max_rows)))
            if len(df) > max_rows:
                lines.append(f"... {len(df) - max_rows} more rows (use --json for all)")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def __str__(self) -> str:
        return self.to_text()


def _jsonable(v: object) -> object:
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, datetime) and v.time() == time(0) and v.tzinfo is None:  # a date stored as a timestamp
        return v.date().isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return _jsonable(v.item())
    return v


def format_cell(v: object) -> str:
    """A value as shown in text tables: "-" for missing, ISO dates, thousands separators from 10,000."""
    v = _jsonable(v)
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.15g}" if abs(v) >= 1e4 else f"{v:.15g}"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _is_numeric(column: pd.Series) -> bool:
    values = [v for v in map(_jsonable, column) if v is not None]
    return bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _table(df: pd.DataFrame) -> str:
    """A plain fixed-width table (numbers right-aligned)."""
    cols = [str(c) for c in df.columns]
    cells = [[format_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
    numeric = [_is_numeric(df[c]) for c in df.columns]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]

    def fmt(values: list[str]) -> str:
        return "  ".join(
            (v.rjust(w) if num else v.ljust(w)) for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [fmt(cols), fmt(["-" * w for w in widths])]
    out += [fmt(r) for r in cells]
    return "\n".join("  " + line for line in out)


def _norm(v: object) -> object:
    """A comparable form: missing -> None, dates -> ISO text, floats rounded off their noise, text stripped."""
    v = _jsonable(v)
    if isinstance(v, float):
        return float(f"{v:.12g}")
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str):
        return v.strip() or None
    return v


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    """Observations with every needed column, object dtype, one row per obs_id."""
    cols = list(dict.fromkeys(SHOWN + COMPARED))
    out = pd.DataFrame({c: (df[c].astype(object) if c in df.columns else None) for c in cols}, index=df.index)
    out["obs_id"] = out["obs_id"].astype(str)
    out = out.drop_duplicates("obs_id")
    out.index = pd.Index(out["obs_id"].tolist(), name=None)
    return out.sort_index()


def diff_frames(old: pd.DataFrame | None, new: pd.DataFrame, a: str | None = None, b: str = "") -> DiffResult:
    """The diff of two observations tables (`old` None or empty: everything is added)."""
    new_f = _frame(new)
    old_f = _frame(old if old is not None else pd.DataFrame(columns=SHOWN))
    added_ids = new_f.index.difference(old_f.index)
    removed_ids = old_f.index.difference(new_f.index)
    common = new_f.index.intersection(old_f.index)
    changes = []
    for oid in common:
        o, n = old_f.loc[oid], new_f.loc[oid]
        for col in COMPARED:
            if _norm(o[col]) != _norm(n[col]):
                changes.append(
                    {
                        "obs_id": oid,
                        "indicator_code": _jsonable(n["indicator_code"]),
                        "field": col,
                        "old": format_cell(o[col]),
                        "new": format_cell(n[col]),
                    }
                )
    changed = pd.DataFrame(changes, columns=["obs_id", "indicator_code", "field", "old", "new"])
    added = new_f.loc[added_ids, SHOWN].sort_values(["indicator_code", "obs_id"], kind="mergesort")
    removed = old_f.loc[removed_ids, SHOWN].sort_values(["indicator_code", "obs_id"], kind="mergesort")
    changed = changed.sort_values(["indicator_code", "obs_id", "field"], kind="mergesort")

    def counts(series: pd.Series) -> pd.Series:
        return series.astype(object).map(lambda v: _jsonable(v) or "").value_counts()

    per = pd.DataFrame(
        {
            "rows_a": counts(old_f["indicator_code"]),
            "rows_b": counts(new_f["indicator_code"]),
            "added": counts(added["indicator_code"]),
            "removed": counts(removed["indicator_code"]),
            "changed": counts(changed.drop_duplicates("obs_id")["indicator_code"]),
        }
    )
    per = per.fillna(0).astype("int64").rename_axis("indicator_code").reset_index()
    per = per.sort_values("indicator_code", kind="mergesort").reset_index(drop=True)
    return DiffResult(
        a=a,
        b=b,
        added=added.reset_index(drop=True),
        removed=removed.reset_index(drop=True),
        changed=changed.reset_index(drop=True),
        per_indicator=per,
    )


def _table_counts(a: str | None, b: str, root: Path) -> pd.DataFrame:
    tb = read_manifest(b, root).get("tables", {})
    ta = read_manifest(a, root).get("tables", {}) if a else {}
    names = sorted(set(ta) | set(tb))
    return pd.DataFrame(
        {
            "table": names,
            "rows_a": [int(ta.get(n, {}).get("rows", 0)) for n in names],
            "rows_b": [int(tb.get(n, {}).get("rows", 0)) for n in names],
        }
    )


def resolve(version: str, root: Path | str | None = None) -> str:
    """A version id ("v0002") for "latest" or an id; raises StoreError when unknown."""
    return str(read_manifest(version, root)["version"])


def diff_versions(a: str | None, b: str, root: Path | str | None = None) -> DiffResult:
    """Compare the observations of version `a` with those of version `b` ("latest" or ids such as "v0001").

    `a` None compares against nothing (the first version: every row is added).
    """
    root = dataset_root(root)
    b_id = resolve(b, root)
    a_id = resolve(a, root) if a else None
    old = load("observations", a_id, root) if a_id else None
    result = diff_frames(old, load("observations", b_id, root), a_id, b_id)
    result.tables = _table_counts(a_id, b_id, root)
    return result


# ------------------------------------------------------------------------------------------ CLI


def _cmd_diff(args: argparse.Namespace) -> int:
    try:
        result = diff_versions(args.a, args.b, args.root)
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(result.to_json() if args.json else result.to_text(), end="" if not args.json else "\n")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="observations added, removed and changed between two versions")
    p.add_argument("a", metavar="A", help="the older version (an id such as v0001, or latest)")
    p.add_argument("b", metavar="B", help="the newer version (an id such as v0002, or latest)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text tables")
    p.add_argument("--root", default=DEFAULT_ROOT, help="dataset folder (default: %(default)s)")
    p.set_defaults(func=_cmd_diff)
