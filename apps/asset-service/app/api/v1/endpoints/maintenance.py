import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from tb_platform.db import SessionDep
from tb_platform.paging import DEFAULT_LIMIT, MAX_LIMIT, ListParamsDep, Page
from tb_platform.types import PG_INT_MAX, BusinessDate

from ....core.permissions import ReadReports, WriteAssets
from ....models import MaintenanceLog
from ....schemas.asset import (
    MaintenanceComplete,
    MaintenanceCreate,
    MaintenanceDue,
    MaintenancePublic,
)
from ....services import maintenance as service
from ...deps import ReadableAsset, WritableAsset

router = APIRouter(tags=["maintenance"])

LogId = Annotated[int, Path(ge=1, le=PG_INT_MAX)]
DUE_HORIZON = dt.timedelta(days=30)


def _public(log: MaintenanceLog) -> MaintenancePublic:
    return MaintenancePublic.model_validate(log)


@router.get("/maintenance/due", response_model=Page[MaintenanceDue])
async def maintenance_due(
    _: ReadReports,
    session: SessionDep,
    before: Annotated[BusinessDate | None, Query(description="Default: today + 30 days")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=PG_INT_MAX)] = 0,
) -> Page[MaintenanceDue]:
    """Each asset's latest next-due date on or before ``before`` (not disposed), soonest first."""
    horizon = before or dt.datetime.now(dt.UTC).date() + DUE_HORIZON
    rows, total = await service.due(session, before=horizon, limit=limit, offset=offset)
    return Page(
        items=[MaintenanceDue.model_validate(row) for row in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/assets/{asset_id}/maintenance", response_model=Page[MaintenancePublic])
async def list_maintenance(
    asset: ReadableAsset, session: SessionDep, params: ListParamsDep
) -> Page[MaintenancePublic]:
    """The asset's maintenance logs, newest first."""
    assert asset.id is not None
    return (await service.list_logs(session, asset_id=asset.id, params=params)).to_page(_public)


@router.post(
    "/assets/{asset_id}/maintenance",
    response_model=MaintenancePublic,
    status_code=status.HTTP_201_CREATED,
)
async def open_maintenance(
    grant: WriteAssets, body: MaintenanceCreate, asset: WritableAsset, session: SessionDep
) -> MaintenancePublic:
    """Without ``completed_at`` the asset goes into maintenance until the log is completed."""
    log = await service.open_log(session, asset=asset, data=body, actor=grant.principal.sub)
    return _public(log)


@router.post("/assets/{asset_id}/maintenance/{log_id}/complete", response_model=MaintenancePublic)
async def complete_maintenance(
    grant: WriteAssets,
    log_id: LogId,
    asset: WritableAsset,
    session: SessionDep,
    body: MaintenanceComplete | None = None,
) -> MaintenancePublic:
    """The work is done: the asset goes back to where it was (its holder, or stock)."""
    assert asset.id is not None
    log = await service.require_log(session, asset_id=asset.id, log_id=log_id)
    completed = await service.complete_log(
        session, asset=asset, log=log, data=body or MaintenanceComplete(), actor=grant.principal.sub
    )
    return _public(completed)
