"""Loaders shared by the endpoints: an id in the path becomes a row the caller may see, or 404."""

from typing import Annotated

from fastapi import Depends, Path

from tb_platform.db import SessionDep
from tb_platform.errors import NotFound
from tb_platform.types import PG_INT_MAX

from ..core.permissions import ReadAssets, ReadCategories, WriteAssets
from ..models import Asset, AssetCategory
from ..services.assets import require_asset, visible_to
from ..services.categories import require_category

AssetId = Annotated[int, Path(ge=1, le=PG_INT_MAX)]
CategoryId = Annotated[int, Path(ge=1, le=PG_INT_MAX)]


async def _readable_asset(asset_id: AssetId, grant: ReadAssets, session: SessionDep) -> Asset:
    asset = await require_asset(session, asset_id=asset_id)
    # Outside the caller's reach is "not found", so that ids of others reveal nothing.
    if not visible_to(grant, asset):
        raise NotFound(f"Asset {asset_id} not found")
    return asset


async def _writable_asset(asset_id: AssetId, _: WriteAssets, session: SessionDep) -> Asset:
    # Locked for the rest of the request: status moves check and change it atomically.
    return await require_asset(session, asset_id=asset_id, lock=True)


async def _category(
    category_id: CategoryId, _: ReadCategories, session: SessionDep
) -> AssetCategory:
    return await require_category(session, category_id=category_id)


ReadableAsset = Annotated[Asset, Depends(_readable_asset)]
WritableAsset = Annotated[Asset, Depends(_writable_asset)]
ValidCategory = Annotated[AssetCategory, Depends(_category)]
