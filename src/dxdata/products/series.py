"""Consolidated series: one row per (indicator_code, region_code, period_end, status).

Many articles report the same figure (a national meeting's numbers are reprinted by provincial
papers), and some report it differently. `build_series` collapses the observations of one
indicator, region, date and status into one row, keeps the spread and the provenance, and flags
groups whose sources disagree. `wide` pivots the result to one column per indicator.

The rules (also in ``docs/releases-and-series.md``):

* **Group**: ``(indicator_code, region_code, period_end, status)``. Observations without a
  ``period_end`` are kept, as their own group per indicator, region and status (``period_end``
  empty); `wide` leaves them out because it indexes by date.
* **Unit**: the unit most observations of the group give (ties: alphabetical). Only observations
  in that unit enter ``value``, ``value_min`` and ``value_max``; a group with more than one unit is
  a conflict. ``n_observations`` and ``obs_ids`` count every observation of the group.
* **value**: the median of the reported values. With an even number of values whose two middle
  values differ, it is the one of the two reported by more observations, then by more articles,
  then the lower one - so the consolidated value is always a figure some source printed, never an
  average of two.
* **qualifier**: the most common qualifier among the observations reporting that value (ties in
  the order ``eq``, ``approx``, ``gt``, ``lt``); ``qualifiers`` lists every qualifier seen in the
  group, joined with ``|`` (e.g. ``eq|gt``: some sources wrote "hơn 86 triệu").
* **conflict**: the sources disagree beyond rounding. With ``spread = value_max - value_min``, a
  group is a conflict when ``spread > 1% * max(|value_min|, |value_max|)`` **and**
  ``spread > step``, where ``step`` is the rounding step of the least precise figure: one unit of
  the last written digit of its ``number_text`` in base units ("86 triệu" -> 1,000,000;
  "80,2%" -> 0.1; "2.398" -> 1; trailing zeros are not read as rounding). Without a usable
  ``number_text`` the step comes from the value (its last decimal digit; 1 for whole numbers). A
  group with more than one unit is always a conflict.
* **period_start**: the most common non-empty ``period_start`` of the group (ties: the earliest).
* **n_articles**: distinct ``article_id``. **n_publishers**: distinct publishers of those articles:
  ``articles.publisher`` (case and spacing ignored), else the host of ``articles.url``, else the
  article's ``source_file`` (so an article of unknown origin counts as a publisher of its own).
* **obs_ids**: the group's ``obs_id`` values, sorted and joined with ``|``. A plain string keeps
  the table flat for CSV, Parquet, pandas and DuckDB alike; split it with
  ``series.obs_ids.str.split("|")`` or, in DuckDB, ``string_split(obs_ids, '|')``.

Output rows are sorted by the group key (empty ``period_end`` last), so equal input gives equal
output whatever its row order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import pandas as pd

from dxdata.tables import TABLES
from dxdata.validate.schemas import series_schema as series_schema

SERIES_KEYS = list(TABLES["series"].unique)  # the group key, as declared in dxdata.tables
SORT_KEYS = list(TABLES["series"].sort_keys)  # for `store.publish(sort_keys={"series": SORT_KEYS})`
SERIES_COLUMNS = TABLES["series"].names
RELATIVE_TOLERANCE = 0.01  # spreads up to 1% of the larger value are never a conflict
QUALIFIER_ORDER = ["eq", "approx", "gt", "lt"]
STATUS_PREFERENCE = ["actual", "estimate", "target"]
OBS_ID_SEPARATOR = "|"

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


# ------------------------------------------------------------------------------------------ helpers


def _text(v: object) -> str | None:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    s = str(v).strip()
    return s or None


def _date(v: object) -> date | None:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, date):
        return v if type(v) is date else date(v.year, v.month, v.day)
    ts = pd.Timestamp(v)
    return None if pd.isna(ts) else ts.date()


def _value_key(v: float) -> float:
    """Values equal up to float noise compare equal."""
    return float(f"{v:.12g}")


def publisher_key(publisher: object, url: object, source_file: object) -> str:
    """Who published an article, for counting publishers: the name, else the URL's host, else the file."""
    name = _text(publisher)
    if name:
        return "name:" + " ".join(name.casefold().split())
    link = _text(url)
    if link:
        host = (urlsplit(link if "//" in link else "//" + link).hostname or "").lower()
        host = host.removeprefix("www.")
        if host:
            return "site:" + host
    return "file:" + (_text(source_file) or "")


