"""Employees: search, batch look-up, hiring, changes, roles and termination."""

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tb_platform import audit
from tb_platform.errors import Conflict, Forbidden, InvalidField, NotFound
from tb_platform.events.catalog import (
    EmployeeCreated,
    EmployeeData,
    EmployeeDeleted,
    EmployeeUpdated,
)
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.uow import Actor, UnitOfWork

from ..core.security import Passwords
from ..db.events import AUDIT
from ..models import Department, Employee, EmployeeRole, EmployeeStatus, Role, RoleName
from ..schemas.employee import EmployeeBulk, EmployeeCreate, EmployeeUpdate
from .queries import chain_reaches, contains_text
from .token_versions import revoke_tokens

E = TypeVar("E", bound=EmployeeData)

EMPLOYEE_SORTING = Sorting(
    fields={
        "id": Employee.id,  # type: ignore[dict-item]
        "last_name": Employee.last_name,  # type: ignore[dict-item]
        "first_name": Employee.first_name,  # type: ignore[dict-item]
        "email": Employee.email,  # type: ignore[dict-item]
        "hire_date": Employee.hire_date,  # type: ignore[dict-item]
        "created_at": Employee.created_at,  # type: ignore[dict-item]
    },
    default="last_name",
    tiebreaker=Employee.id,  # type: ignore[arg-type]
)


async def get_employee(session: AsyncSession, *, employee_id: int) -> Employee | None:
    return await session.get(Employee, employee_id)


async def find_by_email(session: AsyncSession, *, email: str) -> Employee | None:
    statement = select(Employee).where(func.lower(col(Employee.email)) == email.strip().lower())
    return (await session.scalars(statement)).one_or_none()


async def list_employees(
    session: AsyncSession,
    *,
    params: ListParams,
    q: str | None = None,
    department_id: int | None = None,
    status: EmployeeStatus | None = None,
    email: str | None = None,
    role: RoleName | None = None,
    hired_from: dt.date | None = None,
    hired_to: dt.date | None = None,
    only_employee_id: int | None = None,
) -> PageResult[Employee]:
    """Search employees; ``only_employee_id`` narrows to one person (self-service callers).

    ``email`` is a case-insensitive "contains"; ``role`` keeps those who hold it; the hire date
    range includes its bounds.
    """
    statement = select(Employee)
    if q and q.strip():
        full_name = func.concat(Employee.first_name, " ", Employee.last_name)
        statement = statement.where(
            contains_text([Employee.first_name, Employee.last_name, Employee.email, full_name], q)  # type: ignore[list-item]
        )
    if department_id is not None:
        statement = statement.where(col(Employee.department_id) == department_id)
    if status is not None:
        statement = statement.where(col(Employee.status) == status)
    if email and email.strip():
        statement = statement.where(contains_text([Employee.email], email))  # type: ignore[list-item]
    if role is not None:
        holders = (
            select(col(EmployeeRole.employee_id))
            .join(Role, col(Role.id) == EmployeeRole.role_id)
            .where(col(Role.name) == role.value)
        )
        statement = statement.where(col(Employee.id).in_(holders))
    if hired_from is not None:
        statement = statement.where(col(Employee.hire_date) >= hired_from)
    if hired_to is not None:
        statement = statement.where(col(Employee.hire_date) <= hired_to)
    if only_employee_id is not None:
        statement = statement.where(col(Employee.id) == only_employee_id)
    return await paginate(session, statement, params=params, sorting=EMPLOYEE_SORTING)


async def employees_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> Sequence[Employee]:
    """The employees of ``ids`` in one query, in id order; unknown ids are left out."""
    statement = select(Employee).where(col(Employee.id).in_(ids)).order_by(col(Employee.id))
    return (await session.scalars(statement)).all()


async def _roles_named(session: AsyncSession, names: Iterable[RoleName]) -> list[Role]:
    wanted = sorted({name.value for name in names})
    roles = list((await session.scalars(select(Role).where(col(Role.name).in_(wanted)))).all())
    missing = set(wanted) - {role.name for role in roles}
    if missing:  # the migration seeds every role; a missing one is a broken database
        raise InvalidField("roles", f"unknown roles: {', '.join(sorted(missing))}")
    return roles


async def _ensure_email_free(session: AsyncSession, email: str, *, except_id: int | None) -> None:
    existing = await find_by_email(session, email=email)
    if existing is not None and existing.id != except_id:
        raise Conflict(f"An employee with email {email} already exists", code="email_taken")


async def _ensure_department(session: AsyncSession, department_id: int | None) -> None:
    if department_id is not None and await session.get(Department, department_id) is None:
        raise InvalidField("department_id", f"department {department_id} does not exist")


async def ensure_active_employee(
    session: AsyncSession, employee_id: int | None, *, field: str
) -> Employee | None:
    """The employee a field refers to (a manager): it must exist and not be terminated (422)."""
    if employee_id is None:
        return None
    employee = await session.get(Employee, employee_id)
    if employee is None:
        raise InvalidField(field, f"employee {employee_id} does not exist")
    if employee.status == EmployeeStatus.TERMINATED:
        raise InvalidField(field, f"employee {employee_id} is terminated")
    return employee


