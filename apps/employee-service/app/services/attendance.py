"""Attendance: checking in and out, HR's corrections, lists and monthly summaries."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tb_platform.errors import Conflict, InvalidField
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.uow import UnitOfWork

from ..models import Attendance, AttendanceStatus, Employee, EmployeeStatus
from ..schemas.attendance import AttendanceDay, MonthlySummary

ATTENDANCE_SORTING = Sorting(
    fields={"date": Attendance.date, "id": Attendance.id},  # type: ignore[dict-item]
    default="-date",
    tiebreaker=Attendance.id,  # type: ignore[arg-type]
)
# A shift that started yesterday may still be checked out today (night shifts).
MAX_SHIFT = dt.timedelta(hours=24)
_WORKED = (AttendanceStatus.PRESENT, AttendanceStatus.REMOTE)


def worked_hours(check_in_at: dt.datetime, check_out_at: dt.datetime) -> Decimal:
    seconds = Decimal((check_out_at - check_in_at).total_seconds())
    return (seconds / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ensure_active(employee: Employee) -> None:
    if employee.status == EmployeeStatus.TERMINATED:
        raise Conflict(f"Employee {employee.id} is terminated", code="employee_terminated")


async def _day(session: AsyncSession, employee_id: int, day: dt.date) -> Attendance | None:
    statement = (
        select(Attendance)
        .where(col(Attendance.employee_id) == employee_id, col(Attendance.date) == day)
        .with_for_update()
    )
    return (await session.scalars(statement)).one_or_none()


async def check_in(
    uow: UnitOfWork,
    *,
    employee: Employee,
    at: dt.datetime,
    status: AttendanceStatus,
    note: str | None,
) -> Attendance:
    session = uow.session
    _ensure_active(employee)
    assert employee.id is not None
    existing = await _day(session, employee.id, at.date())
    if existing is not None:
        if existing.check_in_at is not None:
            raise Conflict(
                f"Already checked in on {at.date().isoformat()}", code="already_checked_in"
            )
        raise Conflict(
            f"{at.date().isoformat()} is recorded as {existing.status.value}",
            code="day_already_recorded",
        )
    record = Attendance(
        employee_id=employee.id, date=at.date(), check_in_at=at, status=status, note=note
    )
    try:
        async with session.begin_nested():
            session.add(record)
    except IntegrityError as exc:  # a second check-in racing this one
        raise Conflict(
            f"Already checked in on {at.date().isoformat()}", code="already_checked_in"
        ) from exc
    await session.refresh(record)
    return record


async def check_out(
    uow: UnitOfWork, *, employee: Employee, at: dt.datetime, note: str | None
) -> Attendance:
    session = uow.session
    _ensure_active(employee)
    # The shift being closed is the latest open check-in of the 24 hours before ``at``.
    statement = (
        select(Attendance)
        .where(
            col(Attendance.employee_id) == employee.id,
            col(Attendance.check_in_at).is_not(None),
            col(Attendance.check_out_at).is_(None),
            col(Attendance.check_in_at) > at - MAX_SHIFT,
        )
        .order_by(col(Attendance.check_in_at).desc())
        .with_for_update()
    )
    open_shifts = list((await session.scalars(statement)).all())
    record = next((r for r in open_shifts if r.check_in_at and r.check_in_at <= at), None)
    if record is None:
        if open_shifts:  # only check-ins later than ``at``
            raise InvalidField("at", "check-out cannot be before the check-in")
        today = await _day(session, employee.id or 0, at.date())
        if today is not None and today.check_out_at is not None:
            raise Conflict(
                f"Already checked out on {at.date().isoformat()}", code="already_checked_out"
            )
        raise Conflict("There is no open check-in to check out of", code="not_checked_in")
    assert record.check_in_at is not None
    record.check_out_at = at
    record.worked_hours = worked_hours(record.check_in_at, at)
    if note is not None:
        record.note = note
    await session.flush()
    await session.refresh(record)
    return record


async def record_day(
    uow: UnitOfWork, *, employee: Employee, day: dt.date, data: AttendanceDay
) -> Attendance:
    """HR's record of a day (absence, leave, or corrected times); replaces what was there."""
    session = uow.session
    assert employee.id is not None
    check_in_at, check_out_at = data.check_in_at, data.check_out_at
    if data.status in _WORKED and check_in_at is None:
        raise InvalidField("check_in_at", f"a {data.status.value} day needs a check-in time")
    if data.status not in _WORKED and (check_in_at or check_out_at):
        raise InvalidField("status", f"a {data.status.value} day has no check-in or check-out")
    if check_out_at is not None and check_in_at is not None and check_out_at < check_in_at:
        raise InvalidField("check_out_at", "check-out cannot be before the check-in")
    if check_in_at and check_out_at and check_out_at - check_in_at > MAX_SHIFT:
        raise InvalidField("check_out_at", "a shift cannot last more than 24 hours")
    if check_in_at is not None and check_in_at.date() != day:
        raise InvalidField("check_in_at", f"the check-in must fall on {day.isoformat()} (UTC)")
    record = await _day(session, employee.id, day)
    if record is None:
        record = Attendance(employee_id=employee.id, date=day)
        session.add(record)
    record.status = data.status
    record.check_in_at = check_in_at
    record.check_out_at = check_out_at
    record.worked_hours = (
        worked_hours(check_in_at, check_out_at) if check_in_at and check_out_at else None
    )
    record.note = data.note
    await session.flush()
    await session.refresh(record)
    return record


async def list_attendance(
    session: AsyncSession,
    *,
    params: ListParams,
    employee_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> PageResult[Attendance]:
    statement = select(Attendance)
    if employee_id is not None:
        statement = statement.where(col(Attendance.employee_id) == employee_id)
    if date_from is not None:
        statement = statement.where(col(Attendance.date) >= date_from)
    if date_to is not None:
        statement = statement.where(col(Attendance.date) <= date_to)
    return await paginate(session, statement, params=params, sorting=ATTENDANCE_SORTING)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """``"2026-11"`` → first day of the month and first day of the next."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    except ValueError as exc:
        raise InvalidField("month", "month must be a valid YYYY-MM", location="query") from exc
    return first, following


async def monthly_summary(
    session: AsyncSession, *, month: str, employee_id: int | None
) -> list[MonthlySummary]:
    first, following = month_bounds(month)

    def days(*statuses: AttendanceStatus) -> ColumnElement[int]:
        return func.count().filter(col(Attendance.status).in_(statuses))

    statement = (
        select(
            col(Attendance.employee_id),
            days(*_WORKED),
            days(AttendanceStatus.REMOTE),
            days(AttendanceStatus.ABSENT),
            days(AttendanceStatus.LEAVE),
            func.coalesce(func.sum(Attendance.worked_hours), 0),
        )
        .where(col(Attendance.date) >= first, col(Attendance.date) < following)
        .group_by(col(Attendance.employee_id))
        .order_by(col(Attendance.employee_id))
    )
    if employee_id is not None:
        statement = statement.where(col(Attendance.employee_id) == employee_id)
    rows = (await session.execute(statement)).all()
    return [
        MonthlySummary(
            employee_id=row[0],
            month=month,
            days_present=row[1],
            days_remote=row[2],
            days_absent=row[3],
            days_leave=row[4],
            # coalesce(..., 0) is never NULL; sum()'s type keeps the column's Optional.
            hours_worked=Decimal(cast(Decimal, row[5])),
        )
        for row in rows
    ]