def written_step(number_text: object, value: float) -> float | None:
    """One unit of the last written digit of `number_text`, in the base units of `value`.

    "86 triệu" (value 86e6) -> 1e6; "80,2%" -> 0.1; "2.398" -> 1; "4,5 triệu" -> 1e5. Vietnamese
    convention: ',' is the decimal mark and '.' groups thousands (a '.' followed by other than three
    digits is read as a decimal point). None when the text holds no digits or does not fit the value.
    """
    text = _text(number_text)
    if text is None or not math.isfinite(value):
        return None
    m = _NUMBER.search(text)
    if not m:
        return None
    token = m.group()
    if token.count(",") > 1:  # "1,234,567": commas group thousands
        integer, decimals = token.replace(",", "").replace(".", ""), ""
    elif "," in token:
        integer, decimals = token.split(",")
        integer = integer.replace(".", "")
    elif "." in token and any(len(g) != 3 for g in token.split(".")[1:]):
        integer, _, decimals = token.rpartition(".")
        integer = integer.replace(".", "")
    else:
        integer, decimals = token.replace(".", ""), ""
    if "." in decimals:
        return None
    written = float(f"{integer}.{decimals}" if decimals else integer)
    if written == 0:
        return 10.0 ** -len(decimals) if value == 0 else None
    scale = abs(value) / written
    if not math.isfinite(scale) or scale <= 0:
        return None
    exponent = math.log10(scale)
    if abs(exponent - round(exponent)) > 1e-6:  # not a power of ten: the text is not this value
        return None
    return 10.0 ** (round(exponent) - len(decimals))


def value_step(value: float) -> float:
    """Rounding step read from a value alone: its last decimal digit, 1 for whole numbers."""
    try:
        exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    except (InvalidOperation, ValueError):
        return 1.0
    if not isinstance(exponent, int):
        return 1.0
    return 10.0 ** min(0, exponent)


def _consolidate(values: list[float], articles_by_value: dict[float, set[str]]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if n % 2:
        return ordered[n // 2]
    low, high = ordered[n // 2 - 1], ordered[n // 2]
    if low == high:
        return low
    counts = Counter(values)

    def support(v: float) -> tuple[int, int, float]:
        return counts[v], len(articles_by_value.get(v, ())), -v

    return max((low, high), key=support)


def _pick_qualifier(qualifiers: Iterable[str]) -> str:
    counts = Counter(qualifiers)
    rank = {q: i for i, q in enumerate(QUALIFIER_ORDER)}
    return min(counts, key=lambda q: (-counts[q], rank.get(q, len(rank)), q))


def _join_qualifiers(qualifiers: Iterable[str]) -> str:
    rank = {q: i for i, q in enumerate(QUALIFIER_ORDER)}
    return OBS_ID_SEPARATOR.join(sorted(set(qualifiers), key=lambda q: (rank.get(q, len(rank)), q)))


def is_conflict(values: Sequence[float], steps: Sequence[float], n_units: int = 1) -> bool:
    """The conflict rule (module docstring): spread above 1% of the larger value and above the coarsest step."""
    if n_units > 1:
        return True
    if not values:
        return False
    low, high = min(values), max(values)
    spread = high - low
    if spread <= 0:
        return False
    magnitude = max(abs(low), abs(high))
    step = max(steps, default=0.0)
    tolerance = max(RELATIVE_TOLERANCE * magnitude, step)
    return spread > tolerance * (1 + 1e-9)


# ------------------------------------------------------------------------------------------ building


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(c, object)) for c in SERIES_COLUMNS})


