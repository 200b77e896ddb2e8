from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tb_platform.db import SessionDep
from tb_platform.paging import ListParamsDep, Page

from ....models import SavedView, SavedViewResource
from ....schemas.saved_view import SavedViewCreate, SavedViewPublic, SavedViewReplace
from ....services import saved_views as service
from ...deps import OwnSavedView, UnitOfWorkDep, ViewReader, ViewWriter

router = APIRouter(prefix="/saved-views", tags=["saved views"])


def _public(view: SavedView) -> SavedViewPublic:
    return SavedViewPublic.model_validate(view)


@router.get("", response_model=Page[SavedViewPublic])
async def list_saved_views(
    owner: ViewReader,
    session: SessionDep,
    params: ListParamsDep,
    resource: Annotated[
        SavedViewResource | None, Query(description="Only the views of this list")
    ] = None,
) -> Page[SavedViewPublic]:
    """The caller's own saved views, by ``name`` (default), ``created_at``, ``updated_at`` or
    ``id``; prefix ``-`` for descending."""
    result = await service.list_saved_views(
        session, owner_employee_id=owner, params=params, resource=resource
    )
    return result.to_page(_public)


@router.post("", response_model=SavedViewPublic, status_code=status.HTTP_201_CREATED)
async def create_saved_view(
    body: SavedViewCreate, owner: ViewWriter, uow: UnitOfWorkDep
) -> SavedViewPublic:
    """Save a view for the caller (409 ``duplicate_view_name`` when they already have a view of
    that list with that name, whatever its case)."""
    return _public(await service.create_saved_view(uow, owner_employee_id=owner, data=body))


@router.get("/{view_id}", response_model=SavedViewPublic)
async def read_saved_view(view: OwnSavedView) -> SavedViewPublic:
    return _public(view)


@router.put("/{view_id}", response_model=SavedViewPublic)
async def replace_saved_view(
    body: SavedViewReplace, _: ViewWriter, view: OwnSavedView, uow: UnitOfWorkDep
) -> SavedViewPublic:
    """Replace the name, filters, sort and columns (omitted ones become empty / null); the list
    stays (``resource`` may be sent, as the view's own: another is a 422). 409
    ``duplicate_view_name`` as on creation."""
    return _public(await service.replace_saved_view(uow, view=view, data=body))


@router.delete("/{view_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_saved_view(_: ViewWriter, view: OwnSavedView, uow: UnitOfWorkDep) -> Response:
    await service.delete_saved_view(uow, view=view)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
