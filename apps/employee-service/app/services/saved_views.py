"""Saved views: each employee's named filters, sort and columns of a list, for themselves only.

Every function takes the owner: a view of someone else is "not found", never "forbidden", so that
ids of other people's views reveal nothing.
"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tb_platform.errors import Conflict, InvalidField, NotFound
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.uow import UnitOfWork

from ..models import SavedView, SavedViewResource
from ..schemas.saved_view import SavedViewCreate, SavedViewReplace

SAVED_VIEW_SORTING = Sorting(
    fields={
        "name": SavedView.name,  # type: ignore[dict-item]
        "created_at": SavedView.created_at,  # type: ignore[dict-item]
        "updated_at": SavedView.updated_at,  # type: ignore[dict-item]
        "id": SavedView.id,  # type: ignore[dict-item]
    },
    default="name",
    tiebreaker=SavedView.id,  # type: ignore[arg-type]
)


async def list_saved_views(
    session: AsyncSession,
    *,
    owner_employee_id: int,
    params: ListParams,
    resource: SavedViewResource | None = None,
) -> PageResult[SavedView]:
    """The owner's views (of one list, when ``resource`` is given), by name."""
    statement = select(SavedView).where(col(SavedView.owner_employee_id) == owner_employee_id)
    if resource is not None:
        statement = statement.where(col(SavedView.resource) == resource)
    return await paginate(session, statement, params=params, sorting=SAVED_VIEW_SORTING)


async def require_saved_view(
    session: AsyncSession, *, view_id: int, owner_employee_id: int
) -> SavedView:
    """The owner's view ``view_id``; 404 when there is none, or it is someone else's."""
    view = await session.get(SavedView, view_id)
    if view is None or view.owner_employee_id != owner_employee_id:
        raise NotFound(f"Saved view {view_id} not found", code="saved_view_not_found")
    return view


async def _ensure_name_free(
    session: AsyncSession,
    *,
    owner_employee_id: int,
    resource: SavedViewResource,
    name: str,
    except_id: int | None,
) -> None:
    query = select(col(SavedView.id)).where(
        col(SavedView.owner_employee_id) == owner_employee_id,
        col(SavedView.resource) == resource,
        func.lower(col(SavedView.name)) == name.lower(),
    )
    if except_id is not None:
        query = query.where(col(SavedView.id) != except_id)
    if await session.scalar(query) is not None:
        raise Conflict(
            f"You already have a view of {resource.value} named {name!r}",
            code="duplicate_view_name",
        )


async def create_saved_view(
    uow: UnitOfWork, *, owner_employee_id: int, data: SavedViewCreate
) -> SavedView:
    """Save a view for its owner (409 ``duplicate_view_name`` when the name is taken)."""
    session = uow.session
    await _ensure_name_free(
        session,
        owner_employee_id=owner_employee_id,
        resource=data.resource,
        name=data.name,
        except_id=None,
    )
    view = SavedView(owner_employee_id=owner_employee_id, **data.model_dump())
    session.add(view)
    await session.flush()
    await session.refresh(view)
    return view


async def replace_saved_view(
    uow: UnitOfWork, *, view: SavedView, data: SavedViewReplace
) -> SavedView:
    """Replace the view's name, filters, sort and columns (its list stays the same: another
    ``resource`` is a 422)."""
    session = uow.session
    if data.resource is not None and data.resource != view.resource:
        raise InvalidField(
            "resource", f"This view is for {view.resource.value}; save a new view for another list"
        )
    await _ensure_name_free(
        session,
        owner_employee_id=view.owner_employee_id,
        resource=view.resource,
        name=data.name,
        except_id=view.id,
    )
    for field, value in data.model_dump(exclude={"resource"}).items():
        setattr(view, field, value)
    await session.flush()
    await session.refresh(view)
    return view


async def delete_saved_view(uow: UnitOfWork, *, view: SavedView) -> None:
    await uow.session.delete(view)
    await uow.session.flush()
