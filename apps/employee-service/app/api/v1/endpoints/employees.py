from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tb_platform.bulk import BULK_RESPONSES, BulkResult, run_bulk
from tb_platform.db import SessionDep, replica_read
from tb_platform.errors import InvalidField, NotFound
from tb_platform.paging import ListParamsDep, Page
from tb_platform.query import parse_id_list
from tb_platform.types import BusinessDate, Id, SearchText

from ....core.cache import CacheDep
from ....core.permissions import ReadEmployees, WriteEmployees
from ....core.security import PasswordsDep
from ....models import Employee, EmployeeStatus, RoleName
from ....schemas.employee import (
    EmployeeBulk,
    EmployeeCreate,
    EmployeePublic,
    EmployeeUpdate,
    RolesUpdate,
)
from ....services import employees as service
from ....services.employee_cache import public_employees_by_ids
from ...deps import ReadableEmployee, UnitOfWorkDep, WritableEmployee

router = APIRouter(prefix="/employees", tags=["employees"])


def _public(employee: Employee) -> EmployeePublic:
    return EmployeePublic.model_validate(employee)


@router.get("", response_model=Page[EmployeePublic])
@replica_read
async def list_employees(
    grant: ReadEmployees,
    session: SessionDep,
    cache: CacheDep,
    params: ListParamsDep,
    q: Annotated[SearchText | None, Query(description="Name or email contains")] = None,
    department_id: Annotated[Id | None, Query()] = None,
    status: Annotated[EmployeeStatus | None, Query()] = None,
    email: Annotated[SearchText | None, Query(description="Email contains (any case)")] = None,
    role: Annotated[RoleName | None, Query(description="Holds this role")] = None,
    hired_from: Annotated[
        BusinessDate | None, Query(description="Hire date from (inclusive)")
    ] = None,
    hired_to: Annotated[BusinessDate | None, Query(description="Hire date to (inclusive)")] = None,
    ids: Annotated[
        str | None,
        Query(
            description="Batch look-up: comma-separated ids (at most 500); unknown ids are left out"
        ),
    ] = None,
) -> Page[EmployeePublic]:
    """Search employees, or look several up at once with ``?ids=1,2,5`` (served from a cache).

    Sort by ``id``, ``last_name`` (default), ``first_name``, ``email``, ``hire_date``,
    ``created_at``; prefix ``-`` for descending.
    """
    if hired_from and hired_to and hired_from > hired_to:
        raise InvalidField("hired_from", "hired_from is after hired_to", location="query")
    if ids is not None:
        # The cache holds every employee alike; the caller's reach narrows what is asked of it.
        wanted = [i for i in parse_id_list(ids) if grant.covers(i)]
        found = await public_employees_by_ids(session, cache, ids=wanted)
        return Page(items=found, total=len(found), limit=len(found))
    result = await service.list_employees(
        session,
        params=params,
        q=q,
        department_id=department_id,
        status=status,
        email=email,
        role=role,
        hired_from=hired_from,
        hired_to=hired_to,
        only_employee_id=grant.only_employee_id,
    )
    return result.to_page(_public)


@router.post("", response_model=EmployeePublic, status_code=status.HTTP_201_CREATED)
async def create_employee(
    body: EmployeeCreate, _: WriteEmployees, uow: UnitOfWorkDep, passwords: PasswordsDep
) -> EmployeePublic:
    employee = await service.create_employee(uow, data=body, passwords=passwords)
    return _public(employee)


@router.post("/bulk", response_model=BulkResult[EmployeePublic], responses=BULK_RESPONSES)
async def bulk_employees(
    body: EmployeeBulk, _: WriteEmployees, uow: UnitOfWorkDep, passwords: PasswordsDep
) -> BulkResult[EmployeePublic]:
    """One action on up to 200 employees, each by the rules (and with the event) of its
    single-row endpoint: ``set_department`` (``department_id``) or ``terminate``.

    All or nothing: 200 with every employee when each could take the action; otherwise 409
    ``bulk_rejected``, nothing changed, and ``results`` tells each failing employee's status,
    code and reason (e.g. 403 for an admin terminated by someone who is not an admin).
    """
    step, done = await service.bulk_step(uow, body=body, passwords=passwords)

    async def present(employees: list[Employee]) -> list[EmployeePublic]:
        return [_public(employee) for employee in employees]

    return await run_bulk(
        uow, action=body.action, ids=body.ids, apply=step, present=present, done=done
    )


@router.get(
    "/me",
    response_model=EmployeePublic,
    responses={404: {"description": "The login is not linked to an employee record"}},
)
async def read_me(grant: ReadEmployees, session: SessionDep) -> EmployeePublic:
    """The caller's own employee record."""
    if grant.own_employee_id is None:
        raise NotFound("Your login is not linked to an employee record")
    return _public(await service.require_employee(session, employee_id=grant.own_employee_id))


@router.get("/{employee_id}", response_model=EmployeePublic)
async def read_employee(employee: ReadableEmployee) -> EmployeePublic:
    return _public(employee)


@router.patch("/{employee_id}", response_model=EmployeePublic)
async def update_employee(
    body: EmployeeUpdate,
    employee: WritableEmployee,
    uow: UnitOfWorkDep,
    passwords: PasswordsDep,
) -> EmployeePublic:
    """Change some fields; ``password`` sets or (with null) removes the login."""
    updated = await service.update_employee(
        uow, employee=employee, changes=body, passwords=passwords
    )
    return _public(updated)


@router.put("/{employee_id}/roles", response_model=EmployeePublic)
async def set_roles(
    body: RolesUpdate, employee: WritableEmployee, uow: UnitOfWorkDep
) -> EmployeePublic:
    """Replace the employee's roles (only an admin may grant or revoke ``admin``)."""
    return _public(await service.set_roles(uow, employee=employee, roles=body.roles))


@router.delete("/{employee_id}", status_code=status.HTTP_204_NO_CONTENT)
async def terminate_employee(employee: WritableEmployee, uow: UnitOfWorkDep) -> Response:
    """Soft delete: the employee becomes ``terminated`` and can no longer log in."""
    await service.terminate_employee(uow, employee=employee)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
