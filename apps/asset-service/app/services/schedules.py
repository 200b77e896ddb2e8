"""The stored depreciation schedule of an asset, and book values read from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Row,
    Select,
    SQLColumnExpression,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tb_platform.paging import core_connection
from tb_platform.query import any_of

from ..models import Asset, DepreciationSchedule
from .depreciation import Period, build_schedule


def schedule_row(asset_id: int, values: Asset | Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``depreciation_schedules`` row of one asset, computed from its fields (None when
    nothing depreciates: no months to store)."""

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
    if not periods:
        return None
    return {"asset_id": asset_id} | {
        column: [getattr(p, attribute) for p in periods] for column, attribute in MONTH_COLUMNS
    }


# Each array column of the row and the Period attribute its elements are.
MONTH_COLUMNS = (
    ("period_starts", "period_start"),
    ("period_ends", "period_end"),
    ("depreciation_amounts", "depreciation_amount"),
    ("accumulated_depreciation", "accumulated_depreciation"),
    ("book_values", "book_value"),
)


async def regenerate_schedule(session: AsyncSession, *, asset: Asset) -> None:
    """Rebuild the asset's schedule from its cost, salvage, life, method, rate and dates."""
    assert asset.id is not None
    await session.execute(
        delete(DepreciationSchedule).where(col(DepreciationSchedule.asset_id) == asset.id)
    )
    row = schedule_row(asset.id, asset)
    if row is not None:
        await session.execute(insert(DepreciationSchedule), [row])


async def schedule_of(session: AsyncSession, *, asset_id: int) -> list[Period]:
    """The asset's months in order (none when it has no schedule)."""
    row = await session.scalar(
        select(DepreciationSchedule).where(col(DepreciationSchedule.asset_id) == asset_id)
    )
    if row is None:
        return []
    columns = [getattr(row, column) for column, _ in MONTH_COLUMNS]
    return [Period(*month) for month in zip(*columns, strict=True)]


def _accumulated_in(schedule: Any, at: dt.date) -> ColumnElement[Decimal]:
    """SQL: the accumulated depreciation in a schedule row on day ``at``: the element of the
    latest month ending on or before ``at``. ``width_bucket`` binary-searches the ascending
    ``period_ends`` for how many end on or before ``at``; index 0 (none yet) is NULL."""
    months = func.width_bucket(literal(at, Date), schedule.period_ends)
    return schedule.accumulated_depreciation[months]


def latest_accumulated(at: dt.date) -> Select[int, Decimal]:
    """Per asset, the accumulated depreciation of its latest month ending on or before ``at``
    (NULL before the first one ends)."""
    table = DepreciationSchedule.__table__.c  # type: ignore[attr-defined]
    return select(table.asset_id, _accumulated_in(table, at).label("accumulated_depreciation"))


def accumulated_on(
    asset_id: SQLColumnExpression[int | None], at: dt.date
) -> ColumnElement[Decimal]:
    """SQL: the accumulated depreciation of asset ``asset_id`` on day ``at`` — its latest month
    ending on or before ``at`` (one primary-key probe and a binary search in the row), 0 before
    the first one ends. A column of a page's own query: no second round trip."""
    table = DepreciationSchedule.__table__.c  # type: ignore[attr-defined]
    latest = select(_accumulated_in(table, at)).where(table.asset_id == asset_id).scalar_subquery()
    return func.coalesce(latest, Decimal("0.00"))


async def accumulated_at(
    session: AsyncSession, *, asset_ids: Sequence[int], at: dt.date
) -> dict[int, Decimal]:
    """Accumulated depreciation of each asset on day ``at`` (0 before its first month ends):
    :func:`accumulated_on` for a whole page in one query."""
    if not asset_ids:
        return {}
    query = select(col(Asset.id), accumulated_on(col(Asset.id), at)).where(
        any_of(Asset.id, asset_ids)
    )
    rows = await (await core_connection(session)).execute(query)
    found = {asset_id: amount for asset_id, amount in rows}
    return {asset_id: found.get(asset_id, Decimal("0.00")) for asset_id in asset_ids}


async def depreciated_in_total(session: AsyncSession, *, asset_id: int) -> Decimal:
    """All the depreciation in the asset's schedule: its last month's accumulated amount (each
    month's is the running sum of the amounts so far); 0 without a schedule."""
    table = DepreciationSchedule.__table__.c  # type: ignore[attr-defined]
    accumulated = table.accumulated_depreciation
    total = await session.scalar(
        select(accumulated[func.cardinality(accumulated)]).where(table.asset_id == asset_id)
    )
    return Decimal("0.00") if total is None else Decimal(total)


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
