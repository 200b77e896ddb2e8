"""Dependencies shared by the endpoints: the unit of work, the cache, and the loaders that turn
an id in the path into a row the caller may see, or 404."""

from typing import Annotated

from fastapi import Depends

from tb_platform.db import SessionDep
from tb_platform.errors import NotFound
from tb_platform.types import Id
from tb_platform.uow import UnitOfWork, unit_of_work_dependency

from ..core.cache import CacheDep
from ..core.permissions import ReadEmployees, WriteEmployees
from ..db.events import EVENTS
from ..models import Department, Employee
from ..services.departments import require_department
from ..services.employee_cache import changed_employees, forget_employees
from ..services.employees import require_employee

_RequestUnitOfWork = Annotated[
    UnitOfWork, Depends(unit_of_work_dependency(EVENTS), scope="function")
]


async def _unit_of_work(uow: _RequestUnitOfWork, cache: CacheDep) -> UnitOfWork:
    # Once the request's transaction has committed (and before the answer), the cached copies of
    # the employees it changed are dropped: dropped earlier, a concurrent read could put the old
    # row back.
    async def forget() -> None:
        await forget_employees(cache, changed_employees(uow.events))

    uow.after_commit(forget)
    return uow


UnitOfWorkDep = Annotated[UnitOfWork, Depends(_unit_of_work, scope="function")]
"""The request's unit of work (its one session, the caller, the clock, the outbox)."""


async def _readable_employee(
    employee_id: Id, grant: ReadEmployees, session: SessionDep
) -> Employee:
    # Outside the caller's reach is "not found", so that ids of others reveal nothing.
    if not grant.covers(employee_id):
        raise NotFound(f"Employee {employee_id} not found")
    return await require_employee(session, employee_id=employee_id)


async def _writable_employee(employee_id: Id, _: WriteEmployees, session: SessionDep) -> Employee:
    return await require_employee(session, employee_id=employee_id)


async def _department(department_id: Id, session: SessionDep) -> Department:
    return await require_department(session, department_id=department_id)


ReadableEmployee = Annotated[Employee, Depends(_readable_employee)]
WritableEmployee = Annotated[Employee, Depends(_writable_employee)]
ValidDepartment = Annotated[Department, Depends(_department)]
