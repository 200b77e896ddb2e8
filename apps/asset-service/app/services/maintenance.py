"""Maintenance logs: opening one takes the asset out of service, completing it brings it back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from tb_platform.errors import Conflict, InvalidField, NotFound
from tb_platform.money import check_minor_unit
from tb_platform.paging import ListParams, PageResult, Sorting, paginate

from ..models import Asset, AssetStatus, MaintenanceLog
from ..schemas.asset import MaintenanceComplete, MaintenanceCreate

SORTING = Sorting(
    fields={"started_at": MaintenanceLog.started_at, "id": MaintenanceLog.id},
    default="-started_at",
    tiebreaker=MaintenanceLog.id,
)


async def open_log(
    session: AsyncSession, *, asset: Asset, data: MaintenanceCreate, actor: str
) -> MaintenanceLog:
    if asset.status in (AssetStatus.DISPOSED, AssetStatus.RETIRED):
        raise Conflict(
            f"Asset {asset.asset_tag} is {asset.status}; it is no longer maintained",
            code="asset_out_of_service",
        )
    check_minor_unit(data.cost, asset.currency, "cost")
    started_at = data.started_at or dt.datetime.now(dt.UTC)
    if data.completed_at is not None:
        if data.completed_at < started_at:
            raise InvalidField("completed_at", "Cannot be before started_at")
    elif asset.status == AssetStatus.IN_MAINTENANCE:
        raise Conflict(
            f"Asset {asset.asset_tag} already has open maintenance; complete it first",
            code="maintenance_open",
        )
    log = MaintenanceLog(
        asset_id=asset.id,
        kind=data.kind,
        description=data.description,
        vendor=data.vendor,
        cost=data.cost,
        started_at=started_at,
        completed_at=data.completed_at,
        next_due_date=data.next_due_date,
        created_by=actor,
    )
    session.add(log)
    if data.completed_at is None:
        asset.status_before_maintenance = asset.status
        asset.status = AssetStatus.IN_MAINTENANCE
        asset.updated_by = actor
    await session.flush()
    await session.refresh(log)
    return log


async def require_log(session: AsyncSession, *, asset_id: int, log_id: int) -> MaintenanceLog:
    log = await session.get(MaintenanceLog, log_id)
    if log is None or log.asset_id != asset_id:
        raise NotFound(f"Maintenance log {log_id} not found for asset {asset_id}")
    return log


async def complete_log(
    session: AsyncSession,
    *,
    asset: Asset,
    log: MaintenanceLog,
    data: MaintenanceComplete,
    actor: str,
) -> MaintenanceLog:
    if log.completed_at is not None:
        raise Conflict("This maintenance is already completed", code="maintenance_completed")
    completed_at = data.completed_at or dt.datetime.now(dt.UTC)
    if completed_at < log.started_at:
        raise InvalidField("completed_at", "Cannot be before started_at")
    if data.cost is not None:
        check_minor_unit(data.cost, asset.currency, "cost")
    log.completed_at = completed_at
    if data.cost is not None:
        log.cost = data.cost
    if data.next_due_date is not None:
        log.next_due_date = data.next_due_date
    if asset.status == AssetStatus.IN_MAINTENANCE:
        back = asset.status_before_maintenance or AssetStatus.IN_STOCK
        # An asset whose holder was recorded keeps them; otherwise it goes back to stock.
        if back == AssetStatus.ASSIGNED and asset.assigned_employee_id is None:
            back = AssetStatus.IN_STOCK
        asset.status = back
        asset.status_before_maintenance = None
        asset.updated_by = actor
    await session.flush()
    await session.refresh(log)
    return log


async def list_logs(
    session: AsyncSession, *, asset_id: int, params: ListParams
) -> PageResult[MaintenanceLog]:
    query = select(MaintenanceLog).where(MaintenanceLog.asset_id == asset_id)
    return await paginate(session, query, params=params, sorting=SORTING)


async def due(
    session: AsyncSession, *, before: dt.date, limit: int, offset: int
) -> tuple[list[dict[str, object]], int]:
    """Each asset's latest next-due date, when on or before ``before``; soonest first."""
    latest = (
        select(
            MaintenanceLog.id.label("log_id"),
            MaintenanceLog.asset_id,
            MaintenanceLog.kind,
            MaintenanceLog.next_due_date,
        )
        .where(MaintenanceLog.next_due_date.is_not(None))
        .order_by(
            MaintenanceLog.asset_id,
            MaintenanceLog.started_at.desc(),
            MaintenanceLog.id.desc(),
        )
        .ext(distinct_on(MaintenanceLog.asset_id))
        .subquery()
    )
    base = (
        select(
            latest.c.asset_id,
            Asset.asset_tag,
            Asset.name.label("asset_name"),
            latest.c.log_id,
            latest.c.kind,
            latest.c.next_due_date,
        )
        .join(Asset, Asset.id == latest.c.asset_id)
        .where(latest.c.next_due_date <= before, Asset.status != AssetStatus.DISPOSED)
    )
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await session.execute(
        base.order_by(latest.c.next_due_date, latest.c.asset_id).limit(limit).offset(offset)
    )
    return [dict(row._mapping) for row in rows], total
