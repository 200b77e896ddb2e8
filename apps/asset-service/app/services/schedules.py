"""The stored depreciation schedule of an asset, and book values read from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from tb_platform.paging import core_connection
from tb_platform.query import any_of

from ..models import Asset, DepreciationEntry
from .depreciation import build_schedule

INSERT_SLICE = 5000


def schedule_rows(asset_id: int, values: Asset | Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``depreciation_schedules`` rows of one asset, computed from its fields."""

    def field(name: str) -> Any:
        return values[name] if isinstance(values, Mapping) else getattr(values, name)

    periods = build_schedule(
        cost=field("purchase_cost"),
        salvage=field("salvage_value"),
        life_months=field("useful_life_months"),
        start=field("purchase_date"),
        method=field("depreciation_method"),
        annual_rate=field("declining_rate"),
        currency=field("currency"),
        end=field("disposal_date") if not isinstance(values, Mapping) else None,
    )
    return [
        {
            "asset_id": asset_id,
            "period_start": p.period_start,
            "period_end": p.period_end,
            "depreciation_amount": p.depreciation_amount,
            "accumulated_depreciation": p.accumulated_depreciation,
            "book_value": p.book_value,
        }
        for p in periods
    ]


async def insert_schedule_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    # executemany in slices: one round trip per slice rather than per row.
    for start in range(0, len(rows), INSERT_SLICE):
        await session.execute(insert(DepreciationEntry), rows[start : start + INSERT_SLICE])


async def regenerate_schedule(session: AsyncSession, *, asset: Asset) -> None:
    """Rebuild the asset's rows from its cost, salvage, life, method, rate and dates."""
    assert asset.id is not None
    await session.execute(delete(DepreciationEntry).where(DepreciationEntry.asset_id == asset.id))
    await insert_schedule_rows(session, schedule_rows(asset.id, asset))


async def schedule_of(session: AsyncSession, *, asset_id: int) -> Sequence[DepreciationEntry]:
    query = (
        select(DepreciationEntry)
        .where(DepreciationEntry.asset_id == asset_id)
        .order_by(DepreciationEntry.period_start)
    )
    return (await session.scalars(query)).all()


def latest_accumulated(at: dt.date) -> Select[tuple[int, Decimal]]:
    """Per asset, the accumulated depreciation of its latest period ending on or before ``at``."""
    return (
        select(DepreciationEntry.asset_id, DepreciationEntry.accumulated_depreciation)
        .where(DepreciationEntry.period_end <= at)
        .order_by(DepreciationEntry.asset_id, DepreciationEntry.period_end.desc())
        .ext(distinct_on(DepreciationEntry.asset_id))
    )


def accumulated_on(asset_id: ColumnElement[int], at: dt.date) -> ColumnElement[Decimal]:
    """SQL: the accumulated depreciation of asset ``asset_id`` on day ``at`` — its latest period
    ending on or before ``at`` (one probe of the (asset_id, period_end) index), 0 before the first
    one ends. A column of a page's own query: no second round trip, nothing merged in Python."""
    latest = (
        select(DepreciationEntry.accumulated_depreciation)
        .where(DepreciationEntry.asset_id == asset_id, DepreciationEntry.period_end <= at)
        .order_by(DepreciationEntry.period_end.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(latest, Decimal("0.00"))


async def accumulated_at(
    session: AsyncSession, *, asset_ids: Sequence[int], at: dt.date
) -> dict[int, Decimal]:
    """Accumulated depreciation of each asset on day ``at`` (0 before its first month ends):
    :func:`accumulated_on` for a whole page in one query."""
    if not asset_ids:
        return {}
    query = select(Asset.id, accumulated_on(Asset.id, at)).where(any_of(Asset.id, asset_ids))  # type: ignore[arg-type]
    rows = await (await core_connection(session)).execute(query)
    found = {asset_id: amount for asset_id, amount in rows}
    return {asset_id: found.get(asset_id, Decimal("0.00")) for asset_id in asset_ids}


def book_value(asset: Asset | Row[Any], accumulated: Decimal, *, at: dt.date) -> Decimal:
    """What the asset is worth on ``at``: nothing after the day it was disposed of."""
    return value_on(
        at, cost=asset.purchase_cost, accumulated=accumulated, disposal_date=asset.disposal_date
    )


def value_on(
    at: dt.date, *, cost: Decimal, accumulated: Decimal, disposal_date: dt.date | None
) -> Decimal:
    """Book value on ``at`` from cost and accumulated depreciation (0 after disposal)."""
    if disposal_date is not None and at > disposal_date:
        return Decimal("0.00")
    return cost - accumulated
