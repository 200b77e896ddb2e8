"""The employee projection a consuming service keeps: filled by events (newer only), by the
employee service for ids it does not know yet, and in bulk by a sync; checked by one rule."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import pytest_asyncio
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Table, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from tb_platform.db import Database, make_metadata
from tb_platform.employee_directory import (
    EmployeeDirectory,
    create_employee_projection,
    current_employees,
    employee_projection_handler,
    employee_projection_table,
    ensure_current_employee,
    known_employees,
    sync_employees,
)
from tb_platform.employees import (
    EmployeeServiceClient,
    EmployeeServiceSettings,
    EmployeeServiceUnavailable,
)
from tb_platform.errors import InvalidField
from tb_platform.events.catalog import EmployeeCreated, EmployeeDeleted, EmployeeUpdated
from tb_platform.events.envelope import Envelope
from tb_platform.security import TokenService
from tb_platform.uow import Actor, FrozenClock, UnitOfWork, unit_of_work

pytestmark = pytest.mark.asyncio

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"
T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _employee(employee_id: int, *, status: str = "active", at: dt.datetime = T0) -> dict[str, Any]:
    return {
        "id": employee_id,
        "first_name": "Grace",
        "last_name": f"Hopper{employee_id}",
        "email": f"g{employee_id}@tb-erp.test",
        "phone": None,
        "status": status,
        "department_id": 3,
        "updated_at": at.isoformat(),
    }


@dataclass
class StandIn:
    """The employee service's list endpoint: ``?ids=`` and cursor paging by id."""

    employees: dict[int, dict[str, Any]] = field(default_factory=dict)
    calls: list[dict[str, str]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    failing: bool = False

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/api/v1/employees")
        async def employees(request: Request) -> Any:
            params = dict(request.query_params)
            self.calls.append(params)
            self.tokens.append(request.headers["authorization"].removeprefix("Bearer "))
            if self.failing:
                return JSONResponse({"detail": "down", "code": "internal_error"}, 500)
            if "ids" in params:
                wanted = [int(i) for i in params["ids"].split(",")]
                items = [self.employees[i] for i in wanted if i in self.employees]
                return {"items": items, "total": len(items), "limit": len(items)}
            after = int(params.get("cursor", "0"))
            limit = int(params["limit"])
            rest = [self.employees[i] for i in sorted(self.employees) if i > after]
            page = rest[:limit]
            more = len(rest) > limit
            return {
                "items": page,
                "limit": limit,
                "next_cursor": str(page[-1]["id"]) if more else None,
            }

        return app


@dataclass
class Env:
    database: Database
    table: Table
    stand_in: StandIn
    directory: EmployeeDirectory
    settings: EmployeeServiceSettings

    def unit(self, **options: Any) -> Any:
        return unit_of_work(self.database, actor=Actor.system("tests"), **options)

    async def rows(self) -> dict[int, Any]:
        async with self.database.sessionmaker() as session:
            result = await session.execute(select(self.table).order_by(self.table.c.id))
            return {row.id: row for row in result.all()}


def _migrate(connection: Connection, schema: str) -> None:
    create_employee_projection(Operations(MigrationContext.configure(connection)), schema)


@pytest_asyncio.fixture
async def env(database: Database) -> AsyncIterator[Env]:
    schema = f"dir_{secrets.token_hex(5)}"
    metadata = make_metadata(schema)
    table = employee_projection_table(metadata)
    async with database.engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        await connection.run_sync(_migrate, schema)
    settings = EmployeeServiceSettings(
        service_name="test-service",
        environment="test",
        jwt_secret=SECRET,
        employee_service_url="http://employee-service.test",
    )
    stand_in = StandIn()
    client = EmployeeServiceClient(settings, transport=httpx.ASGITransport(app=stand_in.app()))
    directory = EmployeeDirectory(table, client=client)
    try:
        yield Env(database, table, stand_in, directory, settings)
    finally:
        await directory.aclose()
        async with database.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


async def test_the_migration_builds_exactly_the_declared_table(env: Env) -> None:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_name": lambda name, type_, _: (
                    type_ != "schema" or name == env.table.schema
                ),
                "compare_type": True,
            },
        )
        return list(compare_metadata(context, env.table.metadata))

    async with env.database.engine.connect() as connection:
        assert await connection.run_sync(compare) == []


async def _apply(env: Env, envelope: Envelope) -> None:
    handler = employee_projection_handler(env.table)
    async with env.unit() as uow:
        await handler(uow, envelope)


def _event(model: Any, employee_id: int, at: dt.datetime, **data: Any) -> Envelope:
    fields = {
        "id": employee_id,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@tb-erp.test",
        "status": "active",
        "department_id": 1,
        **data,
    }
    return Envelope.create(source="employee-service", data=model(**fields), time=at)


async def test_events_keep_the_newest_state_whatever_order_they_arrive_in(env: Env) -> None:
    later = T0 + dt.timedelta(minutes=5)
    await _apply(env, _event(EmployeeCreated, 7, T0))
    await _apply(env, _event(EmployeeUpdated, 7, later, last_name="King", department_id=2))
    # Late and duplicate deliveries of older states change nothing.
    await _apply(env, _event(EmployeeCreated, 7, T0))
    await _apply(env, _event(EmployeeUpdated, 7, T0 + dt.timedelta(minutes=1), last_name="Old"))

    row = (await env.rows())[7]
    assert (row.last_name, row.department_id, row.status) == ("King", 2, "active")
    assert row.source_time == later

    # A termination is stored as terminated, whatever its data says.
    await _apply(env, _event(EmployeeDeleted, 7, later + dt.timedelta(seconds=1)))
    assert (await env.rows())[7].status == "terminated"


