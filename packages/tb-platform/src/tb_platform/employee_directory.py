"""The employees a service refers to, kept in its own schema: a projection of the employee service.

A service that stores employee ids (an asset's holder, an invoice's employee) checks them against
its own copy of the employees instead of asking the employee service on every request. The copy
is filled by the employee service's events, and by the employee service's API for an id it has not
heard of yet (an employee hired a moment ago) or in bulk (``<service> sync-employees``)::

    # app/db/events.py — declared once, next to the models
    EMPLOYEES = employee_projection_table(TableModel.metadata)

    # the migration
    create_employee_projection(op, SCHEMA)

    # the worker: employee.created / .updated / .deleted → the projection
    WORKER = WorkerSpec(tables=EVENTS, consumers={
        "asset-service.employees": [employee_projection_handler(EMPLOYEES), ...],
    })

    # a domain function, before it locks or writes anything
    await ensure_current_employee(uow, employee_id, field="employee_id", directory=directory)

Each row keeps ``source_time``, the time of the state it holds (the event's time, or the
employee's ``updated_at`` in an answer of the API); a state older than the row's changes nothing,
so events that arrive late, twice or after a sync leave the newest state in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .db import Database
from .employees import (
    TERMINATED,
    EmployeeRecord,
    EmployeeServiceClient,
    EmployeeServiceSettings,
)
from .errors import InvalidField
from .events.catalog import EmployeeData, data_model
from .events.consumer import Handler, handles
from .events.envelope import Envelope
from .uow import Actor, Clock, UnitOfWork, unit_of_work

EMPLOYEE_EVENTS = ("employee.created", "employee.updated", "employee.deleted")
# Rows per upsert statement (8 parameters each, well under PostgreSQL's 32,767).
_STORE_SLICE = 1000


def _projection_items(name: str) -> list[Any]:
    return [
        Column("id", Integer, autoincrement=False),
        Column("first_name", Text, nullable=False),
        Column("last_name", Text, nullable=False),
        Column("email", Text, nullable=False),
        Column("status", String(32), nullable=False),
        Column("department_id", Integer, nullable=True),
        # When this service last wrote the row.
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # The time of the state the row holds; an older state never overwrites it.
        Column("source_time", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id", name=f"pk_{name}"),
    ]


def employee_projection_table(metadata: MetaData, name: str = "employees") -> Table:
    """Declare the projection table in ``metadata``'s schema (the consuming service's own)."""
    return Table(name, metadata, *_projection_items(name))


def create_employee_projection(op: Any, schema: str, name: str = "employees") -> None:
    """Create the projection table in an Alembic migration (exactly what the models declare)."""
    op.create_table(name, *_projection_items(name), schema=schema)


def drop_employee_projection(op: Any, schema: str, name: str = "employees") -> None:
    """Undo :func:`create_employee_projection` (the migration's downgrade)."""
    op.drop_table(name, schema=schema)


def _record(row: Any) -> EmployeeRecord:
    return EmployeeRecord(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        status=row.status,
        department_id=row.department_id,
        as_of=row.source_time,
    )


async def store_employees(
    session: AsyncSession, table: Table, records: Iterable[EmployeeRecord], *, now: datetime
) -> None:
    """Insert or update the projection rows of ``records``, each only where it is newer."""
    newest: dict[int, EmployeeRecord] = {}
    for record in records:
        if record.id not in newest or record.as_of > newest[record.id].as_of:
            newest[record.id] = record
    rows = [
        {
            "id": r.id,
            "first_name": r.first_name,
            "last_name": r.last_name,
            "email": r.email,
            "status": r.status,
            "department_id": r.department_id,
            "updated_at": now,
            "source_time": r.as_of,
        }
        for r in sorted(newest.values(), key=lambda r: r.id)  # in id order: no lock cycles
    ]
    for start in range(0, len(rows), _STORE_SLICE):
        statement = pg_insert(table).values(rows[start : start + _STORE_SLICE])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.id],
                set_={
                    name: statement.excluded[name]
                    for name in (
                        "first_name",
                        "last_name",
                        "email",
                        "status",
                        "department_id",
                        "updated_at",
                        "source_time",
                    )
                },
                where=table.c.source_time < statement.excluded.source_time,
            )
        )


