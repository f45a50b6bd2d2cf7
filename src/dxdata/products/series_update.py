"""The series table of a new version: carried over from the latest version's where no observation of a
group changed, built afresh (`dxdata.products.series.build_series`) one indicator at a time elsewhere.

The input is what each chunk handed over (`ChunkOutput.series_input`, in Arrow): only one indicator's rows
are Python objects at once, and large inputs are built in the process pool.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dxdata.pool import map_ordered
from dxdata.products import series as series_module
from dxdata.products.series import SERIES_KEYS as SERIES_GROUP
from dxdata.products.series import build_series, publisher_maps
from dxdata.publish.chunks import PUBLISHER_INPUT, SERIES_INPUT, ChunkOutput
from dxdata.publish.store import StoreError, VersionWriter, to_arrow

log = logging.getLogger("dxdata.series")

SERIES_POOL_MIN_ROWS = 50_000  # observations below which the series is built in this process


def series_code_fingerprint() -> str:
    """Hash of the series rules (`dxdata.products.series`): series rows are reused only under the same rules."""
    return hashlib.sha256(Path(series_module.__file__).read_bytes()).hexdigest()[:16]


def _group_keys(table: pa.Table) -> pa.Array:
    """Each row's series group (`SERIES_KEYS`) as one string, missing parts as empty strings."""
    parts = [pc.fill_null(pc.cast(table.column(c), pa.string()), "") for c in SERIES_GROUP]
    return pc.binary_join_element_wise(*parts, "\x1f").combine_chunks()


def incremental_series(writer: VersionWriter, outputs: Sequence[ChunkOutput], *, workers: int = 1) -> pa.Table | None:
    """The new series from the latest version's: only the groups that new, changed or removed chunks
    touch are built again; every other row is kept as it is (its observations have not changed).

    None when there is nothing to start from (no latest version with a series table built by these
    rules, or no chunk reused): then the caller builds the series from scratch.
    """
    if not any(o.reused for o in outputs) or writer.previous_manifest.get("series_code") != series_code_fingerprint():
        return None
    old = writer.previous_table("series")
    if old is None:
        return None
    reused = {o.key for o in outputs if o.reused}
    changed = [o.series_input for o in outputs if not o.reused and o.series_input.num_rows]
    try:
        previous = writer.previous_parts("observations")
    except StoreError as err:  # a damaged part of the latest version: its groups are unknown, build afresh
        log.warning("series: %s; building the series from scratch", err)
        return None
    changed += [
        pq.read_table(path, columns=SERIES_GROUP) for chunk, path in sorted(previous.items()) if chunk not in reused
    ]
    touched = pa.concat_arrays([pc.unique(_group_keys(t)) for t in changed]) if changed else pa.array([], pa.string())
    kept = old.filter(pc.invert(pc.is_in(_group_keys(old), value_set=touched)))
    redo = [t.filter(pc.is_in(_group_keys(t), value_set=touched)) for t in (o.series_input for o in outputs)]
    rebuilt = series_by_indicator(
        [t for t in redo if t.num_rows], [o.publishers for o in outputs if o.publishers.num_rows], workers=workers
    )
    log.info("series: %d rows carried over from %s, %d rebuilt", kept.num_rows, writer.previous, len(rebuilt))
    rebuilt_arrow = to_arrow(rebuilt, name="series")
    return pa.concat_tables([kept, rebuilt_arrow.cast(kept.schema)]) if len(rebuilt) else kept


def series_by_indicator(series_input: list[pa.Table], publishers: list[pa.Table], *, workers: int = 1) -> pd.DataFrame:
    """`build_series` one indicator at a time (its groups never span indicators): the whole input stays in
    Arrow, and only one indicator's rows are Python objects at once. With `workers` > 1, contiguous runs
    of indicators of about equal size are built in the process pool; the rows come back in order."""
    if not series_input:
        return build_series(pd.DataFrame(columns=SERIES_INPUT), pd.DataFrame(columns=PUBLISHER_INPUT))
    observations = pa.concat_tables(series_input, promote_options="permissive")
    maps = publisher_maps(pa.concat_tables(publishers, promote_options="permissive").to_pandas())
    codes = pc.cast(observations.column("indicator_code"), pa.string())
    slices = [observations.filter(pc.equal(codes, code)) for code in sorted(pc.unique(codes).drop_null().to_pylist())]
    missing = observations.filter(pc.is_null(codes))
    slices += [missing] if missing.num_rows else []
    if observations.num_rows < SERIES_POOL_MIN_ROWS:
        workers = 1  # starting the pool's workers would cost more than it saves
    blocks: list[list[pa.Table]] = [[]]
    per_block = observations.num_rows / max(1, workers)
    for table in slices:
        if blocks[-1] and sum(t.num_rows for t in blocks[-1]) >= per_block:
            blocks.append([])
        blocks[-1].append(table)
    frames = map_ordered(_series_of, [(block, maps) for block in blocks], workers=workers)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _series_of(task: tuple[list[pa.Table], tuple[dict[str, str], dict[str, str]]]) -> pd.DataFrame:
    """The series rows of a run of indicators (picklable, for the process pool)."""
    tables, maps = task
    frames = [build_series(t.to_pandas(date_as_object=True), None, publishers=maps) for t in tables]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
