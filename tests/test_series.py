"""Consolidated series: grouping, the consolidation and conflict rules, wide tables (real frames, no mocks)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dxdata.products.series import (
    SERIES_COLUMNS,
    SORT_KEYS,
    build_series,
    is_conflict,
    series_schema,
    value_step,
    wide,
    written_step,
)
from dxdata.publish.store import load, publish

D = date(2024, 4, 24)


def obs(
    obs_id: str,
    article: str,
    value: float,
    *,
    code: str = "infra.fiber_households_share",
    unit: str = "percent",
    qualifier: str = "eq",
    status: str = "actual",
    end: date | None = D,
    start: date | None = None,
    region: str = "VN",
    number_text: str | None = None,
) -> dict:
    return {
        "obs_id": obs_id, "article_id": article, "source_file": f"{article}.txt", "indicator_code": code,
        "value": value, "unit": unit, "denominator": None, "qualifier": qualifier, "status": status,
        "period_start": start, "period_end": end, "region_code": region, "region_code_2025": region,
        "body_code": None, "evidence": "...", "number_text": number_text if number_text is not None else f"{value:g}",
    }  # fmt: skip


def articles(*rows: tuple[str, str | None, str | None]) -> pd.DataFrame:
    """(article_id, publisher, url) rows."""
    return pd.DataFrame(
        [{"article_id": a, "source_file": f"{a}.txt", "publisher": p, "url": u} for a, p, u in rows],
        columns=["article_id", "source_file", "publisher", "url"],
    )


ARTS = articles(
    ("a1", "Báo Sóc Trăng", None),
    ("a2", "Báo Đà Nẵng", None),
    ("a3", "báo  sóc trăng", None),
    ("a4", None, "https://www.baochinhphu.vn/x"),
    ("a5", None, None),
    ("a6", None, None),
)


def test_two_articles_same_figure_give_one_row_without_conflict():
    s = build_series(
        pd.DataFrame([obs("o2", "a2", 80.2, number_text="80,2%"), obs("o1", "a1", 80.2, number_text="80,2%")]), ARTS
    )
    assert len(s) == 1
    row = s.iloc[0]
    assert row["value"] == 80.2 and row["value_min"] == 80.2 and row["value_max"] == 80.2
    assert row["n_observations"] == 2 and row["n_articles"] == 2 and row["n_publishers"] == 2
    assert not row["conflict"]
    assert row["obs_ids"] == "o1|o2"
    assert row["period_end"] == D and row["unit"] == "percent" and row["qualifier"] == "eq"


def test_two_articles_that_disagree_are_a_conflict():
    s = build_series(
        pd.DataFrame([obs("o1", "a1", 80.2, number_text="80,2%"), obs("o2", "a2", 85.0, number_text="85%")]), ARTS
    )
    row = s.iloc[0]
    assert bool(row["conflict"]) is True
    assert (row["value_min"], row["value_max"]) == (80.2, 85.0)
    assert row["value"] == 80.2  # two values, each reported once: the lower one, never their average
    assert row["n_articles"] == 2


@pytest.mark.parametrize(
    ("a", "ta", "b", "tb", "conflict"),
    [
        (86e6, "86 triệu", 86.4e6, "86,4 triệu", False),  # within the 1 million rounding of "86 triệu"
        (53e6, "53 triệu", 53.62e6, "53,62 triệu", False),  # 1.2% apart but within the coarse figure's step
        (53e6, "53 triệu", 54.2e6, "54,2 triệu", True),  # more than one step (1 million) apart
        (4409, "4.409", 4420, "4.420", False),  # 11 apart, but only 0.25%
        (4409, "4.409", 4500, "4.500", True),  # 2% apart and far beyond the step of 1
        (80.2, "80,2%", 80.9, "80,9%", False),  # 0.7 points: under 1% of 80.9
        (2, "2", 3, "3", False),  # one unit of the last digit: within rounding
    ],
)
def test_conflict_rule(a, ta, b, tb, conflict):
    unit = "percent" if "%" in ta else "count"
    s = build_series(
        pd.DataFrame([obs("o1", "a1", a, unit=unit, number_text=ta), obs("o2", "a2", b, unit=unit, number_text=tb)]),
        ARTS,
    )
    assert bool(s.iloc[0]["conflict"]) is conflict


def test_written_and_value_steps():
    assert written_step("86 triệu", 86e6) == pytest.approx(1e6)
    assert written_step("80,2%", 80.2) == pytest.approx(0.1)
    assert written_step("2.398", 2398) == 1
    assert written_step("4,5\ntriệu", 4.5e6) == pytest.approx(1e5)
    assert written_step("9.300 tỉ đồng", 9.3e12) == pytest.approx(1e9)
    assert written_step("388/1.146", 388) == 1
    assert written_step("sáu", 6) is None
    assert written_step("12", 80.2) is None  # the text is not this value
    assert value_step(80.2) == pytest.approx(0.1)
    assert value_step(13_200_000.0) == 1
    assert is_conflict([1.0, 2.0], [1.0], n_units=2)


def test_median_and_ties_to_the_most_reported_value():
    def consolidated(values: list[float]) -> float:
        rows = [
            obs(f"o{i}", f"a{i % 6 + 1}", v, unit="count", code="gov.portal_online_services")
            for i, v in enumerate(values)
        ]
        return build_series(pd.DataFrame(rows), ARTS).iloc[0]["value"]

    assert consolidated([10, 30, 12]) == 12  # odd: the median
    assert consolidated([10, 10, 12, 30]) == 10  # even: middle 10 and 12, 10 is reported twice
    assert consolidated([10, 12, 30, 30]) == 30  # even: middle 12 and 30, 30 is reported twice
    assert consolidated([10, 12]) == 10  # a tie: the lower


def test_qualifiers_are_noted():
    rows = [
        obs("o1", "a1", 86e6, unit="count", qualifier="gt", number_text="86 triệu"),
        obs("o2", "a2", 86e6, unit="count", qualifier="gt", number_text="86 triệu"),
        obs("o3", "a3", 86.4e6, unit="count", qualifier="eq", number_text="86,4 triệu"),
    ]
    row = build_series(pd.DataFrame(rows), ARTS).iloc[0]
    assert row["value"] == 86e6 and row["qualifier"] == "gt" and row["qualifiers"] == "eq|gt"


def test_publishers_fall_back_to_site_then_file():
    rows = [
        obs("o1", "a1", 50.0),  # "Báo Sóc Trăng"
        obs("o3", "a3", 50.0),  # "báo  sóc trăng": the same paper, spelt differently
        obs("o4", "a4", 50.0),  # no publisher: the site of its URL
        obs("o5", "a5", 50.0),  # nothing known: each file counts as its own publisher
        obs("o6", "a6", 50.0),
        obs("o7", "zz", 50.0),  # an article missing from the articles table: its file
    ]
    row = build_series(pd.DataFrame(rows), ARTS).iloc[0]
    assert row["n_articles"] == 6
    assert row["n_publishers"] == 5


def test_groups_periods_statuses_regions_and_undated_rows():
    rows = [
        obs("o1", "a1", 80.0, end=date(2023, 12, 31), start=date(2023, 1, 1)),
        obs("o2", "a2", 80.0, end=date(2023, 12, 31), start=None),
        obs("o3", "a1", 90.0, status="target", end=date(2025, 12, 31)),
        obs("o4", "a1", 70.0, end=None),
        obs("o5", "a2", 95.0, region="VN-DN", end=date(2023, 12, 31)),
        obs("o6", "a2", 99.0, code="infra.mobile_4g_coverage_share", end=date(2023, 12, 31)),
    ]
    s = build_series(pd.DataFrame(rows), ARTS)
    keys = list(s[SORT_KEYS].itertuples(index=False, name=None))
    assert keys == [
        ("infra.fiber_households_share", "VN", date(2023, 12, 31), "actual"),
        ("infra.fiber_households_share", "VN", date(2025, 12, 31), "target"),
        ("infra.fiber_households_share", "VN", None, "actual"),  # undated: its own group, last
        ("infra.fiber_households_share", "VN-DN", date(2023, 12, 31), "actual"),
        ("infra.mobile_4g_coverage_share", "VN", date(2023, 12, 31), "actual"),
    ]
    assert s.iloc[0]["period_start"] == date(2023, 1, 1) and s.iloc[0]["n_observations"] == 2
    assert list(s.columns) == SERIES_COLUMNS
    series_schema().validate(s)


def test_mixed_units_are_a_conflict_and_the_majority_unit_wins():
    rows = [obs("o1", "a1", 5.0, unit="count"), obs("o2", "a2", 5.0, unit="count"), obs("o3", "a3", 50.0)]
    row = build_series(pd.DataFrame(rows), ARTS).iloc[0]
    assert row["unit"] == "count" and row["value"] == 5.0 and bool(row["conflict"])
    assert row["n_observations"] == 3 and row["obs_ids"] == "o1|o2|o3"


def test_output_does_not_depend_on_row_order():
    rows = [
        obs(f"o{i}", f"a{i % 6 + 1}", v, end=e)
        for i, (v, e) in enumerate([(80.0, D), (81.0, D), (70.0, None), (60.0, date(2022, 1, 1)), (80.0, D)])
    ]
    a = build_series(pd.DataFrame(rows), ARTS)
    b = build_series(pd.DataFrame(rows[::-1]), ARTS.iloc[::-1])
    pd.testing.assert_frame_equal(a, b)


def test_published_and_loaded_tables_give_the_same_series(tmp_path):
    frame = pd.DataFrame(
        [
            obs("o1", "a1", 80.2, number_text="80,2%"),
            obs("o2", "a2", 85.0),
            obs("o3", "a4", 70.0, end=None, start=date(2024, 1, 1)),
        ]
    )
    direct = build_series(frame, ARTS)
    publish({"observations": frame, "articles": ARTS}, tmp_path, sources=[])
    loaded = build_series(load("observations", root=tmp_path), load("articles", root=tmp_path))
    pd.testing.assert_frame_equal(direct, loaded)
    # and the series itself publishes and loads back
    publish({"series": direct}, tmp_path / "s", sources=[], sort_keys={"series": SORT_KEYS})
    back = load("series", root=tmp_path / "s")
    assert len(back) == 2 and back["conflict"].tolist() == [True, False]
    assert str(back["period_end"].dtype) == "datetime64[s]"


def test_empty_input():
    s = build_series(pd.DataFrame(columns=["obs_id"]), ARTS)
    assert s.empty and list(s.columns) == SERIES_COLUMNS
    assert wide(s).empty


def test_wide_pivots_one_region_and_status():
    rows = [
        obs("o1", "a1", 80.0, end=date(2023, 12, 31)),
        obs("o2", "a1", 85.0, end=date(2024, 6, 30), status="estimate"),
        obs("o3", "a1", 99.0, code="infra.mobile_4g_coverage_share", end=date(2023, 12, 31)),
        obs("o4", "a1", 95.0, region="VN-DN", end=date(2023, 12, 31)),
        obs("o5", "a1", 90.0, end=date(2025, 12, 31), status="target"),
        obs("o6", "a1", 10.0, end=None),
    ]
    s = build_series(pd.DataFrame(rows), ARTS)
    w = wide(s)
    assert list(w.columns) == ["infra.fiber_households_share", "infra.mobile_4g_coverage_share"]
    assert w.index.name == "period_end" and str(w.index.dtype) == "datetime64[s]"
    assert w.loc["2023-12-31", "infra.fiber_households_share"] == 80.0
    assert len(w) == 1  # actual only; the undated row is left out
    assert wide(s, "VN-DN").iloc[0, 0] == 95.0
    best = wide(s, status=None)  # actual, else estimate, else target
    assert list(best.index.strftime("%Y-%m-%d")) == ["2023-12-31", "2024-06-30", "2025-12-31"]
    assert wide(s, status="target").iloc[0, 0] == 90.0
