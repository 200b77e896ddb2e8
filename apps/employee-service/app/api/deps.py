"""Dependencies shared by the endpoints: the unit of work, the cache, and the loaders that turn
an id in the path into a row the caller may see, or 404."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path

from tb_platform.db import SessionDep
from tb_platform.errors import NotFound
from tb_platform.types import PG_INT_MAX
from tb_platform.uow import UnitOfWork, unit_of_work_dependency

from ..core.cache import CacheDep
from ..core.permissions import ReadEmployees, WriteEmployees
from ..db.events import EVENTS
from ..models import Department, Employee
from ..services.departments import require_department
from ..services.employee_cache import changed_employees, forget_employees
from ..services.employees import require_employee

EmployeeId = Annotated[int, Path(ge=1, le=PG_INT_MAX)]
DepartmentId = Annotated[int, Path(ge=1, le=PG_INT_MAX)]

_RequestUnitOfWork = Annotated[
    UnitOfWork, Depends(unit_of_work_dependency(EVENTS), scope="function")
]


async def _unit_of_work(uow: _RequestUnitOfWork, cache: CacheDep) -> AsyncIterator[UnitOfWork]:
    yield uow
    # The commit the session dependency would make next, made here (it then finds nothing left
    # to commit) so that the cached copies of the employees the unit changed are dropped after
    # it and before the answer: dropped earlier, a concurrent read could put the old row back.
    await uow.session.commit()
    await forget_employees(cache, changed_employees(uow.events))


UnitOfWorkDep = Annotated[UnitOfWork, Depends(_unit_of_work, scope="function")]
"""The request's unit of work (its one session, the caller, the clock, the outbox)."""


async def _readable_employee(
    employee_id: EmployeeId, grant: ReadEmployees, session: SessionDep
) -> Employee:
    # Outside the caller's reach is "not found", so that ids of others reveal nothing.
    if not grant.covers(employee_id):
        raise NotFound(f"Employee {employee_id} not found")
    return await require_employee(session, employee_id=employee_id)


async def _writable_employee(
    employee_id: EmployeeId, _: WriteEmployees, session: SessionDep
) -> Employee:
    return await require_employee(session, employee_id=employee_id)


async def _department(department_id: DepartmentId, session: SessionDep) -> Department:
    return await require_department(session, department_id=department_id)


ReadableEmployee = Annotated[Employee, Depends(_readable_employee)]
WritableEmployee = Annotated[Employee, Depends(_writable_employee)]
ValidDepartment = Annotated[Department, Depends(_department)]
