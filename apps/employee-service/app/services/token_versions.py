"""Token revocation on the employee service's side: bump, publish, and answer the current version.

``token_version`` (on the employee row) is raised by one in the unit of work that terminates the
employee, changes their roles or sets, changes or removes their password; login signs the current
value into the token (``ver``). Once the unit commits, the new value is written to Redis, where
every service's auth dependency reads it (see :mod:`tb_platform.token_versions`); this service's
own check falls back on its database when Redis has no answer.
"""

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from tb_platform.db import Database
from tb_platform.security import Principal
from tb_platform.token_versions import TokenVersions, VersionSource
from tb_platform.uow import UnitOfWork

from ..models import Employee

# Where a unit of work finds the token versions it publishes to (its session's info).
_VERSIONS = "tb_token_versions"


def use_token_versions(uow: UnitOfWork, versions: TokenVersions | None) -> None:
    """Publish this unit's bumps (and logins) to ``versions`` once it commits.

    The request's unit gets the app's (``deps.py``); a command opens its own (create-admin).
    A unit without one changes the database only, and Redis learns the version from the next
    login or from the source once its key expires (at most the token's life later).
    """
    uow.session.info[_VERSIONS] = versions


async def revoke_tokens(uow: UnitOfWork, *, employee: Employee) -> int:
    """Raise the employee's token version: every token issued before is refused from now on."""
    assert employee.id is not None
    # Incremented in SQL (under the row lock of the UPDATE), so two concurrent changes both count.
    version = (
        await uow.session.execute(
            update(Employee)
            .where(col(Employee.id) == employee.id)
            .values(token_version=col(Employee.token_version) + 1)
            .returning(col(Employee.token_version))
            .execution_options(synchronize_session=False)
        )
    ).scalar_one()
    set_committed_value(employee, "token_version", version)
    publish_after_commit(uow, employee_id=employee.id, version=version)
    return version


def publish_after_commit(uow: UnitOfWork, *, employee_id: int, version: int) -> None:
    """Write ``version`` to Redis once ``uow`` has committed (login does it for its token too)."""
    versions: TokenVersions | None = uow.session.info.get(_VERSIONS)
    if versions is None:
        return

    async def publish() -> None:
        await versions.store({employee_id: version})

    uow.after_commit(publish)


def database_source(database: Database) -> VersionSource:
    """This service's own answer when Redis has none: the employee row."""

    async def read(principal: Principal) -> int | None:
        async with database.sessionmaker() as session:
            return await session.scalar(
                select(col(Employee.token_version)).where(col(Employee.id) == principal.employee_id)
            )

    return read
