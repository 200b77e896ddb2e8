"""Maintenance logs: opening one takes the asset out of service, completing it brings it back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tb_platform.errors import Conflict, InvalidField, NotFound
from tb_platform.events.catalog import AssetUpdated
from tb_platform.money import check_minor_unit
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.uow import UnitOfWork

from ..models import Asset, AssetStatus, MaintenanceLog
from ..schemas.asset import MaintenanceComplete, MaintenanceCreate
from .assets import lock_asset
from .events import publish_asset

# Sorting takes InstrumentedAttribute columns; SQLModel types the fields as their Python values.
SORTING = Sorting(
    fields={
        "started_at": MaintenanceLog.started_at,  # type: ignore[dict-item]
        "id": MaintenanceLog.id,  # type: ignore[dict-item]
    },
    default="-started_at",
    tiebreaker=MaintenanceLog.id,  # type: ignore[arg-type]
)

# Per asset that is not disposed, the next-due date of its latest log that has one.
_LATEST_DUE = (
    select(
        col(MaintenanceLog.id).label("log_id"),
        col(MaintenanceLog.asset_id),
        col(MaintenanceLog.kind),
        col(MaintenanceLog.next_due_date),
    )
    .where(col(MaintenanceLog.next_due_date).is_not(None))
    .order_by(
        col(MaintenanceLog.asset_id),
        col(MaintenanceLog.started_at).desc(),
        col(MaintenanceLog.id).desc(),
    )
    .ext(distinct_on(col(MaintenanceLog.asset_id)))
    .subquery("latest_due")
)
DUE = (
    select(
        _LATEST_DUE.c.asset_id,
        col(Asset.asset_tag),
        col(Asset.name).label("asset_name"),
        _LATEST_DUE.c.log_id,
        _LATEST_DUE.c.kind,
        _LATEST_DUE.c.next_due_date,
    )
    .join(Asset, col(Asset.id) == _LATEST_DUE.c.asset_id)
    .where(col(Asset.status) != AssetStatus.DISPOSED)
    .subquery("due")
)
# Sorting's column type names ORM attributes and table columns, not a subquery's columns (which
# sort and compare alike).
DUE_SORTING = Sorting(
    fields={
        "next_due_date": DUE.c.next_due_date,  # type: ignore[dict-item]
        "asset_id": DUE.c.asset_id,  # type: ignore[dict-item]
    },
    default="next_due_date",
    tiebreaker=DUE.c.asset_id,  # type: ignore[arg-type]
)


async def open_log(uow: UnitOfWork, *, asset_id: int, data: MaintenanceCreate) -> MaintenanceLog:
    """Record work on the asset. Without ``completed_at`` the asset goes into maintenance until
    the log is completed (asset.updated); with it, it is a record of past work."""
    asset = await lock_asset(uow, asset_id)
    if asset.status in (AssetStatus.DISPOSED, AssetStatus.RETIRED):
        raise Conflict(
            f"Asset {asset.asset_tag} is {asset.status}; it is no longer maintained",
            code="asset_out_of_service",
        )
    check_minor_unit(data.cost, asset.currency, "cost")
    started_at = data.started_at or uow.clock.now()
    if data.completed_at is not None:
        if data.completed_at < started_at:
            raise InvalidField("completed_at", "Cannot be before started_at")
    elif asset.status == AssetStatus.IN_MAINTENANCE:
        raise Conflict(
            f"Asset {asset.asset_tag} already has open maintenance; complete it first",
            code="maintenance_open",
        )
    actor = uow.actor.sub
    log = MaintenanceLog(
        asset_id=asset_id,
        kind=data.kind,
        description=data.description,
        vendor=data.vendor,
        cost=data.cost,
        started_at=started_at,
        completed_at=data.completed_at,
        next_due_date=data.next_due_date,
        created_by=actor,
    )
    uow.session.add(log)
    if data.completed_at is None:
        asset.status_before_maintenance = asset.status
        asset.status = AssetStatus.IN_MAINTENANCE
        asset.updated_by = actor
    await uow.session.flush()
    await uow.session.refresh(log)
    if data.completed_at is None:
        await publish_asset(uow, AssetUpdated, asset)
    return log


async def require_log(session: AsyncSession, *, asset_id: int, log_id: int) -> MaintenanceLog:
    log = await session.get(MaintenanceLog, log_id)
    if log is None or log.asset_id != asset_id:
        raise NotFound(f"Maintenance log {log_id} not found for asset {asset_id}")
    return log


async def complete_log(
    uow: UnitOfWork, *, asset_id: int, log_id: int, data: MaintenanceComplete
) -> MaintenanceLog:
    """The work is done: the asset goes back to where it was (asset.updated)."""
    asset = await lock_asset(uow, asset_id)
    log = await require_log(uow.session, asset_id=asset_id, log_id=log_id)
    if log.completed_at is not None:
        raise Conflict("This maintenance is already completed", code="maintenance_completed")
    completed_at = data.completed_at or uow.clock.now()
    if completed_at < log.started_at:
        raise InvalidField("completed_at", "Cannot be before started_at")
    if data.cost is not None:
        check_minor_unit(data.cost, asset.currency, "cost")
    log.completed_at = completed_at
    if data.cost is not None:
        log.cost = data.cost
    if data.next_due_date is not None:
        log.next_due_date = data.next_due_date
    back_in_service = asset.status == AssetStatus.IN_MAINTENANCE
    if back_in_service:
        back = asset.status_before_maintenance or AssetStatus.IN_STOCK
        # An asset whose holder was recorded keeps them; otherwise it goes back to stock.
        if back == AssetStatus.ASSIGNED and asset.assigned_employee_id is None:
            back = AssetStatus.IN_STOCK
        asset.status = back
        asset.status_before_maintenance = None
        asset.updated_by = uow.actor.sub
    await uow.session.flush()
    await uow.session.refresh(log)
    if back_in_service:
        await publish_asset(uow, AssetUpdated, asset)
    return log


async def list_logs(
    session: AsyncSession, *, asset_id: int, params: ListParams
) -> PageResult[MaintenanceLog]:
    query = select(MaintenanceLog).where(col(MaintenanceLog.asset_id) == asset_id)
    return await paginate(session, query, params=params, sorting=SORTING)


def due(*, before: dt.date) -> Select[Any]:
    """Each asset's latest next-due date, when on or before ``before`` (rows for ``paginate``)."""
    return select(DUE).where(DUE.c.next_due_date <= before)