async def _ensure_manager(
    session: AsyncSession, manager_id: int | None, *, employee_id: int | None
) -> None:
    if manager_id is not None and manager_id == employee_id:
        raise InvalidField("manager_id", "an employee cannot be their own manager")
    manager = await ensure_active_employee(session, manager_id, field="manager_id")
    if employee_id is not None and await chain_reaches(
        session, Employee, start=manager, parent_field="manager_id", target=employee_id
    ):
        raise InvalidField("manager_id", "this manager would create a reporting loop")


# The fields that make up a login: who signs in, with what, and whether they may.
LOGIN_IDENTITY = frozenset({"email", "password", "status"})


def _ensure_may_manage_admins(actor: Actor, *, touches_admin: bool) -> None:
    # HR may do everything in this service except hand out, take away or take over admin
    # access: that would let them escalate to full control of every service. The system's own
    # commands (create-admin) may.
    if touches_admin and not (actor.has_role(RoleName.ADMIN) or actor.is_system):
        raise Forbidden("Only an admin may grant, revoke or change an admin login")


async def _ensure_admin_remains(session: AsyncSession, employee: Employee) -> None:
    """Refuse a change that would leave the company without an active admin login."""
    others = await session.scalar(
        select(func.count())
        .select_from(Employee)
        .join(EmployeeRole, col(EmployeeRole.employee_id) == Employee.id)
        .join(Role, col(Role.id) == EmployeeRole.role_id)
        .where(
            col(Role.name) == RoleName.ADMIN.value,
            col(Employee.id) != employee.id,
            col(Employee.status) != EmployeeStatus.TERMINATED,
            col(Employee.login_enabled).is_(True),
        )
    )
    if not others:
        raise Conflict(
            "This is the last active admin login; make another admin first", code="last_admin"
        )


async def employee_event(session: AsyncSession, event: type[E], employee: Employee) -> E:
    """The data of an ``employee.*`` event about ``employee`` as they are now."""
    assert employee.id is not None
    department = (
        await session.get(Department, employee.department_id)
        if employee.department_id is not None
        else None
    )
    return event(
        id=employee.id,
        first_name=employee.first_name,
        last_name=employee.last_name,
        email=employee.email,
        status=EmployeeStatus(employee.status).value,
        department_id=employee.department_id,
        department_name=department.name if department is not None else None,
    )


def _visible_state(employee: Employee) -> tuple[dict[str, Any], list[str]]:
    # What the API shows of an employee (and the password behind ``has_login``), without the
    # timestamps: when it differs after a change, the change is announced as employee.updated.
    return employee.model_dump(exclude={"created_at", "updated_at"}), employee.role_names


async def create_employee(
    uow: UnitOfWork, *, data: EmployeeCreate, passwords: Passwords
) -> Employee:
    """Hire: the row, its roles and an optional login; publishes ``employee.created``."""
    session = uow.session
    _ensure_may_manage_admins(uow.actor, touches_admin=RoleName.ADMIN in data.roles)
    await _ensure_email_free(session, data.email, except_id=None)
    await _ensure_department(session, data.department_id)
    await _ensure_manager(session, data.manager_id, employee_id=None)
    if data.status == EmployeeStatus.TERMINATED:
        raise InvalidField("status", "a new employee cannot start as terminated")
    employee = Employee(
        **data.model_dump(exclude={"password", "roles", "hire_date"}),
        hire_date=data.hire_date or uow.clock.today(),
        password_hash=await passwords.hash(data.password) if data.password else None,
        login_enabled=data.password is not None,
    )
    employee.roles = await _roles_named(session, data.roles)
    session.add(employee)
    await session.flush()
    await session.refresh(employee)
    await uow.publish(await employee_event(session, EmployeeCreated, employee))
    return employee


