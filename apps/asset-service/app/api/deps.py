"""What the endpoints get from the request: the unit of work, the employee directory, and read
loaders (an id in the path becomes a row the caller may see, or 404).

Changes never load their row here: the domain function locks it (``lock_asset``), after any
call to the employee service.
"""

from typing import Annotated

from fastapi import Depends, Request

from tb_platform.db import SessionDep
from tb_platform.employee_directory import EmployeeDirectory
from tb_platform.errors import NotFound
from tb_platform.types import Id
from tb_platform.uow import UnitOfWork, unit_of_work_dependency

from ..core.permissions import ReadAssets, ReadCategories
from ..db.events import EVENTS
from ..models import Asset, AssetCategory
from ..services.assets import require_asset, visible_to
from ..services.categories import require_category

UnitOfWorkDep = Annotated[UnitOfWork, Depends(unit_of_work_dependency(EVENTS), scope="function")]


async def _directory(request: Request) -> EmployeeDirectory:
    directory: EmployeeDirectory = request.app.state.employee_directory
    return directory


DirectoryDep = Annotated[EmployeeDirectory, Depends(_directory)]


async def _readable_asset(asset_id: Id, grant: ReadAssets, session: SessionDep) -> Asset:
    asset = await require_asset(session, asset_id=asset_id)
    # Outside the caller's reach is "not found", so that ids of others reveal nothing.
    if not visible_to(grant, asset):
        raise NotFound(f"Asset {asset_id} not found")
    return asset


async def _category(category_id: Id, _: ReadCategories, session: SessionDep) -> AssetCategory:
    return await require_category(session, category_id=category_id)


ReadableAsset = Annotated[Asset, Depends(_readable_asset)]
ValidCategory = Annotated[AssetCategory, Depends(_category)]
