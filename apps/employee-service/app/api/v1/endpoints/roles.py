from fastapi import APIRouter
from sqlalchemy import select
from sqlmodel import col

from tb_platform.db import SessionDep

from ....core.permissions import ReadRoles
from ....models import Role
from ....schemas.employee import RolePublic

router = APIRouter(prefix="/roles", tags=["roles"])


@router.get("", response_model=list[RolePublic])
async def list_roles(_: ReadRoles, session: SessionDep) -> list[RolePublic]:
    """The roles an employee can hold."""
    roles = (await session.scalars(select(Role).order_by(col(Role.id)))).all()
    return [RolePublic.model_validate(role) for role in roles]
