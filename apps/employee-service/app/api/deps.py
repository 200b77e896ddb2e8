"""Dependencies shared by the endpoints: the unit of work, the cache, and the loaders that turn
an id in the path into a row the caller may see, or 404."""

from typing import Annotated

from fastapi import Depends, Request

from tb_platform.db import SessionDep
from tb_platform.errors import Forbidden, NotFound
from tb_platform.rbac import Grant
from tb_platform.types import Id
from tb_platform.uow import UnitOfWork, unit_of_work_dependency

from ..core.cache import CacheDep, GenerationDep
from ..core.permissions import ReadEmployees, ReadSavedViews, WriteEmployees, WriteSavedViews
from ..db.events import EVENTS
from ..models import Department, Employee, SavedView
from ..services.departments import require_department
from ..services.employee_cache import changed_employees, forget_employees
from ..services.employees import require_employee
from ..services.saved_views import require_saved_view
from ..services.token_versions import use_token_versions

_RequestUnitOfWork = Annotated[
    UnitOfWork, Depends(unit_of_work_dependency(EVENTS), scope="function")
]


async def _unit_of_work(
    uow: _RequestUnitOfWork, cache: CacheDep, generation: GenerationDep, request: Request
) -> UnitOfWork:
    # Once the request's transaction has committed (and before the answer), the cached copies of
    # the employees it changed are dropped: dropped earlier, a concurrent read could put the old
    # row back.
    async def forget() -> None:
        await forget_employees(cache, changed_employees(uow.events), generation=generation)

    uow.after_commit(forget)
    # Token versions bumped (or signed into a token) by the request go to Redis after commit.
    use_token_versions(uow, request.app.state.token_versions)
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


def _owner(grant: Grant) -> int:
    # A saved view belongs to a person: a login without an employee record (a service account)
    # has nobody to keep it for.
    if grant.own_employee_id is None:
        raise Forbidden(
            "Saved views belong to an employee; your login is not linked to one",
            code="no_employee_record",
        )
    return grant.own_employee_id


async def _view_reader(grant: ReadSavedViews) -> int:
    return _owner(grant)


async def _view_writer(grant: WriteSavedViews) -> int:
    return _owner(grant)


ViewReader = Annotated[int, Depends(_view_reader)]
"""The employee id of the caller, whose saved views they may read."""
ViewWriter = Annotated[int, Depends(_view_writer)]
"""The employee id of the caller, whose saved views they may change."""


async def _own_saved_view(view_id: Id, owner: ViewReader, session: SessionDep) -> SavedView:
    return await require_saved_view(session, view_id=view_id, owner_employee_id=owner)


OwnSavedView = Annotated[SavedView, Depends(_own_saved_view)]
"""The caller's saved view of the path's id (someone else's is 404)."""
