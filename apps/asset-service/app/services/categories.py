"""Asset categories: the depreciation defaults new assets start from."""

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tb_platform.errors import Conflict, NotFound
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.uow import UnitOfWork

from ..models import Asset, AssetCategory
from ..schemas.category import CategoryCreate, CategoryUpdate

# Sorting takes InstrumentedAttribute columns; SQLModel types the fields as their Python values.
SORTING = Sorting(
    fields={
        "name": AssetCategory.name,  # type: ignore[dict-item]
        "code": AssetCategory.code,  # type: ignore[dict-item]
        "id": AssetCategory.id,  # type: ignore[dict-item]
    },
    default="name",
    tiebreaker=AssetCategory.id,  # type: ignore[arg-type]
)


async def require_category(session: AsyncSession, *, category_id: int) -> AssetCategory:
    category = await session.get(AssetCategory, category_id)
    if category is None:
        raise NotFound(f"Category {category_id} not found")
    return category


async def lock_category(uow: UnitOfWork, category_id: int) -> AssetCategory:
    """The category, locked for the rest of the unit of work: the one way to load it for a change."""
    query = (
        select(AssetCategory)
        .where(col(AssetCategory.id) == category_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    category = (await uow.session.scalars(query)).one_or_none()
    if category is None:
        raise NotFound(f"Category {category_id} not found")
    return category


async def find_by_code(session: AsyncSession, *, code: str) -> AssetCategory | None:
    return (
        await session.scalars(select(AssetCategory).where(col(AssetCategory.code) == code.upper()))
    ).one_or_none()


async def _refuse_duplicates(
    session: AsyncSession, *, name: str | None, code: str | None, exclude_id: int | None = None
) -> None:
    for field, value in (("name", name), ("code", code)):
        if value is None:
            continue
        column = getattr(AssetCategory, field)
        query = select(col(AssetCategory.id)).where(func.lower(column) == value.lower())
        if exclude_id is not None:
            query = query.where(col(AssetCategory.id) != exclude_id)
        if await session.scalar(query) is not None:
            raise Conflict(
                f"A category with {field} {value!r} already exists", code=f"{field}_taken"
            )


async def create_category(uow: UnitOfWork, *, data: CategoryCreate) -> AssetCategory:
    session = uow.session
    await _refuse_duplicates(session, name=data.name, code=data.code)
    category = AssetCategory(**data.model_dump())
    session.add(category)
    await session.flush()
    await session.refresh(category)
    return category


async def update_category(
    uow: UnitOfWork, *, category_id: int, changes: CategoryUpdate
) -> AssetCategory:
    """New defaults apply to assets created afterwards; existing assets keep their own values."""
    category = await lock_category(uow, category_id)
    values = changes.changes()
    await _refuse_duplicates(
        uow.session, name=values.get("name"), code=values.get("code"), exclude_id=category.id
    )
    for field, value in values.items():
        setattr(category, field, value)
    await uow.session.flush()
    await uow.session.refresh(category)
    return category


async def delete_category(uow: UnitOfWork, *, category_id: int) -> None:
    """Refused while assets use the category."""
    category = await lock_category(uow, category_id)
    in_use = await uow.session.scalar(select(exists().where(col(Asset.category_id) == category.id)))
    if in_use:
        raise Conflict(
            f"Category {category.name!r} is used by assets; move them first",
            code="category_in_use",
        )
    await uow.session.delete(category)
    await uow.session.flush()


async def list_categories(
    session: AsyncSession, *, params: ListParams
) -> PageResult[AssetCategory]:
    return await paginate(session, select(AssetCategory), params=params, sorting=SORTING)
