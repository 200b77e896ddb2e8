"""Employees: search, batch look-up, hiring, changes, roles and termination."""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tb_platform.errors import Conflict, Forbidden, InvalidField, NotFound
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.rbac import Grant

from ..core.security import Passwords
from ..models import Department, Employee, EmployeeRole, EmployeeStatus, Role, RoleName
from ..schemas.employee import EmployeeCreate, EmployeeUpdate
from .queries import chain_reaches, contains_text

MAX_BATCH_IDS = 500

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
    statement = select(Employee).where(func.lower(Employee.email) == email.strip().lower())
    return (await session.scalars(statement)).one_or_none()


async def list_employees(
    session: AsyncSession,
    *,
    params: ListParams,
    q: str | None = None,
    department_id: int | None = None,
    status: EmployeeStatus | None = None,
    only_employee_id: int | None = None,
) -> PageResult[Employee]:
    """Search employees; ``only_employee_id`` narrows to one person (self-service callers)."""
    statement = select(Employee)
    if q and q.strip():
        full_name = func.concat(Employee.first_name, " ", Employee.last_name)
        statement = statement.where(
            contains_text([Employee.first_name, Employee.last_name, Employee.email, full_name], q)  # type: ignore[list-item]
        )
    if department_id is not None:
        statement = statement.where(Employee.department_id == department_id)
    if status is not None:
        statement = statement.where(Employee.status == status)
    if only_employee_id is not None:
        statement = statement.where(Employee.id == only_employee_id)
    return await paginate(session, statement, params=params, sorting=EMPLOYEE_SORTING)


def parse_id_list(raw: str) -> list[int]:
    """``"1,2,5"`` → ``[1, 2, 5]`` (deduplicated, in order); 422 on junk or too many ids."""
    parts = [part.strip() for part in raw.split(",")]
    if not raw.strip() or any(not part for part in parts):
        raise InvalidField("ids", "ids must be a comma-separated list of ids", location="query")
    if len(parts) > MAX_BATCH_IDS:
        raise InvalidField("ids", f"at most {MAX_BATCH_IDS} ids per request", location="query")
    ids: list[int] = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= 2_147_483_647:
            raise InvalidField("ids", f"{part!r} is not a valid id", location="query")
        ids.append(int(part))
    return list(dict.fromkeys(ids))


async def employees_by_ids(
    session: AsyncSession, *, ids: Sequence[int], only_employee_id: int | None = None
) -> Sequence[Employee]:
    """The batch look-up other services join names with: one query, unknown ids left out."""
    statement = select(Employee).where(Employee.id.in_(ids)).order_by(Employee.id)  # type: ignore[union-attr]
    if only_employee_id is not None:
        statement = statement.where(Employee.id == only_employee_id)
    return (await session.scalars(statement)).all()


async def _roles_named(session: AsyncSession, names: Iterable[RoleName]) -> list[Role]:
    wanted = sorted({name.value for name in names})
    roles = list((await session.scalars(select(Role).where(Role.name.in_(wanted)))).all())  # type: ignore[attr-defined]
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


def _ensure_may_manage_admins(grant: Grant, *, touches_admin: bool) -> None:
    # HR may do everything in this service except hand out, take away or take over admin
    # access: that would let them escalate to full control of every service.
    if touches_admin and not grant.principal.has_role(RoleName.ADMIN):
        raise Forbidden("Only an admin may grant, revoke or change an admin login")


async def _ensure_admin_remains(session: AsyncSession, employee: Employee) -> None:
    """Refuse a change that would leave the company without an active admin login."""
    others = await session.scalar(
        select(func.count())
        .select_from(Employee)
        .join(EmployeeRole, EmployeeRole.employee_id == Employee.id)  # type: ignore[arg-type]
        .join(Role, Role.id == EmployeeRole.role_id)  # type: ignore[arg-type]
        .where(
            Role.name == RoleName.ADMIN.value,
            Employee.id != employee.id,
            Employee.status != EmployeeStatus.TERMINATED,
            Employee.login_enabled.is_(True),  # type: ignore[attr-defined]
        )
    )
    if not others:
        raise Conflict(
            "This is the last active admin login; make another admin first", code="last_admin"
        )


async def create_employee(
    session: AsyncSession, *, data: EmployeeCreate, grant: Grant, passwords: Passwords
) -> Employee:
    _ensure_may_manage_admins(grant, touches_admin=RoleName.ADMIN in data.roles)
    await _ensure_email_free(session, data.email, except_id=None)
    await _ensure_department(session, data.department_id)
    await _ensure_manager(session, data.manager_id, employee_id=None)
    if data.status == EmployeeStatus.TERMINATED:
        raise InvalidField("status", "a new employee cannot start as terminated")
    employee = Employee(
        **data.model_dump(exclude={"password", "roles"}),
        password_hash=await passwords.hash(data.password) if data.password else None,
        login_enabled=data.password is not None,
    )
    employee.roles = await _roles_named(session, data.roles)
    session.add(employee)
    await session.flush()
    await session.refresh(employee)
    return employee


async def update_employee(
    session: AsyncSession,
    *,
    employee: Employee,
    changes: EmployeeUpdate,
    grant: Grant,
    passwords: Passwords,
) -> Employee:
    values: dict[str, Any] = changes.changes()
    is_admin = RoleName.ADMIN in employee.role_names
    # An admin's login identity (the email they sign in with, their password, whether they are
    # active) is an admin's business: HR changing the email would lock the admin out.
    if LOGIN_IDENTITY & values.keys():
        _ensure_may_manage_admins(grant, touches_admin=is_admin)
    stays_terminated = (
        employee.status == EmployeeStatus.TERMINATED
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
    for field, value in values.items():
        setattr(employee, field, value)
    if new_status == EmployeeStatus.TERMINATED:
        await terminate_employee(session, employee=employee, grant=grant)
    elif new_status is not None:
        employee.status = new_status
    await session.flush()
    await session.refresh(employee)
    return employee


async def set_roles(
    session: AsyncSession, *, employee: Employee, roles: list[RoleName], grant: Grant
) -> Employee:
    had_admin = RoleName.ADMIN in employee.role_names
    gets_admin = RoleName.ADMIN in roles
    _ensure_may_manage_admins(grant, touches_admin=had_admin != gets_admin)
    if had_admin and not gets_admin and employee.can_log_in:
        await _ensure_admin_remains(session, employee)
    employee.roles = await _roles_named(session, roles)
    await session.flush()
    await session.refresh(employee)
    return employee


async def terminate_employee(
    session: AsyncSession, *, employee: Employee, grant: Grant
) -> Employee:
    """Soft delete: status ``terminated`` and the login disabled; the row and its history stay.

    Terminating an already terminated employee changes nothing.
    """
    if employee.status == EmployeeStatus.TERMINATED:
        return employee
    if grant.principal.employee_id == employee.id:
        raise Conflict("You cannot terminate your own employment record", code="self_termination")
    if RoleName.ADMIN in employee.role_names:
        _ensure_may_manage_admins(grant, touches_admin=True)
        if employee.can_log_in:
            await _ensure_admin_remains(session, employee)
    employee.status = EmployeeStatus.TERMINATED
    employee.login_enabled = False
    await session.flush()
    # Seam for events: `employee.deleted` is written to the transactional outbox right here, in
    # this same transaction, once the event bus exists (it will also unassign their assets).
    return employee


async def require_employee(session: AsyncSession, *, employee_id: int) -> Employee:
    employee = await get_employee(session, employee_id=employee_id)
    if employee is None:
        raise NotFound(f"Employee {employee_id} not found")
    return employee