# the pandas dtypes of the declared numeric and boolean columns; the others are objects (str, date, None)
_DTYPES = {
    c.name: {"number": "float64", "integer": "int64", "boolean": "bool"}[c.kind]
    for c in TABLES["series"].columns
    if c.kind in ("number", "integer", "boolean")
}


_TEXT_INPUT = ("obs_id", "article_id", "source_file", "indicator_code", "unit", "qualifier", "status", "region_code")


def _texts(values: list) -> list[str | None]:
    """`_text` of every value, with a fast path for the common case, an already clean string."""
    return [v if type(v) is str and v and not v[0].isspace() and not v[-1].isspace() else _text(v) for v in values]


def publisher_maps(articles: pd.DataFrame | None) -> tuple[dict[str, str], dict[str, str]]:
    """The publisher key of every article, by article_id and by source_file (`publisher_key`)."""
    by_article: dict[str, str] = {}
    by_file: dict[str, str] = {}
    if articles is None or articles.empty:
        return by_article, by_file
    arts = articles.reset_index(drop=True)
    pub = arts["publisher"].tolist() if "publisher" in arts.columns else [None] * len(arts)
    url = arts["url"].tolist() if "url" in arts.columns else [None] * len(arts)
    src = arts["source_file"].tolist() if "source_file" in arts.columns else [None] * len(arts)
    aid = arts["article_id"].tolist() if "article_id" in arts.columns else [None] * len(arts)
    for a, p, u, s in zip(aid, pub, url, src, strict=True):
        key = publisher_key(p, u, s)
        if _text(a):
            by_article[_text(a)] = key
        if _text(s):
            by_file[_text(s)] = key
    return by_article, by_file


