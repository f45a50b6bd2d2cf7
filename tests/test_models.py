"""`dxdata.models`: plain records, and the fast way to build frozen ones."""

from __future__ import annotations

import dataclasses

import pytest

from dxdata.models import frozen_record
from dxdata.numbers import NumberMention


def test_frozen_record_is_the_record_init_builds_and_stays_frozen() -> None:
    fields = dict(start=3, end=7, text="80,2%", value=80.2, unit="percent", denominator=None, qualifier="eq",
                  not_fact=None, is_change=False, range_role=None)  # fmt: skip
    built = frozen_record(NumberMention, **fields)
    assert built == NumberMention(**fields)
    assert hash(built) == hash(NumberMention(**fields))
    assert dataclasses.replace(built, unit="count").unit == "count"
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.value = 1.0  # type: ignore[misc]