async def known_employees(
    session: AsyncSession, table: Table, ids: Iterable[int], *, lock: bool = False
) -> dict[int, EmployeeRecord]:
    """The projection's rows of ``ids``; with ``lock``, share-locked until the transaction ends."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = select(table).where(table.c.id.in_(wanted)).order_by(table.c.id)
    if lock:
        query = query.with_for_update(read=True)
    return {row.id: _record(row) for row in (await session.execute(query)).all()}


def employee_projection_handler(table: Table) -> Handler:
    """The consumer handler that keeps ``table`` current from employee.created/updated/deleted.

    ``employee.deleted`` (a termination) is stored as status ``terminated`` whatever its data
    says. A service that must act on a termination adds a handler of its own after this one
    (same unit of work) and reads the outcome with :func:`known_employees`.
    """

    @handles(*EMPLOYEE_EVENTS)
    async def project_employee(uow: UnitOfWork, event: Envelope) -> None:
        data = data_model(event.type).of(event)
        assert isinstance(data, EmployeeData)
        record = EmployeeRecord(
            id=data.id,
            first_name=data.first_name,
            last_name=data.last_name,
            email=data.email,
            status=TERMINATED if event.type == "employee.deleted" else data.status,
            department_id=data.department_id,
            as_of=event.time,
        )
        await store_employees(uow.session, table, [record], now=uow.clock.now())

    return project_employee


class EmployeeDirectory:
    """Where a service looks its employees up: ``table`` first, then the employee service.

    One per process (it holds the HTTP client's connection pool): build it at start-up and
    ``await directory.aclose()`` on shutdown.
    """

    def __init__(
        self,
        table: Table,
        settings: EmployeeServiceSettings | None = None,
        *,
        client: EmployeeServiceClient | None = None,
    ) -> None:
        if client is None:
            if settings is None:
                raise ValueError("EmployeeDirectory needs settings or a client")
            client = EmployeeServiceClient(settings)
        self.table = table
        self.client = client

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()


async def current_employees(
    uow: UnitOfWork,
    ids: Iterable[int],
    *,
    directory: EmployeeDirectory,
    token: str | None = None,
) -> dict[int, EmployeeRecord]:
    """The employees of ``ids``, as this service knows them, share-locked until ``uow`` ends.

    Ids the projection does not know are asked of the employee service (with ``token``, else the
    service's own) and its answers stored; ids neither knows are left out. Call it before the
    unit locks or writes anything else: the employee service may be asked, and nothing should
    wait on this unit's locks meanwhile. Afterwards the rows are share-locked, so a termination
    arriving from the worker waits for this unit to commit, then sees what it did.

    Raises :class:`~tb_platform.employees.EmployeeServiceUnavailable` (503) when the employee
    service is needed and cannot answer.
    """
    wanted = set(ids)
    if not wanted:
        return {}
    table = directory.table
    known = await known_employees(uow.session, table, wanted)
    missing = wanted - known.keys()
    if missing:
        answers = await directory.client.by_ids(missing, token=token)
        await store_employees(uow.session, table, answers, now=uow.clock.now())
    return await known_employees(uow.session, table, wanted, lock=True)


def employee_problem(employee_id: int, record: EmployeeRecord | None) -> str | None:
    """Why ``employee_id`` may not be referred to (unknown, terminated), or None."""
    if record is None:
        return f"Employee {employee_id} does not exist"
    if not record.is_current:
        return f"Employee {employee_id} has left the company"
    return None


async def ensure_current_employee(
    uow: UnitOfWork,
    employee_id: int,
    *,
    field: str = "employee_id",
    directory: EmployeeDirectory,
    token: str | None = None,
) -> EmployeeRecord:
    """Return the employee if they still work here; else a 422 on ``field``.

    Unknown or terminated → 422 on ``field``; unknown here and the employee service unreachable
    → 503 ``employee_service_unavailable``. Same rules and locking as :func:`current_employees`.
    """
    record = (await current_employees(uow, [employee_id], directory=directory, token=token)).get(
        employee_id
    )
    problem = employee_problem(employee_id, record)
    if problem is not None:
        raise InvalidField(field, problem)
    assert record is not None
    return record


async def sync_employees(
    database: Database,
    table: Table,
    settings: EmployeeServiceSettings,
    *,
    client: EmployeeServiceClient | None = None,
    clock: Clock | None = None,
    page_size: int = 200,
) -> int:
    """Fill or refresh ``table`` from the employee service's list (cursor paging); returns how
    many employees it read.

    Each page is stored in a transaction of its own, with the same newer-only rule as the
    events, so a sync never undoes an event that arrived meanwhile.
    """
    own = client is None
    http = client or EmployeeServiceClient(settings)
    count = 0
    try:
        async for page in http.pages(page_size=page_size):
            async with unit_of_work(
                database, actor=Actor.system(f"{settings.service_name}.sync-employees"), clock=clock
            ) as uow:
                await store_employees(uow.session, table, page, now=uow.clock.now())
            count += len(page)
    finally:
        if own:
            await http.aclose()
    return count


__all__ = [
    "EMPLOYEE_EVENTS",
    "EmployeeDirectory",
    "create_employee_projection",
    "current_employees",
    "drop_employee_projection",
    "employee_problem",
    "employee_projection_handler",
    "employee_projection_table",
    "ensure_current_employee",
    "known_employees",
    "store_employees",
    "sync_employees",
]
