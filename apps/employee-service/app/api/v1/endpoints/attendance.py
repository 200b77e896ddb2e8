import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, status

from tb_platform.db import SessionDep, replica_read
from tb_platform.errors import Forbidden, InvalidField, NotFound
from tb_platform.paging import ListParamsDep, Page
from tb_platform.rbac import Grant
from tb_platform.types import BusinessDate, Id
from tb_platform.uow import UnitOfWork

from ....core.permissions import ReadAttendance, RecordAttendance, WriteAttendance
from ....models import Attendance, Employee
from ....schemas.attendance import (
    AttendanceDay,
    AttendancePublic,
    CheckIn,
    CheckOut,
    MonthlySummary,
    MonthlySummaryList,
)
from ....services import attendance as service
from ....services.employees import require_employee
from ...deps import UnitOfWorkDep

router = APIRouter(prefix="/attendance", tags=["attendance"])

# These routes name their employee in the body or the query, not in the path, so the OpenAPI
# generator cannot tell that an unknown one is a 404: they say so.
NO_SUCH_EMPLOYEE: dict[int | str, dict[str, Any]] = {404: {"description": "No such employee"}}
NOT_YOURS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such employee, or (for an employee) not yourself"}
}


def _public(record: Attendance) -> AttendancePublic:
    return AttendancePublic.model_validate(record)


async def _subject(
    uow: UnitOfWork, grant: Grant, employee_id: int | None, at: dt.datetime | None
) -> tuple[Employee, dt.datetime]:
    """Whom a check-in/out is for, and when: yourself now, unless HR records for someone."""
    own = grant.own_employee_id
    target = employee_id if employee_id is not None else own
    if target is None:
        raise InvalidField("employee_id", "your login has no employee record; name the employee")
    if not grant.sees_all:
        # Someone else's attendance is beyond an own grant: not found, as when reading it.
        if target != own:
            raise NotFound(f"Employee {target} not found")
        if at is not None:
            raise Forbidden("Only HR or an admin may record attendance for another time")
    return await require_employee(uow.session, employee_id=target), at or uow.clock.now()


@router.post(
    "/check-in",
    response_model=AttendancePublic,
    status_code=status.HTTP_201_CREATED,
    responses=NO_SUCH_EMPLOYEE,
)
async def check_in(
    grant: WriteAttendance,
    uow: UnitOfWorkDep,
    body: Annotated[CheckIn | None, Body()] = None,
) -> AttendancePublic:
    """Start the day (409 if already checked in that day). No body: yourself, now, present."""
    body = body or CheckIn()
    employee, at = await _subject(uow, grant, body.employee_id, body.at)
    record = await service.check_in(
        uow, employee=employee, at=at, status=body.status, note=body.note
    )
    return _public(record)


@router.post("/check-out", response_model=AttendancePublic, responses=NO_SUCH_EMPLOYEE)
async def check_out(
    grant: WriteAttendance,
    uow: UnitOfWorkDep,
    body: Annotated[CheckOut | None, Body()] = None,
) -> AttendancePublic:
    """End the open shift (409 without a check-in); computes the hours worked. No body: now."""
    body = body or CheckOut()
    employee, at = await _subject(uow, grant, body.employee_id, body.at)
    return _public(await service.check_out(uow, employee=employee, at=at, note=body.note))


@router.put("/{employee_id}/{day}", response_model=AttendancePublic)
async def record_day(
    employee_id: Id,
    day: Annotated[BusinessDate, Path(description="YYYY-MM-DD")],
    body: AttendanceDay,
    _: RecordAttendance,
    uow: UnitOfWorkDep,
) -> AttendancePublic:
    """HR/admin: record a whole day (absence, leave, or corrected times)."""
    employee = await require_employee(uow.session, employee_id=employee_id)
    return _public(await service.record_day(uow, employee=employee, day=day, data=body))


def _visible_employee(grant: Grant, employee_id: int | None) -> int | None:
    own = grant.only_employee_id
    if own is None:
        return employee_id
    if employee_id is not None and employee_id != own:
        raise NotFound(f"Employee {employee_id} not found")
    return own


@router.get("", response_model=Page[AttendancePublic], responses=NOT_YOURS)
@replica_read
async def list_attendance(
    grant: ReadAttendance,
    session: SessionDep,
    params: ListParamsDep,
    employee_id: Annotated[Id | None, Query()] = None,
    date_from: Annotated[BusinessDate | None, Query(alias="from")] = None,
    date_to: Annotated[BusinessDate | None, Query(alias="to")] = None,
) -> Page[AttendancePublic]:
    """Days between ``from`` and ``to`` (inclusive); sort by ``date`` (default ``-date``)."""
    if date_from and date_to and date_from > date_to:
        raise InvalidField("from", "'from' is after 'to'", location="query")
    result = await service.list_attendance(
        session,
        params=params,
        employee_id=_visible_employee(grant, employee_id),
        date_from=date_from,
        date_to=date_to,
    )
    return result.to_page(_public)


@router.get("/summary", response_model=MonthlySummaryList, responses=NOT_YOURS)
@replica_read
async def monthly_summary(
    grant: ReadAttendance,
    session: SessionDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")],
    employee_id: Annotated[Id | None, Query()] = None,
) -> MonthlySummaryList:
    """Per employee: days present (on site or remote), remote, absent, on leave; hours worked."""
    subject = _visible_employee(grant, employee_id)
    items = await service.monthly_summary(session, month=month, employee_id=subject)
    if subject is not None and not items:
        await require_employee(session, employee_id=subject)
        items = [MonthlySummary.empty(employee_id=subject, month=month)]
    return MonthlySummaryList(items=items, total=len(items))
