"""A first look at the dxdata dataset: pandas, DuckDB, a wide table and a chart.

    python examples/analysis.py --root data/processed            # latest version
    python examples/analysis.py --root data/processed --version v0001 --out analysis-out

1. loads the observations and the consolidated series with pandas (`dxdata.load`);
2. queries the same version's Parquet files with DuckDB (no copy, no server), including the
   ``obs_ids`` list of each series row, split with ``string_split``;
3. pivots the national series to one column per indicator (`dxdata.wide`);
4. plots the indicator with the most dated national figures (`dxdata.plot_series` returns a matplotlib
   Figure and, with ``save_to``, also writes a PNG).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import pandas as pd

import dxdata
from dxdata.products.plot import load_series
from dxdata.publish.store import read_manifest


def _sql_files(table: str, version: str, root: Path) -> str:
    """The table's Parquet files (`dxdata.parquet_files`) as a SQL list literal for read_parquet."""
    paths = dxdata.parquet_files(table, version, root)
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default="data/processed", help="dataset folder (default: %(default)s)")
    parser.add_argument("--version", default="latest", help="version id, e.g. v0001 (default: latest)")
    parser.add_argument("--out", default="analysis-out", help="folder for the chart (default: %(default)s)")
    args = parser.parse_args(argv)
    root, out = Path(args.root), Path(args.out)
    manifest = read_manifest(args.version, root)
    version = manifest["version"]
    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 8)

    # 1. pandas: typed frames (dates as datetime64, codes as categories)
    observations = dxdata.load("observations", version, root)
    series = load_series(root, version)  # the series table; built from observations if the version predates it
    print(
        f"== {version}: {len(observations)} observations, {len(series)} series rows, "
        f"{int(series['conflict'].sum())} with sources that disagree"
    )
    print(observations.groupby("unit", observed=True).size().rename("observations").to_string())

    # 2. DuckDB: SQL straight on the version's Parquet files
    con = duckdb.connect()
    tables = manifest["tables"]
    con.execute(f"CREATE VIEW observations AS SELECT * FROM read_parquet({_sql_files('observations', version, root)})")
    if "series" in tables:
        con.execute(f"CREATE VIEW series AS SELECT * FROM read_parquet({_sql_files('series', version, root)})")
    else:
        con.register("series", series.astype({c: object for c in series.select_dtypes("category").columns}))
    names = "indicator_code AS name_en"
    if "indicators" in tables:
        con.execute(f"CREATE VIEW indicators AS SELECT * FROM read_parquet({_sql_files('indicators', version, root)})")
        names = "coalesce(i.name_en, o.indicator_code) AS name_en"
        join = "LEFT JOIN indicators i USING (indicator_code)"
    else:
        join = ""
    top = con.execute(
        f"""
        SELECT o.indicator_code, {names}, count(*) AS observations, count(DISTINCT o.article_id) AS articles
        FROM observations o {join}
        GROUP BY ALL ORDER BY observations DESC, o.indicator_code LIMIT 10
        """
    ).df()
    print("\n== most reported indicators (DuckDB)")
    print(top.to_string(index=False))
    provenance = con.execute(
        """
        WITH ids AS (
            SELECT indicator_code, region_code, period_end, value, conflict, n_observations,
                   unnest(string_split(obs_ids, '|')) AS obs_id
            FROM series
        )
        SELECT ids.indicator_code, ids.region_code, ids.period_end, ids.value AS consolidated, ids.conflict,
               o.value AS reported, o.qualifier, o.source_file
        FROM ids JOIN observations o USING (obs_id)
        ORDER BY ids.n_observations DESC, ids.indicator_code, ids.region_code, ids.period_end, o.source_file, o.value
        LIMIT 8
        """
    ).df()
    print("\n== series rows back to their observations (string_split of obs_ids)")
    print(provenance.to_string(index=False))

    # 3. wide: one column per indicator, one row per date (national, actual figures)
    table = dxdata.wide(series, "VN")
    print(f"\n== wide(series, 'VN'): {table.shape[0]} dates x {table.shape[1]} indicators")
    fullest = table.notna().sum().sort_values(ascending=False, kind="mergesort").index[:4]
    print(table[fullest].to_string())

    # 4. a chart of the indicator with the most dated national figures
    dated = series[(series["region_code"].astype(object) == "VN") & series["period_end"].notna()]
    if dated.empty:
        dated = series[series["period_end"].notna()]
    if dated.empty:
        print("\nno dated series rows to plot")
        return 0
    counts = dated.groupby(dated["indicator_code"].astype(object)).size()
    indicator = sorted(counts.index, key=lambda c: (-counts[c], c))[0]
    png = out / f"{indicator}.png"
    dxdata.plot_series(indicator, None, root, version, save_to=png)  # returns the Figure too: a notebook shows it
    print(f"\n== chart of {indicator}: {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
