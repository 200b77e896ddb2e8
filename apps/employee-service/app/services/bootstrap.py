"""Command-line tasks: the first admin login and the demo data of ``tberp.py up``."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlmodel import col

from tb_platform.db import Database
from tb_platform.token_versions import TokenVersions
from tb_platform.types import Email
from tb_platform.uow import Actor, UnitOfWork, unit_of_work

from ..core.config import EmployeeSettings
from ..core.security import passwords_for
from ..db.events import EVENTS
from ..models import (
    Attendance,
    AttendanceStatus,
    Department,
    Employee,
    EmployeeStatus,
    RoleName,
)
from ..schemas.department import DepartmentCreate, DepartmentUpdate
from ..schemas.employee import EmployeeCreate, EmployeeUpdate, Password
from .attendance import worked_hours
from .departments import create_department, update_department
from .employees import create_employee, find_by_email, set_roles, update_employee
from .token_versions import database_source, use_token_versions


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


async def _upsert_login(
    uow: UnitOfWork,
    settings: EmployeeSettings,
    *,
    email: str,
    password: str,
    roles: list[RoleName],
    **fields: Any,
) -> Employee:
    """Create the employee with this login, or reset its password, reactivate it and add the
    roles — through the same domain functions as the API, so the same events go out."""
    passwords = passwords_for(settings)
    employee = await find_by_email(uow.session, email=email)
    if employee is None:
        data = EmployeeCreate(email=email, password=password, roles=roles, **fields)
        return await create_employee(uow, data=data, passwords=passwords)
    changes = EmployeeUpdate(password=password, status=EmployeeStatus.ACTIVE)
    employee = await update_employee(uow, employee=employee, changes=changes, passwords=passwords)
    missing = [role for role in roles if role.value not in employee.role_names]
    if missing:
        held = [RoleName(name) for name in employee.role_names]
        employee = await set_roles(uow, employee=employee, roles=[*held, *missing])
    return employee


def _checked(kind: Any, value: str, option: str) -> Any:
    """Validate a command-line value like the API would, with a one-line message."""
    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError as exc:
        raise ValueError(f"{option}: {exc.errors()[0]['msg']}") from None


async def create_admin(settings: EmployeeSettings, *, email: str, password: str) -> int:
    address = _checked(Email, email, "--email")
    _checked(Password, password, "--password")
    database = Database.connect(settings.require_database_url(), pool_size=1, max_overflow=0)
    # Resetting a password revokes the tokens signed in with the old one, in every service.
    versions = TokenVersions.from_settings(settings, source=database_source(database))
    try:
        async with unit_of_work(database, actor=Actor.system("create-admin"), outbox=EVENTS) as uow:
            use_token_versions(uow, versions)
            employee = await _upsert_login(
                uow,
                settings,
                email=address,
                password=password,
                roles=[RoleName.ADMIN],
                first_name="System",
                last_name="Administrator",
                job_title="Administrator",
            )
            assert employee.id is not None
            return employee.id
    finally:
        if versions is not None:
            await versions.close()
        await database.dispose()


DEMO_DEPARTMENTS = [
    ("Management", "MGT", None),
    ("Finance", "FIN", "MGT"),
    ("Human Resources", "HR", "MGT"),
    ("Operations", "OPS", "MGT"),
    ("IT", "IT", "OPS"),
]
DEMO_LOGINS = [
    # role, email, password, first, last, job title, department
    (
        RoleName.ADMIN,
        "admin@tb-erp.example",
        "Admin-demo-2026",
        "Ada",
        "Admin",
        "Administrator",
        "MGT",
    ),
    (
        RoleName.HR_MANAGER,
        "hr@tb-erp.example",
        "Hr-demo-2026",
        "Helen",
        "Hughes",
        "HR Manager",
        "HR",
    ),
    (
        RoleName.ASSET_MANAGER,
        "assets@tb-erp.example",
        "Assets-demo-2026",
        "Arthur",
        "Stone",
        "Asset Manager",
        "OPS",
    ),
    (
        RoleName.ACCOUNTANT,
        "accounting@tb-erp.example",
        "Accounting-demo-2026",
        "Clara",
        "Count",
        "Accountant",
        "FIN",
    ),
    (
        RoleName.EMPLOYEE,
        "employee@tb-erp.example",
        "Employee-demo-2026",
        "Eli",
        "Walker",
        "Technician",
        "IT",
    ),
]
DEMO_STAFF = [
    ("Maria", "Garcia", "maria.garcia@tb-erp.example", "Software Engineer", "IT"),
    ("Jonas", "Berg", "jonas.berg@tb-erp.example", "Network Engineer", "IT"),
    ("Priya", "Natarajan", "priya.natarajan@tb-erp.example", "Financial Analyst", "FIN"),
    ("Tom", "Okafor", "tom.okafor@tb-erp.example", "Operations Lead", "OPS"),
]


async def seed_demo(settings: EmployeeSettings) -> list[DemoLogin]:
    """Demo departments, staff, a week of attendance and one login per role. Safe to rerun."""
    database = Database.connect(settings.require_database_url(), pool_size=1, max_overflow=0)
    try:
        async with unit_of_work(database, actor=Actor.system("seed-demo"), outbox=EVENTS) as uow:
            await _seed(uow, settings)
    finally:
        await database.dispose()
    return [DemoLogin(role.value, email, password) for role, email, password, *_ in DEMO_LOGINS]


async def _seed(uow: UnitOfWork, settings: EmployeeSettings) -> None:
    session = uow.session
    departments: dict[str, Department] = {}
    for name, code, parent in DEMO_DEPARTMENTS:
        department = (
            await session.scalars(select(Department).where(col(Department.code) == code))
        ).one_or_none()
        if department is None:
            department = await create_department(
                uow,
                data=DepartmentCreate(
                    name=name, code=code, parent_id=departments[parent].id if parent else None
                ),
            )
        departments[code] = department

    people: list[Employee] = []
    for role, email, password, first, last, title, code in DEMO_LOGINS:
        roles: list[RoleName] = [role] if role == RoleName.EMPLOYEE else [role, RoleName.EMPLOYEE]
        people.append(
            await _upsert_login(
                uow,
                settings,
                email=email,
                password=password,
                roles=roles,
                first_name=first,
                last_name=last,
                job_title=title,
                department_id=departments[code].id,
                hire_date=dt.date(2024, 3, 1),
            )
        )
    passwords = passwords_for(settings)
    for first, last, email, title, code in DEMO_STAFF:
        if await find_by_email(session, email=email) is None:
            data = EmployeeCreate(
                first_name=first,
                last_name=last,
                email=email,
                job_title=title,
                department_id=departments[code].id,
                hire_date=dt.date(2025, 1, 15),
                status=EmployeeStatus.ON_LEAVE if last == "Berg" else EmployeeStatus.ACTIVE,
                roles=[RoleName.EMPLOYEE],
            )
            people.append(await create_employee(uow, data=data, passwords=passwords))
    for code, manager_email in (
        ("HR", "hr@tb-erp.example"),
        ("FIN", "accounting@tb-erp.example"),
    ):
        manager = await find_by_email(session, email=manager_email)
        if manager is not None and departments[code].manager_id is None:
            await update_department(
                uow,
                department=departments[code],
                changes=DepartmentUpdate(manager_id=manager.id),
            )
    await _demo_attendance(uow, people)


async def _demo_attendance(uow: UnitOfWork, people: list[Employee]) -> None:
    session = uow.session
    today = uow.clock.today()
    for offset in range(1, 8):
        day = today - dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for index, person in enumerate(people):
            assert person.id is not None
            exists = await session.scalar(
                select(col(Attendance.id)).where(
                    col(Attendance.employee_id) == person.id, col(Attendance.date) == day
                )
            )
            if exists is not None or person.status != EmployeeStatus.ACTIVE:
                continue
            if (index + offset) % 9 == 0:
                session.add(
                    Attendance(employee_id=person.id, date=day, status=AttendanceStatus.LEAVE)
                )
                continue
            start = dt.datetime.combine(day, dt.time(8, 30 + index % 3 * 10), tzinfo=dt.UTC)
            end = start + dt.timedelta(hours=8, minutes=15 * (index % 4))
            session.add(
                Attendance(
                    employee_id=person.id,
                    date=day,
                    check_in_at=start,
                    check_out_at=end,
                    worked_hours=worked_hours(start, end),
                    status=AttendanceStatus.REMOTE
                    if (index + offset) % 4 == 0
                    else AttendanceStatus.PRESENT,
                )
            )
