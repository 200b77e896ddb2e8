"""Login: password check with a per-email failure limit, and the access token."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlmodel import col

from tb_platform.errors import TooManyRequests
from tb_platform.security import TokenService
from tb_platform.uow import UnitOfWork

from ..core.config import EmployeeSettings
from ..core.security import Passwords
from ..models import Employee, LoginFailure
from .employees import find_by_email
from .token_versions import publish_after_commit


@dataclass(frozen=True)
class LoginResult:
    employee: Employee
    access_token: str


async def authenticate(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    settings: EmployeeSettings,
    passwords: Passwords,
    tokens: TokenService,
) -> LoginResult | None:
    """The signed-in employee and their token, or None (a failure that has been recorded).

    After ``login_max_failures`` failures for one email within ``login_window_seconds``, every
    attempt is refused with 429 until the oldest of them leaves the window, correct password or
    not: that is what makes guessing slow.
    """
    session = uow.session
    now = uow.clock.now()
    key = email.strip().lower()
    window = dt.timedelta(seconds=settings.login_window_seconds)
    # Serialise attempts on one email so that parallel guesses cannot slip past the limit.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('login:' || :key))"), {"key": key}
    )
    await session.execute(
        delete(LoginFailure).where(
            col(LoginFailure.email) == key, col(LoginFailure.failed_at) <= now - window
        )
    )
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(LoginFailure.failed_at)).where(
                col(LoginFailure.email) == key
            )
        )
    ).one()
    if count >= settings.login_max_failures:
        retry_after = int((oldest + window - now).total_seconds()) + 1
        raise TooManyRequests(
            "Too many failed logins for this email; try again in a minute",
            retry_after=retry_after,
        )

    employee = await find_by_email(session, email=key)
    candidate_hash = (
        employee.password_hash if employee is not None and employee.can_log_in else None
    )
    if not await passwords.verify(candidate_hash, password) or employee is None:
        session.add(LoginFailure(email=key, failed_at=now))
        await session.flush()
        return None

    await session.execute(delete(LoginFailure).where(col(LoginFailure.email) == key))
    if employee.password_hash and passwords.needs_rehash(employee.password_hash):
        employee.password_hash = await passwords.hash(password)
    assert employee.id is not None
    token = tokens.issue(
        user_id=str(employee.id),
        employee_id=employee.id,
        email=employee.email,
        roles=employee.role_names,
        token_version=employee.token_version,
        now=now,
    )
    # The key of anyone holding a token exists in Redis as long as the token lives.
    publish_after_commit(uow, employee_id=employee.id, version=employee.token_version)
    return LoginResult(employee=employee, access_token=token)
