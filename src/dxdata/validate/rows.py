"""Validate tables with the pandera schemas; bad rows go to `rejects`, never silently away."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd
import pandera.errors

from dxdata.tables import TABLES
from dxdata.validate.schemas import observations_schema

REJECT_COLUMNS = TABLES["rejects"].names


def split_valid(df: pd.DataFrame, schema, *, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that pass, rejects naming the failed checks). Table-level failures raise."""
    if df.empty:
        return df, pd.DataFrame(columns=REJECT_COLUMNS)
    try:
        return schema.validate(df, lazy=True), pd.DataFrame(columns=REJECT_COLUMNS)
    except pandera.errors.SchemaErrors as err:
        cases = err.failure_cases
        row_cases = cases[cases["index"].notna()]
        if len(row_cases) < len(cases):
            table_level = cases[cases["index"].isna()]
            # a failure that names no row (missing column, wrong dtype) is a bug in our code: stop
            raise RuntimeError(f"{table}: table-level schema failure:\n{table_level.to_string()}") from err
        failed: dict[object, list[str]] = {}
        table_checks = {c.name for c in schema.checks}
        for idx, column, check in zip(row_cases["index"], row_cases["column"], row_cases["check"], strict=True):
            label = str(check) if check in table_checks or column == table else f"{column}: {check}"
            failed.setdefault(idx, [])
            if label not in failed[idx]:
                failed[idx].append(label)
        bad_index = [i for i in df.index if i in failed]
        good = schema.validate(df.drop(index=bad_index), lazy=False) if bad_index else df
        rejects = pd.DataFrame(
            [
                {
                    "stage": "validate",
                    "source_file": str(df.at[i, "source_file"]),
                    "article_id": str(df.at[i, "article_id"]),
                    "obs_id": str(df.at[i, "obs_id"]) if "obs_id" in df.columns else None,
                    "reason": failed[i][0].split(":")[-1].strip(),
                    "detail": "; ".join(failed[i]),
                    "record": json.dumps(df.loc[i].to_dict(), ensure_ascii=False, default=str, sort_keys=True),
                }
                for i in bad_index
            ],
            columns=REJECT_COLUMNS,
        )
        return good, rejects


def validate_observations(
    df: pd.DataFrame,
    *,
    indicator_codes: list[str],
    body_codes: list[str],
    region_codes: list[str],
    article_texts: Mapping[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observations that pass every check, and the rejects with the checks they failed."""
    schema = observations_schema(indicator_codes, body_codes, region_codes, article_texts)
    return split_valid(df, schema, table="observations")