async def update_employee(
    uow: UnitOfWork,
    *,
    employee: Employee,
    changes: EmployeeUpdate,
    passwords: Passwords,
) -> Employee:
    """Change some fields. Publishes ``employee.deleted`` when this terminates the employee,
    else ``employee.updated`` when anything the API shows of them changed."""
    session = uow.session
    before = _visible_state(employee)
    was_terminated = employee.status == EmployeeStatus.TERMINATED
    values: dict[str, Any] = changes.changes()
    is_admin = RoleName.ADMIN in employee.role_names
    # An admin's login identity (the email they sign in with, their password, whether they are
    # active) is an admin's business: HR changing the email would lock the admin out.
    if LOGIN_IDENTITY & values.keys():
        _ensure_may_manage_admins(uow.actor, touches_admin=is_admin)
    stays_terminated = (
        was_terminated
        and values.get("status", EmployeeStatus.TERMINATED) == EmployeeStatus.TERMINATED
    )
    if values.get("password") is not None and stays_terminated:
        raise Conflict(
            "A terminated employee cannot get a login; reactivate them (status) in the same call",
            code="employee_terminated",
        )
    if "email" in values:
        await _ensure_email_free(session, values["email"], except_id=employee.id)
    if "department_id" in values:
        await _ensure_department(session, values["department_id"])
    if "manager_id" in values:
        await _ensure_manager(session, values["manager_id"], employee_id=employee.id)

    new_status = values.pop("status", None)
    if "password" in values:
        password = values.pop("password")
        if password is None and is_admin and employee.can_log_in:
            await _ensure_admin_remains(session, employee)
        employee.password_hash = await passwords.hash(password) if password else None
        employee.login_enabled = password is not None
        # A new or removed password ends every session signed in with the old one.
        await revoke_tokens(uow, employee=employee)
    for field, value in values.items():
        setattr(employee, field, value)
    if new_status == EmployeeStatus.TERMINATED:
        # Publishes employee.deleted, with the other changes of this call already applied.
        await terminate_employee(uow, employee=employee)
    elif new_status is not None:
        employee.status = new_status
    await session.flush()
    await session.refresh(employee)
    terminated_now = not was_terminated and employee.status == EmployeeStatus.TERMINATED
    if not terminated_now and _visible_state(employee) != before:
        await uow.publish(await employee_event(session, EmployeeUpdated, employee))
    return employee


async def set_roles(uow: UnitOfWork, *, employee: Employee, roles: list[RoleName]) -> Employee:
    """Replace the roles; publishes ``employee.updated`` when they changed."""
    session = uow.session
    before = employee.role_names
    had_admin = RoleName.ADMIN in before
    gets_admin = RoleName.ADMIN in roles
    _ensure_may_manage_admins(uow.actor, touches_admin=had_admin != gets_admin)
    if had_admin and not gets_admin and employee.can_log_in:
        await _ensure_admin_remains(session, employee)
    employee.roles = await _roles_named(session, roles)
    await session.flush()
    await session.refresh(employee)
    if employee.role_names != before:
        # The link rows are not ORM instances the audit hooks see: say what changed.
        audit.record(
            session,
            AUDIT,
            entity="employees",
            entity_id=employee.id,
            action="role_change",
            before={"roles": before},
            after={"roles": employee.role_names},
        )
        # Tokens carry the roles: the old ones must not keep granting what was taken away.
        await revoke_tokens(uow, employee=employee)
        await uow.publish(await employee_event(session, EmployeeUpdated, employee))
    return employee


async def terminate_employee(uow: UnitOfWork, *, employee: Employee) -> Employee:
    """Soft delete: status ``terminated`` and the login disabled; the row and its history stay.

    Publishes ``employee.deleted`` in the same transaction (the asset service takes their
    assets back on it). Terminating an already terminated employee changes nothing.
    """
    session = uow.session
    if employee.status == EmployeeStatus.TERMINATED:
        return employee
    if uow.actor.employee_id is not None and uow.actor.employee_id == employee.id:
        raise Conflict("You cannot terminate your own employment record", code="self_termination")
    if RoleName.ADMIN in employee.role_names:
        _ensure_may_manage_admins(uow.actor, touches_admin=True)
        if employee.can_log_in:
            await _ensure_admin_remains(session, employee)
    employee.status = EmployeeStatus.TERMINATED
    employee.login_enabled = False
    await session.flush()
    await revoke_tokens(uow, employee=employee)
    await uow.publish(await employee_event(session, EmployeeDeleted, employee))
    return employee


async def require_employee(session: AsyncSession, *, employee_id: int) -> Employee:
    employee = await get_employee(session, employee_id=employee_id)
    if employee is None:
        raise NotFound(f"Employee {employee_id} not found")
    return employee


async def bulk_step(
    uow: UnitOfWork, *, body: EmployeeBulk, passwords: Passwords
) -> tuple[Callable[[int], Awaitable[Employee]], str]:
    """The single-row change a bulk action applies to each employee, and how its message says it.

    ``set_department`` is PATCH's ``department_id`` (the department is checked once, for the
    request: 422 on ``department_id``); ``terminate`` is DELETE's termination, with its rules
    (only an admin may terminate an admin, nobody themselves, never the last admin login) and
    its ``employee.deleted`` event.
    """
    body.check_action_fields()
    session = uow.session
    if body.action == "set_department":
        await _ensure_department(session, body.department_id)
        changes = EmployeeUpdate(department_id=body.department_id)

        async def move(employee_id: int) -> Employee:
            employee = await require_employee(session, employee_id=employee_id)
            return await update_employee(
                uow, employee=employee, changes=changes, passwords=passwords
            )

        return move, f"moved to department {body.department_id}"

    async def terminate(employee_id: int) -> Employee:
        employee = await require_employee(session, employee_id=employee_id)
        terminated = await terminate_employee(uow, employee=employee)
        await session.refresh(terminated)  # as the answer shows it (updated_at)
        return terminated

    return terminate, "terminated"