async def test_a_known_employee_is_answered_from_the_projection_without_a_call(env: Env) -> None:
    await _apply(env, _event(EmployeeCreated, 7, T0))
    await _apply(env, _event(EmployeeDeleted, 8, T0, status="terminated"))

    async with env.unit() as uow:
        record = await ensure_current_employee(uow, 7, directory=env.directory)
        with pytest.raises(InvalidField) as refused:
            await ensure_current_employee(uow, 8, field="holder_id", directory=env.directory)

    assert (record.id, record.email, record.is_current) == (7, "ada@tb-erp.test", True)
    assert refused.value.detail[0]["field"] == "holder_id"
    assert "has left the company" in refused.value.detail[0]["msg"]
    assert env.stand_in.calls == []


async def test_an_unknown_id_is_asked_of_the_employee_service_and_remembered(env: Env) -> None:
    env.stand_in.employees[21] = _employee(21)
    env.stand_in.employees[22] = _employee(22, status="terminated")

    async with env.unit() as uow:
        found = await current_employees(uow, [21, 22, 23], directory=env.directory)
    assert sorted(found) == [21, 22]
    assert [found[21].is_current, found[22].is_current] == [True, False]
    assert env.stand_in.calls == [{"ids": "21,22,23"}]
    # Asked with the service's own token: an admin acting as "system:test-service".
    caller = TokenService(env.settings).verify(env.stand_in.tokens[0])
    assert (caller.sub, caller.roles) == ("system:test-service", frozenset({"admin"}))

    rows = await env.rows()
    assert {i: r.status for i, r in rows.items()} == {21: "active", 22: "terminated"}
    assert rows[21].source_time == T0
    async with env.unit() as uow:
        await ensure_current_employee(uow, 21, directory=env.directory)
        with pytest.raises(InvalidField, match="does not exist"):
            await ensure_current_employee(uow, 23, directory=env.directory, token="callers-token")
    # 21 was known by then; only 23 was asked again, with the caller's token.
    assert env.stand_in.calls[1:] == [{"ids": "23"}]
    assert env.stand_in.tokens[1:] == ["callers-token"]


async def test_the_employee_service_down_is_503_only_for_ids_the_projection_lacks(
    env: Env,
) -> None:
    await _apply(env, _event(EmployeeCreated, 7, T0))
    env.stand_in.failing = True
    down = EmployeeDirectory(
        env.table,
        EmployeeServiceSettings(
            environment="test", jwt_secret=SECRET, employee_service_url="http://127.0.0.1:9"
        ),
    )
    try:
        for directory in (env.directory, down):
            async with env.unit() as uow:
                await ensure_current_employee(uow, 7, directory=directory)
                with pytest.raises(EmployeeServiceUnavailable) as unavailable:
                    await ensure_current_employee(uow, 99, directory=directory)
            assert unavailable.value.status_code == 503
            assert unavailable.value.code == "employee_service_unavailable"
    finally:
        await down.aclose()


async def test_a_checked_employee_stays_locked_until_the_unit_ends(env: Env) -> None:
    """A termination applied meanwhile waits for the unit that relied on the employee."""
    await _apply(env, _event(EmployeeCreated, 7, T0))
    async with env.unit() as uow:
        await ensure_current_employee(uow, 7, directory=env.directory)
        async with env.database.engine.connect() as other:
            await other.execute(text("SET lock_timeout = '100ms'"))
            with pytest.raises(DBAPIError, match="lock"):
                await other.execute(
                    update(env.table).where(env.table.c.id == 7).values(status="terminated")
                )


async def test_sync_pages_through_every_employee_and_never_undoes_a_newer_event(
    env: Env,
) -> None:
    env.stand_in.employees = {i: _employee(i) for i in range(1, 8)}
    env.stand_in.employees[5] = _employee(5, status="terminated")
    # An event newer than what the API will answer for employee 3.
    await _apply(env, _event(EmployeeUpdated, 3, T0 + dt.timedelta(hours=1), status="on_leave"))

    count = await sync_employees(
        env.database,
        env.table,
        env.settings,
        client=env.directory.client,
        clock=FrozenClock(T0),
        page_size=3,
    )

    assert count == 7
    assert [c.get("cursor") for c in env.stand_in.calls] == [None, "3", "6"]
    rows = await env.rows()
    assert sorted(rows) == list(range(1, 8))
    assert rows[3].status == "on_leave"
    assert rows[5].status == "terminated"
    assert rows[1].updated_at == T0


async def test_concurrent_units_look_up_through_one_directory(env: Env) -> None:
    env.stand_in.employees = {i: _employee(i) for i in range(1, 6)}

    async def look_up(employee_id: int) -> int:
        async with env.unit() as uow:
            return (await ensure_current_employee(uow, employee_id, directory=env.directory)).id

    assert await asyncio.gather(*(look_up(i) for i in range(1, 6))) == [1, 2, 3, 4, 5]
    assert len(env.stand_in.calls) == 5


async def test_a_directory_needs_settings_or_a_client(env: Env) -> None:
    with pytest.raises(ValueError, match="settings or a client"):
        EmployeeDirectory(env.table)
    assert isinstance(env.directory.client, EmployeeServiceClient)


async def test_the_handler_runs_in_the_consumers_unit_of_work(env: Env) -> None:
    handler = employee_projection_handler(env.table)
    async with env.unit(clock=FrozenClock(T0)) as uow:
        assert isinstance(uow, UnitOfWork)
        await handler(uow, _event(EmployeeCreated, 9, T0))
        assert sorted(await known_employees(uow.session, env.table, [9, 10])) == [9]
    assert (await env.rows())[9].updated_at == T0
