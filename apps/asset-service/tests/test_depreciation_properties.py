"""Properties of the depreciation engine over random assets (hypothesis).

Pure functions only: these tests use no fixture, so they need no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asset_service.models.enums import DepreciationMethod
from asset_service.services.depreciation import (
    Period,
    book_value_at,
    build_schedule,
)
from tb_platform.money import minor_unit


@dataclass(frozen=True)
class Asset:
    cost: Decimal
    salvage: Decimal
    life_months: int
    start: date
    annual_rate: Decimal
    currency: str

    def schedule(self, method: DepreciationMethod, end: date | None = None) -> list[Period]:
        return build_schedule(
            cost=self.cost,
            salvage=self.salvage,
            life_months=self.life_months,
            start=self.start,
            method=method,
            annual_rate=self.annual_rate,
            currency=self.currency,
            end=end,
        )


@st.composite
def assets(draw: Any) -> Asset:
    currency = draw(st.sampled_from(["EUR", "JPY"]))
    # Amounts in minor units: cents up to 10,000,000.00 EUR, whole yen up to 10,000,000 JPY.
    unit = minor_unit(currency)
    top = 1_000_000_000 if currency == "EUR" else 10_000_000
    cost_units = draw(st.integers(0, top))
    salvage_units = draw(st.integers(0, cost_units))
    return Asset(
        cost=cost_units * unit,
        salvage=salvage_units * unit,
        life_months=draw(st.integers(1, 600)),
        start=draw(st.dates(date(1990, 1, 1), date(2040, 12, 31))),
        annual_rate=Decimal(draw(st.integers(100, 10_000))).scaleb(-2),  # 1.00 .. 100.00 %
        currency=currency,
    )


METHODS = pytest.mark.parametrize("method", list(DepreciationMethod))
SETTINGS = settings(max_examples=300, deadline=None)


@METHODS
@SETTINGS
@given(asset=assets())
def test_full_schedule_invariants(method: DepreciationMethod, asset: Asset) -> None:
    schedule = asset.schedule(method)
    unit = minor_unit(asset.currency)

    assert len(schedule) == asset.life_months
    assert sum(p.depreciation_amount for p in schedule) == asset.cost - asset.salvage
    assert schedule[-1].book_value == asset.salvage
    assert schedule[0].period_start == asset.start

    running = Decimal(0)
    previous_book = asset.cost
    previous: Period | None = None
    for period in schedule:
        amount = period.depreciation_amount
        assert amount >= 0
        assert amount % unit == 0
        running += amount
        assert period.accumulated_depreciation == running
        assert period.book_value == asset.cost - period.accumulated_depreciation
        assert period.book_value <= previous_book
        assert period.book_value >= asset.salvage
        assert period.period_start <= period.period_end
        assert period.period_end.month == period.period_start.month
        assert (period.period_end + timedelta(days=1)).day == 1  # the month's last day
        if previous is not None:
            assert period.period_start == previous.period_end + timedelta(days=1)
        previous_book = period.book_value
        previous = period


@METHODS
@SETTINGS
@given(asset=assets(), data=st.data())
def test_truncated_schedule_is_a_prefix(
    method: DepreciationMethod, asset: Asset, data: Any
) -> None:
    full = asset.schedule(method)
    # From the start to a little past the end of the life.
    last_day = full[-1].period_end + timedelta(days=62)
    end = data.draw(st.dates(asset.start, last_day), label="end")
    cut = asset.schedule(method, end=end)

    assert 1 <= len(cut) <= len(full)
    assert cut[:-1] == full[: len(cut) - 1]
    last, same = cut[-1], full[len(cut) - 1]
    assert last.period_start == same.period_start
    assert last.depreciation_amount == same.depreciation_amount
    assert last.accumulated_depreciation == same.accumulated_depreciation
    assert last.book_value == same.book_value
    if end <= full[-1].period_end:
        assert last.period_end == end
        assert (last.period_start.year, last.period_start.month) == (end.year, end.month)
    else:  # disposed after the life ended: nothing to cut
        assert cut == full


@METHODS
@SETTINGS
@given(asset=assets(), data=st.data())
def test_book_value_at_matches_the_rows(
    method: DepreciationMethod, asset: Asset, data: Any
) -> None:
    schedule = asset.schedule(method)
    index = data.draw(st.integers(0, len(schedule) - 1), label="row")
    row = schedule[index]
    on_end = book_value_at(schedule, cost=asset.cost, at=row.period_end)
    assert on_end == (row.book_value, row.accumulated_depreciation)
    day_before = book_value_at(schedule, cost=asset.cost, at=row.period_end - timedelta(days=1))
    if index == 0:
        assert day_before == (asset.cost, 0)
    else:
        earlier = schedule[index - 1]
        assert day_before == (earlier.book_value, earlier.accumulated_depreciation)
    book, accumulated = book_value_at(
        schedule, cost=asset.cost, at=schedule[-1].period_end + timedelta(days=400)
    )
    assert (book, accumulated) == (asset.salvage, asset.cost - asset.salvage)


@pytest.mark.parametrize(
    "method", [DepreciationMethod.DECLINING_BALANCE, DepreciationMethod.DOUBLE_DECLINING_BALANCE]
)
@SETTINGS
@given(asset=assets())
def test_declining_charges_never_rise_by_more_than_a_minor_unit(
    method: DepreciationMethod, asset: Asset
) -> None:
    # Declining charges fall; after the switch, (book - salvage) / months left moves by at most a
    # rounding unit a month, so the last month never has a large remainder to absorb.
    amounts = [p.depreciation_amount for p in asset.schedule(method)]
    unit = minor_unit(asset.currency)
    for previous, amount in pairwise(amounts):
        assert amount <= previous + unit
