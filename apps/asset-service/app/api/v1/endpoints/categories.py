from fastapi import APIRouter, Response, status

from tb_platform.db import replica_read
from tb_platform.paging import ListParamsDep, Page
from tb_platform.types import Id

from ....core.permissions import ReadCategories, WriteCategories
from ....models import AssetCategory
from ....schemas.category import CategoryCreate, CategoryPublic, CategoryUpdate
from ....services import categories as service
from ...deps import UnitOfWorkDep, ValidCategory

router = APIRouter(prefix="/categories", tags=["categories"])


def _public(category: AssetCategory) -> CategoryPublic:
    return CategoryPublic.model_validate(category)


@router.get("", response_model=Page[CategoryPublic])
@replica_read
async def list_categories(
    _: ReadCategories, uow: UnitOfWorkDep, params: ListParamsDep
) -> Page[CategoryPublic]:
    """Sort by ``name`` (default), ``code`` or ``id``."""
    return (await service.list_categories(uow.session, params=params)).to_page(_public)


@router.post("", response_model=CategoryPublic, status_code=status.HTTP_201_CREATED)
async def create_category(
    body: CategoryCreate, _: WriteCategories, uow: UnitOfWorkDep
) -> CategoryPublic:
    return _public(await service.create_category(uow, data=body))


@router.get("/{category_id}", response_model=CategoryPublic)
async def read_category(category: ValidCategory) -> CategoryPublic:
    return _public(category)


@router.patch("/{category_id}", response_model=CategoryPublic)
async def update_category(
    category_id: Id, _: WriteCategories, body: CategoryUpdate, uow: UnitOfWorkDep
) -> CategoryPublic:
    """New defaults apply to assets created afterwards; existing assets keep their own values."""
    return _public(await service.update_category(uow, category_id=category_id, changes=body))


@router.delete("/{category_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_category(category_id: Id, _: WriteCategories, uow: UnitOfWorkDep) -> Response:
    """Refused (409) while assets use the category."""
    await service.delete_category(uow, category_id=category_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