def build_series(
    observations: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    publishers: tuple[dict[str, str], dict[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per (indicator_code, region_code, period_end, status): see the module docstring for the rules.

    Accepts the tables as the pipeline builds them (object columns, ``datetime.date``) or as
    `dxdata.load` returns them (categories, ``datetime64``). Returns columns `SERIES_COLUMNS`:
    dates as ``datetime.date`` (None when missing), counts as int64, ``conflict`` as bool, text as
    Python strings; rows sorted by the group key with empty ``period_end`` last. `publishers`, the
    `publisher_maps` of `articles` computed once, saves that work when series are built piecewise.
    """
    if observations is None or observations.empty:
        return _empty()
    obs = observations.reset_index(drop=True)
    col = {c: obs[c].tolist() if c in obs.columns else [None] * len(obs) for c in (
        "obs_id", "article_id", "source_file", "indicator_code", "value", "unit", "qualifier", "status",
        "period_start", "period_end", "region_code", "number_text")}  # fmt: skip

    by_article, by_file = publisher_maps(articles) if publishers is None else publishers
    for name in _TEXT_INPUT:
        col[name] = _texts(col[name])
    for name in ("period_start", "period_end"):
        col[name] = [_date(v) for v in col[name]]

    groups: dict[tuple, list[int]] = {}
    for i in range(len(obs)):
        key = (
            col["indicator_code"][i] or "",
            col["region_code"][i] or "",
            col["period_end"][i],
            col["status"][i] or "",
        )
        groups.setdefault(key, []).append(i)

    rows = []
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2] is None, k[2] or date.min, k[3])):
        idx = groups[key]
        # a fixed order inside the group, whatever the input order
        idx = sorted(idx, key=lambda i: (col["obs_id"][i] or "", col["source_file"][i] or "", i))
        units = Counter(col["unit"][i] or "" for i in idx)
        unit = min(units, key=lambda u: (-units[u], u))
        main = [i for i in idx if (col["unit"][i] or "") == unit]
        values = [_value_key(float(col["value"][i])) for i in main]
        article_of = {i: col["article_id"][i] or col["source_file"][i] or f"row{i}" for i in idx}
        articles_by_value: dict[float, set[str]] = {}
        for i, v in zip(main, values, strict=True):
            articles_by_value.setdefault(v, set()).add(article_of[i])
        finite = [v for v in values if math.isfinite(v)]
        value = _consolidate(finite, articles_by_value) if finite else float("nan")
        qual = {i: col["qualifier"][i] or "eq" for i in idx}
        quals = [qual[i] for i in idx]
        quals_at_value = [qual[i] for i, v in zip(main, values, strict=True) if v == value]
        steps = []
        for i, v in zip(main, values, strict=True):
            step = written_step(col["number_text"][i], v)
            steps.append(step if step is not None else value_step(v))
        starts = Counter(d for i in idx if (d := col["period_start"][i]) is not None)
        period_start = min(starts, key=lambda d: (-starts[d], d)) if starts else None
        group_publishers = set()
        for i in idx:
            aid, src = col["article_id"][i], col["source_file"][i]
            group_publishers.add(by_article.get(aid or "") or by_file.get(src or "") or publisher_key(None, None, src))
        rows.append(
            {
                "indicator_code": key[0],
                "region_code": key[1],
                "period_end": key[2],
                "status": key[3],
                "period_start": period_start,
                "value": value,
                "unit": unit,
                "qualifier": _pick_qualifier(quals_at_value or quals),
                "qualifiers": _join_qualifiers(quals),
                "value_min": min(finite) if finite else float("nan"),
                "value_max": max(finite) if finite else float("nan"),
                "conflict": is_conflict(finite, steps, n_units=len(units)),
                "n_observations": len(idx),
                "n_articles": len(set(article_of.values())),
                "n_publishers": len(group_publishers),
                "obs_ids": OBS_ID_SEPARATOR.join(sorted(col["obs_id"][i] or "" for i in idx)),
            }
        )
    out = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    return out.astype(_DTYPES)


# ------------------------------------------------------------------------------------------ reshaping


def wide(
    series: pd.DataFrame, region: str = "VN", *, status: str | None = "actual", column: str = "value"
) -> pd.DataFrame:
    """The series of one region as a table: index ``period_end`` (dates), one column per indicator.

    `status` keeps only rows of that status ("actual" by default); ``None`` takes, for each indicator
    and date, the first of actual, estimate, target that exists. `column` is the series column whose
    values fill the cells (``value`` by default; ``value_min``, ``value_max`` and ``n_articles`` work
    too). Rows without a ``period_end`` are left out. Columns are sorted by indicator code; a date
    where an indicator has no figure holds NaN.
    """
    df = pd.DataFrame(
        {
            "indicator_code": series["indicator_code"].astype(object).map(_text),
            "region_code": series["region_code"].astype(object).map(_text),
            "status": series["status"].astype(object).map(_text),
            "period_end": pd.to_datetime(series["period_end"].astype(object), errors="coerce"),
            "cell": series[column].to_numpy(),
        }
    )
    df = df[(df["region_code"] == region) & df["period_end"].notna()]
    if status is not None:
        df = df[df["status"] == status]
    else:
        rank = {s: i for i, s in enumerate(STATUS_PREFERENCE)}
        df = df.assign(_rank=df["status"].map(lambda s: rank.get(s, len(rank))))
        df = df.sort_values(["indicator_code", "period_end", "_rank"], kind="mergesort")
        df = df.drop_duplicates(["indicator_code", "period_end"], keep="first")
    table = df.pivot_table(index="period_end", columns="indicator_code", values="cell", aggfunc="first", dropna=False)
    table = table.reindex(sorted(table.columns), axis=1).sort_index()
    table.index = pd.DatetimeIndex(table.index, name="period_end").astype("datetime64[s]")
    table.columns.name = "indicator_code"
    return table
