"""Loaders shared by the endpoints: an id in the path becomes a row the caller may see, or 404."""

from typing import Annotated

from fastapi import Depends, Path

from tb_platform.db import SessionDep
from tb_platform.errors import NotFound
from tb_platform.types import PG_INT_MAX

from ..core.permissions import ReadEmployees, WriteEmployees
from ..models import Department, Employee
from ..services.departments import require_department
from ..services.employees import require_employee

EmployeeId = Annotated[int, Path(ge=1, le=PG_INT_MAX)]
DepartmentId = Annotated[int, Path(ge=1, le=PG_INT_MAX)]


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
