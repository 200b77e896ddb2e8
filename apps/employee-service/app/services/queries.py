"""Small query helpers the domain modules share."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tb_platform.query import contains_text

__all__ = ["chain_reaches", "contains_text"]


async def chain_reaches(
    session: AsyncSession, model: type[Any], *, start: Any, parent_field: str, target: int
) -> bool:
    """Whether walking up ``parent_field`` links from ``start`` meets the row with id ``target``.

    Used to refuse a change that would close a loop (a department under its own descendant, a
    manager reporting to their own report). Stops on an existing loop instead of spinning.
    """
    seen: set[int] = set()
    current = start
    while current is not None:
        parent_id = getattr(current, parent_field)
        if parent_id is None or parent_id in seen:
            return False
        if parent_id == target:
            return True
        seen.add(parent_id)
        current = await session.get(model, parent_id)
    return False
