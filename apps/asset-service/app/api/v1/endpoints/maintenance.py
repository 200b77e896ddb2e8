import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, status

from tb_platform.db import replica_read
from tb_platform.paging import ListParamsDep, Page, paginate
from tb_platform.types import BusinessDate, Id

from ....core.permissions import ReadReports, WriteAssets
from ....models import MaintenanceLog
from ....schemas.asset import (
    MaintenanceComplete,
    MaintenanceCreate,
    MaintenanceDue,
    MaintenancePublic,
)
from ....services import maintenance as service
from ...deps import ReadableAsset, UnitOfWorkDep

router = APIRouter(tags=["maintenance"])

DUE_HORIZON = dt.timedelta(days=30)


def _public(log: MaintenanceLog) -> MaintenancePublic:
    return MaintenancePublic.model_validate(log)


@router.get("/maintenance/due", response_model=Page[MaintenanceDue])
@replica_read
async def maintenance_due(
    _: ReadReports,
    uow: UnitOfWorkDep,
    params: ListParamsDep,
    before: Annotated[BusinessDate | None, Query(description="Default: today + 30 days")] = None,
) -> Page[MaintenanceDue]:
    """Each asset's latest next-due date on or before ``before`` (not disposed), soonest first.

    Sort by ``next_due_date`` (default) or ``asset_id``; prefix ``-`` for descending.
    """
    horizon = before or uow.clock.today() + DUE_HORIZON
    result = await paginate(
        uow.session,
        service.due(before=horizon),
        params=params,
        sorting=service.DUE_SORTING,
        as_rows=True,
    )
    return result.to_page(MaintenanceDue.model_validate)


@router.get("/assets/{asset_id}/maintenance", response_model=Page[MaintenancePublic])
@replica_read
async def list_maintenance(
    asset: ReadableAsset, uow: UnitOfWorkDep, params: ListParamsDep
) -> Page[MaintenancePublic]:
    """The asset's maintenance logs, newest first."""
    assert asset.id is not None
    logs = await service.list_logs(uow.session, asset_id=asset.id, params=params)
    return logs.to_page(_public)


@router.post(
    "/assets/{asset_id}/maintenance",
    response_model=MaintenancePublic,
    status_code=status.HTTP_201_CREATED,
)
async def open_maintenance(
    asset_id: Id, _: WriteAssets, body: MaintenanceCreate, uow: UnitOfWorkDep
) -> MaintenancePublic:
    """Without ``completed_at`` the asset goes into maintenance until the log is completed."""
    return _public(await service.open_log(uow, asset_id=asset_id, data=body))


@router.post("/assets/{asset_id}/maintenance/{log_id}/complete", response_model=MaintenancePublic)
async def complete_maintenance(
    asset_id: Id,
    log_id: Id,
    _: WriteAssets,
    uow: UnitOfWorkDep,
    body: MaintenanceComplete | None = None,
) -> MaintenancePublic:
    """The work is done: the asset goes back to where it was (its holder, or stock)."""
    completed = await service.complete_log(
        uow, asset_id=asset_id, log_id=log_id, data=body or MaintenanceComplete()
    )
    return _public(completed)
