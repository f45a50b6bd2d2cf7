"""Rows that fail a check go to rejects with the check's name; good rows pass through."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dxdata.validate.rows import validate_observations

TEXT = "Có 80,2% hộ gia đình sử dụng cáp quang."


def row(**changes) -> dict:
    base = {
        "obs_id": "o1",
        "article_id": "a1",
        "source_file": "a.txt",
        "indicator_code": "infra.fiber_households_share",
        "value": 80.2,
        "unit": "percent",
        "denominator": None,
        "qualifier": "eq",
        "status": "actual",
        "period_start": None,
        "period_end": date(2024, 4, 24),
        "region_code": "VN",
        "region_code_2025": "VN",
        "body_code": "NCDT",
        "evidence": TEXT,
        "char_start": 0,
        "char_end": len(TEXT),
        "number_text": "80,2%",
        "number_start": 3,
        "number_end": 8,
    }
    base.update(changes)
    return base


def check(rows: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return validate_observations(
        pd.DataFrame(rows),
        indicator_codes=["infra.fiber_households_share"],
        body_codes=["NCDT"],
        region_codes=["VN", "VN-DN"],
        article_texts={"a1": TEXT},
    )


def test_good_rows_pass() -> None:
    good, rejects = check([row()])
    assert len(good) == 1 and rejects.empty


def test_each_failure_names_its_check() -> None:
    rows = [
        row(),
        row(obs_id="o2", value=180.0, number_start=10),
        row(obs_id="o3", indicator_code="no.such_code", number_start=11),
        row(obs_id="o4", region_code="VN-XX", number_start=12),
        row(obs_id="o5", period_start=date(2024, 5, 1), period_end=date(2024, 1, 1), number_start=13),
        row(obs_id="o6", char_start=1, number_start=14),
        row(obs_id="o7", unit="furlongs", number_start=15),
        row(obs_id="o1"),
    ]
    good, rejects = check(rows)
    assert good["obs_id"].tolist() == ["o1"]
    details = dict(zip(rejects["obs_id"], rejects["detail"], strict=False))
    assert "percent_within_0_100" in details["o2"]
    assert "indicator_code" in details["o3"] and "isin" in details["o3"]
    assert "region_code" in details["o4"]
    assert "period_start_le_period_end" in details["o5"]
    assert "evidence_at_span" in details["o6"]
    assert "unit" in details["o7"]
    assert len(rejects) == 7  # the duplicate o1 is rejected too, the first o1 kept
    assert (rejects["stage"] == "validate").all() and rejects["record"].notna().all()
