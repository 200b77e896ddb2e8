"""Departments: a tree of organisational units, each with an optional manager."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tb_platform.errors import Conflict, InvalidField, NotFound
from tb_platform.events.catalog import EmployeeUpdated
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.uow import UnitOfWork

from ..models import Department, Employee, EmployeeStatus
from ..schemas.department import DepartmentCreate, DepartmentUpdate
from .employees import employee_event, ensure_active_employee
from .queries import chain_reaches, contains_text

DEPARTMENT_SORTING = Sorting(
    fields={
        "id": Department.id,  # type: ignore[dict-item]
        "name": Department.name,  # type: ignore[dict-item]
        "created_at": Department.created_at,  # type: ignore[dict-item]
    },
    default="name",
    tiebreaker=Department.id,  # type: ignore[arg-type]
)


async def require_department(session: AsyncSession, *, department_id: int) -> Department:
    department = await session.get(Department, department_id)
    if department is None:
        raise NotFound(f"Department {department_id} not found")
    return department


async def list_departments(
    session: AsyncSession, *, params: ListParams, q: str | None = None, parent_id: int | None = None
) -> PageResult[Department]:
    statement = select(Department)
    if q and q.strip():
        statement = statement.where(contains_text([Department.name, Department.code], q))  # type: ignore[list-item]
    if parent_id is not None:
        statement = statement.where(col(Department.parent_id) == parent_id)
    return await paginate(session, statement, params=params, sorting=DEPARTMENT_SORTING)


async def _ensure_unique(
    session: AsyncSession, *, name: str | None, code: str | None, except_id: int | None
) -> None:
    if name is not None:
        other = await session.scalar(
            select(col(Department.id)).where(
                func.lower(col(Department.name)) == name.lower(), col(Department.id) != except_id
            )
        )
        if other is not None:
            raise Conflict(f"A department named {name!r} already exists", code="name_taken")
    if code is not None:
        other = await session.scalar(
            select(col(Department.id)).where(
                col(Department.code) == code, col(Department.id) != except_id
            )
        )
        if other is not None:
            raise Conflict(f"A department with code {code!r} already exists", code="code_taken")


async def _ensure_parent(
    session: AsyncSession, parent_id: int | None, *, department_id: int | None
) -> None:
    if parent_id is None:
        return
    if parent_id == department_id:
        raise InvalidField("parent_id", "a department cannot be its own parent")
    parent = await session.get(Department, parent_id)
    if parent is None:
        raise InvalidField("parent_id", f"department {parent_id} does not exist")
    if department_id is not None and await chain_reaches(
        session, Department, start=parent, parent_field="parent_id", target=department_id
    ):
        raise InvalidField("parent_id", "this parent would make the department its own ancestor")


async def create_department(uow: UnitOfWork, *, data: DepartmentCreate) -> Department:
    session = uow.session
    await _ensure_unique(session, name=data.name, code=data.code, except_id=None)
    await _ensure_parent(session, data.parent_id, department_id=None)
    await ensure_active_employee(session, data.manager_id, field="manager_id")
    department = Department(**data.model_dump())
    session.add(department)
    await session.flush()
    await session.refresh(department)
    return department


async def update_department(
    uow: UnitOfWork, *, department: Department, changes: DepartmentUpdate
) -> Department:
    """Change some fields; a new name is announced for each current member (employee.updated
    carries the department's name)."""
    session = uow.session
    values: dict[str, Any] = changes.changes()
    renamed = "name" in values and values["name"] != department.name
    await _ensure_unique(
        session, name=values.get("name"), code=values.get("code"), except_id=department.id
    )
    if "parent_id" in values:
        await _ensure_parent(session, values["parent_id"], department_id=department.id)
    if "manager_id" in values:
        await ensure_active_employee(session, values["manager_id"], field="manager_id")
    for field, value in values.items():
        setattr(department, field, value)
    await session.flush()
    await session.refresh(department)
    if renamed:
        members = await session.scalars(
            select(Employee)
            .where(
                col(Employee.department_id) == department.id,
                col(Employee.status) != EmployeeStatus.TERMINATED,
            )
            .order_by(col(Employee.id))
        )
        for employee in members:
            await uow.publish(await employee_event(session, EmployeeUpdated, employee))
    return department


async def delete_department(uow: UnitOfWork, *, department: Department) -> None:
    """Delete an empty department; one with employees (any status) or sub-departments is kept."""
    session = uow.session
    employees = await session.scalar(
        select(func.count())
        .select_from(Employee)
        .where(col(Employee.department_id) == department.id)
    )
    if employees:
        raise Conflict(
            f"Department still has {employees} employee(s), terminated ones included; "
            "move them to another department first",
            code="department_not_empty",
        )
    children = await session.scalar(
        select(func.count())
        .select_from(Department)
        .where(col(Department.parent_id) == department.id)
    )
    if children:
        raise Conflict(
            f"Department still has {children} sub-department(s)", code="department_has_children"
        )
    await session.delete(department)
    await session.flush()
